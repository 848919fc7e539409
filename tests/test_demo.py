"""``interop demo``: the program end to end on a small calibrated scenario."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from interop.cli import app
from interop.demo import DEMO_START, DemoPlan, _image_slots, _window, demo_people, demo_scenario
from interop.demo_cli import _fresh_home


def test_the_scenario_books_at_least_the_bookings_asked_for_in_the_window() -> None:
    plan = DemoPlan(bookings=300, distractors=50)
    scenario = demo_scenario(plan)
    booked = _window(scenario, plan)
    assert len(booked) >= 300
    # the smallest such population, within the 2% margin of the estimate
    assert len(booked) < 300 * 1.2
    people = demo_people(scenario, plan)
    assert set(booked) <= people
    assert len(people - set(booked)) == 50
    assert demo_people(scenario, plan) == people  # the plan's seed draws them


def test_image_bookings_are_spread_over_the_window() -> None:
    slots = _image_slots(DemoPlan(image_bookings=4))
    assert slots[0] == DEMO_START and len(slots) == 4
    assert slots == sorted(slots) and slots[-1] < date(2011, 8, 31)
    assert _image_slots(DemoPlan(image_bookings=0)) == []


def test_a_fresh_home_keeps_what_the_demo_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "demo.db").write_bytes(b"old")
    (tmp_path / "galleries").mkdir()
    (tmp_path / "galleries" / "x.npz").write_bytes(b"old")
    (tmp_path / "notes.txt").write_text("mine")
    _fresh_home(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_demo_runs_the_pipeline_checks_the_truth_and_writes_the_reports(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    result = CliRunner().invoke(
        app,
        [
            "demo",
            "--bookings",
            "120",
            "--image-bookings",
            "1",
            "--distractors",
            "100",
            "--home",
            str(home),
            "--no-serve",
        ],
    )
    assert result.exit_code == 0, result.output
    text = result.output
    right = re.search(r"final states equal to the ground truth\s*│\s*([\d,]+) of ([\d,]+)", text)
    assert right is not None, text
    done, total = (int(g.replace(",", "")) for g in right.groups())
    assert total >= 120 and done == total
    assert re.search(r"of which as ten images \(WSQ\)\s*│\s*1\b", text)
    assert "IDENT/IAFIS Interoperability Statistics" in text
    assert "as-operated" in text and "honor-opt-out" in text
    reports = home / "reports"
    for name in ("national-2011-08.csv", "national-2011-08.html", "states-2011-08.csv"):
        assert (reports / name).stat().st_size > 0
    assert (reports / "national-2011-08.pdf").read_bytes().startswith(b"%PDF")
    csv = (reports / "national-2011-08.csv").read_text().splitlines()
    assert csv[0].startswith("area,month") and csv[-1].startswith("US,2011-08")
