"""Names in running text are joined as the reader's language joins them."""

from __future__ import annotations

from fokus.i18n import formats, use


def test_names_are_joined_with_and_or_og() -> None:
    assert formats.listing([]) == ""
    assert formats.listing(["ingrid"]) == "ingrid"
    assert formats.listing(["ingrid", "magnus"]) == "ingrid and magnus"
    assert formats.listing(["a", "b", "c"]) == "a, b and c"
    use("nb")
    assert formats.listing(["ingrid", "magnus"]) == "ingrid og magnus"
    assert formats.listing(["a", "b", "c"]) == "a, b og c"
