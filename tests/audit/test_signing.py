"""Signed tree heads: the 50 signed bytes, Ed25519, key files, JSON."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from interop.audit.errors import FormatError, SignatureError
from interop.audit.merkle import EMPTY_ROOT
from interop.audit.signing import (
    HEAD_BYTES,
    LogKey,
    SignedTreeHead,
    TreeHead,
    key_id,
    load_public_key,
    public_key_pem,
    verify_tree_head,
)

from .conftest import flip_bit
from .vectors import ROOTS_HEX

ROOT8 = bytes.fromhex(ROOTS_HEX[8])


@pytest.fixture(scope="module")
def key() -> LogKey:
    return LogKey.generate()


def test_signed_bytes_layout() -> None:
    head = TreeHead(size=8, root=ROOT8, timestamp_ms=0x0102030405060708)
    data = head.to_bytes()
    assert len(data) == HEAD_BYTES == 50
    assert data[:2] == b"\x00\x01"  # version v1, signature type tree_hash
    assert data[2:10] == bytes.fromhex("0102030405060708")  # timestamp, big-endian
    assert data[10:18] == (8).to_bytes(8, "big")  # tree size
    assert data[18:] == ROOT8
    assert TreeHead.from_bytes(data) == head


def test_from_bytes_refuses_other_layouts() -> None:
    data = TreeHead(8, ROOT8, 1).to_bytes()
    with pytest.raises(FormatError):
        TreeHead.from_bytes(data[:-1])
    with pytest.raises(FormatError):
        TreeHead.from_bytes(b"\x01" + data[1:])
    with pytest.raises(FormatError):
        TreeHead.from_bytes(data[:1] + b"\x00" + data[2:])


def test_tree_head_validates_fields() -> None:
    with pytest.raises(FormatError):
        TreeHead(-1, ROOT8, 0)
    with pytest.raises(FormatError):
        TreeHead(2**64, ROOT8, 0)
    with pytest.raises(FormatError):
        TreeHead(1, ROOT8[:31], 0)
    with pytest.raises(TypeError):
        TreeHead(True, ROOT8, 0)
    with pytest.raises(FormatError):
        SignedTreeHead(TreeHead(1, ROOT8, 0), b"\x00" * 63, b"\x00" * 32)


def test_sign_and_verify(key: LogKey) -> None:
    sth = key.sign(TreeHead(8, ROOT8, 1_767_225_600_000))
    assert len(sth.signature) == 64
    assert sth.key_id == hashlib.sha256(key.public_key).digest() == key_id(key.public_key)
    verify_tree_head(sth, key.public_key)
    # Ed25519 is deterministic
    assert key.sign(sth.head) == sth


def test_wrong_key_fails(key: LogKey) -> None:
    sth = key.sign(TreeHead(8, ROOT8, 5))
    other = LogKey.generate()
    with pytest.raises(SignatureError, match="key id"):
        verify_tree_head(sth, other.public_key)
    # a head claiming the other key's id, with this key's signature
    forged = SignedTreeHead(sth.head, sth.signature, other.key_id)
    with pytest.raises(SignatureError, match="bad signature"):
        verify_tree_head(forged, other.public_key)


def test_any_altered_field_fails(key: LogKey) -> None:
    head = TreeHead(8, ROOT8, 1_767_225_600_000)
    sth = key.sign(head)
    altered = []
    for bit in range(64):
        altered.append(TreeHead(head.size ^ (1 << bit), head.root, head.timestamp_ms))
        altered.append(TreeHead(head.size, head.root, head.timestamp_ms ^ (1 << bit)))
    for bit in range(256):
        altered.append(TreeHead(head.size, flip_bit(head.root, bit), head.timestamp_ms))
    for bad in altered:
        with pytest.raises(SignatureError):
            verify_tree_head(SignedTreeHead(bad, sth.signature, sth.key_id), key.public_key)
    for bit in range(512):
        bad_sig = SignedTreeHead(head, flip_bit(sth.signature, bit), sth.key_id)
        with pytest.raises(SignatureError):
            verify_tree_head(bad_sig, key.public_key)
    with pytest.raises(SignatureError):
        verify_tree_head(
            SignedTreeHead(head, sth.signature, flip_bit(sth.key_id, 0)), key.public_key
        )


def test_json_round_trip(key: LogKey) -> None:
    sth = key.sign(TreeHead(0, EMPTY_ROOT, 42))
    obj = sth.to_json()
    assert set(obj) == {"tree_size", "timestamp_ms", "root_hash", "signature", "key_id"}
    assert obj["root_hash"] == EMPTY_ROOT.hex()
    text = json.dumps(obj)
    back = SignedTreeHead.from_json(json.loads(text))
    assert back == sth
    verify_tree_head(back, key.public_key)


@pytest.mark.parametrize(
    "change",
    [
        {"root_hash": None},  # missing
        {"extra": 1},
        {"root_hash": "AB" * 32},  # uppercase
        {"root_hash": "ab" * 31},  # short
        {"signature": "0x" + "00" * 63},
        {"tree_size": True},
        {"tree_size": 1.0},
        {"tree_size": -1},
        {"timestamp_ms": "5"},
        {"key_id": 7},
    ],
)
def test_json_is_strict(key: LogKey, change: dict[str, object]) -> None:
    obj = key.sign(TreeHead(8, ROOT8, 1)).to_json()
    for k, v in change.items():
        if v is None:
            del obj[k]
        else:
            obj[k] = v
    with pytest.raises(FormatError):
        SignedTreeHead.from_json(obj)
    with pytest.raises(FormatError):
        SignedTreeHead.from_json([1, 2])


def test_private_key_file(tmp_path: Path, key: LogKey) -> None:
    path = tmp_path / "log.key"
    key.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert LogKey.load(path).public_key == key.public_key
    assert [p.name for p in tmp_path.iterdir()] == ["log.key"]  # no temporary left
    with pytest.raises(FileExistsError):
        key.save(path)
    other = LogKey.generate()
    other.save(path, overwrite=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert LogKey.load(path).public_key == other.public_key


def test_private_key_file_mode_ignores_umask(tmp_path: Path, key: LogKey) -> None:
    old = os.umask(0)
    try:
        key.save(tmp_path / "k")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "k").stat().st_mode) == 0o600


def test_encrypted_private_key_file(tmp_path: Path, key: LogKey) -> None:
    path = tmp_path / "log.key"
    key.save(path, password=b"correct horse")
    assert b"ENCRYPTED" in path.read_bytes()
    assert LogKey.load(path, password=b"correct horse").key_id == key.key_id
    with pytest.raises(FormatError):
        LogKey.load(path, password=b"wrong")
    with pytest.raises(FormatError):
        LogKey.load(path)


def test_public_key_file(tmp_path: Path, key: LogKey) -> None:
    path = tmp_path / "log.pub"
    key.save_public_key(path)
    pem = path.read_bytes()
    assert pem.startswith(b"-----BEGIN PUBLIC KEY-----")
    assert pem == public_key_pem(key.public_key) == key.public_key_pem()
    assert load_public_key(pem) == key.public_key


def test_other_key_types_are_refused(tmp_path: Path) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    pem = ec_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(FormatError, match="Ed25519"):
        LogKey.from_pem(pem)
    pub = ec_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(FormatError, match="Ed25519"):
        load_public_key(pub)
    with pytest.raises(FormatError):
        load_public_key(b"not a key")
    with pytest.raises(FormatError):
        LogKey.from_pem(b"not a key")
    with pytest.raises(FormatError):
        key_id(b"\x00" * 31)


def test_repr_does_not_leak_the_key(key: LogKey) -> None:
    text = repr(key)
    assert "PRIVATE" not in text and key.key_id.hex()[:16] in text
