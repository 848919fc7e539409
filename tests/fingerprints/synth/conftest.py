"""Masters shared by the synthesis tests (growing one takes about a second)."""

from __future__ import annotations

import pytest

from interop.fingerprints.synth import MasterFingerprint, PatternClass, master_fingerprint

# one finger of each common class; arches are rare and covered by the class tests
PATTERNS = (
    PatternClass.LEFT_LOOP,
    PatternClass.RIGHT_LOOP,
    PatternClass.WHORL,
    PatternClass.TENTED_ARCH,
)


@pytest.fixture(scope="session")
def masters() -> list[MasterFingerprint]:
    return [master_fingerprint(1000 + i, pattern=p) for i, p in enumerate(PATTERNS)]
