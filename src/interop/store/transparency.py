"""The transparency log of disclosures, kept in the store.

Every message on the bus goes from one agency to another (a *disclosure*),
and every one is appended to the program's Merkle log
(:mod:`interop.audit`): the log's hashes live in ``log_nodes``
(:class:`SqlTreeStore`), each entry's bytes in ``log_leaves``, its signed
heads in ``tree_heads``, and the message keeps its leaf index
(``messages.log_index``).

**Sequencing.** Workers publish messages concurrently, but a Merkle log has
one order. Appending inside each handler's transaction would serialise every
handler on the log; instead a :class:`Sequencer` appends, after the fact,
the messages that have committed and are not yet logged, in batches, and
signs one head per batch. On PostgreSQL the sequencer takes a transaction
advisory lock (another worker already sequencing just skips) and claims the
messages with ``FOR UPDATE SKIP LOCKED``; on SQLite writers are serialised
anyway. Whatever happens, the primary key of ``log_nodes`` refuses a leaf
computed from a stale tree, so a race costs a retry, never a forked log.
A message is therefore logged moments after it is sent, not atomically with
it: :func:`audit` counts the ones still waiting.

**Entries** (:func:`disclosure_entry`) hold identifiers only: the message id,
kind, sender and recipient inboxes (agency roles and ORIs), the booking's
TCN, when it was sent, the SHA-256 of the ANSI/NIST transaction it carried
and of its JSON body, what caused it, and the policy decision that allowed
it (question, rule code, outcome). No names, dates of birth or biometric
data: the body, which may hold extracted features, enters only as a hash.

**Auditing.** :func:`audit` recomputes the whole tree from the entries,
checks every signed head and the consistency between successive heads
(:func:`interop.audit.verify_log`), then checks that every entry still
describes its message as the store holds it now (an edited message, decision
or evidence row shows as a mismatch) and that no message is missing.
:func:`disclosures` gives a booking's entries with inclusion proofs
(:class:`interop.audit.Receipt`) that an outside party checks with the
procedure in ``docs/transparency.md``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text, tuple_, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from interop.audit import (
    AuditReport,
    LogKey,
    Receipt,
    SignedTreeHead,
    StoreError,
    TransparencyLog,
    TreeHead,
    canonical_entry,
    verify_log,
)
from interop.audit.merkle import NodeId, root_subtrees
from interop.audit.store import check_append
from interop.store.database import Store, home
from interop.store.models import (
    Evidence,
    LogLeaf,
    LogNode,
    MessageRecord,
    PolicyDecisionRecord,
    TreeHeadRecord,
)

log = logging.getLogger(__name__)

ENTRY_VERSION = 1
"""Version of the disclosure entry's fields (:func:`disclosure_entry`)."""

LOG_KEY_ENV = "INTEROP_LOG_KEY"
"""Environment variable naming the log's private key file (PKCS#8 PEM)."""

LOG_KEY_FILE = "log-key.pem"
"""The key's file name under ``INTEROP_HOME`` when ``INTEROP_LOG_KEY`` is unset."""

_ADVISORY_LOCK = 0x696E_7465_726F_70  # "interop": one sequencer at a time on PostgreSQL

POLICY_QUESTIONS: Mapping[tuple[str, str, str], str] = {
    ("CAR", "fbi", "ident"): "forward_to_ident",
    ("IAR", "lesc", "field_office"): "priority_level",
    ("IAR", "lesc", "bureau"): "return_iar_to_state",
    ("IAR", "bureau", "booking"): "return_iar_to_state",
    ("DETN", "field_office", "booking"): "detainer",
}
"""The policy question whose decision allowed a message, by (kind, sender
role, recipient role). Messages not listed are sent by the program's rules
alone (a CAR to the bureau, an SRE back)."""


# ----------------------------------------------------------- tree store


class SqlTreeStore:
    """A :class:`interop.audit.TreeStore` over the ``log_nodes`` table.

    Used within one session (one transaction): hashes read or appended are
    cached, and appended ones are written by :meth:`flush` (called by
    :meth:`nodes` and :meth:`size` as needed, and by the sequencer before
    commit), so that a batch of appends costs one ``INSERT`` and at most one
    read of the tree's frontier.

    Parameters
    ----------
    session : Session
    keep_reads : bool
        Cache hashes read from the table (an auditor reading the whole tree
        passes ``False`` to keep memory flat).
    """

    def __init__(self, session: Session, *, keep_reads: bool = True) -> None:
        self._session = session
        self._keep_reads = keep_reads
        self._size: int | None = None
        self._cache: dict[NodeId, bytes] = {}
        self._pending: list[dict[str, Any]] = []

    def size(self) -> int:
        """Number of leaves (read once per store object, then counted)."""
        if self._size is None:
            top = self._session.scalar(select(func.max(LogNode.index)).where(LogNode.level == 0))
            self._size = 0 if top is None else int(top) + 1
        return self._size

    def append_leaf(self, index: int, leaf_hash: bytes, completed: Sequence[bytes]) -> None:
        """Append leaf ``index`` and the subtrees it completes (buffered until :meth:`flush`)."""
        hashes = check_append(index, self.size(), leaf_hash, completed)
        for level, h in enumerate(hashes):
            node = NodeId(level, index >> level)
            self._cache[node] = h
            self._pending.append({"level": level, "index": node.index, "hash": h})
        self._size = index + 1

    def nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        """The stored hashes of ``ids``, in order (one query for those not cached)."""
        missing = [node for node in dict.fromkeys(ids) if node not in self._cache]
        found: dict[NodeId, bytes] = {}
        if missing:
            self.flush()
            for start in range(0, len(missing), 500):
                chunk = missing[start : start + 500]
                rows = self._session.execute(
                    select(LogNode.level, LogNode.index, LogNode.hash).where(
                        tuple_(LogNode.level, LogNode.index).in_(
                            [(n.level, n.index) for n in chunk]
                        )
                    )
                )
                for level, index, h in rows:
                    found[NodeId(int(level), int(index))] = bytes(h)
            if self._keep_reads:
                self._cache.update(found)
        out = []
        for node in ids:
            stored = self._cache.get(node) or found.get(node)
            if stored is None:
                raise StoreError(f"no stored subtree at level {node.level}, index {node.index}")
            out.append(stored)
        return out

    def flush(self) -> None:
        """Write the appended hashes (a stale append fails here on the primary key)."""
        if self._pending:
            rows, self._pending = self._pending, []
            self._session.execute(insert(LogNode), rows)


# ------------------------------------------------------------- entries


def _json_sha256(body: Mapping[str, Any]) -> str:
    text_ = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text_.encode("utf-8")).hexdigest()


def _epoch_ms(at: datetime) -> int:
    return (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def _role(inbox: str) -> str:
    return inbox.partition(":")[0]


def policy_question(message: MessageRecord) -> str | None:
    """The policy question whose decision allowed ``message``, if any (:data:`POLICY_QUESTIONS`)."""
    key = (message.kind, _role(message.sender), _role(message.recipient))
    return POLICY_QUESTIONS.get(key)


def disclosure_entry(message: MessageRecord, decision: PolicyDecisionRecord | None) -> bytes:
    """The canonical log entry of one message (identifiers and hashes only).

    Parameters
    ----------
    message : MessageRecord
    decision : PolicyDecisionRecord or None
        The decision answering :func:`policy_question` for the message's TCN.

    Returns
    -------
    bytes
        :func:`interop.audit.canonical_entry` of the fields in the module docstring.
    """
    fields: dict[str, object] = {
        "type": "disclosure",
        "v": ENTRY_VERSION,
        "message_id": message.id,
        "kind": message.kind,
        "sender": message.sender,
        "recipient": message.recipient,
        "tcn": message.tcn,
        "sent_at_ms": _epoch_ms(message.created_at),
        "body_sha256": _json_sha256(message.body or {}),
    }
    if message.caused_by:
        fields["caused_by"] = message.caused_by
    if message.evidence_sha256:
        fields["transaction_sha256"] = message.evidence_sha256
    question = policy_question(message)
    if question is not None:
        fields["policy_question"] = question
        if decision is not None:
            fields["policy_rule"] = decision.rule
            fields["policy_allowed"] = int(decision.allowed)
    return canonical_entry(fields)


def _decisions_for(
    session: Session, messages: Sequence[MessageRecord]
) -> dict[tuple[str, str], PolicyDecisionRecord]:
    """The policy decisions the messages' entries name, by (TCN, question)."""
    tcns = sorted({m.tcn for m in messages if policy_question(m) is not None})
    found: dict[tuple[str, str], PolicyDecisionRecord] = {}
    for start in range(0, len(tcns), 500):
        for d in session.scalars(
            select(PolicyDecisionRecord).where(
                PolicyDecisionRecord.tcn.in_(tcns[start : start + 500])
            )
        ):
            found[(d.tcn, d.question)] = d
    return found


def _entry_of(
    message: MessageRecord, decisions: Mapping[tuple[str, str], PolicyDecisionRecord]
) -> bytes:
    question = policy_question(message)
    decision = decisions.get((message.tcn, question)) if question else None
    return disclosure_entry(message, decision)


# ----------------------------------------------------------------- key


def log_key_path(home_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where the log's private key is: ``INTEROP_LOG_KEY``, else ``INTEROP_HOME/log-key.pem``."""
    named = os.environ.get(LOG_KEY_ENV)
    if named:
        return Path(named)
    return Path(home_dir) / LOG_KEY_FILE if home_dir is not None else home() / LOG_KEY_FILE


def load_or_create_log_key(path: str | os.PathLike[str] | None = None) -> LogKey:
    """The log's signing key, created (mode 0600) on first use.

    Several processes starting together agree on one key: a new key is
    written to a temporary file and linked into place only if no key is
    there yet (``os.link`` fails on an existing name), and every process
    then reads the file that won.
    """
    target = Path(path) if path is not None else log_key_path()
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        LogKey.generate().save(tmp, overwrite=True)
        try:
            os.link(tmp, target)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return LogKey.load(target)


# ----------------------------------------------------------- sequencer


def _stored_head(row: TreeHeadRecord) -> SignedTreeHead:
    return SignedTreeHead(
        TreeHead(int(row.size), bytes(row.root), int(row.timestamp_ms)),
        bytes(row.signature),
        bytes(row.key_id),
    )


@dataclass
class Sequencer:
    """Appends committed, unlogged messages to the log and signs a head per batch.

    Parameters
    ----------
    key : LogKey
        The log's signing key (:func:`load_or_create_log_key`).
    batch : int
        Messages appended per transaction.
    """

    key: LogKey
    batch: int = 512
    appended: int = field(default=0, init=False)

    def run(self, store: Store, *, max_batches: int | None = None) -> int:
        """Append every message not yet logged (batch by batch); returns how many.

        Returns 0 at once when another process holds the sequencer's lock.
        A batch that loses a race (its tree went stale) is rolled back and
        left for the next call.
        """
        total = 0
        done = 0
        while max_batches is None or done < max_batches:
            try:
                with store.session() as session:
                    n = self._append_batch(session)
            except (IntegrityError, OperationalError, StoreError) as exc:
                log.info(
                    "log sequencing batch lost a race (%s); retrying later", type(exc).__name__
                )
                break
            total += n
            done += 1
            if n < self.batch:
                break
        self.appended += total
        return total

    def _append_batch(self, session: Session) -> int:
        if session.get_bind().dialect.name == "postgresql":
            got = session.scalar(
                text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _ADVISORY_LOCK}
            )
            if not got:
                return 0
        query = (
            select(MessageRecord)
            .where(MessageRecord.log_index.is_(None))
            .order_by(MessageRecord.created_at, MessageRecord.id)
            .limit(self.batch)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=MessageRecord)
        messages = list(session.scalars(query))
        if not messages:
            return 0
        decisions = _decisions_for(session, messages)
        tree = SqlTreeStore(session)
        # read the frontier once: every append of the batch then hits the cache
        tree.nodes(root_subtrees(tree.size()))
        transparency = TransparencyLog(tree, self.key)
        leaves: list[dict[str, Any]] = []
        for m in messages:
            entry = _entry_of(m, decisions)
            index = transparency.append(entry)
            leaves.append(
                {
                    "index": index,
                    "leaf_hash": tree.nodes([NodeId(0, index)])[0],
                    "entry": entry,
                    "tcn": m.tcn,
                    "message_id": m.id,
                }
            )
        tree.flush()
        session.execute(insert(LogLeaf), leaves)
        session.execute(
            update(MessageRecord),
            [{"id": leaf["message_id"], "log_index": leaf["index"]} for leaf in leaves],
        )
        sth = transparency.head()
        session.add(
            TreeHeadRecord(
                size=sth.head.size,
                root=sth.head.root,
                timestamp_ms=sth.head.timestamp_ms,
                signature=sth.signature,
                key_id=sth.key_id,
            )
        )
        return len(messages)


# ------------------------------------------------------ reading the log


def latest_head(session: Session) -> SignedTreeHead | None:
    """The largest signed head the log has published, if any."""
    row = session.scalars(select(TreeHeadRecord).order_by(TreeHeadRecord.size.desc())).first()
    return _stored_head(row) if row is not None else None


def signed_heads(session: Session) -> list[SignedTreeHead]:
    """Every published head, in order of size."""
    return [
        _stored_head(r)
        for r in session.scalars(select(TreeHeadRecord).order_by(TreeHeadRecord.size))
    ]


@dataclass(frozen=True)
class Disclosure:
    """One message of a booking as the log holds it.

    Attributes
    ----------
    message_id, kind, sender, recipient : str
    index : int
        Its leaf index.
    receipt : Receipt or None
        Entry, inclusion proof and signed head; ``None`` while no published
        head covers the leaf yet.
    """

    message_id: str
    kind: str
    sender: str
    recipient: str
    index: int
    receipt: Receipt | None


def disclosures(
    session: Session, tcn: str, *, messages: Sequence[str] | None = None
) -> list[Disclosure]:
    """A booking's logged messages with inclusion proofs against the latest head.

    Parameters
    ----------
    session : Session
    tcn : str
        The booking's TCN.
    messages : sequence of str, optional
        Only these message ids (what the caller may see).
    """
    query = (
        select(LogLeaf, MessageRecord)
        .join(MessageRecord, MessageRecord.id == LogLeaf.message_id)
        .where(LogLeaf.tcn == tcn)
        .order_by(LogLeaf.index)
    )
    if messages is not None:
        query = query.where(LogLeaf.message_id.in_(list(messages)))
    head = latest_head(session)
    reader = TransparencyLog(SqlTreeStore(session), None)
    out = []
    for leaf, message in session.execute(query):
        receipt = None
        if head is not None and leaf.index < head.head.size:
            proof = reader.inclusion_proof(int(leaf.index), head.head.size)
            receipt = Receipt(bytes(leaf.entry), proof, head)
        out.append(
            Disclosure(
                message.id,
                message.kind,
                message.sender,
                message.recipient,
                int(leaf.index),
                receipt,
            )
        )
    return out


# -------------------------------------------------------------- audit


@dataclass(frozen=True)
class StoreAudit:
    """What :func:`audit` found.

    Attributes
    ----------
    log : AuditReport
        The Merkle audit of entries, stored hashes and signed heads.
    size : int
        Leaves in the log.
    heads : int
        Signed heads published.
    unlogged : int
        Messages not yet appended (the sequencer's backlog; not an error).
    mismatches : list of str
        Entries that no longer describe their message as stored, messages
        whose recorded leaf is not theirs, and stored transactions whose
        bytes no longer give their SHA-256 (at most 20 listed).
    mismatch_count : int
    """

    log: AuditReport
    size: int
    heads: int
    unlogged: int
    mismatches: list[str]
    mismatch_count: int

    @property
    def ok(self) -> bool:
        """True when the log verifies and every entry matches its message."""
        return self.log.ok and self.mismatch_count == 0


def _leaf_entries(store: Store, chunk: int = 2048) -> Iterator[bytes]:
    last = -1
    while True:
        with store.session() as session:
            rows = session.execute(
                select(LogLeaf.index, LogLeaf.entry)
                .where(LogLeaf.index > last)
                .order_by(LogLeaf.index)
                .limit(chunk)
            ).all()
        if not rows:
            return
        for index, entry in rows:
            if int(index) != last + 1:
                raise StoreError(f"log_leaves has no entry at index {last + 1}")
            last = int(index)
            yield bytes(entry)


def audit(store: Store, public_key: bytes, *, chunk: int = 2048) -> StoreAudit:
    """Verify the whole log and that every entry still matches the store.

    Parameters
    ----------
    store : Store
    public_key : bytes
        The log's raw 32-byte Ed25519 public key.
    chunk : int
        Rows read per query.
    """
    with store.session() as session:
        heads = signed_heads(session)
        tree = SqlTreeStore(session, keep_reads=False)
        size = tree.size()
        report = verify_log(tree, _leaf_entries(store, chunk), heads, public_key, chunk=chunk)
        unlogged = session.scalar(
            select(func.count()).select_from(MessageRecord).where(MessageRecord.log_index.is_(None))
        )
    mismatches: list[str] = []
    count = 0
    last = -1
    while True:
        with store.session() as session:
            rows = session.execute(
                select(LogLeaf, MessageRecord)
                .outerjoin(MessageRecord, MessageRecord.id == LogLeaf.message_id)
                .where(LogLeaf.index > last)
                .order_by(LogLeaf.index)
                .limit(chunk)
            ).all()
            if not rows:
                break
            found = [m for _, m in rows if m is not None]
            decisions = _decisions_for(session, found)
        for leaf, message in rows:
            last = int(leaf.index)
            problem = None
            if message is None:
                problem = f"leaf {leaf.index}: its message {leaf.message_id} is not in the store"
            elif message.log_index != leaf.index:
                problem = (
                    f"leaf {leaf.index}: message {message.id} records leaf {message.log_index}"
                )
            elif _entry_of(message, decisions) != bytes(leaf.entry):
                problem = f"leaf {leaf.index}: message {message.id} no longer matches its entry"
            if problem is not None:
                count += 1
                if len(mismatches) < 20:
                    mismatches.append(problem)
    for problem in _evidence_problems(store):
        count += 1
        if len(mismatches) < 20:
            mismatches.append(problem)
    return StoreAudit(report, size, len(heads), int(unlogged or 0), mismatches, count)


def _evidence_problems(store: Store) -> Iterator[str]:
    """Stored transactions whose bytes no longer hash to their key (the
    entries name transactions by SHA-256, so the bytes must still give it)."""
    last = ""
    while True:
        with store.session() as session:
            rows = session.execute(
                select(Evidence.sha256, Evidence.data)
                .where(Evidence.sha256 > last)
                .order_by(Evidence.sha256)
                .limit(64)
            ).all()
        if not rows:
            return
        for sha, data in rows:
            last = sha
            if hashlib.sha256(bytes(data)).hexdigest() != sha:
                yield f"transaction {sha[:16]}...: its stored bytes no longer have this SHA-256"


__all__ = [
    "ENTRY_VERSION",
    "LOG_KEY_ENV",
    "POLICY_QUESTIONS",
    "Disclosure",
    "Sequencer",
    "SqlTreeStore",
    "StoreAudit",
    "audit",
    "disclosure_entry",
    "disclosures",
    "latest_head",
    "load_or_create_log_key",
    "log_key_path",
    "policy_question",
    "signed_heads",
]
