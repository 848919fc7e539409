"""``interop engine-demo``: the synthetic end-to-end demonstration of the engine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interop.cli import app

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_demo_prints_enrolment_scores_verdicts_and_summary(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(
        app,
        ["engine-demo", "--fingers", "2", "--impressions", "2", "--seed", "1", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Enrolment" in text and "Scores" in text
    for label in ("F1", "F2", "F1/2", "F2/2"):
        assert label in text
    # one verdict per probe
    verdicts = re.findall(r"^ F\d/2 .*?(no match|match)", text, flags=re.MULTILINE)
    assert len(verdicts) == 2
    summary = re.search(r"(\d+)/(\d+) verdicts correct", text)
    assert summary is not None and summary.group(2) == "4"
    assert "genuine" in text and "impostor" in text
    pngs = sorted(out.glob("*.png"))
    assert [p.name for p in pngs] == ["F1_1.png", "F1_2.png", "F2_1.png", "F2_2.png"]
    assert all(p.read_bytes().startswith(PNG_SIGNATURE) for p in pngs)
    assert len(list(out.glob("*.iso"))) == 4
    assert "wrote 4 images and 4 templates" in text


def test_demo_threshold_decides_the_verdicts() -> None:
    result = CliRunner().invoke(
        app, ["engine-demo", "--fingers", "1", "--impressions", "2", "--threshold", "0"]
    )
    assert result.exit_code == 0, result.output
    # every score is >= 0: the single genuine comparison is a match
    assert "1/1 verdicts correct" in result.stdout
    assert "genuine 1/1 matched, impostor 0/0 rejected" in result.stdout


@pytest.mark.parametrize(
    "bad",
    [
        ["--fingers", "0"],
        ["--impressions", "1"],
        ["--seed", "-1"],
        ["--threshold", "101"],
        ["--fingers", "two"],
    ],
)
def test_demo_rejects_bad_options(bad: list[str]) -> None:
    result = CliRunner().invoke(app, ["engine-demo", *bad])
    assert result.exit_code == 2
    assert "Invalid value" in result.output
