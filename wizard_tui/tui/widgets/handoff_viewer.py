"""The handoff viewer: one task's details and handoff, as markdown in a scrolling pane.

Re-rendering markdown remounts its blocks and costs a layout pass, so it re-renders at
most every MIN_RERENDER_S: at once after a quiet spell, else with the newest document when
the interval is up (a storm of transitions, or an arrow key held down).
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.timer import Timer
from textual.widgets import Markdown

MIN_RERENDER_S = 0.15


class HandoffViewer(VerticalScroll):
    """Shows one markdown document; re-renders only when the document changes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.document = ""
        self.subject: str | None = None
        self.rendering: asyncio.Future[None] | None = None
        self._shown = ""
        self._shown_subject: str | None = None
        self._last_render = 0.0
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Markdown("", id="handoff-markdown")

    def show(self, subject: str, document: str, *, following: bool) -> None:
        self.border_title = f"{'Following newest' if following else 'Selected'} · {subject}"
        self.border_subtitle = "" if following else "f: follow newest"
        self.subject = subject
        self.document = document
        if document == self._shown:
            return
        wait = self._last_render + MIN_RERENDER_S - time.monotonic()
        if wait <= 0:
            self._render_now()
        elif self._timer is None:
            self._timer = self.set_timer(wait, self._render_now)

    def _render_now(self) -> None:
        self._timer = None
        if self.document == self._shown:
            return
        if self.subject != self._shown_subject:
            self.scroll_home(animate=False)
        self._shown = self.document
        self._shown_subject = self.subject
        self._last_render = time.monotonic()
        self.rendering = asyncio.ensure_future(self._update(self.document))

    async def _update(self, document: str) -> None:
        # Quitting cancels a render in flight; that is not an error worth a traceback.
        with contextlib.suppress(asyncio.CancelledError):
            await self.query_one(Markdown).update(document)
