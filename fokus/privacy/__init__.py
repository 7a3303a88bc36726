"""Privacy: participants' real names never leave the project in an export unless the user asks for them.

Participants are pseudonymised on import and their names kept only in the identity table; but people name each
other in what they write ("Hilsen Nina", "Takk, Tone!"). Redaction is a project setting, on unless turned off, that
every export applies to the texts it writes (messages, coded passages, quotes, QDPX sources, titles and memos),
never to the stored text: :mod:`fokus.privacy.names` finds the participants' names, :mod:`fokus.privacy.entities`
person entities when a Norwegian model with NER is there, and :mod:`fokus.privacy.redact` replaces them and maps
offsets. Importing this package imports neither spaCy nor the lexicon; they load when a redactor first looks.
"""

from fokus.privacy.names import ENTITY, PARTICIPANT, SEVERAL, UNKNOWN, Mention, NameFinder, Person, identity_names
from fokus.privacy.redact import (
    REDACTED_ID,
    OffsetMap,
    Redactor,
    Summary,
    export_redactor,
    find_message,
    redact,
    redaction_on,
    set_redaction,
    shown_message_ids,
)

__all__ = [
    "ENTITY",
    "PARTICIPANT",
    "REDACTED_ID",
    "SEVERAL",
    "UNKNOWN",
    "Mention",
    "NameFinder",
    "OffsetMap",
    "Person",
    "Redactor",
    "Summary",
    "export_redactor",
    "find_message",
    "identity_names",
    "redact",
    "redaction_on",
    "set_redaction",
    "shown_message_ids",
]
