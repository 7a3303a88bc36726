"""Agreement from a real project: planted codings by two and three coders, the demo, and the command.

Expected figures come from the plan of what each coder coded, turned into units x coders matrices here and given to
the independent oracles (the `krippendorff` package, scikit-learn), or worked out by hand where that is short.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import cohen_kappa_score
from spacy.language import Language
from sqlalchemy import select

from fokus.analysis.agreement import agreement, disagreements, human_coders
from fokus.analysis.reliability import percent_agreement
from fokus.api.cases import link_participants
from fokus.api.codebook import load_codebook
from fokus.api.codings import import_codings
from fokus.api.messages import import_messages
from fokus.api.tagging import tag_messages
from fokus.cli.agreement import agreement_command
from fokus.errors import FokusError
from fokus.files.codebook import load_codebook as read_codebook
from fokus.files.codings import CodingRow
from fokus.model import CodingStatus, Message, Unit
from fokus.nlp import load_pipeline
from fokus.store import Project, open_project
from tests.analysis.backends import Builds
from tests.conftest import SMALL_CODEBOOK, at, parsed, record

AUTHORS = {"p1": "Kari Holmen", "c1": "Ola Nordmann", "p2": "Per Hansen", "p3": "Kari Holmen"}
TEXTS = {
    "p1": "Flommen kom i natt. Vi svarte alle raskt. Takk for hjelpen i går.",
    "c1": "Kommunen var flink på Facebook. Det var bra gjort.",
    "p2": "Vi svarer på spørsmål hver dag. Det tar tid.",
    "p3": "Ingen har kodet dette. Det er greit.",
}
THREAD = {"p1": "p1", "c1": "p1", "p2": "p2", "p3": "p3"}
CODERS = ("ingrid", "magnus", "sofie")
# what each coder applied, per (message, sentence); a coder not named for a sentence applied nothing there
PLAN: dict[tuple[str, int], dict[str, set[str]]] = {
    ("p1", 0): {"ingrid": {"krise/flom"}, "magnus": {"krise/flom"}, "sofie": {"krise/flom"}},
    ("p1", 1): {"ingrid": {"krise"}, "magnus": {"krise/flom"}, "sofie": {"krise"}},
    ("p1", 2): {"ingrid": {"dialog"}, "sofie": {"dialog"}},
    ("c1", 0): {"magnus": {"dialog"}},
    ("p2", 0): {"ingrid": {"dialog"}, "sofie": {"dialog", "krise"}},
    ("p2", 1): {"ingrid": {"gruppe/barn"}},
}
# what ingrid and magnus disagree on, as planted: (message, sentence, code, applied by)
PLANTED = {
    ("p1", 1, "krise", ("ingrid",)),
    ("p1", 1, "krise/flom", ("magnus",)),
    ("p1", 2, "dialog", ("ingrid",)),
    ("c1", 0, "dialog", ("magnus",)),
}


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline("fokus-nb")


def build_coded(target: str, folder: Path, nlp: Language) -> Project:
    """The planted project: the small codebook, four messages split into sentences, and the plan's codings."""
    records = [
        record(mid, AUTHORS[mid], TEXTS[mid], when=at(1, 10 + i), thread=None if mid == THREAD[mid] else THREAD[mid])
        for i, mid in enumerate(TEXTS)
    ]
    mapping = folder / "kommuner.csv"
    mapping.write_text("name,case\nKari Holmen,Bodø\nOla Nordmann,Førde\n", encoding="utf-8")
    (folder / "kodebok.yaml").write_text(SMALL_CODEBOOK, encoding="utf-8")
    project = open_project(target, create=True)
    with project.begin() as session:
        load_codebook(session, read_codebook(folder / "kodebok.yaml"))
        import_messages(session, [parsed(*records)])
        tag_messages(session, nlp)
        link_participants(session, mapping)
    spans = sentence_spans(project)
    assert [len(spans[mid]) for mid in TEXTS] == [3, 2, 2, 2], "the sentences the plan assumes"

    def row(mid: str, code: str, start: int, end: int, coder: str | None, status: CodingStatus, origin: str) -> Any:
        return CodingRow(mid, code, start, end, None, status, origin, None, coder, None, "test")

    accepted = CodingStatus.ACCEPTED
    rows = [
        row(mid, code, *spans[mid][index], coder, accepted, "human")
        for (mid, index), by_coder in PLAN.items()
        for coder, codes in by_coder.items()
        for code in codes
    ]
    first_start, first_end = spans["p1"][0]
    rows += [
        # the same code again on most of the sentence: still one decision
        row("p1", "krise/flom", first_start, first_start + (first_end - first_start) * 3 // 4, "ingrid", accepted, "h"),
        # not decisions: a rejected coding (ingrid did not work in p3 by it) and a rule's suggestion
        row("p3", "dialog", *spans["p3"][0], "ingrid", CodingStatus.REJECTED, "human"),
        row("c1", "dialog", *spans["c1"][1], None, CodingStatus.SUGGESTED, "rule:dialog:r1"),
    ]
    with project.begin() as session:
        import_codings(session, rows, display="plan")
    return project


@pytest.fixture(scope="module")
def plans(nlp: Language) -> Iterator[Builds]:
    builds = Builds("agreement", lambda target, folder: build_coded(target, folder, nlp))
    yield builds
    builds.close()


@pytest.fixture(scope="module")
def coded(plans: Builds, backend: str, request: pytest.FixtureRequest) -> Project:
    """The planted project on the module's backend: built once, only read."""
    return plans.get(backend, request)


def sentence_spans(project: Project) -> dict[str, list[tuple[int, int]]]:
    with project.read() as session:
        query = select(Message.external_id, Unit.start, Unit.end).join(Message, Unit.message_id == Message.id)
        found: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for mid, start, end in session.execute(query.order_by(Unit.message_id, Unit.position)):
            found[mid].append((start, end))
    return found


def expected_matrices(
    coders: Sequence[str], codes: Sequence[str], *, rollup: bool = False, unit: str = "sentence"
) -> dict[str, np.ndarray[Any, Any]]:
    """Per code, units x coders from the plan: NaN where the coder did nothing in the thread."""
    plan: dict[Any, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for (mid, index), by_coder in PLAN.items():
        for coder, applied in by_coder.items():
            if coder in coders:
                plan[(mid, index) if unit == "sentence" else mid][coder] |= applied
    worked = {(THREAD[key[0] if unit == "sentence" else key], c) for key, by_coder in plan.items() for c in by_coder}
    units = [key for key, by_coder in plan.items() if any(by_coder.values())]

    def value(key: Any, coder: str, code: str) -> float:
        if (THREAD[key[0] if unit == "sentence" else key], coder) not in worked:
            return math.nan
        applied = plan[key][coder]
        return float(any(a == code or (rollup and a.startswith(code + "/")) for a in applied))

    return {code: np.array([[value(k, c, code) for c in coders] for k in units], dtype=float) for code in codes}


def oracle(matrix: np.ndarray[Any, Any]) -> dict[str, Any]:
    pairable = (~np.isnan(matrix)).sum(axis=1) >= 2
    values = matrix[pairable]
    kappa = None
    if matrix.shape[1] == 2 and len(set(values.reshape(-1).tolist())) > 1:
        kappa = cohen_kappa_score(values[:, 0], values[:, 1])
    alpha = None
    if len(set(values[~np.isnan(values)].tolist())) > 1:
        alpha = krippendorff.alpha(reliability_data=matrix.T, level_of_measurement="nominal")
    return {
        "alpha": alpha,
        "kappa": kappa,
        "percent_agreement": percent_agreement(matrix),
        "units": int(pairable.sum()),
    }


def assert_figures(got: dict[str, Any], expected: dict[str, Any]) -> None:
    assert got["units"] == expected["units"]
    for measure in ("alpha", "kappa", "percent_agreement"):
        if expected[measure] is None:
            assert got[measure] is None, measure
        else:
            assert got[measure] == pytest.approx(expected[measure], abs=1e-9), measure


def test_two_coders_per_code_and_overall(coded: Project) -> None:
    with coded.read() as session:
        report = agreement(session, coders=["ingrid", "magnus"])
    data = report.as_json()
    codes = ["krise", "krise/flom", "dialog", "gruppe/barn"]  # as applied, in codebook order
    assert list(data["codes"]) == codes
    matrices = expected_matrices(["ingrid", "magnus"], codes)
    for code, matrix in matrices.items():
        assert_figures(data["codes"][code], oracle(matrix))
    assert_figures(data["overall"], {**oracle(np.vstack(list(matrices.values()))), "units": 4})
    # by hand: krise/flom over the four sentences both worked on is ingrid 1 0 0 0, magnus 1 1 0 0
    flom = data["codes"]["krise/flom"]
    assert flom["units"] == 4  # p1's three sentences and c1's first; p2 is ingrid's alone, c1's second nobody's
    assert flom["percent_agreement"] == pytest.approx(3 / 4)
    assert flom["kappa"] == pytest.approx(0.5)  # p_o = 3/4, p_e = 1/4 * 1/2 + 3/4 * 1/2
    assert flom["alpha"] == pytest.approx(1 - 7 * 2 / (2 * 3 * 5))  # n = 8, one disagreeing unit
    assert data["codes"]["gruppe/barn"]["alpha"] is None  # applied only where magnus was absent: no variation
    assert report.decisions == 4 * len(codes)


def test_three_coders_have_alpha_and_no_kappa(coded: Project) -> None:
    with coded.read() as session:
        report = agreement(session)  # every human coder: the machine "fokus" is not one
        assert human_coders(session) == list(CODERS)
    assert report.coders == list(CODERS)
    data = report.as_json()
    matrices = expected_matrices(CODERS, list(data["codes"]))
    assert set(data["codes"]) == {"krise", "krise/flom", "dialog", "gruppe/barn"}
    for code, matrix in matrices.items():
        assert_figures(data["codes"][code], oracle(matrix))
        assert data["codes"][code]["kappa"] is None
    assert data["codes"]["dialog"]["units"] == 6  # p2's sentences are pairable now: ingrid and sofie worked there
    assert_figures(data["overall"], {**oracle(np.vstack(list(matrices.values()))), "units": 6})
    assert "kappa is for two coders" in report.markdown()


def test_a_listed_parent_includes_its_sub_codes(coded: Project) -> None:
    with coded.read() as session:
        report = agreement(session, coders=["ingrid", "magnus"], codes=["krise", "dialog"])
    data = report.as_json()
    assert list(data["codes"]) == ["krise", "dialog"]
    matrices = expected_matrices(["ingrid", "magnus"], ["krise", "dialog"], rollup=True)
    for code, matrix in matrices.items():
        assert_figures(data["codes"][code], oracle(matrix))
    assert data["codes"]["krise"]["alpha"] == 1.0  # krise or krise/flom: both coders, on the same two sentences
    assert data["codes"]["krise"]["kappa"] == 1.0
    assert "Each code listed includes its sub-codes." in report.markdown()


def test_message_level(coded: Project) -> None:
    with coded.read() as session:
        report = agreement(session, coders=["ingrid", "magnus"], unit="message")
    data = report.as_json()
    matrices = expected_matrices(["ingrid", "magnus"], list(data["codes"]), unit="message")
    for code, matrix in matrices.items():
        assert_figures(data["codes"][code], oracle(matrix))
    assert data["overall"]["units"] == 2  # p1 and c1
    with coded.read() as session:
        listed = disagreements(session, coders=["ingrid", "magnus"], unit="message")
    differing = sum(int(row[0] != row[1]) for m in matrices.values() for row in m if not np.isnan(row).any())
    assert len(listed.items) == differing == 3  # p1: krise and dialog are ingrid's alone; c1: dialog is magnus's
    for item in listed.items:
        assert (item.start, item.end, item.text) == (
            0,
            len(TEXTS[item.message_external_id]),
            TEXTS[item.message_external_id],
        )
        assert item.unit_id == item.message_id


def test_the_json_has_exactly_the_documented_shape(coded: Project) -> None:
    with coded.read() as session:
        data = agreement(session, coders=["ingrid", "magnus"]).as_json()
    assert set(data) == {"codes", "overall"}
    for figures in [*data["codes"].values(), data["overall"]]:
        assert set(figures) == {"alpha", "kappa", "percent_agreement", "units"}
        assert isinstance(figures["units"], int)
        assert all(figures[m] is None or isinstance(figures[m], float) for m in ("alpha", "kappa", "percent_agreement"))
    json.dumps(data, allow_nan=False)  # no NaN sneaks into JSON


def test_the_report_rows_and_markdown(coded: Project) -> None:
    with coded.read() as session:
        report = agreement(session, coders=["ingrid", "magnus"])
    rows = report.rows()
    assert [r["code"] for r in rows] == [*report.as_json()["codes"], "overall"]
    assert report.columns() == ["code", "alpha", "kappa", "percent_agreement", "units"]
    text = report.markdown()
    assert "| gruppe/barn |" in text
    assert "Alpha is undefined (blank) for gruppe/barn" in text
    assert "ingrid and magnus" in report.title


def test_the_disagreements_are_exactly_the_planted_ones(coded: Project) -> None:
    spans = sentence_spans(coded)
    with coded.read() as session:
        report = disagreements(session, coders=["ingrid", "magnus"])
        message_ids = dict(session.execute(select(Message.external_id, Message.id)).all())
    found = set()
    for item in report.items:
        index = spans[item.message_external_id].index((item.start, item.end))
        found.add((item.message_external_id, index, item.code, item.applied_by))
        assert item.text == TEXTS[item.message_external_id][item.start : item.end]
        assert item.message_id == message_ids[item.message_external_id]  # the internal id, for the TUI
        assert item.thread_external_id == THREAD[item.message_external_id]
        others = {"ingrid", "magnus"} - set(item.applied_by)
        assert set(item.not_applied_by) == others
        assert item.absent == ()
    assert found == PLANTED
    cases = {item.message_external_id: item.case for item in report.items}
    assert cases == {"p1": "Bodø", "c1": "Førde"}
    everything = json.dumps(report.as_json(), ensure_ascii=False) + report.markdown()
    assert not any(name in everything for name in AUTHORS.values())  # pseudonyms only
    assert all(item.participant.startswith("Deltaker") for item in report.items)
    in_order = [item.message_external_id for item in report.items]
    assert in_order == sorted(in_order, key=list(TEXTS).index)  # reading order


def test_disagreements_with_three_coders_name_the_absent(coded: Project) -> None:
    with coded.read() as session:
        report = disagreements(session)
    krise_p2 = [item for item in report.items if item.message_external_id == "p2" and item.code == "krise"]
    assert len(krise_p2) == 1
    assert krise_p2[0].applied_by == ("sofie",)
    assert krise_p2[0].not_applied_by == ("ingrid",)
    assert krise_p2[0].absent == ("magnus",)
    assert "absent" in report.columns()
    # every listed decision really differs among the coders present, and every such decision is listed
    matrices = expected_matrices(CODERS, ["krise", "krise/flom", "dialog", "gruppe/barn"])
    differing = sum(int(len(set(row[~np.isnan(row)].tolist())) > 1) for matrix in matrices.values() for row in matrix)
    assert len(report.items) == differing


def test_a_code_with_a_parent_listed_lists_its_disagreements_rolled_up(coded: Project) -> None:
    with coded.read() as session:
        report = disagreements(session, coders=["ingrid", "magnus"], codes=["krise"])
    assert report.items == []
    assert "agree on every sentence" in report.markdown()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"coders": ["ingrid"]}, "at least two coders"),
        ({"coders": ["ingrid", "nobody"]}, "no coder 'nobody'"),
        ({"coders": ["ingrid", "fokus"]}, "has no accepted codings"),
        ({"codes": ["nothing"]}, "code 'nothing' is not in the codebook"),
        ({"unit": "thread"}, "unknown unit 'thread'"),
    ],
)
def test_errors_a_user_can_fix(coded: Project, kwargs: dict[str, Any], message: str) -> None:
    with coded.read() as session, pytest.raises(FokusError, match=message):
        agreement(session, **kwargs)


def test_one_human_coder_is_not_enough(project: Project) -> None:
    with project.begin() as session:
        import_messages(session, [parsed(record("m1", "Kari Holmen", "Flommen kom.", when=at(1)))])
        import_codings(
            session,
            [CodingRow("m1", "krise", None, None, None, CodingStatus.ACCEPTED, "human", None, "ingrid", None, "t")],
            display="t",
        )
    with project.read() as session, pytest.raises(FokusError, match="found ingrid") as caught:
        agreement(session)
    assert caught.value.hint is not None
    assert "--coders" in caught.value.hint


# the command


def invoke(db: str, *args: str) -> Any:
    return CliRunner().invoke(agreement_command, list(args), obj={"db": db, "debug": False})


def test_the_command_in_every_format(coded: Project, tmp_path: Path) -> None:
    db = coded.display
    with coded.read() as session:
        expected = agreement(session, coders=["ingrid", "magnus"]).as_json()
    result = invoke(db, "--coders", "ingrid, magnus", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == expected
    result = invoke(db, "--coders", "ingrid,magnus", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["code"] for r in rows] == [*expected["codes"], "overall"]
    assert rows[1]["code"] == "krise/flom"
    assert float(rows[1]["kappa"]) == pytest.approx(0.5)
    assert rows[-1]["units"] == "4"
    result = invoke(db, "--coders", "ingrid,magnus", "--format", "md")
    assert result.output.startswith("# Inter-coder agreement")
    result = invoke(db, "--coders", "ingrid,magnus")
    assert "krise/flom" in result.output
    assert "overall" in result.output
    target = tmp_path / "agreement.md"
    result = invoke(db, "--format", "md", "-o", str(target))
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("# Inter-coder agreement: ingrid, magnus and sofie")


def test_the_command_lists_disagreements(coded: Project) -> None:
    db = coded.display
    result = invoke(db, "--coders", "ingrid,magnus", "--disagreements", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == len(PLANTED)
    assert {(r["message_id"], r["code"], r["applied_by"]) for r in rows} == {
        (mid, code, ", ".join(who)) for mid, _index, code, who in PLANTED
    }
    result = invoke(db, "--coders", "ingrid,magnus", "--disagreements", "--format", "json", "--codes", "dialog")
    listed = json.loads(result.output)["disagreements"]
    assert {(d["message_id"], tuple(d["applied_by"])) for d in listed} == {("p1", ("ingrid",)), ("c1", ("magnus",))}
    for fmt in ("table", "md"):
        assert invoke(db, "--disagreements", "--format", fmt).exit_code == 0


def test_the_command_raises_what_the_group_prints(coded: Project) -> None:
    result = invoke(coded.display, "--coders", "ingrid")
    assert isinstance(result.exception, FokusError)
    assert "Example" in (agreement_command.help or "")


# the demo, against an independent computation from the codings export


def sentences_of(spans: list[tuple[int, int, int]], start: int, end: int) -> list[int]:
    """The sentences a coding belongs to, by the rule fokus.analysis.units documents, written out plainly."""
    overlapping = [
        (uid, min(e, end) - max(s, start), min(e - s, end - start)) for uid, s, e in spans if s < end and e > start
    ]
    half = [uid for uid, overlap, shorter in overlapping if overlap * 2 >= shorter]
    if half:
        return half
    return [max(overlapping, key=lambda item: item[1])[0]] if overlapping else []


def test_the_demo_against_the_codings_export(demo: Project) -> None:
    from tests.test_cli import fokus

    demo_db = demo.display
    result = invoke(demo_db, "--format", "json")  # the default: both human coders
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data == json.loads(invoke(demo_db, "--coders", "magnus,ingrid", "--format", "json").output)
    assert len(data["codes"]) >= 20
    for figures in data["codes"].values():
        assert -1 <= figures["alpha"] <= 1
        assert -1 <= figures["kappa"] <= 1
        assert 0 <= figures["percent_agreement"] <= 1

    coders = ("ingrid", "magnus")
    exported = json.loads(fokus("--db", demo_db, "codings", "export", "--format", "json"))
    rows = [r for r in exported if r["coder"] in coders and r["status"] == "accepted"]
    spans: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    with demo.read() as session:
        query = select(Message.external_id, Unit.id, Unit.start, Unit.end).join(Message, Message.id == Unit.message_id)
        for mid, uid, start, end in session.execute(query):
            spans[mid].append((uid, start, end))
    worked = {(r["thread_id"], r["coder"]) for r in rows}
    applied: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    thread_of: dict[int, str] = {}
    for r in rows:
        for uid in sentences_of(spans[r["message_id"]], r["start"], r["end"]):
            applied[uid][r["coder"]].add(r["code"])
            thread_of[uid] = r["thread_id"]
    codes = sorted({r["code"] for r in rows})
    assert sorted(data["codes"]) == codes
    matrices = {
        code: np.array(
            [
                [float(code in applied[uid][c]) if (thread_of[uid], c) in worked else math.nan for c in coders]
                for uid in sorted(applied)
            ]
        )
        for code in codes
    }
    pairable = int((~np.isnan(matrices[codes[0]])).all(axis=1).sum())
    assert pairable > 500
    assert_figures(data["overall"], {**oracle(np.vstack(list(matrices.values()))), "units": pairable})
    for code in codes:
        assert_figures(data["codes"][code], oracle(matrices[code]))

    listed = json.loads(invoke(demo_db, "--coders", "ingrid,magnus", "--disagreements", "--format", "json").output)
    differing = sum(int(row[0] != row[1]) for m in matrices.values() for row in m if not np.isnan(row).any())
    assert len(listed["disagreements"]) == differing > 0


# the same figures on both backends


def every_report(project: Project) -> dict[str, Any]:
    found: dict[str, Any] = {}
    with project.read() as session:
        coders = human_coders(session)
        found["coders"] = coders
        for unit in ("sentence", "message"):
            for chosen in (coders[:2], coders):
                key = f"{unit} {','.join(chosen)}"
                report = agreement(session, coders=chosen, unit=unit)
                found[f"agreement {key}"] = (report.title, report.as_json(), report.markdown())
                listed = disagreements(session, coders=chosen, unit=unit)
                found[f"disagreements {key}"] = (listed.as_json(), listed.markdown())
    return found


@pytest.mark.postgresql
def test_both_backends_give_the_same_figures(plans: Builds, request: pytest.FixtureRequest) -> None:
    sqlite, postgresql = (every_report(plans.get(backend, request)) for backend in ("sqlite", "postgresql"))
    assert sqlite == postgresql


@pytest.mark.postgresql
def test_the_demo_gives_the_same_figures_on_both_backends(demo_sqlite: Project, demo_postgresql: Project) -> None:
    sqlite, postgresql = every_report(demo_sqlite), every_report(demo_postgresql)
    assert sqlite.keys() == postgresql.keys()
    for key, figures in sqlite.items():
        assert postgresql[key] == figures, key


def test_coders_come_in_the_same_order_whatever_the_database_collation(
    nlp: Language, collated_db: str, tmp_path: Path
) -> None:
    """On PostgreSQL the database is Norwegian-collated, where "Magnus" sorts after "ingrid" and "Åse" last: the
    coders still come in SQLite's order (by code point), so the report's columns and title are the same."""
    names = ["Åse", "ingrid", "Magnus", "Øystein"]
    project = open_project(collated_db, create=True)
    try:
        (tmp_path / "kodebok.yaml").write_text(SMALL_CODEBOOK, encoding="utf-8")
        with project.begin() as session:
            load_codebook(session, read_codebook(tmp_path / "kodebok.yaml"))
            import_messages(session, [parsed(record("m1", "Kari Holmen", TEXTS["p1"], when=at(1)))])
            tag_messages(session, nlp)
            rows = [
                CodingRow("m1", "krise", None, None, None, CodingStatus.ACCEPTED, "human", None, name, None, name)
                for name in names
            ]
            import_codings(session, rows, display="t")
        with project.read() as session:
            assert human_coders(session) == sorted(names) == ["Magnus", "ingrid", "Åse", "Øystein"]
            assert agreement(session).coders == sorted(names)
    finally:
        project.close()
