"""Coders: the researchers by name, and the machine coder whose suggestions they decide on."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.model import Coder, CoderKind

MACHINE_CODER = "fokus"


class CoderRegistry:
    """Coders by name, created on first use (humans by name, machines by origin)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.ids = dict(session.execute(select(Coder.name, Coder.id)).all())
        self.created: list[str] = []

    def get_or_create(self, name: str, kind: CoderKind) -> int:
        found = self.ids.get(name)
        if found is not None:
            return found
        coder = Coder(name=name, kind=kind.value)
        self.session.add(coder)
        self.session.flush()
        self.ids[name] = coder.id
        self.created.append(name)
        return coder.id


def human_coder(session: Session, name: str) -> int:
    """The id of the researcher called ``name``, created on first use: what every command and screen that codes or
    decides on behalf of a person needs, without knowing the coders table."""
    return CoderRegistry(session).get_or_create(name, CoderKind.HUMAN)
