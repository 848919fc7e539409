"""The durable message bus: inboxes are rows of the store's ``messages`` table.

Life of a message::

    pending --claim--> leased --done--> done
       ^                 |
       +--- retry -------+  (error: back to pending after a backoff;
                            after ``max_attempts`` errors: dead, with the error)

* **Durable**: a message exists once the transaction that published it has
  committed, in the same transaction as the state change that caused it.
* **At least once**: a claim is a lease (``lease_until``); a worker that dies
  leaves the lease to expire and another worker claims the message again.
* **Idempotent**: a message's id is derived from the id of the message
  whose handling published it and its position among that handler's
  outputs (:func:`message_id`), so a handler run twice publishes the same
  ids, and :meth:`Bus.publish` skips ids already present. A handler's
  effects and the ``done`` mark commit in one transaction, so a message
  whose handling committed is never handled again.

PostgreSQL claims with ``FOR UPDATE SKIP LOCKED`` so that N worker
processes share the inboxes; SQLite has one writer at a time and needs
nothing more.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from interop.store.models import Evidence, MessageRecord

MAX_ERROR_CHARS = 2000


def utcnow() -> datetime:
    return datetime.now(UTC)


def message_id(parent: str, position: int, kind: str, recipient: str) -> str:
    """The id of the ``position``-th message a handler publishes while handling
    ``parent`` (a message id, or ``"submit:<sha256>"`` for a submission)."""
    digest = hashlib.sha256(f"{parent}\x1f{position}\x1f{kind}\x1f{recipient}".encode())
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class Outgoing:
    """A message a handler wants sent.

    Attributes
    ----------
    kind : str
        Message type: ``CAR``, ``SRE``, ``ERRT``, ``IDR``, ``IAQ``, ``IAR``,
        ``DETN``, or an internal step (``SEARCH``).
    recipient : str
        Inbox: an agency role and ORI, ``"fbi:WVIAFIS0Z"``.
    tcn : str
        The booking's transaction control number.
    body : dict
        JSON-friendly fields the recipient needs besides the transaction.
    transaction : bytes or None
        The ANSI/NIST transaction carried, kept as evidence by SHA-256.
    """

    kind: str
    recipient: str
    tcn: str
    body: dict[str, Any] = field(default_factory=dict)
    transaction: bytes | None = None


@dataclass(frozen=True)
class Delivery:
    """A claimed message, as a handler sees it."""

    id: str
    kind: str
    sender: str
    recipient: str
    tcn: str
    body: dict[str, Any]
    attempts: int
    transaction: bytes | None


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff between attempts: ``base * 2**(attempt-1)``, capped; dead after
    ``max_attempts`` errors. Seconds."""

    base_s: float = 1.0
    cap_s: float = 300.0
    max_attempts: int = 5
    lease_s: float = 60.0

    def delay(self, attempt: int) -> timedelta:
        return timedelta(seconds=min(self.cap_s, self.base_s * 2 ** max(0, attempt - 1)))


def insert_ignoring_duplicates(
    session: Session, model: type[Any], rows: Sequence[dict[str, Any]]
) -> None:
    """``INSERT`` ``rows`` into ``model``'s table in one statement, skipping rows
    whose primary key is already there (``ON CONFLICT DO NOTHING``, PostgreSQL
    and SQLite): one round trip instead of a read and a write per row."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        statement: Any = postgresql_insert(model)
    else:
        statement = sqlite_insert(model)
    session.execute(statement.on_conflict_do_nothing(), list(rows))


def keep_evidence(session: Session, data: bytes, now: datetime | None = None) -> str:
    """Store ``data`` once, by its SHA-256; returns the hex digest.

    Digests already stored or read in this session (a relay forwarding the
    bytes it received) are not sent to the database again.
    """
    digest = hashlib.sha256(data).hexdigest()
    known = _known_evidence(session)
    if digest not in known:
        row = {"sha256": digest, "size": len(data), "data": data, "first_seen_at": now or utcnow()}
        insert_ignoring_duplicates(session, Evidence, [row])
        known.add(digest)
    return digest


def _known_evidence(session: Session) -> set[str]:
    known: set[str] = session.info.setdefault("interop.evidence", set())
    return known


class Bus:
    """Publishing, claiming and settling messages in a session's transaction."""

    def __init__(self, retry: RetryPolicy | None = None) -> None:
        self.retry = retry or RetryPolicy()

    def publish(
        self,
        session: Session,
        messages: Sequence[Outgoing],
        *,
        sender: str,
        parent: str,
        now: datetime | None = None,
    ) -> list[str]:
        """Add ``messages`` (ids derived from ``parent``); ids already present
        are skipped. Returns the ids."""
        return self.publish_many(session, [(messages, sender, parent)], now=now)[0]

    def publish_many(
        self,
        session: Session,
        batches: Sequence[tuple[Sequence[Outgoing], str, str]],
        *,
        now: datetime | None = None,
        owner: str | None = None,
        keep: Callable[[str], bool] | None = None,
    ) -> list[list[str]]:
        """:meth:`publish` for several handlings at once, in one statement:
        ``batches`` holds (messages, sender, parent) each. Returns the ids, by batch.

        The messages are claimed and listed in the order given: the n-th is
        created and available ``n`` microseconds after ``now`` (claims take the
        earliest first; a booking's journey sorts by creation).

        With ``owner``, the messages whose recipient ``keep`` accepts are
        published already leased to ``owner`` (as :meth:`claim` would lease
        them): the worker that publishes a booking's next step handles it
        next, with what it has just parsed and built still in its caches,
        and without another claim. If it dies first, the lease expires and
        any worker claims them, as for any lease. A message whose id was
        already there keeps its row (:meth:`open_many` then does not give it
        to ``owner``).
        """
        now = now or utcnow()
        lease_until = now + timedelta(seconds=self.retry.lease_s)
        ids: list[list[str]] = []
        rows: list[dict[str, Any]] = []
        for messages, sender, parent in batches:
            ids.append([])
            for k, m in enumerate(messages):
                mid = message_id(parent, k, m.kind, m.recipient)
                ids[-1].append(mid)
                sha = keep_evidence(session, m.transaction, now) if m.transaction else None
                at = now + timedelta(microseconds=len(rows))
                rows.append(
                    {
                        "id": mid,
                        "kind": m.kind,
                        "sender": sender,
                        "recipient": m.recipient,
                        "tcn": m.tcn,
                        "caused_by": parent,
                        "evidence_sha256": sha,
                        "body": m.body,
                        "status": "pending",
                        "attempts": 0,
                        "available_at": at,
                        "created_at": at,  # a booking's journey lists them in this order
                        "lease_owner": None,
                        "lease_until": None,
                    }
                )
                if owner is not None and keep is not None and keep(m.recipient):
                    rows[-1].update(status="leased", lease_owner=owner, lease_until=lease_until)
        insert_ignoring_duplicates(session, MessageRecord, rows)
        return ids

    def claim(
        self,
        session: Session,
        owner: str,
        *,
        limit: int = 16,
        recipients: Iterable[str] | None = None,
        now: datetime | None = None,
    ) -> list[str]:
        """Lease up to ``limit`` due messages to ``owner``; returns their ids.

        Due: pending and available, or leased with an expired lease (its
        worker died).
        """
        now = now or utcnow()
        due = or_(
            and_(MessageRecord.status == "pending", MessageRecord.available_at <= now),
            and_(MessageRecord.status == "leased", MessageRecord.lease_until < now),
        )
        query = select(MessageRecord.id).where(due)
        if recipients is not None:
            query = query.where(MessageRecord.recipient.in_(list(recipients)))
        query = query.order_by(MessageRecord.available_at, MessageRecord.id).limit(limit)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(session.scalars(query))
        if not ids:
            return []
        claimed = session.scalars(
            update(MessageRecord)
            .where(MessageRecord.id.in_(ids), due)  # still due: no other worker took it
            .values(
                status="leased",
                lease_owner=owner,
                lease_until=now + timedelta(seconds=self.retry.lease_s),
            )
            .returning(MessageRecord.id),
            execution_options={"synchronize_session": False},  # nothing loaded: a fresh session
        )
        return sorted(claimed, key=ids.index)

    def open(self, session: Session, mid: str, owner: str) -> Delivery | None:
        """The message ``mid`` if ``owner`` still holds its lease (locked for the
        rest of the transaction on PostgreSQL), else ``None``."""
        found = self.open_many(session, [mid], owner)
        return found[0] if found else None

    def open_many(self, session: Session, mids: Sequence[str], owner: str) -> list[Delivery]:
        """:meth:`open` for several messages in one statement: those ``owner``
        still holds, in the order of ``mids``."""
        query = (
            select(MessageRecord, Evidence.data)
            .outerjoin(Evidence, Evidence.sha256 == MessageRecord.evidence_sha256)
            .where(MessageRecord.id.in_(list(mids)))
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(of=MessageRecord)
        held = {}
        for record, data in session.execute(query):
            if record.status != "leased" or record.lease_owner != owner:
                continue
            if record.evidence_sha256 is not None and data is not None:
                _known_evidence(session).add(record.evidence_sha256)
            held[record.id] = Delivery(
                id=record.id,
                kind=record.kind,
                sender=record.sender,
                recipient=record.recipient,
                tcn=record.tcn,
                body=dict(record.body or {}),
                attempts=record.attempts,
                transaction=data,
            )
        return [held[mid] for mid in mids if mid in held]

    def release(self, session: Session, mids: Sequence[str], owner: str) -> int:
        """Hand back the messages of ``mids`` that ``owner`` still holds,
        unhandled: pending again, claimable at once by any worker. Returns how many."""
        if not mids:
            return 0
        result = session.execute(
            update(MessageRecord)
            .where(
                MessageRecord.id.in_(list(mids)),
                MessageRecord.status == "leased",
                MessageRecord.lease_owner == owner,
            )
            .values(status="pending", lease_owner=None, lease_until=None),
            execution_options={"synchronize_session": False},
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def done(self, session: Session, mid: str, now: datetime | None = None) -> None:
        """Mark ``mid`` handled (in the transaction that applied its effects)."""
        self.done_many(session, [mid], now)

    def done_many(self, session: Session, mids: Sequence[str], now: datetime | None = None) -> None:
        """Mark ``mids`` handled, in one statement."""
        if not mids:
            return
        session.execute(
            update(MessageRecord)
            .where(MessageRecord.id.in_(list(mids)))
            .values(status="done", done_at=now or utcnow(), lease_owner=None, lease_until=None),
            # the handler is through with the message: no loaded copy to keep in step
            execution_options={"synchronize_session": False},
        )

    def fail(self, session: Session, mid: str, error: str, now: datetime | None = None) -> str:
        """Record an error: back to pending after the backoff, or dead after
        ``max_attempts``. Returns the new status."""
        now = now or utcnow()
        record = session.get(MessageRecord, mid)
        if record is None:
            raise KeyError(mid)
        attempts = record.attempts + 1
        status = "dead" if attempts >= self.retry.max_attempts else "pending"
        record.attempts = attempts
        record.status = status
        record.last_error = error[:MAX_ERROR_CHARS]
        record.available_at = now + self.retry.delay(attempts)
        record.lease_owner = None
        record.lease_until = None
        return status

    def counts(self, session: Session) -> dict[str, int]:
        """Messages by status."""
        rows = session.execute(
            select(MessageRecord.status, func.count()).group_by(MessageRecord.status)
        )
        return {status: int(n) for status, n in rows}
