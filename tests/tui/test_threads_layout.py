"""The thread list at 80 columns: the municipality column as wide as the names it shows, the codings counted under a
heading that reads as codings in either language."""

from __future__ import annotations

import pytest

from fokus.i18n import _, pgettext, use
from fokus.tui.screens.threads import ThreadsScreen, headings


def widths(width: int, case_width: int) -> dict[str, int]:
    return dict(ThreadsScreen.layout_columns(width, case_width))


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_the_municipality_column_holds_the_longest_name(lang: str) -> None:
    use(lang)
    heading = len(headings(80)["case"])
    assert widths(80, len("Lillehammer"))["case"] == max(len("Lillehammer"), heading)
    assert widths(80, 40)["case"] == max(14, heading)  # a limit: the thread's title keeps its room
    assert widths(80, 40)["thread"] >= 16
    assert widths(120, 17)["case"] == 17


def test_the_codings_count_is_headed_codings() -> None:
    assert (headings(120)["codings"], headings(80)["codings"]) == ("Codings", "Codes")


def test_norwegian_heads_codings_as_codings_and_accepts_as_godkjenne() -> None:
    use("nb")
    assert widths(80, len("Lillehammer"))["case"] == len("Lillehammer")  # "Kommune" is shorter than the names
    assert (headings(120)["codings"], headings(80)["codings"]) == ("Kodinger", "Kodi.")
    assert (_("Accept"), _("Accept suggestion"), _("Acc."), _("Edit memo")) == (
        "Godkjenn",
        "Godkjenn forslag",
        "Godkj.",
        "Rediger memoet",
    )
    assert pgettext("short column heading", "Codes") == "Kodi."
    assert _("Accepted the suggestion {coding}") == "Godkjente forslaget {coding}"
