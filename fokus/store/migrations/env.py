"""Alembic environment: always run from code on a connection fokus provides (see fokus.store.migrate)."""

from alembic import context

from fokus.model import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("fokus migrations run from code: open the project with fokus, not the alembic command")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
