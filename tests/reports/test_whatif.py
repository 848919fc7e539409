"""The policy what-if on a replayed Illinois scenario, on SQLite and PostgreSQL.

One scenario (people living in Illinois's 26 activated counties, booked
from mid-March to the end of June 2011) is seeded into two stores per
backend and replayed through the pipeline, once as operated and once with
the opt-out honoured; Illinois terminated its MOA on 4 May 2011.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import typer
from sqlalchemy import Table, func, insert, select
from typer.testing import CliRunner

from interop.agencies.agencies import agency_handlers
from interop.agencies.intake import submit_car
from interop.agencies.seed import (
    SEEDED_TABLES,
    BookingSubmission,
    IdentEnrolment,
    enrol_in_ident,
    replay,
    seed_scenario,
)
from interop.agencies.services import (
    CRIMINAL_SYSTEM,
    IMMIGRATION_SYSTEM,
    GalleryMirror,
    Services,
)
from interop.bus import Worker
from interop.fingerprints.gallery import (
    DEFAULT_SEARCH_PARAMETERS,
    Gallery,
    SearchParameters,
    SearchResult,
)
from interop.fingerprints.template import Template
from interop.policy import POLICY_PRESETS, PolicyConfig, detainer_policy
from interop.population import Scenario
from interop.reports.cli import report, whatif
from interop.reports.monthly import REMOVAL, attributed_removals
from interop.reports.whatif import (
    LEVEL_KEYS,
    MEASURES,
    EmptyStoreError,
    UnknownPolicyError,
    WhatIf,
    WhatIfOutcome,
    known_policies,
    policy_config,
    what_if,
)
from interop.store import Store
from interop.store.models import (
    Case,
    DetainerRecord,
    ImmigrationEncounter,
    Jurisdiction,
    State,
)
from tests.conftest import fresh_postgres_schema

AS_OF = date(2011, 3, 15)
THROUGH = date(2011, 6, 30)
TERMINATED = date(2011, 5, 4)
"""Illinois terminated its MOA: the first day it counts as opted out."""
REMOVED_AFTER = timedelta(days=60)

runner = CliRunner()


def _scenario() -> Scenario:
    # 1,500 residents of Illinois's activated counties: 23 bookings in the
    # window, three IDENT matches (non-criminal before the termination,
    # Level 3 and Level 1 after it)
    oris = tuple(
        j.ori
        for j in Scenario(1, 0).jurisdictions
        if j.state == "IL" and j.activated_on is not None and j.activated_on < AS_OF
    )
    return Scenario(1_500, 37, residence=oris)


def _seed(stores: Iterable[Store], scenario: Scenario, galleries: Path) -> None:
    """Seed the scenario into the first store and copy it into the others (the
    ten-prints are synthesised once); build its galleries into ``galleries``."""
    first, *others = stores
    seed_scenario(first, scenario, as_of=AS_OF, progress=False)
    with first.engine.connect() as source:
        for model in SEEDED_TABLES:
            table = model.__table__
            assert isinstance(table, Table)
            columns = [c for c in table.columns if c.name != "id"]  # ids drawn anew, in order
            query = select(*columns).order_by(*table.primary_key.columns)
            rows = [dict(r._mapping) for r in source.execute(query)]
            for other in others:
                with other.engine.begin() as target:
                    target.execute(insert(table), rows)
    for system in (CRIMINAL_SYSTEM, IMMIGRATION_SYSTEM):
        mirror = GalleryMirror(system)
        with first.session() as s:
            mirror.refresh(s)
        assert isinstance(mirror.gallery, Gallery)
        mirror.gallery.save(galleries / system)


def _record(store: Store, scenario: Scenario, galleries: Path, policy: str) -> None:
    """Replay the seeded scenario's bookings through the pipeline under ``policy``.

    The galleries start as seeded (copies of ``galleries``). The worker
    drains the inboxes after each booking and before each DHS encounter, so
    every search sees IDENT as it stood that day.
    """
    services = Services(
        criminal=GalleryMirror(CRIMINAL_SYSTEM, Gallery.load(galleries / CRIMINAL_SYSTEM)),
        immigration=GalleryMirror(IMMIGRATION_SYSTEM, Gallery.load(galleries / IMMIGRATION_SYSTEM)),
        policy=POLICY_PRESETS[policy],
    )
    worker = Worker(store, agency_handlers(services))
    for event in replay(scenario, as_of=AS_OF, through=THROUGH):
        if isinstance(event, IdentEnrolment):
            worker.run(until_idle=True)
            enrol_in_ident(store, event)
            continue
        assert isinstance(event, BookingSubmission)
        submit_car(store, event.data, submitter_ori=event.ori)
        worker.run(until_idle=True)
    assert worker.run(until_idle=True).failed == 0


def _remove_matched(stores: tuple[Store, ...], matched: dict[str, date]) -> None:
    """Record in every store the removal of each matched person, after their booking."""
    rows = [{"a_number": a, "kind": REMOVAL, "on": on + REMOVED_AFTER} for a, on in matched.items()]
    for store in stores:
        with store.engine.begin() as connection:
            connection.execute(insert(ImmigrationEncounter), rows)


@dataclass
class Recorded:
    """The same bookings recorded under each policy, in two stores of one backend."""

    as_operated: Store
    honor_opt_out: Store
    url: str
    """The as-operated store's URL."""


@contextmanager
def _opened(backend: str, folder: Path, name: str) -> Iterator[tuple[Store, str]]:
    """A fresh, migrated store and its URL (a new PostgreSQL schema, dropped afterwards)."""
    with ExitStack() as stack:
        if backend == "sqlite":
            url = f"sqlite:///{folder / name}.db"
        else:
            url = stack.enter_context(fresh_postgres_schema())
        store = Store.open(url)
        stack.callback(store.close)
        yield store, url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def recorded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Recorded]:
    folder = tmp_path_factory.mktemp(request.param)
    scenario = _scenario()
    with ExitStack() as stack:
        a, url = stack.enter_context(_opened(request.param, folder, "as-operated"))
        b, _ = stack.enter_context(_opened(request.param, folder, "honor-opt-out"))
        galleries = folder / "galleries"
        _seed((a, b), scenario, galleries)
        _record(a, scenario, galleries, "as-operated")
        _record(b, scenario, galleries, "honor-opt-out")
        with a.session() as s:
            matched = {
                a_number: on
                for a_number, on in s.execute(
                    select(Case.a_number, func.max(Case.booked_on))
                    .where(Case.ident_match.is_(True))
                    .group_by(Case.a_number)
                )
                if a_number is not None
            }
        _remove_matched((a, b), matched)
        yield Recorded(a, b, url)


# ------------------------------------------------------------ the store's own counts


def _store_counts(store: Store, policy: str) -> WhatIfOutcome:
    """What the store's cases and detainers say, counted as a report would."""
    with store.session() as s:
        cases = list(s.scalars(select(Case)))
        detained = set(s.scalars(select(DetainerRecord.tcn)))
        matched = [c for c in cases if c.ident_match]
        held: dict[str, list[tuple[date, int | None]]] = {}
        for c in matched:
            if c.tcn in detained and c.a_number:
                held.setdefault(c.a_number, []).append((c.booked_on, c.priority_level))
        removals = attributed_removals(s, held)
    levels = dict(zip((1, 2, 3, 4), LEVEL_KEYS, strict=True))
    return WhatIfOutcome(
        policy=policy,
        bookings=len(cases),
        forwarded=sum(bool(c.forwarded_to_ident) for c in cases),
        matches=len(matched),
        matches_by_level={
            key: sum(c.priority_level == level for c in matched) for level, key in levels.items()
        },
        iars_to_state=sum(bool(c.iar_to_state) for c in cases),
        detainers=len(detained),
        removals=len(removals),
        non_criminal_removals=sum(level == 4 for _, level in removals),
        citizens_matched=sum(bool(c.citizen) for c in matched),
    )


class CountingGallery(Gallery):
    """A gallery that records the size of the subset each search is restricted to."""

    def __init__(self) -> None:
        super().__init__()
        self.subsets: list[int | None] = []

    def search(
        self,
        probe: Mapping[int, Template | None] | Iterable[Template],
        *,
        params: SearchParameters = DEFAULT_SEARCH_PARAMETERS,
        subset: Collection[str] | None = None,
    ) -> SearchResult:
        self.subsets.append(None if subset is None else len(subset))
        return super().search(probe, params=params, subset=subset)


def _cli() -> typer.Typer:
    """The reports' commands, as ``interop`` registers them."""
    cli = typer.Typer()
    cli.command()(report)
    cli.command()(whatif)
    return cli


def _counting_mirror() -> tuple[GalleryMirror, CountingGallery]:
    gallery = CountingGallery()
    return GalleryMirror(IMMIGRATION_SYSTEM, gallery), gallery


# ------------------------------------------------------------------------ tests


def test_the_recorded_policy_reproduces_the_stores_own_counts(recorded: Recorded) -> None:
    for store, policy in (
        (recorded.as_operated, "as-operated"),
        (recorded.honor_opt_out, "honor-opt-out"),
    ):
        mirror, gallery = _counting_mirror()
        result = what_if(store, (policy, policy), immigration=mirror)
        expected = _store_counts(store, policy)
        assert result.a == result.b == expected
        assert gallery.subsets == []  # nothing to search: every answer is recorded
    # the scenario exercises the measures
    a = _store_counts(recorded.as_operated, "as-operated")
    assert a.bookings == 23 and a.matches == 3 and a.removals == 3
    assert a.matches_by_level == {"L1": 1, "L2": 0, "L3": 1, "NC": 1}
    assert a.detainers == 3 and a.non_criminal_removals == 1


def test_honouring_illinois_opt_out_forwards_less_after_it_and_the_same_before(
    recorded: Recorded,
) -> None:
    compare = ("as-operated", "honor-opt-out")
    before = what_if(recorded.as_operated, compare, state="IL", through=TERMINATED - timedelta(1))
    after = what_if(recorded.as_operated, compare, state="IL", since=TERMINATED)
    assert before.a == replace(before.b, policy="as-operated")
    assert before.a.forwarded > 0 and before.a.matches == 1
    assert after.a.bookings == after.b.bookings > 0
    assert after.b.forwarded == 0 < after.a.forwarded
    assert (after.a.matches, after.b.matches) == (2, 0)
    assert (after.a.detainers, after.b.detainers) == (2, 0)
    assert (after.a.removals, after.b.removals) == (2, 0)
    # as operated, the IAR stopped going back to Illinois on the termination
    assert (before.a.iars_to_state, after.a.iars_to_state) == (1, 0)
    everything = what_if(recorded.as_operated, compare, state="IL")
    assert everything.a.forwarded == before.a.forwarded + after.a.forwarded
    assert everything.b.forwarded == before.b.forwarded
    label, a, b, difference = everything.rows()[1]
    assert label == "Forwarded to IDENT" and difference == b - a == -after.a.forwarded < 0


def test_a_run_recorded_with_the_opt_out_honoured_searches_what_it_did_not_forward(
    recorded: Recorded,
) -> None:
    mirror, gallery = _counting_mirror()
    result = what_if(recorded.honor_opt_out, ("honor-opt-out", "as-operated"), immigration=mirror)
    as_operated = _store_counts(recorded.as_operated, "as-operated")
    assert result.b == as_operated
    assert result.a == _store_counts(recorded.honor_opt_out, "honor-opt-out")
    # one real search per booking forwarded only as operated, each in IDENT as of its day
    unforwarded = as_operated.forwarded - result.a.forwarded
    assert len(gallery.subsets) == unforwarded > 0
    assert all(n is not None and 0 < n <= len(gallery) for n in gallery.subsets)
    # the same searches, from the as-operated store: nothing to search there
    again = what_if(recorded.as_operated, ("as-operated", "honor-opt-out"))
    assert again.a == result.b and again.b == result.a


def test_a_detainer_policy_is_another_configuration(recorded: Recorded) -> None:
    result = what_if(recorded.as_operated, ("as-operated", "as-operated+level-1-only"))
    assert result.b.policy == "as-operated+level-1-only"
    assert result.a.matches == result.b.matches == 3
    assert (result.a.detainers, result.b.detainers) == (3, 1)
    assert (result.a.removals, result.b.removals) == (3, 1)
    assert (result.a.non_criminal_removals, result.b.non_criminal_removals) == (1, 0)
    config = PolicyConfig(
        POLICY_PRESETS["as-operated"].sharing_mode, detainer_policy("level-1-only")
    )
    assert policy_config(config) == ("as-operated+level-1-only", config)
    same = what_if(recorded.as_operated, ("as-operated", config))
    assert same.b == result.b


def test_rows_and_json(recorded: Recorded) -> None:
    result = what_if(recorded.as_operated, ("as-operated", "honor-opt-out"), since=TERMINATED)
    rows = result.rows()
    assert [label for label, *_ in rows] == [label for _, label in MEASURES]
    assert all(d == b - a for _, a, b, d in rows)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["since"] == TERMINATED.isoformat() and data["through"] is None
    assert data["a"]["policy"] == "as-operated" and data["b"]["policy"] == "honor-opt-out"
    assert data["a"]["matches_by_level"] == result.a.matches_by_level
    assert [r["difference"] for r in data["rows"]] == [d for *_, d in rows]
    assert isinstance(result, WhatIf)


def test_the_command_prints_both_columns(
    recorded: Recorded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTEROP_HOME", str(tmp_path))  # where IDENT snapshots would be
    cli = _cli()
    shown = runner.invoke(
        cli,
        [
            "whatif",
            recorded.url,
            "--compare",
            "as-operated",
            "honor-opt-out",
            "--state",
            "IL",
            "--since",
            TERMINATED.isoformat(),
        ],
    )
    assert shown.exit_code == 0, shown.output
    assert "as-operated" in shown.output and "honor-opt-out" in shown.output
    assert "Forwarded to IDENT" in shown.output and "Detainers lodged" in shown.output
    as_json = runner.invoke(cli, ["whatif", recorded.url, "--json", "--through", "2011-05-03"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output)["b"]["policy"] == "honor-opt-out"


def test_an_unknown_policy_is_a_clear_error(
    recorded: Recorded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTEROP_HOME", str(tmp_path))
    with pytest.raises(UnknownPolicyError, match="honor-opt-out") as raised:
        what_if(recorded.as_operated, ("as-operated", "honour-opt-out"))
    assert raised.value.known == known_policies() and "as-operated" in known_policies()
    with pytest.raises(UnknownPolicyError):
        policy_config("as-operated+no-such-detainers")
    cli = _cli()
    shown = runner.invoke(cli, ["whatif", recorded.url, "--compare", "as-operated", "nope"])
    assert shown.exit_code == 2
    assert "nope" in shown.output and "honor-opt-out" in shown.output


def test_an_empty_store_is_a_clear_error(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(EmptyStoreError, match="no bookings"):
        what_if(store, ("as-operated", "honor-opt-out"))
    monkeypatch.setenv("INTEROP_HOME", str(tmp_path))
    cli = _cli()
    url = store.engine.url.render_as_string(hide_password=False)
    shown = runner.invoke(cli, ["whatif", url])
    assert shown.exit_code == 1 and "no bookings" in shown.output


def test_a_rejected_booking_counts_and_one_still_at_the_fbi_does_not(store: Store) -> None:
    kane, on = "IL0990000", date(2011, 6, 1)
    with store.session() as s:
        s.add(State(code="IL", name="Illinois"))
        s.flush()
        s.add(
            Jurisdiction(
                ori=kane,
                state="IL",
                name="Kane County",
                time_zone="America/Chicago",
                activated_on=date(2009, 11, 24),
            )
        )
        s.flush()
        submitted = datetime.combine(on, time(12), UTC)
        s.add(Case(tcn=f"{kane}01", ori=kane, state="IL", booked_on=on, submitted_at=submitted))
        s.add(
            Case(
                tcn=f"{kane}02",
                ori=kane,
                state="IL",
                booked_on=on,
                submitted_at=submitted,
                stage="rejected",
                final=True,
            )
        )
    result = what_if(store, ("as-operated", "honor-opt-out"))
    assert result.a.bookings == result.b.bookings == 1
    assert result.a.forwarded == result.b.forwarded == 0
