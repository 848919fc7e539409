"""Merkle tree hashes and proofs: RFC 6962 known answers, every small tree, tampering."""

from __future__ import annotations

import hashlib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interop.audit.errors import OutOfRangeError, ProofError
from interop.audit.merkle import (
    EMPTY_ROOT,
    NodeId,
    completed_by,
    consistency_proof,
    consistency_ranges,
    fold_range,
    inclusion_proof,
    inclusion_ranges,
    leaf_hash,
    merkle_root,
    merkle_tree_hash,
    node_hash,
    perfect_subtrees,
    root_from_inclusion_proof,
    root_subtrees,
    verify_consistency,
    verify_inclusion,
)

from .conftest import flip_bit
from .vectors import (
    CONSISTENCY_PROOFS_HEX,
    EMPTY_ROOT_HEX,
    INCLUSION_PROOFS_HEX,
    LEAVES,
    NODE_HASHES_HEX,
    ROOTS_HEX,
)

MAX_SIZE = 64
DATA = [i.to_bytes(2, "big") + b"entry" for i in range(MAX_SIZE)]
HASHES = [leaf_hash(d) for d in DATA]
ROOTS = [merkle_root(HASHES[:n]) for n in range(MAX_SIZE + 1)]


def _hx(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


# ---------------------------------------------------------------- known answers


def test_hash_domain_separation() -> None:
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert (
        node_hash(b"L" * 32, b"R" * 32) == hashlib.sha256(b"\x01" + b"L" * 32 + b"R" * 32).digest()
    )


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == EMPTY_ROOT_HEX
    assert merkle_tree_hash([]) == EMPTY_ROOT
    assert merkle_root([]) == EMPTY_ROOT


@pytest.mark.parametrize("size", range(9))
def test_rfc6962_roots(size: int) -> None:
    assert merkle_tree_hash(LEAVES[:size]).hex() == ROOTS_HEX[size]


def test_rfc6962_node_hashes() -> None:
    for level, row in enumerate(NODE_HASHES_HEX):
        for index, expected in enumerate(row):
            node = NodeId(level, index)
            got = merkle_tree_hash(LEAVES[node.start : node.end])
            assert got.hex() == expected, node


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION_PROOFS_HEX)
def test_rfc6962_inclusion_proofs(index: int, size: int, path: list[str]) -> None:
    hashes = [leaf_hash(d) for d in LEAVES[:size]]
    assert inclusion_proof(index, hashes) == _hx(path)
    verify_inclusion(hashes[index], index, size, _hx(path), bytes.fromhex(ROOTS_HEX[size]))


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY_PROOFS_HEX)
def test_rfc6962_consistency_proofs(old: int, new: int, path: list[str]) -> None:
    hashes = [leaf_hash(d) for d in LEAVES[:new]]
    assert consistency_proof(old, hashes) == _hx(path)
    old_root, new_root = bytes.fromhex(ROOTS_HEX[old]), bytes.fromhex(ROOTS_HEX[new])
    verify_consistency(old, new, old_root, new_root, _hx(path))


# ---------------------------------------------------------------- every tree up to 64


def _range_root(a: int, b: int) -> bytes:
    return merkle_root(HASHES[a:b])


def test_every_inclusion_proof_verifies() -> None:
    for size in range(1, MAX_SIZE + 1):
        for index in range(size):
            proof = inclusion_proof(index, HASHES[:size])
            planned = [_range_root(a, b) for a, b in inclusion_ranges(index, size)]
            assert planned == proof, (index, size)
            verify_inclusion(HASHES[index], index, size, proof, ROOTS[size])


def test_every_consistency_proof_verifies() -> None:
    for new in range(0, MAX_SIZE + 1):
        for old in range(0, new + 1):
            proof = consistency_proof(old, HASHES[:new])
            planned = [_range_root(a, b) for a, b in consistency_ranges(old, new)]
            assert planned == proof, (old, new)
            verify_consistency(old, new, ROOTS[old], ROOTS[new], proof)


def test_proof_lengths_are_logarithmic() -> None:
    for size in range(1, MAX_SIZE + 1):
        depth = (size - 1).bit_length()
        for index in range(size):
            assert len(inclusion_ranges(index, size)) <= depth
        for old in range(1, size):
            assert len(consistency_ranges(old, size)) <= depth + 1


# ---------------------------------------------------------------- tampering


def _inclusion_tamperings(index: int, size: int, rng: random.Random):  # type: ignore[no-untyped-def]
    """(description, leaf, index, size, proof, root) variants that must all fail."""
    proof = inclusion_proof(index, HASHES[:size])
    leaf, root = HASHES[index], ROOTS[size]
    yield "leaf bit", flip_bit(leaf, rng.randrange(256)), index, size, proof, root
    yield "root bit", leaf, index, size, proof, flip_bit(root, rng.randrange(256))
    for i in range(len(proof)):
        bad = list(proof)
        bad[i] = flip_bit(bad[i], rng.randrange(256))
        yield f"proof[{i}] bit", leaf, index, size, bad, root
    for bit in range(8):
        yield f"index bit {bit}", leaf, index ^ (1 << bit), size, proof, root
    yield "empty root", leaf, index, size, proof, EMPTY_ROOT
    yield "extra element", leaf, index, size, [*proof, root], root
    yield "leading element", leaf, index, size, [root, *proof], root
    if proof:
        yield "dropped element", leaf, index, size, proof[:-1], root
    if len(proof) > 1:
        yield "reversed", leaf, index, size, proof[::-1], root
    yield "size * 2", leaf, index, size * 2, proof, root
    if size // 2 > index:
        yield "size / 2", leaf, index, size // 2, proof, root


def test_any_tampering_of_an_inclusion_proof_fails() -> None:
    rng = random.Random(6962)
    for size in range(1, MAX_SIZE + 1):
        for index in range(size):
            for what, leaf, i, n, proof, root in _inclusion_tamperings(index, size, rng):
                with pytest.raises(ProofError):
                    verify_inclusion(leaf, i, n, proof, root)
                    pytest.fail(f"{what} verified for leaf {index} of {size}")


def test_every_bit_of_a_proof_matters() -> None:
    index, size = 13, 42
    proof = inclusion_proof(index, HASHES[:size])
    for i in range(len(proof)):
        for bit in range(256):
            bad = list(proof)
            bad[i] = flip_bit(bad[i], bit)
            with pytest.raises(ProofError):
                verify_inclusion(HASHES[index], index, size, bad, ROOTS[size])
    for bit in range(256):
        with pytest.raises(ProofError):
            verify_inclusion(flip_bit(HASHES[index], bit), index, size, proof, ROOTS[size])
        with pytest.raises(ProofError):
            verify_inclusion(HASHES[index], index, size, proof, flip_bit(ROOTS[size], bit))


def test_any_tampering_of_a_consistency_proof_fails() -> None:
    rng = random.Random(9162)
    for new in range(2, MAX_SIZE + 1):
        for old in range(1, new):
            proof = consistency_proof(old, HASHES[:new])
            r1, r2 = ROOTS[old], ROOTS[new]
            variants = [
                ("old root bit", flip_bit(r1, rng.randrange(256)), r2, proof),
                ("new root bit", r1, flip_bit(r2, rng.randrange(256)), proof),
                ("swapped roots", r2, r1, proof),
                ("empty proof", r1, r2, []),
                ("extra element", r1, r2, [*proof, r1]),
                ("leading element", r1, r2, [r2, *proof]),
                ("dropped element", r1, r2, proof[:-1]),
            ]
            for i in range(len(proof)):
                bad = list(proof)
                bad[i] = flip_bit(bad[i], rng.randrange(256))
                variants.append((f"proof[{i}] bit", r1, r2, bad))
            for what, a, b, p in variants:
                with pytest.raises(ProofError):
                    verify_consistency(old, new, a, b, p)
                    pytest.fail(f"{what} verified for {old} -> {new}")
            for bad_old, bad_new in [(old, new * 2), (new, old), (old, old)]:
                with pytest.raises(ProofError):
                    verify_consistency(bad_old, bad_new, r1, r2, proof)


def test_a_proof_binds_a_root_not_a_size() -> None:
    """Why the tree size must come from a signed head (RFC 9162, by construction).

    Leaf 0's path has the same shape in trees of 5 and 7 leaves, so the same
    audit path and root verify for both sizes; only the head's signature
    over (size, root) tells them apart (see test_log's receipt tests).
    """
    proof = inclusion_proof(0, HASHES[:5])
    verify_inclusion(HASHES[0], 0, 5, proof, ROOTS[5])
    verify_inclusion(HASHES[0], 0, 7, proof, ROOTS[5])


def test_malformed_inputs_raise_proof_error() -> None:
    proof = inclusion_proof(3, HASHES[:10])
    with pytest.raises(ProofError, match="not 32"):
        verify_inclusion(HASHES[3], 3, 10, [*proof[:-1], proof[-1][:31]], ROOTS[10])
    with pytest.raises(ProofError, match="not 32"):
        verify_inclusion(HASHES[3][:16], 3, 10, proof, ROOTS[10])
    with pytest.raises(ProofError, match="not 32"):
        verify_inclusion(HASHES[3], 3, 10, proof, b"")
    with pytest.raises(ProofError, match="not below"):
        verify_inclusion(HASHES[3], 10, 10, proof, ROOTS[10])
    with pytest.raises(ProofError, match="too long"):
        root_from_inclusion_proof(HASHES[0], 0, 1, [HASHES[1]])
    with pytest.raises(ProofError, match="too short"):
        root_from_inclusion_proof(HASHES[0], 0, 2, [])
    with pytest.raises(OutOfRangeError):
        verify_inclusion(HASHES[0], -1, 2, [HASHES[1]], ROOTS[2])
    with pytest.raises(TypeError):
        verify_inclusion(HASHES[0], True, 2, [HASHES[1]], ROOTS[2])
    with pytest.raises(ProofError, match="too long"):
        verify_consistency(1, 2, ROOTS[1], ROOTS[2], [HASHES[1], HASHES[1]])
    with pytest.raises(ProofError, match="too short"):
        verify_consistency(3, 8, ROOTS[3], ROOTS[8], consistency_proof(3, HASHES[:8])[:1])


def test_consistency_edge_cases() -> None:
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    verify_consistency(0, 5, EMPTY_ROOT, ROOTS[5], [])
    verify_consistency(5, 5, ROOTS[5], ROOTS[5], [])
    with pytest.raises(ProofError):
        verify_consistency(0, 5, ROOTS[1], ROOTS[5], [])  # not the empty root
    with pytest.raises(ProofError):
        verify_consistency(0, 5, EMPTY_ROOT, ROOTS[5], [EMPTY_ROOT])
    with pytest.raises(ProofError):
        verify_consistency(5, 5, ROOTS[5], ROOTS[4], [])
    with pytest.raises(ProofError):
        verify_consistency(5, 5, ROOTS[5], ROOTS[5], [ROOTS[5]])
    with pytest.raises(ProofError):
        verify_consistency(6, 5, ROOTS[6], ROOTS[5], [])


def test_reference_functions_reject_out_of_range() -> None:
    with pytest.raises(OutOfRangeError):
        inclusion_proof(3, HASHES[:3])
    with pytest.raises(OutOfRangeError):
        consistency_proof(4, HASHES[:3])
    with pytest.raises(OutOfRangeError):
        inclusion_ranges(0, 0)
    with pytest.raises(OutOfRangeError):
        consistency_ranges(4, 3)


# ---------------------------------------------------------------- planning


def test_perfect_subtrees_cover_ranges() -> None:
    assert perfect_subtrees(0, 13) == [NodeId(3, 0), NodeId(2, 2), NodeId(0, 12)]
    assert perfect_subtrees(8, 11) == [NodeId(1, 4), NodeId(0, 10)]
    assert root_subtrees(0) == []
    for size in range(1, MAX_SIZE + 1):
        nodes = root_subtrees(size)
        assert len(nodes) == bin(size).count("1")
        assert fold_range([_range_root(n.start, n.end) for n in nodes]) == ROOTS[size]
    with pytest.raises(ValueError, match="not aligned"):
        perfect_subtrees(1, 3)
    with pytest.raises(ValueError, match="empty"):
        perfect_subtrees(4, 4)
    with pytest.raises(ValueError):
        fold_range([])


def test_completed_by_names_the_subtrees_a_leaf_closes() -> None:
    assert completed_by(0) == []
    assert completed_by(1) == [NodeId(1, 0)]
    assert completed_by(7) == [NodeId(1, 3), NodeId(2, 1), NodeId(3, 0)]
    assert completed_by(10) == []
    assert completed_by(11) == [NodeId(1, 5), NodeId(2, 2)]
    level, index = NodeId(2, 1)
    assert (level, index) == (2, 1)
    assert (NodeId(2, 1).start, NodeId(2, 1).end) == (4, 8)


# ---------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None)
@given(
    entries=st.lists(st.binary(max_size=8), min_size=1, max_size=300),
    data=st.data(),
)
def test_proofs_of_random_trees(entries: list[bytes], data: st.DataObject) -> None:
    hashes = [leaf_hash(e) for e in entries]
    n = len(hashes)
    root = merkle_root(hashes)
    index = data.draw(st.integers(0, n - 1))
    proof = inclusion_proof(index, hashes)
    assert proof == [merkle_root(hashes[a:b]) for a, b in inclusion_ranges(index, n)]
    verify_inclusion(hashes[index], index, n, proof, root)
    old = data.draw(st.integers(0, n))
    cproof = consistency_proof(old, hashes)
    assert cproof == [merkle_root(hashes[a:b]) for a, b in consistency_ranges(old, n)]
    verify_consistency(old, n, merkle_root(hashes[:old]), root, cproof)
