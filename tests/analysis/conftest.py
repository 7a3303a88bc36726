"""The analysis tests' fixtures: a module-scoped ``backend`` and the session's demo (see tests/analysis/backends.py)."""

from tests.analysis.backends import backend, collated_db, demo, demo_postgresql, demo_sqlite

__all__ = ["backend", "collated_db", "demo", "demo_postgresql", "demo_sqlite"]
