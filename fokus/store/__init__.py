"""Where a project lives: the engine, sessions, migrations and backups."""

from fokus.store.project import Project, open_project

__all__ = ["Project", "open_project"]
