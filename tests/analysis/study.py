"""A small study for the analysis tests: four municipalities, five participants (one linked to no case), threads in
February and March 2013, sentences split by the built-in pipeline, and codings by two researchers and the machine,
planted at random from a seed, so every analysis can be checked against a brute-force count of the same rows."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from spacy.language import Language
from sqlalchemy import select

from fokus.api.cases import import_cases
from fokus.api.codebook import load_codebook
from fokus.api.codings import import_codings
from fokus.api.messages import import_messages
from fokus.api.tagging import tag_messages
from fokus.files.cases import read_case_table
from fokus.files.codebook import load_codebook as read_codebook
from fokus.files.codings import CodingRow
from fokus.model import CodingStatus, Message, Unit
from fokus.store import Project, open_project
from tests.conftest import SMALL_CODEBOOK, parsed, record

CASES = """kommune,fylke,topp10,innbyggertall,andel_unge
Bodø,Nordland,ja,48200,"0,1"
Narvik,Nordland,nei,18500,"2,5"
Voss,Hordaland,ja,14100,"3,7"
Ørsta,Møre og Romsdal,nei,10600,"12,25"
"""
PEOPLE = {"Kari Holmen": "Bodø", "Per Nilsen": "Narvik", "Ragnhild Vik": "Voss", "Siri Åsland": "Ørsta", "Ola": None}
SENTENCES = [
    "Flommen kom i natt.",
    "Vi svarte innbyggerne på Facebook hele helga.",
    "Beredskapsplanen virket godt.",
    "Barnehagen var stengt.",
    "Ordføreren la ut en oppdatering.",
    "Det tok tid å få svar fra etatene.",
]
CODES = ["krise", "krise/flom", "dialog", "gruppe/barn"]


@dataclass(frozen=True)
class Planted:
    message: str
    code: str
    start: int
    end: int
    coder: str
    status: str


def build_study(
    target: str, folder: Path, nlp: Language, *, seed: int = 11, codings: int = 160
) -> tuple[Project, list[Planted]]:
    """The project at ``target`` (a --db target: a new SQLite path or an empty PostgreSQL database) and the codings
    planted in it; ``folder`` holds the codebook and case table it reads."""
    rng = random.Random(seed)
    codebook = folder / "kodebok.yaml"
    codebook.write_text(SMALL_CODEBOOK, encoding="utf-8")
    (folder / "cases.csv").write_text(CASES, encoding="utf-8")
    project = open_project(target, create=True)
    records = []
    # the last thread starts at 23:30 UTC on 28 February: already March in Norway
    starts = [datetime(2013, 2, 4, 9, tzinfo=UTC), datetime(2013, 2, 18, 9, tzinfo=UTC)]
    starts += [datetime(2013, 3, 11, 9, tzinfo=UTC), datetime(2013, 2, 28, 23, 30, tzinfo=UTC)]
    names = list(PEOPLE)
    for t, start in enumerate(starts):
        post = f"t{t}"
        author = names[t % len(names)]
        text = " ".join(rng.sample(SENTENCES, 3))
        records.append(record(post, author, text, when=start, case=PEOPLE[author]))
        for c in range(5):
            author = rng.choice(names)
            text = " ".join(rng.sample(SENTENCES, rng.randint(1, 3)))
            when = start + timedelta(minutes=10 * (c + 1))
            records.append(record(f"{post}c{c}", author, text, when=when, thread=post, case=PEOPLE[author]))
    with project.begin() as session:
        load_codebook(session, read_codebook(codebook))
        import_messages(session, [parsed(*records)])
        import_cases(session, read_case_table(folder / "cases.csv"), "cases.csv")
        tag_messages(session, nlp)
        units = session.execute(select(Message.external_id, Message.text, Unit.start, Unit.end).join(Unit)).all()
    planted: dict[tuple[str, str, int, int, str], Planted] = {}
    while len(planted) < codings:
        message, text, start, end = rng.choice(units)
        if rng.random() < 0.2:  # a span across a sentence boundary, or a few words
            start, end = max(0, start - rng.randint(0, 8)), min(len(text), end + rng.randint(-5, 12))
            if end <= start:
                continue
        coder = rng.choice(["ingrid", "magnus", "fokus"])
        status = CodingStatus.SUGGESTED.value if coder == "fokus" else CodingStatus.ACCEPTED.value
        code = rng.choice(CODES)
        planted[(message, code, start, end, coder)] = Planted(message, code, start, end, coder, status)
    rows = [
        CodingRow(
            p.message,
            p.code,
            p.start,
            p.end,
            None,
            CodingStatus(p.status),
            "rule:x:y" if p.coder == "fokus" else "human",
            0.7 if p.coder == "fokus" else None,
            None if p.coder == "fokus" else p.coder,
            None,
            f"row {i}",
        )
        for i, p in enumerate(planted.values())
    ]
    with project.begin() as session:
        import_codings(session, rows, display="planted")
    return project, list(planted.values())
