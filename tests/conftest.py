"""Shared fixtures: where the outside benchmark data lives."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from interop.evaluation.datasets import shared_data_dir
from interop.store import Store

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


POSTGRES_URL_ENV = "INTEROP_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    return os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL)


@contextmanager
def fresh_postgres_schema() -> Iterator[str]:
    """A URL whose connections use a new PostgreSQL schema (dropped afterwards).

    Outside CI an unreachable server skips the test; under ``CI=true`` it fails.
    The schema rides in the URL (``options=-csearch_path=...``), so that
    other processes given the URL use it too.
    """
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    url = postgres_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        admin = create_engine(url)
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {url} unavailable under CI: {exc}")
        pytest.skip(f"PostgreSQL at {url} unavailable")
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _postgres_store() -> Iterator[Store]:
    """A migrated store in a fresh PostgreSQL schema, dropped afterwards."""
    with fresh_postgres_schema() as url:
        store = Store.open(url)
        try:
            yield store
        finally:
            store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, migrated store on each backend."""
    if request.param == "sqlite":
        s = Store.open(f"sqlite:///{tmp_path / 'interop.db'}")
        yield s
        s.close()
    else:
        yield from _postgres_store()


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    """A local Ray instance (2 CPUs) for the module's tests.

    Outside CI a missing Ray skips the test; under ``CI=true`` it fails.
    """
    if os.environ.get("CI") == "true":
        import ray  # under CI a missing Ray fails, never skips
    else:
        ray = pytest.importorskip("ray")
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        ignore_reinit_error=True,
        log_to_driver=False,
        object_store_memory=128 * 1024**2,
    )
    yield
    ray.shutdown()
