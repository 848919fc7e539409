"""The agencies' handlers: one function per (agency, message type).

Each handler reads the message and the store through the session it is
given, records its decisions and the case's progress, and returns the
messages to send; the worker commits all of it with the message's ``done``
mark (:mod:`interop.bus.worker`). The flow (``docs/domain.md``)::

    booking --CAR--> bureau --CAR--> fbi --SRE--> bureau --> booking
                                      | forward (policy)
                                      v
                                    ident --IDR--> fbi --> bureau --> booking
                                      | match
                                      v IAQ
                                    lesc --IAR--> field_office --DETN--> booking
                                      +--IAR (policy)--> bureau --> booking
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from interop.agencies.prefetch import cached_submission, prepared_submission
from interop.agencies.services import (
    FBI,
    IDENT,
    LESC,
    Services,
    booking,
    bureau,
    field_office,
    jurisdiction_terms,
    ori_of,
    state_bureau,
)
from interop.bus.queue import (
    Delivery,
    Outgoing,
    insert_ignoring_duplicates,
    keep_evidence,
    utcnow,
)
from interop.fingerprints import extract
from interop.fingerprints.codecs import decode_template, encode_template
from interop.fingerprints.template import Template
from interop.nist import Transaction, parse
from interop.nist.car import read_car
from interop.nist.images import images
from interop.nist.program import (
    AlienQuery,
    AlienResponse,
    Detainer,
    Header,
    IdentDataResponse,
    build_detainer,
    build_iaq,
    build_iar,
    build_idr,
    read_iaq,
    read_iar,
)
from interop.nist.responses import ErrorResponse, SearchResponse, build_errt, build_sre
from interop.policy.clock import detainer_expires_at
from interop.policy.decision import Decision
from interop.policy.priority import Disposition, HistoryEntry, LevelDecision, classify
from interop.store.models import (
    Case,
    CriminalHistoryEntry,
    CriminalSubject,
    DetainerRecord,
    ImmigrationSubject,
    PolicyDecisionRecord,
    TransactionRecord,
)

Handler = Callable[[Delivery, Session], list[Outgoing]]

SCHEDULED_RELEASE_HOUR = 18
"""Local hour at which a booked person would be released when ICE did not
ask otherwise (the jail's release schedule; a calibration of the model)."""


class HandlerError(RuntimeError):
    """A message its recipient cannot handle (retried, then dead-lettered)."""


def _case(session: Session, tcn: str) -> Case:
    case = session.get(Case, tcn)
    if case is None:
        raise HandlerError(f"no case for TCN {tcn}")
    return case


LIVE_WITHIN = timedelta(days=1)
"""A booking submitted within this of its booking day is live (:func:`case_now`)."""


def case_now(case: Case) -> datetime:
    """The present moment on the booking's calendar (aware, UTC).

    Live, a booking is submitted on the day it is booked and this is the
    wall clock. A replayed past booking (a scenario) runs on its own day:
    the wall clock moved by whole days from the day it was submitted to the
    day it was booked, so the detainer it gets is lodged before the release
    the detainer clock counts from, and its transactions carry that day's
    date. A submission within :data:`LIVE_WITHIN` of the booking day (time
    zones) counts as live.
    """
    now = utcnow()
    shift = timedelta(days=(case.booked_on - case.submitted_at.date()).days)
    return now if abs(shift) <= LIVE_WITHIN else now + shift


def record_decision(session: Session, tcn: str, question: str, decision: Decision) -> None:
    """Store a policy decision for a case (once per question: a second one,
    from a handler run again, is ignored)."""
    row = {
        "tcn": tcn,
        "question": question,
        "rule": decision.rule,
        "allowed": decision.allowed,
        "reason": decision.reason,
        "facts": dict(decision.facts),
        "decided_at": utcnow(),
    }
    insert_ignoring_duplicates(session, PolicyDecisionRecord, [row])


def _send(
    session: Session,
    sender: str,
    kind: str,
    recipient: str,
    booking_tcn: str,
    own_tcn: str,
    data: bytes,
    **body: object,
) -> Outgoing:
    """A transaction this agency built: recorded (evidence and header) and
    addressed; its TCR is the booking's TCN."""
    session.add(
        TransactionRecord(
            sha256=keep_evidence(session, data),
            tot=kind,
            tcn=own_tcn,
            tcr=booking_tcn,
            sender_ori=ori_of(sender),
            recipient_ori=ori_of(recipient),
            message_id=None,
            fields={},
            recorded_at=utcnow(),
        )
    )
    return Outgoing(kind, recipient, booking_tcn, dict(body), data)


def _header(tcn: str, tcr: str, sender: str, recipient: str, on: date) -> Header:
    return Header(tcn=tcn, tcr=tcr, sender=sender, recipient=recipient, sent_on=on)


def _response_tcn(parent_tcn: str, kind: str) -> str:
    return f"{kind}{hashlib.sha256(parent_tcn.encode()).hexdigest()[:20].upper()}"


# ----------------------------------------------------------------- bureau


def bureau_handler(services: Services) -> Handler:
    """The State Identification Bureau: relays bookings up and responses down."""

    def handle(d: Delivery, session: Session) -> list[Outgoing]:
        if d.kind == "CAR" and d.sender.startswith("booking:"):
            return [Outgoing("CAR", FBI, d.tcn, {"bureau": ori_of(d.recipient)}, d.transaction)]
        if d.kind in ("SRE", "ERRT", "IDR", "IAR"):
            case = _case(session, d.tcn)
            return [Outgoing(d.kind, booking(case.ori), d.tcn, dict(d.body), d.transaction)]
        raise HandlerError(f"a bureau does not take {d.kind} from {d.sender}")

    return handle


# -------------------------------------------------------------------- FBI


def probe_templates(
    transaction: Transaction, minutiae: Mapping[int, Template]
) -> dict[int, Template]:
    """The fingers of a submission: its Type-9 minutiae (``minutiae``, as
    :func:`read_car` gives them) where it has them, else minutiae extracted
    from its single-finger images."""
    if minutiae:
        return dict(minutiae)
    found = {}
    for im in images(transaction):
        if im.record_type in (4, 14) and len(im.positions) == 1 and 1 <= im.positions[0] <= 10:
            found[im.positions[0]] = extract(im.fingerprint())
    return found


def _templates_body(probe: Mapping[int, Template]) -> dict[str, str]:
    """Probe templates as JSON (ISO/IEC 19794-2, base64), for the next system."""
    return {str(p): base64.b64encode(encode_template(t)).decode() for p, t in probe.items()}


def _templates_from_body(body: Mapping[str, object]) -> dict[int, Template]:
    raw = body.get("templates")
    if not isinstance(raw, dict):
        return {}
    return {int(p): decode_template(base64.b64decode(str(v))) for p, v in raw.items()}


def _fbi_number(tcn: str) -> str:
    digest = hashlib.sha256(f"fbi-number:{tcn}".encode()).hexdigest()
    return f"{int(digest[:12], 16) % 10**7:07d}" + "".join(
        "ABCDEFGHJKLMNPRTUVWXY"[int(digest[12 + k], 16)] for k in range(2)
    )


def fbi_handler(services: Services) -> Handler:
    """The criminal fingerprint system: search, answer, enrol, forward."""

    def on_car(d: Delivery, session: Session) -> list[Outgoing]:
        case = _case(session, d.tcn)
        data = d.transaction or b""
        # parsed, validated and read once per transaction (perhaps ahead, by a prefetch helper)
        prepared = prepared_submission(data)
        sib = ori_of(d.sender)
        today = case_now(case).date()
        violations, sub, probe = prepared.violations, prepared.submission, prepared.probe
        if violations or sub is None:
            case.stage, case.final = "rejected", True
            case.error = f"{len(violations)} EBTS violations"
            errt = build_errt(
                ErrorResponse(
                    tcn=_response_tcn(d.tcn, "E"),
                    tcr=d.tcn,
                    agency=sib,
                    sent_on=today,
                    messages=tuple(str(v)[:300] for v in violations[:10]),
                )
            )
            return [
                _send(session, FBI, "ERRT", bureau(sib), d.tcn, _response_tcn(d.tcn, "E"), errt)
            ]
        result = services.criminal.search(session, probe)
        fbi_number = result.identity
        identified = fbi_number is not None
        if fbi_number is None:
            fbi_number = _fbi_number(d.tcn)
            session.add(
                CriminalSubject(
                    fbi_number=fbi_number,
                    surname=sub.surname,
                    given_name=sub.given_name,
                    date_of_birth=sub.date_of_birth,
                    sex=sub.sex,
                    place_of_birth=sub.place_of_birth,
                    enrolled_at=utcnow(),
                )
            )
            session.flush()
            services.criminal.enrol(session, fbi_number, probe)
        for offence in sub.offences:
            session.add(
                CriminalHistoryEntry(
                    fbi_number=fbi_number,
                    tcn=d.tcn,
                    ori=sub.ori,
                    arrested_on=sub.arrested_on,
                    offence_code=offence.ncic_code,
                    disposition=Disposition.PENDING.value,
                    disposed_on=None,
                )
            )
        case.fbi_number, case.criminal_identified, case.stage = fbi_number, identified, "identified"
        sre_tcn = _response_tcn(d.tcn, "S")
        sre = build_sre(
            SearchResponse(
                tcn=sre_tcn,
                tcr=d.tcn,
                agency=sib,
                sent_on=today,
                name=f"{sub.surname},{sub.given_name}",
                identified=identified,
                controlling_agency=sub.ori,
                fbi_number=fbi_number if identified else None,
            )
        )
        out = [_send(session, FBI, "SRE", bureau(sib), d.tcn, sre_tcn, sre)]
        _, activation, terms = jurisdiction_terms(session, case.ori, case.booked_on)
        decision = services.policy.forward_to_ident(case.booked_on, activation, terms)
        record_decision(session, d.tcn, "forward_to_ident", decision)
        case.forwarded_to_ident = decision.allowed
        if not decision.allowed:
            case.final = True
            return out
        # the prints go on to IDENT with the features IAFIS extracted from them
        body = {"fbi_number": fbi_number, "bureau": sib, "templates": _templates_body(probe)}
        out.append(Outgoing("CAR", IDENT, d.tcn, body, data))
        return out

    def on_idr(d: Delivery, session: Session) -> list[Outgoing]:
        sib = str(d.body.get("bureau", ""))
        return [Outgoing("IDR", bureau(sib), d.tcn, dict(d.body), d.transaction)]

    def handle(d: Delivery, session: Session) -> list[Outgoing]:
        if d.kind == "CAR":
            return on_car(d, session)
        if d.kind == "IDR":
            return on_idr(d, session)
        raise HandlerError(f"the FBI does not take {d.kind}")

    return handle


# ------------------------------------------------------------------ IDENT


def history_entries(
    rows: Iterable[CriminalHistoryEntry], on: date | None = None
) -> list[HistoryEntry]:
    """The LESC's view of a criminal history: the stored entries (those
    arrested on or before ``on``, when given) as the policy reads them."""
    return [
        HistoryEntry(
            offence=r.offence_code,
            arrested_on=r.arrested_on,
            disposition=Disposition(r.disposition),
            disposed_on=r.disposed_on,
            convicted_of=r.lesser_code if r.disposition == "convicted_lesser" else None,
        )
        for r in rows
        if on is None or r.arrested_on <= on
    ]


def ident_handler(services: Services) -> Handler:
    """The immigration fingerprint system: search; IDR back; IAQ on a match."""

    def handle(d: Delivery, session: Session) -> list[Outgoing]:
        if d.kind != "CAR":
            raise HandlerError(f"IDENT does not take {d.kind}")
        case = _case(session, d.tcn)
        data = d.transaction or b""
        # the FBI passes the features it extracted; a worker that prepared the
        # transaction for the FBI already holds them, read from the same bytes
        prepared = cached_submission(data)
        if prepared is not None and prepared.submission is not None:
            sub, probe = prepared.submission, prepared.probe
        else:
            t = parse(data)
            probe = _templates_from_body(d.body)
            sub = read_car(t, decode_images=False, read_minutiae=not probe)
            probe = probe or probe_templates(t, sub.minutiae)
        result = services.immigration.search(session, probe)
        a_number = result.identity
        subject = session.get(ImmigrationSubject, a_number) if a_number else None
        today = case_now(case).date()
        fbi_number = str(d.body.get("fbi_number", ""))
        idr_tcn = _response_tcn(d.tcn, "I")
        idr = build_idr(
            IdentDataResponse(
                header=_header(idr_tcn, d.tcn, "IDENT0000", FBI[4:], today),
                match=subject is not None,
                encounters=tuple(e.kind for e in subject.encounters) if subject else (),
                a_number=a_number,
                fbi_number=fbi_number or None,
            )
        )
        case.ident_match, case.a_number, case.stage = (
            subject is not None,
            a_number,
            "ident_searched",
        )
        bureau_ori = d.body.get("bureau", "")
        out = [_send(session, IDENT, "IDR", FBI, d.tcn, idr_tcn, idr, bureau=bureau_ori)]
        if subject is None:
            case.final = True
            return out
        case.stage = "matched"
        iaq_tcn = _response_tcn(d.tcn, "Q")
        iaq = build_iaq(
            AlienQuery(
                header=_header(iaq_tcn, d.tcn, "IDENT0000", "LESC00000", today),
                name=f"{sub.surname},{sub.given_name}",
                date_of_birth=sub.date_of_birth,
                sex=sub.sex,
                place_of_birth=sub.place_of_birth,
                offences=sub.offences,
                booking_agency=sub.ori,
                fbi_number=fbi_number,
            )
        )
        out.append(_send(session, IDENT, "IAQ", LESC, d.tcn, iaq_tcn, iaq, a_number=a_number))
        return out

    return handle


# ------------------------------------------------------------------- LESC


_LEVEL_CODES = {1: "1", 2: "2", 3: "3", 4: "N"}
_STATUS_CODES = {
    "us_born_citizen": "USC",
    "naturalised_citizen": "NAT",
    "lawful_permanent_resident": "LPR",
    "visa_holder": "VIS",
    "visa_overstay": "OVS",
    "entered_without_inspection": "EWI",
    "previously_removed": "RMV",
}


def lesc_handler(services: Services) -> Handler:
    """ICE's Law Enforcement Support Center: status, history, priority level, IAR."""

    def handle(d: Delivery, session: Session) -> list[Outgoing]:
        if d.kind != "IAQ":
            raise HandlerError(f"the LESC does not take {d.kind}")
        case = _case(session, d.tcn)
        query = read_iaq(d.transaction or b"")
        a_number = str(d.body.get("a_number", ""))
        subject = session.get(ImmigrationSubject, a_number)
        if subject is None:
            raise HandlerError(f"no IDENT record {a_number}")
        rows = session.scalars(
            select(CriminalHistoryEntry).where(CriminalHistoryEntry.fbi_number == query.fbi_number)
        ).all()
        level = classify(history_entries(rows), case.booked_on, citizen=subject.citizen)
        record_decision(
            session,
            d.tcn,
            "priority_level",
            Decision(True, level.rule, level.reason, {"level": str(int(level.level))}),
        )
        case.priority_level, case.citizen, case.stage = (
            int(level.level),
            subject.citizen,
            "classified",
        )
        today = case_now(case).date()
        iar_tcn = _response_tcn(d.tcn, "R")
        iar = build_iar(
            AlienResponse(
                header=_header(iar_tcn, d.tcn, "LESC00000", "ICEERO000", today),
                name=query.name,
                date_of_birth=query.date_of_birth,
                a_number=a_number,
                status=_STATUS_CODES.get(subject.status, "UNK"),
                priority_level=_LEVEL_CODES[int(level.level)],
                booking_agency=query.booking_agency,
                fbi_number=query.fbi_number,
                sex=query.sex,
            )
        )
        out = [
            _send(
                session,
                LESC,
                "IAR",
                field_office(case.state),
                d.tcn,
                iar_tcn,
                iar,
                level=level.to_dict(),
            )
        ]
        _, activation, terms = jurisdiction_terms(session, case.ori, case.booked_on)
        back = services.policy.return_response_to_state(case.booked_on, activation, terms)
        record_decision(session, d.tcn, "return_iar_to_state", back)
        case.iar_to_state = back.allowed
        if back.allowed:
            sib = state_bureau(session, case.state)
            out.append(Outgoing("IAR", bureau(sib.ori), d.tcn, {}, iar))
        return out

    return handle


# ----------------------------------------------------------- field office


def scheduled_release(booked_on: date, tz: str) -> datetime:
    """When the jail would release the person absent a detainer: the evening
    of the day after booking, local time (aware, UTC)."""
    local = datetime.combine(booked_on + timedelta(days=1), time(SCHEDULED_RELEASE_HOUR))
    return local.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def field_office_handler(services: Services) -> Handler:
    """ICE's field office: lodges an I-247 detainer as its policy says."""

    def handle(d: Delivery, session: Session) -> list[Outgoing]:
        if d.kind != "IAR":
            raise HandlerError(f"a field office does not take {d.kind}")
        case = _case(session, d.tcn)
        iar = read_iar(d.transaction or b"")
        raw_level = d.body.get("level")
        if not isinstance(raw_level, dict):
            raise HandlerError("IAR without the LESC's classification")
        decision = services.policy.decide_detainer(LevelDecision.from_dict(raw_level))
        record_decision(session, d.tcn, "detainer", decision)
        case.detainer_lodged = decision.allowed
        case.final = True
        if not decision.allowed:
            case.stage = "closed"
            return []
        j, _, _ = jurisdiction_terms(session, case.ori, case.booked_on)
        release = scheduled_release(case.booked_on, j.time_zone)
        office = ori_of(d.recipient)
        session.add(
            DetainerRecord(
                tcn=d.tcn,
                a_number=iar.a_number,
                field_office=office,
                ori=case.ori,
                lodged_at=case_now(case),
                scheduled_release=release,
                expires_at=detainer_expires_at(release, j.time_zone),
                status="lodged",
            )
        )
        case.stage = "detainer_lodged"
        detainer_tcn = _response_tcn(d.tcn, "D")
        detainer = build_detainer(
            Detainer(
                header=_header(detainer_tcn, d.tcn, "ICEERO000", case.ori, case_now(case).date()),
                name=iar.name,
                date_of_birth=iar.date_of_birth,
                sex=iar.sex or "U",
                a_number=iar.a_number,
                fbi_number=iar.fbi_number,
                holding_agency=case.ori,
                office=f"ERO {office}",
                bases=("INV",),
                requests=("HLD",),
                officer="ICE ERO DUTY OFFICER",
            )
        )
        return [
            _send(
                session,
                field_office(case.state),
                "DETN",
                booking(case.ori),
                d.tcn,
                detainer_tcn,
                detainer,
            )
        ]

    return handle


# ---------------------------------------------------------- booking agency


def booking_handler(services: Services) -> Handler:
    """The booking agency: records each response's arrival (``CUST``: ICE took
    custody of the person held on its detainer, :mod:`interop.agencies.detainers`)."""

    def handle(d: Delivery, session: Session) -> list[Outgoing]:
        if d.kind not in ("SRE", "ERRT", "IDR", "IAR", "DETN", "CUST"):
            raise HandlerError(f"a booking agency does not take {d.kind}")
        case = _case(session, d.tcn)
        case.last_response_at = utcnow()
        return []

    return handle


def load_cases(session: Session, deliveries: Sequence[Delivery]) -> None:
    """Load the cases of messages about to be handled in one query, so the
    handlers find them in the session (:class:`interop.bus.Worker`'s ``before``)."""
    tcns = sorted({d.tcn for d in deliveries})
    loaded = session.scalars(select(Case).where(Case.tcn.in_(tcns))).all()
    # the session's identity map holds objects weakly: keep them for the transaction
    session.info.setdefault("interop.cases", []).extend(loaded)


def agency_handlers(services: Services) -> dict[str, Handler]:
    """Handlers by inbox role, for :class:`interop.bus.Worker`."""
    return {
        "bureau": bureau_handler(services),
        "fbi": fbi_handler(services),
        "ident": ident_handler(services),
        "lesc": lesc_handler(services),
        "field_office": field_office_handler(services),
        "booking": booking_handler(services),
    }


__all__ = [
    "HandlerError",
    "agency_handlers",
    "load_cases",
    "probe_templates",
    "record_decision",
    "scheduled_release",
]
