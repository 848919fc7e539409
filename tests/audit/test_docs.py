"""docs/transparency.md: its verification snippet runs against real receipts."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest

from interop.audit import LogKey, MemoryTreeStore, TransparencyLog, TreeHead, canonical_entry

from .conftest import flip_bit

DOC = Path(__file__).resolve().parents[2] / "docs" / "transparency.md"


def _snippet() -> str:
    match = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert match, f"no python block in {DOC}"
    return match.group(1)


@pytest.fixture(scope="module")
def snippet() -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "transparency_doc"}
    exec(compile(_snippet(), str(DOC), "exec"), namespace)
    return namespace


def test_snippet_imports_only_hashlib_and_cryptography() -> None:
    tree = ast.parse(_snippet())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots.add((node.module or "").split(".")[0])
    assert roots == {"hashlib", "cryptography"}


def _receipts(n: int) -> tuple[LogKey, list[dict[str, Any]]]:
    key = LogKey.generate()
    log = TransparencyLog(MemoryTreeStore(), key, clock=lambda: 1_767_225_600_000)
    entries = [
        canonical_entry({"tcn": f"TCN-{i}", "message_sha256": f"{i:064x}", "decision": 1})
        for i in range(n)
    ]
    for e in entries:
        log.append(e)
    receipts = []
    for size in (1, 2, 3, 7, 8, 13, n):
        head = key.sign(TreeHead(size, log.root(size), 1_767_225_600_000 + size))
        for i in range(size):
            receipts.append(json.loads(json.dumps(log.receipt(i, entries[i], head).to_json())))
    return key, receipts


def test_snippet_verifies_real_receipts(snippet: dict[str, Any]) -> None:
    key, receipts = _receipts(21)
    pem = key.public_key_pem()
    for receipt in receipts:
        assert snippet["verify_receipt"](receipt, pem) is None


def _tampered(receipt: dict[str, Any]) -> list[dict[str, Any]]:
    out = []

    def changed(path: tuple[str, ...], value: Any) -> dict[str, Any]:
        r: dict[str, Any] = json.loads(json.dumps(receipt))
        target = r
        for k in path[:-1]:
            target = target[k]
        target[path[-1]] = value
        return r

    def flipped_hex(value: str, bit: int) -> str:
        return flip_bit(bytes.fromhex(value), bit).hex()

    head, inc = receipt["tree_head"], receipt["inclusion"]
    out.append(changed(("entry",), flipped_hex(receipt["entry"], 9)))
    for bit in range(5):
        out.append(changed(("inclusion", "leaf_index"), inc["leaf_index"] ^ (1 << bit)))
        out.append(changed(("inclusion", "tree_size"), inc["tree_size"] ^ (1 << bit)))
        out.append(changed(("tree_head", "tree_size"), head["tree_size"] ^ (1 << bit)))
        out.append(changed(("tree_head", "timestamp_ms"), head["timestamp_ms"] ^ (1 << bit)))
    out.append(changed(("tree_head", "root_hash"), flipped_hex(head["root_hash"], 200)))
    out.append(changed(("tree_head", "signature"), flipped_hex(head["signature"], 300)))
    out.append(changed(("tree_head", "key_id"), flipped_hex(head["key_id"], 1)))
    for k in range(len(inc["audit_path"])):
        path = list(inc["audit_path"])
        path[k] = flipped_hex(path[k], 42)
        out.append(changed(("inclusion", "audit_path"), path))
    out.append(changed(("inclusion", "audit_path"), [*inc["audit_path"], head["root_hash"]]))
    if inc["audit_path"]:
        out.append(changed(("inclusion", "audit_path"), inc["audit_path"][:-1]))
    return out


def test_snippet_rejects_tampered_receipts(snippet: dict[str, Any]) -> None:
    key, receipts = _receipts(13)
    pem = key.public_key_pem()
    not_verified = snippet["NotVerified"]
    for receipt in receipts:
        for bad in _tampered(receipt):
            with pytest.raises(not_verified):
                snippet["verify_receipt"](bad, pem)
    with pytest.raises(not_verified):
        snippet["verify_receipt"](receipts[0], LogKey.generate().public_key_pem())
