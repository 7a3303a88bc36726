"""Adding a rule to a YAML codebook as text: the file's own bytes kept, the rule where the file's layout puts it."""

from __future__ import annotations

from pathlib import Path

import pytest

from fokus.errors import FokusError
from fokus.files.codebook import load_codebook
from fokus.files.codebook_edit_yaml import NewRule, add_rules, check_added, read_codebook_text


def edit(tmp_path: Path, text: str, *rules: NewRule) -> str:
    path = tmp_path / "bok.yaml"
    path.write_bytes(text.encode("utf-8"))
    before, spec = read_codebook_text(path)
    after = add_rules(before, spec, list(rules), str(path))
    edited = tmp_path / "ny" / "bok.yaml"
    edited.parent.mkdir(exist_ok=True)
    edited.write_bytes(after.encode("utf-8"))
    check_added(spec, load_codebook(edited), list(rules), str(path))
    return after


def test_indentless_lists_a_last_block_scalar_and_no_final_newline(tmp_path: Path) -> None:
    text = (
        "\ufeffcodes:\n- id: a\n  name: A\n  rules:\n  - id: r1\n    any: [x]\n"
        "- id: b\n  name: B\n  description: |\n    Lang.\n\n  # slutt"
    )
    rules = [
        NewRule("a", {"id": "learnt-1", "any": ["no", "null", "1e3", "æ-ø"], "weight": 0.7}),
        NewRule("b", {"id": "learnt-1", "phrases": ["hente svar"], "weight": 0.5}, "ny"),
    ]
    after = edit(tmp_path, text, *rules)
    assert after == (
        "\ufeffcodes:\n- id: a\n  name: A\n  rules:\n  - id: r1\n    any: [x]\n"
        '  - id: learnt-1\n    any: ["no", "null", "1e3", æ-ø]\n    weight: 0.7\n'
        "- id: b\n  name: B\n  description: |\n    Lang.\n"
        "  rules:\n    # ny\n    - id: learnt-1\n      phrases: [hente svar]\n      weight: 0.5\n"
        "\n  # slutt"
    )


def test_rules_in_flow_style_are_refused(tmp_path: Path) -> None:
    text = "codes:\n  - id: a\n    name: A\n    rules: [{id: r1, any: [x]}]\n"
    with pytest.raises(FokusError) as caught:
        edit(tmp_path, text, NewRule("a", {"id": "learnt-1", "any": ["y"], "weight": 0.6}))
    assert str(caught.value) == (
        f"{tmp_path / 'bok.yaml'}:line 4: the rules of 'a' are written in flow style ([...]); write them as a block"
        " list (one '- id: ...' per rule) to let fokus add one"
    )
