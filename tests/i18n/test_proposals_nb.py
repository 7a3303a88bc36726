"""The rule proposals' line when no trigger is good enough reads in Norwegian word order: "3 eller flere til"."""

from __future__ import annotations

from fokus.i18n import ngettext, use

NONE_FOUND = (
    "{code}: {accepted} accepted sentence, the rules catch {caught}. No trigger catches at least"
    " {support} more with precision {precision} or higher.",
    "{code}: {accepted} accepted sentences, the rules catch {caught}. No trigger catches at least"
    " {support} more with precision {precision} or higher.",
)


def test_no_trigger_good_enough_in_norwegian_word_order() -> None:
    use("nb")
    line = ngettext(*NONE_FOUND, 12).format(code="dialog", accepted=12, caught=4, support=3, precision="0,6")
    assert line.endswith("Ingen utløser fanger 3 eller flere til med presisjon 0,6 eller mer.")
    assert "godkjente setninger" in line
