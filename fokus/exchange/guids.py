"""Stable GUIDs: an object gets one the first time it is exported (or keeps the one it was imported with)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.model import ExchangeId, table_of
from fokus.store.bulk import insert_values


class Guids:
    """GUIDs by (kind, local id), loaded once per command; new ones are written with ``save``."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[tuple[str, int], str] = {
            (kind, local_id): guid
            for kind, local_id, guid in session.execute(select(ExchangeId.kind, ExchangeId.local_id, ExchangeId.guid))
        }
        self.taken = set(self.known.values())
        self.new: list[tuple[str, int, str]] = []  # (kind, local id, guid) to save

    def get(self, kind: str, local_id: int) -> str:
        found = self.known.get((kind, local_id))
        if found is None:
            found = str(uuid.uuid4())
            self.remember(kind, local_id, found)
        return found

    def remember(self, kind: str, local_id: int, guid: str) -> None:
        """Keep a GUID that came from a file (lowercased; a GUID already used here is not reused)."""
        lowered = guid.lower()
        guid = guid if lowered == guid else lowered  # the file's own string when it is lowercase: no copy kept
        key = (kind, local_id)
        if key in self.known or guid in self.taken:
            return
        self.known[key] = guid
        self.taken.add(guid)
        self.new.append((kind, local_id, guid))

    def save(self) -> None:
        """Write the new GUIDs, as tuples (an import may bring hundreds of thousands: no dict for each)."""
        insert_values(self.session.connection(), table_of(ExchangeId), ("kind", "local_id", "guid"), self.new)
        self.new = []
