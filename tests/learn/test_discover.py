"""Emergent themes: three themes planted in sentences nobody coded (winter roads, the library, parking), from
different municipalities, beside coded sentences that must not take part; the candidates, their quotes and counts,
adopting one as a code with suggestions, the CLI, the TUI screen, and the demo."""

from __future__ import annotations

import asyncio
import json
import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from spacy.language import Language
from sqlalchemy import func, select, update
from textual.widgets import DataTable, Input

from fokus.analysis.practice_groups import stop_words, word_analyzer
from fokus.api.codebook import load_codebook
from fokus.api.codings import import_codings
from fokus.api.messages import import_messages
from fokus.api.review import review_progress, review_queue
from fokus.api.tagging import tag_messages
from fokus.cli import FokusGroup
from fokus.cli.discover import discover_command
from fokus.domain.coders import MACHINE_CODER
from fokus.errors import FokusError
from fokus.files.codebook import load_codebook as read_codebook
from fokus.files.codings import CodingRow
from fokus.learn.adopt import adopt
from fokus.learn.discover import CONVERSATION_WORDS, MIN_SENTENCES, discover
from fokus.learn.discovery_report import FLOOR, DiscoveryReport
from fokus.model import Code, Coder, Coding, CodingStatus, Event, Message, Participant, Unit
from fokus.nlp import load_pipeline
from fokus.store import Project, open_project
from tests.analysis.backends import Builds
from tests.conftest import SMALL_CODEBOOK, parsed, record

PEOPLE = {
    "Kari Holmen": "Bodø",
    "Per Nilsen": "Narvik",
    "Ragnhild Vik": "Voss",
    "Siri Åsland": "Ørsta",
    "Ola Dahl": None,
    "Hanne Lie": "Hamar",
    "Tor Moe": "Molde",
}
THEMES = {
    "vinter": (
        ["Kari Holmen", "Per Nilsen", "Ragnhild Vik", "Siri Åsland", "Ola Dahl"],
        [
            "Brøytingen av veiene tok lang tid etter snøfallet i natt.",
            "Mange spurte når brøytebilen kommer til boligfeltet med all snøen.",
            "Vi la ut et kart over brøyting og strøing av veiene.",
            "Snøen gjorde veiene glatte, og strøingen kom for sent.",
            "Vinterdriften får flest klager når det er glatt på veiene.",
            "Folk vil vite om brøyting av fortau når snøen laver ned.",
            "Vi forklarte hvorfor brøytebilen tar hovedveiene først etter snø.",
            "Strøing og brøyting av veiene er det folk spør mest om om vinteren.",
            "Glatte veier og mye snø gir mange meldinger om vinterdriften.",
            "Brøytemannskapet svarte selv på spørsmål om snøen og veiene.",
            "Vi viser bilder av brøytebilen for å vise at brøytingen er i gang.",
            "Når snøen kommer, skriver vi om strøing og glatte fortau.",
            "Vinterdrift og brøyting er et fast tema hver vinter.",
            "Folk takker sjåføren når veiene er brøytet etter snøstormen.",
            "Vi varsler om brøyting av veiene før snøfallet kommer.",
        ],
    ),
    "bibliotek": (
        ["Hanne Lie", "Tor Moe", "Ragnhild Vik"],
        [
            "Biblioteket la ut tips om nye bøker til utlån.",
            "Utlånet av bøker økte etter at biblioteket begynte på Instagram.",
            "Bibliotekaren anbefaler en bok hver fredag.",
            "Mange spør om åpningstidene på biblioteket og utlån av bøker.",
            "Vi viser nye bøker fra biblioteket med et bilde av forsiden.",
            "Biblioteket svarer på spørsmål om lånekort og utlån.",
            "Ukens bok fra biblioteket får mange likes.",
            "Bibliotekarene skriver selv om bøkene de liker.",
            "Utlån av lydbøker fra biblioteket er populært.",
            "Biblioteket arrangerer lesekveld og forteller om nye bøker.",
            "Vi minner om innlevering av bøker til biblioteket.",
            "Barna kan låne bøker på biblioteket i sommerferien.",
            "Bibliotekets boktips om nye bøker deles ofte.",
            "Folk ønsker seg flere bøker til utlån på biblioteket.",
            "Biblioteket har fått nye bøker om lokalhistorie.",
        ],
    ),
    "parkering": (
        ["Kari Holmen", "Hanne Lie"],
        [
            "Parkeringsavgiften i sentrum skapte mange sinte kommentarer.",
            "Folk klager på parkering og avgift for bilen i sentrum.",
            "Vi forklarte hvorfor parkeringen koster mer i sentrum.",
            "Bilistene vil ha gratis parkering ved rådhuset i sentrum.",
            "Avgiften for parkering av bil ble tema i kommentarfeltet.",
            "Mange spør om parkering for bil med ladekabel.",
            "Parkeringsplassen ved skolen er full av biler hver morgen.",
            "Vi svarte på spørsmål om parkering, avgift og bøter.",
            "Nye regler for parkering i sentrum ga mange spørsmål om avgift.",
            "Parkering av bil på fortauet gir bot.",
            "Elbilene slipper avgift på parkeringen i sentrum.",
            "Parkeringen i sentrum er det folk klager mest på.",
            "Vi la ut et kart over parkering for bil i sentrum.",
            "Avgiften for parkering øker fra neste år.",
            "Billig parkering for bilen lokker folk til sentrum.",
        ],
    ),
}
SIGNATURE = {  # the lemmas each theme is made of ("bøker" is lemmatised "bøk")
    "vinter": {"brøyting", "snø", "vei", "strøing"},
    "bibliotek": {"bibliotek", "bok", "bøk", "utlån"},
    "parkering": {"parkering", "avgift", "sentrum", "bil"},
}
CHATTER = ["Takk for sist!", "Hei alle sammen!", "Helt enig.", "Haha!"]  # too few words that count
# Coded sentences (accepted): on floods, and one about snow that a researcher coded dialog: neither takes part.
CODED = [
    ("Kari Holmen", "Flommen stengte veiene og brøytebilen sto stille i flere dager.", "krise/flom"),
    ("Per Nilsen", "Flommen kom i natt og vannet steg raskt i elva.", "krise/flom"),
    ("Siri Åsland", "Beredskapsplanen for flom virket godt i hele regionen.", "krise"),
    ("Tor Moe", "Brøytingen av snøen på veiene ga mange spørsmål fra folk.", "dialog"),
]
SUGGESTED_ONLY = "Snøen og brøytingen av veiene i boligfeltet skaper alltid mange spørsmål."  # a rule's suggestion only
START = datetime(2013, 1, 7, 9, tzinfo=UTC)


@dataclass(frozen=True)
class Planted:
    theme: str | None  # None: coded or chatter
    message: str  # external id
    text: str
    author: str


def planted_messages() -> list[Planted]:
    """Theme sentences in messages of one or two sentences (every third message holds two), then the rest."""
    found: list[Planted] = []
    for theme, (authors, sentences) in THEMES.items():
        index = 0
        number = 0
        while index < len(sentences):
            size = 2 if number % 3 == 2 and index + 1 < len(sentences) else 1
            text = " ".join(sentences[index : index + size])
            found.append(Planted(theme, f"{theme}{number}", text, authors[number % len(authors)]))
            index += size
            number += 1
    found.append(Planted("vinter", "suggested", SUGGESTED_ONLY, "Per Nilsen"))
    for number, (author, text, _code) in enumerate(CODED):
        found.append(Planted(None, f"coded{number}", text, author))
    for number, text in enumerate(CHATTER):
        found.append(Planted(None, f"chatter{number}", text, list(PEOPLE)[number]))
    return found


def build(target: str, folder: Path, nlp: Language, *, tag: bool = True) -> Project:
    codebook = folder / "kodebok.yaml"
    codebook.write_text(SMALL_CODEBOOK, encoding="utf-8")
    project = open_project(target, create=True)
    records = []
    for number, item in enumerate(planted_messages()):
        when = START + timedelta(hours=number)
        thread = None if number == 0 else "vinter0"
        records.append(record(item.message, item.author, item.text, when=when, thread=thread, case=PEOPLE[item.author]))
    with project.begin() as session:
        load_codebook(session, read_codebook(codebook))
        import_messages(session, [parsed(*records)])
        if not tag:
            return project
        tag_messages(session, nlp)
        rows = [
            CodingRow(
                f"coded{n}", code, None, None, None, CodingStatus.ACCEPTED, "human", None, "ingrid", None, f"c{n}"
            )
            for n, (_a, _t, code) in enumerate(CODED)
        ]
        rows.append(
            CodingRow(
                "suggested", "dialog", None, None, None, CodingStatus.SUGGESTED, "rule:dialog:x", 0.7, None, None, "s"
            )
        )
        import_codings(session, rows, display="planted")
    return project


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline("fokus-nb")


@pytest.fixture(scope="module")
def builds(nlp: Language) -> Iterator[Builds]:
    made = Builds("themes", lambda target, folder: build(target, folder, nlp))
    yield made
    made.close()


@pytest.fixture
def project(builds: Builds, backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Project]:
    """A copy of the module's project on its backend, for one test to change."""
    with builds.copy(backend, request, tmp_path) as target:
        project = open_project(target)
        yield project
        project.close()


@dataclass
class Truth:
    """What the project holds, read straight from the tables: each unit's theme, span, text and speaker."""

    theme: dict[int, str | None]
    message: dict[int, str]
    text: dict[int, str]
    pseudonym: dict[int, str]
    case: dict[int, str | None]
    lemmas: dict[int, str]

    def units(self, theme: str) -> set[int]:
        return {u for u, t in self.theme.items() if t == theme}


def truth(project: Project) -> Truth:
    themes = {p.message: p.theme for p in planted_messages()}
    authors = {p.message: p.author for p in planted_messages()}
    t = Truth({}, {}, {}, {}, {}, {})
    with project.read() as session:
        query = select(
            Unit.id, Unit.start, Unit.end, Unit.lemmas, Message.external_id, Message.text, Participant.pseudonym
        )
        query = query.join(Message, Unit.message_id == Message.id).join(
            Participant, Message.participant_id == Participant.id
        )
        for unit, start, end, lemmas, external, text, pseudonym in session.execute(query):
            t.theme[unit] = themes[external]
            t.message[unit] = external
            t.text[unit] = text[start:end]
            t.pseudonym[unit] = pseudonym
            t.case[unit] = PEOPLE[authors[external]]
            t.lemmas[unit] = lemmas
    return t


def taking_part(project: Project, t: Truth) -> set[int]:
    """The open sentences with at least two words that count: not stop words (nor the conversation words), and said
    in at least two open sentences."""
    with project.read() as session:
        words_of = word_analyzer(stop_words(session) | CONVERSATION_WORDS)
    open_units = {u for u in t.theme if not t.message[u].startswith("coded")}
    words = {u: set(words_of(t.lemmas[u])) for u in open_units}
    frequency: dict[str, int] = defaultdict(int)
    for found in words.values():
        for word in found:
            frequency[word] += 1
    return {u for u, found in words.items() if sum(frequency[w] >= 2 for w in found) >= 2}


def matched(report: DiscoveryReport, t: Truth) -> dict[str, int]:
    """theme -> the number of the candidate whose sentences are all of that theme."""
    found: dict[str, int] = {}
    for candidate in report.candidates:
        themes = {t.theme[u] for u in candidate.units.tolist()}
        assert len(themes) == 1, (candidate.title, themes)
        (theme,) = themes
        assert theme is not None
        assert theme not in found, f"{theme} split over candidates {found[theme]} and {candidate.number}"
        found[theme] = candidate.number
    return found


# --- discovering -------------------------------------------------------------------------------------------------


def test_the_planted_themes_come_out_with_their_words_quotes_and_reach(project: Project) -> None:
    t = truth(project)
    with project.read() as session:
        report = discover(session, k=3)
    assert report.k == 3
    assert report.k_source == "asked"
    assert matched(report, t).keys() == set(THEMES)
    by_theme = {theme: report.candidate(number) for theme, number in matched(report, t).items()}
    for theme, candidate in by_theme.items():
        units = set(candidate.units.tolist())
        # nearly every planted sentence (a sentence of one theme word and hapaxes may stay below the floor), and
        # nothing coded; the sentence a rule only suggested a code for is still open
        assert units <= t.units(theme), theme
        assert len(units) >= 0.8 * len(t.units(theme)), theme
        # the words: the signature lemmas lead, and the top lemmas are the theme's own
        theme_words = {w for u in t.units(theme) for w in t.lemmas[u].split()}
        other_words = {w for u, th in t.theme.items() if th not in (theme, None) for w in t.lemmas[u].split()}
        assert set(candidate.lemmas[:3]) <= SIGNATURE[theme], (theme, candidate.lemmas)
        assert set(candidate.lemmas[:5]) <= theme_words
        assert not set(candidate.lemmas[:3]) & other_words
        assert candidate.title.split(" · ") == candidate.lemmas[: len(candidate.title.split(" · "))]
        assert 2 <= len(candidate.title.split(" · ")) <= 3
        assert 8 <= len(candidate.words) <= 10
        weights = [w for _, w in candidate.words]
        assert weights == sorted(weights, reverse=True)
        assert weights[-1] > 0
        # the reach, counted from the planted speakers
        speakers = {t.pseudonym[u] for u in units}
        cases = {t.case[u] for u in units} - {None}
        assert dict(candidate.cases).keys() == cases
        assert sum(dict(candidate.cases).values()) == sum(1 for u in units if t.case[u] is not None)
        assert candidate.participants == len(speakers)
        assert candidate.messages == len({t.message[u] for u in units}) < len(units)
        # the quotes: the strongest sentences, their own text, by pseudonym
        assert len(candidate.quotes) == 5
        assert [q.weight for q in candidate.quotes] == sorted((q.weight for q in candidate.quotes), reverse=True)
        assert candidate.quotes[0].weight == pytest.approx(float(candidate.weights.max()))
        for quote in candidate.quotes:
            assert quote.unit in units
            assert quote.text == t.text[quote.unit]
            assert quote.participant == t.pseudonym[quote.unit]
            assert quote.participant.startswith("Deltaker")
            assert quote.case == t.case[quote.unit]
            assert quote.message == t.message[quote.unit]
            assert FLOOR <= quote.weight <= 1.0
    # ordered by municipalities spanned: winter (4), library (3), parking (2)
    assert [len(c.cases) for c in report.candidates] == [4, 3, 2]
    assert [c.number for c in report.candidates] == [1, 2, 3]
    assert by_theme["vinter"].number == 1
    assert by_theme["parkering"].number == 3
    suggested_only = next(u for u, text in t.text.items() if text == SUGGESTED_ONLY)
    assert suggested_only in set(by_theme["vinter"].units.tolist())
    # what was counted: every sentence, the coded ones, the chatter that has too few words
    assert report.sentences == len(t.theme)
    assert report.covered == len(CODED)
    planted_open = sum(len(s) for _, s in THEMES.values()) + 1 + len(CHATTER)
    assert report.fitted == len(taking_part(project, t)) > 0.9 * (planted_open - len(CHATTER))
    assert report.short == planted_open - report.fitted
    assert report.assigned == sum(len(set(c.units.tolist())) for c in report.candidates) <= report.fitted


def test_no_real_name_is_shown_and_the_formats_agree(project: Project) -> None:
    with project.read() as session:
        report = discover(session, k=3)
    dumped = json.dumps(report.as_json(), ensure_ascii=False) + report.markdown() + json.dumps(report.rows())
    for name in PEOPLE:
        assert name not in dumped
        assert name.split()[0] not in dumped
    data = report.as_json()
    assert [c["candidate"] for c in data["candidates"]] == [r["candidate"] for r in report.rows()]
    assert data["fitted"] == report.fitted
    assert data["k"] == 3
    assert data["candidates"][0]["units"] == report.candidates[0].units.tolist()
    assert [set(r) for r in report.rows()] == [set(report.columns())] * len(report.candidates)
    for candidate in report.candidates:
        assert f"## {candidate.number}. {candidate.title}" in report.markdown()
        for quote in candidate.quotes:
            assert f"> {quote.text}" in report.markdown()


def test_the_default_k_follows_the_rule_and_still_finds_the_themes(project: Project) -> None:
    t = truth(project)
    with project.read() as session:
        report = discover(session)
    assert report.k_source == "rule"
    assert report.k == min(max(2, round(math.sqrt(report.fitted / 5))), 30, report.fitted // MIN_SENTENCES)
    assert report.fitted == len(taking_part(project, t))
    assert report.k == 3
    assert matched(report, t).keys() == set(THEMES)


def test_discovery_is_deterministic(project: Project) -> None:
    with project.read() as session:
        first = discover(session, k=3, quotes=3).as_json()
    with project.read() as session:
        second = discover(session, k=3, quotes=3).as_json()
    assert first == second
    assert all(len(c["quotes"]) == 3 for c in first["candidates"])


def test_a_newly_accepted_coding_takes_its_sentence_out(project: Project) -> None:
    t = truth(project)
    with project.read() as session:
        before = discover(session, k=3)
    winter = before.candidate(1)
    taken = winter.quotes[0]
    with project.begin() as session:
        span = (taken.start, taken.end)
        row = CodingRow(taken.message, "dialog", *span, None, CodingStatus.ACCEPTED, "human", None, "magnus", None, "x")
        import_codings(session, [row], display="test")
    with project.read() as session:
        after = discover(session, k=3)
    assert after.covered == before.covered + 1
    units = {u for c in after.candidates for u in c.units.tolist()}
    assert taken.unit not in units
    assert all(q.text != taken.text or q.unit != taken.unit for c in after.candidates for q in c.quotes)
    assert set(after.candidate(1).units.tolist()) <= t.units("vinter") - {taken.unit}


def test_refusals_are_one_line_with_a_hint(db: str, tmp_path: Path, nlp: Language, project: Project) -> None:
    fitted = len(taking_part(project, truth(project)))
    untagged = build(db, tmp_path, nlp, tag=False)
    with untagged.read() as session, pytest.raises(FokusError) as caught:
        discover(session)
    assert "not split into sentences" in str(caught.value)
    assert "fokus tag" in str(caught.value)
    untagged.close()
    with project.read() as session, pytest.raises(FokusError) as caught:
        discover(session, k=20)
    error = caught.value
    assert "too few for 20" in str(error)
    assert "\n" not in str(error)
    assert error.hint is not None
    assert f"--k {fitted // MIN_SENTENCES}" in error.hint
    with project.read() as session, pytest.raises(FokusError):
        discover(session, k=3, min_sentences=40)


# --- adopting ----------------------------------------------------------------------------------------------------


def test_adopt_makes_the_code_and_the_machines_suggestions(project: Project) -> None:
    with project.read() as session:
        report = discover(session, k=3)
        last_position = session.scalar(select(func.max(Code.position)))
    candidate = report.candidate(2)
    with project.begin() as session:
        made = adopt(session, report, number=2, path="bibliotek", name="Biblioteket")
    assert made.suggested == len(candidate.quotes) == 5
    assert made.already == made.stale == 0
    with project.read() as session:
        code = session.scalars(select(Code).where(Code.path == "bibliotek")).one()
        assert (code.name, code.codable, code.parent_id) == ("Biblioteket", True, None)
        assert code.position == last_position + 1
        assert code.description == ", ".join(candidate.lemmas)
        codings = session.scalars(select(Coding).where(Coding.code_id == code.id).order_by(Coding.id)).all()
        assert [c.id for c in codings] == made.coding_ids
        machine = session.scalars(select(Coder).where(Coder.name == MACHINE_CODER)).one()
        assert machine.kind == "machine"
        spans = {(q.message_id, q.start, q.end): q for q in candidate.quotes}
        for coding in codings:
            quote = spans.pop((coding.message_id, coding.start, coding.end))
            assert coding.status == CodingStatus.SUGGESTED.value
            assert coding.coder_id == machine.id
            assert coding.origin == "topic:2"
            assert coding.confidence == pytest.approx(quote.weight, abs=1e-4)
            assert 0 <= coding.confidence <= 1
            assert coding.details == {"topic": 2, "lemmas": candidate.lemmas}
        assert not spans
        events = session.scalars(select(Event).where(Event.batch == made.batch).order_by(Event.id)).all()
        assert [e.action for e in events] == ["coding.suggest"] * 5
        assert [e.coding_id for e in events] == made.coding_ids
        assert {e.coder_id for e in events} == {machine.id}
        assert all(e.before is None and e.after and e.after["origin"] == "topic:2" for e in events)
        # the review queue lists them, each with its sentence
        queued = review_queue(session, code="bibliotek", limit=100)
        assert sorted(item.coding_id for item in queued) == sorted(made.coding_ids)
        assert {item.sentence for item in queued} == {q.text for q in candidate.quotes}


def test_a_decided_topic_suggestion_counts_as_a_machine_decision(project: Project) -> None:
    from fokus.api.coding_actions import decide
    from fokus.domain.coders import CoderRegistry
    from fokus.model import CoderKind

    with project.begin() as session:
        made = adopt(session, discover(session, k=3), number=3, path="parkering", name="Parkering")
        _, decided_before = review_progress(session)
        researcher = CoderRegistry(session).get_or_create("ingrid", CoderKind.HUMAN)
        decide(session, made.coding_ids[0], True, researcher)
        _, decided_after = review_progress(session)
    assert decided_after == decided_before + 1


def test_adopt_under_a_parent_with_all_sentences(project: Project) -> None:
    with project.begin() as session:
        report = discover(session, k=3)
        made = adopt(session, report.candidate(1), path="vinter", name="Vinterdrift", parent="krise", quotes_only=False)
        code = session.scalars(select(Code).where(Code.path == "krise/vinter")).one()
        parent = session.scalar(select(Code.id).where(Code.path == "krise"))
        assert code.parent_id == parent
        assert made.code == "krise/vinter"
        assert made.suggested == report.candidate(1).sentences
        count = session.scalar(select(func.count()).select_from(Coding).where(Coding.code_id == code.id))
        assert count == made.suggested


def test_adopt_refuses_an_existing_path_or_an_unknown_parent_and_writes_nothing(project: Project) -> None:
    with project.read() as session:
        report = discover(session, k=3)
        codes = session.scalar(select(func.count()).select_from(Code))
        codings = session.scalar(select(func.count()).select_from(Coding))
    for kwargs, words in (
        ({"path": "dialog"}, "in the codebook already"),
        ({"path": "flom", "parent": "krise"}, "in the codebook already"),
        ({"path": "vinter", "parent": "finnes-ikke"}, "parent code 'finnes-ikke'"),
        ({"path": "Vinter drift"}, "bad code path"),
    ):
        with pytest.raises(FokusError, match=words), project.begin() as session:
            adopt(session, report, number=1, name="X", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(FokusError, match="no candidate 9"), project.begin() as session:
        adopt(session, report, number=9, path="ny", name="Ny")
    with project.read() as session:
        assert session.scalar(select(func.count()).select_from(Code)) == codes
        assert session.scalar(select(func.count()).select_from(Coding)) == codings


def test_adopt_skips_a_sentence_tagged_again_since(project: Project, nlp: Language) -> None:
    with project.read() as session:
        report = discover(session, k=3)
    quote = report.candidate(1).quotes[0]
    with project.begin() as session:  # the message is edited and split again: the old span is gone
        session.execute(update(Message).where(Message.id == quote.message_id).values(text="Nytt først. " + quote.text))
        tag_messages(session, nlp)
    with project.begin() as session:
        made = adopt(session, report, number=1, path="vinter", name="Vinter")
    assert (made.suggested, made.stale) == (4, 1)


# --- the command -------------------------------------------------------------------------------------------------


@click.group(cls=FokusGroup)
@click.option("--db", required=True)
@click.pass_context
def cli(ctx: click.Context, db: str) -> None:
    ctx.obj = {"db": db, "debug": False}


cli.add_command(discover_command)


def run(*args: str, ok: bool = True) -> click.testing.Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, env={"COLUMNS": "200"})
    assert (result.exit_code == 0) == ok, result.output + result.stderr
    return result


def test_the_command_in_every_format(project: Project, tmp_path: Path) -> None:
    db = project.display
    with project.read() as session:
        expected = discover(session, k=3, quotes=2)
    data = json.loads(run("--db", db, "discover", "--k", "3", "--quotes", "2", "--format", "json").stdout)
    assert data == json.loads(json.dumps(expected.as_json(), default=str))
    table = run("--db", db, "discover", "--k", "3").output
    for candidate in expected.candidates:
        assert candidate.title in table
    assert "k = 3 as asked" in table
    csv_text = run("--db", db, "discover", "--k", "3", "--format", "csv").stdout
    assert csv_text.splitlines()[0] == ",".join(expected.columns())
    assert len(csv_text.splitlines()) == 1 + len(expected.candidates)
    run("--db", db, "discover", "--k", "3", "--format", "md", "-o", str(tmp_path / "temaer.md"))
    assert (tmp_path / "temaer.md").read_text(encoding="utf-8").startswith(f"# {expected.title}")
    default = json.loads(run("--db", db, "discover", "--format", "json").stdout)
    assert default["k_source"] == "rule"
    assert "Example" in (discover_command.help or "")


def test_the_command_adopts_in_one_transaction(project: Project) -> None:
    db = project.display
    with project.read() as session:
        expected = discover(session, k=3).candidate(3)
    out = run("--db", db, "discover", "--k", "3", "--adopt", "3", "--as", "parkering", "--name", "Parkering").output
    assert "Added code parkering (Parkering) from candidate 3" in out
    assert "5 suggestions" in out
    with project.read() as session:
        origins = session.scalars(
            select(Coding.origin).join(Code).where(Code.path == "parkering", Coding.status == "suggested")
        ).all()
        assert origins == ["topic:3"] * len(expected.quotes)
    again = run("--db", db, "discover", "--k", "3", "--adopt", "3", "--as", "parkering", "--name", "P", ok=False)
    assert again.stderr.startswith("fokus: error: code 'parkering' is in the codebook already")
    assert len(again.stderr.strip().splitlines()) == 1
    missing = run("--db", db, "discover", "--adopt", "1", ok=False)
    assert "--adopt N needs --as PATH and --name NAME" in missing.output + missing.stderr


# --- the screen --------------------------------------------------------------------------------------------------


def test_the_screen_lists_candidates_shows_quotes_and_adopts_one(project: Project) -> None:
    from fokus.tui.app import FokusApp
    from fokus.tui.screens.discover import DiscoverScreen, NewCodeScreen
    from fokus.tui.screens.passages import PassagesScreen

    with project.read() as session:
        report = discover(session)
        codes = session.scalar(select(func.count()).select_from(Code)) or 0
    second = report.candidate(2)

    async def steps() -> None:
        app = FokusApp(project, "tester")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            app.push_screen(DiscoverScreen())
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, DiscoverScreen)
            table = screen.query_one(DataTable)
            assert table.row_count == len(report.candidates)
            assert [str(table.get_row_at(i)[1]) for i in range(table.row_count)] == [c.title for c in report.candidates]
            await pilot.press("down", "enter")
            await pilot.pause()
            assert isinstance(app.screen, PassagesScreen)
            assert [q.text for q in app.screen.found] == [q.text for q in second.quotes]
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen
            await pilot.press("n")
            await pilot.pause()
            assert isinstance(app.screen, NewCodeScreen)
            await pilot.press(*"utlan", "enter")
            await pilot.press(*"Utlån", "enter")
            await pilot.pause()
            assert app.screen is screen
            assert str(table.get_row_at(1)[-1]) == "utlan"
            await pilot.press("up", "n")
            await pilot.pause()
            assert isinstance(app.screen, NewCodeScreen)
            assert app.screen.query_one("#newcode-path", Input).placeholder == report.candidate(1).lemmas[0].replace(
                "ø", "o"
            )
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen

    asyncio.run(steps())
    with project.read() as session:
        code = session.scalars(select(Code).where(Code.path == "utlan")).one()
        assert code.name == "Utlån"
        rows = session.execute(select(Coding.start, Coding.end, Coding.origin).where(Coding.code_id == code.id)).all()
        assert sorted((s, e) for s, e, _ in rows) == sorted((q.start, q.end) for q in second.quotes)
        assert {o for _, _, o in rows} == {"topic:2"}
        assert session.scalar(select(func.count()).select_from(Code)) == codes + 1  # none for the dismissed one


# --- the demo ----------------------------------------------------------------------------------------------------


def covered_by_brute_force(project: Project) -> set[int]:
    """The sentences an accepted coding belongs to, pair by pair: covers half of it, or it covers half of the
    coding; a coding meeting neither belongs to the sentence it overlaps most."""
    with project.read() as session:
        units: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        for unit, message, start, end in session.execute(select(Unit.id, Unit.message_id, Unit.start, Unit.end)):
            units[message].append((unit, start, end))
        codings = session.execute(
            select(Coding.message_id, Coding.start, Coding.end).where(Coding.status == CodingStatus.ACCEPTED.value)
        ).all()
    covered: set[int] = set()
    for message, start, end in codings:
        best: tuple[int, int] | None = None
        hit = False
        for unit, u_start, u_end in units[message]:
            overlap = min(end, u_end) - max(start, u_start)
            if overlap <= 0:
                continue
            if 2 * overlap >= min(end - start, u_end - u_start):
                covered.add(unit)
                hit = True
            elif best is None or overlap > best[0]:
                best = (overlap, unit)
        if not hit and best is not None:
            covered.add(best[1])
    return covered


def test_the_demo_has_candidates_and_every_quote_is_an_open_sentence(demo: Project) -> None:
    covered = covered_by_brute_force(demo)
    with demo.read() as session:
        from fokus.privacy.redact import Redactor

        report = discover(session)
        redactor = Redactor(session)  # quotes are shown as exports show them: names people wrote are redacted
        spans = {
            unit: (external, redactor.excerpt(mid, text, start, end))
            for unit, start, end, external, mid, text in session.execute(
                select(Unit.id, Unit.start, Unit.end, Message.external_id, Message.id, Message.text).join(Message)
            )
        }
    assert report.covered == len(covered)
    assert len(report.candidates) >= 5
    quoted = [q for c in report.candidates for q in c.quotes]
    assert quoted
    for quote in quoted:
        assert quote.unit not in covered
        assert spans[quote.unit] == (quote.message, quote.text)
    municipalities = [len(c.cases) for c in report.candidates]
    assert municipalities == sorted(municipalities, reverse=True)


# --- the same candidates on both backends -----------------------------------------------------------------------


def every_report(project: Project) -> list[object]:
    with project.read() as session:
        return [discover(session, **options).as_json() for options in ({}, {"k": 3, "quotes": 3}, {"k": 2})]


@pytest.mark.postgresql
def test_both_backends_find_the_same_candidates(builds: Builds, request: pytest.FixtureRequest) -> None:
    sqlite, postgresql = (every_report(builds.get(backend, request)) for backend in ("sqlite", "postgresql"))
    assert sqlite == postgresql


@pytest.mark.postgresql
def test_the_demo_has_the_same_candidates_on_both_backends(demo_sqlite: Project, demo_postgresql: Project) -> None:
    assert every_report(demo_sqlite) == every_report(demo_postgresql)
