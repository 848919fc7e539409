"""Time-bounded mutation fuzzing of the whole reading path.

Each round takes a transaction from the corpus (``fuzz/seeds``, built by
the project's own code, plus the shared sample transactions when present),
flips, cuts, duplicates or inserts bytes, and runs everything a received
transaction goes through: parse, write back, image views and decoding,
EBTS validation. Anything but a :class:`~interop.nist.NistError` is a
finding: the input is saved under ``fuzz/findings/`` (kept in the
repository and replayed by :func:`test_findings_stay_fixed`) and the test
fails. ``INTEROP_FUZZ_SECONDS`` sets the budget (default 10 s).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import time
from pathlib import Path

import pytest

from interop.evaluation.datasets import shared_data_dir
from interop.nist import NistError, encode, parse
from interop.nist.images import images
from interop.nist.minutiae import templates
from interop.nist.validation import validate

HERE = Path(__file__).with_name("fuzz")
FINDINGS = HERE / "findings"
MAX_SEED_BYTES = 64 * 1024


def corpus() -> list[bytes]:
    seeds = [p.read_bytes() for p in sorted((HERE / "seeds").glob("*.an2"))]
    samples = shared_data_dir() / "ansi-nist"
    if samples.is_dir():
        seeds += [
            p.read_bytes()
            for p in sorted(samples.glob("*.an2*"))
            if p.stat().st_size <= MAX_SEED_BYTES
        ]
    elif os.environ.get("CI") == "true":
        pytest.fail(f"data set {samples} missing under CI")
    return seeds


def receive(data: bytes) -> None:
    """Everything done with a received transaction; only NistError may escape."""
    try:
        t = parse(data)
    except NistError:
        return
    assert parse(encode(t)) is not None
    try:
        found = images(t)
    except NistError:
        found = []
    for im in found:
        with contextlib.suppress(NistError):
            im.decode()
    with contextlib.suppress(NistError):
        templates(t)
    validate(t)


def mutate(rng: random.Random, data: bytes) -> bytes:
    raw = bytearray(data)
    for _ in range(rng.randint(1, 5)):
        if not raw:
            raw = bytearray(b"1")
        k = rng.randrange(len(raw))
        op = rng.random()
        if op < 0.3:
            raw[k] = rng.randrange(256)
        elif op < 0.5:
            raw[k] = rng.choice(b"\x1c\x1d\x1e\x1f.:0123456789")
        elif op < 0.7:
            del raw[k : k + rng.randint(1, 64)]
        elif op < 0.85:
            raw[k:k] = raw[k : k + rng.randint(1, 32)]
        else:
            raw[k:k] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return bytes(raw)


def test_corpus_is_read_without_fault() -> None:
    for data in corpus():
        receive(data)
        parse(data)  # the seeds themselves are valid transactions


def test_mutations_never_escape_as_anything_but_nist_errors() -> None:
    budget = float(os.environ.get("INTEROP_FUZZ_SECONDS", "10"))
    seeds = corpus()
    rng = random.Random(int(os.environ.get("INTEROP_FUZZ_SEED", "20261129")))
    deadline = time.monotonic() + budget
    rounds = 0
    while time.monotonic() < deadline:
        data = mutate(rng, rng.choice(seeds))
        try:
            receive(data)
        except Exception as exc:
            FINDINGS.mkdir(exist_ok=True)
            name = hashlib.sha256(data).hexdigest()[:16] + ".bin"
            (FINDINGS / name).write_bytes(data)
            raise AssertionError(f"{type(exc).__name__}: {exc} (input saved as {name})") from exc
        rounds += 1
    assert rounds > 0


@pytest.mark.parametrize(
    "path", sorted(FINDINGS.glob("*.bin")) or [None], ids=lambda p: p.name if p else "none"
)
def test_findings_stay_fixed(path: Path | None) -> None:
    if path is None:
        return  # no finding so far
    receive(path.read_bytes())
