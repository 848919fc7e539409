"""The FVC protocol on tiny synthetic databases, with a fake engine."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from interop.evaluation import fvc
from interop.evaluation.fvc import (
    LOWEST_SCORE,
    Engine,
    FvcError,
    find_databases,
    markdown_rows,
    resolution_for,
    run_fvc,
    run_fvc_database,
)
from interop.fingerprints.errors import FailureToEnrol, ImageDecodeError

# A fake image codes its finger and impression in its first two pixels.


def write_database(
    folder: Path,
    fingers: Iterable[int] = range(101, 111),
    impressions: Iterable[int] = range(1, 9),
    ext: str = "png",
) -> Path:
    """``NNN_K.<ext>`` 6×5 grey images plus an ``.iso`` beside each, as in FVC2002."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in fingers:
        for k in impressions:
            pixels = np.full((6, 5), 128, dtype=np.uint8)
            pixels[0, 0], pixels[0, 1] = f - 100, k
            Image.fromarray(pixels).save(folder / f"{f}_{k}.{ext}")
            (folder / f"{f}_{k}.iso").write_bytes(b"FMR\x00")
    return folder


@dataclass
class FakeEngine:
    """Same finger scores 0.9 - 0.01·|Δimpression|, different fingers 0.1 + 0.001·Δfinger.

    ``fail`` lists ``(finger, impression)`` that raise ``FailureToEnrol``;
    ``clock_ns`` is advanced by ``extract`` (first call 5 ms, then 2 ms) and by
    ``compare`` (3 µs) so that timings can be checked exactly.
    """

    fail: set[tuple[int, int]] = field(default_factory=set)
    calls: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    loads: list[tuple[str, float]] = field(default_factory=list)
    clock_ns: int = 0
    extracted: int = 0

    def load(self, path: Path, *, resolution_ppi: float) -> npt.NDArray[np.uint8]:
        self.loads.append((Path(path).name, resolution_ppi))
        try:
            return np.asarray(Image.open(path).convert("L"))
        except OSError as exc:
            raise ImageDecodeError(str(exc)) from exc

    def extract(self, pixels: npt.NDArray[np.uint8]) -> tuple[int, int]:
        self.clock_ns += 5_000_000 if self.extracted == 0 else 2_000_000
        self.extracted += 1
        key = (100 + int(pixels[0, 0]), int(pixels[0, 1]))
        if key in self.fail:
            raise FailureToEnrol("too_few_minutiae")
        return key

    def prepare(self, template: tuple[int, int]) -> tuple[int, int]:
        return template

    def compare(self, a: tuple[int, int], b: tuple[int, int]) -> float:
        self.clock_ns += 3_000
        self.calls.append((a, b))
        if a[0] == b[0]:
            return 0.9 - 0.01 * abs(a[1] - b[1])
        return 0.1 + 0.001 * abs(a[0] - b[0])

    def engine(self) -> Engine:
        return Engine(
            load=self.load, extract=self.extract, prepare=self.prepare, compare=self.compare
        )

    def run(self, folder: Path, **kwargs: object) -> fvc.DatabaseResult:
        e = self.engine()
        return run_fvc_database(
            folder,
            resolution_ppi=500,
            load=e.load,
            extract=e.extract,
            prepare=e.prepare,
            compare=e.compare,
            **kwargs,  # type: ignore[arg-type]
        )


@pytest.fixture(scope="module")
def db10x8(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_database(tmp_path_factory.mktemp("fvc2002") / "DB1_B")


def test_pair_counts_of_a_10x8_database(db10x8: Path) -> None:
    eng = FakeEngine()
    r = eng.run(db10x8)
    assert (r.genuine.size, r.impostor_fvc.size, r.impostor.size) == (280, 45, 2880)
    assert r.genuine_pairs.shape == (280, 2) and r.impostor_pairs.shape == (2880, 2)
    assert len(eng.calls) == 280 + 2880  # FVC impostors reuse all-pairs scores
    assert len(set(eng.calls)) == len(eng.calls)
    assert all(a < b for a, b in eng.calls)
    assert r.fte == 0 and len(r.images) == 80
    # FVC impostors: first impressions only, every unordered pair of fingers once.
    fvc_files = {(r.images[a].name, r.images[b].name) for a, b in r.impostor_fvc_pairs}
    assert all(a.endswith("_1.png") and b.endswith("_1.png") for a, b in fvc_files)
    assert len(fvc_files) == 45
    assert np.all(r.impostor_fvc <= 0.2) and np.all(r.genuine >= 0.8)
    m = r.metrics
    assert (m.eer, m.eer_fvc, m.fmr100, m.fmr1000, m.zero_fmr) == (0, 0, 0, 0, 0)


def test_genuine_pairs_are_the_28_per_finger(db10x8: Path) -> None:
    r = FakeEngine().run(db10x8)
    fingers = np.array([im.finger for im in r.images])
    assert np.all(fingers[r.genuine_pairs[:, 0]] == fingers[r.genuine_pairs[:, 1]])
    assert np.all(fingers[r.impostor_pairs[:, 0]] != fingers[r.impostor_pairs[:, 1]])
    assert np.bincount(fingers[r.genuine_pairs[:, 0]] - 101).tolist() == [28] * 10


def test_failure_to_enrol_scores_lowest_and_is_counted(db10x8: Path) -> None:
    eng = FakeEngine(fail={(103, 4)})
    r = eng.run(db10x8)
    assert r.fte == 1
    assert list(r.failures) == ["103_4.png"]
    assert "FailureToEnrol" in r.failures["103_4.png"]
    bad = next(i for i, im in enumerate(r.images) if im.name == "103_4.png")
    g_bad = np.any(r.genuine_pairs == bad, axis=1)
    i_bad = np.any(r.impostor_pairs == bad, axis=1)
    assert (g_bad.sum(), i_bad.sum()) == (7, 72)  # never skipped
    assert np.all(r.genuine[g_bad] == LOWEST_SCORE)
    assert np.all(r.impostor[i_bad] == LOWEST_SCORE)
    assert np.all(np.isfinite(r.genuine[~g_bad])) and np.all(np.isfinite(r.impostor[~i_bad]))
    assert len(eng.calls) == 3160 - 79
    # 7 genuine pairs of 280 always fail, and impostors are never accepted.
    assert r.metrics.zero_fmr == pytest.approx(7 / 280)
    assert r.metrics.fmr100 == pytest.approx(7 / 280)
    assert np.all(np.isfinite(r.impostor_fvc))  # 103_4 is not a first impression


def test_failed_first_impression_affects_fvc_impostors(db10x8: Path) -> None:
    r = FakeEngine(fail={(105, 1)}).run(db10x8)
    assert np.sum(r.impostor_fvc == LOWEST_SCORE) == 9
    assert r.impostor_fvc.size == 45


def test_undecodable_image_is_a_failure_to_enrol(tmp_path: Path) -> None:
    db = write_database(tmp_path / "DB3_B", fingers=range(101, 104), impressions=range(1, 4))
    (db / "102_2.png").write_bytes(b"not a png")
    r = FakeEngine().run(db)
    assert r.fte == 1 and "ImageDecodeError" in r.failures["102_2.png"]
    assert (r.genuine.size, r.impostor.size, r.impostor_fvc.size) == (9, 27, 3)
    assert np.sum(r.genuine == LOWEST_SCORE) == 2


def test_timings_exclude_warm_up(db10x8: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    eng = FakeEngine()
    monkeypatch.setattr(fvc, "_ns", lambda: eng.clock_ns)
    r = eng.run(db10x8)
    assert r.extract_ms_median == 2.0  # the 5 ms first call is left out
    assert r.compare_us_median == 3.0
    assert r.prepare_us_median == 0.0


def test_progress_reports_both_phases(db10x8: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    FakeEngine().run(db10x8, progress=lambda *a: seen.append(a))
    assert seen[0] == ("extract", 1, 80) and ("extract", 80, 80) in seen
    assert seen[-1] == ("compare", 3160, 3160)


def test_summary_has_exactly_the_json_keys(db10x8: Path) -> None:
    s = FakeEngine().run(db10x8).summary()
    assert list(s) == [
        "eer",
        "eer_fvc",
        "fmr100",
        "fmr1000",
        "zero_fmr",
        "fte",
        "genuine",
        "impostor",
        "extract_ms_median",
        "compare_us_median",
    ]
    assert isinstance(s["fte"], int) and s["genuine"] == 280 and s["impostor"] == 2880


def test_discovery_nested_b_folders_and_ignored_files(tmp_path: Path) -> None:
    small = {"fingers": range(101, 103), "impressions": range(1, 3)}
    write_database(tmp_path / "fvc2002" / "DB2_B", **small)  # type: ignore[arg-type]
    write_database(tmp_path / "fvc2002" / "DB1_B", ext="tif", **small)  # type: ignore[arg-type]
    write_database(tmp_path / "mine" / "set", **small)  # type: ignore[arg-type]
    odd = tmp_path / "odd_B"  # a _B folder whose images are named otherwise
    odd.mkdir()
    Image.new("L", (4, 4)).save(odd / "scan.bmp")
    iso_only = tmp_path / "iso_only"
    iso_only.mkdir()
    (iso_only / "101_1.iso").write_bytes(b"FMR\x00")
    (iso_only / "101_2.txt").write_text("x")
    (tmp_path / "empty_B").mkdir()
    write_database(tmp_path / ".hidden", **small)  # type: ignore[arg-type]

    found = [p.relative_to(tmp_path).as_posix() for p in find_databases(tmp_path)]
    assert found == ["fvc2002/DB1_B", "fvc2002/DB2_B", "mine/set", "odd_B"]
    # A database folder given directly is found as itself.
    assert find_databases(tmp_path / "fvc2002" / "DB1_B") == [tmp_path / "fvc2002" / "DB1_B"]
    assert [im.name for im in fvc.list_images(tmp_path / "fvc2002" / "DB1_B")] == [
        "101_1.tif",
        "101_2.tif",
        "102_1.tif",
        "102_2.tif",
    ]
    with pytest.raises(FvcError, match="no image named"):
        FakeEngine().run(odd)


def test_images_sort_by_number_not_text(tmp_path: Path) -> None:
    db = write_database(tmp_path / "x", fingers=[101, 102], impressions=[1, 2, 10])
    assert [im.name for im in fvc.list_images(db)][:3] == ["101_1.png", "101_2.png", "101_10.png"]


def test_duplicate_impression_is_an_error(tmp_path: Path) -> None:
    db = write_database(tmp_path / "DB1_B", fingers=[101, 102], impressions=[1, 2])
    Image.new("L", (4, 4)).save(db / "101_1.tif")
    with pytest.raises(FvcError, match="both"):
        fvc.list_images(db)


def test_single_finger_is_an_error(tmp_path: Path) -> None:
    db = write_database(tmp_path / "DB1_B", fingers=[101], impressions=[1, 2])
    with pytest.raises(FvcError, match="two fingers"):
        FakeEngine().run(db)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("fvc2002/DB2_B", 569),
        ("FVC2002/DB1_B", 500),
        ("FVC2004/Dbs/DB3_B", 512),
        ("fvc2004/DB3_A", 512),
        ("FVC2000/DB4_B", 500),
        ("FVC_2006/DB1_B", 250),
        ("data/DB2_B", 500),
        ("fvc2002/mine", 500),
    ],
)
def test_resolution_table(tmp_path: Path, path: str, expected: int) -> None:
    assert resolution_for(tmp_path / path) == expected


def test_resolution_overrides_by_name_or_label(tmp_path: Path) -> None:
    folder = tmp_path / "fvc2002" / "DB2_B"
    assert resolution_for(folder, ppi={"DB2_B": 500.0}) == 500.0
    assert resolution_for(folder, label="fvc2002/DB2_B", ppi={"fvc2002/DB2_B": 600}) == 600
    assert resolution_for(folder, ppi={"DB1_B": 400}) == 569


def test_run_fvc_over_several_databases(tmp_path: Path) -> None:
    small = {"fingers": range(101, 104), "impressions": range(1, 4)}
    write_database(tmp_path / "fvc2002" / "DB1_B", **small)  # type: ignore[arg-type]
    write_database(tmp_path / "fvc2002" / "DB2_B", **small)  # type: ignore[arg-type]
    write_database(tmp_path / "fvc2000" / "DB2_B", **small)  # type: ignore[arg-type]
    eng = FakeEngine(fail={(101, 1)})
    seen: set[tuple[str, str]] = set()
    e = eng.engine()
    result = run_fvc(
        tmp_path,
        ppi={"DB1_B": 333},
        load=e.load,
        extract=e.extract,
        prepare=e.prepare,
        compare=e.compare,
        progress=lambda label, phase, done, total: seen.add((label, phase)),
    )
    labels = [d.label for d in result.databases]
    assert labels == ["fvc2000/DB2_B", "DB1_B", "fvc2002/DB2_B"]
    assert [d.resolution_ppi for d in result.databases] == [500, 333, 569]
    assert {ppi for _, ppi in eng.loads} == {500, 333, 569}
    assert ("DB1_B", "compare") in seen and ("fvc2000/DB2_B", "extract") in seen
    out = result.to_json()
    assert list(out) == ["databases", "mean_eer"] and list(out["databases"]) == labels
    assert out["mean_eer"] == pytest.approx(np.mean([d.metrics.eer for d in result.databases]))
    assert all(d["fte"] == 1 for d in out["databases"].values())
    md = markdown_rows(result)
    assert "| DB1_B | 333 |" in md and md.count("\n| interop |") == 1


def test_no_database_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("nothing here")
    with pytest.raises(FvcError, match="no FVC-style database"):
        run_fvc(tmp_path, load=np.zeros, extract=id, prepare=id, compare=lambda a, b: 0.0)


def test_scores_npz_round_trip(tmp_path: Path, db10x8: Path) -> None:
    r = FakeEngine(fail={(110, 8)}).run(db10x8)
    out = tmp_path / "scores.npz"
    fvc.BenchmarkResult([r]).save_scores(out)
    with np.load(out) as z:
        assert np.array_equal(z["DB1_B/genuine"], r.genuine)
        assert np.array_equal(z["DB1_B/impostor_pairs"], r.impostor_pairs)
        assert z["DB1_B/files"].tolist()[-1] == "110_8.png"
        assert z["DB1_B/failed"].sum() == 1 and bool(z["DB1_B/failed"][-1])
        assert math.isinf(z["DB1_B/genuine"].min())
