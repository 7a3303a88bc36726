"""The project's codebook written as a REFI-QDA codebook (``.qdc``), with the GUIDs other tools know its codes by."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.api.codebook import codebook_rows
from fokus.exchange.guids import Guids
from fokus.exchange.qdc import write_qdc
from fokus.model import Code


def export_codebook(session: Session, out: Path | BinaryIO) -> int:
    """Write the codebook to ``out`` and return how many codes it holds.

    A code keeps the GUID it was imported with (or gets one now, saved in the project), so that a codebook sent to
    NVivo or ATLAS.ti and back names the same codes; that is why this writes in a transaction, not a read.
    """
    guids = Guids(session)
    ids = dict(session.execute(select(Code.path, Code.id)).all())
    rows = codebook_rows(session)
    write_qdc(rows, out, guid_of=lambda path: guids.get("code", ids[path]))
    guids.save()
    return len(rows)
