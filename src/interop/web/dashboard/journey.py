"""A booking's journey: its messages, policy decisions, detainer and log proofs.

The proofs are the receipts of :func:`interop.store.transparency.disclosures`
(the same as ``GET /log/disclosures/{tcn}``): for each disclosure, its
entry, leaf index, the tree size and root of the latest signed head, and
the audit path. The page recomputes each root from the entry and the path
(:func:`interop.audit.merkle.root_from_inclusion_proof`) and checks the
head's signature when the app knows the log's key, and says so; the point
of a receipt, though, is that anyone can check it without trusting this
server, so the page also says how (:func:`check_procedure`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from interop.audit import ProofError, SignatureError, leaf_hash, verify_tree_head
from interop.audit.merkle import root_from_inclusion_proof
from interop.store.transparency import Disclosure
from interop.web.dashboard.html import Markup, el, link, table, url
from interop.web.dashboard.layout import (
    day,
    duration,
    empty,
    hash_text,
    instant,
    level_name,
    yes_no,
)
from interop.web.dashboard.queries import Journey

__all__ = ["ProofCheck", "booking_page", "check_disclosure", "check_procedure", "proofs_page"]

QUESTIONS = {
    "forward_to_ident": "Forward the booking's prints to IDENT?",
    "priority_level": "Which priority level, and may ICE act on it?",
    "return_iar_to_state": "Return ICE's response (IAR) to the state?",
    "detainer": "Lodge a detainer?",
}
"""The policy questions, in words."""


def _inbox(name: str) -> str:
    role, _, ori = name.partition(":")
    return f"{role} {ori}" if ori else role


@dataclass(frozen=True)
class ProofCheck:
    """What the server found when it checked one receipt.

    Attributes
    ----------
    path_ok : bool
        The audit path leads from the entry's leaf hash to the head's root.
    signature_ok : bool or None
        The head's signature verifies with the log's key (``None``: no key).
    computed_root : str
        The root the path leads to (hex; empty when the path is malformed).
    leaf : str
        The entry's leaf hash (hex).
    """

    path_ok: bool
    signature_ok: bool | None
    computed_root: str
    leaf: str


def check_disclosure(disclosure: Disclosure, public_key: bytes | None) -> ProofCheck | None:
    """Recompute a disclosure's root from its entry and audit path (``None``: no receipt)."""
    receipt = disclosure.receipt
    if receipt is None:
        return None
    leaf = leaf_hash(receipt.entry)
    try:
        root = root_from_inclusion_proof(
            leaf, receipt.proof.leaf_index, receipt.proof.tree_size, receipt.proof.audit_path
        )
    except ProofError:
        return ProofCheck(False, None, "", leaf.hex())
    path_ok = root == receipt.head.head.root and receipt.proof.tree_size == receipt.head.head.size
    signature_ok = None
    if public_key is not None:
        try:
            verify_tree_head(receipt.head, public_key)
            signature_ok = True
        except SignatureError:
            signature_ok = False
    return ProofCheck(path_ok, signature_ok, root.hex(), leaf.hex())


def check_procedure(root: str) -> Markup:
    """How to check a receipt, in five steps (``docs/transparency.md`` in full)."""
    return el(
        "section",
        el("h2", "How to check a proof", id="how-heading"),
        el(
            "p",
            "A receipt proves that the log signed a tree containing the entry. Check it "
            "without trusting this server, with SHA-256 and an Ed25519 library "
            "(the project's docs/transparency.md has the procedure as a short Python "
            "program):",
        ),
        el(
            "ol",
            el(
                "li",
                "Get the log's public key out of band (also at ",
                el("code", "GET /log/public-key"),
                ") and check that the head's key id is the SHA-256 of the raw 32-byte key.",
            ),
            el(
                "li",
                "Rebuild the 50 signed bytes: 0x00, 0x01, the timestamp (8 bytes), the tree "
                "size (8 bytes), the root (32 bytes), big-endian; check the Ed25519 "
                "signature over them.",
            ),
            el("li", "Check that the proof's tree size is the signed head's."),
            el(
                "li",
                "Hash the entry: leaf = SHA-256(0x00 || entry). Walk the audit path from the "
                "leaf upwards (RFC 9162 section 2.1.3.2): with fn = leaf index and "
                "sn = tree size - 1, for each hash p: if fn is odd or fn = sn, the node is "
                "SHA-256(0x01 || p || node) and, while fn is even and not 0, halve fn and sn; "
                "otherwise the node is SHA-256(0x01 || node || p); then halve fn and sn. "
                "At the end sn must be 0 and the node must equal the signed root.",
            ),
            el(
                "li",
                "Read the entry (canonical JSON) and check that it names the disclosure: its "
                "TCN, inboxes, message kind and hashes.",
            ),
        ),
        el(
            "p",
            "Every receipt of a booking, as JSON in the format of the procedure, is at its ",
            el("code", "receipts"),
            " link on the booking's page (and, for an API caller who may see the booking, at ",
            el("code", "GET /log/disclosures/{tcn}"),
            ").",
        ),
        aria_labelledby="how-heading",
    )


def proofs_page(root: str) -> list[Markup]:
    """The procedure on a page of its own."""
    return [
        el(
            "p",
            "Every message that crosses an agency boundary is a disclosure and is appended to "
            "an append-only Merkle log (RFC 9162 tree hashes, Ed25519-signed tree heads). A "
            "booking's page lists its disclosures with their inclusion proofs.",
        ),
        check_procedure(root),
    ]


def _proof(disclosure: Disclosure, check: ProofCheck | None) -> Markup:
    """One disclosure's proof, folded: the summary names it and says whether it verified."""
    name = (
        f"Leaf {disclosure.index}: {disclosure.kind} from {_inbox(disclosure.sender)} "
        f"to {_inbox(disclosure.recipient)}"
    )
    receipt = disclosure.receipt
    if receipt is None or check is None:
        return el(
            "details",
            el("summary", f"{name}: no receipt yet"),
            el("p", "No signed head covers this leaf yet: its receipt comes moments later."),
            class_="proof",
        )
    head = receipt.head
    verdict = "yes" if check.path_ok else "NO"
    signature = {True: "valid", False: "INVALID", None: "not checked (no key)"}[check.signature_ok]
    try:
        entry = receipt.entry.decode("utf-8")
    except UnicodeDecodeError:
        entry = receipt.entry.hex()
    return el(
        "details",
        el(
            "summary",
            name,
            ": ",
            el(
                "span",
                "verified" if check.path_ok and check.signature_ok is not False else "NOT verified",
                class_="allowed" if check.path_ok else "refused",
            ),
        ),
        el(
            "dl",
            el("dt", "Leaf index"),
            el("dd", str(receipt.proof.leaf_index)),
            el("dt", "Tree size"),
            el("dd", str(receipt.proof.tree_size)),
            el("dt", "Root hash"),
            el("dd", hash_text(head.head.root.hex())),
            el("dt", f"Audit path ({len(receipt.proof.audit_path)} hashes, leaf upwards)"),
            el(
                "dd",
                el("ol", [el("li", hash_text(h.hex())) for h in receipt.proof.audit_path])
                if receipt.proof.audit_path
                else "empty (the tree has one leaf)",
            ),
            el("dt", "Entry (the exact bytes hashed: canonical JSON)"),
            el("dd", el("pre", el("code", entry), class_="entry")),
            el("dt", "Leaf hash"),
            el("dd", hash_text(check.leaf)),
            el("dt", "Head signed at"),
            el("dd", instant_ms(head.head.timestamp_ms)),
            el("dt", "Key id"),
            el("dd", hash_text(head.key_id.hex())),
            el("dt", "Head signature"),
            el("dd", hash_text(head.signature.hex())),
            el("dt", "Recomputed here"),
            el(
                "dd",
                el(
                    "span",
                    f"path leads to the signed root: {verdict}",
                    class_="allowed" if check.path_ok else "refused",
                ),
                f"; head signature: {signature}",
            ),
            class_="facts",
        ),
        class_="proof",
    )


def instant_ms(ms: int) -> str:
    """Milliseconds since 1970 as an instant (:func:`~interop.web.dashboard.layout.instant`)."""
    return instant(datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms))


def booking_page(
    journey: Journey,
    root: str,
    public_key: bytes | None,
    *,
    place_name: str | None = None,
    state_name: str | None = None,
) -> list[Markup]:
    """Everything about one booking that the operator may see, in order.

    Parameters
    ----------
    journey : Journey
    root : str
        The dashboard's path.
    public_key : bytes, optional
        The log's key, to check the heads' signatures.
    place_name, state_name : str, optional
        The jurisdiction's and the state's names, for the links.
    """
    place_name = place_name or journey.ori
    state_name = state_name or journey.state
    b = journey.booking
    facts = el(
        "dl",
        el("dt", "TCN"),
        el("dd", b.tcn),
        el("dt", "Jurisdiction"),
        el("dd", link(f"{place_name} ({journey.ori})", url(f"{root}/jurisdictions", journey.ori))),
        el("dt", "State"),
        el("dd", link(state_name, url(f"{root}/states", journey.state))),
        el("dt", "Booked on"),
        el("dd", day(b.booked_on)),
        el("dt", "Submitted at"),
        el("dd", instant(b.submitted_at)),
        el("dt", "Stage"),
        el("dd", b.stage + (" (final)" if b.final else "")),
        el("dt", "Forwarded to IDENT"),
        el("dd", yes_no(b.forwarded_to_ident)),
        el("dt", "IDENT match"),
        el("dd", yes_no(b.ident_match)),
        el("dt", "Priority level"),
        el("dd", level_name(b.priority_level)),
        el("dt", "Last response"),
        el("dd", instant(journey.last_response_at) or "-"),
        class_="facts",
    )
    first = journey.messages[0].created_at if journey.messages else None
    message_rows = [
        [
            str(i),
            m.kind,
            _inbox(m.sender),
            _inbox(m.recipient),
            instant(m.created_at),
            instant(m.done_at) or m.status,
            duration(m.done_at - m.created_at) if m.done_at else "-",
            duration(m.created_at - first) if first is not None else "-",
            "-" if m.log_index is None else str(m.log_index),
        ]
        for i, m in enumerate(journey.messages, 1)
    ]
    decision_rows = [
        [
            QUESTIONS.get(d.question, d.question),
            el("code", d.rule),
            el("span", "allowed", class_="allowed")
            if d.allowed
            else el("span", "refused", class_="refused"),
            d.reason,
            instant(d.decided_at),
        ]
        for d in journey.decisions
    ]
    detainer: Markup
    if journey.detainer is None:
        detainer = empty("No detainer was lodged for this booking.")
    else:
        d = journey.detainer
        detainer = el(
            "dl",
            el("dt", "Field office"),
            el("dd", d.field_office),
            el("dt", "Lodged with"),
            el("dd", d.ori),
            el("dt", "Lodged at"),
            el("dd", instant(d.lodged_at)),
            el("dt", "Scheduled release"),
            el("dd", instant(d.scheduled_release) or "-"),
            el("dt", "Hold expires at"),
            el("dd", instant(d.expires_at) or "-"),
            el("dt", "Status"),
            el("dd", d.status),
            el("dt", "Ended at"),
            el("dd", instant(d.ended_at) or "-"),
            class_="facts",
        )
    checks = [check_disclosure(d, public_key) for d in journey.disclosures]
    verified = sum(1 for c in checks if c is not None and c.path_ok)
    pending = sum(1 for c in checks if c is None)
    return [
        facts,
        el(
            "section",
            el("h2", "Messages", id="messages-heading"),
            el(
                "p",
                "Every message about this booking, in the order sent: from one agency's inbox "
                "to another's. \u201cTook\u201d is how long the message waited until its "
                "recipient had handled it.",
            ),
            table(
                f"Messages of booking {b.tcn}",
                [
                    "Step",
                    "Kind",
                    "From",
                    "To",
                    "Sent",
                    "Handled",
                    "Took",
                    "Since submission",
                    "Log leaf",
                ],
                message_rows,
                numeric=(0, 6, 7, 8),
            ),
            aria_labelledby="messages-heading",
        ),
        el(
            "section",
            el("h2", "Policy decisions", id="decisions-heading"),
            table(
                f"Policy decisions on booking {b.tcn}",
                ["Question", "Rule", "Outcome", "Reason", "Decided at"],
                decision_rows,
            ),
            aria_labelledby="decisions-heading",
        ),
        el(
            "section",
            el("h2", "Detainer", id="detainer-heading"),
            detainer,
            aria_labelledby="detainer-heading",
        ),
        el(
            "section",
            el("h2", "Transparency log: inclusion proofs", id="proofs-heading"),
            el(
                "p",
                f"{len(journey.disclosures)} of this booking's {len(journey.messages)} "
                f"messages are in the log; the audit path of {verified} leads to the root "
                "of the latest signed head"
                + (f"; {pending} await a signed head" if pending else "")
                + (f"; {journey.unlogged} are not logged yet" if journey.unlogged > 0 else "")
                + ". ",
                link(
                    f"All receipts of booking {b.tcn} as JSON",
                    url(f"{root}/receipts", b.tcn),
                ),
                ".",
            ),
            el(
                "p",
                "Each proof below opens to show its leaf index, the tree size and root hash "
                "of the signed head it leads to, the audit path and the entry itself.",
            ),
            [_proof(d, c) for d, c in zip(journey.disclosures, checks, strict=True)],
            aria_labelledby="proofs-heading",
        ),
        check_procedure(root),
    ]
