"""What people read in the analyses' tables: headings in words (CSV and JSON keep the keys), and an interval whose
two numbers read as two in either language."""

from __future__ import annotations

from fokus.analysis.report import Figure, Phrase, heading
from fokus.i18n import use


def test_headings_are_words_not_csv_keys() -> None:
    shown = {key: heading(key) for key in ("p_adjusted", "percent_agreement", "code_a", "n_municipalities", "c")}
    assert shown == {
        "p_adjusted": "adjusted p",
        "percent_agreement": "% agreement",
        "code_a": "code A",
        "n_municipalities": "# municipalities",
        "c": "c (ATLAS.ti)",
    }
    assert heading("share_of_messages") == "share of messages"
    assert heading("n_ab") == "n_ab"  # statistical notation, as it is


def odds_ratio() -> Phrase:
    figures = {key: Figure(value, "2f") for key, value in (("estimate", 55.97), ("low", 5.63), ("high", 2959.51))}
    return Phrase("{name} {estimate} [{low}, {high}]", name="OR", **figures)


def test_an_interval_in_english_has_no_thousands_comma() -> None:
    assert odds_ratio().shown() == "OR 55.97 [5.63, 2959.51]"
    assert str(odds_ratio()) == "OR 55.97 [5.63, 2959.51]"
    wide = Phrase(
        "{estimate} ({low} to {high})", estimate=Figure(1234.5, "2f"), low=Figure(1, "2f"), high=Figure(2959.5, "2f")
    )
    assert wide.shown() == "1,234.50 (1.00 to 2,959.50)"  # no comma parts the ends: grouped as ever


def test_norwegian_intervals_are_grouped_and_parted_by_a_semicolon() -> None:
    use("nb")
    assert odds_ratio().shown() == "OR 55,97 [5,63; 2\u00a0959,51]"
