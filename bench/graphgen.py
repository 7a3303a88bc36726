"""A generated Graph API group archive of any size, for benchmarks: realistic shapes, deterministic content made
of the demo corpus's own sentences recombined."""

from __future__ import annotations

import json
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

GROUP = "348822158517432"
CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _sentences() -> list[str]:
    """Real sentences from the demo focus group, so generated messages have realistic words and themes."""
    texts: list[str] = []
    for page in sorted((CORPUS / "graph").glob("*.json")):
        for post in json.loads(page.read_text(encoding="utf-8"))["data"]:
            texts.append(post.get("message", ""))
            for comment in post.get("comments", {}).get("data", []):
                texts.append(comment.get("message", ""))
                texts.extend(reply.get("message", "") for reply in comment.get("comments", {}).get("data", []))
    found: list[str] = []
    for text in texts:
        for line in text.splitlines():
            for part in (p.strip() for p in line.split(". ")):
                if len(part) > 3:
                    found.append(part if part[-1] in ".!?…)" or not part[-1].isalnum() else part + ".")
    return found


def _vocabulary(sentences: list[str]) -> list[str]:
    """The corpus's own words, for making generated sentences distinct (see ``noise``)."""
    return sorted({w for s in sentences for w in s.split() if w.isalpha() and len(w) > 3})


def _noisy(rng: random.Random, sentence: str, words: list[str], noise: int) -> str:
    """The sentence with ``noise`` corpus words before its final punctuation: distinct, still Norwegian words."""
    if not noise:
        return sentence
    body, end = (sentence[:-1], sentence[-1]) if sentence[-1] in ".!?" else (sentence, "")
    return " ".join([body, *rng.sample(words, noise)]) + end


def strip_noise(sentence: str, noise: int) -> str:
    """The corpus sentence a noisy one was made from."""
    if not noise:
        return sentence
    body, end = (sentence[:-1], sentence[-1]) if sentence and sentence[-1] in ".!?" else (sentence, "")
    return " ".join(body.split()[:-noise]) + end


def _text(rng: random.Random, sentences: list[str], words: list[str] | None = None, noise: int = 0) -> str:
    return " ".join(_noisy(rng, rng.choice(sentences), words or [], noise) for _ in range(rng.randint(1, 4)))


def _when(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S+0000")


def write_graph_archive(folder: Path, messages: int, *, authors: int = 200, seed: int = 7, noise: int = 0) -> int:
    """Write feed pages of 100 posts into ``folder`` until ``messages`` messages exist; returns the count.

    With ``noise``, every sentence gets that many random corpus words, so sentences repeat no more than in life.
    """
    rng = random.Random(seed)
    sentences = _sentences()
    words = _vocabulary(sentences)
    folder.mkdir(parents=True, exist_ok=True)
    people = [{"id": str(10_000_000 + i), "name": f"Person {i:04d} Nordmann"} for i in range(authors)]
    start = datetime(2013, 1, 14, 8, tzinfo=UTC)
    count = post_no = page_no = 0
    while count < messages:
        posts: list[dict[str, object]] = []
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
                    "message": _text(rng, sentences, words, noise),
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
                            "message": _text(rng, sentences, words, noise),
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
                    "message": _text(rng, sentences, words, noise),
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


def archive(base: Path, messages: int, *, noise: int = 0) -> tuple[Path, int]:
    """The archive of ``messages`` messages in ``base``, written once and then reused: benchmarks that share ``base``
    and ask for the same size read the very same files. Returns the folder and its number of messages."""
    folder = base / f"graph-{messages}-noise{noise}"
    done = base / f"graph-{messages}-noise{noise}.count"  # written last, beside the folder (fokus imports all inside)
    if done.exists():
        return folder, int(done.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    count = write_graph_archive(folder, messages, noise=noise)
    done.write_text(str(count))
    return folder, count


def tagged_project(base: Path, messages: int) -> Path:
    """Where bench/tag.py leaves its project of ``messages`` messages, imported and tagged with the default codebook,
    for bench/tui.py to open instead of building the same project again; ``<folder>/done`` marks it complete."""
    return base / f"tagged-{messages}"
