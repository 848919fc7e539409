"""Authorization: roles x endpoints x own and other rows, on SQLite and PostgreSQL.

One scene per backend, made by the real pipeline (intake, bureau, FBI,
IDENT, LESC, field office) under the as-operated policy:

=====  ===========  ===================================================================
``A``  agency_a     Cook County (IL), never activated: identified, not forwarded
``B``  agency_b     Will County (IL), after Illinois terminated its MOA (4 May 2011):
                    matched; the IAR goes to ICE only, not back to the state; a
                    detainer is lodged with the agency
``B2`` agency_b     the same, a naturalised citizen: IAR to ICE only, no detainer
``C``  agency_c     Fresno County (CA), MOA in force: the IAR comes back; detainer
``P``  agency_a     submitted after the run: its CAR waits in the Illinois bureau's inbox
=====  ===========  ===================================================================

Read-only tests share the scene; tests that change something make their own.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from interop.agencies.agencies import agency_handlers
from interop.agencies.services import Services
from interop.bus import Worker
from interop.bus.queue import utcnow
from interop.store import Store
from interop.store.models import (
    Agreement,
    Case,
    DetainerRecord,
    MessageRecord,
)
from interop.web import ApiSettings, create_app, issue_key
from tests.agencies.test_detainers import local, lodge
from tests.agencies.test_pipeline import _car, enrol_in_ident
from tests.conftest import _postgres_store
from tests.web.conftest import AGENCY_A, AGENCY_B, AGENCY_C, World, car, seed

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TCNS = {
    "A": f"{AGENCY_A}0000000001",
    "B": f"{AGENCY_B}0000000001",
    "B2": f"{AGENCY_B}0000000002",
    "C": f"{AGENCY_C}0000000001",
    "P": f"{AGENCY_A}0000000002",
    "unknown": f"{AGENCY_A}9999999999",
}
PEOPLE = {  # person number (tests.agencies.test_pipeline) -> IDENT record
    1: ("A012345678", "visa_overstay", False),
    3: ("A087654321", "naturalised_citizen", True),
    5: ("A055555555", "visa_overstay", False),
}
PUBLIC = "public"
PARTIES = (
    PUBLIC,
    "agency_a",
    "agency_b",
    "agency_c",
    "bureau_il",
    "bureau_ca",
    "ice",
    "program",
    "fbi",
    "ident",
)
VISIBLE = {
    "agency_a": {"A", "P"},  # its own bookings
    "agency_b": {"B", "B2"},
    "agency_c": {"C"},
    "bureau_il": {"A", "B", "B2", "P"},  # its state's
    "bureau_ca": {"C"},
    "ice": {"B", "B2", "C"},  # those with an IAR
    "program": {"A", "B", "B2", "C", "P"},  # every booking's status
    "fbi": {"A", "B", "B2", "C"},  # those whose CAR reached it
    "ident": {"B", "B2", "C"},  # those forwarded to it
}
"""The bookings each party may see; every other booking is answered as unknown."""
INBOX = {
    "agency_a": f"booking:{AGENCY_A}",
    "agency_b": f"booking:{AGENCY_B}",
    "agency_c": f"booking:{AGENCY_C}",
    "bureau_il": "bureau:IL0000000",
    "bureau_ca": "bureau:CA0000000",
    "fbi": "fbi:WVIAFIS0Z",
    "ident": "ident:IDENT",
}
RELAXED = ApiSettings(
    key_rate_per_s=1e4, key_burst=100_000, public_rate_per_s=1e4, public_burst=100_000
)
PERSONAL = ("PERSONB", "PERSOND", "PERSONF", "19800101", "1980-01-01", "A012345678", "A087654321")
"""Names, dates of birth and alien numbers of the scene's people: never shown
to a party not entitled to them, nor in a log."""


@dataclass
class Scene:
    store: Store
    client: TestClient
    keys: dict[str, str]

    def headers(self, party: str) -> dict[str, str]:
        return {} if party == PUBLIC else {"Authorization": f"Bearer {self.keys[party]}"}

    def get(self, path: str, party: str) -> Any:
        return self.client.get(path, headers=self.headers(party))

    def post(self, path: str, party: str, **kwargs: Any) -> Any:
        headers = {**self.headers(party), **kwargs.pop("headers", {})}
        return self.client.post(path, headers=headers, **kwargs)


def _enrol_ident(store: Store) -> None:
    with store.session() as s:
        s.add(Agreement(state="IL", signed_on=date(2009, 11, 9)))
        s.add(Agreement(state="CA", signed_on=date(2009, 1, 15)))
        for person, (a_number, status, citizen) in PEOPLE.items():
            enrol_in_ident(s, person, a_number, status, citizen)


def _terminate_illinois_moa(store: Store) -> None:
    with store.session() as s:
        moa = s.scalars(select(Agreement).where(Agreement.state == "IL")).one()
        moa.terminated_on, moa.terminated_by = date(2011, 5, 4), "state"


def make_scene(store: Store) -> Iterator[Scene]:
    keys = seed(store)
    with store.session() as s:
        keys["ident"] = issue_key(s, "IDENT", "ident")
    _enrol_ident(store)
    _terminate_illinois_moa(store)
    scene = Scene(store, TestClient(create_app(store, settings=RELAXED)), keys)
    octet = {"Content-Type": "application/octet-stream"}
    bookings = {
        "A": ("agency_a", 2, AGENCY_A, date(2011, 6, 1)),
        "B": ("agency_b", 1, AGENCY_B, date(2011, 6, 1)),
        "B2": ("agency_b", 3, AGENCY_B, date(2011, 6, 2)),
        "C": ("agency_c", 5, AGENCY_C, date(2011, 6, 1)),
    }
    with scene.client:
        for key, (party, person, ori, on) in bookings.items():
            data = _car(person, ori, on, TCNS[key])
            assert (
                scene.post("/transactions", party, content=data, headers=octet).status_code == 202
            )
        stats = Worker(store, agency_handlers(Services())).run(until_idle=True)
        assert stats.failed == 0
        late = _car(2, AGENCY_A, date(2011, 6, 3), TCNS["P"])
        assert (
            scene.post("/transactions", "agency_a", content=late, headers=octet).status_code == 202
        )
        yield scene


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def scene(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Scene]:
    if request.param == "sqlite":
        folder: Path = tmp_path_factory.mktemp("authorization")
        store = Store.open(f"sqlite:///{folder / 'interop.db'}")
        try:
            yield from make_scene(store)
        finally:
            store.close()
    else:
        stores = _postgres_store()
        store = next(stores)
        try:
            yield from make_scene(store)
        finally:
            stores.close()


def test_the_scene_is_what_the_matrix_assumes(scene: Scene) -> None:
    with scene.store.session() as s:
        cases = {c.tcn: c for c in s.scalars(select(Case))}
        b, b2, c = cases[TCNS["B"]], cases[TCNS["B2"]], cases[TCNS["C"]]
        assert cases[TCNS["A"]].forwarded_to_ident is False
        assert b.stage == "detainer_lodged" and b.iar_to_state is False and b.priority_level == 4
        assert b2.stage == "closed" and b2.final and b2.citizen and b2.iar_to_state is False
        assert c.stage == "detainer_lodged" and c.iar_to_state is True
        assert cases[TCNS["P"]].stage == "submitted"
        iars = {
            m.recipient for m in s.scalars(select(MessageRecord).where(MessageRecord.kind == "IAR"))
        }
        assert "bureau:IL0000000" not in iars and f"booking:{AGENCY_B}" not in iars
        assert {"bureau:CA0000000", f"booking:{AGENCY_C}"} <= iars


# ----------------------------------------------------- bookings: own / other


def _booking_path(endpoint: str, tcn: str) -> str:
    return {
        "status": f"/transactions/{tcn}",
        "responses": f"/transactions/{tcn}/responses",
        "disclosures": f"/log/disclosures/{tcn}",
    }[endpoint]


@pytest.mark.parametrize("endpoint", ["status", "responses", "disclosures"])
@pytest.mark.parametrize("booking", list(TCNS))
@pytest.mark.parametrize("party", PARTIES)
def test_a_booking_is_seen_by_its_parties_only(
    scene: Scene, party: str, booking: str, endpoint: str
) -> None:
    tcn = TCNS[booking]
    r = scene.get(_booking_path(endpoint, tcn), party)
    if party == PUBLIC:
        assert r.status_code == 401 and r.json()["error"] == "unauthenticated"
    elif booking in VISIBLE[party]:
        assert r.status_code == 200, r.text
    else:  # another's booking is answered exactly as a booking that does not exist
        assert r.status_code == 404
        assert r.json() == {"error": "not-found", "detail": f"no transaction {tcn}"}


@pytest.mark.parametrize("party", PARTIES)
def test_a_response_is_fetched_by_its_recipient_only(scene: Scene, party: str) -> None:
    with scene.store.session() as s:
        messages = s.execute(
            select(MessageRecord.tcn, MessageRecord.id, MessageRecord.kind, MessageRecord.recipient)
        ).all()
    expected, got = {}, {}
    for tcn, mid, kind, recipient in messages:
        booking = next(k for k, v in TCNS.items() if v == tcn)
        if party == PUBLIC:
            want = 401
        elif booking not in VISIBLE[party]:
            want = 404
        elif recipient == INBOX.get(party) or (party == "ice" and kind in ("IAR", "DETN")):
            want = 200
        else:
            want = 404
        expected[(booking, kind, recipient)] = want
        got[(booking, kind, recipient)] = scene.get(
            f"/transactions/{tcn}/responses/{mid}", party
        ).status_code
    assert got == expected
    if party not in (PUBLIC, "program"):  # every other party has some of each
        assert {200, 404} <= set(got.values())


# ------------------------------------------- what policy did not return


def _status(scene: Scene, booking: str, party: str) -> dict[str, Any]:
    r = scene.get(f"/transactions/{TCNS[booking]}", party)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _questions(status: dict[str, Any]) -> set[str]:
    return {d["question"] for d in status["decisions"]}


def test_an_agency_whose_state_gets_no_iar_learns_nothing_of_it(scene: Scene) -> None:
    kinds = {
        m["kind"] for m in scene.get(f"/transactions/{TCNS['B']}/responses", "agency_b").json()
    }
    assert kinds == {"SRE", "IDR", "DETN"}  # no IAR
    detained = _status(scene, "B", "agency_b")
    assert detained["stage"] == "detainer_lodged" and detained["final"] is True  # the I-247 told it
    assert _questions(detained) == {"forward_to_ident"}  # not the level, nor the IAR's return
    assert detained["detainer"]["tcn"] == TCNS["B"]
    citizen = _status(scene, "B2", "agency_b")  # classified, no detainer: the IDR's match only
    assert citizen["stage"] == "matched" and citizen["final"] is False
    assert _questions(citizen) == {"forward_to_ident"} and citizen["detainer"] is None
    for text in (str(detained), str(citizen)):
        for word in ("priority", "LEVEL", "citizen", "return_iar", "classified", "closed"):
            assert word not in text
        for secret in PERSONAL:
            assert secret not in text
    # the program office (ICE's) sees what happened
    program = _status(scene, "B2", "program")
    assert program["stage"] == "closed" and program["final"] is True
    assert _questions(program) == {
        "forward_to_ident",
        "priority_level",
        "return_iar_to_state",
        "detainer",
    }


def test_the_bureau_of_that_state_learns_nothing_of_it_either(scene: Scene) -> None:
    for booking in ("B", "B2"):
        status = _status(scene, booking, "bureau_il")
        assert status["stage"] == "matched" and status["final"] is False
        assert _questions(status) == {"forward_to_ident"} and status["detainer"] is None
        with scene.store.session() as s:
            idr = s.scalars(
                select(MessageRecord.created_at).where(
                    MessageRecord.tcn == TCNS[booking],
                    MessageRecord.recipient == "bureau:IL0000000",
                    MessageRecord.kind == "IDR",
                )
            ).one()
        # not the agency's last response (which may be the detainer): its own
        assert datetime.fromisoformat(status["last_response_at"]) == idr
    kinds = {
        m["kind"] for m in scene.get(f"/transactions/{TCNS['B']}/responses", "bureau_il").json()
    }
    assert kinds == {"CAR", "SRE", "IDR"}


def test_where_the_iar_comes_back_agency_and_bureau_see_it(scene: Scene) -> None:
    for party in ("agency_c", "bureau_ca"):
        kinds = {m["kind"] for m in scene.get(f"/transactions/{TCNS['C']}/responses", party).json()}
        assert "IAR" in kinds
        status = _status(scene, "C", party)
        assert _questions(status) == {
            "forward_to_ident",
            "priority_level",
            "return_iar_to_state",
            "detainer",
        }
    assert _status(scene, "C", "agency_c")["stage"] == "detainer_lodged"
    assert _status(scene, "C", "bureau_ca")["stage"] == "classified"  # the I-247 is the jail's


@pytest.mark.parametrize(
    ("party", "booking", "stage", "questions"),
    [
        ("fbi", "B", "matched", {"forward_to_ident"}),
        ("ident", "B", "matched", {"forward_to_ident"}),
        ("fbi", "A", "identified", {"forward_to_ident"}),
        ("agency_a", "A", "identified", {"forward_to_ident"}),
        ("agency_a", "P", "submitted", set()),
        ("bureau_il", "P", "submitted", set()),
        (
            "ice",
            "B",
            "detainer_lodged",
            {"forward_to_ident", "priority_level", "detainer", "return_iar_to_state"},
        ),
    ],
)
def test_each_party_sees_the_stage_its_messages_tell(
    scene: Scene, party: str, booking: str, stage: str, questions: set[str]
) -> None:
    status = _status(scene, booking, party)
    assert status["stage"] == stage and _questions(status) == questions


# --------------------------------------------------------------- detainers


@pytest.mark.parametrize(
    ("party", "expected"),
    [
        (PUBLIC, 401),
        ("agency_a", []),
        ("agency_b", ["B"]),
        ("agency_c", ["C"]),
        ("bureau_il", 403),  # lodged with the agency, not sent to the bureau
        ("bureau_ca", 403),
        ("ice", ["B", "C"]),
        ("program", 403),
        ("fbi", 403),
        ("ident", 403),
    ],
)
def test_detainers_are_listed_to_ice_and_the_holding_agency(
    scene: Scene, party: str, expected: int | list[str]
) -> None:
    r = scene.get("/detainers", party)
    if isinstance(expected, int):
        assert r.status_code == expected
    else:
        assert r.status_code == 200
        assert sorted(d["tcn"] for d in r.json()) == sorted(TCNS[k] for k in expected)


@pytest.mark.parametrize("party", ["agency_b", "bureau_il", "program", "fbi", "ident", PUBLIC])
def test_only_ice_records_custody(scene: Scene, party: str) -> None:
    at = {"at": "2011-06-02T20:00:00-05:00"}
    r = scene.post(f"/detainers/{TCNS['B']}/custody", party, json=at)
    assert r.status_code == (401 if party == PUBLIC else 403)
    with scene.store.session() as s:
        assert s.get(DetainerRecord, TCNS["B"]).status == "lodged"  # type: ignore[union-attr]


# ------------------------------------------------------------ roles x endpoints

ROLES = ("agency_a", "bureau_il", "ice", "program", "fbi", "ident")
_ = 200  # allowed (reads)
V = 422  # allowed: reached body validation (a deliberately invalid body; nothing changes)
F = 403
ENDPOINTS: list[tuple[str, str, Any, tuple[int, ...]]] = [
    # method, path, JSON body, expected status for (public, *ROLES)
    ("GET", "/jurisdictions", None, (_, _, _, _, _, _, _)),
    ("GET", "/statistics", None, (_, _, _, _, _, _, _)),
    ("GET", "/agreements", None, (401, F, _, _, _, F, F)),
    ("POST", "/agreements", {}, (401, F, F, F, V, F, F)),
    ("POST", "/agreements/1/terminate", {"x": 1}, (401, F, V, F, V, F, F)),
    ("GET", "/opt-out-requests", None, (401, F, _, F, _, F, F)),
    ("POST", "/opt-out-requests", {}, (401, F, V, F, V, F, F)),
    ("POST", "/jurisdictions", {}, (401, F, F, F, V, F, F)),
    ("PATCH", f"/jurisdictions/{AGENCY_A}", {"x": 1}, (401, F, F, F, V, F, F)),
    ("GET", "/detainers", None, (401, _, F, _, F, F, F)),
    ("POST", f"/detainers/{TCNS['B']}/custody", {}, (401, F, F, V, F, F, F)),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "party", "expected"),
    [
        pytest.param(method, path, body, party, status, id=f"{method} {path} {party}")
        for method, path, body, statuses in ENDPOINTS
        for party, status in zip((PUBLIC, *ROLES), statuses, strict=True)
    ],
)
def test_each_role_may_call_its_endpoints_only(
    scene: Scene, method: str, path: str, body: Any, party: str, expected: int
) -> None:
    r = scene.client.request(method, path, json=body, headers=scene.headers(party))
    assert r.status_code == expected, r.text


@pytest.mark.parametrize("party", ["bureau_il", "ice", "program", "fbi", "ident", PUBLIC])
def test_only_agencies_submit(scene: Scene, party: str) -> None:
    data = car(f"{AGENCY_A}0000000077", AGENCY_A)
    r = scene.post("/transactions", party, content=data)
    assert r.status_code == (401 if party == PUBLIC else 403)


# ----------------------------------------------------- submissions: own / other


def _case_count(scene: Scene) -> int:
    with scene.store.session() as s:
        return int(s.scalar(select(func.count()).select_from(Case)) or 0)


def test_another_agencys_tcn_is_refused_as_any_tcn_not_the_agencys(scene: Scene) -> None:
    before = _case_count(scene)
    taken = scene.post("/transactions", "agency_b", content=car(TCNS["A"], AGENCY_B))
    free = scene.post("/transactions", "agency_b", content=car(TCNS["unknown"], AGENCY_B))
    assert taken.status_code == free.status_code == 422
    assert taken.json() == free.json()  # no word of agency A's booking
    assert taken.json()["error"] == "tcn-prefix"
    assert _case_count(scene) == before
    with scene.store.session() as s:
        assert s.get(Case, TCNS["A"]).ori == AGENCY_A  # type: ignore[union-attr]


def test_a_car_in_another_agencys_name_is_forbidden(scene: Scene) -> None:
    before = _case_count(scene)
    r = scene.post("/transactions", "agency_b", content=car(f"{AGENCY_A}0000000099", AGENCY_A))
    assert r.status_code == 403 and r.json()["error"] == "wrong-agency"
    assert _case_count(scene) == before


# ------------------------------------------------------------------- public


def test_the_public_sees_aggregates_and_no_personal_data(scene: Scene) -> None:
    for path in ("/statistics", "/jurisdictions", f"/jurisdictions/{AGENCY_B}", "/health"):
        r = scene.get(path, PUBLIC)
        assert r.status_code == 200, path
        for secret in (*PERSONAL, *TCNS.values()):
            assert secret not in r.text, (path, secret)
    stats = scene.get("/statistics", PUBLIC).json()
    assert stats["cases_submitted"] == 5 and stats["by_stage"] is None  # 5 bookings: too few


# ---------------------------------------------------------- bounded inputs


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/transactions/" + "T" * 41),
        ("GET", "/transactions/" + "T" * 41 + "/responses"),
        ("GET", f"/transactions/{TCNS['A']}/responses/" + "m" * 65),
        ("GET", "/jurisdictions/" + "J" * 10),
        ("POST", "/agreements/99999999999999999999/terminate"),
        ("POST", "/agreements/0/terminate"),
        ("POST", "/detainers/" + "T" * 41 + "/custody"),
    ],
)
def test_oversized_path_parameters_are_422_not_500(scene: Scene, method: str, path: str) -> None:
    party = {"agreements": "program", "detainers": "ice"}.get(path.split("/")[1], "agency_a")
    body = {"at": "2011-06-02T20:00:00-05:00"} if "custody" in path else None
    r = scene.client.request(method, path, json=body, headers=scene.headers(party))
    assert r.status_code == 422 and r.json()["error"] == "invalid-request", r.text


# ---------------------------------------------------------------- custody


def test_ice_records_custody_and_the_agency_is_told(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    tcn = f"{AGENCY_B}0000000021"
    release = local("America/Chicago", 2011, 5, 6, 18)  # Friday; expires Tuesday 18:00
    lodge(world.store, tcn, release)
    ice = {"Authorization": f"Bearer {world.keys['ice']}"}
    at = local("America/Chicago", 2011, 5, 9, 10)  # Monday
    r = world.client.post(f"/detainers/{tcn}/custody", json={"at": at.isoformat()}, headers=ice)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "honoured" and datetime.fromisoformat(body["ended_at"]) == at
    again = world.client.post(f"/detainers/{tcn}/custody", json={"at": at.isoformat()}, headers=ice)
    assert again.status_code == 409 and again.json()["error"] == "detainer-honoured"
    agency = world.auth("agency_b")
    notices = world.client.get(f"/transactions/{tcn}/responses", headers=agency).json()
    assert [m["kind"] for m in notices] == ["CUST"]
    [listed] = world.client.get("/detainers", headers=agency).json()
    assert listed["status"] == "honoured"
    # other agencies see neither the detainer nor the notice
    assert world.client.get("/detainers", headers=world.auth("agency_a")).json() == []
    assert (
        world.client.get(
            f"/transactions/{tcn}/responses", headers=world.auth("agency_a")
        ).status_code
        == 404
    )
    assert "A012345678" not in caplog.text


def test_custody_after_expiry_before_lodging_in_the_future_or_naive_is_refused(
    world: World,
) -> None:
    tcn = f"{AGENCY_B}0000000022"
    release = local("America/Chicago", 2011, 5, 27, 18)  # Memorial Day weekend
    detainer = lodge(world.store, tcn, release)
    ice = {"Authorization": f"Bearer {world.keys['ice']}"}

    def custody(at: object) -> Any:
        return world.client.post(f"/detainers/{tcn}/custody", json={"at": at}, headers=ice)

    expired = custody(local("America/Chicago", 2011, 6, 1, 18).isoformat())
    assert expired.status_code == 409 and expired.json()["error"] == "detainer-expired"
    early = custody((detainer.lodged_at - timedelta(minutes=1)).isoformat())
    assert early.status_code == 422 and early.json()["error"] == "custody-before-lodging"
    future = custody((utcnow() + timedelta(hours=1)).isoformat())
    assert future.status_code == 422 and future.json()["error"] == "custody-in-future"
    naive = custody("2011-05-31T12:00:00")
    assert naive.status_code == 422 and naive.json()["error"] == "invalid-request"
    extra = world.client.post(
        f"/detainers/{tcn}/custody",
        json={"at": "2011-05-31T12:00:00Z", "officer": "x"},
        headers=ice,
    )
    assert extra.status_code == 422
    missing = world.client.post(
        f"/detainers/{AGENCY_B}NOSUCHTCN/custody", json={"at": "2011-05-31T12:00:00Z"}, headers=ice
    )
    assert missing.status_code == 404 and missing.json()["error"] == "not-found"
    with world.store.session() as s:
        assert s.get(DetainerRecord, tcn).status == "lodged"  # type: ignore[union-attr]
    on_the_holiday = custody(datetime(2011, 5, 31, 1, 0, tzinfo=UTC).isoformat())
    assert on_the_holiday.status_code == 200 and on_the_holiday.json()["status"] == "honoured"
