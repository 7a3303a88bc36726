"""Compiles the translators' `.po` catalogues into the `.mo` files gettext reads, inside the wheel only.

Why at build time: compiled catalogues are build products, so the repository keeps only the `.po` sources; a checkout
compiles them in memory when a language is used (fokus/i18n/catalogues.py), a wheel carries them ready.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CataloguesHook(BuildHookInterface):  # type: ignore[type-arg]
    """Adds fokus/locale/<lang>/LC_MESSAGES/fokus.mo to the wheel for every fokus.po beside it."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        out = Path(tempfile.mkdtemp(prefix="fokus-mo-"))
        for po in sorted(Path(self.root, "fokus", "locale").glob("*/LC_MESSAGES/fokus.po")):
            relative = po.relative_to(self.root).with_suffix(".mo")
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source, target.open("wb") as compiled:
                write_mo(compiled, read_po(source, abort_invalid=True), use_fuzzy=False)
            build_data["force_include"][str(target)] = str(relative)
