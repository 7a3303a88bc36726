"""Project settings: a few named values stored in the project itself, so they travel with it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.model import Setting


def get_setting(session: Session, key: str) -> str | None:
    return session.scalar(select(Setting.value).where(Setting.key == key))


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
