"""Intake: a booking agency's CAR enters the system.

:func:`submit_car` is what ``POST /transactions`` and ``interop submit`` call:
it reads the transaction's header, keeps its bytes as evidence (by
SHA-256), opens the booking's case and puts the CAR in the state bureau's
inbox, all in one database transaction. A TCN already received is not
processed twice: the same bytes again are answered as a duplicate, other
bytes under the same TCN are refused. EBTS validation is the FBI's job
(a CAR that breaks the rules gets an ERRT back, as in the real system);
intake refuses only what cannot be routed: unreadable bytes, another type
of transaction, an ORI that is not the submitting agency's or unknown, a
TCN that does not begin with that ORI.

Why TCNs must begin with the agency's ORI: TCNs are the cases' keys, one
namespace for every agency. Were an agency free to pick any TCN, submitting
one another agency had used would be refused, and the refusal would tell it
that the other agency's booking exists (answering as if accepted would
drop the booking unseen, and its status would still tell). With the ORI
prefix, which is how EBTS TCNs are commonly formed and how the project's
own submissions are (:func:`interop.nist.car.car_from_booking`), agencies'
TCNs never collide: the check reads only the submission's own header, and
a ``tcn-reused`` refusal only ever concerns the submitter's own TCN.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from interop.agencies.services import booking, bureau, state_bureau
from interop.bus.queue import Bus, Outgoing, keep_evidence, utcnow
from interop.nist import NistError, parse
from interop.nist.program import FEATURES_TOT
from interop.nist.traditional import Limits
from interop.store.database import Store
from interop.store.models import Case, Jurisdiction, TransactionRecord

MAX_SUBMISSION_BYTES = 64 * 1024 * 1024
"""Largest CAR accepted (ten rolled WSQ fingers are ~0.5-1 MB; slaps and
palms more)."""

SUBMISSION_LIMITS = Limits(
    max_transaction_bytes=MAX_SUBMISSION_BYTES,
    max_records=200,
    max_record_bytes=MAX_SUBMISSION_BYTES,
)
CAR_TOTS = ("CAR", "CNA", FEATURES_TOT)


class SubmissionError(ValueError):
    """A submission that cannot enter the system.

    Attributes
    ----------
    code : str
        ``too-large``, ``malformed``, ``not-a-submission``, ``tcn-prefix``,
        ``wrong-agency``, ``unknown-agency``, ``tcn-reused``.
    """

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class Submission:
    """What intake answers.

    Attributes
    ----------
    tcn : str
    ori : str
        The booking agency.
    sha256 : str
        Of the transaction's bytes.
    duplicate : bool
        The same transaction was received before (nothing was done again).
    """

    tcn: str
    ori: str
    sha256: str
    duplicate: bool


def _header(data: bytes) -> tuple[str, str, str, str, date]:
    if len(data) > MAX_SUBMISSION_BYTES:
        raise SubmissionError(
            "too-large", f"{len(data):,} bytes, more than {MAX_SUBMISSION_BYTES:,}"
        )
    try:
        t = parse(data, SUBMISSION_LIMITS)
    except NistError as exc:
        raise SubmissionError("malformed", str(exc)) from exc
    first = t.records[0]
    fields = {tag: first.get(tag) for tag in (4, 5, 8, 9)}
    values = {tag: f.text if f is not None else "" for tag, f in fields.items()}
    tot, sent, ori, tcn = values[4], values[5], values[8], values[9]
    if tot not in CAR_TOTS:
        raise SubmissionError(
            "not-a-submission", f"1.004 TOT is {tot!r}, not one of {', '.join(CAR_TOTS)}"
        )
    if not 10 <= len(tcn) <= 40 or not tcn.isascii() or not tcn.isprintable():
        raise SubmissionError("malformed", "1.009 TCN must be 10-40 printable characters")
    if len(ori) != 9 or not ori.isascii() or not ori.isalnum():
        raise SubmissionError("malformed", "1.008 ORI must be 9 letters and digits")
    if not tcn.startswith(ori):
        raise SubmissionError("tcn-prefix", f"1.009 TCN must begin with the 1.008 ORI {ori}")
    try:
        sent_on = date(int(sent[:4]), int(sent[4:6]), int(sent[6:8]))
    except ValueError as exc:
        raise SubmissionError("malformed", f"1.005 DAT {sent!r} is not a date") from exc
    return tot, tcn, ori, sent, sent_on


def submit_car(
    store: Store,
    data: bytes,
    *,
    submitter_ori: str | None = None,
    now: datetime | None = None,
    bus: Bus | None = None,
) -> Submission:
    """Accept a CAR from a booking agency.

    Parameters
    ----------
    store : Store
    data : bytes
        The ANSI/NIST transaction, as received.
    submitter_ori : str, optional
        The authenticated agency; the CAR's 1.008 ORI must be it.
    now : datetime, optional
        Receipt time (aware); the current time by default.

    Raises
    ------
    SubmissionError
        With a code saying what is wrong; nothing is written then.
    """
    now = now or utcnow()
    tot, tcn, ori, _, sent_on = _header(data)
    if submitter_ori is not None and ori != submitter_ori:
        raise SubmissionError(
            "wrong-agency", f"1.008 ORI {ori} is not the submitting agency {submitter_ori}"
        )
    sha = hashlib.sha256(data).hexdigest()
    bus = bus or Bus()
    try:
        with store.session() as s:
            existing = s.get(Case, tcn)
            if existing is not None:
                original = s.scalars(
                    select(TransactionRecord).where(
                        TransactionRecord.tcn == tcn, TransactionRecord.tot == tot
                    )
                ).first()
                if original is None or original.sha256 != sha:
                    raise SubmissionError(
                        "tcn-reused", f"TCN {tcn} was received before with other contents"
                    )
                return Submission(tcn, ori, sha, duplicate=True)
            jurisdiction = s.get(Jurisdiction, ori)
            if jurisdiction is None:
                raise SubmissionError("unknown-agency", f"ORI {ori} is not a known booking agency")
            try:
                sib = state_bureau(s, jurisdiction.state)
            except LookupError as exc:
                raise SubmissionError("unknown-agency", str(exc)) from exc
            keep_evidence(s, data, now)
            s.add(
                TransactionRecord(
                    sha256=sha,
                    tot=tot,
                    tcn=tcn,
                    tcr=None,
                    sender_ori=ori,
                    recipient_ori=sib.ori,
                    message_id=None,
                    fields={"sent_on": sent_on.isoformat()},
                    recorded_at=now,
                )
            )
            s.add(
                Case(
                    tcn=tcn,
                    ori=ori,
                    state=jurisdiction.state,
                    booked_on=sent_on,
                    submitted_at=now,
                    stage="submitted",
                    final=False,
                )
            )
            s.flush()
            bus.publish(
                s,
                [Outgoing("CAR", bureau(sib.ori), tcn, {}, data)],
                sender=booking(ori),
                parent=f"submit:{sha}",
                now=now,
            )
    except IntegrityError:
        # the same TCN committed by a concurrent request: answer as a duplicate
        with store.session() as s:
            if s.get(Case, tcn) is None:
                raise
        return Submission(tcn, ori, sha, duplicate=True)
    return Submission(tcn, ori, sha, duplicate=False)
