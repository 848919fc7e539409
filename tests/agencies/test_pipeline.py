"""A booking through the whole pipeline: intake, bureau, FBI, IDENT, LESC,
field office and back, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from interop.agencies.agencies import agency_handlers
from interop.agencies.intake import SubmissionError, submit_car
from interop.agencies.services import Services
from interop.bus import Worker
from interop.fingerprints.codecs import encode_template
from interop.fingerprints.synth import master_minutiae, minutiae_impression
from interop.nist import parse
from interop.nist.car import CarSubmission, Offence, build_car
from interop.nist.program import program_rules
from interop.nist.validation import validate
from interop.policy import POLICY_PRESETS
from interop.store import Store
from interop.store.models import (
    Agreement,
    Case,
    DetainerRecord,
    ImmigrationSubject,
    Jurisdiction,
    MessageRecord,
    PolicyDecisionRecord,
    State,
    StateBureau,
    SubjectTemplate,
)

SIB = "ILISP0000"
COUNTY = "IL0990000"
COOK = "IL0160000"


def _fingers(person: int, impression: int) -> dict:
    return {
        p: minutiae_impression(master_minutiae(1000 * person + p), impression) for p in range(1, 11)
    }


def _seed(store: Store) -> None:
    with store.session() as s:
        s.add(State(code="IL", name="Illinois"))
        s.flush()
        s.add(StateBureau(ori=SIB, state="IL", name="Illinois State Police"))
        s.add_all(
            [
                Jurisdiction(
                    ori=COUNTY,
                    state="IL",
                    name="Kane County",
                    time_zone="America/Chicago",
                    activated_on=date(2009, 11, 24),
                ),
                Jurisdiction(ori=COOK, state="IL", name="Cook County", time_zone="America/Chicago"),
            ]
        )
        s.add(Agreement(state="IL", signed_on=date(2009, 11, 9)))
        for person, a_number, status, citizen in (
            (1, "A012345678", "visa_overstay", False),
            (3, "A087654321", "naturalised_citizen", True),
        ):
            enrol_in_ident(s, person, a_number, status, citizen)


def enrol_in_ident(s: Session, person: int, a_number: str, status: str, citizen: bool) -> None:
    """Test person ``person`` in IDENT under ``a_number``, with a ten-print (impression 0)."""
    s.add(
        ImmigrationSubject(
            a_number=a_number,
            surname="PERSON" + "ABCDEFGH"[person],
            given_name="TEST",
            date_of_birth=date(1980, 1, person),
            sex="M",
            place_of_birth="MM",
            status=status,
            citizen=citizen,
        )
    )
    s.flush()
    for position, template in _fingers(person, 0).items():
        s.add(
            SubjectTemplate(
                system="ident",
                subject_id=a_number,
                position=position,
                template=encode_template(template),
            )
        )


def _car(person: int, ori: str, on: date, tcn: str) -> bytes:
    return build_car(
        CarSubmission(
            tcn=tcn,
            ori=ori,
            sent_on=on,
            surname="PERSON" + "ABCDEFGH"[person],
            given_name="TEST",
            date_of_birth=date(1980, 1, person),
            sex="M",
            race="W",
            place_of_birth="MM",
            height="510",
            weight_lb=170,
            eyes="BRO",
            hair="BLK",
            arrested_on=on,
            offences=(Offence(on, "5404", "DUI"),),
            minutiae=_fingers(person, 1),
        )
    )


def test_the_features_submission_conforms_to_the_program_rules() -> None:
    data = _car(1, COUNTY, date(2010, 3, 1), "IL099000000000000001")
    assert validate(parse(data), program_rules()) == []


def test_bookings_flow_to_their_final_states(store: Store) -> None:
    _seed(store)
    bookings = {
        "IL099000000000000001": (1, COUNTY, date(2010, 3, 1)),  # in IDENT: detainer
        "IL099000000000000002": (2, COUNTY, date(2010, 3, 1)),  # not in IDENT
        "IL016000000000000003": (1, COOK, date(2010, 3, 2)),  # Cook: not activated
        "IL099000000000000004": (3, COUNTY, date(2010, 3, 3)),  # a naturalised citizen
    }
    for tcn, (person, ori, on) in bookings.items():
        first = submit_car(store, _car(person, ori, on, tcn), submitter_ori=ori)
        assert not first.duplicate
    again = submit_car(store, _car(1, COUNTY, date(2010, 3, 1), "IL099000000000000001"))
    assert again.duplicate
    with pytest.raises(SubmissionError) as info:
        submit_car(store, _car(2, COUNTY, date(2010, 3, 1), "IL099000000000000001"))
    assert info.value.code == "tcn-reused"

    services = Services(policy=POLICY_PRESETS["as-operated"])
    worker = Worker(store, agency_handlers(services))
    stats = worker.run(until_idle=True)
    assert stats.failed == 0

    with store.session() as s:
        cases = {c.tcn: c for c in s.scalars(select(Case))}
        assert all(c.final for c in cases.values())
        matched = cases["IL099000000000000001"]
        assert matched.ident_match and matched.a_number == "A012345678"
        assert matched.priority_level == 4 and matched.detainer_lodged
        assert matched.stage == "detainer_lodged" and matched.iar_to_state
        assert not cases["IL099000000000000002"].ident_match
        cook = cases["IL016000000000000003"]
        assert cook.forwarded_to_ident is False and cook.ident_match is None
        # the same person at the second booking is identified by the FBI
        assert cook.criminal_identified and cook.fbi_number == matched.fbi_number
        citizen = cases["IL099000000000000004"]
        assert citizen.ident_match and citizen.citizen and citizen.detainer_lodged is False
        detainer = s.get(DetainerRecord, "IL099000000000000001")
        assert detainer is not None and detainer.expires_at > detainer.scheduled_release
        kinds = sorted(
            m.kind for m in s.scalars(select(MessageRecord).where(MessageRecord.tcn == matched.tcn))
        )
        assert kinds == sorted(
            [
                "CAR",
                "CAR",
                "SRE",
                "SRE",
                "CAR",
                "IDR",
                "IDR",
                "IDR",
                "IAQ",
                "IAR",
                "IAR",
                "IAR",
                "DETN",
            ]
        )
        rules = {(d.tcn, d.question): d.rule for d in s.scalars(select(PolicyDecisionRecord))}
        assert rules[("IL016000000000000003", "forward_to_ident")].startswith("forward.")
        assert all(m.status == "done" for m in s.scalars(select(MessageRecord)))


def test_a_booking_that_breaks_an_ebts_rule_is_rejected_with_an_errt(store: Store) -> None:
    _seed(store)
    tcn = "IL099000000000000009"
    data = _car(1, COUNTY, date(2010, 3, 1), tcn).replace(b"2.024:M", b"2.024:Q", 1)
    submit_car(store, data, submitter_ori=COUNTY)
    stats = Worker(store, agency_handlers(Services())).run(until_idle=True)
    assert stats.failed == 0
    with store.session() as s:
        case = s.get(Case, tcn)
        assert case is not None and case.final and case.stage == "rejected"
        assert case.fbi_number is None and case.forwarded_to_ident is None
        sent = {(m.kind, m.recipient) for m in s.scalars(select(MessageRecord))}
        assert ("ERRT", f"bureau:{SIB}") in sent and ("ERRT", f"booking:{COUNTY}") in sent
        assert not any(kind in ("SRE", "IDR") for kind, _ in sent)


@pytest.mark.parametrize(
    ("preset", "forwarded", "returned"),
    [("as-operated", True, False), ("honor-opt-out", False, None)],
)
def test_illinois_after_its_moa_termination_under_each_mode(
    store: Store, preset: str, forwarded: bool, returned: bool | None
) -> None:
    """Illinois terminated its MOA on 2011-05-04: as operated, its bookings
    still went to IDENT and the IAR no longer came back to the state; with
    the opt-out honoured, nothing is forwarded."""
    _seed(store)
    with store.session() as s:
        moa = s.scalars(select(Agreement)).one()
        moa.terminated_on, moa.terminated_by = date(2011, 5, 4), "state"
    tcn = "IL099000000000000009"
    submit_car(store, _car(1, COUNTY, date(2011, 6, 1), tcn))
    Worker(store, agency_handlers(Services(policy=POLICY_PRESETS[preset]))).run(until_idle=True)
    with store.session() as s:
        case = s.get(Case, tcn)
        assert case is not None and case.final
        assert case.forwarded_to_ident is forwarded and case.iar_to_state is returned
        kinds = {m.kind for m in s.scalars(select(MessageRecord))}
        assert ("IAQ" in kinds) is forwarded
        assert all(m.status == "done" for m in s.scalars(select(MessageRecord)))


def test_a_replayed_booking_runs_on_its_own_day(store: Store) -> None:
    """A 2010 booking submitted today gets its detainer lodged on its own day,
    before the release the clock counts from, so ICE can still take custody."""
    from datetime import timedelta

    from interop.agencies.detainers import assume_custody

    _seed(store)
    tcn = "IL099000000000000001"
    submit_car(store, _car(1, COUNTY, date(2010, 3, 1), tcn))
    Worker(store, agency_handlers(Services())).run(until_idle=True)
    with store.session() as s:
        detainer = s.get(DetainerRecord, tcn)
        assert detainer is not None and detainer.lodged_at.date() == date(2010, 3, 1)
        assert detainer.scheduled_release is not None and detainer.expires_at is not None
        assert detainer.lodged_at < detainer.scheduled_release < detainer.expires_at
        held = assume_custody(s, tcn, detainer.scheduled_release + timedelta(hours=1))
        assert held.status == "honoured"
