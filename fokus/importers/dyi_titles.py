"""Who wrote a DYI entry, in which group, answering whom: read from its ``title``.

A DYI post has no author key; its title says it: "Kari Holmen posted in Kommunene i sosiale medier.". A comment's
title says whom it answers: "Kari Holmen replied to Øystein Berg's comment.". These are Facebook's English sentences
(an archive is written in the account's language); the Norwegian forms below are supported on a best-effort basis.

Post titles: ``<Name> <verb> ... in <Group>.`` where the verb is posted, shared (a link, a photo, someone's post),
updated (his/her/their status), wrote, added, created or published; Norwegian ``<Name> publiserte i <Group>.``,
``<Name> la ut ... i <Group>.``, and delte, oppdaterte, skrev, la til, opprettet. The name is what precedes the
first verb; the group is what follows the first " in " (" i ") after it, so a group called "Friends in Bodø" or
"Kommunene i sosiale medier" keeps its whole name. A title without " in <Group>" gives the author only.

Comment titles: ``<Name> commented on <X>'s post.`` (a comment) and ``<Name> replied to <X>'s comment.`` (a reply);
"his/her/their own post" means the author; "a post" names nobody. Norwegian: ``kommenterte ... til <X>``,
``svarte på ... til <X>``, ``<X> sitt/sin ...``, and ``sitt eget``/``sin egen`` for the author.
"""

from __future__ import annotations

from dataclasses import dataclass

from fokus.importers.records import MessageKind

# (verb, the preposition before the group)
_POST_VERBS = (
    ("posted", "in"),
    ("shared", "in"),
    ("updated", "in"),
    ("wrote", "in"),
    ("added", "in"),
    ("created", "in"),
    ("published", "in"),
    ("publiserte", "i"),
    ("la ut", "i"),
    ("delte", "i"),
    ("oppdaterte", "i"),
    ("skrev", "i"),
    ("la til", "i"),
    ("opprettet", "i"),
)
_COMMENT_VERBS = (
    ("commented on", MessageKind.COMMENT),
    ("replied to", MessageKind.REPLY),
    ("kommenterte", MessageKind.COMMENT),
    ("svarte på", MessageKind.REPLY),
)
_OWN = ("his own ", "her own ", "their own ", "your own ", "my own ", "sitt eget ", "sin egen ", "sine egne ")


@dataclass(frozen=True, slots=True)
class PostTitle:
    """What a post's title says."""

    author: str
    group: str | None


@dataclass(frozen=True, slots=True)
class CommentTitle:
    """What a comment's title says; ``author`` is None when the title could not be read."""

    author: str | None
    kind: MessageKind
    parent_author: str | None


def _earliest(text: str, phrases: tuple[str, ...]) -> tuple[int, str] | None:
    best: tuple[int, str] | None = None
    for phrase in phrases:
        i = text.find(f" {phrase} ")
        if i > 0 and (best is None or i < best[0]):
            best = (i, phrase)
    return best


def _sentence(title: str) -> str:
    text = " ".join(title.split())
    return text[:-1] if text.endswith(".") else text


def parse_post_title(title: str) -> PostTitle | None:
    """``"Kari Holmen posted in Kommunene i sosiale medier."`` -> author and group; None if no verb is found."""
    text = _sentence(title)
    found = _earliest(text, tuple(verb for verb, _ in _POST_VERBS))
    if found is None:
        return None
    i, verb = found
    preposition = dict(_POST_VERBS)[verb]
    rest = text[i + len(verb) + 1 :]  # " in Group" or " a link in Group"
    j = rest.find(f" {preposition} ")
    group = rest[j + len(preposition) + 2 :].strip() if j >= 0 else ""
    return PostTitle(text[:i].strip(), group or None)


def parse_comment_title(title: str) -> CommentTitle:
    """``"Kari replied to Ola's comment."`` -> (Kari, REPLY, Ola); unreadable titles give (None, COMMENT, None)."""
    text = _sentence(title)
    found = _earliest(text, tuple(verb for verb, _ in _COMMENT_VERBS))
    if found is None:
        return CommentTitle(None, MessageKind.COMMENT, None)
    i, verb = found
    kind = dict(_COMMENT_VERBS)[verb]
    author = text[:i].strip()
    rest = text[i + len(verb) + 2 :].strip() + " "
    return CommentTitle(author, kind, _answered(rest, author))


def _answered(rest: str, author: str) -> str | None:
    """The person answered, from the words after the verb (with a trailing space)."""
    if rest.startswith(_OWN):
        return author
    for mark in ("'s ", "\u2019s ", "' ", "\u2019 "):
        k = rest.find(mark)
        if k > 0:
            return rest[:k].strip()
    k = rest.find(" til ")
    if k >= 0 and rest[k + 5 :].strip():
        return rest[k + 5 :].strip()
    for mark in (" sitt ", " sin ", " sine "):
        k = rest.find(mark)
        if k > 0:
            return rest[:k].strip()
    return None  # "a post", "et innlegg": nobody named
