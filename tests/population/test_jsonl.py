"""The JSON Lines file: every record round-trips to the same objects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interop.population import (
    FORMAT,
    Booking,
    Jurisdiction,
    Person,
    Scenario,
    StateBureau,
    read_jsonl,
    read_objects,
    write_jsonl,
)


@pytest.mark.parametrize("name", ["population.jsonl", "population.jsonl.gz"])
def test_round_trip(tmp_path: Path, name: str) -> None:
    scenario = Scenario(3_000, 9)
    path = tmp_path / name
    summary = write_jsonl(scenario, path)
    records = list(read_jsonl(path))
    kinds = [r["type"] for r in records]
    assert kinds[0] == "header" and kinds[-1] == "summary"
    assert records[0]["format"] == FORMAT and records[0]["people"] == 3_000
    assert kinds.count("state_bureau") == 51
    assert kinds.count("jurisdiction") == len(scenario.jurisdictions)
    assert kinds.count("person") == 3_000
    assert kinds.count("booking") == summary.bookings == records[-1]["bookings"]
    objects = list(read_objects(path))
    assert [o for o in objects if isinstance(o, Person)] == list(scenario.people())
    assert [o for o in objects if isinstance(o, Booking)] == list(scenario.bookings())
    assert tuple(o for o in objects if isinstance(o, Jurisdiction)) == scenario.jurisdictions
    assert tuple(o for o in objects if isinstance(o, StateBureau)) == scenario.bureaus


def test_not_our_format(tmp_path: Path) -> None:
    path = tmp_path / "other.jsonl"
    path.write_text(json.dumps({"type": "header", "format": "something/9"}) + "\n")
    with pytest.raises(ValueError, match="not an"):
        list(read_jsonl(path))
