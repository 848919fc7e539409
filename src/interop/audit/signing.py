"""Signed tree heads: the log's Ed25519 signature over (size, root, time).

Signed bytes
------------
:meth:`TreeHead.to_bytes` is RFC 6962 §3.5's ``TreeHeadSignature`` for a
SHA-256 tree, a fixed 50-byte layout, integers big-endian::

    offset  size  field
    0       1     version          = 0x00  (v1)
    1       1     signature_type   = 0x01  (tree_hash)
    2       8     timestamp        milliseconds since 1970-01-01T00:00:00Z (uint64)
    10      8     tree_size        number of leaves (uint64)
    18      32    sha256_root_hash MTH of the tree (RFC 9162 §2.1.1)

The signature is pure Ed25519 (RFC 8032) over exactly those 50 bytes: 64
bytes. The key signs nothing else. A key is named by its *key id*: SHA-256
of the raw 32-byte Ed25519 public key.

JSON
----
A signed head as JSON (all binary values lowercase hex, no prefix)::

    {"tree_size": 8, "timestamp_ms": 1767225600000,
     "root_hash": "<64 hex digits>", "signature": "<128 hex digits>",
     "key_id": "<64 hex digits>"}

Readers refuse missing or unknown fields, uppercase hex and wrong lengths.

Key files
---------
The private key is saved as PKCS#8 PEM (``BEGIN PRIVATE KEY``, or
``BEGIN ENCRYPTED PRIVATE KEY`` with a password), written atomically (a
temporary file in the same directory, fsynced, then renamed) with mode
0o600. The public key is SubjectPublicKeyInfo PEM (``BEGIN PUBLIC KEY``),
the form an outside party loads with ``cryptography``'s
``load_pem_public_key``.
"""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from interop.audit._json import check_keys, hex_field, int_field, to_hex
from interop.audit.errors import FormatError, SignatureError
from interop.audit.merkle import HASH_SIZE, MAX_TREE_SIZE

VERSION = 0
"""RFC 6962 ``Version`` v1."""

SIGNATURE_TYPE_TREE_HASH = 1
"""RFC 6962 ``SignatureType`` tree_hash."""

HEAD_BYTES = 50
"""Length of :meth:`TreeHead.to_bytes`."""

SIGNATURE_BYTES = 64
"""Length of an Ed25519 signature."""

PUBLIC_KEY_BYTES = 32
"""Length of a raw Ed25519 public key."""

_LAYOUT = struct.Struct(">BBQQ32s")

_HEAD_FIELDS = {"tree_size", "timestamp_ms", "root_hash", "signature", "key_id"}


@dataclass(frozen=True)
class TreeHead:
    """What the log commits to at one moment.

    Attributes
    ----------
    size : int
        Number of leaves (0 to 2**64-1).
    root : bytes
        MTH of those leaves, 32 bytes.
    timestamp_ms : int
        When the head was made, milliseconds since the Unix epoch (UTC).
    """

    size: int
    root: bytes
    timestamp_ms: int

    def __post_init__(self) -> None:
        for name in ("size", "timestamp_ms"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an int, got {type(value).__name__}")
            if not 0 <= value <= MAX_TREE_SIZE:
                raise FormatError(f"{name} {value} is outside 0..2^64-1")
        if not isinstance(self.root, bytes) or len(self.root) != HASH_SIZE:
            raise FormatError(f"root must be {HASH_SIZE} bytes")

    def to_bytes(self) -> bytes:
        """The 50 signed bytes (see the module docstring)."""
        return _LAYOUT.pack(
            VERSION, SIGNATURE_TYPE_TREE_HASH, self.timestamp_ms, self.size, self.root
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> TreeHead:
        """Read :meth:`to_bytes`' layout back.

        Raises
        ------
        FormatError
            If the length, version or signature type is wrong.
        """
        if len(data) != HEAD_BYTES:
            raise FormatError(f"a tree head is {HEAD_BYTES} bytes, got {len(data)}")
        version, sig_type, timestamp_ms, size, root = _LAYOUT.unpack(data)
        if version != VERSION or sig_type != SIGNATURE_TYPE_TREE_HASH:
            raise FormatError(f"version {version}, signature type {sig_type}: expected 0, 1")
        return cls(size=size, root=root, timestamp_ms=timestamp_ms)


@dataclass(frozen=True)
class SignedTreeHead:
    """A tree head with the log's signature over :meth:`TreeHead.to_bytes`.

    Attributes
    ----------
    head : TreeHead
    signature : bytes
        Ed25519 signature, 64 bytes.
    key_id : bytes
        SHA-256 of the signer's raw public key, 32 bytes.
    """

    head: TreeHead
    signature: bytes
    key_id: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.signature, bytes) or len(self.signature) != SIGNATURE_BYTES:
            raise FormatError(f"signature must be {SIGNATURE_BYTES} bytes")
        if not isinstance(self.key_id, bytes) or len(self.key_id) != HASH_SIZE:
            raise FormatError(f"key id must be {HASH_SIZE} bytes")

    def to_json(self) -> dict[str, object]:
        """The JSON object of the module docstring."""
        return {
            "tree_size": self.head.size,
            "timestamp_ms": self.head.timestamp_ms,
            "root_hash": to_hex(self.head.root),
            "signature": to_hex(self.signature),
            "key_id": to_hex(self.key_id),
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, object] | object) -> SignedTreeHead:
        """Read :meth:`to_json`'s object (already parsed from JSON text).

        Raises
        ------
        FormatError
            On a missing or unknown field, a bad type, hex or length.
        """
        what = "signed tree head"
        o = check_keys(obj, what, _HEAD_FIELDS)
        head = TreeHead(
            size=int_field(o, "tree_size", what),
            root=hex_field(o, "root_hash", what, HASH_SIZE),
            timestamp_ms=int_field(o, "timestamp_ms", what),
        )
        return cls(
            head=head,
            signature=hex_field(o, "signature", what, SIGNATURE_BYTES),
            key_id=hex_field(o, "key_id", what, HASH_SIZE),
        )


def key_id(public_key: bytes) -> bytes:
    """SHA-256 of a raw 32-byte Ed25519 public key."""
    if len(public_key) != PUBLIC_KEY_BYTES:
        raise FormatError(f"an Ed25519 public key is {PUBLIC_KEY_BYTES} bytes")
    return hashlib.sha256(public_key).digest()


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class LogKey:
    """The log's Ed25519 signing key.

    Parameters
    ----------
    private_key : Ed25519PrivateKey
    """

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        if not isinstance(private_key, Ed25519PrivateKey):
            raise TypeError("a log key is an Ed25519 private key")
        self._private = private_key
        self._public = _raw_public(private_key.public_key())

    def __repr__(self) -> str:
        return f"LogKey(key_id={to_hex(self.key_id)[:16]}...)"

    @classmethod
    def generate(cls) -> LogKey:
        """A new random key."""
        return cls(Ed25519PrivateKey.generate())

    @property
    def public_key(self) -> bytes:
        """Raw 32-byte public key."""
        return self._public

    @property
    def key_id(self) -> bytes:
        """SHA-256 of :attr:`public_key`."""
        return key_id(self._public)

    def sign(self, head: TreeHead) -> SignedTreeHead:
        """Sign ``head``'s 50-byte serialisation."""
        return SignedTreeHead(head, self._private.sign(head.to_bytes()), self.key_id)

    def public_key_pem(self) -> bytes:
        """The public key as SubjectPublicKeyInfo PEM."""
        return public_key_pem(self._public)

    def private_key_pem(self, password: bytes | None = None) -> bytes:
        """The private key as PKCS#8 PEM, encrypted when ``password`` is given."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        return self._private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def save(
        self,
        path: str | os.PathLike[str],
        *,
        password: bytes | None = None,
        overwrite: bool = False,
    ) -> None:
        """Write the private key to ``path`` (PKCS#8 PEM, mode 0o600, atomically).

        Raises
        ------
        FileExistsError
            If ``path`` exists and ``overwrite`` is false (replacing a log's
            key by accident would orphan every head it signed).
        """
        target = Path(path)
        if target.exists() and not overwrite:
            raise FileExistsError(f"{target} exists; pass overwrite=True to replace it")
        _write_atomic(target, self.private_key_pem(password), 0o600)

    def save_public_key(self, path: str | os.PathLike[str]) -> None:
        """Write the public key to ``path`` (SubjectPublicKeyInfo PEM, mode 0o644, atomically)."""
        _write_atomic(Path(path), self.public_key_pem(), 0o644)

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, password: bytes | None = None) -> LogKey:
        """Read a key written by :meth:`save`.

        Raises
        ------
        FormatError
            If the file is not a PEM Ed25519 private key (or the password is wrong).
        """
        return cls.from_pem(Path(path).read_bytes(), password=password)

    @classmethod
    def from_pem(cls, pem: bytes, *, password: bytes | None = None) -> LogKey:
        """A key from PKCS#8 PEM bytes."""
        try:
            key = serialization.load_pem_private_key(pem, password=password)
        except (ValueError, TypeError) as exc:
            raise FormatError(f"not a readable PEM private key: {exc}") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise FormatError(f"not an Ed25519 key: {type(key).__name__}")
        return cls(key)


def public_key_pem(public_key: bytes) -> bytes:
    """A raw 32-byte Ed25519 public key as SubjectPublicKeyInfo PEM."""
    if len(public_key) != PUBLIC_KEY_BYTES:
        raise FormatError(f"an Ed25519 public key is {PUBLIC_KEY_BYTES} bytes")
    key = Ed25519PublicKey.from_public_bytes(public_key)
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_key(pem: bytes) -> bytes:
    """The raw 32-byte key from SubjectPublicKeyInfo PEM bytes.

    Raises
    ------
    FormatError
        If ``pem`` is not a PEM Ed25519 public key.
    """
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        raise FormatError(f"not a readable PEM public key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise FormatError(f"not an Ed25519 key: {type(key).__name__}")
    return _raw_public(key)


def verify_tree_head(sth: SignedTreeHead, public_key: bytes) -> None:
    """Check a signed head against the log's raw 32-byte public key.

    Returns ``None`` on success.

    Raises
    ------
    SignatureError
        If the key id is not that key's, or the signature does not verify
        over the head's 50 bytes.
    """
    if sth.key_id != key_id(public_key):
        raise SignatureError("the head names another key (key id mismatch)")
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(sth.signature, sth.head.to_bytes())
    except InvalidSignature as exc:
        raise SignatureError(f"bad signature on the tree head of size {sth.head.size}") from exc


def _write_atomic(target: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to ``target`` via a fsynced temporary file and a rename."""
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
