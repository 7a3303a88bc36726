"""A newer export edits coded messages: the new text is taken, every coding follows it or is flagged, none is lost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from fokus.analysis.frame import load_frame
from fokus.analysis.units import unit_keys
from fokus.api.coding_actions import undo
from fokus.api.messages import import_messages
from fokus.api.messages_state import ImportReport
from fokus.api.reanchor import count_flagged, flagged_codings
from fokus.api.status import project_status
from fokus.api.tagging import text_hash
from fokus.cli.codings import flagged_command
from fokus.domain.coders import CoderRegistry
from fokus.errors import FokusError
from fokus.importers.records import MessageRecord
from fokus.model import Code, Coder, CoderKind, Coding, Event, Memo, Message, TagState, Unit
from fokus.store import Project
from tests.conftest import at, parsed, record
from tests.test_cli import fokus

S1, S2, S3 = "Vi svarar måndag.", "Flommen kom i natt og tok brua.", "Takk til alle som hjalp."
TEXT = f"{S1} {S2} {S3}"
PART_A, PART_B = "Flommen kom i natt", "og tok brua."
TWICE = "Flom! Flom!"  # one coder's two codings of one code, which a shift moves onto each other's old span
EDITED = {
    "m0": TEXT,  # not edited
    "m1": TEXT.replace("svarar", "svarer på"),  # a typo fixed before the coded sentence
    "m2": TEXT.replace("i natt og tok brua", "i går natt og tok den gamle brua"),  # the coded sentence edited
    "m3": TEXT.replace(S2 + " ", ""),  # the coded sentence deleted
    "m4": "Igjen " + TWICE,
}
ORIGINAL = {mid: TWICE if mid == "m4" else TEXT for mid in EDITED}
MOVED_TO = {  # what the edits made of the coded passages they touched
    S1: "Vi svarer på måndag.",
    S2: "Flommen kom i går natt og tok den gamle brua.",
    PART_A: "Flommen kom i går natt",
    PART_B: "og tok den gamle brua.",
}


def _records(texts: dict[str, str], **extra: Any) -> list[MessageRecord]:
    post = record("p1", "Kari Holmen", "Hvordan gikk det med flommen?", when=at(1))
    comments = [
        record(mid, "Ragnhild Vik", text, when=at(1, 11 + k), thread="p1", parent="p1", **extra)
        for k, (mid, text) in enumerate(texts.items())
    ]
    return [post, *comments]


def _span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


@pytest.fixture
def coded(project: Project) -> Project:
    """Every message coded by two researchers and the machine, in every status, with memos and stored sentences."""
    with project.begin() as session:
        import_messages(session, [parsed(*_records(ORIGINAL))])
        coders = CoderRegistry(session)
        ingrid, magnus = (
            coders.get_or_create("ingrid", CoderKind.HUMAN),
            coders.get_or_create("magnus", CoderKind.HUMAN),
        )
        machine = coders.get_or_create("fokus", CoderKind.MACHINE)
        code = dict(session.execute(select(Code.path, Code.id)).all())
        for message in session.scalars(select(Message).where(Message.external_id.like("m%"))):
            text = message.text
            if message.external_id == "m4":
                wanted = [(code["krise"], ingrid, (0, 5), "accepted"), (code["krise"], ingrid, (6, 11), "accepted")]
            else:
                wanted = [
                    (code["krise/flom"], ingrid, _span(text, S2), "accepted"),
                    (code["krise/flom"], magnus, _span(text, S2), "accepted"),
                    (code["krise"], ingrid, _span(text, PART_A), "accepted"),
                    (code["krise"], ingrid, _span(text, PART_B), "accepted"),
                    (code["dialog"], machine, _span(text, S1), "suggested"),
                    (code["krise"], machine, _span(text, S3), "rejected"),
                ]
            for code_id, coder_id, (start, end), status in wanted:
                origin = "human" if coder_id != machine else "rule:x:r1"
                session.add(Coding(message_id=message.id, code_id=code_id, coder_id=coder_id, start=start, end=end,
                                   status=status, origin=origin))  # fmt: skip
            session.flush()
            first = session.scalar(select(Coding.id).where(Coding.message_id == message.id).order_by(Coding.id))
            session.add(Memo(text=f"about {message.external_id}", coding_id=first, coder_id=ingrid))
            session.add(Memo(text=f"the message {message.external_id}", message_id=message.id))
            for position, part in enumerate(p for p in (S1, S2, S3) if p in text):
                start, end = _span(text, part)
                session.add(Unit(message_id=message.id, position=position, start=start, end=end, lemmas="", keys=""))
            session.add(TagState(message_id=message.id, text_hash=text_hash(text), pipeline="test"))
    return project


def _codings(project: Project) -> dict[int, dict[str, Any]]:
    with project.read() as session:
        rows = session.execute(select(Coding, Message.external_id, Message.text).join(Message)).all()
        return {
            c.id: {
                "message": ext,
                "start": c.start,
                "end": c.end,
                "text": text[c.start : c.end],
                "details": c.details,
                "code": c.code_id,
                "coder": c.coder_id,
                "status": c.status,
            }
            for c, ext, text in rows
        }


def _import(project: Project, texts: dict[str, str], sha: str = "b" * 64, **extra: Any) -> ImportReport:
    with project.begin() as session:
        return import_messages(session, [parsed(*_records(texts, **extra), sha=sha)])


def _events(project: Project) -> int:
    with project.read() as session:
        return session.scalar(select(func.count()).select_from(Event)) or 0


def test_codings_follow_their_text_or_are_flagged_and_none_is_lost(coded: Project) -> None:
    before = _codings(coded)
    report = _import(coded, EDITED)
    after = _codings(coded)
    assert set(after) == set(before)  # nothing dropped, nothing added
    assert report.messages_updated == 4 == report.updated == report.changed
    with coded.read() as session:
        texts = dict(session.execute(select(Message.external_id, Message.text)).all())
        memos = session.execute(select(Memo.text, Memo.coding_id, Memo.message_id).order_by(Memo.id)).all()
    assert {mid: texts[mid] for mid in EDITED} == EDITED
    assert len(memos) == 10
    assert all(cid is None or cid in after for _, cid, _ in memos)

    for cid, old in before.items():
        new, text = after[cid], EDITED[old["message"]]
        assert 0 <= new["start"] < new["end"] <= len(text)
        assert (new["code"], new["coder"], new["status"]) == (old["code"], old["coder"], old["status"])
        flag = (new["details"] or {}).get("reanchor")
        if old["text"] in text:  # the coded text is still there: the coding covers it, unflagged
            assert (new["text"], flag) == (old["text"], None)
            continue
        assert flag is not None, (old, new)
        assert (flag["old_text"], flag["old_start"], flag["old_end"]) == (old["text"], old["start"], old["end"])
        if old["message"] == "m3":  # its sentence was deleted
            assert flag["state"] == "lost"
        else:  # edited: the coding covers the edited words
            assert (flag["state"], new["text"]) == ("moved", MOVED_TO[old["text"]])
    states = [c["details"]["reanchor"]["state"] for c in after.values() if c["details"] and "reanchor" in c["details"]]
    gone = [c for c in before.values() if c["text"] not in EDITED[c["message"]]]
    expected = (sum(c["message"] != "m3" for c in gone), sum(c["message"] == "m3" for c in gone))
    assert (
        (report.reanchored.moved, report.reanchored.lost) == (states.count("moved"), states.count("lost")) == expected
    )
    kept = report.reanchored.unchanged + report.reanchored.followed
    assert kept + len(states) == sum(c["message"] != "m0" for c in before.values())


def test_lost_codings_of_one_code_and_coder_get_their_own_spans(coded: Project) -> None:
    _import(coded, EDITED)
    after = _codings(coded)
    m3 = [c for c in after.values() if c["message"] == "m3"]
    keys = [(c["code"], c["coder"], c["start"], c["end"]) for c in m3]
    assert len(set(keys)) == len(keys) == 6
    # the deleted sentence's codings sit on a sentence next to where it was, one beside it where that span is taken
    lost = [c for c in m3 if c["details"] and "reanchor" in c["details"]]
    assert len(lost) == 4
    assert sum(c["text"] in (S1, S3) for c in lost) == 3
    assert all(c["text"] in S1 or c["text"] in S3 for c in lost)


def test_the_event_log_holds_every_change_and_undo_restores_the_old_offsets(coded: Project) -> None:
    before = _codings(coded)
    report = _import(coded, EDITED)
    after = _codings(coded)
    spans = {cid: (c["start"], c["end"], c["details"]) for cid, c in before.items()}
    changed = {cid for cid, c in after.items() if (c["start"], c["end"], c["details"]) != spans[cid]}
    with coded.read() as session:
        machine = session.scalar(select(Coder.id).where(Coder.name == "fokus"))
        events = session.scalars(select(Event).where(Event.batch == report.batch)).all()
    assert machine is not None
    assert changed
    assert sorted(e.coding_id or 0 for e in events) == sorted(changed)
    for event in events:
        assert (event.action, event.coder_id) == ("coding.change", machine)
        assert event.coding_id is not None
        assert event.before is not None
        assert event.after is not None
        old, new = before[event.coding_id], after[event.coding_id]
        assert (event.before["start"], event.before["end"]) == (old["start"], old["end"])
        assert (event.after["start"], event.after["end"]) == (new["start"], new["end"])
        assert event.after["details"] == new["details"]

    with coded.begin() as session:
        step = undo(session, machine)
    assert step is not None
    assert (step.conflicts, step.changed) == (0, len(changed))
    restored = _codings(coded)
    assert {cid: (c["start"], c["end"]) for cid, c in restored.items()} == {
        cid: (c["start"], c["end"]) for cid, c in before.items()
    }
    with coded.read() as session:  # the text is the export's: undo puts back offsets, not words
        assert dict(session.execute(select(Message.external_id, Message.text)).all())["m3"] == EDITED["m3"]


def test_reimporting_the_newer_export_changes_nothing(coded: Project) -> None:
    _import(coded, EDITED)
    codings, events = _codings(coded), _events(coded)
    again = _import(coded, EDITED)  # the same file
    redownloaded = _import(coded, EDITED, sha="c" * 64)  # the same content in another file
    for report in (again, redownloaded):
        assert (report.messages_updated, report.changed, report.batch) == (0, 0, None)
    assert redownloaded.existing == len(EDITED) + 1
    assert _codings(coded) == codings
    assert _events(coded) == events


def test_edited_messages_lose_their_stale_sentences_and_must_be_tagged_again(coded: Project) -> None:
    _import(coded, EDITED)
    with coded.read() as session:
        split = set(session.scalars(select(Message.external_id).join(Unit, Unit.message_id == Message.id)))
        tagged = set(session.scalars(select(Message.external_id).join(TagState, TagState.message_id == Message.id)))
        assert split == tagged == {"m0"}
        with pytest.raises(FokusError) as refused:
            unit_keys(load_frame(session), "sentence")
    assert "fokus tag" in (refused.value.hint or "")


def test_flagged_codings_are_listed_and_counted(coded: Project) -> None:
    report = _import(coded, EDITED)
    with coded.read() as session:
        rows = flagged_codings(session)
        assert count_flagged(session) == len(rows) == report.reanchored.flagged
        assert project_status(session)["codings_to_review"] == len(rows)
    after = _codings(coded)
    for row in rows:
        coding = after[row["coding_id"]]
        flag = coding["details"]["reanchor"]
        assert (row["text"], row["state"], row["old_text"]) == (coding["text"], flag["state"], flag["old_text"])
    assert {row["message_id"] for row in rows} == {"m1", "m2", "m3"}


def test_a_later_updated_time_wins_else_the_later_source(project: Project) -> None:
    with project.begin() as session:
        import_messages(session, [parsed(*_records({"m1": "Først."}))])
    newer = parsed(*_records({"m1": "Nyest."}, updated_at=at(3)), sha="b" * 64)
    older = parsed(*_records({"m1": "Eldre."}, updated_at=at(2)), sha="c" * 64)
    with project.begin() as session:
        report = import_messages(session, [newer, older])  # the later source is the older version
    assert [(s.changed, s.updated) for s in report.sources] == [(1, 1), (1, 0)]
    assert _text(project, "m1") == "Nyest."
    first, second = (parsed(*_records({"m1": t}), sha=sha) for t, sha in (("Én.", "d" * 64), ("To.", "e" * 64)))
    with project.begin() as session:  # no updated times: an older one than stored is not taken, ...
        report = import_messages(session, [first, second])
    assert (_text(project, "m1"), report.changed, report.updated) == ("Nyest.", 2, 0)
    same_time = [
        parsed(*_records({"m1": t}, updated_at=at(4)), sha=s) for t, s in (("Én.", "f" * 64), ("To.", "0" * 64))
    ]
    with project.begin() as session:  # ... and where nothing tells them apart, the later source wins
        import_messages(session, same_time)
    assert _text(project, "m1") == "To."


def test_a_file_imported_before_never_undoes_a_later_edit(project: Project) -> None:
    old = parsed(*_records({"m1": "Gammel tekst."}), sha="a" * 64)
    with project.begin() as session:
        import_messages(session, [old])
    _import(project, {"m1": "Ny tekst."}, sha="b" * 64)
    with project.begin() as session:
        report = import_messages(session, [old])
    assert (report.changed, report.updated) == (1, 0)
    assert _text(project, "m1") == "Ny tekst."


def test_white_space_and_empty_texts_are_not_edits(project: Project) -> None:
    _import(project, {"m1": "Flommen kom.\nVi svarte."}, sha="a" * 64)
    report = _import(project, {"m1": "Flommen  kom. Vi svarte. "}, sha="b" * 64)
    assert (report.changed, report.existing) == (0, 2)
    report = _import(project, {"m1": ""}, sha="c" * 64)
    assert (report.changed, report.updated) == (1, 0)
    assert _text(project, "m1") == "Flommen kom.\nVi svarte."


def test_two_versions_of_a_new_message_in_one_import_store_the_newer(project: Project) -> None:
    first = parsed(*_records({"m1": "Nyere."}, updated_at=at(5)), sha="a" * 64)
    second = parsed(*_records({"m1": "Eldre."}, updated_at=at(4)), sha="b" * 64)
    with project.begin() as session:
        report = import_messages(session, [first, second])
    assert (report.messages_added, report.changed, report.updated) == (2, 1, 0)
    assert _text(project, "m1") == "Nyere."


def _text(project: Project, external_id: str) -> str | None:
    with project.read() as session:
        return session.scalar(select(Message.text).where(Message.external_id == external_id))


CSV_HEAD = "id,thread_id,parent_id,author,created_time,text\n"


def test_the_cli_reports_edits_and_lists_and_clears_flags(tmp_path: Path, codebook_file: Path, db: str) -> None:
    fokus("--db", db, "init", "--codebook", str(codebook_file))
    first, second = tmp_path / "mars.csv", tmp_path / "april.csv"
    first.write_text(CSV_HEAD + f"p1,,,Kari Holmen,2013-03-01 10:00,{TEXT}\n", encoding="utf-8")
    second.write_text(CSV_HEAD + f"p1,,,Kari Holmen,2013-03-01 10:00,{EDITED['m2']}\n", encoding="utf-8")
    fokus("--db", db, "import", str(first))
    start, end = _span(TEXT, S2)
    fokus("--db", db, "codings", "add", "p1", "krise/flom", "--span", f"{start}:{end}", "--coder", "ingrid")
    out = fokus("--db", db, "import", str(second))
    assert "1 with edited text (taken)" in out
    assert "Took the edited text of 1 messages; of their 1 codings, 0 still cover their text" in out
    assert "1 are flagged for review (1 moved" in out
    assert "to review     1 codings" in fokus("--db", db, "status")
    runner, target = CliRunner(), {"db": db}
    listed = runner.invoke(flagged_command, ["--format", "json"], obj=target, catch_exceptions=False)
    [row] = json.loads(listed.output)["codings"]
    assert (row["message_id"], row["code"], row["coder"], row["state"]) == ("p1", "krise/flom", "ingrid", "moved")
    assert (row["old_text"], row["text"]) == (S2, "Flommen kom i går natt og tok den gamle brua.")
    cleared = runner.invoke(flagged_command, ["--reviewed", str(row["coding_id"]), "--coder", "ingrid"], obj=target)
    assert cleared.exit_code == 0, cleared.output
    assert "Marked 1 of 1" in cleared.stderr
    assert json.loads(fokus("--db", db, "status", "--json"))["codings_to_review"] == 0


def test_an_edit_that_cannot_hold_the_codings_keeps_the_stored_text(project: Project) -> None:
    """Two codings of one code by one coder need two spans; a one-letter text has one: the text is not taken."""
    _import(project, {"m1": "Flom og vann."}, sha="a" * 64)
    with project.begin() as session:
        ingrid = CoderRegistry(session).get_or_create("ingrid", CoderKind.HUMAN)
        message = session.scalar(select(Message.id).where(Message.external_id == "m1"))
        krise = session.scalar(select(Code.id).where(Code.path == "krise"))
        for start, end in ((0, 4), (8, 12)):
            session.add(Coding(message_id=message, code_id=krise, coder_id=ingrid, start=start, end=end,
                               status="accepted"))  # fmt: skip
    before, events = _codings(project), _events(project)
    report = _import(project, {"m1": "X"}, sha="b" * 64)
    assert (report.changed, report.updated, report.messages_updated) == (1, 0, 0)
    assert len(report.reanchored.refused) == 1
    assert _text(project, "m1") == "Flom og vann."
    assert (_codings(project), _events(project)) == (before, events)
