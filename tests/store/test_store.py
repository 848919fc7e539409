"""The store: migrations, instants in UTC, evidence by SHA-256, on both backends."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import StatementError

from interop.bus import keep_evidence
from interop.store import Store, current_revision
from interop.store.models import Base, Evidence, Jurisdiction, State


def test_migrations_make_every_table_of_the_models(store: Store) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert current_revision(store.engine) is not None


def test_instants_come_back_aware_in_utc(store: Store) -> None:
    chicago_noon = datetime(2011, 5, 4, 12, 0, tzinfo=timezone(timedelta(hours=-5)))
    with store.session() as s:
        keep_evidence(s, b"abc", now=chicago_noon)
    with store.session() as s:
        e = s.get(Evidence, hashlib.sha256(b"abc").hexdigest())
        assert e is not None and e.first_seen_at == chicago_noon
        assert e.first_seen_at.tzinfo is not None and e.first_seen_at.utcoffset() == timedelta(0)


def test_naive_instants_are_refused(store: Store) -> None:
    with pytest.raises(StatementError, match="naive datetime"), store.session() as s:
        keep_evidence(s, b"x", now=datetime(2011, 1, 1))


def test_evidence_is_kept_once_by_content(store: Store) -> None:
    with store.session() as s:
        a = keep_evidence(s, b"transaction bytes")
        b = keep_evidence(s, b"transaction bytes")
        assert a == b == hashlib.sha256(b"transaction bytes").hexdigest()
    with store.session() as s:
        assert len(s.scalars(select(Evidence)).all()) == 1


def test_a_failed_transaction_leaves_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.session() as s:
        s.add(State(code="IL", name="Illinois"))
        s.flush()
        raise RuntimeError("half-way")
    with store.session() as s:
        assert s.get(State, "IL") is None
        s.add(State(code="IL", name="Illinois"))
        s.flush()
        s.add(
            Jurisdiction(
                ori="IL0310000",
                state="IL",
                name="Cook County",
                time_zone="America/Chicago",
                activated_on=date(2011, 1, 1),
            )
        )
    with store.session() as s:
        j = s.get(Jurisdiction, "IL0310000")
        assert j is not None and j.activated_on == date(2011, 1, 1)


def test_foreign_keys_are_enforced(store: Store) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), store.session() as s:
        s.add(Jurisdiction(ori="ZZ0000000", state="ZZ", name="Nowhere", time_zone="UTC"))


def test_reopening_a_migrated_store_changes_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'x.db'}"
    Store.open(url).close()
    again = Store.open(url)
    assert current_revision(again.engine) is not None
    again.close()


def test_utc_helper_is_aware() -> None:
    from interop.bus.queue import utcnow

    assert utcnow().tzinfo is UTC


def test_the_migrations_match_the_models(store: Store) -> None:
    """No change between the migrated schema and the models (a model edited
    without a migration fails here)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
