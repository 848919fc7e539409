from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from interop.cli import app
from interop.evaluation.fvc import list_images
from interop.fingerprints.synth.database import write_fvc_database


def test_writes_an_fvc_layout_deterministically(tmp_path: Path) -> None:
    a = write_fvc_database(tmp_path / "a", fingers=2, impressions=2, seed=5)
    b = write_fvc_database(tmp_path / "b", fingers=2, impressions=2, seed=5)
    assert [p.name for p in a] == ["101_1.png", "101_2.png", "102_1.png", "102_2.png"]
    assert [(i.finger, i.impression) for i in list_images(tmp_path / "a")] == [
        (101, 1),
        (101, 2),
        (102, 1),
        (102, 2),
    ]
    for pa, pb in zip(a, b, strict=True):
        with Image.open(pa) as ia, Image.open(pb) as ib:
            assert ia.mode == "L" and ia.info["dpi"] == pytest.approx((500, 500), abs=0.1)
            assert np.array_equal(np.asarray(ia), np.asarray(ib))
    assert not list((tmp_path / "a").glob("*.partial"))


def test_impressions_differ(tmp_path: Path) -> None:
    one, two = write_fvc_database(tmp_path, fingers=1, impressions=2, seed=0)
    with Image.open(one) as a, Image.open(two) as b:
        assert not np.array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize(
    "kwargs", [{"fingers": 0}, {"fingers": 900}, {"impressions": 0}, {"seed": -1}]
)
def test_bad_arguments_are_refused(tmp_path: Path, kwargs: dict[str, int]) -> None:
    args = {"fingers": 1, "impressions": 1, "seed": 0} | kwargs
    with pytest.raises(ValueError):
        write_fvc_database(tmp_path, **args)


def test_cli_writes_sets_that_bench_verify_reads(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "syn"
    result = runner.invoke(
        app, ["synth", "prints", str(out), "--fingers", "2", "--impressions", "2", "--sets", "2"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["SYN1", "SYN2"]
    verify = runner.invoke(app, ["bench", "verify", str(out), "--json", str(tmp_path / "v.json")])
    assert verify.exit_code == 0, verify.output
    assert "SYN1" in (tmp_path / "v.json").read_text()
