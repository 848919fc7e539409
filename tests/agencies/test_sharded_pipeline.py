"""The pipeline with Ray-sharded galleries reaches the same final states."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from interop.agencies.agencies import agency_handlers
from interop.agencies.intake import submit_car
from interop.agencies.services import Services
from interop.bus import Worker
from interop.cli import app
from interop.store import Store
from interop.store.models import Case
from tests.agencies.test_pipeline import COOK, COUNTY, _car, _seed

BOOKINGS = {
    "IL099000000000000001": (1, COUNTY, date(2010, 3, 1)),  # in IDENT: detainer
    "IL099000000000000002": (2, COUNTY, date(2010, 3, 1)),  # not in IDENT
    "IL016000000000000003": (1, COOK, date(2010, 3, 2)),  # Cook: not activated
    "IL099000000000000004": (3, COUNTY, date(2010, 3, 3)),  # a naturalised citizen
}


def _final_states(store: Store, services: Services) -> dict[str, tuple[object, ...]]:
    _seed(store)
    for tcn, (person, ori, on) in BOOKINGS.items():
        submit_car(store, _car(person, ori, on, tcn), submitter_ori=ori)
    assert Worker(store, agency_handlers(services)).run(until_idle=True).failed == 0
    with store.session() as s:
        return {
            c.tcn: (c.stage, c.final, c.criminal_identified, c.ident_match, c.a_number, c.citizen)
            for c in s.scalars(select(Case))
        }


def test_sharded_galleries_give_the_same_final_states(
    store: Store, ray_cluster: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    sharded = _final_states(store, Services.sharded(shards=2))
    assert len(sharded) == 4
    assert sharded["IL099000000000000001"][0] == "detainer_lodged"
    assert sharded["IL099000000000000001"][4] == "A012345678"
    assert sharded["IL099000000000000002"][3] is False
    assert sharded["IL016000000000000003"][2] is True  # the FBI enrolled person 1 the day before
    assert sharded["IL099000000000000004"][5] is True
    local = Store.open(f"sqlite:///{tmp_path_factory.mktemp('local') / 'interop.db'}")
    assert _final_states(local, Services()) == sharded
    local.close()


def test_the_worker_command_with_sharded_galleries(
    ray_cluster: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTEROP_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("INTEROP_DATABASE_URL", raising=False)
    monkeypatch.delenv("INTEROP_LOG_KEY", raising=False)
    store = Store.open()
    _seed(store)
    submit_car(store, _car(1, COUNTY, date(2010, 3, 1), "IL099000000000000001"))
    result = CliRunner().invoke(app, ["worker", "--until-idle", "--gallery-shards", "2"])
    assert result.exit_code == 0, result.output
    with store.session() as s:
        case = s.get(Case, "IL099000000000000001")
        assert case is not None and case.final and case.a_number == "A012345678"
    store.close()
