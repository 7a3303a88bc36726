"""Frequencies, co-occurrence, the matrix and the passages behind them, checked against brute-force counts."""

from __future__ import annotations

import json
import warnings
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from spacy.language import Language

from fokus.analysis.cooccurrence import cooccurrence, matrix
from fokus.analysis.frame import Scope, load_frame
from fokus.analysis.frequencies import MEASURES, frequencies
from fokus.analysis.passages import passages
from fokus.analysis.units import unit_keys
from fokus.cli import main
from fokus.errors import FokusError
from fokus.nlp import load_pipeline
from fokus.store import Project
from tests.analysis import oracle
from tests.analysis.backends import Builds
from tests.analysis.study import build_study


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline("fokus-nb")


@pytest.fixture(scope="module")
def studies(nlp: Language) -> Iterator[Builds]:
    builds = Builds("study", lambda target, folder: build_study(target, folder, nlp)[0])
    yield builds
    builds.close()


@pytest.fixture(scope="module")
def study(studies: Builds, backend: str, request: pytest.FixtureRequest) -> Project:
    """The study on the module's backend: built once, only read."""
    return studies.get(backend, request)


def brute_frequencies(rows: list[oracle.Row], rollup: bool, split: str | None) -> dict[tuple[str, str], dict[str, int]]:
    sets: dict[tuple[str, str], dict[str, set[object]]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        group = "" if split is None else {"case": row.case or "(ingen kommune)", "month": row.month}[split]
        for code in oracle.ancestors(row.code) if rollup else [row.code]:
            cell = sets[(code, group)]
            cell["codings"].add((row.coding_id, code))
            cell["messages"].add(row.message)
            cell["threads"].add(row.thread)
            cell["participants"].add(row.participant)
            if row.case is not None:
                cell["cases"].add(row.case)
    return {key: {m: len(cell[m]) for m in MEASURES} for key, cell in sets.items()}


@pytest.mark.parametrize("rollup", [True, False])
@pytest.mark.parametrize("split", [None, "case", "month"])
@pytest.mark.parametrize("suggested", [False, True])
def test_frequencies_match_a_brute_force_count(
    study: Project, rollup: bool, split: str | None, suggested: bool
) -> None:
    project = study
    with project.read() as session:
        report = frequencies(session, scope=Scope.of(include_suggested=suggested), rollup=rollup, split=split)
    statuses = ("accepted", "suggested") if suggested else ("accepted",)
    expected = brute_frequencies(oracle.rows(project, statuses), rollup, split)
    found = {(r["code"], r[split] if split else ""): {m: r[m] for m in MEASURES} for r in report.rows()}
    if split is None:  # without a split every code has a row, unused ones with zeros
        assert {code for code, _ in found} >= {code for code, _ in expected}
        found = {key: value for key, value in found.items() if value["codings"]}
    assert found == expected


def test_a_message_late_on_the_last_of_february_counts_for_march_in_norway(study: Project) -> None:
    project = study
    with project.read() as session:
        report = frequencies(session, split="month", rollup=True, scope=Scope.of(include_suggested=True))
    months = {row["month"] for row in report.rows()}
    assert months == {"2013-02", "2013-03"}
    march = sum(r["messages"] for r in report.rows() if r["month"] == "2013-03" and r["level"] == 1)
    assert march > 0
    assert all(r["group_messages"] >= r["messages"] for r in report.rows())


def test_split_by_attribute_and_the_matrix_agree(study: Project) -> None:
    project = study
    with project.read() as session:
        report = frequencies(session, split="topp10")
        grid = matrix(session, "topp10", measure="cases")
    top = {"Bodø": "ja", "Voss": "ja", "Narvik": "nei", "Ørsta": "nei"}
    cases: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in oracle.rows(project):
        for code in oracle.ancestors(row.code):
            if row.case:
                cases[(code, top[row.case])].add(row.case)
    for row in report.rows():
        if row["topp10"] != "(ingen verdi)":
            assert row["cases"] == len(cases[(row["code"], row["topp10"])])
    for code, cells in grid.cells.items():
        for value, count in cells.items():
            assert count == len(cases.get((code, value), set()))
    tidy = grid.tidy()
    assert {"code", "topp10", "cases"} == set(tidy[0])


@pytest.mark.parametrize("level", ["sentence", "message", "thread", "case"])
@pytest.mark.parametrize("rollup", [False, True])
def test_cooccurrence_matches_a_brute_force_count(study: Project, level: str, rollup: bool) -> None:
    project = study
    with project.read() as session:
        report = cooccurrence(session, level=level, rollup=rollup)
    units = oracle.sentences(project)
    present: dict[str, set[object]] = defaultdict(set)
    codings: dict[str, int] = defaultdict(int)
    coded_units: set[object] = set()
    for row in oracle.rows(project):
        for code in oracle.ancestors(row.code) if rollup else [row.code]:
            codings[code] += 1
            for unit in oracle.unit_of(row, level, units):
                present[code].add(unit)
                coded_units.add(unit)
    assert report.units == len(coded_units)
    expected = {}
    for a in present:
        for b in present:
            both = len(present[a] & present[b])
            if a < b and both:
                n_a, n_b = len(present[a]), len(present[b])
                expected[(a, b)] = (n_a, n_b, both, round(both / (n_a + n_b - both), 4))
                expected[(a, b)] += (round(both / (codings[a] + codings[b] - both), 4),)
    found = {}
    for pair in report.rows():
        a, b = sorted((pair["code_a"], pair["code_b"]))
        found[(a, b)] = (pair["n_a"], pair["n_b"], pair["n_ab"], pair["jaccard"], pair["c"])
        if (a, b) != (pair["code_a"], pair["code_b"]):
            found[(a, b)] = (pair["n_b"], pair["n_a"], pair["n_ab"], pair["jaccard"], pair["c"])
    assert found == expected
    assert all(p["c"] <= p["jaccard"] for p in report.rows())  # codings >= units for every code


def test_sentence_units_follow_the_half_overlap_rule(study: Project) -> None:
    project = study
    units = oracle.sentences(project)
    by_id = {row.coding_id: row for row in oracle.rows(project, ("accepted", "suggested"))}
    with project.read() as session:
        frame = load_frame(session, Scope.of(include_suggested=True))
        rows, unit_ids = unit_keys(frame, "sentence")
    found: dict[int, set[int]] = defaultdict(set)
    for r, u in zip(rows.tolist(), unit_ids.tolist(), strict=True):
        found[int(frame.id[r])].add(u)
    expected = {cid: set(oracle.sentence_of(row, units)) for cid, row in by_id.items()}
    assert found == {cid: s for cid, s in expected.items() if s}
    assert any(len(s) > 1 for s in found.values())  # the study has codings across sentence boundaries


def test_passages_are_the_codings_behind_a_cell(study: Project) -> None:
    project = study
    rows = oracle.rows(project)
    with project.read() as session:
        report = passages(session, "krise", case="Bodø", limit=None)
        both = passages(session, "krise/flom", with_code="dialog", level="message", limit=None, rollup=False)
        march = passages(session, "dialog", month="2013-03", limit=None)
    expected = {r.coding_id for r in rows if r.code.startswith("krise") and r.case == "Bodø"}
    assert {p["coding_id"] for p in report.rows()} == expected
    assert report.total == len(expected)
    order = [(p["created_at"], p["message_id"], p["start"], p["coding_id"]) for p in report.rows()]
    assert order == sorted(order)  # oldest first; a span coded twice in coding order, on every backend
    assert all(p["text"] == next(r.text for r in rows if r.coding_id == p["coding_id"]) for p in report.rows())
    with_dialog = {r.message for r in rows if r.code == "dialog"}
    assert {p["coding_id"] for p in both.rows()} == {
        r.coding_id for r in rows if r.code == "krise/flom" and r.message in with_dialog
    }
    assert {p["coding_id"] for p in march.rows()} == {
        r.coding_id for r in rows if r.code == "dialog" and r.month == "2013-03"
    }
    assert "Kari Holmen" not in json.dumps(report.as_json(), ensure_ascii=False)  # pseudonyms only


def test_scope_errors_name_what_is_missing(study: Project) -> None:
    project = study
    with project.read() as session:
        with pytest.raises(FokusError, match="no coder 'nobody'"):
            frequencies(session, scope=Scope.of(coders=["nobody"]))
        with pytest.raises(FokusError, match="code 'nope' is not in the codebook"):
            cooccurrence(session, scope=Scope.of(codes=["nope"]))
        with pytest.raises(FokusError, match="no case attribute 'farge'"):
            frequencies(session, split="farge")
        only = frequencies(session, scope=Scope.of(coders=["ingrid"], codes=["krise"]), rollup=False)
    assert {r["code"] for r in only.rows() if r["codings"]} <= {"krise", "krise/flom"}


def test_sentence_level_refuses_untagged_messages(project: Project) -> None:
    from fokus.api.codings import import_codings
    from fokus.api.messages import import_messages
    from fokus.files.codings import CodingRow
    from fokus.model import CodingStatus
    from tests.conftest import at, parsed, record

    with project.begin() as session:
        import_messages(session, [parsed(record("p1", "Kari", "Flom i natt.", when=at(1)))])
        row = CodingRow("p1", "krise", None, None, None, CodingStatus.ACCEPTED, "human", None, "ingrid", None, "1")
        import_codings(session, [row], display="t")
    with project.read() as session:
        with pytest.raises(FokusError, match="not split into sentences yet"):
            cooccurrence(session, level="sentence")
        assert cooccurrence(session, level="message").units == 1


def run(db: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["--db", db, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_commands_in_every_format(study: Project, tmp_path: Path) -> None:
    db = study.display
    data = json.loads(run(db, "freq", "--by", "case", "--format", "json"))
    assert data["split"] == "case"
    assert data["rows"]
    csv_text = run(db, "freq", "--format", "csv")
    assert csv_text.splitlines()[0] == "code,name,level," + ",".join(MEASURES)
    assert run(db, "freq", "--format", "md").startswith("# Theme frequencies")
    assert "krise" in run(db, "freq")
    pairs = json.loads(run(db, "cooc", "--unit", "sentence", "--format", "json"))
    assert pairs["level"] == "sentence"
    assert pairs["pairs"]
    assert run(db, "matrix", "fylke", "--format", "csv").startswith("code,fylke,messages")
    assert "Nordland" in run(db, "matrix", "fylke", "--format", "md")
    assert "> " in run(db, "passages", "krise", "--attribute", "topp10=ja", "--format", "md")
    for suffix in (".png", ".svg"):
        plot = tmp_path / f"plot{suffix}"
        run(db, "freq", "--by", "topp10", "--plot", str(plot), "-o", str(tmp_path / "f.csv"), "--format", "csv")
        heat = tmp_path / f"heat{suffix}"
        run(db, "cooc", "--plot", str(heat), "--format", "csv", "-o", str(tmp_path / "c.csv"))
        for figure in (plot, heat):
            head = figure.read_bytes()[:8]
            assert head.startswith(b"\x89PNG") if suffix == ".png" else b"<?xml" in figure.read_bytes()[:100]
    bad = CliRunner().invoke(main, ["--db", db, "freq", "--plot", str(tmp_path / "x.pdf")])
    assert bad.exit_code != 0
    assert "png or .svg" in bad.output
    unknown = CliRunner().invoke(main, ["--db", db, "freq", "--by", "farge"])
    assert unknown.exit_code == 1
    assert "no case attribute 'farge'" in unknown.output


def every_figure(project: Project) -> dict[str, Any]:
    """Every report the module checks, as JSON: what a researcher reads, on one backend."""
    found: dict[str, Any] = {}
    with project.read() as session:
        for rollup in (True, False):
            for split in (None, "case", "month", "fylke", "topp10", "innbyggertall", "andel_unge"):
                for suggested in (False, True):
                    scope = Scope.of(include_suggested=suggested)
                    report = frequencies(session, scope=scope, rollup=rollup, split=split)
                    found[f"freq {rollup} {split} {suggested}"] = report.as_json()
            for level in ("sentence", "message", "thread", "case"):
                found[f"cooc {level} {rollup}"] = cooccurrence(session, level=level, rollup=rollup).as_json()
        for attribute in ("fylke", "topp10", "innbyggertall", "andel_unge"):
            for measure in MEASURES:
                found[f"matrix {attribute} {measure}"] = matrix(session, attribute, measure=measure).as_json()
        found["passages krise"] = passages(session, "krise", limit=None).as_json()
        found["passages with"] = passages(session, "krise/flom", with_code="dialog", level="sentence").as_json()
        found["passages march"] = passages(session, "dialog", month="2013-03", limit=None).as_json()
    return found


@pytest.mark.postgresql
def test_both_backends_give_the_same_figures(studies: Builds, request: pytest.FixtureRequest) -> None:
    sqlite, postgresql = (every_figure(studies.get(backend, request)) for backend in ("sqlite", "postgresql"))
    # the typed attributes are read as their types: 12,25 a number, split in numeric order
    groups = list(dict.fromkeys(r["andel_unge"] for r in sqlite["freq True andel_unge False"]["rows"]))
    assert groups == ["0.1", "2.5", "3.7", "12.25", "(ingen verdi)"]
    assert sqlite.keys() == postgresql.keys()
    for key, figures in sqlite.items():
        assert postgresql[key] == figures, key


def test_a_heatmap_of_a_project_without_codings_says_so_without_warnings(project: Project, tmp_path: Path) -> None:
    heat = tmp_path / "heat.svg"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's "singular limits" warning came out on the terminal
        run(project.display, "cooc", "--plot", str(heat))
    assert "nothing co-occurs yet" in heat.read_text()
