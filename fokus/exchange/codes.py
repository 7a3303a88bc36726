"""How a code's definition, notes and examples travel in a REFI-QDA ``Description``, both ways.

REFI-QDA gives a code one description. fokus writes the definition, then "Inkluder: ...", "Ekskluder: ..." and
"Eksempler: ..." lines, then "[fokus: <code id>]" so that a codebook coming back keeps its code ids; other tools show
these as plain lines. Reading splits them apart again; a description from another tool is all definition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

INCLUDE, EXCLUDE, EXAMPLES = "Inkluder: ", "Ekskluder: ", "Eksempler: "
EXAMPLE_SEPARATOR = " | "
FOKUS_ID = re.compile(r"\[fokus: ([a-z0-9_/-]+)\]")


@dataclass(frozen=True)
class CodeNotes:
    description: str | None
    include: str | None
    exclude: str | None
    examples: tuple[str, ...]
    fokus_id: str | None


def code_description(row: dict[str, Any]) -> str:
    """The Description text of a code row (as ``codebook_rows`` gives it)."""
    parts = [(row.get("description") or "").strip()]
    if row.get("include"):
        parts.append(f"{INCLUDE}{row['include']}")
    if row.get("exclude"):
        parts.append(f"{EXCLUDE}{row['exclude']}")
    examples = [str(e).strip() for e in row.get("examples") or [] if str(e).strip()]
    if examples:
        parts.append(EXAMPLES + EXAMPLE_SEPARATOR.join(examples))
    parts.append(f"[fokus: {row['id']}]")
    return "\n".join(p for p in parts if p)


def code_notes(text: str | None) -> CodeNotes:
    """Split a Description as ``code_description`` writes it."""
    definition: list[str] = []
    include = exclude = fokus_id = None
    examples: tuple[str, ...] = ()
    for line in (text or "").splitlines():
        if line.startswith(INCLUDE):
            include = line.removeprefix(INCLUDE).strip()
        elif line.startswith(EXCLUDE):
            exclude = line.removeprefix(EXCLUDE).strip()
        elif line.startswith(EXAMPLES):
            examples = tuple(e.strip() for e in line.removeprefix(EXAMPLES).split(EXAMPLE_SEPARATOR) if e.strip())
        elif (found := FOKUS_ID.fullmatch(line.strip())) is not None:
            fokus_id = found.group(1)
        else:
            definition.append(line)
    return CodeNotes("\n".join(definition).strip() or None, include, exclude, examples, fokus_id)
