"""Where the bundled demo corpus and codebooks are: inside the installed package, or in the checkout."""

from __future__ import annotations

from pathlib import Path

from fokus.errors import FokusError

_PACKAGE = Path(__file__).resolve().parent
DEFAULT_CODEBOOK = "kommune-sosiale-medier.yaml"
DEFAULT_HYPOTHESES = "hypoteser.yaml"


def bundled(name: str) -> Path:
    """The folder ``name`` ("corpus" or "codebooks"): in a wheel it is packed under fokus/bundled/, in a checkout
    (editable install) it is the repository's own folder."""
    for candidate in (_PACKAGE / "bundled" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FokusError(f"the bundled {name!r} folder is missing from this installation", hint="reinstall fokus")


def default_codebook() -> Path:
    return bundled("codebooks") / DEFAULT_CODEBOOK


def default_hypotheses() -> Path:
    """The study's hypotheses, checked in the demo and shown by the TUI unless it is given a file of its own."""
    return bundled("codebooks") / DEFAULT_HYPOTHESES
