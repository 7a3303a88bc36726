"""What every analysis returns, so the CLI, the TUI and a script can show it in any of the formats.

An analysis result offers tidy ``rows`` (one observation per row, for the terminal table and CSV), a JSON value
(``as_json``), and Markdown that reads well on its own (``markdown``). The CLI picks one by ``--format``; the TUI
shows the rows.

What people read is in their language (:mod:`fokus.i18n`), what programs read is not: ``rows()`` and ``as_json()``
keep stable keys and English values, while a column's heading (:func:`heading`), a cell's number (:func:`cell`) and
the prose of Markdown are translated where they are shown. A sentence that also goes into JSON is kept as a
:class:`Phrase` (its English message and its values), so JSON gets the English and Markdown the reader's language.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol, TextIO

from fokus.files.spreadsheet import CsvWriter
from fokus.i18n import N_, PSEUDO, _, formats, language

FORMATS = ("table", "csv", "json", "md")


class Report(Protocol):
    title: str

    def columns(self) -> list[str]: ...

    def rows(self) -> list[dict[str, Any]]: ...

    def as_json(self) -> Any: ...

    def markdown(self) -> str: ...


# Column headings as people read them, by the stable key the CSV and JSON keep. A key not listed (a case attribute's
# name, an attribute value in a matrix, statistical notation such as n_ab) is shown as it is.
HEADINGS = {
    "code": N_("code"),
    "name": N_("name"),
    "level": N_("level"),
    "case": N_("case"),
    "month": N_("month"),
    "codings": N_("codings"),
    "messages": N_("messages"),
    "threads": N_("threads"),
    "participants": N_("participants"),
    "cases": N_("cases"),
    "group_messages": N_("group messages"),
    "share_of_messages": N_("share of messages"),
    "code_a": N_("code A"),
    "code_b": N_("code B"),
    "expected": N_("expected"),
    "lift": N_("lift"),
    "jaccard": N_("jaccard"),
    "alpha": N_("alpha"),
    "kappa": N_("kappa"),
    "coders": N_("coders"),
    "unit": N_("unit"),
    "units": N_("units"),
    "coder": N_("coder"),
    "status": N_("status"),
    "text": N_("text"),
    "participant": N_("participant"),
    "created_at": N_("created"),
    "test": N_("test"),
    "method": N_("method"),
    "statistic": N_("statistic"),
    "effect": N_("effect"),
    "estimate": N_("estimate"),
    "verdict": N_("verdict"),
    "minimum": N_("minimum"),
    "evidence": N_("evidence"),
    "statement": N_("statement"),
    "total": N_("total"),
    "title": N_("title"),
    "shared": N_("shared"),
    "passages": N_("passages"),
    "themes": N_("themes"),
    "words": N_("words"),
    "applied_by": N_("applied by"),
    "not_applied_by": N_("not applied by"),
    "absent": N_("absent"),
    "period": N_("period"),
    "share": N_("share"),
    "count": N_("count"),
    "group": N_("group"),
    "value": N_("value"),
    "sentences": N_("sentences"),
    "sentences_with_code": N_("sentences with code"),
    "messages_with_code": N_("messages with code"),
    "threads_with_code": N_("threads with code"),
    "participants_with_code": N_("participants with code"),
    "cases_with_code": N_("cases with code"),
    "percent_agreement": N_("% agreement"),
    "p_value": N_("p value"),
    "p_adjusted": N_("adjusted p"),
    "ci_low": N_("CI low"),
    "ci_high": N_("CI high"),
    "practice": N_("practice"),
    "n_municipalities": N_("# municipalities"),
    "n_passages": N_("# passages"),
    "municipalities": N_("municipalities"),
    "coding_ids": N_("coding ids"),
    "coding_id": N_("coding id"),
    "message_id": N_("message id"),
    "thread_id": N_("thread id"),
    "start": N_("start"),
    "end": N_("end"),
    "c": N_("c (ATLAS.ti)"),
}
# Values that are keys for programs (CSV, JSON) and words for people, by column: translated where shown.
VALUES = {
    "code": {"overall": N_("overall")},
    "status": {"accepted": N_("accepted"), "suggested": N_("suggested"), "rejected": N_("rejected")},
    "verdict": {
        "supported": N_("supported"),
        "not supported": N_("not supported"),
        "too little data": N_("too little data"),
    },
}
# Integer columns that name a thing rather than count it: shown as they are, never with a thousands separator.
KEYS = frozenset({"id", "number", "line", "start", "end"})


def heading(column: str) -> str:
    """A column's heading in the reader's language; the key itself for a column fokus has no label for."""
    label = HEADINGS.get(column)
    return _(label) if label is not None else column


def cell(value: Any, column: str = "") -> str:
    """A value as text for tables: numbers rounded for reading, in the reader's language; nothing for None.

    Give the ``column`` (its key) where it is known: a key column's number is shown as it is, and a value that is
    a key for programs (``overall``, ``accepted``, ``supported``) is shown as a word in the reader's language."""
    if value is None:
        return ""
    if isinstance(value, Phrase | Figure | Joined | Name):
        return value.shown()
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        if 0 <= value < 1000 or column in KEYS or column.endswith("_id"):
            return str(value)  # what every language writes: no grouping, no minus sign (a table has thousands)
        return formats.number(value)
    if isinstance(value, str) and value in VALUES.get(column, {}):
        return _(VALUES[column][value])
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if not math.isfinite(value) or (abs(value) < 0.001 and value != 0):
            return decimal(f"{value:.3g}")
        if 0 <= value < 1000:  # no grouping: only the decimal sign differs
            return decimal(f"{value:.3f}".rstrip("0").rstrip("."))
        return trimmed(formats.number(float(f"{value:.3f}"), 3))  # rounded as Python rounds, then written
    return str(value)


def decimal(text: str) -> str:
    """A number written the English way (``0.012``, ``1.2e-05``) with the reader's decimal sign, same digits."""
    sign = _decimal_sign(language())
    return text if sign == "." else text.replace(".", sign)


def trimmed(text: str) -> str:
    """A formatted number without the zeros its fixed decimals left at the end (``0.500`` -> ``0.5``)."""
    sign = _decimal_sign(language())
    return text.rstrip("0").rstrip(sign) if sign in text else text


@cache
def _decimal_sign(lang: str) -> str:
    """The language's decimal sign (asked once: a table writes thousands of numbers)."""
    return formats.number(0.5, 1)[1]  # lang is the active language, which formats reads


@dataclass(frozen=True)
class Figure:
    """A number inside a :class:`Phrase`: its English text as fokus has always written it, localised when shown."""

    value: float | None
    style: str  # "p" (a p-value), "share" (0.25 as 25%), "2f" (two decimals), "g" (shortest), "int", "cell"

    def english(self) -> str:
        return _figure(self.value, self.style)

    def __str__(self) -> str:
        return self.english()

    def shown(self) -> str:
        value = self.value
        if self.style == "cell":
            return cell(value)
        if value is not None and math.isnan(value) and self.style == "2f":
            return _("undefined")
        if value is None or not math.isfinite(value) or self.style in ("p", "g"):
            return decimal(self.english())
        if self.style == "share":
            return formats.percent(float(f"{value * 100:.0f}") / 100)  # rounded as Python rounds
        if self.style == "2f":
            return formats.number(float(f"{value:.2f}"), 2)
        return formats.number(value)

    def ungrouped(self) -> str:
        """As :meth:`shown`, with no thousands separator (an interval's end, where a comma parts the two)."""
        value = self.value
        if self.style == "2f" and value is not None and math.isfinite(value):
            return decimal(f"{value:.2f}")
        return self.shown()


def _figure(value: float | None, style: str) -> str:
    if value is None:
        return "—"
    if style == "p":
        return f"{value:.2g}" if value < 0.001 else f"{value:.3f}"
    if style == "share":
        return f"{value:.0%}"
    if style == "2f":
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        return "undefined" if math.isnan(value) else f"{value:.2f}"
    if style == "int":
        return str(int(value))
    if style == "cell":  # as tables wrote numbers before they followed the language
        if math.isnan(value):
            return ""
        return f"{value:.3g}" if abs(value) < 0.001 and value != 0 else f"{value:.3f}".rstrip("0").rstrip(".")
    return f"{value:g}"


class Phrase:
    """A sentence for people kept as its English message and its values (see the module docstring).

    ``str()`` is the English, as JSON keeps it; :meth:`shown` is the reader's language, for Markdown and tables.
    A value is data (shown as it is), a :class:`Figure`, or another Phrase (a part translated in turn).
    """

    def __init__(self, message: str, **values: Any) -> None:
        self.message = message
        self.values = values

    def __str__(self) -> str:
        return self.message.format(**{k: _english(v) for k, v in self.values.items()})

    def __repr__(self) -> str:
        return f"Phrase({self.message!r})"

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __bool__(self) -> bool:
        return bool(self.message)

    def shown(self) -> str:
        if not self.message:
            return ""
        message = _(self.message)
        plain = {key for pair in INTERVAL.findall(message) for key in pair}
        return message.format(
            **{k: v.ungrouped() if k in plain and isinstance(v, Figure) else shown(v) for k, v in self.values.items()}
        )


#: An interval whose ends a comma parts ("[{low}, {high}]", as English writes it): its numbers are written without
#: thousands separators, so "[5.63, 2959.51]" reads as two numbers, not three. Norwegian parts them with ";" and
#: groups as ever ("[5,51; 2 896,53]").
INTERVAL = re.compile(r"\[\{(\w+)\}, \{(\w+)\}\]")


class Joined:
    """Parts of a sentence listed with a separator (each a Phrase, a Figure or data), in either language."""

    def __init__(self, parts: Sequence[Any], separator: str = ", ") -> None:
        self.parts = list(parts)
        self.separator = separator

    def __str__(self) -> str:
        return self.separator.join(_english(part) for part in self.parts)

    def shown(self) -> str:
        return self.separator.join(shown(part) for part in self.parts)


class Name(str):
    """A code's stored name, which CSV and JSON keep (it is ``str``), carrying its names in other languages from the
    codebook (``name: {nb: ..., en: ...}``): :meth:`shown` is the reader's, for tables and Markdown."""

    translations: Mapping[str, str]  # language -> name

    def __new__(cls, stored: str, translations: Mapping[str, str] | None = None) -> Name:
        name = super().__new__(cls, stored)
        name.translations = translations or {}
        return name

    def shown(self) -> str:
        lang = language()
        return self.translations.get("en" if lang == PSEUDO else lang) or str(self)


def _english(value: Any) -> str:
    return value.english() if isinstance(value, Figure) else str(value)


def shown(value: Any) -> str:
    """A Phrase, Figure or Joined in the reader's language; anything else (data, English already) as it is."""
    return value.shown() if isinstance(value, Phrase | Figure | Joined | Name) else str(value)


def markdown_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """A GitHub-flavoured Markdown table with the columns' headings in the reader's language; pipes are escaped."""

    def escape(text: str) -> str:
        return " ".join(text.replace("|", "\\|").split())

    lines = ["| " + " | ".join(escape(heading(c)) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(escape(cell(row.get(c), c)) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


QUOTE_MARKS = re.compile(r"(?:[ ]{0,3}>[ ]?)*")  # a blockquote's leading >s: the report's own, kept
BRACKETS = re.compile(r"(\\*)([\[\]])")
SCHEMES = re.compile(r"\b(javascript|vbscript|data):", re.IGNORECASE)


def safe_markdown(document: str) -> str:
    """A Markdown report with nothing in it that a viewer would run or follow.

    Reports quote other people's words (messages, names, titles), and a Markdown viewer renders HTML and links: so
    ``&``, ``<`` and ``>`` become entities (no tag, no autolink; a blockquote's leading ``>`` stays), ``[`` and ``]``
    are escaped (no link, image or link definition), and a ``javascript:``, ``vbscript:`` or ``data:`` scheme loses
    its colon to an escape. Every one of them still reads the same once rendered. fokus's own text uses none of
    these as Markdown, so the whole document is treated alike.
    """
    lines = []
    for line in document.split("\n"):
        marks = QUOTE_MARKS.match(line)
        start = marks.end() if marks else 0
        text = line[start:].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = BRACKETS.sub(lambda m: m[1] * 2 + "\\" + m[2], text)
        lines.append(line[:start] + SCHEMES.sub(lambda m: m[1] + "\\:", text))
    return "\n".join(lines)


def write_report(report: Report, fmt: str, out: TextIO, *, raw_csv: bool = False) -> None:
    """CSV, JSON or Markdown (the terminal table is drawn by the CLI with rich).

    CSV cells that a spreadsheet would run as formulas get a leading ' unless ``raw_csv``
    (:mod:`fokus.files.spreadsheet`); Markdown is made safe to view (:func:`safe_markdown`).
    """
    if fmt == "json":
        json.dump(report.as_json(), out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
    elif fmt == "md":
        out.write(safe_markdown(report.markdown().rstrip()) + "\n")
    elif fmt == "csv":
        tidy = getattr(report, "tidy", None)  # a wide table (a matrix) is tidy in CSV: one observation per row
        rows = tidy() if tidy else report.rows()
        columns = list(rows[0]) if tidy and rows else report.columns()
        writer = CsvWriter(out, raw=raw_csv)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    else:
        raise ValueError(f"format {fmt!r} is drawn by the caller")
