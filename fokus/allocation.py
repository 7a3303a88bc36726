"""Python's cyclic garbage collector, kept out of the way of work that builds millions of small objects.

Tagging holds the Ordbank lexicon (hundreds of thousands of objects) while it makes lists, tuples and dicts for
every token. CPython runs a collection every 700 new containers and, every so often, walks the whole heap, lexicon
included: on 20,000 messages that took more time than the lemmatizer. None of these objects form reference cycles
that need the collector (reference counting frees them), so during such work what is already there is frozen out of
the collector's sight (``gc.freeze``) and collections of young objects run a hundred times less often.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG = 100_000  # new containers between two collections of the youngest generation (CPython's default: 700)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the body with the heap so far frozen and young collections rare; the collector's policy as it was after.

    Everything frozen is let go at the end, whoever froze it: objects that stayed frozen are never searched for cycles
    again, so a closed screen caught in one would live as long as the process.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], YOUNG), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
