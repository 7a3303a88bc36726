#!/usr/bin/env python3
"""Build the demo corpus from the hand-written master files.

Run from the repository root:

    python corpus/source/build.py

Reads corpus/source/threads_a.yaml and threads_b.yaml, corpus/participants.csv and the default codebook
(codebooks/kommune-sosiale-medier.yaml), validates them and writes the export formats described in
corpus/source/README.md: corpus/graph/, corpus/csv/april-mai.csv, corpus/dyi/, corpus/transcripts/ and
corpus/codings.csv. Standard library plus PyYAML; the output is byte-identical from run to run.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io
import json
import re
import shutil
import sys
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "corpus" / "source"
MASTER_FILES = [SOURCE / "threads_a.yaml", SOURCE / "threads_b.yaml"]
PARTICIPANTS = ROOT / "corpus" / "participants.csv"
CODEBOOK = ROOT / "codebooks" / "kommune-sosiale-medier.yaml"
OUT_GRAPH = ROOT / "corpus" / "graph"
OUT_CSV = ROOT / "corpus" / "csv" / "april-mai.csv"
OUT_DYI = ROOT / "corpus" / "dyi"
OUT_TRANSCRIPTS = ROOT / "corpus" / "transcripts"
OUT_CODINGS = ROOT / "corpus" / "codings.csv"

OSLO = ZoneInfo("Europe/Oslo")
UTC = dt.timezone.utc
GROUP_ID = "348822158517432"
GROUP_NAME = "Kommunene i sosiale medier"
GRAPH_VERSION = "v2.3"
PAGE_SIZE = 25
# The Graph archive holds posts created up to 31 March (Oslo) ...
GRAPH_LAST_POST = dt.datetime(2013, 3, 31, 23, 59, 59, tzinfo=OSLO)
# ... with the comments and replies that existed when Facepager harvested the feed.
HARVEST = dt.datetime(2013, 4, 2, 8, 0, tzinfo=OSLO)
CODERS = ("ingrid", "magnus")

# ---------------------------------------------------------------------------------------------------------------
# Data donations: who donated, in which layout, when, and what else their archive holds.
# ---------------------------------------------------------------------------------------------------------------

LAYOUTS = {
    "newest": {
        "posts": "your_facebook_activity/groups/group_posts_and_comments.json",
        "comments": "your_facebook_activity/groups/your_comments_in_groups.json",
        "membership": "your_facebook_activity/groups/your_group_membership_activity.json",
        "membership_key": "groups_joined_v2",
        "profile": "personal_information/profile_information/profile_information.json",
        "profile_key": "profile_v2",
    },
    "middle": {
        "posts": "your_activity_across_facebook/groups/group_posts_and_comments.json",
        "comments": "your_activity_across_facebook/groups/your_comments_in_groups.json",
        "membership": "your_activity_across_facebook/groups/your_group_membership_activity.json",
        "membership_key": "groups_joined_v2",
        "profile": "personal_information/profile_information/profile_information.json",
        "profile_key": "profile_v2",
    },
    "old": {
        "posts": "groups/your_posts_in_groups.json",
        "comments": "groups/your_comments_in_groups.json",
        "membership": "groups/your_groups.json",
        "membership_key": "groups_joined",
        "profile": "profile_information/profile_information.json",
        "profile_key": "profile",
    },
}


@dataclass
class Foreign:
    """A post or comment of a donor in an unrelated group (only in the donation)."""

    kind: str  # "post" | "comment"
    at: str
    group: str
    text: str
    post_author: str = ""  # for comments: whose post it answers
    link: str = ""


@dataclass
class Donor:
    name: str
    pronoun: str  # "her" | "his"
    layout: str
    date: str  # YYYYMMDD of the export
    zipped: bool
    joined: str  # when the donor joined the study group (Oslo time)
    other_groups: list  # (group name, joined at)
    foreign: list
    extra_files: dict = field(default_factory=dict)  # path -> JSON-able object


DONORS = [
    Donor(
        name="Kari Holmen", pronoun="her", layout="newest", date="20130521", zipped=True,
        joined="2013-01-11 14:02",
        other_groups=[("Hagelaget i Bodø", "2011-04-03 19:40"), ("Loppemarked Bodø", "2012-08-19 21:15")],
        foreign=[
            Foreign("post", "2013-02-03 18:22", "Hagelaget i Bodø",
                    "Noen som har erfaring med å så tomater inne allerede nå i februar? Lyset er jo ikke helt på vår side her nord 😅"),
            Foreign("comment", "2013-03-17 20:05", "Hagelaget i Bodø",
                    "Jeg har et par stiklinger av rabarbra til overs hvis noen vil ha. Hent i Mørkved!",
                    post_author="Bente Storvik"),
            Foreign("comment", "2013-04-21 11:40", "Loppemarked Bodø",
                    "Er barnevogna fortsatt til salgs?", post_author="Svein Hansen"),
        ],
        extra_files={"preferences/language_and_locale.json": {
            "language_and_locale_v2": [{"name": "Language Settings", "description": "Your preferred language settings",
                                        "children": [{"name": "Selected Language",
                                                      "entries": [{"data": {"value": "nb_NO"}}]}]}]}},
    ),
    Donor(
        name="Siri Åsland", pronoun="her", layout="newest", date="20130527", zipped=True,
        joined="2013-01-12 09:31",
        other_groups=[("Kristiansand Løpeklubb", "2010-09-12 07:55")],
        foreign=[
            Foreign("post", "2013-01-26 08:10", "Kristiansand Løpeklubb",
                    "Intervalløkt på Odderøya i morgen kl 09. Brodder anbefales, det er speilblankt ved fyret!"),
            Foreign("comment", "2013-03-03 15:48", "Kristiansand Løpeklubb",
                    "Gratulerer med pers! Imponerende i den vinden 💪", post_author="Trine Løvdal"),
            Foreign("post", "2013-04-14 19:02", "Kristiansand Løpeklubb",
                    "Påmeldingen til Sørlandsløpet er åpen nå:",
                    link="https://www.kristiansandlopeklubb.no/sorlandslopet-2013"),
        ],
    ),
    Donor(
        name="Øystein Berg", pronoun="his", layout="middle", date="20130530", zipped=True,
        joined="2013-01-14 10:20",
        other_groups=[("Bodø Skiklubb – foreldregruppe", "2012-01-09 20:11")],
        foreign=[
            Foreign("comment", "2013-02-10 21:30", "Bodø Skiklubb – foreldregruppe",
                    "Jeg kan kjøre til Beiarn på lørdag, har plass til tre og ski på taket.",
                    post_author="Marit Jakobsen"),
            Foreign("comment", "2013-03-12 22:14", "Bodø Skiklubb – foreldregruppe",
                    "Takk til alle som stilte som løypevakter i helga!", post_author="Marit Jakobsen"),
        ],
    ),
    Donor(
        name="Tone Skjærvø", pronoun="her", layout="middle", date="20130603", zipped=True,
        joined="2013-01-13 22:48",
        other_groups=[("Korpsforeldre Levanger", "2011-08-28 18:30")],
        foreign=[
            Foreign("post", "2013-02-20 20:41", "Korpsforeldre Levanger",
                    "Påminnelse: loddsalg for 17. mai starter neste uke. Hver familie får to blokker."),
            Foreign("comment", "2013-04-25 21:03", "Korpsforeldre Levanger",
                    "Vi kan ta kakelotteriet i år ☺️", post_author="Hege Aspås"),
            Foreign("post", "2013-05-15 17:20", "Korpsforeldre Levanger",
                    "Oppmøte på torget kl. 08.15 på fredag. Husk hvite hansker!"),
        ],
    ),
    Donor(
        name="Ragnhild Vik", pronoun="her", layout="old", date="20130606", zipped=True,
        joined="2013-01-14 09:55",
        other_groups=[("Strikkekafé på Voss", "2012-10-02 12:00")],
        foreign=[
            Foreign("post", "2013-02-27 19:15", "Strikkekafé på Voss",
                    "Nokon som har oppskrift på Vossakofta med høg hals? Eg finn ikkje mi att."),
            Foreign("comment", "2013-03-20 20:30", "Strikkekafé på Voss",
                    "Eg kjem på torsdag, tek med kake 🧶", post_author="Liv Dagestad"),
        ],
    ),
    Donor(
        name="Geir Mathisen", pronoun="his", layout="old", date="20130611", zipped=False,
        joined="2013-01-14 11:03",
        other_groups=[("Drammen Båtforening", "2009-05-17 16:44")],
        foreign=[
            Foreign("comment", "2013-01-30 18:52", "Drammen Båtforening",
                    "Jeg har fortsatt ikke fått faktura for vinteropplag, er det flere enn meg?",
                    post_author="Arild Stensrud"),
            Foreign("post", "2013-04-08 19:26", "Drammen Båtforening",
                    "Dugnad på Tangen lørdag 20. april. Vi trenger folk til å male bryggene."),
            Foreign("comment", "2013-05-02 07:45", "Drammen Båtforening",
                    "Takk for innsatsen alle sammen!", post_author="Arild Stensrud"),
        ],
    ),
]


class BuildError(Exception):
    pass


# ---------------------------------------------------------------------------------------------------------------
# Loading and validation
# ---------------------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Message:
    thread: "Thread"
    level: int  # 0 post, 1 comment, 2 reply
    index: int  # position in the thread (post = 0)
    author: str
    at: dt.datetime  # aware, Oslo
    text: str
    reactions: int
    link: str = ""
    coding: list = field(default_factory=list)
    parent: "Message | None" = None
    children: list = field(default_factory=list)
    # ids filled in later
    graph_id: str = ""
    csv_id: str = ""

    def label(self) -> str:
        kind = {0: "post", 1: "comment", 2: "reply"}[self.level]
        return f"thread {self.thread.id}, {kind} #{self.index} ({self.author}, {self.at:%Y-%m-%d %H:%M})"

    @property
    def in_graph(self) -> bool:
        return self.thread.target == "graph" and self.at < HARVEST

    @property
    def in_csv(self) -> bool:
        return self.thread.target == "csv"

    @property
    def in_transcript(self) -> bool:
        return self.thread.target == "transcript"


@dataclass(eq=False)
class Thread:
    id: str
    file: str
    fmt: str
    title: str
    target: str  # graph | csv | transcript
    post: Message = None  # type: ignore[assignment]
    messages: list = field(default_factory=list)  # thread order: post, comment, its replies, next comment...
    number: int = 0


def parse_time(value, where: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        naive = value.replace(tzinfo=None)
    elif isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{4})-(\d\d)-(\d\d)[ T](\d\d?):(\d\d)(?::(\d\d))?\s*", value)
        if not m:
            raise BuildError(f"{where}: cannot read time {value!r} (want YYYY-MM-DD HH:MM)")
        y, mo, d, h, mi, s = (int(x) if x else 0 for x in m.groups())
        naive = dt.datetime(y, mo, d, h, mi, s)
    else:
        raise BuildError(f"{where}: missing or unreadable time {value!r} (want YYYY-MM-DD HH:MM)")
    return naive.replace(tzinfo=OSLO)


def load_participants() -> dict:
    with PARTICIPANTS.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    return {r["navn"].strip(): r for r in rows}


def load_codes() -> set:
    data = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    ids: set = set()

    def walk(codes, prefix=""):
        for c in codes or []:
            path = prefix + c["id"]
            ids.add(path)
            walk(c.get("children"), path + "/")

    walk(data["codes"])
    return ids


def load_threads(participants: dict, codes: set) -> list:
    threads: list = []
    seen: dict = {}
    for path in MASTER_FILES:
        if not path.exists():
            print(f"warning: {path.relative_to(ROOT)} is missing, skipped", file=sys.stderr)
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        items = data.get("threads")
        if not isinstance(items, list):
            raise BuildError(f"{path.name}: no 'threads:' list")
        for raw in items:
            t = read_thread(raw, path.name, participants, codes)
            if t.id in seen:
                raise BuildError(f"thread id {t.id} in {path.name} is already used in {seen[t.id]}")
            seen[t.id] = path.name
            threads.append(t)
    threads.sort(key=lambda t: (t.post.at, t.id))
    return threads


MSG_KEYS = {"author", "at", "text", "reactions", "link", "coding", "comments"}
THREAD_KEYS = MSG_KEYS | {"id", "format", "title"}


def read_thread(raw: dict, fname: str, participants: dict, codes: set) -> Thread:
    if not isinstance(raw, dict) or not raw.get("id"):
        raise BuildError(f"{fname}: a thread without an id: {str(raw)[:80]}")
    tid = str(raw["id"])
    extra = set(raw) - THREAD_KEYS
    if extra:
        raise BuildError(f"thread {tid} ({fname}): unknown keys {sorted(extra)}")
    fmt = raw.get("format", "auto")
    if fmt not in ("auto", "transcript"):
        raise BuildError(f"thread {tid}: format must be auto or transcript, not {fmt!r}")
    thread = Thread(id=tid, file=fname, fmt=fmt, title=str(raw.get("title") or "").strip(), target="")

    def make(node: dict, level: int, parent):
        where = f"thread {tid}, {'post' if level == 0 else ('comment' if level == 1 else 'reply')} #{len(thread.messages)}"
        if not isinstance(node, dict):
            raise BuildError(f"{where}: not a mapping")
        keys = set(node) - (THREAD_KEYS if level == 0 else MSG_KEYS)
        if keys:
            raise BuildError(f"{where}: unknown keys {sorted(keys)}")
        author = str(node.get("author") or "").strip()
        if author not in participants:
            raise BuildError(f"{where}: author {author!r} is not in participants.csv")
        at = parse_time(node.get("at"), where)
        text = node.get("text")
        if not isinstance(text, str) or not text.strip():
            raise BuildError(f"{where} ({author}): empty or missing text")
        reactions = node.get("reactions", 0) or 0
        if not isinstance(reactions, int) or reactions < 0:
            raise BuildError(f"{where} ({author}): reactions must be a whole number >= 0")
        link = str(node.get("link") or "")
        if link and not re.match(r"https?://", link):
            raise BuildError(f"{where} ({author}): link must start with http(s)://")
        msg = Message(thread=thread, level=level, index=len(thread.messages), author=author, at=at,
                      text=text, reactions=reactions, link=link, parent=parent)
        thread.messages.append(msg)
        msg.coding = read_coding(node.get("coding"), msg, codes)
        subs = node.get("comments") or []
        if level == 2 and subs:
            raise BuildError(f"{msg.label()}: replies cannot have replies (one level only)")
        if not isinstance(subs, list):
            raise BuildError(f"{msg.label()}: comments must be a list")
        for sub in subs:
            child = make(sub, level + 1, msg)
            msg.children.append(child)
        return msg

    thread.post = make(raw, 0, None)
    check_times(thread)
    if fmt == "transcript":
        thread.target = "transcript"
    elif thread.post.at <= GRAPH_LAST_POST:
        thread.target = "graph"
    else:
        thread.target = "csv"
    return thread


def read_coding(items, msg: Message, codes: set) -> list:
    if not items:
        return []
    if not isinstance(items, list):
        raise BuildError(f"{msg.label()}: coding must be a list")
    out = []
    for item in items:
        if not isinstance(item, dict) or "s" not in item:
            raise BuildError(f"{msg.label()}: a coding entry without 's'")
        s = item["s"]
        if not isinstance(s, str) or not s:
            raise BuildError(f"{msg.label()}: coding 's' must be a non-empty string")
        n = msg.text.count(s)
        if n != 1:
            raise BuildError(f"{msg.label()}: coded sentence occurs {n} times in the text: {s!r}")
        unknown = set(item) - {"s", *CODERS}
        if unknown:
            raise BuildError(f"{msg.label()}: unknown coder(s) {sorted(unknown)} for {s[:50]!r}")
        entry = {"s": s, "start": msg.text.index(s)}
        for coder in CODERS:
            lst = item.get(coder) or []
            if not isinstance(lst, list):
                raise BuildError(f"{msg.label()}: {coder}'s codes must be a list for {s[:50]!r}")
            for code in lst:
                if code not in codes:
                    raise BuildError(f"{msg.label()}: code {code!r} ({coder}) is not in the codebook")
            if len(set(lst)) != len(lst):
                raise BuildError(f"{msg.label()}: {coder} gives a code twice for {s[:50]!r}")
            entry[coder] = list(lst)
        if not any(entry[c] for c in CODERS):
            raise BuildError(f"{msg.label()}: no coder coded {s[:50]!r}")
        out.append(entry)
    starts = [e["start"] for e in out]
    if len(set(starts)) != len(starts):
        raise BuildError(f"{msg.label()}: the same sentence is coded twice")
    return out


def check_times(thread: Thread) -> None:
    post = thread.post
    last_comment = post.at
    for c in post.children:
        if c.at <= post.at:
            raise BuildError(f"{c.label()}: written before or at the same time as the post")
        if c.at < last_comment:
            raise BuildError(f"{c.label()}: earlier than the comment above it")
        last_comment = c.at
        last_reply = c.at
        for r in c.children:
            if r.at <= c.at:
                raise BuildError(f"{r.label()}: a reply before or at the same time as its comment")
            if r.at < last_reply:
                raise BuildError(f"{r.label()}: earlier than the reply above it")
            last_reply = r.at


def validate_codings(threads: list) -> None:
    for t in threads:
        for m in t.messages:
            if not m.coding:
                continue
            if t.target == "transcript":
                raise BuildError(f"{m.label()}: coded, but the message exists only in a transcript")
            if t.target == "graph" and not m.in_graph:
                raise BuildError(f"{m.label()}: coded, but written after the harvest "
                                 f"({HARVEST:%Y-%m-%d %H:%M}), so only a DYI donation holds it")


# ---------------------------------------------------------------------------------------------------------------
# Ids
# ---------------------------------------------------------------------------------------------------------------


def digest_int(s: str, digits: int) -> int:
    h = int(hashlib.sha1(s.encode("utf-8")).hexdigest(), 16)
    return h % (9 * 10 ** (digits - 1)) + 10 ** (digits - 1)


def person_id(name: str) -> str:
    return "1000" + str(digest_int("person:" + name, 11))


def unix(t: dt.datetime) -> int:
    return int(t.timestamp())


def graph_time(t: dt.datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def cursor(s: str) -> str:
    return base64.urlsafe_b64encode(("fokus-demo:" + s).encode("utf-8")).decode("ascii").rstrip("=")


def assign_ids(threads: list) -> None:
    used: set = set()
    used_ids: set = set()
    for t in threads:
        base = 349000000000000 + (unix(t.post.at) - 1356994800) * 17
        m = re.fullmatch(r"t(\d+)", t.id)
        base += int(m.group(1)) % 17 if m else digest_int(t.id, 2) % 17
        while base in used:
            base += 1
        used.add(base)
        t.number = base
        t.post.graph_id = f"{GROUP_ID}_{base}"
        for m_ in t.messages[1:]:
            cid = 349100000000000 + (unix(m_.at) - 1356994800) * 17 + m_.index % 17
            m_.graph_id = f"{base}_{cid}"
            if m_.graph_id in used_ids:
                raise BuildError(f"{m_.label()}: graph id collision {m_.graph_id}")
            used_ids.add(m_.graph_id)
    n = 0
    for t in threads:
        if t.target != "csv":
            continue
        for m_ in t.messages:
            n += 1
            m_.csv_id = f"am-{n:04d}"


# ---------------------------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------------------------


def write_json(path: Path, obj, ensure_ascii=False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=ensure_ascii, indent=2) + "\n", encoding="utf-8")


def link_title(url: str) -> str:
    from urllib.parse import urlparse

    p = urlparse(url)
    segs = [s for s in p.path.split("/") if s]
    if segs:
        last = re.sub(r"\.(html?|aspx|php|pdf)$", "", segs[-1])
        words = re.sub(r"[-_+]+", " ", last).strip()
        if words and not words.isdigit():
            return words[:1].upper() + words[1:]
    return p.netloc.removeprefix("www.")


def graph_from(m: Message) -> dict:
    return {"id": person_id(m.author), "name": m.author}


def graph_comment(m: Message) -> dict:
    obj = {
        "id": m.graph_id,
        "message": m.text,
        "created_time": graph_time(m.at),
        "from": graph_from(m),
        "like_count": m.reactions,
    }
    replies = [r for r in m.children if r.in_graph]
    if replies:
        obj["comments"] = {"data": [graph_comment(r) for r in replies]}
    return obj


def write_graph(threads: list) -> int:
    if OUT_GRAPH.exists():
        for p in OUT_GRAPH.glob("feed_*.json"):
            p.unlink()
    posts = [t for t in threads if t.target == "graph"]
    posts.sort(key=lambda t: (t.post.at, t.number), reverse=True)
    count = 0
    items = []
    for t in posts:
        p = t.post
        harvested = [m for m in t.messages if m.in_graph]
        count += len(harvested)
        updated = max(m.at for m in harvested)
        obj = {
            "id": p.graph_id,
            "from": graph_from(p),
            "message": p.text,
            "created_time": graph_time(p.at),
            "updated_time": graph_time(updated),
            "permalink_url": f"https://www.facebook.com/groups/{GROUP_ID}/permalink/{t.number}/",
            "type": "link" if p.link else "status",
        }
        if p.link:
            obj["link"] = p.link
            obj["attachments"] = {"data": [{"type": "share", "url": p.link, "title": link_title(p.link)}]}
        obj["reactions"] = {"data": [], "summary": {"total_count": p.reactions}}
        comments = [c for c in p.children if c.in_graph]
        cobj = {"data": [graph_comment(c) for c in comments]}
        if comments:
            cobj["paging"] = {"cursors": {"before": cursor(comments[0].graph_id), "after": cursor(comments[-1].graph_id)}}
        obj["comments"] = cobj
        items.append(obj)
    pages = [items[i:i + PAGE_SIZE] for i in range(0, len(items), PAGE_SIZE)] or [[]]
    for i, page in enumerate(pages, 1):
        doc = {"data": page}
        if page:
            after = cursor(page[-1]["id"])
            doc["paging"] = {"cursors": {"before": cursor(page[0]["id"]), "after": after}}
            if i < len(pages):
                doc["paging"]["next"] = (f"https://graph.facebook.com/{GRAPH_VERSION}/{GROUP_ID}/feed"
                                         f"?limit={PAGE_SIZE}&after={after}")
        write_json(OUT_GRAPH / f"feed_{i:03d}.json", doc)
    return count


def write_csv(threads: list, participants: dict) -> int:
    rows = []
    for t in threads:
        if t.target != "csv":
            continue
        for m in t.messages:
            rows.append([
                m.csv_id,
                t.post.csv_id,
                m.parent.csv_id if m.parent else "",
                m.author,
                m.at.isoformat(timespec="seconds"),
                m.text,
                participants[m.author]["kommune"],
                m.reactions,
            ])
    OUT_CSV.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["id", "thread_id", "parent_id", "author", "created_time", "text", "case", "reactions"])
    w.writerows(rows)
    OUT_CSV.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    return len(rows)


def slugify(s: str) -> str:
    s = s.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")[:60].strip("-") or "trad"


def write_transcripts(threads: list, participants: dict) -> int:
    if OUT_TRANSCRIPTS.exists():
        for p in OUT_TRANSCRIPTS.glob("*.txt"):
            p.unlink()
    count = 0
    used: set = set()
    for t in threads:
        if t.target != "transcript":
            continue
        title = t.title or t.post.text.strip().splitlines()[0][:60]
        slug = slugify(t.title or t.id)
        if slug in used:
            slug = f"{slug}-{t.id}"
        used.add(slug)
        lines = [
            "# Skrevet inn fra skjermbilder av Jon Erik Lunde (moderator) fordi tråden manglet i Graph-høstingen.",
            f"# Tråd {t.id} i «{GROUP_NAME}». Tider er norsk tid. Tomme linjer inne i innlegg er tatt bort.",
            "",
            f"=== Tråd: {title}",
        ]
        for m in t.messages:
            indent = "  " * m.level
            kommune = participants[m.author]["kommune"]
            who = f"{m.author} ({kommune})" if kommune else m.author
            body = [ln.rstrip() for ln in m.text.strip().splitlines() if ln.strip()]
            if m.link and m.link not in m.text:
                body.append(m.link)
            lines.append(f"{indent}[{m.at:%Y-%m-%d %H:%M}] {who}: {body[0]}")
            lines += [indent + ln for ln in body[1:]]
            lines.append("")
            count += 1
        OUT_TRANSCRIPTS.mkdir(parents=True, exist_ok=True)
        (OUT_TRANSCRIPTS / f"{slug}.txt").write_text("\n".join(lines), encoding="utf-8")
    return count


def mojibake(obj):
    if isinstance(obj, str):
        return obj.encode("utf-8").decode("latin-1")
    if isinstance(obj, list):
        return [mojibake(x) for x in obj]
    if isinstance(obj, dict):
        return {mojibake(k): mojibake(v) for k, v in obj.items()}
    return obj


def fb_json(obj) -> bytes:
    return (json.dumps(mojibake(obj), ensure_ascii=True, indent=2) + "\n").encode("ascii")


def donor_slug(name: str) -> str:
    return slugify(name).replace("-", "")


def build_donation(d: Donor, threads: list) -> dict:
    lay = LAYOUTS[d.layout]
    posts, comments = [], []
    count = 0
    for t in threads:
        if t.target == "transcript":
            continue
        for m in t.messages:
            if m.author != d.name:
                continue
            count += 1
            ts = unix(m.at)
            if m.level == 0:
                item = {"timestamp": ts, "title": f"{d.name} posted in {GROUP_NAME}.",
                        "data": [{"post": m.text}, {"update_timestamp": ts}]}
                if m.link:
                    item["attachments"] = [{"data": [{"external_context": {"url": m.link}}]}]
                posts.append(item)
            else:
                target = m.parent.author
                if m.level == 1:
                    title = (f"{d.name} commented on {d.pronoun} own post." if target == d.name
                             else f"{d.name} commented on {target}'s post.")
                else:
                    title = (f"{d.name} replied to {d.pronoun} own comment." if target == d.name
                             else f"{d.name} replied to {target}'s comment.")
                comments.append({"timestamp": ts, "title": title, "data": [{"comment": {
                    "timestamp": ts, "comment": m.text, "author": d.name, "group": GROUP_NAME}}]})
    for f in d.foreign:
        ts = unix(parse_time(f.at, f"donation {d.name}"))
        if f.kind == "post":
            item = {"timestamp": ts, "title": f"{d.name} posted in {f.group}.",
                    "data": [{"post": f.text}, {"update_timestamp": ts}]}
            if f.link:
                item["attachments"] = [{"data": [{"external_context": {"url": f.link}}]}]
            posts.append(item)
        else:
            comments.append({"timestamp": ts, "title": f"{d.name} commented on {f.post_author}'s post.",
                             "data": [{"comment": {"timestamp": ts, "comment": f.text, "author": d.name,
                                                   "group": f.group}}]})
    posts.sort(key=lambda x: x["timestamp"], reverse=True)
    comments.sort(key=lambda x: x["timestamp"], reverse=True)
    joined = [(GROUP_NAME, d.joined)] + list(d.other_groups)
    membership = sorted(
        ({"timestamp": unix(parse_time(at, d.name)), "title": f"You became a member of {g}."} for g, at in joined),
        key=lambda x: x["timestamp"], reverse=True)
    files = {
        lay["posts"]: fb_json({"group_posts_v2": posts}),
        lay["comments"]: fb_json({"group_comments_v2": comments}),
        lay["membership"]: fb_json({lay["membership_key"]: membership}),
        lay["profile"]: fb_json({lay["profile_key"]: {"name": {"full_name": d.name, "first_name": d.name.split()[0],
                                                               "middle_name": "",
                                                               "last_name": " ".join(d.name.split()[1:])}}}),
    }
    for path, obj in d.extra_files.items():
        files[path] = fb_json(obj)
    return {"files": files, "count": count}


def write_dyi(threads: list) -> int:
    OUT_DYI.mkdir(parents=True, exist_ok=True)
    for p in OUT_DYI.glob("facebook-*"):
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink()
    total = 0
    for d in DONORS:
        don = build_donation(d, threads)
        total += don["count"]
        stem = f"facebook-{donor_slug(d.name)}-{d.date}"
        stamp = (int(d.date[:4]), int(d.date[4:6]), int(d.date[6:]), 12, 0, 0)
        if d.zipped:
            with zipfile.ZipFile(OUT_DYI / f"{stem}.zip", "w") as z:
                for path in sorted(don["files"]):
                    info = zipfile.ZipInfo(path, date_time=stamp)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o644 << 16
                    info.create_system = 3
                    z.writestr(info, don["files"][path])
        else:
            for path in sorted(don["files"]):
                target = OUT_DYI / stem / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(don["files"][path])
    return total


def write_codings(threads: list) -> tuple:
    rows = []
    sentences = agree = 0
    per_coder = {c: 0 for c in CODERS}
    # Each coder worked through the threads in order on the workdays of a window in June 2013.
    windows = {"ingrid": (dt.date(2013, 6, 3), dt.date(2013, 6, 21), (7, 30)),
               "magnus": (dt.date(2013, 6, 10), dt.date(2013, 6, 28), (8, 15))}
    totals = {c: sum(1 for t in threads for m in t.messages for e in m.coding if e[c]) for c in CODERS}

    def workdays(first: dt.date, last: dt.date) -> list:
        days, d = [], first
        while d <= last:
            if d.weekday() < 5:
                days.append(d)
            d += dt.timedelta(days=1)
        return days

    def stamp(coder: str, k: int) -> str:
        first, last, (hh, mm) = windows[coder]
        days = workdays(first, last)
        per_day = max(1, -(-totals[coder] // len(days)))
        day, slot = divmod(k, per_day)
        step = max(1, 400 // per_day)
        t = dt.datetime.combine(days[min(day, len(days) - 1)], dt.time(hh, mm), tzinfo=UTC)
        t += dt.timedelta(minutes=slot * step + (k * 7) % 3, seconds=(k * 37) % 60)
        return t.strftime("%Y-%m-%dT%H:%M:%S+00:00")

    for t in threads:
        for m in t.messages:
            mid = m.graph_id if t.target == "graph" else m.csv_id
            for e in sorted(m.coding, key=lambda e: e["start"]):
                sentences += 1
                if set(e["ingrid"]) == set(e["magnus"]):
                    agree += 1
                start, end = e["start"], e["start"] + len(e["s"])
                for coder in CODERS:
                    if not e[coder]:
                        continue
                    when = stamp(coder, per_coder[coder])
                    per_coder[coder] += 1
                    for code in e[coder]:
                        rows.append([mid, t.post.graph_id if t.target == "graph" else t.post.csv_id, code,
                                     start, end, m.text[start:end], coder, "accepted", "human", when])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["message_id", "thread_id", "code", "start", "end", "text", "coder", "status", "origin", "created_at"])
    w.writerows(rows)
    OUT_CODINGS.write_text(buf.getvalue(), encoding="utf-8")
    return sentences, len(rows), agree


# ---------------------------------------------------------------------------------------------------------------


def main() -> int:
    try:
        participants = load_participants()
        codes = load_codes()
        threads = load_threads(participants, codes)
        validate_codings(threads)
        donors = {d.name for d in DONORS}
        missing = donors - set(participants)
        if missing:
            raise BuildError(f"donor(s) not in participants.csv: {sorted(missing)}")
        assign_ids(threads)
    except BuildError as e:
        print(f"build.py: error: {e}", file=sys.stderr)
        return 1
    n_graph = write_graph(threads)
    n_csv = write_csv(threads, participants)
    n_dyi = write_dyi(threads)
    n_tr = write_transcripts(threads, participants)
    sentences, nrows, agree = write_codings(threads)

    all_msgs = [m for t in threads for m in t.messages]
    donors = {d.name for d in DONORS}
    present = [m for m in all_msgs if m.in_graph or m.in_csv or m.in_transcript or m.author in donors]
    lost = [m for m in all_msgs if not (m.in_graph or m.in_csv or m.in_transcript or m.author in donors)]
    speakers = {m.author for m in present}
    kommuner = {participants[a]["kommune"] for a in speakers if participants[a]["kommune"]}
    by_target = {k: sum(1 for t in threads if t.target == k) for k in ("graph", "csv", "transcript")}
    print(f"threads: {len(threads)} (graph {by_target['graph']}, csv {by_target['csv']}, "
          f"transcript {by_target['transcript']})")
    print(f"messages in master files: {len(all_msgs)}")
    print(f"messages per format: graph {n_graph}, csv {n_csv}, dyi {n_dyi} (study group only), transcripts {n_tr}")
    print(f"messages total (unique, in at least one format): {len(present)}"
          + (f"; {len(lost)} written after the harvest by non-donors are in no format" if lost else ""))
    print(f"participants who speak: {len(speakers)}; municipalities who speak: {len(kommuner)}")
    print(f"coded sentences: {sentences}; coding rows: {nrows}; "
          f"exact agreement: {agree}/{sentences} = {agree / sentences if sentences else 0:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
