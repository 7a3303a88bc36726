"""Pseudonymisation: every author becomes a participant known by a stable pseudonym.

The real name is kept only in ``participant_identities`` so the same person is recognised on the next import (from
another format or another donor's archive). Names are matched after Unicode normalisation, case folding and
whitespace collapsing, so "Øystein  Berg" and "øystein berg" are one person; pseudonyms are numbered in order of first
appearance and never change once given.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.model import Case, Participant, ParticipantIdentity

PSEUDONYM_PREFIX = "Deltaker"
# Up to six digits: a name like "Deltaker 0000...0001" is someone's name, not a pseudonym the column could hold (nor
# one to count on from: its successor would not fit either).
_PSEUDONYM = re.compile(rf"^{PSEUDONYM_PREFIX} ([0-9]{{1,6}})$")


def name_key(name: str) -> str:
    """The form of a name used to recognise a person across exports."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


_cached_key = functools.lru_cache(maxsize=65536)(name_key)


def pseudonym(number: int) -> str:
    return f"{PSEUDONYM_PREFIX} {number:02d}"


class ParticipantRegistry:
    """The participants of one project during one command: finds or creates them without a query per message."""

    def __init__(self, session: Session) -> None:
        self.session = session
        rows = session.execute(select(ParticipantIdentity.key, ParticipantIdentity.participant_id))
        self.ids: dict[str, int] = dict(rows.all())
        self.case_of: dict[int, int | None] = dict(session.execute(select(Participant.id, Participant.case_id)).all())
        self.pseudonyms = set(session.scalars(select(Participant.pseudonym)))
        numbers = [int(m.group(1)) for p in self.pseudonyms if (m := _PSEUDONYM.match(p))]
        self.next_number = max(numbers, default=0) + 1
        self.created = 0

    def find(self, name: str) -> int | None:
        return self.ids.get(_cached_key(name))

    def get_or_create(self, name: str) -> int:
        key = _cached_key(name)
        found = self.ids.get(key)
        if found is not None:
            return found
        clean = " ".join(name.split())
        if _PSEUDONYM.match(clean) and clean not in self.pseudonyms:
            # an author who is already a pseudonym (a project fokus exported) keeps it
            participant = Participant(pseudonym=clean)
        else:
            while pseudonym(self.next_number) in self.pseudonyms:
                self.next_number += 1
            participant = Participant(pseudonym=pseudonym(self.next_number))
            self.next_number += 1
        self.pseudonyms.add(participant.pseudonym)
        self.session.add(participant)
        self.session.flush()
        self.session.add(ParticipantIdentity(participant_id=participant.id, name=" ".join(name.split()), key=key))
        self.ids[key] = participant.id
        self.case_of[participant.id] = None
        self.created += 1
        return participant.id


class CaseRegistry:
    """Cases by name (case-insensitive), created on first mention."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.ids: dict[str, int] = {name.casefold(): cid for cid, name in session.execute(select(Case.id, Case.name))}
        self.created = 0

    def get_or_create(self, name: str) -> int:
        clean = " ".join(name.split())
        found = self.ids.get(clean.casefold())
        if found is not None:
            return found
        case = Case(name=clean)
        self.session.add(case)
        self.session.flush()
        self.ids[clean.casefold()] = case.id
        self.created += 1
        return case.id
