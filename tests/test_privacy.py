"""Privacy: no participant's real name leaves the project in an export unless the user asks for it.

The name finder and the offset map are tested directly (the map with hypothesis, against an oracle that redacts by
hand); the project-level redaction through the library and `fokus redact`; the person-entity path with a tiny NER
pipeline trained here and loaded the way fokus loads nb_core_news_sm; and the demo exported in every format, each
export scanned for every real name in the identity table.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import random
import re
import sqlite3
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import click
import pytest
import xmlschema
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from fokus.api.codings import coding_rows, import_codings
from fokus.api.exports import message_rows
from fokus.api.messages import import_messages
from fokus.cli import FokusGroup, main
from fokus.cli.privacy import redact_group
from fokus.domain.settings import REDACT_SETTING
from fokus.files.codings import CodingRow
from fokus.model import CodingStatus, Message, Setting
from fokus.privacy import (
    ENTITY,
    PARTICIPANT,
    SEVERAL,
    UNKNOWN,
    Mention,
    NameFinder,
    Person,
    Redactor,
    redact,
    redaction_on,
    set_redaction,
)
from fokus.privacy.names import common_word, function_word
from fokus.store import Project, open_project
from tests.conftest import at, parsed, record

SCHEMA_FILE = Path(__file__).parent / "exchange" / "Project-mrt2019.xsd"

# --- the name finder ----------------------------------------------------------------------------------------------

PEOPLE = [
    Person("Deltaker 01", "Nina Kristiansen"),
    Person("Deltaker 02", "Ragnhild Vik"),
    Person("Deltaker 03", "Tone Skjærvø"),
    Person("Deltaker 04", "Per Arne Fjeld"),
    Person("Deltaker 05", "Jon Erik Lunde"),
    Person("Deltaker 06", "Svein Erik Hætta"),
    Person("Deltaker 07", "Solveig Nes"),
    Person("Deltaker 08", "Andreas Wiik"),
    Person("Deltaker 09", "Bodø kommune"),  # a page, not a person: found only by its whole name
    Person("Deltaker 01", "Nina K."),  # a second identity of the same participant
]


@pytest.fixture(scope="module")
def finder() -> NameFinder:
    return NameFinder(PEOPLE, places=["Nes", "Bodø", "Voss"])


def shown(finder: NameFinder, text: str) -> str:
    return redact(text, finder.find(text))[0]


def test_the_lexicon_tells_names_from_common_words() -> None:
    """The facts the rules below rest on: the Ordbank lists names capitalised, and those are no common words."""
    assert not any(common_word(w) for w in ("Nina", "Ragnhild", "Kristiansen", "Erik", "Andreas"))
    assert all(common_word(w) for w in ("Vik", "vik", "Tone", "Per", "Nes", "Lunde"))
    assert function_word("Per")
    assert not function_word("Tone")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hilsen Nina", "Hilsen [Deltaker 01]"),
        ("Ninas forslag er godt.", "[Deltaker 01]s forslag er godt."),  # the genitive keeps its ending
        ("hilsen nina", "hilsen [Deltaker 01]"),  # a name that is no word, in any case
        ("Ninaen i Kristiansand og ninakristiansen", "Ninaen i Kristiansand og ninakristiansen"),  # whole words
        ("Kristiansen-saken", "[Deltaker 01]-saken"),
        ("Nina K. svarte", "[Deltaker 01]. svarte"),  # the other identity, initial and all
        ("Ragnhild Vik, informasjonsrådgjevar", "[Deltaker 02], informasjonsrådgjevar"),
        ("Vi ligger ved en vik. Vik er fin, og Vik kommune også.", None),  # a surname that is a word: not alone
        ("Takk, Tone! Vi liker en personlig tone.", "Takk, [Deltaker 03]! Vi liker en personlig tone."),
        ("Tone Skjærvø, informasjonsleder", "[Deltaker 03], informasjonsleder"),
        ("Per i dag har vi én person per plattform.", None),  # a function word starting a sentence
        ("Der er jo onkel Per!", "Der er jo onkel [Deltaker 04]!"),
        ("Enig med Per Arne. Per Arne Fjeld skrev det.", "Enig med [Deltaker 04]. [Deltaker 04] skrev det."),
        ("Jon Erik legger ut spørsmålet; Erik svarer.", f"[Deltaker 05] legger ut spørsmålet; {SEVERAL} svarer."),
        ("Svein Erik Hætta og Hættas kollega", "[Deltaker 06] og [Deltaker 06]s kollega"),
        ("Solveig Nes, Førde. Vi i Nes har flom.", "[Deltaker 07], Førde. Vi i Nes har flom."),  # Nes is a case
        ("jeg tar med meg Andreas' poeng", "jeg tar med meg [Deltaker 08]' poeng"),
        ("Bodø kommune svarer. I Bodø regner det.", "[Deltaker 09] svarer. I Bodø regner det."),
        ("Ninani og ANDREASEN", None),
    ],
)
def test_names_are_found_as_whole_words_by_the_rules(finder: NameFinder, text: str, expected: str | None) -> None:
    assert shown(finder, text) == (text if expected is None else expected)


def test_mentions_are_in_order_and_name_who_is_meant(finder: NameFinder) -> None:
    text = "Ragnhild Vik og Nina: Ninas idé"
    found = finder.find(text)
    assert [(text[m.start : m.end], m.replacement, m.kind) for m in found] == [
        ("Ragnhild Vik", "[Deltaker 02]", PARTICIPANT),
        ("Nina", "[Deltaker 01]", PARTICIPANT),
        ("Nina", "[Deltaker 01]", PARTICIPANT),
    ]
    assert finder.is_name("nina")
    assert finder.is_name("Kristiansen")
    assert not finder.is_name("tone")
    assert not finder.is_name("vik")


# --- the offset map -----------------------------------------------------------------------------------------------


@st.composite
def redactions(draw: st.DrawFn) -> tuple[str, list[Mention]]:
    text = draw(st.text(alphabet="ab æ\n", max_size=40))
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=12)))
    mentions = [
        Mention(a, b, draw(st.text(alphabet="[]XYZ", min_size=1, max_size=9)))
        for a, b in zip(cuts[::2], cuts[1::2], strict=False)
        if a < b
    ]
    return text, mentions


def by_hand(text: str, mentions: list[Mention], start: int, end: int) -> str:
    """The oracle: the passage widened to whole mentions, each replaced, character by character."""
    for m in mentions:
        if m.start < start < m.end:
            start = m.start
        if m.start < end < m.end:
            end = m.end
    out, i = [], start
    while i < end:
        inside = next((m for m in mentions if m.start == i), None)
        if inside is not None and inside.end <= end:
            out.append(inside.replacement)
            i = inside.end
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


@given(redactions())
def test_the_offset_map_keeps_every_span_on_the_same_words(case: tuple[str, list[Mention]]) -> None:
    text, mentions = case
    redacted, offsets = redact(text, mentions)
    assert redacted == by_hand(text, mentions, 0, len(text))
    positions = range(len(text) + 1)
    starts, ends = [offsets.start(p) for p in positions], [offsets.end(p) for p in positions]
    assert starts == sorted(starts)
    assert ends == sorted(ends)
    assert all(0 <= s <= e <= len(redacted) for s, e in zip(starts, ends, strict=True))  # inside the text
    inside = {i for m in mentions for i in range(m.start, m.end)}
    for i in set(range(len(text))) - inside:  # the unredacted parts are unchanged
        assert redacted[starts[i]] == text[i]
        assert ends[i + 1] == starts[i] + 1
    for m in mentions:
        assert redacted[starts[m.start] : ends[m.end]] == m.replacement
    for a in positions:
        for b in range(a + 1, len(text) + 1):
            begin, finish = offsets.span(a, b)
            assert begin < finish  # a coding stays a coding
            assert redacted[begin:finish] == by_hand(text, mentions, a, b)
            back = offsets.stored_span(begin, finish)  # and comes back widened to the whole names it touches
            assert by_hand(text, mentions, *back) == by_hand(text, mentions, a, b)
            assert back[0] <= a < b <= back[1]
    for i in set(positions) - inside | {m.start for m in mentions}:
        assert offsets.stored_span(starts[i], ends[i]) == (i, i)


def test_overlapping_or_empty_mentions_are_refused() -> None:
    with pytest.raises(ValueError, match="overlaps another"):
        redact("abcdef", [Mention(0, 3, "[x]"), Mention(2, 4, "[y]")])
    with pytest.raises(ValueError, match="is empty"):
        redact("abcdef", [Mention(1, 2, "")])
    with pytest.raises(ValueError, match="outside the text"):
        redact("abc", [Mention(2, 5, "[x]")])


# --- the project's redaction ----------------------------------------------------------------------------------------

FIRST = "Hei Ragnhild Vik! Kari her. Flommen i Voss er over."


@pytest.fixture
def named(project: Project) -> Project:
    with project.begin() as session:
        import_messages(
            session,
            [
                parsed(
                    record("p1", "Kari Holmen", FIRST, when=at(1), case="Bodø"),
                    record("c1", "Ragnhild Vik", "Takk, Kari! Hilsen Ragnhild", when=at(1, 11), thread="p1"),
                    record("c2", "Geir Mathisen", "Ingen navn her.", when=at(1, 12), thread="p1"),
                )
            ],
        )
        start = FIRST.index("Vik") + 1  # a coding that starts inside a name
        accepted = (CodingStatus.ACCEPTED, "human", None, "ingrid", None, "test")
        rows = [
            CodingRow("p1", "krise/flom", start, len(FIRST), None, *accepted),
            CodingRow("c2", "dialog", 0, 5, None, *accepted),
        ]
        import_codings(session, rows, display="test")
    return project


def test_redaction_is_on_unless_turned_off_and_exports_follow(named: Project) -> None:
    with named.read() as session:
        assert session.get(Setting, REDACT_SETTING) is None
        assert redaction_on(session)
        texts = {r["message_id"]: r["text"] for r in message_rows(session)}
        codings = {r["message_id"]: r for r in coding_rows(session)}
    pseudonym = {"Kari Holmen": "Deltaker 01", "Ragnhild Vik": "Deltaker 02"}
    assert texts["p1"] == (
        f"Hei [{pseudonym['Ragnhild Vik']}]! [{pseudonym['Kari Holmen']}] her. Flommen i Voss er over."
    )
    assert texts["c1"] == f"Takk, [{pseudonym['Kari Holmen']}]! Hilsen [{pseudonym['Ragnhild Vik']}]"
    assert texts["c2"] == "Ingen navn her."
    # the coding started inside "Vik": it shows the whole replacement, and keeps its stored offsets
    assert codings["p1"]["text"] == texts["p1"][texts["p1"].index("[Deltaker 02]") :]
    assert (codings["p1"]["start"], codings["p1"]["end"]) == (FIRST.index("Vik") + 1, len(FIRST))
    assert codings["c2"]["text"] == "Ingen"
    with named.begin() as session:
        set_redaction(session, False)
    with named.read() as session:
        assert not redaction_on(session)
        assert {r["message_id"]: r["text"] for r in message_rows(session)}["p1"] == FIRST
    with named.read() as session:
        rows = {r["message_id"]: r for r in message_rows(session, real_names=True)}
    assert rows["p1"]["real_name"] == "Kari Holmen"
    assert rows["c2"]["real_name"] == "Geir Mathisen"


def test_a_redactor_finds_each_message_once_and_redacts_other_texts(named: Project) -> None:
    with named.read() as session:
        redactor = Redactor(session)
        redactor.prepare()
        ids = dict(session.execute(select(Message.external_id, Message.id)).all())
        stored = dict(session.execute(select(Message.id, Message.text)).all())
        found = redactor.mentions(ids["p1"], stored[ids["p1"]])
        assert [stored[ids["p1"]][m.start : m.end] for m in found] == ["Ragnhild Vik", "Kari"]
        assert redactor.mentions(ids["c2"], stored[ids["c2"]]) == ()
        assert redactor.free("Notat: Kari ringte Ragnhild.") == "Notat: [Deltaker 01] ringte [Deltaker 02]."
        assert redactor.words([("kari", 0.9), ("flom", 0.5)]) == (("flom", 0.5),)
        summary = redactor.summary()
    assert (summary.messages, summary.messages_with_mentions) == (3, 2)
    assert summary.mentions == {PARTICIPANT: 4, ENTITY: 0}


@click.group(cls=FokusGroup)
@click.option("--db", required=True)
@click.pass_context
def cli(ctx: click.Context, db: str) -> None:
    ctx.obj = {"db": db, "debug": False}


cli.add_command(redact_group)


def run(*args: str, ok: bool = True) -> click.testing.Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert (result.exit_code == 0) == ok, result.output
    return result


def test_the_redact_command(named: Project) -> None:
    db = named.display
    named.close()
    status = run("--db", db, "redact", "status").stdout
    assert "Redaction is on" in status
    assert "4 mentions in 2 of 3 messages" in status
    assert not any(part in status for part in ("Kari", "Holmen", "Ragnhild", "Vik", "Geir"))
    numbers = json.loads(run("--db", db, "redact", "status", "--json").stdout)
    assert numbers["mentions"] == {"participant": 4, "entity": 0}
    assert numbers["entity_model"] is None
    assert run("--db", db, "redact", "preview", "c1").stdout == "Takk, [Deltaker 01]! Hilsen [Deltaker 02]\n"
    assert "is not in the project" in run("--db", db, "redact", "preview", "nope", ok=False).output
    run("--db", db, "redact", "off")
    preview = run("--db", db, "redact", "preview", "c1")
    assert preview.stdout == "Takk, Kari! Hilsen Ragnhild\n"
    assert "Redaction is off" in preview.stderr
    assert "OFF" in run("--db", db, "redact", "status").stdout
    run("--db", db, "redact", "on")
    assert "[Deltaker 01]" in run("--db", db, "redact", "preview", "c1").stdout
    assert all("Example:" in (command.help or "") for command in redact_group.commands.values())


# --- person entities, from a pipeline with an NER ------------------------------------------------------------------

TRAIN = [
    ("Jeg snakket med Ola Nordmann i går .", [(16, 28)]),
    ("Vi ringte Ola Nordmann om saken .", [(10, 22)]),
    ("Hilsen Ragnhild fra Voss .", [(7, 15)]),
    ("Kommunen svarte raskt på spørsmålet .", []),
    ("Flommen kom i natt .", []),
]


@pytest.fixture(scope="module")
def ner_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import spacy
    from spacy.training import Example

    random.seed(1)
    nlp = spacy.blank("nb")
    nlp.add_pipe("ner")
    examples = [
        Example.from_dict(nlp.make_doc(text), {"entities": [(s, e, "PER") for s, e in spans]}) for text, spans in TRAIN
    ]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(40):
        random.shuffle(examples)
        nlp.update(examples, sgd=optimizer, drop=0.0)
    nlp.meta["name"] = "tiny_ner"
    nlp.meta["version"] = "0.0.1"
    path = tmp_path_factory.mktemp("ner") / "nb_tiny_ner"
    nlp.to_disk(path)
    return path


def test_person_entities_come_from_the_projects_model(project: Project, ner_model: Path, tmp_path: Path) -> None:
    from fokus.domain.settings import MODEL_SETTING, set_setting
    from fokus.nlp import load_pipeline

    texts = [text for text, _ in TRAIN[:4]]
    trained = load_pipeline(str(ner_model))  # as fokus loads nb_core_news_sm: by name or folder
    assert [[e.text for e in doc.ents] for doc in trained.pipe(texts)] == [
        [text[s:e] for s, e in spans] for text, spans in TRAIN[:4]
    ]
    with project.begin() as session:
        import_messages(
            session,
            [
                parsed(
                    *(record(f"m{i}", "Ragnhild Vik", text, when=at(1, 10 + i)) for i, text in enumerate(texts)),
                )
            ],
        )
    if importlib.util.find_spec("nb_core_news_sm") is None:
        with project.read() as session:
            assert Redactor(session).entities is None  # no model with NER: names only
    with project.begin() as session:
        set_setting(session, MODEL_SETTING, str(ner_model))
    with project.read() as session:
        shown_texts = {r["message_id"]: r["text"] for r in message_rows(session)}
        summary = Redactor(session).summary()
    assert shown_texts["m0"] == f"Jeg snakket med {UNKNOWN} i går ."  # nobody known by that name
    assert shown_texts["m1"] == f"Vi ringte {UNKNOWN} om saken ."
    assert shown_texts["m2"] == "Hilsen [Deltaker 01] fra Voss ."  # an entity that is a participant's name
    assert shown_texts["m3"] == texts[3]
    assert summary.mentions == {PARTICIPANT: 1, ENTITY: 2}
    assert summary.entity_model == "tiny_ner"
    project.close()
    status = run("--db", project.display, "redact", "status").stdout
    assert "person entities    2 in 2 messages (found by tiny_ner)" in status


# --- the demo, exported in every format -----------------------------------------------------------------------------


def fokus(*args: str) -> click.testing.Result:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


# a CSV whose ids and links are made of names, and whose texts spell names every other way (issue 14, point 4)
SPELLED = [
    ("kari-holmen-1", "", "", "Kari Holmen", "Hilsen Ka\u00adri\nHolmen. Skriv til kari.holmen@bodo.kommune.no"),
    ("oystein_berg_2", "kari-holmen-1", "", "Øystein Berg", "Takk KARI HOLMEN og K. Holmen! #KariHolmen #kariholmen"),
    (
        "siriasland3",
        "kari-holmen-1",
        "oystein_berg_2",
        "Siri Åsland",
        "Enig, Oystein Berg og Ø\u200bystein. Siri Aasland",
    ),
    ("tone.skjaervo", "kari-holmen-1", "", "Tone Skjærvø", "TONE SKJAERVO her, Tone Skjaervo, tone_skjaervo@online.no"),
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("privacy-demo")
    db = folder / "fokus-demo.db"
    fokus("--db", str(db), "demo", "--no-tui", "--focus-group-only")  # phase 1 keeps no names: tests/pages
    with (folder / "spelled.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "thread_id", "parent_id", "author", "created_time", "text", "url"])
        for number, (mid, thread, parent, author, text) in enumerate(SPELLED):
            link = f"https://www.facebook.com/{mid.replace('-', '.')}/posts/{number}"
            writer.writerow([mid, thread, parent, author, f"2013-03-10T1{number}:00:00+01:00", text, link])
    fokus("--db", str(db), "import", str(folder / "spelled.csv"))
    codings = [{"message_id": mid, "code": "dialog", "coder": "ingrid", "status": "accepted"} for mid, *_ in SPELLED]
    (folder / "spelled-codings.json").write_text(json.dumps(codings), encoding="utf-8")
    fokus("--db", str(db), "codings", "import", str(folder / "spelled-codings.json"))
    fokus("--db", str(db), "tag")  # sentences, as the demo's messages have them
    return db


@pytest.fixture(scope="module")
def real_names(demo: Path) -> list[str]:
    """Every full name in the identity table, and each given name the Ordbank does not know as a common word."""
    with sqlite3.connect(demo) as conn:
        full = [name for (name,) in conn.execute("SELECT name FROM participant_identities")]
    assert len(full) >= 40
    given = {word for name in full for word in name.split()[:-1] if not common_word(word)}
    return sorted(set(full) | given)


def folded(text: str) -> str:
    """``text`` as a reader might match names in it: no format characters, any case, æ ø å as ae oe aa."""
    text = "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) != "Cf").casefold()
    for letter, ascii_spelling in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        text = text.replace(letter, ascii_spelling)
    return text


def spellings(name: str) -> set[str]:
    """A name folded, and with its ø, å written o, a ("Oystein", "Asland")."""
    name = folded(name)
    return {name, name.replace("oe", "o"), name.replace("aa", "a"), name.replace("oe", "o").replace("aa", "a")}


def leaks(text: str, names: list[str], coders: Iterable[str] = ()) -> list[str]:
    """The names that occur in ``text`` as whole words, as written, or in any case and spelling (see ``folded``)
    between any two characters that are no letters or digits ("kari.holmen@"; "#kariholmen" is not found here).
    A coder's name ("ingrid", a researcher) is a name only as written."""
    found = _leaks(text, names)
    plain = folded(text)
    researchers = {folded(coder) for coder in coders}
    for name in names:
        if folded(name) in researchers:
            continue
        pattern = "|".join(rf"(?<![^\W_]){re.escape(spelling)}(?![^\W_])" for spelling in spellings(name))
        if name not in found and re.search(pattern, plain):
            found.append(name)
    return found


def _leaks(text: str, names: list[str]) -> list[str]:
    """The names that occur in ``text`` as whole words, as written."""

    def whole(name: str) -> bool:
        at = text.find(name)
        while at >= 0:
            before, after = text[at - 1 : at], text[at + len(name) : at + len(name) + 1]
            if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
                return True
            at = text.find(name, at + 1)
        return False

    return [name for name in names if whole(name)]


def test_no_real_name_appears_in_any_export(demo: Path, real_names: list[str], tmp_path: Path) -> None:
    from fokus.analysis.agreement import agreement, disagreements
    from fokus.analysis.cooccurrence import cooccurrence
    from fokus.analysis.frequencies import frequencies
    from fokus.analysis.hypotheses import check_hypotheses
    from fokus.analysis.passages import passages
    from fokus.analysis.practices import find_practices
    from fokus.analysis.report import write_report
    from fokus.files.hypotheses import load_hypotheses
    from fokus.learn.discover import discover
    from fokus.resources import default_hypotheses

    db = str(demo)
    with sqlite3.connect(demo) as conn:
        stored = "\n".join(text for (text,) in conn.execute("SELECT text FROM messages"))
    assert len(leaks(stored, real_names)) >= 20  # the messages do name people: the scan below can fail
    outputs: dict[str, str] = {}
    for fmt in ("csv", "json"):
        outputs[f"codings.{fmt}"] = fokus("--db", db, "codings", "export", "--format", fmt).stdout
        outputs[f"messages.{fmt}"] = fokus("--db", db, "export", "messages", "--format", fmt).stdout
    fokus("--db", db, "qdpx", "export", str(tmp_path / "demo.qdpx"), "--include-suggestions")
    with zipfile.ZipFile(tmp_path / "demo.qdpx") as archive:
        for member in archive.namelist():
            outputs[member] = archive.read(member).decode("utf-8")
    xmlschema.XMLSchema(str(SCHEMA_FILE)).validate(outputs["project.qde"])
    fokus("--db", db, "freq", "--plot", str(tmp_path / "freq.svg"), "--format", "csv")
    fokus("--db", db, "freq", "--by", "case", "--plot", str(tmp_path / "freq.png"), "--format", "csv")
    fokus("--db", db, "cooc", "--plot", str(tmp_path / "cooc.svg"), "--format", "csv")
    assert (tmp_path / "freq.png").read_bytes().startswith(b"\x89PNG")
    for name in ("freq.svg", "cooc.svg"):
        outputs[name] = (tmp_path / name).read_text(encoding="utf-8")
        assert "dialog" in outputs[name]  # the figure's text is in the file, so a name would be too

    project = open_project(demo)
    try:
        with project.read() as session:
            reports = {
                "freq": frequencies(session, split="case"),
                "cooc": cooccurrence(session),
                "hypotheses": check_hypotheses(session, load_hypotheses(default_hypotheses())),
                "practices": find_practices(session, include_unshared=True),
                "agreement": agreement(session),
                "disagreements": disagreements(session),
                "passages": passages(session, "dialog", limit=None),
                "passages-practice": passages(session, "god-praksis", limit=None),
                "discover": discover(session),
            }
            for label, report in reports.items():
                for fmt in ("csv", "json", "md"):  # what the commands write with --format (fokus.cli.common.emit)
                    out = io.StringIO()
                    write_report(report, fmt, out)
                    outputs[f"{label}.{fmt}"] = out.getvalue()
    finally:
        project.close()

    assert sum(o.count("[Deltaker ") for o in outputs.values()) > 100  # names were there, and were replaced
    joined = {s.replace(" ", "") for name in real_names if " " in name for s in spellings(name)}  # "#kariholmen"
    with sqlite3.connect(demo) as conn:
        coders = [name for (name,) in conn.execute("SELECT name FROM coders")]
    for label, text in outputs.items():
        assert leaks(text, real_names, coders) == [], label
        assert [name for name in joined if name in folded(text)] == [], label
    messages = list(csv.DictReader(io.StringIO(outputs["messages.csv"])))
    assert {row["url"] for row in messages} == {""}  # links lead to people: left out
    assert sum(row["message_id"].startswith("redacted:m") for row in messages) == len(SPELLED)


def test_real_names_only_when_asked_and_with_a_warning(demo: Path, real_names: list[str]) -> None:
    db = str(demo)
    result = fokus("--db", db, "export", "messages", "--format", "csv", "--real-names")
    assert "warning" in result.stderr
    assert "real names" in result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    with sqlite3.connect(demo) as conn:
        full = {name for (name,) in conn.execute("SELECT name FROM participant_identities")}
    assert {row["real_name"] for row in rows} == full
    assert leaks("\n".join(row["text"] for row in rows), real_names)  # as people wrote them
    codings = json.loads(fokus("--db", db, "codings", "export", "--format", "json", "--real-names").stdout)
    assert {row["real_name"] for row in codings} <= full
    assert "real_name" not in json.loads(fokus("--db", db, "codings", "export", "--format", "json").stdout)[0]


def test_a_redacted_qdpx_imports_into_a_fresh_project_with_its_codings(demo: Path, tmp_path: Path) -> None:
    db = str(demo)
    fokus("--db", db, "qdpx", "export", str(tmp_path / "demo.qdpx"))
    fresh = str(tmp_path / "fresh.db")
    fokus("--db", fresh, "init", "--empty")
    fokus("--db", fresh, "import", str(tmp_path / "demo.qdpx"))

    def passages(path: str) -> list[tuple[str, str, str, str]]:
        rows = json.loads(fokus("--db", path, "codings", "export", "--status", "accepted", "--format", "json").stdout)
        return sorted((r["message_id"], r["code"], r["coder"], r["text"]) for r in rows)

    original = passages(db)
    assert any("[Deltaker " in text for *_, text in original)
    assert passages(fresh) == original  # the same words coded, in the redacted text
