"""Small builders for test inputs: Facebook's mojibake, DYI entries, zips."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path
from typing import Any


def fb(text: str) -> str:
    """Text as Facebook's DYI writes it: UTF-8 bytes read as Latin-1 ("på" -> "pÃ¥")."""
    return text.encode("utf-8").decode("latin-1")


def dump(doc: Any) -> bytes:
    """JSON bytes with \\u escapes, as Facebook writes them."""
    return json.dumps(doc, indent=2, ensure_ascii=True).encode("ascii")


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def many_empty_members(path: Path, count: int) -> Path:
    """A valid zip of ``count`` empty members all named "a", as small as a zip can be (78 bytes each), written with
    struct: zipfile takes a second per 100,000 members to write them, and warns about every duplicate name."""
    name = b"a"
    local = struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0) + name
    entries = (
        struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0, 0, 0, 0, 0, i * len(local))
        + name
        for i in range(count)
    )
    directory = b"".join(entries)
    shown = min(count, 0xFFFF)  # without Zip64 the end record cannot count further: zipfile does not need it to
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, shown, shown, len(directory), count * len(local), 0)
    path.write_bytes(local * count + directory + end)
    return path


def write_tree(root: Path, members: dict[str, bytes]) -> Path:
    for name, data in members.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


GROUP = "Kommunene i sosiale medier"
OWNER = "Øystein Berg"

# 2013-02-19 09:15:00 UTC (10:15 in Oslo)
T_POST = 1361265300


def dyi_posts() -> dict[str, Any]:
    """A posts file: a post, a shared link without text, a bare photo, a post with an untitled entry."""
    return {
        "group_posts_v2": [
            {
                "timestamp": T_POST,
                "title": fb(f"{OWNER} posted in {GROUP}."),
                "data": [{"post": fb("Vi svarer på alt 😊")}, {"update_timestamp": T_POST + 3600}],
            },
            {
                "timestamp": T_POST + 60,
                "title": fb(f"{OWNER} shared a link in {GROUP}."),
                "attachments": [{"data": [{"external_context": {"url": "https://www.ks.no/rapport", "name": "KS"}}]}],
            },
            {
                "timestamp": T_POST + 120,
                "title": fb(f"{OWNER} posted in {GROUP}."),
                "attachments": [{"data": [{"media": {"uri": "photos_and_videos/album/1.jpg", "title": ""}}]}],
            },
            {"timestamp": T_POST + 180, "data": [{"post": fb("Uten tittel, men med tekst")}]},
        ]
    }


def dyi_comments() -> dict[str, Any]:
    """A comments file: a comment, a reply, a comment on the owner's own post."""
    return {
        "group_comments_v2": [
            {
                "timestamp": T_POST + 600,
                "title": fb(f"{OWNER} commented on Kari Holmen's post."),
                "data": [
                    {
                        "comment": {
                            "timestamp": T_POST + 600,
                            "comment": fb("Enig – Bodø gjør dette bra!"),
                            "author": fb(OWNER),
                            "group": fb(GROUP),
                        }
                    }
                ],
            },
            {
                "timestamp": T_POST + 900,
                "title": fb(f"{OWNER} replied to Ragnhild Vik's comment."),
                "data": [
                    {"comment": {"timestamp": T_POST + 900, "comment": "Takk!", "author": fb(OWNER), "group": GROUP}}
                ],
            },
            {
                "timestamp": T_POST + 1200,
                "title": fb(f"{OWNER} commented on his own post."),
                "data": [
                    {"comment": {"timestamp": T_POST + 1200, "comment": "PS", "author": fb(OWNER), "group": GROUP}}
                ],
            },
        ]
    }


MEMBERSHIP = {"groups_joined_v2": [{"timestamp": T_POST - 86400, "title": fb(f"{OWNER} became a member of {GROUP}.")}]}

LAYOUTS = {
    "newest": ("your_facebook_activity/groups/", "group_posts_and_comments.json"),
    "middle": ("your_activity_across_facebook/groups/", "your_posts_in_groups.json"),
    "oldest": ("groups/", "your_posts_in_groups.json"),
}


def dyi_archive(layout: str, *, wrapper: str = "") -> dict[str, bytes]:
    """The members of a DYI archive in one of the three layouts, with membership and unrelated files."""
    folder, posts_name = LAYOUTS[layout]
    folder = wrapper + folder
    return {
        folder + posts_name: dump(dyi_posts()),
        folder + "your_comments_in_groups.json": dump(dyi_comments()),
        folder + "your_group_membership_activity.json": dump(MEMBERSHIP),
        folder + "your_groups.json": dump({"groups_admined_v2": []}),
        wrapper + "messages/inbox/kari_1/message_1.json": dump({"messages": []}),
        wrapper + "photos_and_videos/album/1.jpg": b"\xff\xd8\xff\xe0 not really a jpeg",
        wrapper + "index.html": b"<html></html>",
    }
