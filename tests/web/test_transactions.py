"""POST /transactions and the status and responses of a booking."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from interop.bus.queue import utcnow
from interop.store import Store
from interop.store.models import Case, DetainerRecord, MessageRecord, PolicyDecisionRecord
from interop.web import ApiSettings
from tests.web.conftest import (
    AGENCY_A,
    AGENCY_B,
    BUREAU_IL,
    GIVEN_NAME,
    SURNAME,
    World,
    car,
    make_world,
)

TCN = "IL031000020110503000001"


def _counts(world: World, tcn: str) -> tuple[int, int]:
    with world.store.session() as s:
        cases = s.scalar(select(func.count()).select_from(Case).where(Case.tcn == tcn))
        cars = s.scalar(
            select(func.count())
            .select_from(MessageRecord)
            .where(MessageRecord.tcn == tcn, MessageRecord.kind == "CAR")
        )
    return int(cases or 0), int(cars or 0)


def test_a_car_is_accepted_with_202_and_its_status_url(world: World) -> None:
    r = world.client.post(
        "/transactions",
        content=car(TCN, AGENCY_A),
        headers={**world.auth("agency_a"), "Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 202
    assert r.json() == {"tcn": TCN, "status_url": f"/transactions/{TCN}", "duplicate": False}
    assert r.headers["Location"] == f"/transactions/{TCN}"
    status = world.client.get(r.headers["Location"], headers=world.auth("agency_a"))
    assert status.status_code == 200
    body = status.json()
    assert body["tcn"] == TCN and body["stage"] == "submitted" and body["final"] is False
    assert body["ori"] == AGENCY_A and body["decisions"] == [] and body["detainer"] is None
    assert _counts(world, TCN) == (1, 1)
    with world.store.session() as s:
        [message] = s.scalars(select(MessageRecord).where(MessageRecord.tcn == TCN))
        assert message.recipient == f"bureau:{BUREAU_IL}"


def test_the_same_car_again_is_a_duplicate_not_processed_twice(world: World) -> None:
    data = car(TCN, AGENCY_A)
    assert world.submit("agency_a", data) == 202
    again = world.client.post("/transactions", content=data, headers=world.auth("agency_a"))
    assert again.status_code == 200
    assert again.json()["duplicate"] is True and again.headers["Location"] == f"/transactions/{TCN}"
    assert _counts(world, TCN) == (1, 1)


def test_other_bytes_under_the_same_tcn_are_a_conflict(world: World) -> None:
    assert world.submit("agency_a", car(TCN, AGENCY_A)) == 202
    r = world.client.post(
        "/transactions", content=car(TCN, AGENCY_A, weight_lb=181), headers=world.auth("agency_a")
    )
    assert r.status_code == 409
    assert r.json()["error"] == "tcn-reused"
    assert _counts(world, TCN) == (1, 1)


def test_malformed_bytes_are_refused_naming_the_problem(world: World) -> None:
    r = world.client.post(
        "/transactions", content=b"not a transaction", headers=world.auth("agency_a")
    )
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "malformed" and "length field" in body["detail"]
    empty = world.client.post("/transactions", content=b"", headers=world.auth("agency_a"))
    assert empty.status_code == 400 and "empty" in empty.json()["detail"]


def test_other_content_types_are_refused(world: World) -> None:
    r = world.client.post("/transactions", json={"tcn": TCN}, headers=world.auth("agency_a"))
    assert r.status_code == 415 and r.json()["error"] == "unsupported-media-type"


def test_a_multipart_upload_with_a_finger_image_is_accepted(world: World) -> None:
    data = car(TCN, AGENCY_A, finger=True)
    r = world.client.post(
        "/transactions",
        files={"file": ("booking.an2", data, "application/octet-stream")},
        headers=world.auth("agency_a"),
    )
    assert r.status_code == 202, r.text
    with world.store.session() as s:
        [message] = s.scalars(select(MessageRecord).where(MessageRecord.tcn == TCN))
        assert message.evidence_sha256 is not None
    listed = world.client.get(f"/transactions/{TCN}/responses", headers=world.auth("bureau_il"))
    [car_message] = listed.json()
    raw = world.client.get(
        f"/transactions/{TCN}/responses/{car_message['id']}", headers=world.auth("bureau_il")
    )
    assert raw.content == data  # byte for byte through the multipart parser


def test_oversize_bodies_are_refused_before_and_while_reading(store: Store) -> None:
    world = make_world(store, ApiSettings(max_submission_bytes=1000))
    data = car(TCN, AGENCY_A)
    big = data + b"\x00" * 2000
    declared = world.client.post("/transactions", content=big, headers=world.auth("agency_a"))
    assert declared.status_code == 413 and declared.json()["error"] == "too-large"

    def chunks() -> Iterator[bytes]:  # chunked: no Content-Length
        for k in range(0, len(big), 256):
            yield big[k : k + 256]

    streamed = world.client.post("/transactions", content=chunks(), headers=world.auth("agency_a"))
    assert streamed.status_code == 413
    assert _counts(world, TCN) == (0, 0)
    assert world.submit("agency_a", car("IL03100000000000002", AGENCY_A)) == 202  # under the limit


def test_a_car_for_another_agency_is_forbidden(world: World) -> None:
    r = world.client.post(
        "/transactions", content=car(TCN, AGENCY_A), headers=world.auth("agency_b")
    )
    assert r.status_code == 403 and r.json()["error"] == "wrong-agency"
    assert _counts(world, TCN) == (0, 0)


def test_only_agencies_submit_and_the_public_needs_a_key(world: World) -> None:
    data = car(TCN, AGENCY_A)
    public = world.client.post("/transactions", content=data)
    assert public.status_code == 401 and public.headers["WWW-Authenticate"].startswith("Bearer")
    for party in ("bureau_il", "program", "ice", "fbi"):
        r = world.client.post("/transactions", content=data, headers=world.auth(party))
        assert r.status_code == 403, party
    assert _counts(world, TCN) == (0, 0)


def test_an_agency_cannot_see_another_agencys_booking_or_its_responses(world: World) -> None:
    tcn_b = "IL099000020110503000009"
    assert world.submit("agency_b", car(tcn_b, AGENCY_B)) == 202
    sre = world.publish(tcn_b, "SRE", f"booking:{AGENCY_B}", b"sre-bytes")
    missing = world.client.get("/transactions/IL0310000NOSUCHTCN", headers=world.auth("agency_a"))
    for path in (
        f"/transactions/{tcn_b}",
        f"/transactions/{tcn_b}/responses",
        f"/transactions/{tcn_b}/responses/{sre}",
    ):
        r = world.client.get(path, headers=world.auth("agency_a"))
        assert r.status_code == 404, path
        assert r.json()["error"] == missing.json()["error"] == "not-found"
        assert world.client.get(path, headers=world.auth("agency_b")).status_code == 200
        assert world.client.get(path).status_code == 401


def test_responses_are_those_in_the_callers_inbox(world: World) -> None:
    assert world.submit("agency_a", car(TCN, AGENCY_A)) == 202
    sre = world.publish(TCN, "SRE", f"booking:{AGENCY_A}", b"sre-for-agency")
    iar_fo = world.publish(TCN, "IAR", "field_office:CHI", b"iar-for-ice")
    iar_bureau = world.publish(TCN, "IAR", f"bureau:{BUREAU_IL}", b"iar-for-bureau")
    detn = world.publish(TCN, "DETN", f"booking:{AGENCY_A}", b"detainer")
    world.publish(TCN, "IAQ", "lesc:LESC", b"iaq")

    def listed(party: str) -> list[str]:
        r = world.client.get(f"/transactions/{TCN}/responses", headers=world.auth(party))
        assert r.status_code == 200, (party, r.text)
        return sorted(m["id"] for m in r.json())

    assert listed("agency_a") == sorted([sre, detn])
    assert listed("ice") == sorted([iar_fo, iar_bureau, detn])
    assert len(listed("bureau_il")) == 2  # the CAR and the IAR sent to it
    assert listed("program") == []  # sees the status, not the messages

    r = world.client.get(f"/transactions/{TCN}/responses", headers=world.auth("agency_a"))
    entry = next(m for m in r.json() if m["id"] == sre)
    assert entry["kind"] == "SRE" and entry["size"] == len(b"sre-for-agency")
    raw = world.client.get(f"/transactions/{TCN}/responses/{sre}", headers=world.auth("agency_a"))
    assert raw.status_code == 200 and raw.content == b"sre-for-agency"
    assert raw.headers["content-type"] == "application/octet-stream"
    denied = world.client.get(
        f"/transactions/{TCN}/responses/{iar_fo}", headers=world.auth("agency_a")
    )
    assert denied.status_code == 404
    ice = world.client.get(f"/transactions/{TCN}/responses/{iar_fo}", headers=world.auth("ice"))
    assert ice.content == b"iar-for-ice"


def test_a_bureau_sees_its_states_bookings_only(world: World) -> None:
    tcn_c = "CA019000020110503000001"
    assert world.submit("agency_a", car(TCN, AGENCY_A)) == 202
    assert world.submit("agency_c", car(tcn_c, "CA0190000")) == 202

    def status(tcn: str, party: str) -> int:
        return world.client.get(f"/transactions/{tcn}", headers=world.auth(party)).status_code

    assert status(TCN, "bureau_il") == 200 and status(tcn_c, "bureau_il") == 404
    assert status(TCN, "bureau_ca") == 404 and status(tcn_c, "bureau_ca") == 200
    # ICE and the FBI see a booking only once a message about it reached them
    assert status(TCN, "ice") == 404 and status(TCN, "fbi") == 404
    world.publish(TCN, "CAR", "fbi:WVIAFIS0Z", b"car")
    assert status(TCN, "fbi") == 200 and status(TCN, "ice") == 404
    world.publish(TCN, "IAR", "field_office:CHI", b"iar")
    assert status(TCN, "ice") == 200
    assert status(TCN, "program") == 200 and status(tcn_c, "program") == 200


def test_status_lists_policy_decisions_and_the_detainer_to_those_entitled(world: World) -> None:
    assert world.submit("agency_a", car(TCN, AGENCY_A)) == 202
    now = utcnow()
    with world.store.session() as s:
        case = s.get(Case, TCN)
        assert case is not None
        case.stage, case.last_response_at = "detainer_lodged", now
        s.add(
            PolicyDecisionRecord(
                tcn=TCN,
                question="forward_to_ident",
                rule="jurisdiction-activated",
                allowed=True,
                reason="IL0310000 activated 2009-11-24",
                facts={},
                decided_at=now,
            )
        )
        s.add(
            DetainerRecord(
                tcn=TCN,
                a_number="A012345678",
                field_office="CHI",
                ori=AGENCY_A,
                lodged_at=now,
                scheduled_release=now + timedelta(days=1),
                expires_at=now + timedelta(days=3),
                status="lodged",
            )
        )
    world.publish(TCN, "DETN", f"booking:{AGENCY_A}", b"i-247")
    agency = world.client.get(f"/transactions/{TCN}", headers=world.auth("agency_a")).json()
    assert agency["stage"] == "detainer_lodged" and agency["last_response_at"] is not None
    [decision] = agency["decisions"]
    assert decision["question"] == "forward_to_ident" and decision["allowed"] is True
    assert decision["rule"] == "jurisdiction-activated" and decision["reason"]
    assert agency["detainer"]["field_office"] == "CHI" and "a_number" not in agency["detainer"]
    program = world.client.get(f"/transactions/{TCN}", headers=world.auth("program")).json()
    assert program["decisions"] and program["detainer"] is None
    ice = world.client.get("/detainers", headers=world.auth("ice")).json()
    assert [d["tcn"] for d in ice] == [TCN]
    assert world.client.get("/detainers", headers=world.auth("agency_b")).json() == []
    # a detainer is lodged with the agency, not sent to the bureau
    assert world.client.get("/detainers", headers=world.auth("bureau_il")).status_code == 403
    assert world.client.get("/detainers", headers=world.auth("program")).status_code == 403


def test_a_tcn_with_a_slash_round_trips_through_its_status_url(world: World) -> None:
    tcn = "IL0310000/2011/000042"
    r = world.client.post(
        "/transactions", content=car(tcn, AGENCY_A), headers=world.auth("agency_a")
    )
    assert r.status_code == 202
    assert r.headers["Location"] == "/transactions/IL0310000%2F2011%2F000042"
    status = world.client.get(r.headers["Location"], headers=world.auth("agency_a"))
    assert status.status_code == 200 and status.json()["tcn"] == tcn
    listed = world.client.get(f"{r.headers['Location']}/responses", headers=world.auth("agency_a"))
    assert listed.status_code == 200 and listed.json() == []


def test_logs_carry_no_personal_data(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="interop.web")
    assert world.submit("agency_a", car(TCN, AGENCY_A)) == 202
    assert world.submit("agency_b", car(TCN, AGENCY_A)) == 403
    world.client.get(f"/transactions/{TCN}", headers=world.auth("agency_a"))
    assert TCN in caplog.text  # TCNs may be logged
    for secret in (SURNAME, GIVEN_NAME, "19790314", world.keys["agency_a"].partition(".")[2]):
        assert secret not in caplog.text
