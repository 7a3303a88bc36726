"""Tagging a project: units stored once, suggestions with their provenance, incremental, decisions respected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from spacy.language import Language
from sqlalchemy import func, select, update

from fokus.api.codebook import load_codebook
from fokus.api.codings import import_codings
from fokus.api.evaluation import evaluate
from fokus.api.messages import import_messages
from fokus.api.tagging import tag_messages
from fokus.files.codebook import load_codebook as read_codebook
from fokus.files.codings import CodingRow
from fokus.model import Coder, Coding, CodingStatus, Event, Message, Unit
from fokus.nlp import load_pipeline
from fokus.store import Project, open_project
from tests.conftest import at, parsed, record

RULES = """\
ubiquitous: [facebook, kommune]
codes:
  - id: krise
    name: Krise
    rules:
      - id: beredskap
        any: [beredskap, flom]
        weight: 0.8
  - id: dialog
    name: Dialog
    rules:
      - id: svare
        near: {a: [svare], b: [innbygger, spørsmål], window: 4}
        weight: WEIGHT
"""
TEXTS = {
    "m1": "Beredskapsplanen ble lagt ut på Facebook. Vi svarer innbyggerne raskt.",
    "m2": "Flommen kom i natt! Vi svarte på alle spørsmål.",
    "m3": "Takk for tipset 😊",
}


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline("fokus-nb")


def codebook(tmp_path: Path, weight: float = 0.6, drop_dialog: bool = False) -> Path:
    text = RULES.replace("WEIGHT", str(weight))
    if drop_dialog:
        text = text.split("  - id: dialog")[0] + "  - id: dialog\n    name: Dialog\n"
    path = tmp_path / f"rules-{weight}-{drop_dialog}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def tagged(db: str, tmp_path: Path, nlp: Language) -> Iterator[Project]:
    project = open_project(db, create=True)
    with project.begin() as session:
        load_codebook(session, read_codebook(codebook(tmp_path)))
        records = [record(mid, "Kari Holmen", text, when=at(i + 1)) for i, (mid, text) in enumerate(TEXTS.items())]
        import_messages(session, [parsed(*records)])
        report = tag_messages(session, nlp)
    assert (report.parsed, report.suggested) == (3, 4)
    yield project
    project.close()


def suggestions(project: Project) -> dict[tuple[str, str, str], Coding]:
    with project.read() as session:
        rows = session.execute(select(Coding, Message.external_id, Message.text).join(Message)).all()
        return {(ext, coding.code.path, text[coding.start : coding.end]): coding for coding, ext, text in rows}


def test_units_and_suggestions_carry_their_provenance(tagged: Project) -> None:
    with tagged.read() as session:
        units = session.execute(select(Message.external_id, Unit.start, Unit.end).join(Message)).all()
        coder = session.scalars(select(Coder).where(Coder.name == "fokus")).one()
        events = session.scalars(select(Event).where(Event.action == "coding.suggest")).all()
    assert len(units) == 5
    found = suggestions(tagged)
    assert set(found) == {
        ("m1", "krise", "Beredskapsplanen ble lagt ut på Facebook."),
        ("m1", "dialog", "Vi svarer innbyggerne raskt."),
        ("m2", "krise", "Flommen kom i natt!"),
        ("m2", "dialog", "Vi svarte på alle spørsmål."),
    }
    plan = found[("m1", "krise", "Beredskapsplanen ble lagt ut på Facebook.")]
    assert plan.status == "suggested"
    assert plan.origin == "rule:krise:beredskap"
    assert plan.confidence == 0.8
    assert plan.coder_id == coder.id
    assert coder.kind == "machine"
    assert plan.details is not None
    assert plan.details["pipeline"] == "nb_fokus_lexicon@0.1.0"
    assert plan.details["matched"] == [{"start": 0, "end": 16, "text": "Beredskapsplanen", "lemma": "beredskapsplan"}]
    assert len(events) == 4


def test_tagging_again_reads_nothing(tagged: Project, nlp: Language) -> None:
    with tagged.begin() as session:
        report = tag_messages(session, nlp)
    assert (report.parsed, report.suggested, report.updated, report.withdrawn) == (0, 0, 0, 0)


def decide(project: Project, key: tuple[str, str, str], status: CodingStatus) -> None:
    coding_id = suggestions(project)[key].id
    with project.begin() as session:
        session.execute(update(Coding).where(Coding.id == coding_id).values(status=status.value))


def test_a_changed_rule_rereads_only_what_it_affects_and_keeps_decisions(
    tagged: Project, nlp: Language, tmp_path: Path
) -> None:
    decide(tagged, ("m1", "dialog", "Vi svarer innbyggerne raskt."), CodingStatus.REJECTED)
    with tagged.begin() as session:
        load_codebook(session, read_codebook(codebook(tmp_path, weight=0.7)))
        report = tag_messages(session, nlp)
    assert report.rules_changed == ["dialog:svare"]
    assert report.parsed == 2  # m3 mentions neither svare nor the rule's other words
    assert (report.updated, report.kept_decided, report.suggested) == (1, 1, 0)
    found = suggestions(tagged)
    assert found[("m1", "dialog", "Vi svarer innbyggerne raskt.")].status == "rejected"
    assert found[("m1", "dialog", "Vi svarer innbyggerne raskt.")].confidence == 0.6
    assert found[("m2", "dialog", "Vi svarte på alle spørsmål.")].confidence == 0.7


def test_a_removed_rule_withdraws_only_undecided_suggestions(tagged: Project, nlp: Language, tmp_path: Path) -> None:
    decide(tagged, ("m2", "dialog", "Vi svarte på alle spørsmål."), CodingStatus.ACCEPTED)
    with tagged.begin() as session:
        load_codebook(session, read_codebook(codebook(tmp_path, drop_dialog=True)))
        report = tag_messages(session, nlp)
    assert report.rules_removed == ["dialog:svare"]
    assert report.withdrawn == 1
    found = suggestions(tagged)
    assert ("m1", "dialog", "Vi svarer innbyggerne raskt.") not in found
    assert found[("m2", "dialog", "Vi svarte på alle spørsmål.")].status == "accepted"
    with tagged.read() as session:
        withdrawn = session.scalars(select(Event).where(Event.action == "coding.withdraw")).one()
    assert withdrawn.before is not None
    assert withdrawn.before["status"] == "suggested"


def test_an_edited_text_is_split_and_tagged_again(tagged: Project, nlp: Language) -> None:
    with tagged.begin() as session:
        session.execute(
            update(Message).where(Message.external_id == "m3").values(text="Takk! Kriseberedskap er viktig.")
        )
        report = tag_messages(session, nlp)
    assert (report.parsed, report.suggested) == (1, 1)
    assert ("m3", "krise", "Kriseberedskap er viktig.") in suggestions(tagged)


def test_a_researchers_coding_is_not_suggested_again(tmp_path: Path, nlp: Language) -> None:
    project = open_project(tmp_path / "h.db", create=True)
    with project.begin() as session:
        load_codebook(session, read_codebook(codebook(tmp_path)))
        import_messages(session, [parsed(record("m1", "Kari Holmen", TEXTS["m1"], when=at(1)))])
        human = CodingRow("m1", "krise", 0, 16, None, CodingStatus.ACCEPTED, "human", None, "ingrid", None, "test")
        import_codings(session, [human], display="test")
        report = tag_messages(session, nlp)
        assert (report.suggested, report.kept_decided) == (1, 1)
        scores = evaluate(session, nlp)
    project.close()
    rows = {row["theme"]: row for row in scores["rows"]}
    assert scores["units"] == 1
    # the krise suggestion was held back from the review queue (a researcher decided), but the rule agreed
    assert rows["krise"]["true_positives"] == 1
    assert "dialog" not in rows  # its sentence was not coded by anyone: no evidence either way


def test_evaluation_counts_true_and_false_positives(tagged: Project, nlp: Language) -> None:
    rows = [
        CodingRow("m1", "krise", None, None, None, CodingStatus.ACCEPTED, "human", None, "ingrid", None, "1"),
        CodingRow("m2", "dialog", 20, 47, None, CodingStatus.ACCEPTED, "human", None, "ingrid", None, "2"),
    ]
    with tagged.begin() as session:
        import_codings(session, rows, display="test")
        scores = evaluate(session, nlp)
        count = session.scalar(select(func.count()).select_from(Unit))
    assert count == 5
    by_theme = {row["theme"]: row for row in scores["rows"]}
    # m1 is coded krise as a whole: both its sentences count; m2's second sentence is coded dialog
    assert scores["units"] == 3
    assert by_theme["krise"]["true_positives"] == 1
    assert by_theme["krise"]["false_negatives"] == 1
    assert by_theme["dialog"]["true_positives"] == 1
    assert by_theme["dialog"]["false_positives"] == 1


def test_parsing_ahead_holds_no_lock_and_what_changed_meanwhile_is_parsed_again(
    project: Project, nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`fokus tag` parses in a read session: a coder's step commits in the middle of it (with a busy timeout of
    1 ms, any lock would fail it), and a message edited meanwhile is parsed again under the lock, the rest not."""
    from fokus.api.coding_actions import add_coding
    from fokus.api.tagging import parse_ahead
    from fokus.domain.coders import CoderRegistry
    from fokus.model import CoderKind
    from fokus.store import engine as engine_module

    with project.begin() as session:
        records = [record(mid, "Kari Holmen", text, when=at(i + 1)) for i, (mid, text) in enumerate(TEXTS.items())]
        import_messages(session, [parsed(*records)])
        m1 = session.scalar(select(Message.id).where(Message.external_id == "m1"))
    assert m1 is not None
    edited = "Flommen tok veien. Beredskapen virket. Vi svarer alle innbyggerne."
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 1)
    written: list[int | None] = []

    def meanwhile(_stage: str, _done: int, _total: int) -> None:
        with project.begin(concurrent=True) as writer:  # a coder, while spaCy works
            ingrid = CoderRegistry(writer).get_or_create("ingrid", CoderKind.HUMAN)
            written.append(add_coding(writer, m1, "dialog", 0, 7, ingrid).coding_id)
            writer.execute(update(Message).where(Message.id == m1).values(text=edited))  # an edited export

    with project.read() as session:
        ahead = parse_ahead(session, nlp, progress=meanwhile)
    assert written
    assert written[0] is not None
    assert len(ahead.parsed) == 3

    seen: list[str] = []
    real_pipe = nlp.pipe

    def spy(texts: Iterator[str], **kwargs: object) -> Iterator[object]:
        listed = list(texts)
        seen.extend(listed)
        return real_pipe(listed, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(nlp, "pipe", spy)
    with project.begin() as session:
        report = tag_messages(session, nlp, ahead=ahead)
    assert seen == [edited]  # only the edited message is parsed again
    assert report.parsed == 3
    with project.read() as session:
        units = session.scalars(select(Unit.start).where(Unit.message_id == m1).order_by(Unit.position)).all()
        ingrid_codings = session.scalar(
            select(func.count()).select_from(Coding).join(Coder).where(Coder.name == "ingrid")
        )
    assert units == [0, edited.index("Beredskapen"), edited.index("Vi svarer")]  # the new text's sentences
    assert ingrid_codings == 1
