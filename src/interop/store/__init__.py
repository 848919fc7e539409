"""The store: SQLAlchemy 2 models, sessions and Alembic migrations.

SQLite by default (embedded, one file), PostgreSQL when
``INTEROP_DATABASE_URL`` names one; the same models and migrations on both.
"""

from interop.store.database import (
    DATABASE_URL_ENV,
    Store,
    StoreError,
    current_revision,
    database_url,
    home,
    migrate,
    open_engine,
)

__all__ = [
    "DATABASE_URL_ENV",
    "Store",
    "StoreError",
    "current_revision",
    "database_url",
    "home",
    "migrate",
    "open_engine",
]
