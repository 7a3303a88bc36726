"""Project settings: a few named values stored in the project itself, so they travel with it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.model import Setting

# Every key the project stores, in one place, so no two features share one by accident.
CODEBOOK_SETTING = "codebook"  # the codebook's name and version, as last loaded
UBIQUITOUS_SETTING = "codebook.ubiquitous"  # codes so common that practice groups leave them out
DEMO_SETTING = "demo"  # set in a project `fokus demo` built
GROUP_SETTING = "facebook_group"  # the Facebook group the messages came from
MODEL_SETTING = "nlp.model"  # the spaCy pipeline the project was tagged with
#: The values MODEL_SETTING may hold besides a package name or folder: fokus's own rule-and-lexicon pipeline, and
#: the Norwegian model used when it is installed. Named here so that asking which pipeline a project uses (redaction
#: does, on every export) needs no spaCy.
BUILTIN_PIPELINE = "fokus-nb"
NORWEGIAN_MODEL = "nb_core_news_sm"
REDACT_SETTING = "privacy.redact"  # "off" shows participants' names in exports
AUTHOR_SECRET_SETTING = "pages.author_secret"  # the key of page commenters' keyed hashes (hex; fokus.api.pages)
SURVEY_ITEMS_SETTING = "survey.items"  # JSON: a survey item's id -> its question, kind, type, scale (fokus.api.survey)


def coder_setting(login: str) -> str:
    """The key holding the coder name the person logged in as ``login`` gave the TUI on its first run."""
    return f"tui.coder.{login}"


def place_setting(coder_id: int) -> str:
    """The key holding where a coder left off in the TUI (thread, message, offset)."""
    return f"tui.place.{coder_id}"


def get_setting(session: Session, key: str) -> str | None:
    return session.scalar(select(Setting.value).where(Setting.key == key))


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def is_demo(session: Session) -> bool:
    """Whether ``fokus demo`` built this project: only such a project may be deleted by ``fokus demo --fresh``."""
    return get_setting(session, DEMO_SETTING) == "1"
