"""Property tests for the loaders of hand-written files: whatever the bytes, a codebook, a hypothesis file, a codings
file, a case table or a column mapping (``--map file.yaml``) is read into specs that keep their promises, or refused
with a one-line FokusError naming the file; never another exception, never a hang."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fokus.files.cases import read_case_table
from fokus.files.codebook import CODE_ID, MAX_DEPTH, load_codebook
from fokus.files.codings import read_codings
from fokus.files.hypotheses import CODE_PATH, HYPOTHESIS_ID, load_hypotheses
from fokus.importers import FIELDS, parse_mapping
from fokus.importers.limits import MAX_INTEGER, MAX_NAME_CHARS, MAX_TEXT_CHARS
from fokus.importers.times import EARLIEST, LATEST
from tests.importers.strategies import HOSTILE, json_bytes, records_or_error

from .strategies import (
    CODEBOOK_DOCUMENTS,
    HYPOTHESIS_DOCUMENTS,
    YAML_SCALARS,
    case_table_bytes,
    codings_bytes,
    yaml_bytes,
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("loaders")


def storable(spec: Any) -> None:
    """Every text in ``spec`` can be written as UTF-8 (no lone surrogates), as the database and files need."""
    json.dumps(dataclasses.asdict(spec), default=str, ensure_ascii=False).encode("utf-8")


def written(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@HOSTILE
@given(data=st.one_of(yaml_bytes(CODEBOOK_DOCUMENTS), st.binary(max_size=300)))
def test_codebooks(scratch: Path, data: bytes) -> None:
    path = written(scratch, "kodebok.yaml", data)
    spec = records_or_error(lambda: load_codebook(path), str(path))
    if spec is None:
        return
    storable(spec)
    paths = [code.path for code in spec.codes]
    assert len(set(paths)) == len(paths)
    for index, code in enumerate(spec.codes):
        assert code.path.count("/") < MAX_DEPTH
        assert all(CODE_ID.fullmatch(part) for part in code.path.split("/"))
        assert code.parent is None or code.parent in paths[:index]
        assert code.name
        assert len(code.name) <= 200


@HOSTILE
@given(data=st.one_of(yaml_bytes(HYPOTHESIS_DOCUMENTS), st.binary(max_size=300)))
def test_hypothesis_files(scratch: Path, data: bytes) -> None:
    path = written(scratch, "hypoteser.yaml", data)
    spec = records_or_error(lambda: load_hypotheses(path), str(path))
    if spec is None:
        return
    storable(spec)
    assert 0 < spec.alpha < 1
    ids = [h.id for h in spec.hypotheses]
    assert len(set(ids)) == len(ids)
    for h in spec.hypotheses:
        assert HYPOTHESIS_ID.fullmatch(h.id)
        assert all(CODE_PATH.fullmatch(code) for code in h.codes)


@HOSTILE
@given(data=st.one_of(codings_bytes(), st.binary(max_size=300)), suffix=st.sampled_from([".csv", ".json", ".txt"]))
def test_codings_files(scratch: Path, data: bytes, suffix: str) -> None:
    path = written(scratch, f"kodinger{suffix}", data)
    rows = records_or_error(lambda: read_codings(path), str(path))
    for row in rows or ():
        storable(row)
        assert row.message_id
        assert row.code
        assert (row.start is None) == (row.end is None)
        for value in (row.start, row.end):
            assert value is None or 0 <= value <= MAX_TEXT_CHARS
        assert row.confidence is None or 0 <= row.confidence <= 1
        assert row.created_at is None or EARLIEST <= row.created_at < LATEST
        assert len(row.origin) <= 200
        assert row.coder is None or len(row.coder) <= 200


@HOSTILE
@given(data=st.one_of(case_table_bytes(), st.binary(max_size=300)))
def test_case_tables(scratch: Path, data: bytes) -> None:
    path = written(scratch, "kommuner.csv", data)
    table = records_or_error(lambda: read_case_table(path), str(path))
    if table is None:
        return
    storable(table)
    keys = [" ".join(row.name.split()).casefold() for row in table.rows]
    assert len(set(keys)) == len(keys)
    assert all(0 < len(row.name) <= MAX_NAME_CHARS for row in table.rows)
    for row in table.rows:
        for value in row.values.values():
            if isinstance(value, int) and not isinstance(value, bool):
                assert -MAX_INTEGER - 1 <= value <= MAX_INTEGER
            if isinstance(value, float):
                assert math.isfinite(value)


MAPPINGS = st.dictionaries(
    st.sampled_from([*FIELDS, "tekst", "Text", " case "]),
    st.one_of(st.sampled_from(["Innhold", "Page Name", "", " "]), YAML_SCALARS, st.lists(YAML_SCALARS, max_size=2)),
    max_size=5,
)


@HOSTILE
@given(
    data=st.one_of(yaml_bytes(MAPPINGS), json_bytes(MAPPINGS), st.binary(max_size=200)),
    suffix=st.sampled_from([".yaml", ".yml", ".json"]),
)
def test_column_mapping_files(scratch: Path, data: bytes, suffix: str) -> None:
    path = written(scratch, f"kolonner{suffix}", data)
    mapping = records_or_error(lambda: parse_mapping([str(path)]), str(path))
    for field, column in (mapping or {}).items():
        assert field in FIELDS
        assert column
        assert column == column.strip()
