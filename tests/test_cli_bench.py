"""``interop bench verify`` on a tiny fake database, with a fake engine injected."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from interop.cli import app
from interop.evaluation import fvc
from tests.evaluation.test_fvc import FakeEngine, write_database

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYS = [
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


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    engine = FakeEngine(fail={(102, 3)})
    monkeypatch.setattr(fvc, "default_engine", engine.engine)
    return engine


@pytest.fixture
def data(tmp_path: Path) -> Path:
    root = tmp_path / "fvc2002"
    for db in ("DB1_B", "DB2_B"):
        write_database(root / db, fingers=range(101, 105), impressions=range(1, 5))
    return root


def test_verify_writes_json_det_and_scores(
    data: Path, tmp_path: Path, fake_engine: FakeEngine
) -> None:
    out, det, npz = tmp_path / "out.json", tmp_path / "det.png", tmp_path / "s.npz"
    result = CliRunner().invoke(
        app,
        [
            *("bench", "verify", str(data)),
            *("--json", str(out), "--det", str(det), "--scores", str(npz)),
            *("--ppi", "DB1_B=450"),
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert list(doc) == ["databases", "mean_eer"]
    assert list(doc["databases"]) == ["DB1_B", "DB2_B"]
    for figures in doc["databases"].values():
        assert list(figures) == KEYS
        assert figures["fte"] == 1
        assert (figures["genuine"], figures["impostor"]) == (24, 96)
        assert all(isinstance(v, int | float) for v in figures.values())
    assert doc["mean_eer"] == pytest.approx(np.mean([d["eer"] for d in doc["databases"].values()]))
    assert det.read_bytes().startswith(PNG_SIGNATURE) and det.stat().st_size > 5000
    with np.load(npz) as z:
        assert z["DB2_B/impostor"].size == 96
    # --ppi applies to its database only; DB2 of FVC2002 is known to be 569 ppi.
    assert {name: ppi for name, ppi in fake_engine.loads if name == "101_1.png"} == {
        "101_1.png": 569
    }
    assert ("101_1.png", 450) in fake_engine.loads
    assert "DB1_B" in result.stdout and "mean" in result.stdout and "%" in result.stdout


def test_verify_single_database_folder(data: Path, fake_engine: FakeEngine) -> None:
    result = CliRunner().invoke(app, ["bench", "verify", str(data / "DB2_B")])
    assert result.exit_code == 0, result.output
    assert "DB2_B" in result.stdout and "DB1_B" not in result.stdout


def test_verify_without_database_fails(tmp_path: Path, fake_engine: FakeEngine) -> None:
    result = CliRunner().invoke(app, ["bench", "verify", str(tmp_path)])
    assert result.exit_code == 1
    assert "no FVC-style database" in result.output


@pytest.mark.parametrize("bad", ["DB1_B", "DB1_B=", "=500", "DB1_B=-3", "DB1_B=abc"])
def test_verify_rejects_bad_ppi(data: Path, fake_engine: FakeEngine, bad: str) -> None:
    result = CliRunner().invoke(app, ["bench", "verify", str(data), "--ppi", bad])
    assert result.exit_code == 2
    assert fake_engine.loads == []
