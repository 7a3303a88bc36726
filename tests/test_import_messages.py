"""Importing messages into a project: merging without duplicates, pseudonyms, threads, DYI placement, atomicity;
and the same project from the same files on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import gc
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, func, select
from sqlalchemy.orm import aliased

from fokus.api.cases import import_cases, link_participants
from fokus.api.codebook import load_codebook
from fokus.api.codings import import_codings
from fokus.api.messages import import_messages
from fokus.api.messages_state import fingerprint
from fokus.errors import FokusError
from fokus.files.cases import read_case_table
from fokus.files.codebook import load_codebook as read_codebook
from fokus.files.codings import read_codings
from fokus.importers import read_paths
from fokus.importers.records import MessageKind, SourceKind
from fokus.model import (
    Attribute,
    Base,
    Case,
    CaseValue,
    Code,
    Coder,
    Coding,
    Message,
    MessageAlias,
    Participant,
    ParticipantIdentity,
    Setting,
    Source,
    Thread,
)
from fokus.resources import bundled, default_codebook
from fokus.store import Project, open_project
from tests.conftest import at, parsed, record


def _count(project: Project, model: type) -> int:
    with project.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _thread(project: Project) -> list:
    return [
        record("p1", "Kari Holmen", "Hvordan svarer dere i helgene?", when=at(1), case="Bodø"),
        record("c1", "Ragnhild Vik", "Vi svarar måndag.", when=at(1, 11), thread="p1", parent="p1", case="Voss"),
        record("r1", "Kari Holmen", "Takk!", when=at(1, 12), thread="p1", parent="c1"),
    ]


def test_a_thread_is_stored_with_parents_kinds_and_pseudonyms(project: Project) -> None:
    with project.begin() as session:
        report = import_messages(session, [parsed(*_thread(project))])
    assert (report.messages_added, report.threads_added, report.participants_added) == (3, 1, 2)
    with project.read() as session:
        messages = {m.external_id: m for m in session.scalars(select(Message))}
        assert messages["c1"].parent_id == messages["p1"].id
        assert messages["r1"].parent_id == messages["c1"].id
        assert [messages[k].kind for k in ("p1", "c1", "r1")] == ["post", "comment", "reply"]
        assert len({m.thread_id for m in messages.values()}) == 1
        pseudonyms = {m.external_id: m.participant.pseudonym for m in messages.values()}
        assert pseudonyms == {"p1": "Deltaker 01", "c1": "Deltaker 02", "r1": "Deltaker 01"}
        cases = dict(session.execute(select(Participant.pseudonym, Case.name).join(Case)).all())
        assert cases == {"Deltaker 01": "Bodø", "Deltaker 02": "Voss"}
        assert session.scalar(select(Thread.created_at)) == at(1)


def test_real_names_live_only_in_the_identity_table(project: Project) -> None:
    with project.begin() as session:
        import_messages(session, [parsed(*_thread(project))])
    tables = MetaData()
    tables.reflect(project.engine)  # every table the database has, not only those the model declares
    assert set(Base.metadata.tables) < set(tables.tables)
    with project.read() as session:
        holding = [
            table.name
            for table in tables.sorted_tables
            if any("Holmen" in str(value) for row in session.execute(select(table)) for value in row)
        ]
    assert holding == ["participant_identities"]


def test_reimport_and_overlapping_exports_add_nothing_twice(project: Project) -> None:
    first = _thread(project)
    with project.begin() as session:
        import_messages(session, [parsed(*first)])
    # the same file again, and a DYI donation holding the same comment without an id, in another case of spelling
    again = parsed(*first)
    donation = record(
        "dyi:abc", "ragnhild  VIK", "Vi svarar måndag.", when=at(1, 11), thread=None, kind=MessageKind.COMMENT
    )
    with project.begin() as session:
        report = import_messages(session, [again, parsed(donation, kind=SourceKind.DYI, sha="b" * 64)])
    assert report.messages_added == 0
    assert report.existing == 4
    assert _count(project, Message) == 3
    assert _count(project, Participant) == 2
    assert _count(project, Source) == 2
    assert report.sources[0].imported_before is not None


def test_changed_text_under_a_known_id_is_reported_and_taken(project: Project) -> None:
    with project.begin() as session:
        import_messages(session, [parsed(*_thread(project))])
    edited = record("c1", "Ragnhild Vik", "Vi svarar på måndag.", when=at(1, 11), thread="p1", parent="p1")
    with project.begin() as session:
        report = import_messages(session, [parsed(edited, sha="c" * 64)])
    assert (report.changed, report.updated, report.messages_updated) == (1, 1, 1)
    with project.read() as session:
        assert session.scalar(select(Message.text).where(Message.external_id == "c1")) == "Vi svarar på måndag."


def test_pseudonyms_follow_time_not_file_order_and_never_change(project: Project) -> None:
    late = record("p2", "Øystein Berg", "Senere", when=at(5))
    early = record("p3", "Siri Åsland", "Tidlig", when=at(2))
    with project.begin() as session:
        import_messages(session, [parsed(late, early)])
    with project.begin() as session:
        import_messages(session, [parsed(record("p4", "Geir Mathisen", "Først av alle", when=at(1)), sha="d" * 64)])
    with project.read() as session:
        names = dict(session.execute(select(ParticipantIdentity.name, Participant.pseudonym).join(Participant)).all())
    assert names == {"Siri Åsland": "Deltaker 01", "Øystein Berg": "Deltaker 02", "Geir Mathisen": "Deltaker 03"}


def test_an_author_named_like_a_pseudonym_keeps_it_only_when_it_is_one(project: Project) -> None:
    """A project fokus exported comes back with its pseudonyms; a name that only looks like one, longer than a
    pseudonym can be (PostgreSQL refused it, SQLite stored it), is a name like any other."""
    long = "Deltaker " + "9" * 41
    authors = [(long, 1), ("Deltaker 07", 2), ("Kari Holmen", 3)]
    with project.begin() as session:
        import_messages(session, [parsed(*(record(f"p{d}", a, "Hei", when=at(d)) for a, d in authors))])
    with project.read() as session:
        names = dict(session.execute(select(ParticipantIdentity.name, Participant.pseudonym).join(Participant)).all())
    assert names == {long: "Deltaker 01", "Deltaker 07": "Deltaker 07", "Kari Holmen": "Deltaker 02"}


def test_dyi_comments_are_placed_only_where_one_thread_fits(project: Project) -> None:
    posts = [
        record("p1", "Kari Holmen", "Første", when=at(1)),
        record("p2", "Kari Holmen", "Andre", when=at(3)),
        record("p9", "Geir Mathisen", "Eneste innlegg", when=at(5)),
        record("c9", "Kari Holmen", "Kommentar", when=at(6), thread="p9", parent="p9"),
    ]
    with project.begin() as session:
        import_messages(session, [parsed(*posts)])

    def donated(source_id: str, text: str, day: int, answers: str, kind: MessageKind = MessageKind.COMMENT):
        return record(source_id, "Ragnhild Vik", text, when=at(day), kind=kind, parent_author=answers, group="G")

    donation = [
        donated("dyi:1", "Kari har to innlegg før dette", 4, "Kari Holmen"),
        donated("dyi:2", "Geir har bare ett", 7, "Geir Mathisen"),
        donated("dyi:3", "Svar til en ukjent", 7, "Ukjent Person"),
        donated("dyi:4", "Før Geir skrev noe", 2, "Geir Mathisen"),
        donated("dyi:5", "Svar på Karis kommentar", 8, "Kari Holmen", MessageKind.REPLY),
    ]
    with project.begin() as session:
        report = import_messages(session, [parsed(*donation, kind=SourceKind.DYI, sha="e" * 64)])
    assert (report.placed_by_author, report.unplaced) == (2, 3)
    with project.read() as session:
        rows = {
            m.external_id: (m.placement, m.parent_id, m.thread.external_id, m.answers_participant_id)
            for m in session.scalars(select(Message).where(Message.external_id.like("dyi:%")))
        }
        ids = dict(session.execute(select(Message.external_id, Message.id)).all())
        people = dict(session.execute(select(ParticipantIdentity.name, ParticipantIdentity.participant_id)).all())
    assert rows["dyi:2"] == ("by-author", ids["p9"], "p9", people["Geir Mathisen"])
    assert rows["dyi:5"] == ("by-author", ids["c9"], "p9", people["Kari Holmen"])
    for unplaced in ("dyi:1", "dyi:3", "dyi:4"):
        assert rows[unplaced][:3] == ("unplaced", None, "unplaced:G")
    assert rows["dyi:1"][3] == people["Kari Holmen"]
    assert rows["dyi:3"][3] is None


def test_one_message_under_several_ids_is_found_by_each(project: Project) -> None:
    """A DYI post read before the CSV that holds the same post: the CSV's comments must still find their thread."""
    dyi_post = record("dyi:p", "Ragnhild Vik", "Vårflaum!", when=at(2), group="G")
    csv_post = record("am-1", "Ragnhild Vik", "Vårflaum!", when=at(2))
    csv_comment = record("am-2", "Solveig Nes", "Lykke til", when=at(2, 11), thread="am-1", parent="am-1")
    sources = [parsed(dyi_post, kind=SourceKind.DYI, sha="1" * 64), parsed(csv_post, csv_comment, sha="2" * 64)]
    with project.begin() as session:
        report = import_messages(session, sources)
    assert (report.messages_added, report.aliases_added) == (2, 1)
    with project.read() as session:
        post = session.scalars(select(Message).where(Message.kind == "post")).one()
        comment = session.scalars(select(Message).where(Message.kind == "comment")).one()
    assert post.external_id == "am-1"  # the id researchers see in their CSV wins over the derived one
    assert comment.parent_id == post.id
    # a later import naming the post by its DYI id finds it too
    late = record("am-3", "Kari Holmen", "Sent svar", when=at(9), thread="dyi:p", parent="dyi:p")
    with project.begin() as session:
        report = import_messages(session, [parsed(late, sha="3" * 64)])
    assert report.messages_added == 1
    with project.read() as session:
        assert session.scalar(select(Message.parent_id).where(Message.external_id == "am-3")) == post.id


def test_donations_from_several_groups_need_a_choice(project: Project) -> None:
    mine = record("dyi:a", "Kari Holmen", "I gruppa", when=at(1), group="Kommunene i sosiale medier")
    other = record("dyi:b", "Kari Holmen", "Hagelaget", when=at(2), group="Hagelaget i Bodø")
    source = parsed(mine, other, kind=SourceKind.DYI)
    with pytest.raises(FokusError, match="2 groups") as err, project.begin() as session:
        import_messages(session, [source])
    assert "--group" in str(err.value)
    assert _count(project, Message) == 0
    with project.begin() as session:
        report = import_messages(session, [source], group="Kommunene i sosiale medier")
    assert report.messages_added == 1
    assert report.sources[0].other_groups == 1
    # the project remembers its group: the next donation needs no flag
    with project.begin() as session:
        report = import_messages(session, [parsed(other, kind=SourceKind.DYI, sha="f" * 64)])
    assert report.messages_added == 0
    assert report.sources[0].other_groups == 1


def test_an_answer_to_an_unknown_thread_fails_and_writes_nothing(project: Project) -> None:
    good = record("p1", "Kari Holmen", "Innlegg", when=at(1))
    orphan = record("c9", "Kari Holmen", "Svar", when=at(2), thread="nowhere", parent="nowhere")
    with pytest.raises(FokusError, match="neither in this import nor in the project") as err, project.begin() as s:
        import_messages(s, [parsed(good, orphan)])
    assert "test:c9" in str(err.value)
    assert _count(project, Message) == 0
    assert _count(project, Participant) == 0
    assert _count(project, Source) == 0
    assert gc.get_threshold()[0] < 100_000  # collections kept rare while importing (fokus.allocation), not after


def test_a_comment_can_answer_a_thread_imported_earlier(project: Project) -> None:
    with project.begin() as session:
        import_messages(session, [parsed(record("p1", "Kari Holmen", "Innlegg", when=at(1)))])
    late = record("c2", "Geir Mathisen", "Sent svar", when=at(8), thread="p1", parent="p1")
    missing_parent = record("r2", "Geir Mathisen", "Svar på slettet", when=at(9), thread="p1", parent="deleted")
    with project.begin() as session:
        report = import_messages(session, [parsed(late, missing_parent, sha="9" * 64)])
    assert report.parent_missing == 1
    with project.read() as session:
        placements = dict(session.execute(select(Message.external_id, Message.placement)).all())
        threads = session.scalar(select(func.count(func.distinct(Message.thread_id))))
    assert placements == {"p1": "source", "c2": "source", "r2": "parent-missing"}
    assert threads == 1


def test_a_copy_that_matches_two_messages_joins_the_same_one_on_every_backend(project: Project) -> None:
    """An edit can give a message the fingerprint of another (the same author, second and now text); a later copy
    without an id then joins the one stored last, whichever order the database returns its rows in."""
    first = record("m1", "Kari Holmen", "Først skrevet slik.", when=at(1))
    second = record("m2", "Kari Holmen", "Flommen kom.", when=at(1))
    with project.begin() as session:
        import_messages(session, [parsed(first, second)])
    with project.begin() as session:  # m1 is edited into m2's text
        import_messages(session, [parsed(record("m1", "Kari Holmen", "Flommen kom.", when=at(1)), sha="b" * 64)])
    copy = record("dyi:x", "Kari Holmen", "Flommen kom.", when=at(1), group="G")
    with project.begin() as session:
        report = import_messages(session, [parsed(copy, kind=SourceKind.DYI, sha="c" * 64)])
    assert (report.messages_added, report.aliases_added) == (0, 1)
    with project.read() as session:
        joined = session.scalar(
            select(Message.external_id).join(MessageAlias).where(MessageAlias.external_id == "dyi:x")
        )
    assert joined == "m2"


# --- the same project on both backends ----------------------------------------------------------------------------

CORPUS = bundled("corpus")
CORPUS_GROUP = "Kommunene i sosiale medier"


def holdings(project: Project) -> dict[str, list[tuple[Any, ...]]]:
    """What a project holds, by the names people and files use (external ids, pseudonyms, case names, code paths)
    rather than database ids, which each backend draws its own way; times set to "now" are left out."""
    parent, answers = aliased(Message), aliased(Participant)
    messages = (
        select(
            Message.external_id,
            Thread.external_id,
            parent.external_id,
            Message.kind,
            Participant.pseudonym,
            Message.created_at,
            Message.updated_at,
            Message.text,
            Message.reactions,
            Message.url,
            Message.fingerprint,
            Message.placement,
            answers.pseudonym,
            Source.sha256,
        )
        .join(Thread, Message.thread_id == Thread.id)
        .join(Participant, Message.participant_id == Participant.id)
        .outerjoin(parent, Message.parent_id == parent.id)
        .outerjoin(answers, Message.answers_participant_id == answers.id)
        .outerjoin(Source, Message.source_id == Source.id)
    )
    values = select(
        Case.name,
        Attribute.name,
        CaseValue.value_text,
        CaseValue.value_int,
        CaseValue.value_float,
        CaseValue.value_bool,
        CaseValue.value_date,
    )
    coding = Coding.start, Coding.end, Coding.status, Coding.origin, Coding.confidence, Coding.details
    queries = {
        "settings": select(Setting.key, Setting.value),
        "sources": select(Source.sha256, Source.kind, Source.path, Source.messages_added),
        "threads": select(Thread.external_id, Thread.title, Thread.created_at, Source.sha256).outerjoin(Source),
        "messages": messages,
        "aliases": select(MessageAlias.external_id, Message.external_id).join(Message),
        "participants": select(Participant.pseudonym, Case.name, Participant.role).outerjoin(Case),
        "identities": select(Participant.pseudonym, ParticipantIdentity.name, ParticipantIdentity.key).join(
            Participant
        ),
        "cases": select(Case.name),
        "attributes": select(Attribute.name, Attribute.type, Attribute.position),
        "values": values.join(Case).join(Attribute),
        "codings": select(Message.external_id, Code.path, Coder.name, *coding).join(Message).join(Code).join(Coder),
    }
    with project.read() as session:
        found = {name: [tuple(row) for row in session.execute(query)] for name, query in queries.items()}
    found["codings"] = [(*row[:-1], _without_time(row[-1])) for row in found["codings"]]
    return {name: sorted(rows, key=repr) for name, rows in found.items()}


def _without_time(details: dict[str, Any] | None) -> dict[str, Any] | None:
    """A coding's details without the time a re-anchoring flag was set (each project was edited at its own time)."""
    if not details or "reanchor" not in details:
        return details
    return {**details, "reanchor": {k: v for k, v in details["reanchor"].items() if k != "at"}}


def _edited_csv(folder: Path) -> Path:
    """Twelve coded messages of the corpus's CSV again, edited: words put before some, the middle third of the
    others deleted."""
    import csv

    coded = {row["message_id"] for row in csv.DictReader((CORPUS / "codings.csv").open(encoding="utf-8"))}
    with (CORPUS / "csv" / "april-mai.csv").open(encoding="utf-8-sig", newline="") as table:
        rows = [row for row in csv.DictReader(table) if row["id"] in coded][:12]
    for k, row in enumerate(rows):
        text = row["text"]
        third = len(text) // 3
        row["text"] = text[:third] + text[2 * third :] if k % 2 else f"Rettet: {text}"
    path = folder / "rettet.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _corpus_steps(folder: Path) -> list[list[Path]]:
    """The corpus as a team would bring it in: the harvests first, then the donations and transcripts (placed
    among what is stored), everything again (nothing new), then an edited export of coded messages."""
    files = {name: sorted((CORPUS / name).iterdir()) for name in ("graph", "csv", "dyi", "transcripts")}
    everything = [path for paths in files.values() for path in paths]
    return [files["graph"] + files["csv"], files["dyi"] + files["transcripts"], everything, [_edited_csv(folder)]]


@pytest.mark.postgresql
def test_the_corpus_makes_the_same_project_on_both_backends(tmp_path: Path, pg_db: str) -> None:
    steps = _corpus_steps(tmp_path)
    found: dict[str, tuple[list[Any], dict[str, list[tuple[Any, ...]]]]] = {}
    for name, target in (("sqlite", str(tmp_path / "p.db")), ("postgresql", pg_db)):
        project = open_project(target, create=True)
        reports = []
        with project.begin() as session:
            load_codebook(session, read_codebook(default_codebook()))
        for number, step in enumerate(steps):
            with project.begin() as session:
                reports.append(import_messages(session, read_paths(step), group=CORPUS_GROUP))
                if number == 1:  # everything is in: the cases, who speaks for which, the hand coding
                    reports.append(import_cases(session, read_case_table(CORPUS / "cases.csv"), "cases.csv"))
                    reports.append(link_participants(session, CORPUS / "participants.csv"))
                    reports.append(import_codings(session, read_codings(CORPUS / "codings.csv"), display="codings"))
        found[name] = ([_said(report) for report in reports], holdings(project))
        project.close()
    sqlite, postgresql = found["sqlite"], found["postgresql"]
    assert postgresql[1] == sqlite[1]
    assert postgresql[0] == sqlite[0]
    added, placed, again, edit = (r for r in sqlite[0] if "placed_by_author" in r)
    assert added["messages_added"] > 800
    assert placed["aliases_added"] > 300  # the donations hold what the harvests held, under other ids
    assert placed["unplaced"] > 0
    assert again["messages_added"] == 0
    assert all(s["existing"] + s["other_groups"] == s["messages"] for s in again["sources"])
    assert edit["messages_updated"] == 12
    assert edit["reanchored"]["followed"] > 0
    assert edit["reanchored"]["moved"] + edit["reanchored"]["lost"] > 0


def _said(report: Any) -> dict[str, Any]:
    """A report as it reads, without what differs from run to run: when a file was imported before (only whether
    it was) and the random id of an event batch."""
    said = dataclasses.asdict(report)
    for source in said.get("sources", []):
        source["imported_before"] = source["imported_before"] is not None
    said.pop("batch", None)
    return said


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "Hei på deg",
        " Hei",
        "Hei ",
        "Hei  på deg",
        "Hei\npå\tdeg",
        "Hei\u00a0på\u2028deg\u3000!",
        "Hei\x1cpå\x85deg",
        "Hei\u200bpå",
        "e\u0301 og \u212b",
        "😊 \U0001f44d",
    ],
)
def test_a_fingerprint_compares_text_in_nfc_with_white_space_collapsed(text: str) -> None:
    """The short way (a text that has nothing to collapse) and the long way (split into words) agree."""
    one = record("1", "Kari Holmen", text, when=at(1))
    collapsed = record("2", "Kari Holmen", " ".join(unicodedata.normalize("NFC", text).split()), when=at(1))
    other = record("3", "Kari Holmen", text + " x", when=at(1))
    assert fingerprint(one) == fingerprint(collapsed) != fingerprint(other)


def test_files_get_their_rows_in_id_order_and_a_file_given_twice_is_imported_before(project: Project) -> None:
    """Source rows are made in the order files are read (formats with real ids first); the second mention of the
    same file in one import finds the first one's row, as a later import would."""
    post = record("p1", "Kari Holmen", "Innlegg", when=at(1))
    donation = record("dyi:x", "Geir Mathisen", "Kommentar", when=at(2), thread=None, kind=MessageKind.COMMENT)
    files = [parsed(donation, kind=SourceKind.DYI, sha="d" * 64), parsed(post), parsed(post)]
    with project.begin() as session:
        report = import_messages(session, files)
    assert [(s.added, s.existing, s.imported_before is not None) for s in report.sources] == [
        (1, 0, False),
        (1, 0, False),
        (0, 1, True),
    ]
    with project.read() as session:
        rows = session.execute(select(Source.id, Source.kind, Source.sha256, Source.messages_added).order_by(Source.id))
        assert [row[1:] for row in rows] == [("csv", "a" * 64, 1), ("dyi", "d" * 64, 1)]
    with project.begin() as session:
        report = import_messages(session, files)
    assert all(s.imported_before is not None and s.added == 0 for s in report.sources)
    assert _count(project, Source) == 2
