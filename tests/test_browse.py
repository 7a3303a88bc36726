"""Browsing a project: the filtered, paged thread list and one thread read as a conversation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from spacy.language import Language
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fokus.api.browse import (
    CodingView,
    MessageView,
    ThreadFilter,
    ThreadRow,
    conversation,
    filter_options,
    longest_case_name,
    sentences,
    thread_count,
    thread_page,
)
from fokus.api.codebook import load_codebook
from fokus.api.codings import import_codings
from fokus.api.messages import import_messages
from fokus.api.tagging import tag_messages
from fokus.errors import FokusError
from fokus.files.codebook import load_codebook as read_codebook
from fokus.files.codings import CodingRow
from fokus.model import Case, Code, Coding, CodingStatus, Message, Participant, Thread
from fokus.nlp import load_pipeline
from fokus.store import Project, open_project
from tests import pgserver
from tests.conftest import BACKENDS, at, parsed, record

CODEBOOK = """\
ubiquitous: [facebook, kommune]
codes:
  - id: krise
    name: Krise
    color: "#D62728"
    rules:
      - id: beredskap
        any: [beredskap]
        weight: 0.8
    children:
      - id: flom
        name: Flom
        rules:
          - id: flom
            any: [flom]
            weight: 0.9
  - id: krisekurs
    name: Krisekurs
  - id: dialog
    name: Dialog
    rules:
      - id: svare
        near: {a: [svare], b: [innbygger, spørsmål], window: 4}
        weight: 0.55
"""
T2_TEXT = "Vi øver på flom hvert år sammen med brannvesenet og politiet i hele regionen vår, og det fungerer godt."
T2_AT = datetime(2013, 3, 5, 23, 30, tzinfo=UTC)  # 6 March in Oslo
RECORDS = [
    # t1: Kari (Deltaker 01, Bergen) posts; Per (02, Tromsø) comments, they reply to each other; Ola (03, Bergen)
    # answers a comment the project does not have (placed under the post) and comments.
    record(
        "t1",
        "Kari Holmen",
        "Beredskapsplanen ble lagt ut på Facebook. Vi svarer innbyggerne raskt.",
        when=at(1),
        title="Beredskap i Bergen",
        case="Bergen",
    ),
    record(
        "c1", "Per Lien", "Flommen kom i natt! Vi svarte på alle spørsmål.", when=at(1, 11), thread="t1", case="Tromsø"
    ),
    record("r1", "Kari Holmen", "Takk for tipset 😊", when=at(1, 12), thread="t1", parent="c1"),
    record("r2", "Per Lien", "Bare hyggelig.", when=at(1, 13), thread="t1", parent="r1"),
    record(
        "c3", "Ola Dahl", "Svar på noe som er borte.", when=at(1, 11, 15), thread="t1", parent="gone", case="Bergen"
    ),
    record("c2", "Ola Dahl", "Vi har en ØVELSE i mai.", when=at(1, 11, 30), thread="t1"),
    # t2: Per posts without a title, late in the evening (UTC) of 5 March; Kari comments.
    record("t2", "Per Lien", T2_TEXT, when=T2_AT),
    record("c4", "Kari Holmen", "Det er lurt.", when=at(6, 9), thread="t2"),
    # t3: Åse (Deltaker 04, no case) posts; Ola comments.
    record("t3", "Åse Berg", "Hvem bruker Instagram?", when=at(10)),
    record("c5", "Ola Dahl", "Vi svarer innbyggerne på Instagram også.", when=at(10, 11), thread="t3"),
]


def human(message: str, code: str, start: int | None = None, end: int | None = None) -> CodingRow:
    return CodingRow(message, code, start, end, None, CodingStatus.ACCEPTED, "human", None, "ingrid", None, message)


def build(folder: Path, target: str, nlp: Language) -> Project:
    """Three threads, two cases, rule suggestions (krise, krise/flom, dialog) and two codings by a researcher."""
    path = folder / "kodebok-regler.yaml"
    path.write_text(CODEBOOK, encoding="utf-8")
    project = open_project(target, create=True)
    with project.begin() as session:
        load_codebook(session, read_codebook(path))
        report = import_messages(session, [parsed(*RECORDS)])
        assert report.parent_missing == 1
        tagged = tag_messages(session, nlp)
        assert tagged.suggested == 6
        import_codings(session, [human("t3", "krisekurs"), human("c2", "krise")], display="test")
    return project


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline("fokus-nb")


@pytest.fixture(scope="module", params=BACKENDS)
def studied(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, nlp: Language
) -> Iterator[Project]:
    """The project, built (and tagged) once per backend: a test that changes it does so in a transaction that is
    rolled back at its end (``begin(dry_run=True)``), so the next test finds it as built."""
    folder = tmp_path_factory.mktemp("browse")
    admin = request.getfixturevalue("pg_admin") if request.param == "postgresql" else None
    target = str(folder / "browse.db") if admin is None else pgserver.create_database(admin)
    project = build(folder, target, nlp)
    try:
        yield project
    finally:
        project.close()
        if admin is not None:
            pgserver.drop_database(admin, target)


def threads(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Thread.external_id, Thread.id)).all())


def messages(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Message.external_id, Message.id)).all())


def listed(session: Session, filters: ThreadFilter | None = None, **paging: int) -> list[str]:
    names = {tid: ext for ext, tid in threads(session).items()}
    return [names[row.thread_id] for row in thread_page(session, filters or ThreadFilter(), **paging)]


def set_status(session: Session, message: str, code: str, status: CodingStatus) -> None:
    coding_id = session.scalar(
        select(Coding.id).join(Message).join(Code).where(Message.external_id == message, Code.path == code)
    )
    session.execute(update(Coding).where(Coding.id == coding_id).values(status=status.value))


def test_thread_rows_are_newest_first_with_their_counts(studied: Project) -> None:
    with studied.read() as session:
        ids = threads(session)
        rows = thread_page(session)
        assert thread_count(session) == 3
    assert rows == [
        ThreadRow(ids["t3"], "Hvem bruker Instagram?", None, "Deltaker 04", at(10), 2, 1, 1),
        # no title: the post's first twelve words
        ThreadRow(
            ids["t2"],
            "Vi øver på flom hvert år sammen med brannvesenet og politiet i …",
            "Tromsø",
            "Deltaker 02",
            T2_AT,
            2,
            0,
            1,
        ),
        ThreadRow(ids["t1"], "Beredskap i Bergen", "Bergen", "Deltaker 01", at(1), 6, 1, 4),
    ]


def test_paging_cuts_the_same_order(studied: Project) -> None:
    with studied.read() as session:
        assert listed(session, limit=2) == ["t3", "t2"]
        assert listed(session, offset=2, limit=2) == ["t1"]
        assert listed(session, offset=1, limit=1) == ["t2"]
        assert listed(session, offset=3) == []
        assert listed(session, limit=0) == []


def test_threads_created_at_the_same_time_are_ordered_by_id(studied: Project) -> None:
    with studied.begin(dry_run=True) as session:
        ids = threads(session)
        assert ids["t3"] > ids["t1"]
        session.execute(update(Thread).where(Thread.id == ids["t1"]).values(created_at=at(10)))
        assert listed(session) == ["t3", "t1", "t2"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        # anyone from the case, or the participant, wrote in the thread (not only the post)
        (ThreadFilter(case="Tromsø"), ["t2", "t1"]),
        (ThreadFilter(case="Bergen"), ["t3", "t2", "t1"]),
        (ThreadFilter(participant="Deltaker 04"), ["t3"]),
        (ThreadFilter(participant="Deltaker 01"), ["t2", "t1"]),
        (ThreadFilter(case="Tromsø", participant="Deltaker 03"), ["t1"]),
        # a code keeps its sub-codes (t2 only has krise/flom) but not codes that merely start alike (krisekurs)
        (ThreadFilter(code="krise"), ["t2", "t1"]),
        (ThreadFilter(code="krise/flom"), ["t2", "t1"]),
        (ThreadFilter(code="krisekurs"), ["t3"]),
        (ThreadFilter(status="accepted"), ["t3", "t1"]),
        (ThreadFilter(status="suggested"), ["t3", "t2", "t1"]),
        (ThreadFilter(status="rejected"), []),
        # the status in Norwegian too, whatever the language shown
        (ThreadFilter(status="godkjent"), ["t3", "t1"]),
        (ThreadFilter(status="foreslått"), ["t3", "t2", "t1"]),
        (ThreadFilter(status="avvist"), []),
        (ThreadFilter(code="krise", status="accepted"), ["t1"]),
        (ThreadFilter(code="krise/flom", status="accepted"), []),
        (ThreadFilter(code="dialog", status="suggested"), ["t3", "t1"]),
        # dates are Norwegian dates, inclusive: t2 was posted on 6 March in Oslo (5 March in UTC)
        (ThreadFilter(since=date(2013, 3, 6)), ["t3", "t2"]),
        (ThreadFilter(until=date(2013, 3, 5)), ["t1"]),
        (ThreadFilter(since=date(2013, 3, 6), until=date(2013, 3, 6)), ["t2"]),
        (ThreadFilter(since=date(2013, 3, 1), until=date(2013, 3, 10)), ["t3", "t2", "t1"]),
        (ThreadFilter(since=date(2013, 3, 11)), []),
        # the ends of the calendar, typed in the TUI's filter: every stored time lies between them (no overflow)
        (ThreadFilter(since=date(1, 1, 1), until=date(9999, 12, 31)), ["t3", "t2", "t1"]),
        (ThreadFilter(since=date(9999, 12, 31)), []),
        (ThreadFilter(until=date(1, 1, 1)), []),
        # text: any message or the title, ignoring case, Norwegian letters too
        (ThreadFilter(text="øvelse"), ["t1"]),
        (ThreadFilter(text="Øvelse"), ["t1"]),
        (ThreadFilter(text="INSTAGRAM"), ["t3"]),
        (ThreadFilter(text="takk for tipset"), ["t1"]),
        (ThreadFilter(text="bergen"), ["t1"]),  # only in t1's title
        (ThreadFilter(text="vi "), ["t3", "t2", "t1"]),
        (ThreadFilter(text="%"), []),
        (ThreadFilter(text="_"), []),
        (ThreadFilter(text="øvelse", case="Tromsø"), ["t1"]),
        (ThreadFilter(text="instagram", case="Tromsø"), []),
    ],
)
def test_each_filter_narrows_the_list_and_the_count(
    studied: Project, filters: ThreadFilter, expected: list[str]
) -> None:
    with studied.read() as session:
        assert listed(session, filters) == expected
        assert thread_count(session, filters) == len(expected)


def test_a_code_without_status_leaves_out_rejected_codings(studied: Project) -> None:
    with studied.begin(dry_run=True) as session:
        set_status(session, "c5", "dialog", CodingStatus.REJECTED)
        assert listed(session, ThreadFilter(code="dialog")) == ["t1"]
        assert listed(session, ThreadFilter(code="dialog", status="rejected")) == ["t3"]
        assert listed(session, ThreadFilter(status="rejected")) == ["t3"]


def test_paging_works_on_a_filtered_list(studied: Project) -> None:
    with studied.read() as session:
        bergen = ThreadFilter(case="Bergen")
        assert listed(session, bergen, offset=1, limit=1) == ["t2"]
        assert listed(session, bergen, offset=2) == ["t1"]
        assert thread_count(session, bergen) == 3


@pytest.mark.parametrize(
    ("filters", "named"),
    [
        (ThreadFilter(case="Oslo"), "'Oslo'"),
        (ThreadFilter(participant="Deltaker 99"), "'Deltaker 99'"),
        (ThreadFilter(code="kris"), "'kris'"),
        (ThreadFilter(status="maybe"), "'maybe'"),
    ],
)
def test_unknown_filter_values_are_user_errors(studied: Project, filters: ThreadFilter, named: str) -> None:
    with studied.read() as session, pytest.raises(FokusError, match=named):
        thread_page(session, filters)
    with studied.read() as session, pytest.raises(FokusError, match=named):
        thread_count(session, filters)


def test_a_conversation_reads_depth_first_with_siblings_by_time(studied: Project) -> None:
    with studied.read() as session:
        views = conversation(session, threads(session)["t1"])
    # c3 answered a comment the project does not have: it sits under the post, among the comments by time
    assert [(v.external_id, v.depth, v.kind) for v in views] == [
        ("t1", 0, "post"),
        ("c1", 1, "comment"),
        ("r1", 2, "reply"),
        ("r2", 3, "reply"),
        ("c3", 1, "reply"),
        ("c2", 1, "comment"),
    ]
    assert [(v.participant, v.case) for v in views] == [
        ("Deltaker 01", "Bergen"),
        ("Deltaker 02", "Tromsø"),
        ("Deltaker 01", "Bergen"),
        ("Deltaker 02", "Tromsø"),
        ("Deltaker 03", "Bergen"),
        ("Deltaker 03", "Bergen"),
    ]


def test_an_answer_whose_parent_is_gone_follows_the_post(studied: Project) -> None:
    with studied.begin(dry_run=True) as session:
        ids = messages(session)
        # r1's parent is gone (parent_id empty), and it was written before c2: it is read among the answers by time
        moved = {"parent_id": None, "created_at": at(1, 11, 20)}
        session.execute(update(Message).where(Message.id == ids["r1"]).values(**moved))
        views = conversation(session, threads(session)["t1"])
    assert [(v.external_id, v.depth) for v in views] == [
        ("t1", 0),
        ("c1", 1),
        ("c3", 1),
        ("r1", 1),
        ("r2", 2),
        ("c2", 1),
    ]


def test_messages_that_answer_each_other_in_a_circle_are_still_shown(studied: Project) -> None:
    with studied.begin(dry_run=True) as session:
        ids = messages(session)
        session.execute(update(Message).where(Message.id == ids["c1"]).values(parent_id=ids["r2"]))
        views = conversation(session, threads(session)["t1"])
    assert [(v.external_id, v.depth) for v in views] == [
        ("t1", 0),
        ("c3", 1),
        ("c2", 1),
        ("c1", 1),
        ("r1", 2),
        ("r2", 3),
    ]


def test_a_thread_without_a_post_lists_its_answers_and_has_no_author(studied: Project) -> None:
    with studied.begin(dry_run=True) as session:
        ids = messages(session)
        session.execute(update(Message).where(Message.id == ids["c5"]).values(parent_id=None))
        session.execute(update(Message).where(Message.id == ids["t3"]).values(kind="comment"))
        session.execute(update(Thread).where(Thread.external_id == "t3").values(title="Uten tråd"))
        views = conversation(session, threads(session)["t3"])
        rows = thread_page(session, ThreadFilter(participant="Deltaker 04"))
    assert [(v.external_id, v.depth) for v in views] == [("t3", 1), ("c5", 1)]
    assert (rows[0].title, rows[0].participant, rows[0].case) == ("Uten tråd", None, None)


def test_messages_carry_their_codings_with_matched_spans(studied: Project) -> None:
    with studied.read() as session:
        views = {v.external_id: v for v in conversation(session, threads(session)["t1"])}
        codings = {(v.external_id, c.code): c.coding_id for v in views.values() for c in v.codings}
        ids = messages(session)
    post = views["t1"]
    assert post == MessageView(
        message_id=ids["t1"],
        external_id="t1",
        depth=0,
        kind="post",
        participant="Deltaker 01",
        case="Bergen",
        created_at=at(1),
        text="Beredskapsplanen ble lagt ut på Facebook. Vi svarer innbyggerne raskt.",
        codings=(
            CodingView(
                codings[("t1", "krise")],
                "krise",
                "Krise",
                "#D62728",
                0,
                41,
                "suggested",
                "fokus",
                "rule:krise:beredskap",
                0.8,
                ((0, 16),),
            ),
            CodingView(
                codings[("t1", "dialog")],
                "dialog",
                "Dialog",
                None,
                42,
                70,
                "suggested",
                "fokus",
                "rule:dialog:svare",
                0.55,
                ((45, 51), (52, 63)),
            ),
        ),
    )
    assert [(c.code, c.start, c.end, c.matched) for c in views["c1"].codings] == [
        ("krise/flom", 0, 19, ((0, 7),)),
        ("dialog", 20, 47, ((23, 29), (38, 46))),
    ]
    assert views["c2"].codings == (
        CodingView(
            codings[("c2", "krise")], "krise", "Krise", "#D62728", 0, 23, "accepted", "ingrid", "human", None, ()
        ),
    )
    assert views["r1"].codings == ()


def test_codings_of_every_status_are_shown(studied: Project) -> None:
    with studied.begin(dry_run=True) as session:
        set_status(session, "c1", "dialog", CodingStatus.REJECTED)
        set_status(session, "c1", "krise/flom", CodingStatus.ACCEPTED)
        views = {v.external_id: v for v in conversation(session, threads(session)["t1"])}
    assert [(c.code, c.status) for c in views["c1"].codings] == [("krise/flom", "accepted"), ("dialog", "rejected")]


def test_the_longest_municipality_name_is_of_the_participants_cases(studied: Project) -> None:
    with studied.read() as session:
        names = session.scalars(select(Case.name).join(Participant, Participant.case_id == Case.id)).all()
        assert longest_case_name(session) == max(map(len, names))


def test_an_unknown_status_lists_the_statuses_in_the_readers_language(studied: Project) -> None:
    from fokus.i18n import use

    with studied.read() as session, pytest.raises(FokusError) as raised:
        thread_count(session, ThreadFilter(status="kanskje"))
    assert "accepted, suggested, rejected" in str(raised.value.hint)
    use("nb")
    with studied.read() as session, pytest.raises(FokusError) as raised:
        thread_count(session, ThreadFilter(status="kanskje"))
    assert "godkjent, foreslått, avvist" in str(raised.value.hint)


def test_an_unknown_thread_is_a_user_error(studied: Project) -> None:
    with studied.read() as session, pytest.raises(FokusError, match="thread 999"):
        conversation(session, 999)


def test_sentences_are_the_stored_units(studied: Project) -> None:
    with studied.begin(dry_run=True) as session:
        ids = messages(session)
        assert sentences(session, ids["c1"]) == [(0, 19), (20, 47)]
        assert sentences(session, ids["r2"]) == [(0, 14)]
        import_messages(session, [parsed(record("t9", "Kari Holmen", "Ny. Ikke tagget.", when=at(20)), sha="b" * 64)])
        assert sentences(session, messages(session)["t9"]) == []


def test_filter_options_are_sorted_for_the_pickers(studied: Project) -> None:
    with studied.begin(dry_run=True) as session:
        session.add_all([Participant(pseudonym="Deltaker 100"), Participant(pseudonym="Deltaker 11")])
        session.flush()
        options = filter_options(session)
    assert options == {
        "cases": ["Bergen", "Tromsø"],
        "participants": ["Deltaker 01", "Deltaker 02", "Deltaker 03", "Deltaker 04", "Deltaker 11", "Deltaker 100"],
        "codes": ["dialog", "krise", "krise/flom", "krisekurs"],
    }
