"""Rules from the researchers' own work: trigger words a code's rules lack, and adding them to the codebook file.

:func:`propose_rules` counts, on every sentence the researchers decided on (:mod:`fokus.learn.examples`), which
lemmas, compound parts and phrases separate a code's accepted sentences from the rest, beside what the code's
existing rules catch already (:mod:`fokus.learn.rule_mining` says how they are chosen and ranked). The rules are run
afresh on those sentences with the project's pipeline, as ``fokus evaluate`` runs them, and the sentences' lemmas
and compound parts come from that same parse: what a proposal is said to catch is what a rule of it would catch.

:func:`write_rules` adds a code's proposals to the YAML codebook as one new rule (``learnt-1``, or the next free
number: ``any`` for the lemmas and compound parts, ``phrases`` for the phrases, a ``weight`` from their smoothed
precision together) without changing anything else in the file (:mod:`fokus.files.codebook_edit_yaml`), then
loads the edited codebook into the project as ``fokus codebook load`` does, in the caller's transaction. The file
is written beside the codebook and moved over it only by :meth:`WrittenRules.install`, as the transaction's last
step, so an error anywhere leaves the file as it was.
"""

from __future__ import annotations

import json
import os
import stat
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.analysis.report import markdown_table
from fokus.api.codebook import CodebookReport, load_codebook, plan_codebook
from fokus.domain.chunks import chunks
from fokus.domain.settings import UBIQUITOUS_SETTING, get_setting
from fokus.errors import FokusError
from fokus.files.codebook import CodebookSpec
from fokus.files.codebook import load_codebook as read_codebook
from fokus.files.codebook_edit_yaml import (
    NewRule,
    add_rules,
    check_added,
    next_rule_id,
    read_codebook_text,
    remove_beside,
    write_beside,
)
from fokus.i18n import _
from fokus.i18n.formats import number
from fokus.learn.examples import NEGATIVE, POSITIVE, training_examples
from fokus.learn.rule_mining import (
    PHRASE,
    DecidedSentences,
    FeatureMatrix,
    Proposal,
    rule_weight,
    rule_words,
)
from fokus.model import Code, Message, Unit
from fokus.nlp.rules import RuleSet, analyse

COLUMNS = ["code", "kind", "trigger", "precision", "new", "positives", "wrong", "threads", "score", "found_in"]


@dataclass
class CodeProposals:
    """One code's proposals, with what the decided sentences say about it and about its rules today."""

    code: str
    positives: int  # the code's accepted sentences
    negatives: int  # the other decided sentences
    caught: int  # accepted sentences its rules catch already
    proposals: list[Proposal] = field(default_factory=list)
    together: tuple[int, int, int] = (0, 0, 0)  # one rule of all the proposals: positives, wrong, new
    thresholds: tuple[int, float] = (3, 0.6)  # the least new sentences and precision a proposal had to reach

    @property
    def weight(self) -> float:
        return rule_weight(self.together[0], self.together[1])

    def summary(self) -> str:
        """The code's line in the report, in the reader's language (one whole sentence per case)."""
        known = {"code": self.code, "positives": number(self.positives), "caught": number(self.caught)}
        if not self.proposals:
            support, precision = self.thresholds
            return _(
                "{code}: {positives} accepted sentences, the rules catch {caught}; no trigger adds {support} or more"
                " of them at a precision of {precision} or more"
            ).format(**known, support=number(support), precision=number(precision))
        positives, wrong, new = self.together
        return _(
            "{code}: {positives} accepted sentences, the rules catch {caught}; the {count} proposals together catch"
            " {new} more (right in {right} of {decided} decided sentences, weight {weight})"
        ).format(
            **known,
            count=len(self.proposals),
            new=number(new),
            right=number(positives),
            decided=number(positives + wrong),
            weight=number(self.weight),
        )

    def new_rule(self, spec: CodebookSpec) -> NewRule:
        rule: dict[str, Any] = {"id": next_rule_id(spec, self.code)}
        words = [p.trigger for p in self.proposals if p.kind != PHRASE]
        phrases = [p.trigger for p in self.proposals if p.kind == PHRASE]
        if words:
            rule["any"] = words
        if phrases:
            rule["phrases"] = phrases
        rule["weight"] = self.weight
        positives, wrong, new = self.together
        comment = (
            f"learnt by fokus rules suggest: right in {positives} of {positives + wrong} decided"
            f" sentences, {new} missed by the rules above"
        )
        return NewRule(self.code, rule, comment)


@dataclass
class RuleProposals:
    """Proposals per code, as a report (rows, JSON, Markdown) for the CLI and the TUI."""

    sentences: int  # decided sentences counted on
    codes: list[CodeProposals]
    title: str = "Triggers the rules lack"

    def __post_init__(self) -> None:
        self.title = _("Triggers the rules lack, from {count} decided sentences").format(count=number(self.sentences))

    def columns(self) -> list[str]:
        return list(COLUMNS)

    def terminal_columns(self) -> list[str]:
        """Without the score, the code when there is one, and the compounds when no trigger is a compound part."""
        left = {"score", "code"} if len(self.codes) == 1 else {"score"}
        if not any(row["found_in"] for row in self.rows()):
            left.add("found_in")
        return [c for c in COLUMNS if c not in left]

    def rows(self) -> list[dict[str, Any]]:
        return [proposal.row() for code in self.codes for proposal in code.proposals]

    def proposed(self) -> list[CodeProposals]:
        return [code for code in self.codes if code.proposals]

    def as_json(self) -> Any:
        return {
            "sentences": self.sentences,
            "codes": [
                {
                    "code": code.code,
                    "accepted": code.positives,
                    "other": code.negatives,
                    "caught_by_rules": code.caught,
                    "proposals": [proposal.row() for proposal in code.proposals],
                    "together": dict(zip(("positives", "wrong", "new"), code.together, strict=True)),
                    "weight": code.weight if code.proposals else None,
                }
                for code in self.codes
            ],
        }

    def markdown(self) -> str:
        lines = [f"# {self.title}", ""]
        lines += [f"- {code.summary()}" for code in self.codes]
        if any(code.proposals for code in self.codes):
            lines += ["", markdown_table(self.rows(), self.terminal_columns())]
        return "\n".join(lines) + "\n"


def propose_rules(
    session: Session,
    nlp: Language,
    code: str | None = None,
    *,
    top: int = 10,
    min_support: int = 3,
    min_precision: float = 0.6,
    pick: Sequence[str] = (),
) -> RuleProposals:
    """The best ``top`` triggers per codable code (or for ``code``); ``pick``: keep only these triggers."""
    rows = session.execute(select(Code.path, Code.rules, Code.codable).order_by(Code.position, Code.path)).all()
    if code is not None:
        found = {path: codable for path, _rules, codable in rows}
        if code not in found:
            raise FokusError(
                _("unknown code {code!r}").format(code=code), hint=_("`fokus codebook show` lists the codes")
            )
        if not found[code]:
            raise FokusError(
                _("code {code!r} only groups other codes (codable: false); it takes no rules").format(code=code)
            )
    codable = [(path, rules) for path, rules, is_codable in rows if is_codable]
    examples = training_examples(session)
    sentences, caught = _parse_decided(session, nlp, examples.unit_ids.tolist(), codable)
    stored = get_setting(session, UBIQUITOUS_SETTING)
    ubiquitous = frozenset(str(w).lower() for w in (json.loads(stored) if stored else []))
    from fokus.analysis.practice_groups import stop_words

    matrix = FeatureMatrix(sentences, stop_words(session), ubiquitous)
    column = {path: j for j, path in enumerate(examples.codes)}
    report: list[CodeProposals] = []
    for path, specs in codable:
        if code is not None and path != code:
            continue
        labels = examples.labels[:, column[path]] if path in column else np.zeros(0, dtype=np.int8)
        positive, negative = labels == POSITIVE, labels == NEGATIVE
        hit = caught.get(path, np.zeros(len(labels), dtype=bool))
        proposals = matrix.mine(
            path,
            positive,
            negative,
            hit,
            known=rule_words(specs),
            top=len(matrix.features) if pick else top,
            min_support=min_support,
            min_precision=min_precision,
        )
        if pick:
            proposals = [p for p in proposals if p.trigger in set(pick)][:top]
        entry = CodeProposals(path, int(positive.sum()), int(negative.sum()), int((positive & hit).sum()), proposals)
        entry.thresholds = (min_support, min_precision)
        if proposals:
            fires = matrix.fires(proposals)
            entry.together = (
                int((fires & positive).sum()),
                int((fires & negative).sum()),
                int((fires & positive & ~hit).sum()),
            )
        report.append(entry)
    return RuleProposals(len(examples), report)


def _parse_decided(
    session: Session, nlp: Language, unit_ids: list[int], codes: list[tuple[str, Any]]
) -> tuple[DecidedSentences, dict[str, np.ndarray[Any, np.dtype[np.bool_]]]]:
    """The decided sentences' lemmas and keys, parsed afresh, and per code whether its rules fire in each."""
    where: dict[int, tuple[int, int, int]] = {}
    for chunk in chunks(unit_ids):
        query = select(Unit.id, Unit.message_id, Unit.start, Unit.end).where(Unit.id.in_(chunk))
        where.update((uid, (mid, start, end)) for uid, mid, start, end in session.execute(query))
    by_message: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for row, uid in enumerate(unit_ids):
        mid, start, end = where[uid]
        by_message[mid].append((start, end, row))
    ids = sorted(by_message)
    texts: dict[int, str] = {}
    thread_of: dict[int, int] = {}
    for chunk in chunks(ids):
        messages = select(Message.id, Message.text, Message.thread_id).where(Message.id.in_(chunk))
        for mid, text, thread in session.execute(messages):
            texts[mid], thread_of[mid] = text, thread
    rules = RuleSet.from_codes(nlp, codes)
    lemmas: list[list[str]] = [[] for _ in unit_ids]
    keys: list[frozenset[str]] = [frozenset() for _ in unit_ids]
    caught: dict[str, np.ndarray[Any, np.dtype[np.bool_]]] = {
        path: np.zeros(len(unit_ids), dtype=bool) for path, _ in codes
    }
    for mid, doc in zip(ids, nlp.pipe(texts[mid] for mid in ids), strict=True):
        spans = sorted(by_message[mid])
        parsed = analyse(doc, [(start, end) for start, end, _ in spans])
        for (_start, _end, row), sentence, hits in zip(spans, parsed, rules.match(doc, parsed), strict=True):
            lemmas[row] = sentence.lemmas
            keys[row] = frozenset(sentence.keys)
            for hit in hits:
                if hit.code in caught:
                    caught[hit.code][row] = True
    threads = [thread_of[where[uid][0]] for uid in unit_ids]
    return DecidedSentences(lemmas, keys, threads), caught


@dataclass
class WrittenRules:
    """Rules added to a codebook file and loaded into the project; the file is replaced by :meth:`install`."""

    path: Path
    written: Path
    original: bytes
    rules: list[NewRule]
    report: CodebookReport
    installed: bool = False

    def loaded(self) -> str:
        """What loading the edited codebook did to the project, in one line."""
        changed = [
            template.format(codes=", ".join(paths))
            for template, paths in (
                (_("added {codes}"), self.report.added),
                (_("updated {codes}"), self.report.updated),
            )
            if paths
        ]
        return _(
            "Loaded {path} into the project ({changes}). `fokus undo` takes the load back (the file keeps the rules);"
            " `fokus tag` suggests with them."
        ).format(path=self.path, changes="; ".join(changed) or _("no change"))

    def install(self) -> None:
        """Move the edited file over the codebook (the transaction's last step)."""
        os.replace(self.written, self.path)
        remove_beside(self.written)
        self.installed = True

    def discard(self) -> None:
        """Leave the codebook as it was: remove the edited file, or put the old one back once installed."""
        if not self.installed:
            remove_beside(self.written)
            return
        back = write_beside(self.path, self.original.decode("utf-8"))
        os.replace(back, self.path)
        remove_beside(back)
        self.installed = False


def check_codebook_file(path: Path) -> None:
    """Refuse anything but a regular file: a link, a folder or a device is not a codebook to rewrite."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        raise FokusError(_("no such file"), path=str(path)) from None
    if not stat.S_ISREG(mode):
        raise FokusError(
            _("not a regular file (a link, a folder or a device); give the codebook file itself"), path=str(path)
        )


def write_rules(session: Session, path: Path, proposals: RuleProposals, *, coder_id: int | None = None) -> WrittenRules:
    """Add each code's proposals to the YAML codebook at ``path`` as one new rule and load the edited codebook into
    the project; see the module docstring. Call :meth:`WrittenRules.install` when the transaction is to commit."""
    check_codebook_file(path)
    original = path.read_bytes()
    text, spec = read_codebook_text(path)
    codes = proposals.proposed()
    if not codes:
        raise FokusError(_("no proposals to add; nothing was written"), path=str(path))
    rules = [entry.new_rule(spec) if entry.code in spec.by_path() else _missing(entry.code, path) for entry in codes]
    edited = add_rules(text, spec, rules, str(path))
    written = write_beside(path, edited)
    try:
        try:
            after = read_codebook(written)
        except FokusError as exc:
            reason = _("the edited file would not read back ({reason}); nothing was written").format(reason=exc.reason)
            raise FokusError(reason, path=str(path)) from None
        check_added(spec, after, rules, str(path))
        plan = plan_codebook(session, after)
        if plan.moves:
            raise FokusError(
                _("loading the edited codebook would move codes of the project; nothing was written"),
                path=str(path),
                hint=_("load the file with `fokus codebook load` first"),
            )
        report = load_codebook(session, after, coder_id=coder_id, plan=plan)
    except BaseException:
        remove_beside(written)
        raise
    return WrittenRules(path, written, original, rules, report)


def _missing(code: str, path: Path) -> NewRule:
    raise FokusError(_("code {code!r} is not in this codebook; nothing was written").format(code=code), path=str(path))
