"""The whole study: public pages followed in phase 1, their posts and comments, and each scoring of them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("followers_start", sa.BigInteger(), nullable=True),
        sa.Column("followers_end", sa.BigInteger(), nullable=True),
        sa.Column("population", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_pages_case_id_cases"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pages")),
        sa.UniqueConstraint("external_id", name=op.f("uq_pages_external_id")),
    )
    op.create_index(op.f("ix_pages_case_id"), "pages", ["case_id"])
    op.create_table(
        "page_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=True),
        sa.Column("likes", sa.BigInteger(), nullable=True),
        sa.Column("reactions", sa.BigInteger(), nullable=True),
        sa.Column("comments", sa.BigInteger(), nullable=True),
        sa.Column("shares", sa.BigInteger(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["page_id"], ["pages.id"], name=op.f("fk_page_posts_page_id_pages")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_page_posts_source_id_sources"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_posts")),
        sa.UniqueConstraint("external_id", name=op.f("uq_page_posts_external_id")),
    )
    op.create_index(op.f("ix_page_posts_page_id"), "page_posts", ["page_id"])
    op.create_index(op.f("ix_page_posts_created_at"), "page_posts", ["created_at"])
    op.create_table(
        "page_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("by_page", sa.Boolean(), nullable=False),
        sa.Column("author_key", sa.String(length=64), nullable=True),
        sa.Column("likes", sa.BigInteger(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["post_id"], ["page_posts.id"], name=op.f("fk_page_comments_post_id_page_posts")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["page_comments.id"], name=op.f("fk_page_comments_parent_id_page_comments")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_page_comments_source_id_sources"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_comments")),
        sa.UniqueConstraint("external_id", name=op.f("uq_page_comments_external_id")),
    )
    op.create_index(op.f("ix_page_comments_post_id"), "page_comments", ["post_id"])
    op.create_index(op.f("ix_page_comments_parent_id"), "page_comments", ["parent_id"])
    op.create_table(
        "score_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("criteria_sha256", sa.String(length=64), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("window_from", sa.Date(), nullable=True),
        sa.Column("window_to", sa.Date(), nullable=True),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_runs")),
    )


def downgrade() -> None:
    op.drop_table("score_runs")
    op.drop_index(op.f("ix_page_comments_parent_id"), table_name="page_comments")
    op.drop_index(op.f("ix_page_comments_post_id"), table_name="page_comments")
    op.drop_table("page_comments")
    op.drop_index(op.f("ix_page_posts_created_at"), table_name="page_posts")
    op.drop_index(op.f("ix_page_posts_page_id"), table_name="page_posts")
    op.drop_table("page_posts")
    op.drop_index(op.f("ix_pages_case_id"), table_name="pages")
    op.drop_table("pages")
