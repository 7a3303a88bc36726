"""The review queue: open suggestions in the orders a researcher works through them, and how far review has come."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from spacy.language import Language
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fokus.api.codings import import_codings
from fokus.api.review import ReviewItem, review_progress, review_queue
from fokus.errors import FokusError
from fokus.files.codings import CodingRow
from fokus.model import Code, Coding, CodingStatus, Message, Thread
from fokus.nlp import load_pipeline
from fokus.store import Project
from tests.test_browse import build

Key = tuple[str, str]  # (message, code)


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline("fokus-nb")


@pytest.fixture
def queued(tmp_path: Path, db: str, nlp: Language) -> Iterator[Project]:
    """The browse project (six rule suggestions), plus a model's suggestion without a confidence and a researcher's
    rejected coding, which is no machine decision."""
    project = build(tmp_path, db, nlp)
    rows = [
        CodingRow("c4", "dialog", None, None, None, CodingStatus.SUGGESTED, "model:tfidf", None, None, None, "1"),
        CodingRow("r2", "dialog", None, None, None, CodingStatus.REJECTED, "human", None, "ingrid", None, "2"),
    ]
    with project.begin() as session:
        import_codings(session, rows, display="test")
    yield project
    project.close()


def keys(items: list[ReviewItem]) -> list[Key]:
    return [(item.external_id, item.code) for item in items]


def coding_id(session: Session, key: Key) -> int:
    message, code = key
    found = session.scalar(
        select(Coding.id).join(Message).join(Code).where(Message.external_id == message, Code.path == code)
    )
    assert found is not None
    return found


def decide(session: Session, key: Key, status: CodingStatus) -> None:
    session.execute(update(Coding).where(Coding.id == coding_id(session, key)).values(status=status.value))


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        # surest first; ties in the order the conversation happened; no confidence last
        (
            "confidence",
            [
                ("c1", "krise/flom"),
                ("t2", "krise/flom"),
                ("t1", "krise"),
                ("t1", "dialog"),
                ("c1", "dialog"),
                ("c5", "dialog"),
                ("c4", "dialog"),
            ],
        ),
        # closest to 0.5 first (0.55, then 0.8, then 0.9)
        (
            "uncertain",
            [
                ("t1", "dialog"),
                ("c1", "dialog"),
                ("c5", "dialog"),
                ("t1", "krise"),
                ("c1", "krise/flom"),
                ("t2", "krise/flom"),
                ("c4", "dialog"),
            ],
        ),
        (
            "code",
            [
                ("t1", "dialog"),
                ("c1", "dialog"),
                ("c5", "dialog"),
                ("c4", "dialog"),
                ("t1", "krise"),
                ("c1", "krise/flom"),
                ("t2", "krise/flom"),
            ],
        ),
        # threads by time (t1, t2, t3), messages by time in each, spans by start
        (
            "thread",
            [
                ("t1", "krise"),
                ("t1", "dialog"),
                ("c1", "krise/flom"),
                ("c1", "dialog"),
                ("t2", "krise/flom"),
                ("c4", "dialog"),
                ("c5", "dialog"),
            ],
        ),
    ],
)
def test_queue_orders(queued: Project, order: str, expected: list[Key]) -> None:
    with queued.read() as session:
        assert keys(review_queue(session, order=order)) == expected


def test_confidence_is_the_default_order_and_pages_cut_it(queued: Project) -> None:
    with queued.read() as session:
        everything = keys(review_queue(session))
        assert everything == keys(review_queue(session, order="confidence"))
        assert keys(review_queue(session, limit=2)) == everything[:2]
        assert keys(review_queue(session, offset=2, limit=3)) == everything[2:5]
        assert keys(review_queue(session, offset=6)) == everything[6:]
        assert review_queue(session, offset=7) == []


def test_an_item_carries_its_sentence_context_and_matches(queued: Project) -> None:
    with queued.read() as session:
        item = review_queue(session, code="dialog", order="thread")[1]
        message_id, thread_id = session.execute(
            select(Message.id, Thread.id).join(Thread).where(Message.external_id == "c1")
        ).one()
        expected = ReviewItem(
            coding_id=coding_id(session, ("c1", "dialog")),
            message_id=message_id,
            external_id="c1",
            thread_id=thread_id,
            code="dialog",
            name="Dialog",
            color=None,
            start=20,
            end=47,
            sentence="Vi svarte på alle spørsmål.",
            context="Flommen kom i natt! Vi svarte på alle spørsmål.",
            participant="Deltaker 02",
            case="Tromsø",
            confidence=0.55,
            origin="rule:dialog:svare",
            matched=((23, 29), (38, 46)),
        )
    assert item == expected


def test_a_model_suggestion_without_details_has_no_matches(queued: Project) -> None:
    with queued.read() as session:
        last = review_queue(session)[-1]
    assert (last.external_id, last.origin, last.confidence, last.matched) == ("c4", "model:tfidf", None, ())
    assert (last.sentence, last.context, last.case) == ("Det er lurt.", "Det er lurt.", "Bergen")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("krise", [("c1", "krise/flom"), ("t2", "krise/flom"), ("t1", "krise")]),
        ("krise/flom", [("c1", "krise/flom"), ("t2", "krise/flom")]),
        ("krisekurs", []),
    ],
)
def test_a_code_keeps_itself_and_its_sub_codes(queued: Project, code: str, expected: list[Key]) -> None:
    with queued.read() as session:
        assert keys(review_queue(session, code=code)) == expected


def test_decided_suggestions_leave_the_queue(queued: Project) -> None:
    with queued.begin() as session:
        decide(session, ("t1", "krise"), CodingStatus.ACCEPTED)
        decide(session, ("c5", "dialog"), CodingStatus.REJECTED)
        assert keys(review_queue(session, order="thread")) == [
            ("t1", "dialog"),
            ("c1", "krise/flom"),
            ("c1", "dialog"),
            ("t2", "krise/flom"),
            ("c4", "dialog"),
        ]


def test_unknown_order_names_the_allowed_ones(queued: Project) -> None:
    with queued.read() as session, pytest.raises(FokusError) as raised:
        review_queue(session, order="random")
    assert "'random'" in str(raised.value)
    assert "confidence, uncertain, code, thread" in str(raised.value)


def test_unknown_code_is_a_user_error(queued: Project) -> None:
    with queued.read() as session, pytest.raises(FokusError, match="'kris'"):
        review_queue(session, code="kris")


def test_progress_counts_open_and_decided_machine_suggestions(queued: Project) -> None:
    with queued.begin() as session:
        # the researcher's own accepted and rejected codings are not machine decisions
        assert review_progress(session) == (7, 0)
        decide(session, ("t1", "krise"), CodingStatus.ACCEPTED)
        assert review_progress(session) == (6, 1)
        decide(session, ("c5", "dialog"), CodingStatus.REJECTED)
        decide(session, ("c4", "dialog"), CodingStatus.REJECTED)
        assert review_progress(session) == (4, 3)
        decide(session, ("c5", "dialog"), CodingStatus.SUGGESTED)
        assert review_progress(session) == (5, 2)


def test_nothing_open_means_an_empty_queue(queued: Project) -> None:
    with queued.begin() as session:
        session.execute(update(Coding).values(status=CodingStatus.ACCEPTED.value, origin="human"))
        assert review_queue(session) == []
        assert review_progress(session) == (0, 0)
