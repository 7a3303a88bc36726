"""Ids and links that name people are not exported by default (issue 14, point 4).

A CSV may give messages ids made of the author's name ("zelda-qwertyson-1"), and a Facebook link holds the user name
("facebook.com/zelda.qwertyson/posts/1"). Default exports (messages, codings, REFI-QDA) show such ids as
``redacted:m<N>``/``redacted:t<N>`` and leave links out; ids from Facebook (numbers) stay as they are; with
``--real-names`` everything is as stored. A codings export comes back into its project; a REFI-QDA export goes
into an empty project, and back into its own project only without redacted ids (a one-line error says so).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from fokus.api.codings import coding_rows, import_codings
from fokus.api.exports import message_rows
from fokus.api.messages import import_messages
from fokus.cli import main
from fokus.files.codings import CodingRow
from fokus.model import CodingStatus, Message
from fokus.privacy import Redactor, set_redaction, shown_message_ids
from fokus.store import Project
from tests.conftest import at, parsed, record

POST = "zelda-qwertyson-1"
LINK = "https://www.facebook.com/zelda.qwertyson/posts/10150"
GROUP_LINK = "https://www.facebook.com/groups/348822158517432/permalink/349000103443315/"
NAMES = ("zelda", "qwertyson", "kari", "holmen")


def fokus(*args: str, ok: bool = True) -> Result:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert (result.exit_code == 0) == ok, result.output
    return result


def named_in(text: str) -> list[str]:
    return [name for name in NAMES if name in text.lower()]


@pytest.fixture
def ids(project: Project) -> Project:
    with project.begin() as session:
        import_messages(
            session,
            [
                parsed(
                    record(POST, "Zelda Qwertyson", "Flommen er over.", when=at(1), url=LINK),
                    record("kari.holmen-2", "Kari Holmen", "Bra!", when=at(1, 11), thread=POST, url=LINK + "?c=2"),
                    record("kariholmen3", "Kari Holmen", "Enig.", when=at(1, 12), thread=POST, parent="kari.holmen-2"),
                    record("348822158517432_349000103443315", "Geir Mathisen", "Nytt.", when=at(2), url=GROUP_LINK),
                )
            ],
        )
        accepted = (CodingStatus.ACCEPTED, "human", None, "ingrid", None, "test")
        import_codings(
            session,
            [
                CodingRow(POST, "krise/flom", 0, 7, None, *accepted),
                CodingRow("kariholmen3", "dialog", 0, 4, None, *accepted),
            ],
            display="test",
        )
    return project


def internal(session: object, external_id: str) -> tuple[int, int]:
    row = session.execute(select(Message.id, Message.thread_id).where(Message.external_id == external_id)).one()  # type: ignore[attr-defined]
    return row[0], row[1]


def test_the_messages_export_shows_no_id_or_link_that_names_someone(ids: Project) -> None:
    with ids.read() as session:
        post, _ = internal(session, POST)
        reply, _ = internal(session, "kari.holmen-2")
        answer, _ = internal(session, "kariholmen3")
        rows = list(message_rows(session))
        real = list(message_rows(session, real_names=True))
    assert [(r["message_id"], r["thread_id"], r["parent_id"], r["url"]) for r in rows] == [
        (f"redacted:m{post}", f"redacted:m{post}", None, None),  # a thread's id is its post's
        (f"redacted:m{reply}", f"redacted:m{post}", f"redacted:m{post}", None),
        (f"redacted:m{answer}", f"redacted:m{post}", f"redacted:m{reply}", None),
        ("348822158517432_349000103443315", "348822158517432_349000103443315", None, None),
    ]
    assert named_in(json.dumps(rows, default=str)) == []
    assert [(r["message_id"], r["url"]) for r in real] == [
        (POST, LINK),
        ("kari.holmen-2", LINK + "?c=2"),
        ("kariholmen3", None),
        ("348822158517432_349000103443315", GROUP_LINK),
    ]
    with ids.begin() as session:
        set_redaction(session, False)  # the project turned redaction off: ids and links as stored
    with ids.read() as session:
        assert [r["message_id"] for r in message_rows(session)][:1] == [POST]


def test_a_codings_export_shows_shown_ids_and_comes_back_into_its_project(ids: Project, tmp_path: Path) -> None:
    with ids.read() as session:
        post, _ = internal(session, POST)
        rows = list(coding_rows(session))
        assert {(r["message_id"], r["code"]) for r in rows} == {
            (f"redacted:m{post}", "krise/flom"),
            (f"redacted:m{internal(session, 'kariholmen3')[0]}", "dialog"),
        }
        assert named_in(json.dumps(rows, default=str)) == []
        assert {r["message_id"] for r in coding_rows(session, real_names=True)} == {POST, "kariholmen3"}
        # only an id this project shows so comes back: not a message's own id, nor a number nobody has
        assert shown_message_ids(session, [f"redacted:m{post}", "redacted:m99999", POST, "redacted:x1"]) == {
            f"redacted:m{post}": (post, "Flommen er over.")
        }
    db = ids.display
    ids.close()
    assert fokus("--db", db, "redact", "preview", f"redacted:m{post}").stdout == "Flommen er over.\n"
    target = tmp_path / "codings.json"
    target.write_text(fokus("--db", db, "codings", "export", "--format", "json").stdout, encoding="utf-8")
    assert "0 added, 2 already there" in fokus("--db", db, "codings", "import", str(target)).stdout


def test_a_redacted_qdpx_names_nobody_and_goes_into_an_empty_project(ids: Project, tmp_path: Path) -> None:
    db = ids.display
    ids.close()
    fokus("--db", db, "qdpx", "export", str(tmp_path / "ids.qdpx"))
    with zipfile.ZipFile(tmp_path / "ids.qdpx") as archive:
        everything = "\n".join(archive.read(member).decode("utf-8") for member in archive.namelist())
    assert named_in(everything) == []
    assert "redacted:m" in everything
    assert "facebook.com" not in everything
    assert "348822158517432_349000103443315" in everything  # an id that names nobody is kept

    fresh = str(tmp_path / "fresh.db")
    fokus("--db", fresh, "init", "--empty")
    fokus("--db", fresh, "import", str(tmp_path / "ids.qdpx"))
    messages = list(csv.DictReader(io.StringIO(fokus("--db", fresh, "export", "messages").stdout)))
    assert len(messages) == 4
    replies = [m for m in messages if m["kind"] == "reply"]
    assert [m["parent_id"] for m in replies] == [messages[1]["message_id"]]  # the reply still answers its comment
    codings = json.loads(fokus("--db", fresh, "codings", "export", "--format", "json").stdout)
    assert sorted(c["text"] for c in codings) == ["Enig", "Flommen"]

    refused = fokus("--db", db, "import", str(tmp_path / "ids.qdpx"), ok=False)
    assert "is this project's own message, with its id redacted in the file" in refused.output
    assert "export it again with --real-names" in refused.output
    fokus("--db", db, "qdpx", "export", str(tmp_path / "real.qdpx"), "--real-names")
    fokus("--db", db, "import", str(tmp_path / "real.qdpx"))  # with real names it comes back as before


def test_ids_that_may_name_someone(ids: Project) -> None:
    with ids.read() as session:
        redactor = Redactor(session)
        assert redactor.names_someone(POST)
        assert redactor.names_someone("a@b.no")  # an e-mail address or a link, whoever it names
        assert redactor.names_someone("https://example.org/123")
        assert not redactor.names_someone("349000024143403_349100024357610")
        assert not redactor.names_someone("am-0252")
        post, thread = internal(session, POST)
        assert redactor.thread_id(thread, POST) == f"redacted:m{post}"  # as its post
        no_post = Redactor(session).thread_id(thread, "kari-holmen-thread")
        assert no_post == f"redacted:t{thread}"  # a thread whose post the project does not have
        assert Redactor(session, enabled=False).message_id(1, POST) == POST
