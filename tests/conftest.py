"""Shared fixtures: where the outside benchmark data lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from interop.evaluation.datasets import shared_data_dir

__all__ = ["require_data", "shared_data_dir"]


def require_data(relative: str) -> Path:
    """Path of a data set under the shared data directory.

    Outside CI a missing data set skips the test; under ``CI=true`` it fails.
    """
    path = shared_data_dir() / relative
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"data set {path} missing under CI")
        pytest.skip(f"data set {path} not present")
    return path


@pytest.fixture(scope="session")
def fvc2002_dir() -> Path:
    return require_data("fvc2002")


@pytest.fixture(scope="session")
def ansi_nist_dir() -> Path:
    return require_data("ansi-nist")
