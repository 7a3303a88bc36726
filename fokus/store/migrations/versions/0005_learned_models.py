"""Models trained on the researchers' coding: each version's file and figures, and the codings it learned from.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "learned_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sentences", sa.Integer(), nullable=False),
        sa.Column("target_precision", sa.Double(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learned_models")),
        sa.UniqueConstraint("version", name=op.f("uq_learned_models_version")),
    )
    op.create_table(
        "model_examples",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("coding_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["learned_models.id"],
            name=op.f("fk_model_examples_model_id_learned_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("model_id", "coding_id", name=op.f("pk_model_examples")),
    )


def downgrade() -> None:
    op.drop_table("model_examples")
    op.drop_table("learned_models")
