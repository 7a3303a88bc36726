"""Backup copies of a SQLite project, written with SQLite's online backup API (safe while others read or write)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path


def backup_sqlite(db_path: Path, label: str) -> Path:
    """Copy the project beside itself as ``<name>.<UTC time>.<label>.bak`` and return the copy's path."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = db_path.with_name(f"{db_path.name}.{stamp}.{label}.bak")
    source = sqlite3.connect(db_path)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    return target
