"""What the agencies' handlers share: inbox names, the two fingerprint
galleries kept in step with the store, and the policy inputs read from it.

The galleries live in the worker's memory (:class:`interop.fingerprints.Gallery`)
and are filled from the ``subject_templates`` table: at start, and before
each search with the enrolments other workers committed since
(:meth:`GalleryMirror.refresh`). A gallery can instead be a Ray-sharded one
(:class:`interop.fingerprints.gallery.ShardedGallery`) behind the same
``search``/``enrol`` calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from interop.fingerprints.codecs import decode_template, encode_template
from interop.fingerprints.gallery import Gallery, SearchResult
from interop.fingerprints.template import Template
from interop.policy.sharing import (
    PROGRAM,
    JurisdictionActivation,
    ProgramFacts,
    SharingMode,
    StateTerms,
)
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


class SearchableGallery(Protocol):
    def search(self, probe: Mapping[int, Template]) -> SearchResult: ...

    def enrol(self, subject_id: str, fingers: Mapping[int, Template]) -> None: ...

    def __contains__(self, subject_id: object) -> bool: ...


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

    def refresh(self, session: Session) -> int:
        """Enrol the subjects stored since the last refresh; returns how many."""
        rows = session.execute(
            select(SubjectTemplate.subject_id, SubjectTemplate.position, SubjectTemplate.template)
            .where(SubjectTemplate.system == self.system)
            .order_by(SubjectTemplate.subject_id)
        )
        pending: dict[str, dict[int, Template]] = {}
        for subject_id, position, blob in rows:
            if subject_id in self.gallery:
                continue
            pending.setdefault(subject_id, {})[position] = decode_template(blob)
        for subject_id, fingers in pending.items():
            self.gallery.enrol(subject_id, fingers)
        return len(pending)

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
    sharing_mode : SharingMode
    program : ProgramFacts
    detainer_levels : frozenset of int
        Priority levels (1-4, 4 = non-criminal) the field office lodges
        detainers for.
    """

    criminal: GalleryMirror = field(default_factory=lambda: GalleryMirror("fbi"))
    immigration: GalleryMirror = field(default_factory=lambda: GalleryMirror("ident"))
    sharing_mode: SharingMode = SharingMode.AS_OPERATED
    program: ProgramFacts = PROGRAM
    detainer_levels: frozenset[int] = frozenset({1, 2, 3, 4})


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
