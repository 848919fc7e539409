"""The store's tables: SQLAlchemy 2 models, one class per thing in the domain.

Groups:

* **Program**: states, State Identification Bureaus, jurisdictions (ORI,
  time zone, activation), memoranda of agreement, opt-out requests.
* **Criminal master file** (the FBI): subjects by FBI number, their ten-print
  templates and criminal history.
* **Immigration records** (IDENT): subjects by alien number, encounters,
  status, templates.
* **Transactions**: every ANSI/NIST transaction received or sent, by the
  SHA-256 of its bytes (:class:`Evidence` holds the bytes once), with its
  parsed header fields.
* **Cases**: one per booking (by TCN), its policy decisions, its detainer.
* **Bus**: durable messages between agencies (:mod:`interop.bus`).
* **Transparency log**: leaves, perfect-subtree hashes and signed tree heads
  (:mod:`interop.audit`).
* **Credentials**: hashed API keys bound to an ORI and a role.

Dates are ``date``; instants are timezone-aware UTC ``datetime`` (stored as
UTC; SQLite keeps no zone, so :class:`UTCDateTime` puts it back).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant, stored in UTC on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the store keeps timezone-aware instants only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}  # noqa: RUF012 (SQLAlchemy reads it)


# ---------------------------------------------------------------- program


class State(Base):
    """A US state (or DC, territory) by its two-letter code."""

    __tablename__ = "states"
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))


class StateBureau(Base):
    """A State Identification Bureau: relays bookings and responses; party to the MOA."""

    __tablename__ = "state_bureaus"
    ori: Mapped[str] = mapped_column(String(9), primary_key=True)
    state: Mapped[str] = mapped_column(ForeignKey("states.code"), unique=True)
    name: Mapped[str] = mapped_column(String(128))


class Jurisdiction(Base):
    """A county-level jurisdiction and its booking agency (ORI)."""

    __tablename__ = "jurisdictions"
    ori: Mapped[str] = mapped_column(String(9), primary_key=True)
    state: Mapped[str] = mapped_column(ForeignKey("states.code"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    time_zone: Mapped[str] = mapped_column(String(64))
    activated_on: Mapped[date | None] = mapped_column(Date)
    deactivated_on: Mapped[date | None] = mapped_column(Date)


class Agreement(Base):
    """A memorandum of agreement between ICE and a state bureau."""

    __tablename__ = "agreements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    state: Mapped[str] = mapped_column(ForeignKey("states.code"), index=True)
    signed_on: Mapped[date] = mapped_column(Date)
    terminated_on: Mapped[date | None] = mapped_column(Date)
    terminated_by: Mapped[str | None] = mapped_column(String(16))  # "state" or "ice"
    terms: Mapped[str] = mapped_column(Text, default="")


class OptOutRequest(Base):
    """A state's (or jurisdiction's) request not to take part."""

    __tablename__ = "opt_out_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    state: Mapped[str] = mapped_column(ForeignKey("states.code"), index=True)
    jurisdiction_ori: Mapped[str | None] = mapped_column(ForeignKey("jurisdictions.ori"))
    requested_on: Mapped[date] = mapped_column(Date)
    requested_by: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text, default="")


# ------------------------------------------------- criminal master file (FBI)


class CriminalSubject(Base):
    """A person in the FBI's criminal master file."""

    __tablename__ = "criminal_subjects"
    fbi_number: Mapped[str] = mapped_column(String(16), primary_key=True)
    surname: Mapped[str] = mapped_column(String(64))
    given_name: Mapped[str] = mapped_column(String(64))
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    place_of_birth: Mapped[str] = mapped_column(String(2))
    enrolled_at: Mapped[datetime]
    history: Mapped[list[CriminalHistoryEntry]] = relationship(
        back_populates="subject", order_by="CriminalHistoryEntry.arrested_on"
    )


class CriminalHistoryEntry(Base):
    """One arrest of a criminal subject and its disposition."""

    __tablename__ = "criminal_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fbi_number: Mapped[str] = mapped_column(ForeignKey("criminal_subjects.fbi_number"), index=True)
    tcn: Mapped[str | None] = mapped_column(String(40))
    ori: Mapped[str] = mapped_column(String(9))
    arrested_on: Mapped[date] = mapped_column(Date)
    offence_code: Mapped[str] = mapped_column(String(4))
    disposition: Mapped[str] = mapped_column(String(24))
    disposed_on: Mapped[date | None] = mapped_column(Date)
    lesser_code: Mapped[str | None] = mapped_column(String(4))
    subject: Mapped[CriminalSubject] = relationship(back_populates="history")


class SubjectTemplate(Base):
    """One finger of an enrolled subject, in either system (ISO/IEC 19794-2 bytes).

    ``id`` grows with each enrolment, so a gallery held in memory catches up
    by reading the rows after the last one it saw
    (:meth:`interop.agencies.services.GalleryMirror.refresh`). ``coded``, where
    set, is the finger's stored comparison form
    (:func:`interop.fingerprints.matcher.codes.coded_bytes`), written by the
    worker that enrolled it so that the other workers' galleries need not
    make it again.
    """

    __tablename__ = "subject_templates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    system: Mapped[str] = mapped_column(String(8))  # "fbi" or "ident"
    subject_id: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(SmallInteger)
    template: Mapped[bytes] = mapped_column(LargeBinary)
    coded: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    __table_args__ = (
        UniqueConstraint("system", "subject_id", "position"),
        Index("ix_subject_templates_system_id", "system", "id"),
    )


# ------------------------------------------------------ immigration (IDENT)


class ImmigrationSubject(Base):
    """A person in IDENT, by alien number (or IDENT enumerator)."""

    __tablename__ = "immigration_subjects"
    a_number: Mapped[str] = mapped_column(String(16), primary_key=True)
    surname: Mapped[str] = mapped_column(String(64))
    given_name: Mapped[str] = mapped_column(String(64))
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    place_of_birth: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(32))
    citizen: Mapped[bool] = mapped_column(Boolean, default=False)
    encounters: Mapped[list[ImmigrationEncounter]] = relationship(
        back_populates="subject", order_by="ImmigrationEncounter.on"
    )


class ImmigrationEncounter(Base):
    """A DHS encounter that enrolled the person's fingerprints."""

    __tablename__ = "immigration_encounters"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    a_number: Mapped[str] = mapped_column(ForeignKey("immigration_subjects.a_number"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    on: Mapped[date] = mapped_column(Date)
    subject: Mapped[ImmigrationSubject] = relationship(back_populates="encounters")


# ------------------------------------------------------------ transactions


class Evidence(Base):
    """The bytes of a transaction, once, by their SHA-256 (content-addressed)."""

    __tablename__ = "evidence"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    first_seen_at: Mapped[datetime]


class TransactionRecord(Base):
    """A transaction received or sent by an agency, with its header fields."""

    __tablename__ = "transactions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("evidence.sha256"), index=True)
    tot: Mapped[str] = mapped_column(String(8))
    tcn: Mapped[str] = mapped_column(String(40), index=True)
    tcr: Mapped[str | None] = mapped_column(String(40), index=True)
    sender_ori: Mapped[str] = mapped_column(String(16))
    recipient_ori: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str | None] = mapped_column(String(64), index=True)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recorded_at: Mapped[datetime]


# ------------------------------------------------------------------ cases


class Case(Base):
    """One booking, from its CAR to its last response.

    ``stage`` is the furthest step reached (``submitted``, ``identified``,
    ``ident_searched``, ``matched``, ``classified``, ``detainer_lodged``,
    ``closed``, ``rejected``); ``final`` says whether no more messages are due.
    """

    __tablename__ = "cases"
    tcn: Mapped[str] = mapped_column(String(40), primary_key=True)
    ori: Mapped[str] = mapped_column(String(9), index=True)
    state: Mapped[str] = mapped_column(String(2), index=True)
    booked_on: Mapped[date] = mapped_column(Date, index=True)
    submitted_at: Mapped[datetime]
    stage: Mapped[str] = mapped_column(String(24), default="submitted")
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    fbi_number: Mapped[str | None] = mapped_column(String(16))
    criminal_identified: Mapped[bool | None] = mapped_column(Boolean)
    forwarded_to_ident: Mapped[bool | None] = mapped_column(Boolean)
    ident_match: Mapped[bool | None] = mapped_column(Boolean)
    a_number: Mapped[str | None] = mapped_column(String(16))
    priority_level: Mapped[int | None] = mapped_column(SmallInteger)
    citizen: Mapped[bool | None] = mapped_column(Boolean)
    iar_to_state: Mapped[bool | None] = mapped_column(Boolean)
    detainer_lodged: Mapped[bool | None] = mapped_column(Boolean)
    last_response_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


class PolicyDecisionRecord(Base):
    """A policy decision taken for a case, with its rule and reason."""

    __tablename__ = "policy_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tcn: Mapped[str] = mapped_column(ForeignKey("cases.tcn"), index=True)
    question: Mapped[str] = mapped_column(String(32))  # forward_to_ident, return_iar, ...
    rule: Mapped[str] = mapped_column(String(64))
    allowed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    decided_at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("tcn", "question"),)


class DetainerRecord(Base):
    """An I-247 detainer lodged with a booking agency.

    ``status`` is ``lodged`` until ICE assumes custody (``honoured``) or the
    hold expires and the jail releases the person (``expired``); ``ended_at``
    is when that happened: the custody time, or the expiry instant
    (:mod:`interop.agencies.detainers`).
    """

    __tablename__ = "detainers"
    tcn: Mapped[str] = mapped_column(ForeignKey("cases.tcn"), primary_key=True)
    a_number: Mapped[str] = mapped_column(String(16))
    field_office: Mapped[str] = mapped_column(String(16))
    ori: Mapped[str] = mapped_column(String(9))
    lodged_at: Mapped[datetime]
    scheduled_release: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="lodged")  # lodged, honoured, expired
    ended_at: Mapped[datetime | None]


# -------------------------------------------------------------------- bus


class MessageRecord(Base):
    """A message on the durable bus: committed before it is acknowledged.

    ``id`` is derived from the message that caused it (or from the submitted
    transaction), so a handler that runs twice produces the same ids and the
    second insert is ignored: at-least-once delivery, effectively-once effects.
    """

    __tablename__ = "messages"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    sender: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(32))
    tcn: Mapped[str] = mapped_column(String(40), index=True)
    caused_by: Mapped[str | None] = mapped_column(String(80))
    evidence_sha256: Mapped[str | None] = mapped_column(ForeignKey("evidence.sha256"))
    body: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    log_index: Mapped[int | None] = mapped_column(BigInteger, index=True)
    """Its leaf in the transparency log, once the sequencer has appended it."""
    __table_args__ = (Index("ix_messages_claim", "status", "available_at"),)


# ----------------------------------------------------- transparency log


class LogLeaf(Base):
    """One entry of the transparency log."""

    __tablename__ = "log_leaves"
    index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    entry: Mapped[bytes] = mapped_column(LargeBinary)
    tcn: Mapped[str | None] = mapped_column(String(40), index=True)
    message_id: Mapped[str | None] = mapped_column(String(64), unique=True)


class LogNode(Base):
    """The hash of a complete perfect subtree: leaves ``index*2**level`` onwards."""

    __tablename__ = "log_nodes"
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class TreeHeadRecord(Base):
    """A signed tree head the log published."""

    __tablename__ = "tree_heads"
    size: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    timestamp_ms: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    key_id: Mapped[bytes] = mapped_column(LargeBinary(32))


# ------------------------------------------------------------ credentials


class Credential(Base):
    """An API key (stored as a hash) bound to an agency's ORI and role."""

    __tablename__ = "credentials"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(128))
    ori: Mapped[str] = mapped_column(String(16), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


__all__ = [
    "Agreement",
    "Base",
    "Case",
    "Credential",
    "CriminalHistoryEntry",
    "CriminalSubject",
    "DetainerRecord",
    "Evidence",
    "ImmigrationEncounter",
    "ImmigrationSubject",
    "Jurisdiction",
    "LogLeaf",
    "LogNode",
    "MessageRecord",
    "OptOutRequest",
    "PolicyDecisionRecord",
    "State",
    "StateBureau",
    "SubjectTemplate",
    "TransactionRecord",
    "TreeHeadRecord",
    "UTCDateTime",
]
