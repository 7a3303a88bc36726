"""Hypothesis checks on a project with planted effects: verdicts follow the data, figures match scipy on counts made
straight from the plan, and the evidence is the planted passages; then the shipped file on the demo, and the CLI."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from scipy import stats
from sqlalchemy import func, select

from fokus.analysis.frame import Scope
from fokus.analysis.hypotheses import check_hypotheses
from fokus.analysis.hypothesis_data import EVIDENCE_CAP, MINIMUMS
from fokus.api.cases import import_cases
from fokus.api.codebook import load_codebook
from fokus.api.codings import import_codings
from fokus.api.messages import import_messages
from fokus.api.tagging import tag_messages
from fokus.cli.hypotheses import hypotheses_group
from fokus.errors import FokusError
from fokus.files.cases import read_case_table
from fokus.files.codebook import load_codebook as read_codebook
from fokus.files.codings import CodingRow
from fokus.files.hypotheses import load_hypotheses, parse_hypotheses
from fokus.importers.located_yaml import load_located_yaml
from fokus.model import Code, Coding, CodingStatus, Message, Page
from fokus.store import Project, open_project
from tests.analysis.backends import Builds
from tests.conftest import parsed, record

ROOT = Path(__file__).resolve().parents[2]
CODEBOOK = """\
codebook: Test
codes:
  - {id: krise, name: Krise, children: [{id: flom, name: Flom}]}
  - {id: ressurser, name: Ressurser}
  - {id: omdomme, name: Omdømme}
  - {id: ungdom, name: Unge}
  - {id: dialog, name: Dialog}
  - {id: plattform, name: Plattform}
  - {id: sjelden, name: Sjelden}
"""
# K1-K5 are in the top ten; K11 has no value; the regions split the cases three ways
CASES = "kommune,topp10,region\n" + "".join(
    f"K{c},{'ja' if c <= 5 else 'nei' if c <= 10 else ''},{'nord' if c <= 4 else 'midt' if c <= 7 else 'sør'}\n"
    for c in range(1, 12)
)
TEXT = "Krisen kom i natt. Ressursene var for små. Ungdommen var på Facebook."
SLOTS = [(0, 18), (19, 42), (43, 69)]  # the three sentences
WHOLE = (0, len(TEXT))

HYPOTHESES = """\
alpha: 0.05
hypotheses:
  - id: planted
    statement: Krise og ressurser nevnes i de samme innleggene.
    test: association
    codes: [krise, ressurser]
    unit: message
    direction: positive
  - id: independent
    statement: Krise og omdømme nevnes i de samme innleggene.
    test: association
    codes: [krise, omdomme]
    unit: message
    direction: positive
  - id: sentences
    statement: Krise og ressurser nevnes i de samme setningene.
    test: association
    codes: [krise, ressurser]
    unit: sentence
    direction: positive
  - id: cases
    statement: De beste kommunene snakker mer om unge.
    test: group-difference
    code: ungdom
    attribute: topp10
    unit: case
    direction: positive
  - id: messages
    statement: Innlegg fra de beste kommunene handler oftere om unge.
    test: group-difference
    code: ungdom
    attribute: topp10
    unit: message
    direction: positive
  - id: wrong-way
    statement: De beste kommunene snakker mindre om unge.
    test: group-difference
    code: ungdom
    attribute: topp10
    unit: case
    direction: negative
  - id: regions
    statement: Landsdelene snakker ulikt om unge.
    test: group-difference
    code: ungdom
    attribute: region
    unit: message
  - id: rising
    statement: Dialog blir et større tema utover våren.
    test: trend
    code: dialog
    unit: message
    direction: positive
  - id: rare
    statement: Krise og det sjeldne henger sammen.
    test: association
    codes: [krise, sjelden]
    unit: message
    direction: positive
"""
REQUIRED = {"id", "test", "unit", "n", "table", "counts", "statistic", "p_value", "p_adjusted", "effect", "verdict",
            "evidence", "minimum"}  # fmt: skip
VERDICTS = {"supported", "not supported", "too little data"}


@dataclass
class Planted:
    """The plan: each message's case, month and codes, from which every expected figure is counted."""

    case: dict[int, str | None] = field(default_factory=dict)
    month: dict[int, int] = field(default_factory=dict)
    codes: dict[int, set[str]] = field(default_factory=dict)
    rows: list[CodingRow] = field(default_factory=list)

    def code(self, i: int, path: str, span: tuple[int, int], coder: str = "ingrid", status: str = "accepted") -> None:
        if status == "accepted":  # what an analysis of accepted codings counts
            self.codes.setdefault(i, set()).add(path)
        self.rows.append(CodingRow(f"m{i}", path, *span, None, CodingStatus(status), "human", None, coder, None, "t"))

    def has(self, i: int, code: str) -> bool:
        return any(c == code or c.startswith(code + "/") for c in self.codes.get(i, ()))

    @property
    def coded(self) -> list[int]:
        return sorted(i for i, codes in self.codes.items() if codes)


def plan() -> Planted:
    p = Planted()
    for i in range(110):
        if i < 100:
            case, month = f"K{i % 10 + 1}", i // 20
        elif i < 103:
            case, month = "K11", 2
        elif i < 105:
            case, month = None, 2  # a participant linked to no case
        else:
            case, month = f"K{i - 104}", 4  # five messages nobody coded
        p.case[i], p.month[i] = case, month
        if i >= 105:
            continue
        p.code(i, "plattform", WHOLE)
        if i < 12:
            p.code(i, "krise/flom", SLOTS[0])
            if i < 8:
                p.code(i, "krise/flom", SLOTS[0], coder="magnus")  # the same span by a second coder: one passage
        if i < 8 or 12 <= i < 16:
            p.code(i, "ressurser", SLOTS[1])
        if i % 2 == 0 and i < 100:
            p.code(i, "omdomme", SLOTS[2])
        top = i < 100 and i % 10 < 5
        if (top and (i // 10) % 2 == 0) or (i < 100 and not top and i // 10 == 0) or 100 <= i < 103:
            p.code(i, "ungdom", SLOTS[2])
        if i < 100 and i % 20 < 2 + 3 * month:
            p.code(i, "dialog", SLOTS[1])
        if i in (50, 51):
            p.code(i, "sjelden", SLOTS[2])
        if i in (52, 53, 54, 55):
            p.code(i, "sjelden", SLOTS[2], coder="regel", status="suggested")
    return p


@pytest.fixture(scope="module")
def planted() -> Planted:
    return plan()


def build(target: str, folder: Path, planted: Planted) -> Project:
    from fokus.nlp.pipeline import builtin_pipeline

    (folder / "kodebok.yaml").write_text(CODEBOOK, encoding="utf-8")
    (folder / "cases.csv").write_text(CASES, encoding="utf-8")
    project = open_project(target, create=True)
    records = [
        record(
            f"m{i}",
            f"Person {case}" if case else "Ukjent",
            TEXT,
            when=datetime(2013, planted.month[i] + 1, 5 + i % 20, 12, tzinfo=UTC),
            case=case,
        )
        for i, case in planted.case.items()
    ]
    with project.begin() as session:
        load_codebook(session, read_codebook(folder / "kodebok.yaml"))
        import_messages(session, [parsed(*records)])
        import_cases(session, read_case_table(folder / "cases.csv"), "cases.csv")
        import_codings(session, planted.rows, display="plan")
        tag_messages(session, builtin_pipeline())
    (folder / "hypoteser.yaml").write_text(HYPOTHESES, encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def builds(planted: Planted) -> Iterator[Builds]:
    made = Builds("hypotheses", lambda target, folder: build(target, folder, planted))
    yield made
    made.close()


@pytest.fixture(scope="module")
def built(builds: Builds, backend: str, request: pytest.FixtureRequest) -> tuple[Project, Path]:
    """The planted project on the module's backend, and the folder holding its files: built once, only read."""
    project = builds.get(backend, request)
    return project, builds.folders[backend]


@pytest.fixture(scope="module")
def report(built: tuple[Project, Path]) -> Any:
    project, folder = built
    path = folder / "hypoteser.yaml"
    with project.read() as session:
        return check_hypotheses(session, load_hypotheses(path))


def result(report: Any, hid: str) -> dict[str, Any]:
    return next(r for r in report.as_json() if r["id"] == hid)


def table_of(planted: Planted, units: list[int], a: str, b: str) -> list[list[int]]:
    both = sum(planted.has(i, a) and planted.has(i, b) for i in units)
    only_a = sum(planted.has(i, a) and not planted.has(i, b) for i in units)
    only_b = sum(not planted.has(i, a) and planted.has(i, b) for i in units)
    return [[both, only_a], [only_b, len(units) - both - only_a - only_b]]


def coding_ids(project: Project, messages: list[int], codes: set[str]) -> set[int]:
    with project.read() as session:
        query = (
            select(Coding.id, Code.path, Message.external_id)
            .join(Code, Coding.code_id == Code.id)
            .join(Message, Coding.message_id == Message.id)
            .where(Coding.status == "accepted")
        )
        wanted = {f"m{i}" for i in messages}
        return {cid for cid, path, ext in session.execute(query) if ext in wanted and path in codes}


def test_a_planted_association_is_supported(report: Any, planted: Planted, built: tuple[Project, Path]) -> None:
    r = result(report, "planted")
    expected = table_of(planted, planted.coded, "krise", "ressurser")
    assert expected == [[8, 4], [4, len(planted.coded) - 16]]  # the plan itself, as designed
    assert r["table"]["cells"] == expected
    assert r["n"] == len(planted.coded)
    assert r["p_value"] == pytest.approx(stats.fisher_exact(expected, alternative="greater").pvalue)
    assert r["statistic"] == pytest.approx(stats.fisher_exact(expected).statistic)
    assert r["effect"]["estimate"] > 1
    assert r["effect"]["ci_low"] > 1
    assert r["verdict"] == "supported"
    # the evidence: the krise and ressurser codings of the eight messages with both, a span coded twice being one
    project, _ = built
    both = [i for i in planted.coded if planted.has(i, "krise") and planted.has(i, "ressurser")]
    assert {c for p in r["evidence"]["passages"] for c in p["coding_ids"]} == coding_ids(
        project, both, {"krise/flom", "ressurser"}
    )
    assert r["evidence"]["total"] == 2 * len(both)  # two spans in each message
    assert {p["message_id"] for p in r["evidence"]["passages"]} == {f"m{i}" for i in both}
    assert all(p["text"] == TEXT[slice(*SLOTS[0])] for p in r["evidence"]["passages"] if "krise/flom" in p["codes"])
    assert all(len(p["coding_ids"]) == 2 for p in r["evidence"]["passages"] if "krise/flom" in p["codes"])
    assert all(p["participant"] and p["case"] for p in r["evidence"]["passages"])


def test_an_association_not_planted_is_not_supported(report: Any, planted: Planted) -> None:
    r = result(report, "independent")
    expected = table_of(planted, planted.coded, "krise", "omdomme")
    assert r["table"]["cells"] == expected
    assert r["p_value"] == pytest.approx(stats.fisher_exact(expected, alternative="greater").pvalue)
    assert r["p_value"] > 0.3
    assert r["verdict"] == "not supported"


def test_the_unit_matters_codes_in_one_message_but_not_one_sentence(report: Any, planted: Planted) -> None:
    r = result(report, "sentences")
    assert r["table"]["both"] == 0  # krise and ressurser were planted in different sentences
    assert r["table"]["only_a"] == 12
    assert r["table"]["only_b"] == 12
    assert r["verdict"] == "not supported"
    assert r["evidence"]["total"] == 0


def case_shares(planted: Planted, code: str) -> dict[str, float]:
    shares = {}
    for case in {c for c in planted.case.values() if c and c != "K11"}:
        mine = [i for i in planted.coded if planted.case[i] == case]
        shares[case] = sum(planted.has(i, code) for i in mine) / len(mine)
    return shares


def test_a_group_difference_between_cases(report: Any, planted: Planted, built: tuple[Project, Path]) -> None:
    r = result(report, "cases")
    shares = case_shares(planted, "ungdom")
    top = [shares[f"K{c}"] for c in range(1, 6)]
    rest = [shares[f"K{c}"] for c in range(6, 11)]
    assert {row["case"]: row["share"] for row in r["counts"]} == pytest.approx(shares)
    assert r["n"] == 10
    assert r["excluded"]["cases_without_value"] == 1  # K11 is left out, and counted
    expected = stats.mannwhitneyu(top, rest, alternative="greater")
    assert r["statistic"] == pytest.approx(expected.statistic)
    assert r["p_value"] == pytest.approx(expected.pvalue)
    assert r["effect"]["name"] == "rank-biserial r"
    assert r["effect"]["estimate"] == pytest.approx(1.0)  # the plan separates the groups completely
    assert r["effect"]["ci_low"] < 1
    assert r["verdict"] == "supported"
    # the evidence: the ungdom passages of the focal group (K1-K5) only
    project, _ = built
    focal = [i for i in planted.coded if planted.case[i] in {f"K{c}" for c in range(1, 6)}]
    expected_ids = coding_ids(project, focal, {"ungdom"})
    assert r["evidence"]["total"] == len(expected_ids)
    assert {c for p in r["evidence"]["passages"] for c in p["coding_ids"]} <= expected_ids
    assert len(r["evidence"]["passages"]) == min(EVIDENCE_CAP, len(expected_ids))
    # stated the other way round, the same data do not support it
    assert result(report, "wrong-way")["verdict"] == "not supported"


def test_a_group_difference_between_messages(report: Any, planted: Planted) -> None:
    r = result(report, "messages")
    linked = [i for i in planted.coded if planted.case[i] and planted.case[i] != "K11"]
    top = [i for i in linked if int(str(planted.case[i])[1:]) <= 5]
    rest = [i for i in linked if i not in top]
    expected = [
        [sum(planted.has(i, "ungdom") for i in top), sum(not planted.has(i, "ungdom") for i in top)],
        [sum(planted.has(i, "ungdom") for i in rest), sum(not planted.has(i, "ungdom") for i in rest)],
    ]
    assert r["table"]["cells"] == expected
    assert r["table"]["rows"] == ["topp10 = ja", "topp10 = nei"]
    assert r["excluded"]["messages_without_case"] == 2
    assert r["excluded"]["messages_whose_case_has_no_value"] == 3
    assert r["p_value"] == pytest.approx(stats.fisher_exact(expected, alternative="greater").pvalue)
    assert r["verdict"] == "supported"


def test_an_attribute_with_three_values_is_tested_by_chi_square(report: Any, planted: Planted) -> None:
    r = result(report, "regions")
    region = {f"K{c}": "nord" if c <= 4 else "midt" if c <= 7 else "sør" for c in range(1, 12)}
    linked = [i for i in planted.coded if planted.case[i]]
    table = [
        [sum(planted.has(i, "ungdom") for i in linked if region[str(planted.case[i])] == value),
         sum(not planted.has(i, "ungdom") for i in linked if region[str(planted.case[i])] == value)]
        for value in ("midt", "nord", "sør")
    ]  # fmt: skip
    assert r["method"] == "chi-square test"
    assert r["table"]["cells"] == table
    expected = stats.chi2_contingency(table, correction=False)
    assert r["statistic"] == pytest.approx(expected.statistic)
    assert r["p_value"] == pytest.approx(expected.pvalue)
    assert r["effect"]["name"] == "Cramér's V"
    assert r["verdict"] == ("supported" if r["p_adjusted"] < 0.05 else "not supported")


def test_a_rising_trend(report: Any, planted: Planted) -> None:
    r = result(report, "rising")
    months = sorted(set(planted.month.values()))
    per_month = {m: [i for i in planted.coded if planted.month[i] == m] for m in months}
    shares = [sum(planted.has(i, "dialog") for i in per_month[m]) / len(per_month[m]) for m in months]
    assert [c["share"] for c in r["counts"]] == pytest.approx(shares)
    assert [c["period"] for c in r["counts"]] == [f"2013-0{m + 1}" for m in months]
    assert [c["messages"] for c in r["counts"]] == [len(per_month[m]) for m in months]
    expected = stats.spearmanr(months, shares, alternative="greater")
    assert r["statistic"] == pytest.approx(expected.statistic)
    assert r["p_value"] == pytest.approx(expected.pvalue)
    assert r["verdict"] == "supported"
    # the evidence: the dialog passages, latest months first, capped, with the total
    dialog = [i for i in planted.coded if planted.has(i, "dialog")]
    assert r["evidence"]["total"] == len(dialog)
    assert len(r["evidence"]["passages"]) == EVIDENCE_CAP < len(dialog)
    shown = [p["created_at"][:7] for p in r["evidence"]["passages"]]
    assert shown == sorted(shown, reverse=True)
    assert shown[0] == "2013-05"


def test_too_little_data_states_the_minimum(report: Any) -> None:
    r = result(report, "rare")
    assert r["verdict"] == "too little data"
    assert r["p_value"] is None
    assert r["p_adjusted"] is None
    assert r["minimum"]["units_per_code"] == MINIMUMS["association"]["units_per_code"]
    assert "at least 20 messages, each code in at least 5 of them" in r["minimum"]["text"]
    assert "2 with sjelden" in r["verdict_reason"]
    markdown = report.markdown()
    section = markdown[markdown.index("## rare") :]
    assert "too little data" in section
    assert "Minimum: at least 20 messages, each code in at least 5 of them and absent from 5." in section


def test_p_values_are_adjusted_together_as_scipy_does(report: Any) -> None:
    results = report.as_json()
    tested = [r for r in results if r["p_value"] is not None]
    assert len(tested) == len(results) - 1  # all but the one with too little data
    adjusted = stats.false_discovery_control([r["p_value"] for r in tested], method="bh")
    assert [r["p_adjusted"] for r in tested] == pytest.approx(adjusted.tolist())
    for r in tested:
        points = {"positive": r["effect"]["estimate"] > r["effect"]["null"],
                  "negative": r["effect"]["estimate"] < r["effect"]["null"]}.get(r["direction"], True)  # fmt: skip
        assert r["verdict"] == ("supported" if r["p_adjusted"] < 0.05 and points else "not supported")


def test_every_result_has_the_required_keys_and_valid_json(report: Any) -> None:
    text = json.dumps(report.as_json(), allow_nan=False, default=str)
    for r in json.loads(text):
        assert set(r) >= REQUIRED
        assert r["verdict"] in VERDICTS
        assert r["table"] is not None or r["counts"] is not None


def test_the_population_of_all_units_counts_the_uncoded_messages(built: tuple[Project, Path], planted: Planted) -> None:
    project, folder = built
    path = folder / "alle.yaml"
    path.write_text(HYPOTHESES.replace("alpha: 0.05\n", "population: all\n"), encoding="utf-8")
    with project.read() as session:
        everything = check_hypotheses(session, load_hypotheses(path))
    r = result(everything, "planted")
    assert r["population"] == "all"
    assert r["table"]["cells"] == table_of(planted, sorted(planted.case), "krise", "ressurser")
    assert r["n"] == len(planted.coded) + 5


def test_suggestions_count_when_asked(built: tuple[Project, Path]) -> None:
    project, folder = built
    path = folder / "hypoteser.yaml"
    with project.read() as session:
        spec = load_hypotheses(path)
        accepted = check_hypotheses(session, spec)
        suggested = check_hypotheses(session, spec, scope=Scope.of(include_suggested=True))
    assert result(accepted, "rare")["table"]["only_b"] == 2
    assert result(suggested, "rare")["table"]["only_b"] == 6  # four more suggested by the rules
    assert result(suggested, "rare")["verdict"] != "too little data"


def test_a_group_value_no_case_has_is_an_error_with_its_line(built: tuple[Project, Path]) -> None:
    project, folder = built
    path = folder / "feil.yaml"
    path.write_text(
        "hypotheses:\n  - id: G\n    statement: s\n    test: group-difference\n    code: ungdom\n"
        "    attribute: region\n    group: vest\n    unit: case\n",
        encoding="utf-8",
    )
    with project.read() as session, pytest.raises(FokusError, match="no case has region = vest") as caught:
        check_hypotheses(session, load_hypotheses(path))
    assert caught.value.where == "line 7"
    assert caught.value.path == str(path)
    spec = parse_hypotheses(load_located_yaml(path), str(path))
    assert spec.hypotheses[0].group == "vest"


def test_the_markdown_reads_on_its_own(report: Any) -> None:
    markdown = report.markdown()
    for r in report.as_json():
        assert f"## {r['id']}: {r['statement']}" in markdown
    section = markdown[markdown.index("## planted") : markdown.index("## independent")]
    assert "Fisher's exact test" in section
    assert "because" in section
    assert "odds ratio" in section
    assert "95% CI" in section
    assert "adjusted p =" in section
    assert "**Verdict: supported**" in section
    assert "> Krisen kom i natt." in section  # a quoted passage
    assert section.count("\n> — ") == 5  # five quotes of the sixteen passages
    assert "| krise | 8 | 4 | 12 |" in section


def run_cli(db: str, *args: str) -> Any:
    return CliRunner().invoke(hypotheses_group, ["check", *args], obj={"db": db, "debug": False})


def test_the_cli_in_every_format(built: tuple[Project, Path], report: Any) -> None:
    project, folder = built
    db, file = project.display, str(folder / "hypoteser.yaml")
    table = run_cli(db, file)
    assert table.exit_code == 0, table.output
    assert "planted" in table.output
    assert "supported" in table.output
    as_csv = run_cli(db, file, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert [row["id"] for row in rows] == [r["id"] for r in report.as_json()]
    assert {"id", "test", "n", "p_value", "p_adjusted", "estimate", "ci_low", "ci_high", "verdict"} <= set(rows[0])
    assert float(rows[0]["p_value"]) == pytest.approx(result(report, "planted")["p_value"])
    as_json = json.loads(run_cli(db, file, "--format", "json").output)
    assert [r["verdict"] for r in as_json] == [r["verdict"] for r in report.as_json()]
    out = folder / "rapport.md"
    written = run_cli(db, file, "--format", "md", "-o", str(out))
    assert written.exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# Hypotheses in ")
    suggested = json.loads(run_cli(db, file, "--format", "json", "--include-suggested").output)
    assert result_of(suggested, "rare")["table"]["only_b"] == 6


def result_of(results: list[dict[str, Any]], hid: str) -> dict[str, Any]:
    return next(r for r in results if r["id"] == hid)


def test_the_cli_reports_a_bad_file_as_a_fokus_error(built: tuple[Project, Path]) -> None:
    project, folder = built
    bad = folder / "bad.yaml"
    bad.write_text("hypotheses:\n  - id: H1\n    statement: s\n    test: tren\n", encoding="utf-8")
    outcome = run_cli(project.display, str(bad))
    assert outcome.exit_code != 0
    assert isinstance(outcome.exception, FokusError)
    assert str(outcome.exception).startswith(f"{bad}:line 4: unknown test 'tren'")
    assert "Example" in (hypotheses_group.commands["check"].help or "")


# --- the demo ------------------------------------------------------------------------------------------------------


def accepted_codes(project: Project) -> dict[str, set[str]]:
    """Each coded message's accepted codes, read with one plain join: an oracle independent of fokus.analysis."""
    found: dict[str, set[str]] = {}
    query = (
        select(Message.external_id, Code.path)
        .select_from(Coding)
        .join(Code, Code.id == Coding.code_id)
        .join(Message, Message.id == Coding.message_id)
        .where(Coding.status == "accepted")
    )
    with project.read() as session:
        for message, path in session.execute(query):
            found.setdefault(message, set()).add(path)
    return found


def test_the_shipped_hypotheses_on_the_demo(demo: Project) -> None:
    file = ROOT / "codebooks" / "hypoteser.yaml"
    outcome = run_cli(demo.display, str(file), "--format", "json")
    assert outcome.exit_code == 0, outcome.output
    results = json.loads(outcome.output)
    spec = load_hypotheses(file)
    assert [r["id"] for r in results] == [h.id for h in spec.hypotheses]
    assert len(results) >= 6
    assert {r["test"] for r in results} == {"association", "group-difference", "trend", "correlation"}
    with demo.read() as session:
        pages = session.scalar(select(func.count()).select_from(Page))
    for r in results:
        if r["variables"] and any(v["kind"] == "metric" for v in r["variables"]) and not pages:
            # the behaviour hypotheses on a demo without pages: no page data, and the rest tested all the same
            assert r["verdict"] == "too little data"
            assert "no page data" in r["verdict_reason"]
        assert set(r) >= REQUIRED
        assert r["verdict"] in VERDICTS
        assert r["minimum"]["text"]
    # every message-level association table can be recounted from the codings themselves
    codes = accepted_codes(demo)

    def has(message: str, code: str) -> bool:
        return any(c == code or c.startswith(code + "/") for c in codes[message])

    for r in results:
        if r["test"] == "association" and r["unit"] == "message":
            a, b = r["codes"]
            both = sum(has(m, a) and has(m, b) for m in codes)
            only_a = sum(has(m, a) and not has(m, b) for m in codes)
            only_b = sum(has(m, b) and not has(m, a) for m in codes)
            assert r["table"]["cells"] == [[both, only_a], [only_b, len(codes) - both - only_a - only_b]]
            assert {p["message_id"] for p in r["evidence"]["passages"]} <= {m for m in codes if has(m, a) and has(m, b)}
        if r["test"] == "trend" and r["unit"] == "message":
            assert sum(c["messages"] for c in r["counts"]) == len(codes)
    # and every passage quoted is the coded text of its codings, as exports show it (names people wrote redacted)
    from fokus.privacy.redact import Redactor

    with demo.read() as session:
        redactor = Redactor(session)
        for r in results:
            for passage in r["evidence"]["passages"]:
                for coding in passage.get("coding_ids", ()):  # a behaviour hypothesis' posts have none
                    text, start, end, message, mid = session.execute(
                        select(Message.text, Coding.start, Coding.end, Message.external_id, Message.id)
                        .select_from(Coding)
                        .join(Message, Message.id == Coding.message_id)
                        .where(Coding.id == coding)
                    ).one()
                    assert redactor.excerpt(mid, text, start, end) == passage["text"]
                    assert message == passage["message_id"]


def test_the_demo_report_in_every_format(demo: Project) -> None:
    demo_db = demo.display
    file = str(ROOT / "codebooks" / "hypoteser.yaml")
    spec = load_hypotheses(Path(file))
    table = run_cli(demo_db, file)
    assert table.exit_code == 0
    assert all(h.id in table.output for h in spec.hypotheses)
    rows = list(csv.DictReader(io.StringIO(run_cli(demo_db, file, "--format", "csv").output)))
    assert len(rows) == len(spec.hypotheses)
    assert all(row["verdict"] in VERDICTS for row in rows)
    # the file is in two languages: the CSV keeps the Norwegian, the Markdown reads in the reader's (English)
    assert [row["statement"] for row in rows] == [h.statement for h in spec.hypotheses]
    assert rows[0]["statement"] == "Der ledelsen eier satsingen, snakkes det også om ressurser."
    markdown = run_cli(demo_db, file, "--format", "md").output
    assert markdown.startswith("# Hypotheses from the KS study of municipalities in social media\n")
    for h in spec.hypotheses:
        assert f"## {h.id}: {h.shown('statement', 'en')}" in markdown
        assert h.statement not in markdown
    assert markdown.count("**Verdict: ") == len(spec.hypotheses)
    assert "Mann-Whitney U test" in markdown
    assert "Spearman's rank correlation" in markdown


def test_min_n_raises_the_minimum_and_the_report_says_so(built: tuple[Project, Path]) -> None:
    project, folder = built
    path = folder / "streng.yaml"
    path.write_text(
        "hypotheses:\n  - id: G\n    statement: s\n    test: group-difference\n    code: ungdom\n"
        "    attribute: topp10\n    unit: case\n    direction: positive\n    min_n: 6\n",
        encoding="utf-8",
    )
    with project.read() as session:
        strict = check_hypotheses(session, load_hypotheses(path))
    (r,) = strict.as_json()
    assert r["verdict"] == "too little data"
    assert r["minimum"]["cases_per_group"] == 6
    assert "5 cases with topp10 = ja and 5 in the rest; the test needs 6 in each" in r["verdict_reason"]
    assert r["counts"]  # the counts are still shown, and the evidence
    assert r["evidence"]["total"] > 0
    assert "Minimum: at least 6 cases in each group." in strict.markdown()


# --- the same verdicts on both backends -----------------------------------------------------------------------------


def checked_everything(project: Project, file: Path) -> dict[str, Any]:
    spec = load_hypotheses(file)
    with project.read() as session:
        found = {}
        for suggested in (False, True):
            report = check_hypotheses(session, spec, scope=Scope.of(include_suggested=suggested))
            found[f"suggested {suggested}"] = (report.as_json(), report.markdown())
    return found


@pytest.mark.postgresql
def test_both_backends_give_the_same_verdicts(builds: Builds, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    file = tmp_path / "hypoteser.yaml"  # one file: the report names it
    file.write_text(HYPOTHESES, encoding="utf-8")
    sqlite, postgresql = (
        checked_everything(builds.get(backend, request), file) for backend in ("sqlite", "postgresql")
    )
    assert sqlite == postgresql


@pytest.mark.postgresql
def test_the_demo_gives_the_same_verdicts_on_both_backends(demo_sqlite: Project, demo_postgresql: Project) -> None:
    file = ROOT / "codebooks" / "hypoteser.yaml"
    sqlite, postgresql = checked_everything(demo_sqlite, file), checked_everything(demo_postgresql, file)
    assert sqlite.keys() == postgresql.keys()
    for key, (results, markdown) in sqlite.items():
        assert postgresql[key][0] == results, key
        assert postgresql[key][1] == markdown, key
