"""The review card and the codes panel say where a suggestion comes from and how sure it is as the language writes
numbers: "rule 0.90" in English, "regel 0,90" in Norwegian, the rule's id after it on the card."""

from __future__ import annotations

from fokus.api.review import ReviewItem
from fokus.i18n import _, use
from fokus.tui.screens.review import ORDER_NAMES, render_item
from fokus.tui.widgets.codes_panel import origin_phrase


def item(**changes: object) -> ReviewItem:
    fields: dict[str, object] = {
        "coding_id": 1,
        "message_id": 1,
        "external_id": "m1",
        "thread_id": 1,
        "code": "ungdom",
        "name": "Ungdom",
        "color": None,
        "start": 0,
        "end": 5,
        "sentence": "Unge folk",
        "context": "Unge folk bruker Snapchat.",
        "participant": "Deltaker 01",
        "case": "Bodø",
        "confidence": 0.9,
        "origin": "rule:ungdom:ungdom",
        "matched": ((0, 4),),
    }
    fields.update(changes)
    return ReviewItem(**fields)  # type: ignore[arg-type]


def test_the_card_names_the_origin_as_the_codes_panel_does() -> None:
    card = render_item(item()).plain
    assert "rule 0.90 (ungdom:ungdom)  ·  Deltaker 01 (Bodø)" in card
    assert "rule:ungdom" not in card
    combined = render_item(item(confidence=0.95, rules=0.9, model=0.64)).plain
    assert "rule 0.95 (ungdom:ungdom) (rules 0.90, model 0.64)" in combined
    assert origin_phrase("rule:ungdom:ungdom", 0.9) == "rule 0.90"
    assert origin_phrase("model:tfidf", None) == "model"


def test_norwegian_writes_a_decimal_comma() -> None:
    use("nb")
    assert origin_phrase("rule:ungdom:ungdom", 0.9) == f"{_('rule')} 0,90"
    assert "0,90 (ungdom:ungdom)" in render_item(item()).plain


def test_the_orders_read_alike() -> None:
    assert [ORDER_NAMES[key] for key in ("confidence", "code", "thread", "uncertain")] == [
        "surest first",
        "by code",
        "by thread",
        "most uncertain first",
    ]
