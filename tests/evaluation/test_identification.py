"""1:N identification benchmark: synthetic and FVC-folder modes, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from interop.cli import app
from interop.evaluation.identification import run_fvc, run_synthetic
from interop.fingerprints.gallery import SearchParameters
from interop.fingerprints.synth.database import write_fvc_database


def test_synthetic_identification_finds_the_mated_subjects() -> None:
    report = run_synthetic(
        40, mated=6, non_mated=6, fingers=3, params=SearchParameters(shortlist=5)
    )
    assert report.subjects == 40 and report.fingers_enrolled == 120
    assert report.mated_searches == 6 and report.non_mated_searches == 6
    assert report.rank1 == 1.0
    assert report.fnir["0.01"] == 0.0 and report.prefilter_misses == 0.0
    assert report.fpir_measured["0.01"] <= 1 / 6
    assert report.latency_s["p50"] > 0 and report.effective_comparisons_per_s > 0
    assert report.memory_bytes_per_finger > 0


def test_fvc_folder_identification(tmp_path: Path) -> None:
    write_fvc_database(tmp_path, fingers=5, impressions=3, seed=11)
    report = run_fvc(tmp_path, resolution_ppi=500, params=SearchParameters(shortlist=5))
    assert report.subjects == 5
    assert report.mated_searches == 10 and report.non_mated_searches == 10
    assert report.rank1 >= 0.8


def test_cli_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "identify.json"
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "identify",
            "--subjects",
            "30",
            "--fingers",
            "2",
            "--mated",
            "4",
            "--non-mated",
            "4",
            "--json",
            str(out),
            "--markdown",
            str(tmp_path / "table.md"),
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    assert payload[0]["mode"] == "synthetic" and payload[0]["subjects"] == 30
    assert payload[0]["extra"]["verified_comparisons_per_search"] > 0
    table = (tmp_path / "table.md").read_text().splitlines()
    assert len(table) == 3 and table[2].startswith("| synthetic | 30 | 2 | 4 / 4 |")


def test_cli_verify_option_turns_verification_off(tmp_path: Path) -> None:
    out = tmp_path / "identify.json"
    args = ["bench", "identify", "--subjects", "30", "--fingers", "2", "--mated", "3"]
    result = CliRunner().invoke(
        app, [*args, "--non-mated", "0", "--verify", "0", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())[0]
    assert report["extra"]["verified_comparisons_per_search"] == 0
    assert report["extra"]["comparisons_per_search"] > 0
