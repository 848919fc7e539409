"""Synthetic subjects shared by the gallery tests (template-level synthesis)."""

from __future__ import annotations

import pytest

from interop.fingerprints import Template
from interop.fingerprints.synth.templates import synthetic_templates

POSITIONS = (2, 3, 7, 8)
"""Fingers per test subject: right and left index and middle."""

Subject = dict[int, list[Template]]
"""Finger position -> impressions (0 enrols, 1 and 2 probe)."""


def make_subjects(count: int, first_seed: int) -> list[Subject]:
    """``count`` subjects with the fingers of :data:`POSITIONS`, 3 impressions each."""
    fingers = list(synthetic_templates(count * len(POSITIONS), 3, first_seed=first_seed))
    return [
        {p: fingers[s * len(POSITIONS) + i] for i, p in enumerate(POSITIONS)} for s in range(count)
    ]


@pytest.fixture(scope="session")
def subjects() -> list[Subject]:
    """60 subjects: the first 50 enrolled by the tests, the last 10 never."""
    return make_subjects(60, first_seed=70_000)


def enrolment(subject: Subject) -> dict[int, Template]:
    return {p: impressions[0] for p, impressions in subject.items()}


def probe(subject: Subject, k: int = 1) -> dict[int, Template]:
    return {p: impressions[k] for p, impressions in subject.items()}


def subject_id(i: int) -> str:
    return f"S{i:04d}"
