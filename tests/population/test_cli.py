"""``interop synth population``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from interop.cli import app


def test_writes_a_population_file(tmp_path: Path) -> None:
    out = tmp_path / "people.jsonl"
    args = ["synth", "population", "--people", "500", "--seed", "3", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "500 people" in result.stdout and str(out) in result.stdout
    lines = out.read_text(encoding="utf-8").splitlines()
    header, summary = json.loads(lines[0]), json.loads(lines[-1])
    assert header["people"] == 500 and header["seed"] == 3
    assert summary["type"] == "summary"
    first = out.read_bytes()
    assert CliRunner().invoke(app, args).exit_code == 0
    assert out.read_bytes() == first  # same seed, same file


def test_rejects_bad_options(tmp_path: Path) -> None:
    for bad in (["--people", "0"], ["--seed", "-2"]):
        result = CliRunner().invoke(app, ["synth", "population", *bad, str(tmp_path / "x")])
        assert result.exit_code == 2
