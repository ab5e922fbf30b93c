"""The handoff viewer: one page (a task's details and handoff, or the run's) in a scrolling pane.

Re-rendering markdown remounts its blocks and costs a layout pass, so a new page is put on
screen at most every MIN_RERENDER_S: at once after a quiet spell, else the newest page when
the interval is up (a storm of transitions, or an arrow key held down). The title is set
with the document it names, so the two never disagree.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import var
from textual.timer import Timer
from textual.widgets import Markdown

from wizard_tui.tui.widgets.diff_markdown import DiffMarkdown

MIN_RERENDER_S = 0.15


@dataclass(frozen=True)
class ViewerPage:
    """What the viewer shows: whose page it is, its title and hint, and the markdown."""

    subject: str = ""  # the task id, the orchestrator, or the whole patch
    title: str = ""
    hint: str = ""  # the key that leaves this page, if any
    document: str = ""


class HandoffViewer(VerticalScroll):
    """Shows `page`; the markdown is put on screen at a bounded rate."""

    page: var[ViewerPage] = var(ViewerPage())

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.on_screen = ViewerPage()  # the page whose markdown is on screen now
        self.rendering: asyncio.Future[None] | None = None
        self._last_render = 0.0
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield DiffMarkdown("", id="handoff-markdown")

    def watch_page(self, page: ViewerPage) -> None:
        if self._timer is not None:
            return  # the pending render will take the newest page
        wait = self._last_render + MIN_RERENDER_S - time.monotonic()
        if wait <= 0:
            self._render_page()
        else:
            self._timer = self.set_timer(wait, self._render_page)

    def _render_page(self) -> None:
        self._timer = None
        page, shown = self.page, self.on_screen
        self.on_screen = page
        self.border_title = page.title
        self.border_subtitle = page.hint
        if page.document == shown.document:
            return  # only the title changed (following turned on or off)
        if page.subject != shown.subject:
            self.scroll_home(animate=False)
        self._last_render = time.monotonic()
        self.rendering = asyncio.ensure_future(self._update(page.document))

    async def _update(self, document: str) -> None:
        # Quitting cancels a render in flight; that is not an error worth a traceback.
        with contextlib.suppress(asyncio.CancelledError):
            await self.query_one(Markdown).update(document)

    @property
    def document(self) -> str:
        """The markdown on screen (or being put there)."""
        return self.on_screen.document
