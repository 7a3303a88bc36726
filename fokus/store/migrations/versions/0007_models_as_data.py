"""Learned models are data, never code: the models saved so far were pickles (joblib), which ran whatever code they
named when loaded, so their bytes are dropped from the database. Their rows stay (the figures, and which codings
trained each version), so version numbers go on from where they were; loading one says it was a pickle and asks
for `fokus learn` again. Pickle files in a models folder are left where they are, and never read again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    models = sa.table("learned_models", sa.column("data", sa.LargeBinary()))
    op.execute(sa.update(models).values(data=None))  # every model saved before this revision was a pickle


def downgrade() -> None:
    pass  # nothing to give back: the pickles' bytes are gone (the files in a models folder were left alone)
