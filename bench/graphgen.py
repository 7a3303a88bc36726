"""A generated Graph API group archive of any size, for benchmarks: realistic shapes, deterministic content."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

GROUP = "348822158517432"
VOCABULARY = (
    "kommunen svarer innbyggerne på Facebook om brøyting flom beredskap ressurser ledelsen strategi omdømme "
    "høring ungdom Instagram LinkedIn rekruttering kveld helg rådmann ordfører informasjon krise ras strøm vann "
    "kokevarsel dialog tillit bilder turisme sommer vinter skole barnehage sykehjem vei bru buss"
)


_WORDS = VOCABULARY.split()


def _text(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(1, 4)):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(4, 18))]
        sentences.append(" ".join(words).capitalize() + rng.choice([".", ".", "!", "?", " 👍"]))
    return " ".join(sentences)


def _when(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S+0000")


def write_graph_archive(folder: Path, messages: int, *, authors: int = 200, seed: int = 7) -> int:
    """Write feed pages of 100 posts into ``folder`` until ``messages`` messages exist; returns the count."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    people = [{"id": str(10_000_000 + i), "name": f"Person {i:04d} Nordmann"} for i in range(authors)]
    start = datetime(2013, 1, 14, 8, tzinfo=UTC)
    count = post_no = page_no = 0
    while count < messages:
        posts = []
        while len(posts) < 100 and count < messages:
            post_no += 1
            at = start + timedelta(minutes=post_no * 7)
            post_id = f"{GROUP}_{1000 + post_no}"
            comments = []
            count += 1
            for c in range(rng.randint(0, 12)):
                if count >= messages:
                    break
                cat = at + timedelta(minutes=5 * (c + 1))
                comment = {
                    "id": f"{1000 + post_no}_{c + 1}",
                    "message": _text(rng),
                    "created_time": _when(cat),
                    "from": rng.choice(people),
                    "like_count": rng.randint(0, 9),
                }
                count += 1
                replies = []
                for r in range(rng.randint(0, 2)):
                    if count >= messages:
                        break
                    replies.append(
                        {
                            "id": f"{1000 + post_no}_{c + 1}_{r + 1}",
                            "message": _text(rng),
                            "created_time": _when(cat + timedelta(minutes=r + 1)),
                            "from": rng.choice(people),
                        }
                    )
                    count += 1
                if replies:
                    comment["comments"] = {"data": replies}
                comments.append(comment)
            posts.append(
                {
                    "id": post_id,
                    "message": _text(rng),
                    "created_time": _when(at),
                    "updated_time": _when(at),
                    "from": rng.choice(people),
                    "reactions": {"data": [], "summary": {"total_count": rng.randint(0, 40)}},
                    "comments": {"data": comments},
                }
            )
        page_no += 1
        page = {"data": posts, "paging": {"cursors": {"before": "b", "after": "a"}}}
        (folder / f"feed_{page_no:04d}.json").write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    return count
