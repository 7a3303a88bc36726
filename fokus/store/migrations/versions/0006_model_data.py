"""Ready for a server: a model's file can live in the database (a team on PostgreSQL shares no folder), and the
whole numbers people bring (a municipality's budget in kroner, a post's reactions) are 64-bit, as SQLite's integers
always were; PostgreSQL's ``integer`` stops at 2,147,483,647.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("learned_models") as batch:
        batch.add_column(sa.Column("data", sa.LargeBinary(), nullable=True))
    # on SQLite the declared type changes only (its INTEGER was 64-bit all along), by batch's table copy
    with op.batch_alter_table("case_values") as batch:
        batch.alter_column("value_int", type_=sa.BigInteger(), existing_nullable=True)
    with op.batch_alter_table("messages") as batch:
        batch.alter_column("reactions", type_=sa.BigInteger(), existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.alter_column("reactions", type_=sa.Integer(), existing_nullable=True)
    with op.batch_alter_table("case_values") as batch:
        batch.alter_column("value_int", type_=sa.Integer(), existing_nullable=True)
    with op.batch_alter_table("learned_models") as batch:
        batch.drop_column("data")
