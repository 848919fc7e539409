"""subject_templates.coded: the stored comparison form beside the template

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("subject_templates", sa.Column("coded", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    op.drop_column("subject_templates", "coded")
