"""The fokus TUI application: it holds the project and the researcher's name; the screens do the rest.

Every change is one short transaction through ``fokus.api``; undo and redo (``u``, ``ctrl+r``) work on the event
log, so they reach back across restarts. Errors a researcher can fix are shown as notifications, never a crash.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from textual import work
from textual.app import App
from textual.binding import Binding
from textual.worker import get_current_worker

from fokus.api.coding_actions import redo, undo
from fokus.api.step_summary import StepSummary, reverted_step
from fokus.api.workplace import Place, last_place, remember_coder, remember_place, remembered_coder
from fokus.domain.coders import human_coder
from fokus.errors import FokusError
from fokus.i18n import N_, _, ngettext
from fokus.i18n.formats import number
from fokus.store import Project
from fokus.tui.messages import CodingsChanged
from fokus.tui.workbench import Workbench

T = TypeVar("T")

#: New objects between two collections of the young generation (Python's default is 700). Opening a thread makes
#: some ten thousand short-lived ones; collected every 700, those alive at the moment were moved on to the old
#: generation, which then filled up and was collected in full (20-70 ms, and the painted lines Textual leaves in
#: reference cycles freed with it) about every fifth thread opened (7 in 30); every 5,000, hardly any are, and a
#: full collection came once in 60 threads opened.
YOUNG = 5_000


class _Cancelled(Exception):
    """The researcher stopped a background run: its transaction rolls back."""


class FokusApp(App[None]):
    """Read threads, code them, review suggestions."""

    CSS_PATH = "app.tcss"
    TITLE = "fokus"
    BINDINGS = [
        Binding("q", "quit", N_("Quit"), id="app.quit"),
        Binding("question_mark", "help", N_("Help"), key_display="?", id="app.help"),
        Binding("v", "review", N_("Suggestions"), id="app.review"),
        Binding("b", "codebook", N_("Codebook"), id="app.codebook"),
        Binding("p", "practices", N_("Good practice board"), id="app.practices"),
        Binding("N", "memos", N_("Memos"), id="app.memos"),
        Binding("a", "analysis", N_("Analysis"), id="app.analysis"),
        Binding("P", "pages", N_("Pages"), id="app.pages"),
        Binding("t", "tag", N_("Suggest codes"), id="app.tag"),
        Binding("L", "learn", N_("Learn from coding"), id="app.learn"),
        Binding("d", "discover", N_("New themes"), id="app.discover"),
        Binding("ctrl+x", "cancel_tag", N_("Stop suggesting"), id="app.cancel_tag"),
        Binding("u", "undo", N_("Undo"), id="app.undo"),
        Binding("ctrl+r", "redo", N_("Redo"), id="app.redo"),
    ]

    def __init__(
        self,
        project: Project,
        coder: str | None,
        *,
        login: str = "koder",
        hypotheses: Path | None = None,
        models: Path | None = None,
    ) -> None:
        """``coder``: who codes; None asks (once per login and project: the name given is remembered)."""
        super().__init__()
        self.project = project
        self.models = models  # where model files go; None: beside the project file
        self.hypotheses = hypotheses  # the analysis screen's hypothesis file; None: the study's bundled one
        self.login = login
        if coder is None:
            with project.read() as session:
                coder = remembered_coder(session, login)
        self.coder_name = coder or ""
        self.coder_id = 0  # set by start(), before any screen can code
        self.recent_codes: list[str] = []

    def on_mount(self) -> None:
        if self.coder_name:
            self.start(self.coder_name)
            return
        from fokus.tui.widgets.coder_prompt import CoderPrompt

        def named(name: str | None) -> None:
            remembered = self.write(lambda session: remember_coder(session, self.login, name or self.login))
            self.start(remembered or self.login)

        self.push_screen(CoderPrompt(self.login, Path(self.project.display).name), named)

    def start(self, coder: str) -> None:
        """Open the thread list as ``coder``, and the thread and sentence where the coder left off, if any."""
        from fokus.tui.screens.thread import ThreadScreen
        from fokus.tui.screens.threads import ThreadsScreen

        with self.project.begin() as session:
            self.coder_id = human_coder(session, coder)
            place = last_place(session, self.coder_id)
        self.coder_name = coder
        self.sub_title = _("{project} · coder: {coder}").format(project=Path(self.project.display).name, coder=coder)
        self.push_screen(ThreadsScreen())
        if place is not None:
            self.push_screen(ThreadScreen(place.thread_id, start_at=(place.message_id, place.offset)))
        # What is there once the first screen is up lives as long as the app: out of the collector's sight, so that
        # a full collection (every few thousand new objects while a thread opens) stops walking it.
        self.call_after_refresh(gc.freeze)
        gc.set_threshold(YOUNG, *gc.get_threshold()[1:])

    async def action_quit(self) -> None:
        """Remember the thread and sentence the coder is on, then quit."""
        self.remember_place()
        self.exit()

    def remember_place(self) -> None:
        from fokus.tui.screens.thread import ThreadScreen

        threads = [screen for screen in self.screen_stack if isinstance(screen, ThreadScreen)]
        found = threads[-1].current if threads else None
        if found is None or not self.coder_id:
            return
        view, cursor = found
        place = Place(threads[-1].thread_id, view.message_id, cursor.start)
        self.write(lambda session: remember_place(session, self.coder_id, place))

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self.project.read() as session:
            yield session

    def write(self, step: Callable[[Session], T]) -> T | None:
        """Run one change in its own transaction. A FokusError, or a database error (a bug, or a disk that is full),
        becomes a notification: the transaction is rolled back and the researcher can go on working."""
        try:
            return self.project.step(step)  # a coder's step: beside other coders' steps, rerun after a deadlock
        except FokusError as exc:
            self.notify(str(exc), severity="error", timeout=8)
        except SQLAlchemyError as exc:
            note = _("Not saved (database error): {error}").format(error=exc.__class__.__name__)
            self.notify(note, severity="error", timeout=12)
        return None

    def codable_codes(self) -> list[tuple[str, str]]:
        """(path, name) of every code one can code with, in codebook order, for the code picker."""
        from fokus.api.codebook import codable_codes

        with self.reading() as session:
            return codable_codes(session)

    def remember_code(self, code: str) -> None:
        self.recent_codes = [code, *(c for c in self.recent_codes if c != code)][:8]

    def action_help(self) -> None:
        from fokus.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_review(self) -> None:
        from fokus.tui.screens.review import ReviewScreen

        self.push_screen(ReviewScreen())

    def action_codebook(self) -> None:
        from fokus.tui.screens.codebook import CodebookScreen

        self.push_screen(CodebookScreen())

    def action_practices(self) -> None:
        from fokus.tui.screens.practices import PracticesScreen

        self.push_screen(PracticesScreen())

    def action_memos(self) -> None:
        from fokus.tui.screens.memos import MemosScreen

        if not isinstance(self.screen, MemosScreen):
            self.push_screen(MemosScreen())

    def action_analysis(self) -> None:
        from fokus.tui.screens.analysis import AnalysisScreen

        self.push_screen(AnalysisScreen())

    def action_pages(self) -> None:
        from fokus.tui.screens.pages import PagesScreen

        if not isinstance(self.screen, PagesScreen):
            self.push_screen(PagesScreen())

    def action_tag(self) -> None:
        """Tag in a thread worker, so the UI stays responsive; progress shows as notifications."""
        self.notify(_("Suggesting codes … (ctrl+x stops)"))
        self.tagging()

    @work(thread=True, exclusive=True, exit_on_error=False, group="tagging")
    def tagging(self) -> None:
        from fokus.api.learning import combine_with_model, models_folder
        from fokus.api.tagging import parse_ahead, tag_messages
        from fokus.domain.settings import MODEL_SETTING, get_setting
        from fokus.nlp import load_pipeline

        worker = get_current_worker()
        last = [0.0]

        def progress(stage: str, done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] > 1.0:
                last[0] = now
                note = _("Suggesting codes: {done} of {total} messages").format(done=number(done), total=number(total))
                self.call_from_thread(self.notify, note, timeout=2)

        try:
            with self.project.read() as session:
                model = get_setting(session, MODEL_SETTING)
            nlp = load_pipeline(model)
            with self.project.read() as session:  # parsing holds no lock: the coder goes on coding meanwhile
                ahead = parse_ahead(session, nlp, progress=progress, cancelled=lambda: worker.is_cancelled)
            if ahead.cancelled:
                self.call_from_thread(self.notify, _("Stopped before anything was saved"))
                return
            with self.project.begin() as session:
                report = tag_messages(session, nlp, cancelled=lambda: worker.is_cancelled, ahead=ahead)
                if not report.cancelled and (report.suggested or report.updated or report.withdrawn):
                    # the newest model's combiner ranks what the rules now suggest
                    combine_with_model(session, models_folder(self.project.sqlite_path, self.models))
        except FokusError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        if report.cancelled:
            message = ngettext(
                "Stopped: {parsed} message read, {suggested} new suggestions",
                "Stopped: {parsed} messages read, {suggested} new suggestions",
                report.parsed,
            )
        else:
            message = ngettext(
                "Done: {parsed} message read, {suggested} new suggestions",
                "Done: {parsed} messages read, {suggested} new suggestions",
                report.parsed,
            )
        counts = {"parsed": number(report.parsed), "suggested": number(report.suggested)}
        self.call_from_thread(self.notify, message.format(**counts))
        self.call_from_thread(self.screen.post_message, CodingsChanged())

    def action_discover(self) -> None:
        from fokus.tui.screens.discover import DiscoverScreen

        self.push_screen(DiscoverScreen())

    def action_learn(self) -> None:
        """Retrain the model on every decision so far and let it suggest, in a worker (ctrl+x stops)."""
        self.notify(_("Learning from coding … (ctrl+x stops)"))
        self.learning()

    @work(thread=True, exclusive=True, exit_on_error=False, group="tagging")
    def learning(self) -> None:
        from fokus.api.learning import models_folder, save_model, train_model
        from fokus.api.suggesting import suggest

        worker = get_current_worker()
        try:
            with self.project.read() as session:  # training holds no write lock: coding goes on meanwhile
                trained = train_model(session)
            if worker.is_cancelled:
                return
            with self.project.begin() as session:
                saved = save_model(session, models_folder(self.project.sqlite_path, self.models), trained)
                report = suggest(session, saved.version, saved.model, cancelled=lambda: worker.is_cancelled)
                if report.cancelled:
                    raise _Cancelled
        except _Cancelled:
            self.call_from_thread(self.notify, _("Stopped: no new model saved"))
            return
        except FokusError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        f1 = saved.model.micro_f1()
        message = _(
            "Model {version}: suggests {codes} codes (F1 {f1}); {suggested} new suggestions, {merged} merged with"
            " the rules'"
        ).format(
            version=saved.version,
            codes=number(len(report.codes)),
            f1=number(f1 or 0, 2),
            suggested=number(report.suggested),
            merged=number(report.merged),
        )
        self.call_from_thread(self.notify, message, timeout=8)
        self.call_from_thread(self.screen.post_message, CodingsChanged())

    def action_cancel_tag(self) -> None:
        cancelled = self.workers.cancel_group(self, "tagging")
        if cancelled:
            self.notify(_("Stopping …"))

    def action_undo(self) -> None:
        self._step(undo, N_("Undone"), N_("Undid {step}"), N_("Nothing to undo"))

    def action_redo(self) -> None:
        self._step(redo, N_("Redone"), N_("Redid {step}"), N_("Nothing to redo"))

    def _step(self, step: Callable[[Session, int], Any], done: str, done_step: str, nothing: str) -> None:
        """Undo or redo one step, and say what it was: ``done`` when the log cannot tell, else ``done_step`` with
        the step in a few words (the three messages marked with ``N_()`` by the caller)."""

        def run(session: Session) -> tuple[Any, StepSummary | None] | None:
            report = step(session, self.coder_id)
            return None if report is None else (report, reverted_step(session, report.batch))

        result = self.write(run)
        if result is None:
            self.notify(_(nothing))
            return
        report, summary = result
        if summary is None:
            note = _(done)
        else:
            names = {kind: _(name) for kind, name in STEP_NAMES.items()}
            note = _(done_step).format(step=summary.phrase(names, " "))
        if report.conflicts:
            note = _("{done} ({count} changed by others, left as they are)").format(
                done=note, count=number(report.conflicts)
            )
        self.notify(note)
        self.screen.post_message(CodingsChanged())


#: What a step was, as the undo notification names it ("Undid the coding krise: «...»").
STEP_NAMES = {
    "coding": N_("the coding"),
    "uncoding": N_("the removal of the coding"),
    "recoding": N_("the change to the coding"),
    "accept": N_("the acceptance of the suggestion"),
    "reject": N_("the rejection of the suggestion"),
    "good_practice": N_("the good practice mark"),
    "code": N_("the codebook change"),
    "memo": N_("the memo"),
    "step": N_("the step"),
}


if TYPE_CHECKING:  # mypy checks that the app gives the screens everything their protocol promises
    _workbench: type[Workbench] = FokusApp
