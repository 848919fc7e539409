"""What the agencies' handlers share: inbox names, the two fingerprint
galleries kept in step with the store, and the policy inputs read from it.

The galleries live in the worker's memory (:class:`interop.fingerprints.Gallery`)
and are filled from the ``subject_templates`` table: at start, and before
each search with the enrolments other workers committed since
(:meth:`GalleryMirror.refresh`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from interop.fingerprints.codecs import decode_template, encode_template
from interop.fingerprints.gallery import Gallery, SearchResult
from interop.fingerprints.template import Template
from interop.policy.config import POLICY_PRESETS, PolicyConfig
from interop.policy.sharing import JurisdictionActivation, StateTerms
from interop.store.models import (
    Agreement,
    Jurisdiction,
    OptOutRequest,
    StateBureau,
    SubjectTemplate,
)

FBI = "fbi:WVIAFIS0Z"
IDENT = "ident:IDENT"
LESC = "lesc:LESC"


def booking(ori: str) -> str:
    """Inbox of a booking agency."""
    return f"booking:{ori}"


def bureau(ori: str) -> str:
    """Inbox of a State Identification Bureau."""
    return f"bureau:{ori}"


def field_office(state: str) -> str:
    """Inbox of the ICE field office whose area covers ``state``."""
    return f"field_office:{state}"


def ori_of(inbox: str) -> str:
    """The ORI (or name) part of an inbox."""
    return inbox.partition(":")[2]


LOOKBACK_ROWS = 4096
"""Template rows re-read below the highest id a mirror has seen."""


class GalleryMirror:
    """An in-memory gallery holding one system's enrolled subjects.

    Parameters
    ----------
    system : str
        ``"fbi"`` (criminal master file) or ``"ident"``.
    gallery : Gallery, optional
    """

    def __init__(self, system: str, gallery: Gallery | None = None) -> None:
        self.system = system
        self.gallery = gallery if gallery is not None else Gallery()
        self._high_water = 0

    def refresh(self, session: Session) -> int:
        """Enrol the subjects stored since the last refresh; returns how many.

        Reads the rows after the highest id seen, less :data:`LOOKBACK_ROWS`
        (on PostgreSQL, ids are drawn at insert and committed in any order:
        a row committed late behind a higher id is still found), and fetches
        templates only for subjects not yet in the gallery.
        """
        floor = max(0, self._high_water - LOOKBACK_ROWS)
        rows = session.execute(
            select(SubjectTemplate.id, SubjectTemplate.subject_id).where(
                SubjectTemplate.system == self.system, SubjectTemplate.id > floor
            )
        ).all()
        if rows:
            self._high_water = max(self._high_water, max(row.id for row in rows))
        new = sorted({row.subject_id for row in rows if row.subject_id not in self.gallery})
        for start in range(0, len(new), 500):
            chunk = new[start : start + 500]
            fingers: dict[str, dict[int, Template]] = {}
            for subject_id, position, blob in session.execute(
                select(
                    SubjectTemplate.subject_id, SubjectTemplate.position, SubjectTemplate.template
                ).where(
                    SubjectTemplate.system == self.system, SubjectTemplate.subject_id.in_(chunk)
                )
            ):
                fingers.setdefault(subject_id, {})[position] = decode_template(blob)
            for subject_id, by_position in fingers.items():
                self.gallery.enrol(subject_id, by_position)
        return len(new)

    def search(self, session: Session, probe: Mapping[int, Template]) -> SearchResult:
        self.refresh(session)
        return self.gallery.search(probe)

    def enrol(self, session: Session, subject_id: str, fingers: Mapping[int, Template]) -> None:
        """Store ``fingers`` for ``subject_id`` (committed with the caller's
        transaction); the gallery picks them up at the next refresh."""
        for position, template in fingers.items():
            session.add(
                SubjectTemplate(
                    system=self.system,
                    subject_id=subject_id,
                    position=position,
                    template=encode_template(template),
                )
            )
        session.flush()


@dataclass
class Services:
    """Everything the handlers need besides the message and the session.

    Attributes
    ----------
    criminal, immigration : GalleryMirror
        The FBI's and IDENT's galleries.
    policy : PolicyConfig
        Sharing mode, detainer policy and program facts
        (:data:`interop.policy.POLICY_PRESETS`).
    """

    criminal: GalleryMirror = field(default_factory=lambda: GalleryMirror("fbi"))
    immigration: GalleryMirror = field(default_factory=lambda: GalleryMirror("ident"))
    policy: PolicyConfig = field(default_factory=lambda: POLICY_PRESETS["as-operated"])


def jurisdiction_terms(
    session: Session, ori: str, on: date
) -> tuple[Jurisdiction, JurisdictionActivation, StateTerms]:
    """The store's facts about a jurisdiction and its state, as policy inputs.

    Raises
    ------
    LookupError
        If the ORI is not a known jurisdiction.
    """
    j = session.get(Jurisdiction, ori)
    if j is None:
        raise LookupError(f"ORI {ori} is not a known jurisdiction")
    moas = session.scalars(
        select(Agreement).where(Agreement.state == j.state).order_by(Agreement.signed_on)
    ).all()
    signed = [m for m in moas if m.signed_on <= on]
    last = signed[-1] if signed else None
    opt_outs = session.scalars(
        select(OptOutRequest.requested_on)
        .where(OptOutRequest.state == j.state, OptOutRequest.requested_on <= on)
        .order_by(OptOutRequest.requested_on)
    ).all()
    state_terminated = (
        last.terminated_on if last is not None and last.terminated_by == "state" else None
    )
    terms = StateTerms(
        state=j.state,
        moa_signed_on=last.signed_on if last is not None else None,
        moa_terminated_on=state_terminated,
        opt_out_requested_on=opt_outs[0] if opt_outs else None,
    )
    activation = JurisdictionActivation(
        ori=j.ori, state=j.state, activated_on=j.activated_on, deactivated_on=j.deactivated_on
    )
    return j, activation, terms


def state_bureau(session: Session, state: str) -> StateBureau:
    """The SIB of ``state``.

    Raises
    ------
    LookupError
        If the state has none.
    """
    found = session.scalars(select(StateBureau).where(StateBureau.state == state)).one_or_none()
    if found is None:
        raise LookupError(f"no State Identification Bureau for {state}")
    return found
