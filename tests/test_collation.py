"""Names in Norwegian order on every backend (fokus.domain.collation), not in the order of SQL's ORDER BY."""

from __future__ import annotations

from fokus.api.browse import filter_options
from fokus.api.cases import import_cases
from fokus.domain.collation import norwegian
from fokus.files.cases import read_case_table
from fokus.store import Project

NAMES = ["Ålesund", "Ørsta", "Oslo", "Bærum", "bodø", "Aremark", "Écija", "Eid"]


def test_the_key_sorts_as_the_norwegian_alphabet() -> None:
    assert sorted(NAMES, key=norwegian) == ["Aremark", "bodø", "Bærum", "Écija", "Eid", "Oslo", "Ørsta", "Ålesund"]
    assert sorted(["b", "B"], key=norwegian) == ["B", "b"]  # a total order: ties broken by the text itself


def test_case_lists_come_out_in_norwegian_order_on_both_backends(project: Project, tmp_path) -> None:  # type: ignore[no-untyped-def]
    table = tmp_path / "cases.csv"
    table.write_text("kommune,innbyggere\n" + "".join(f"{name},{i}\n" for i, name in enumerate(NAMES)), "utf-8")
    with project.begin() as session:
        import_cases(session, read_case_table(table), str(table))
    with project.read() as session:
        shown = filter_options(session)["cases"]
    assert shown == sorted(NAMES, key=norwegian)
