"""Where the store lives and how to open it.

The embedded default is a SQLite file (``INTEROP_HOME``/interop.db, WAL
mode, foreign keys on); ``INTEROP_DATABASE_URL`` names another database,
e.g. ``postgresql+psycopg://user@host:5432/db``. The schema is made and
upgraded by the Alembic migrations in :mod:`interop.store.migrations`
(:func:`migrate`), never by ``create_all``, so every backend has the same
history.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

DATABASE_URL_ENV = "INTEROP_DATABASE_URL"
HOME_ENV = "INTEROP_HOME"


class StoreError(RuntimeError):
    """The store cannot be opened or is not at the expected schema."""


def home() -> Path:
    """The folder of the embedded store and keys (``INTEROP_HOME``, else ``./.interop``)."""
    return Path(os.environ.get(HOME_ENV, ".interop"))


def database_url() -> str:
    """``INTEROP_DATABASE_URL``, else the embedded SQLite file under :func:`home`."""
    url = os.environ.get(DATABASE_URL_ENV)
    if url:
        return url
    return f"sqlite:///{home() / 'interop.db'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def open_engine(url: str | None = None, **options: Any) -> Engine:
    """An engine for ``url`` (default :func:`database_url`).

    SQLite: the file's folder is created; every connection turns foreign
    keys and WAL on and waits up to 30 s for a lock. PostgreSQL: psycopg 3
    with pre-ping.
    """
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    options.setdefault("pool_pre_ping", True)
    return create_engine(url, **options)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with the project's Alembic migrations."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "interop.store:migrations")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (``None``: never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


class Store:
    """An open store: its engine and a session factory.

    >>> store = Store.open("sqlite://")  # in memory
    >>> with store.session() as s:
    ...     pass
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str | None = None, *, upgrade: bool = True, **engine_options: Any) -> Store:
        """Open (and by default migrate) the store at ``url``."""
        engine = open_engine(url, **engine_options)
        if upgrade:
            migrate(engine)
        return cls(engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self._sessions.begin() as session:
            yield session

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()
