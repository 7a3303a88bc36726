"""GUIDs for REFI-QDA exchange, stable across exports.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exchange_ids",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("local_id", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("kind", "local_id", name=op.f("pk_exchange_ids")),
        sa.UniqueConstraint("guid", name=op.f("uq_exchange_ids_guid")),
    )


def downgrade() -> None:
    op.drop_table("exchange_ids")
