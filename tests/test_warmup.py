"""``interop warmup``: the engine's kernels compiled and cached at install."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interop.cli import app
from interop.warmup import cached_kernels


def test_cached_kernels_counts_index_files_under_a_folder(tmp_path: Path) -> None:
    assert cached_kernels(tmp_path / "missing") == 0
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "k.f-1.py311.nbi").write_bytes(b"")
    (tmp_path / "a" / "k.f-1.py311.1.nbc").write_bytes(b"")
    (tmp_path / "b.nbi").write_bytes(b"")
    assert cached_kernels(tmp_path) == 2


def test_cached_kernels_follows_numba_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    (tmp_path / "x.nbi").write_bytes(b"")
    assert cached_kernels() == 1


def test_the_index_merge_is_compiled_for_built_and_loaded_indexes(tmp_path: Path) -> None:
    # a new process with an empty cache folder: what it compiles is written there
    code = "from interop.warmup import _compile_index_merge; _compile_index_merge()"
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=300)
    written = sorted(p.name for p in tmp_path.rglob("*.nbc"))
    merges = [name for name in written if name.startswith("_pairs.merge_csr")]
    assert len(merges) == 2, written  # in memory, and read-only as loaded from a snapshot
    assert any(name.startswith("_pairs.stream_stats") for name in written)


def test_warmup_runs_a_small_demo_and_reports_the_cache(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["warmup", "--bookings", "10"])
    assert result.exit_code == 0, result.output
    found = re.search(
        r"kernels cached: (\d+) \(were (\d+)\); (\d+) bookings, (\d+) wrong", result.output
    )
    assert found is not None, result.output
    after, before, bookings, wrong = (int(g) for g in found.groups())
    assert after >= before and after >= 20  # every kernel the pipeline uses
    assert bookings >= 10 and wrong == 0
