"""Jurisdictions, MOAs and opt-out requests: the program office administers them."""

from __future__ import annotations

from sqlalchemy import select

from interop.store.models import Agreement
from tests.web.conftest import AGENCY_A, AGENCY_C, World


def test_the_public_reads_the_published_jurisdiction_list(world: World) -> None:
    r = world.client.get("/jurisdictions")
    assert r.status_code == 200
    rows = r.json()
    assert [j["ori"] for j in rows] == sorted([AGENCY_A, "IL0990000", AGENCY_C])
    assert set(rows[0]) == {"ori", "state", "name", "activated_on", "deactivated_on"}
    il = world.client.get("/jurisdictions", params={"state": "IL"}).json()
    assert {j["state"] for j in il} == {"IL"} and len(il) == 2
    one = world.client.get(f"/jurisdictions/{AGENCY_C}").json()
    assert one["activated_on"] == "2009-05-01" and one["name"] == "Fresno County"
    assert world.client.get("/jurisdictions/XX0000000").status_code == 404
    assert world.client.get("/jurisdictions", params={"state": "illinois"}).status_code == 422


def test_the_program_office_adds_and_activates_jurisdictions(world: World) -> None:
    new = {
        "ori": "IL0160000",
        "state": "IL",
        "name": "DuPage County",
        "time_zone": "America/Chicago",
    }
    r = world.client.post("/jurisdictions", json=new, headers=world.auth("program"))
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == "/jurisdictions/IL0160000"
    assert r.json()["activated_on"] is None
    again = world.client.post("/jurisdictions", json=new, headers=world.auth("program"))
    assert again.status_code == 409

    patch = world.client.patch(
        "/jurisdictions/IL0160000",
        json={"activated_on": "2010-03-01"},
        headers=world.auth("program"),
    )
    assert patch.status_code == 200 and patch.json()["activated_on"] == "2010-03-01"
    off = world.client.patch(
        "/jurisdictions/IL0160000",
        json={"deactivated_on": "2011-05-04"},
        headers=world.auth("program"),
    )
    assert off.json() == {**patch.json(), "deactivated_on": "2011-05-04"}
    backwards = world.client.patch(
        "/jurisdictions/IL0160000",
        json={"activated_on": "2012-01-01"},
        headers=world.auth("program"),
    )
    assert backwards.status_code == 422
    cleared = world.client.patch(
        "/jurisdictions/IL0160000", json={"deactivated_on": None}, headers=world.auth("program")
    )
    assert cleared.json()["deactivated_on"] is None
    assert world.client.get("/jurisdictions/IL0160000").json() == cleared.json()


def test_only_the_program_office_administers_jurisdictions(world: World) -> None:
    body = {"activated_on": "2010-01-01"}
    for party in ("agency_a", "bureau_il", "ice"):
        r = world.client.patch(f"/jurisdictions/{AGENCY_A}", json=body, headers=world.auth(party))
        assert r.status_code == 403, party
    assert world.client.patch(f"/jurisdictions/{AGENCY_A}", json=body).status_code == 401
    assert world.client.get(f"/jurisdictions/{AGENCY_A}").json()["activated_on"] is None


def test_invalid_bodies_are_422_with_field_errors(world: World) -> None:
    r = world.client.post(
        "/jurisdictions",
        json={"ori": "IL01", "state": "IL", "time_zone": "Mars/Olympus", "extra": 1},
        headers=world.auth("program"),
    )
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "invalid-request"
    located = {tuple(f["loc"]) for f in body["fields"]}
    assert {("body", "ori"), ("body", "name"), ("body", "time_zone"), ("body", "extra")} <= located
    assert "Mars/Olympus" not in str(body["fields"])  # inputs are not echoed
    wrong_state = world.client.post(
        "/jurisdictions",
        json={"ori": "CA0160000", "state": "IL", "name": "X", "time_zone": "America/Chicago"},
        headers=world.auth("program"),
    )
    assert wrong_state.status_code == 422 and "not in state" in wrong_state.json()["detail"]
    not_json = world.client.post(
        "/agreements",
        content=b"{not json",
        headers={**world.auth("program"), "Content-Type": "application/json"},
    )
    assert not_json.status_code == 422


def test_json_bodies_have_a_size_limit(world: World) -> None:
    r = world.client.post(
        "/agreements",
        json={"state": "IL", "signed_on": "2009-11-01", "terms": "x" * 100_000},
        headers=world.auth("program"),
    )
    assert r.status_code == 413 and r.json()["error"] == "too-large"


def test_moas_are_signed_and_terminated(world: World) -> None:
    program = world.auth("program")
    il = world.client.post(
        "/agreements", json={"state": "IL", "signed_on": "2009-11-01"}, headers=program
    )
    assert il.status_code == 201, il.text
    ca = world.client.post(
        "/agreements", json={"state": "CA", "signed_on": "2009-01-15"}, headers=program
    )
    il_id, ca_id = il.json()["id"], ca.json()["id"]
    twice = world.client.post(
        "/agreements", json={"state": "IL", "signed_on": "2010-01-01"}, headers=program
    )
    assert twice.status_code == 409
    assert (
        world.client.post(
            "/agreements", json={"state": "ZZ", "signed_on": "2010-01-01"}, headers=program
        ).status_code
        == 422
    )
    assert (
        world.client.post(
            "/agreements",
            json={"state": "IL", "signed_on": "2010-01-01"},
            headers=world.auth("bureau_il"),
        ).status_code
        == 403
    )

    # a bureau sees and terminates its own state's MOA only
    seen = world.client.get("/agreements", headers=world.auth("bureau_il")).json()
    assert [a["id"] for a in seen] == [il_id]
    other = world.client.post(f"/agreements/{ca_id}/terminate", headers=world.auth("bureau_il"))
    assert other.status_code == 404
    ended = world.client.post(
        f"/agreements/{il_id}/terminate",
        json={"terminated_on": "2011-05-04"},
        headers=world.auth("bureau_il"),
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["terminated_by"] == "state"
    assert ended.json()["terminated_on"] == "2011-05-04"
    again = world.client.post(f"/agreements/{il_id}/terminate", headers=world.auth("bureau_il"))
    assert again.status_code == 409
    assert (
        world.client.post(
            f"/agreements/{ca_id}/terminate", headers=world.auth("agency_c")
        ).status_code
        == 403
    )

    # ICE terminates the rest (5 Aug 2011)
    ice = world.client.post(
        f"/agreements/{ca_id}/terminate", json={"terminated_on": "2011-08-05"}, headers=program
    )
    assert ice.json()["terminated_by"] == "ice"
    with world.store.session() as s:
        rows = {a.state: a.terminated_by for a in s.scalars(select(Agreement))}
    assert rows == {"IL": "state", "CA": "ice"}
    assert len(world.client.get("/agreements", headers=world.auth("ice")).json()) == 2
    assert world.client.get("/agreements", headers=world.auth("agency_a")).status_code == 403
    assert world.client.get("/agreements").status_code == 401
    # after termination a new MOA may be signed
    assert (
        world.client.post(
            "/agreements", json={"state": "IL", "signed_on": "2012-01-01"}, headers=program
        ).status_code
        == 201
    )


def test_opt_out_requests(world: World) -> None:
    mine = world.client.post(
        "/opt-out-requests",
        json={"requested_by": "Governor of Illinois", "text": "Terminating participation."},
        headers=world.auth("bureau_il"),
    )
    assert mine.status_code == 201, mine.text
    assert mine.json()["state"] == "IL" and mine.json()["requested_on"]
    other_state = world.client.post(
        "/opt-out-requests",
        json={"state": "CA", "requested_by": "Illinois State Police"},
        headers=world.auth("bureau_il"),
    )
    assert other_state.status_code == 403
    other_county = world.client.post(
        "/opt-out-requests",
        json={"jurisdiction_ori": AGENCY_C, "requested_by": "Illinois State Police"},
        headers=world.auth("bureau_il"),
    )
    assert other_county.status_code == 422
    county = world.client.post(
        "/opt-out-requests",
        json={
            "state": "CA",
            "jurisdiction_ori": AGENCY_C,
            "requested_on": "2011-06-01",
            "requested_by": "Fresno County Board",
        },
        headers=world.auth("program"),
    )
    assert county.status_code == 201 and county.json()["jurisdiction_ori"] == AGENCY_C
    no_state = world.client.post(
        "/opt-out-requests", json={"requested_by": "x"}, headers=world.auth("program")
    )
    assert no_state.status_code == 422
    assert (
        world.client.post(
            "/opt-out-requests", json={"requested_by": "x"}, headers=world.auth("agency_a")
        ).status_code
        == 403
    )

    assert len(world.client.get("/opt-out-requests", headers=world.auth("program")).json()) == 2
    il = world.client.get("/opt-out-requests", headers=world.auth("bureau_il")).json()
    assert [r["state"] for r in il] == ["IL"]
    ca = world.client.get("/opt-out-requests", headers=world.auth("bureau_ca")).json()
    assert [r["jurisdiction_ori"] for r in ca] == [AGENCY_C]
    assert world.client.get("/opt-out-requests").status_code == 401
