"""Textual's ``Header``, which lets go of the app when its screen closes.

Textual's header watches the app's and its screen's title (``self.watch(self.app, "title", ...)``), and Textual
forgets such a watcher only when the title changes again (Textual issue #6666), which in fokus it never does. So
every thread opened and closed kept its header alive, with its children and their painted lines: some 6,000 objects
a thread, and each full garbage collection (which visits them all) took longer the longer a researcher worked, up to
a third of a second on a busy machine, felt as a stall when opening a thread. This header removes its watchers when
it is removed (those on its own screen go with the screen).
"""

from __future__ import annotations

from textual.widgets import Header as TextualHeader

#: Where Textual keeps the watchers others set on an object (``textual.reactive._watch``).
WATCHERS = "__watchers"


class Header(TextualHeader):
    def on_unmount(self) -> None:
        for watchers in getattr(self.app, WATCHERS, {}).values():
            watchers[:] = [(node, callback) for node, callback in watchers if node is not self]
