"""The handoff viewer: one page (a task's details and handoff, or the run's) in a scrolling pane.

Re-rendering markdown remounts its blocks and costs a layout pass, so a new page is put on
screen at most every MIN_RERENDER_S: at once after a quiet spell, else the newest page when
the interval is up (a storm of transitions, or an arrow key held down). The title is set
once the document it names is on screen, so the two never disagree.

The markdown widget is mounted after the first frame is on the terminal: Textual's Markdown
and markdown_it take 30-40 ms to import, a tenth of the first paint (`python -m bench startup`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.containers import VerticalScroll
from textual.reactive import var
from textual.timer import Timer

if TYPE_CHECKING:
    from textual.widgets import Markdown

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
        self._markdown: asyncio.Future[Markdown] | None = None  # the widget, once mounted
        # One update of the widget at a time: two at once can leave both documents in it.
        self._updating = asyncio.Lock()

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
        if page.document == shown.document:
            self._show_title()  # only the title changed (following turned on or off)
            return
        if page.subject != shown.subject:
            self.scroll_home(animate=False)
        self._last_render = time.monotonic()
        self.rendering = asyncio.ensure_future(self._update(page.document))

    def _show_title(self) -> None:
        """The newest page's title and hint, once its document is the one on screen."""
        self.border_title = self.on_screen.title
        self.border_subtitle = self.on_screen.hint

    async def _update(self, document: str) -> None:
        # Quitting cancels a render in flight; that is not an error worth a traceback.
        with contextlib.suppress(asyncio.CancelledError):
            if self._markdown is None:  # one mount, which every render waits for
                self._markdown = asyncio.ensure_future(self._mount_markdown())
            markdown = await asyncio.shield(self._markdown)
            async with self._updating:
                if asyncio.current_task() is not self.rendering:
                    # A newer page came while the widget was being mounted, or while an earlier
                    # page was still being put on screen (a slow render): only the newest goes on.
                    return
                await markdown.update(document)
                if self.on_screen.document == document:  # else a newer page's render follows
                    self._show_title()

    async def _mount_markdown(self) -> Markdown:
        """The markdown widget, mounted once the first frame (drawn without it) is on screen."""
        await self.wait_for_refresh()
        from wizard_tui.tui.widgets.diff_markdown import DiffMarkdown

        markdown = DiffMarkdown("", id="handoff-markdown")
        await self.mount(markdown)
        return markdown

    @property
    def document(self) -> str:
        """The markdown on screen (or being put there)."""
        return self.on_screen.document
