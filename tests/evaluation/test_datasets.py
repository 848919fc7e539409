from __future__ import annotations

from pathlib import Path

import pytest

from interop.evaluation.datasets import ENV_VAR, shared_data_dir


def test_environment_variable_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert shared_data_dir() == tmp_path


def test_default_is_shared_data_beside_the_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    repo = Path(__file__).resolve().parents[2]
    assert shared_data_dir() == repo.parent / "shared" / "data"
