"""Shared good practice: planted practices come out as practices, shared by as many municipalities as described them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from spacy.language import Language
from sqlalchemy import Select, select

from fokus.analysis.frame import Scope
from fokus.analysis.practice_groups import DEFAULT_THEME_WEIGHT, DEFAULT_THRESHOLD, cluster
from fokus.analysis.practice_report import PracticesReport
from fokus.analysis.practices import find_practices
from fokus.analysis.report import write_report
from fokus.api.codebook import load_codebook
from fokus.api.codings import import_codings
from fokus.api.memos import add_memo
from fokus.api.messages import import_messages
from fokus.api.tagging import tag_messages
from fokus.cli import practices as practices_cli
from fokus.errors import FokusError
from fokus.files.codebook import load_codebook as read_codebook
from fokus.files.codings import CodingRow
from fokus.model import Coding, CodingStatus, Message, ParticipantIdentity
from fokus.nlp import load_pipeline
from fokus.store import Project, open_project
from tests.analysis.backends import Builds
from tests.conftest import at, parsed, record

CODEBOOK = """\
codebook: Praksis
version: "1"
ubiquitous: [facebook, kommune]
codes:
  - id: god-praksis
    name: God praksis
  - id: dialog
    name: Innbyggerdialog
    children:
      - id: svartid
        name: Svartid
  - id: krise
    name: Krise og beredskap
  - id: omdomme
    name: Omdømme
  - id: eierskap
    name: Eierskap
"""

AUTHORS = {  # real names: none of them may reach a report
    "Alta": "Kari Nordmann",
    "Bodø": "Per Hansen",
    "Drammen": "Lise Berg",
    "Førde": "Ola Vik",
    "Gjøvik": "Anne Dahl",
    "Hamar": "Nils Lie",
}
MODERATOR = "Hilde Moderatorsen"
POST = "Del gode tips fra kommunen deres."


@dataclass(frozen=True)
class Planted:
    message: str
    case: str
    practice: str
    sentence: str
    theme: str


# Four practices: a weekend duty roster (4 municipalities), photo competitions (3), crisis messages before the
# details are known (2), and a strategy adopted by the council that only Førde describes, four times.
PLANTED = [
    Planted("v1", "Alta", "vakt", "Vi har en vaktordning i kommunen som følger med i helgene.", "dialog/svartid"),
    Planted("v2", "Bodø", "vakt", "Vaktordningen vår svarer på spørsmål hver helg.", "dialog/svartid"),
    Planted("v3", "Drammen", "vakt", "En fast vaktordning i helga gjør at ingen venter til mandag.", "dialog"),
    Planted("v4", "Førde", "vakt", "Vaktordning for helgene var det beste vi innførte.", "dialog/svartid"),
    Planted("f1", "Gjøvik", "foto", "Fotokonkurransen med premie ga oss mange fine bilder.", "omdomme"),
    Planted("f2", "Hamar", "foto", "Vi kjørte en fotokonkurranse om vinterbilder, med premie til vinneren.", "omdomme"),
    Planted("f3", "Alta", "foto", "Årets fotokonkurranse hadde premie for beste bilde av fjorden.", "omdomme"),
    Planted("k1", "Bodø", "krise", "Vi legger ut en krisemelding før alle detaljer er kjent.", "krise"),
    Planted("k2", "Drammen", "krise", "Krisemelding først, detaljene kommer etterpå.", "krise"),
    Planted("s1", "Førde", "strategi", "Strategien ble vedtatt i kommunestyret.", "eierskap"),
    Planted("s2", "Førde", "strategi", "Kommunestyret vedtok strategien i fjor.", "eierskap"),
    Planted("s3", "Førde", "strategi", "At kommunestyret har vedtatt strategien gir oss ro.", "eierskap"),
    Planted("s4", "Førde", "strategi", "Strategi vedtatt av kommunestyret, det er grunnmuren.", "eierskap"),
]
WORDS = {
    "vakt": {"vaktordning", "helg"},
    "foto": {"fotokonkurranse", "premie", "bilde"},
    "krise": {"krisemelding", "detalj"},
    "strategi": {"strategi", "kommunestyre", "vedta"},
}
FILLERS = [
    "Hei fra oss!",
    "Takk for et godt spørsmål.",
    "Dette tok litt tid å få på plass.",
    "Mer om det senere.",
    "Vi lærer stadig.",
    "Lykke til med arbeidet!",
]
EXTRA = Planted("v5", "Hamar", "vakt", "Vi fikk en vaktordning for helgene i vår.", "dialog")
SUMMARY = "Vaktordning som svarer i helgene"


def message_text(index: int, planted: Planted) -> str:
    return f"{FILLERS[index % len(FILLERS)]} {planted.sentence} {FILLERS[(index + 3) % len(FILLERS)]}"


def span(planted: Planted, index: int) -> tuple[int, int]:
    text = message_text(index, planted)
    start = text.index(planted.sentence)
    return start, start + len(planted.sentence)


def row(message: str, code: str, start: int, end: int, coder: str) -> CodingRow:
    return CodingRow(message, code, start, end, None, CodingStatus.ACCEPTED, "human", None, coder, None, "test")


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline()


def build(target: str, folder: Path, nlp: Language, *, untagged_extra: bool = False) -> Project:
    """The planted project at ``target``, tagged; ``untagged_extra`` adds one more good-practice message after
    tagging."""
    (folder / "kodebok.yaml").write_text(CODEBOOK, encoding="utf-8")
    project = open_project(target, create=True)
    with project.begin() as session:
        load_codebook(session, read_codebook(folder / "kodebok.yaml"))
        records = [record("t1", MODERATOR, POST, when=at(1))]
        records += [
            record(p.message, AUTHORS[p.case], message_text(i, p), when=at(2 + i), thread="t1", case=p.case)
            for i, p in enumerate(PLANTED)
        ]
        import_messages(session, [parsed(*records)])
        rows = []
        for i, p in enumerate(PLANTED):
            start, end = span(p, i)
            rows += [row(p.message, "god-praksis", start, end, "ingrid"), row(p.message, p.theme, start, end, "ingrid")]
        # a second coder marks two of the same passages: v1 a little shorter, f1 exactly the same
        start, end = span(PLANTED[0], 0)
        rows.append(row("v1", "god-praksis", start, end - 1, "magnus"))
        start, end = span(PLANTED[4], 4)
        rows.append(row("f1", "god-praksis", start, end, "magnus"))
        import_codings(session, rows, display="test")
        tag_messages(session, nlp)
        first = session.scalars(
            select(Coding.id).join(Message).where(Message.external_id == "v1").order_by(Coding.id)
        ).first()
        add_memo(session, SUMMARY, coding_id=first)
    if untagged_extra:
        with project.begin() as session:
            index = len(PLANTED)
            extra = record("v5", AUTHORS["Hamar"], message_text(index, EXTRA), when=at(20), thread="t1", case="Hamar")
            import_messages(session, [parsed(extra, sha="b" * 64)])
            start, end = span(EXTRA, index)
            post = row("t1", "god-praksis", 0, len(POST), "ingrid")  # the moderator speaks for no municipality
            import_codings(session, [row("v5", "god-praksis", start, end, "ingrid"), post], display="test")
    return project


@pytest.fixture(scope="module")
def builds(nlp: Language) -> Iterator[Builds]:
    made = Builds("practices", lambda target, folder: build(target, folder, nlp))
    yield made
    made.close()


@pytest.fixture(scope="module")
def planted(builds: Builds, backend: str, request: pytest.FixtureRequest) -> Project:
    """The planted project on the module's backend: built once, only read."""
    return builds.get(backend, request)


def run(project: Project, **options: Any) -> PracticesReport:
    with project.read() as session:
        return find_practices(session, **options)


def by_practice(report: PracticesReport) -> dict[str, set[str]]:
    """Planted practice -> the practice titles whose passages came from it; checks every practice is pure."""
    found: dict[str, set[str]] = {}
    kinds = {p.message: p.practice for p in [*PLANTED, EXTRA]}
    for practice in report.practices:
        planted = {kinds[q.message] for q in practice.passages}
        assert len(planted) == 1, (practice.title, planted)
        found.setdefault(planted.pop(), set()).add(practice.title)
    return found


def test_planted_practices_come_out_as_practices(planted: Project) -> None:
    report = run(planted, include_unshared=True)
    assert report.passages == len(PLANTED)  # the second coder's overlapping codings added no passage
    groups = by_practice(report)
    assert {kind: len(titles) for kind, titles in groups.items()} == dict.fromkeys(WORDS, 1)
    for practice in report.practices:
        kind = {p.message: p.practice for p in PLANTED}[practice.passages[0].message]
        expected = {p.message for p in PLANTED if p.practice == kind}
        assert {q.message for q in practice.passages} == expected
        first_two = practice.title.split(" · ")[:2]
        assert set(first_two) <= WORDS[kind], practice.title
        assert 2 <= len(practice.title.split(" · ")) <= 4
        words = {word for word, _ in practice.words}
        assert "kommune" not in words  # the codebook's ubiquitous lemma
        assert not words & {"vi", "ha", "være", "en", "i", "med", "av", "all"}  # stop words, as forms and lemmas


def test_shared_means_enough_distinct_municipalities(planted: Project) -> None:
    cases = {kind: {p.case for p in PLANTED if p.practice == kind} for kind in WORDS}
    for min_cases in (1, 2, 3, 4, 5):
        report = run(planted, min_cases=min_cases, include_unshared=True)
        kinds = {p.message: p.practice for p in PLANTED}
        shared = {kinds[p.passages[0].message] for p in report.shared}
        assert shared == {kind for kind, names in cases.items() if len(names) >= min_cases}
        rest = [p for p in PLANTED if p.practice not in shared]
        assert report.unshared_counts() == {
            "practices": len(WORDS) - len(shared),
            "passages": len(rest),
            "municipalities": len({p.case for p in rest}),
        }
        # shared first, most municipalities first
        counts = [(not p.shared, -len(p.cases)) for p in report.practices]
        assert counts == sorted(counts)
        assert [p.number for p in report.practices] == list(range(1, len(report.practices) + 1))
    strategy = next(p for p in run(planted, min_cases=1).practices if "strategi" in p.title)
    assert strategy.cases == (("Førde", 4),)  # four passages, one municipality


def test_a_municipality_repeating_itself_is_not_shared(planted: Project) -> None:
    report = run(planted, min_cases=2, include_unshared=True)
    strategy = next(p for p in report.practices if {q.message for q in p.passages} == {"s1", "s2", "s3", "s4"})
    assert len(strategy.passages) == 4
    assert not strategy.shared
    assert strategy.title not in {p.title for p in run(planted, min_cases=2).listed}


def test_overlapping_codings_of_two_coders_are_one_passage(planted: Project) -> None:
    report = run(planted, include_unshared=True)
    quotes = {q.message: q for p in report.practices for q in p.passages}
    with planted.read() as session:
        codings = {
            ext: sorted(
                session.execute(
                    select(Coding.id, Coding.start, Coding.end)
                    .join(Message)
                    .where(Message.external_id == ext, Coding.code_id.in_(select_god_praksis()))
                ).all()
            )
            for ext in ("v1", "f1", "v2")
        }
    for ext in ("v1", "f1"):
        assert len(codings[ext]) == 2
        quote = quotes[ext]
        assert quote.coding_ids == tuple(cid for cid, _, _ in codings[ext])
        assert (quote.start, quote.end) == (min(s for _, s, _ in codings[ext]), max(e for _, _, e in codings[ext]))
        assert quote.coders == ("ingrid", "magnus")
    planted_v1 = PLANTED[0]
    assert quotes["v1"].text == planted_v1.sentence
    assert len(quotes["v2"].coding_ids) == 1
    assert quotes["v1"].summaries[0].text == SUMMARY


def select_god_praksis() -> Select[Any]:
    from fokus.model import Code

    return select(Code.id).where(Code.path == "god-praksis")


def test_themes_and_passages_are_traceable(planted: Project) -> None:
    report = run(planted, include_unshared=True)
    for practice in report.practices:
        kind = {p.message: p.practice for p in PLANTED}[practice.passages[0].message]
        members = [p for p in PLANTED if p.practice == kind]
        themes: dict[str, int] = {}
        for p in members:
            top = p.theme.split("/")[0]
            themes[top] = themes.get(top, 0) + 1
        assert {path: n for path, _, n in practice.themes} == themes
        assert sorted(practice.cases) == sorted(
            (case, sum(1 for p in members if p.case == case)) for case in {p.case for p in members}
        )
        for quote in practice.passages:
            assert quote.participant.startswith("Deltaker")
            assert quote.thread == "t1"
            assert quote.case == next(p.case for p in members if p.message == quote.message)


def test_deterministic_across_runs(planted: Project) -> None:
    first, second = run(planted, include_unshared=True), run(planted, include_unshared=True)
    assert json.dumps(first.as_json(), ensure_ascii=False) == json.dumps(second.as_json(), ensure_ascii=False)
    assert first.markdown() == second.markdown()


def formats(report: PracticesReport) -> dict[str, str]:
    out = {}
    for fmt in ("json", "md", "csv"):
        buffer = io.StringIO()
        write_report(report, fmt, buffer)
        out[fmt] = buffer.getvalue()
    return out


def test_json_and_markdown_carry_municipalities_and_quotes_and_no_names(planted: Project) -> None:
    report = run(planted, min_cases=3)
    written = formats(report)
    data = json.loads(written["json"])
    assert data["unshared"] == report.unshared_counts()
    assert len(data["practices"]) == len(report.shared) == 2
    for practice, shown in zip(report.shared, data["practices"], strict=True):
        kind = {p.message: p.practice for p in PLANTED}[practice.passages[0].message]
        members = [p for p in PLANTED if p.practice == kind]
        assert {m["case"] for m in shown["municipalities"]} == {p.case for p in members}
        assert {q["text"] for q in shown["quotes"]} == {p.sentence for p in members}
        for p in members:
            assert p.sentence in written["md"]
            assert p.case in written["md"]
        assert f"## {practice.number}. {practice.title}" in written["md"]
    assert SUMMARY in written["md"]
    table = list(csv.DictReader(io.StringIO(written["csv"])))
    assert [r["title"] for r in table] == [p.title for p in report.shared]
    assert all(set(r["coding_ids"].split()) for r in table)
    everything = run(planted, include_unshared=True)
    for text in [*formats(everything).values(), *written.values()]:
        for name in [*AUTHORS.values(), MODERATOR]:
            assert name not in text
            assert name.split()[-1] not in text


def test_an_untagged_passage_is_lemmatised_now(db: str, tmp_path: Path, nlp: Language) -> None:
    project = build(db, tmp_path, nlp, untagged_extra=True)
    try:
        report = run(project, include_unshared=True)
        alone = run(project, min_cases=1, include_unshared=True)
    finally:
        project.close()
    assert report.lemmatised_now == 1  # v5 came after tagging; the post was tagged, only coded later
    vakt = next(p for p in report.practices if any(q.message == "v5" for q in p.passages))
    assert {q.message for q in vakt.passages} == {"v1", "v2", "v3", "v4", "v5"}
    assert len(vakt.cases) == 5
    assert "lemmatised now" in report.markdown()
    post = next(p for p in report.practices if any(q.message == "t1" for q in p.passages))
    assert [(q.case, q.text) for q in post.passages] == [(None, POST)]
    assert post.cases == ()
    assert "(no municipality)" in report.markdown()
    assert not next(p for p in alone.practices if p.title == post.title).shared  # no municipality: shared by none


def test_scope_and_errors(planted: Project) -> None:
    magnus = run(planted, scope=Scope.of(coders=["magnus"]), include_unshared=True)
    assert sorted(q.message for p in magnus.practices for q in p.passages) == ["f1", "v1"]
    assert all(q.themes == () for p in magnus.practices for q in p.passages)  # magnus coded no themes
    only_crisis = run(planted, scope=Scope.of(codes=["krise"]), include_unshared=True)
    assert {t for p in only_crisis.practices for q in p.passages for t in q.themes} == {"krise"}
    with pytest.raises(FokusError, match="not in the codebook"):
        run(planted, code="finnes-ikke")
    with pytest.raises(FokusError, match="theme"):
        run(planted, threshold=0.8, theme_weight=0.3)
    with pytest.raises(FokusError, match="min-cases"):
        run(planted, min_cases=0)
    nobody = run(planted, min_cases=len(AUTHORS) + 1)
    assert nobody.listed == []
    assert "No practice is shared" in nobody.markdown()
    assert nobody.unshared_counts()["passages"] == len(PLANTED)


def test_the_command(planted: Project, tmp_path: Path) -> None:
    runner = CliRunner()
    obj = {"db": planted.display, "debug": False}
    result = runner.invoke(practices_cli.practices_command, ["--format", "json"], obj=obj, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert [p["title"] for p in shown["practices"]] == [p.title for p in run(planted).shared]
    result = runner.invoke(practices_cli.practices_command, ["--all", "--min-cases", "2", "--format", "csv"], obj=obj)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == len(WORDS)
    assert [r["shared"] for r in rows] == ["True", "True", "True", "False"]
    target = tmp_path / "praksis.md"
    result = runner.invoke(practices_cli.practices_command, ["--format", "md", "-o", str(target)], obj=obj)
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("# Good practice")
    result = runner.invoke(practices_cli.practices_command, ["--threshold", "0.5"], obj=obj)
    assert result.exit_code == 0, result.output
    assert "shared practices" in result.output
    help_text = runner.invoke(practices_cli.practices_command, ["--help"]).output
    assert "Example:" in help_text
    assert (practices_cli.THRESHOLD, practices_cli.THEME_WEIGHT) == (DEFAULT_THRESHOLD, DEFAULT_THEME_WEIGHT)


# --- the clustering against an independent oracle -------------------------------------------------------------


def random_features(seed: int, count: int = 300) -> tuple[Any, np.ndarray[Any, np.dtype[np.float64]]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    rng = np.random.default_rng(seed)
    topics = rng.integers(0, 400, size=(25, 4))
    texts = []
    for _ in range(count):
        words = [*rng.integers(0, 400, size=5), *rng.choice(topics[rng.integers(0, 25)], size=3)]
        texts.append(" ".join(f"w{w}" for w in words))
    text = TfidfVectorizer(analyzer=str.split, sublinear_tf=True).fit_transform(texts).tocsr()
    themes = np.zeros((count, 4))
    themes[np.arange(count), rng.integers(0, 4, size=count)] = 1.0
    return text, themes


def partition(labels: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for index, label in enumerate(labels.tolist()):
        groups.setdefault(label, set()).add(index)
    return {frozenset(g) for g in groups.values()}


@pytest.mark.parametrize(
    ("seed", "threshold", "weight", "themeless"), [(1, 0.8, 0.1, 0), (2, 0.7, 0.0, 0), (3, 0.85, 0.1, 60)]
)
def test_clustering_is_exact_average_linkage(seed: int, threshold: float, weight: float, themeless: int) -> None:
    from sklearn.cluster import AgglomerativeClustering

    text, themes = random_features(seed)
    themes[:themeless] = 0.0
    labels = cluster(text, themes, threshold=threshold, theme_weight=weight)
    words = (text @ text.T).toarray()
    themed = themes.any(axis=1)
    similarity = np.where(np.outer(themed, themed), (1 - weight) * words + weight * themes @ themes.T, words)
    distance = np.clip(1 - similarity, 0, 1)
    np.fill_diagonal(distance, 0)
    oracle = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=threshold
    ).fit_predict(distance)
    assert partition(labels) == partition(oracle)
    assert 1 < len(set(labels.tolist())) < len(labels)


def test_a_shared_theme_tips_close_passages_into_one_practice() -> None:
    from scipy import sparse

    cosine = 0.15  # below the 0.2 similarity the threshold 0.8 asks for; with a shared theme 0.9 * 0.15 + 0.1
    text = sparse.csr_matrix(np.array([[1.0, 0.0], [cosine, np.sqrt(1 - cosine**2)]]))
    same, other, none = np.array([[1.0], [1.0]]), np.array([[1.0, 0.0], [0.0, 1.0]]), np.zeros((2, 0))
    assert len(set(cluster(text, same, threshold=0.8, theme_weight=0.1).tolist())) == 1
    assert len(set(cluster(text, other, threshold=0.8, theme_weight=0.1).tolist())) == 2
    assert len(set(cluster(text, none, threshold=0.8, theme_weight=0.1).tolist())) == 2
    assert len(set(cluster(text, same, threshold=0.8, theme_weight=0.0).tolist())) == 2


def test_clustering_a_giant_component_in_pieces() -> None:
    text, themes = random_features(4, count=200)
    exact = cluster(text, themes, threshold=0.85, theme_weight=0.1)
    pieces = cluster(text, themes, threshold=0.85, theme_weight=0.1, block_limit=10)
    again = cluster(text, themes, threshold=0.85, theme_weight=0.1, block_limit=10)
    assert np.array_equal(pieces, again)
    assert max(np.bincount(pieces)) <= 10 < max(np.bincount(exact))
    # near duplicates chained past the limit stay one practice
    from scipy import sparse

    same = sparse.csr_matrix(np.ones((6, 1)))
    labels = cluster(same, np.zeros((6, 0)), threshold=0.8, theme_weight=0.1, block_limit=2)
    assert len(set(labels.tolist())) == 1


# --- the demo ---------------------------------------------------------------------------------------------------


def test_the_demo_has_shared_practice_quoted_exactly(demo: Project) -> None:
    report = run(demo, min_cases=3, include_unshared=True)
    assert report.shared
    assert len(report.shared[0].cases) >= 3
    assert report.lemmatised_now == 0
    with demo.read() as session:
        from fokus.privacy.redact import Redactor

        redactor = Redactor(session)  # quotes are shown as exports show them: names people wrote are redacted
        stored = {
            ext: (mid, text)
            for ext, mid, text in session.execute(select(Message.external_id, Message.id, Message.text))
        }
        shown = {
            (q.message, q.start, q.end): redactor.excerpt(*stored[q.message], q.start, q.end)
            for p in report.practices
            for q in p.passages
        }
        query = select(Coding.id, Coding.start, Coding.end, Coding.status)
        spans = {cid: (start, end, status) for cid, start, end, status in session.execute(query)}
        names = list(session.scalars(select(ParticipantIdentity.name)))
        accepted = session.scalars(
            select(Coding.id).where(Coding.status == "accepted", Coding.code_id.in_(select_god_praksis()))
        ).all()
    coded = [cid for p in report.practices for q in p.passages for cid in q.coding_ids]
    assert sorted(coded) == sorted(accepted)  # every accepted good-practice coding is in exactly one passage
    for practice in report.practices:
        for quote in practice.passages:
            assert quote.text == shown[(quote.message, quote.start, quote.end)]
            assert quote.start == min(spans[c][0] for c in quote.coding_ids)
            assert quote.end == max(spans[c][1] for c in quote.coding_ids)
            assert all(spans[c][2] == "accepted" for c in quote.coding_ids)
    assert len(names) >= 40
    for text in formats(report).values():
        for name in names:
            assert name not in text


# --- the same practices on both backends -------------------------------------------------------------------------


def every_report(project: Project) -> dict[str, Any]:
    found = {}
    for min_cases in (1, 2, 3):
        for include_unshared in (False, True):
            report = run(project, min_cases=min_cases, include_unshared=include_unshared)
            found[f"{min_cases} {include_unshared}"] = formats(report)
    found["magnus"] = formats(run(project, scope=Scope.of(coders=["magnus"]), include_unshared=True))
    return found


@pytest.mark.postgresql
def test_both_backends_find_the_same_practices(builds: Builds, request: pytest.FixtureRequest) -> None:
    sqlite, postgresql = (every_report(builds.get(backend, request)) for backend in ("sqlite", "postgresql"))
    assert sqlite == postgresql


@pytest.mark.postgresql
def test_the_demo_has_the_same_practices_on_both_backends(demo_sqlite: Project, demo_postgresql: Project) -> None:
    sqlite, postgresql = every_report(demo_sqlite), every_report(demo_postgresql)
    assert sqlite.keys() == postgresql.keys()
    for key, written in sqlite.items():
        assert postgresql[key] == written, key
