"""The handoff viewer alone: its markdown widget is mounted for the first page, and only the newest page lands."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult
from textual.widgets import Markdown

from wizard_tui.tui.widgets.handoff_viewer import HandoffViewer, ViewerPage


class ViewerApp(App[None]):
    """The viewer on a screen of its own."""

    def compose(self) -> ComposeResult:
        yield HandoffViewer(id="viewer")


async def test_pages_asked_for_before_the_widget_is_mounted_leave_only_the_newest_on_screen() -> None:
    app = ViewerApp()
    async with app.run_test(size=(80, 24)) as pilot:
        viewer = app.query_one(HandoffViewer)
        # Two pages in one moment, before the widget is there: both renders wait for its mount.
        viewer.page = ViewerPage("a", "A", "", "# First page\n\nold words")  # rendered at once
        first = viewer.rendering
        viewer.page = ViewerPage("b", "B", "", "# Second page\n\nnew words")
        viewer._render_page()  # now, not after the rate limit's wait
        assert first is not None and viewer.rendering is not None and viewer.rendering is not first
        await asyncio.gather(first, viewer.rendering)
        await pilot.pause()
        markdown = viewer.query_one(Markdown)
        assert markdown.source == "# Second page\n\nnew words"
        assert len(markdown.children) == 2  # its heading and paragraph, none of the first page's
        assert viewer.border_title == "B"


async def test_the_markdown_widget_comes_with_the_first_page_not_with_the_viewer() -> None:
    app = ViewerApp()
    async with app.run_test(size=(80, 24)) as pilot:
        viewer = app.query_one(HandoffViewer)
        viewer.page = ViewerPage("a", "A", "", "# A page")
        assert not viewer.query(Markdown)  # mounted after the next refresh
        assert viewer.rendering is not None
        await viewer.rendering
        await pilot.pause()
        assert viewer.query_one(Markdown).source == "# A page"


async def test_a_page_asked_for_during_a_slow_render_waits_for_it_and_only_the_newest_lands_with_its_title() -> None:
    app = ViewerApp()
    async with app.run_test(size=(80, 24)) as pilot:
        viewer = app.query_one(HandoffViewer)
        viewer.page = ViewerPage("a", "A", "", "# A page")
        assert viewer.rendering is not None
        await viewer.rendering
        markdown = viewer.query_one(Markdown)
        real_update = markdown.update
        gate = asyncio.Event()
        started: list[str] = []

        async def slow_update(document: str) -> None:  # a render that takes as long as the test wants
            started.append(document)
            await gate.wait()
            await real_update(document)

        markdown.update = slow_update  # type: ignore[method-assign,assignment]
        viewer.page = ViewerPage("b", "B", "", "# Second page\n\nmiddle words")
        viewer._render_page()
        second = viewer.rendering
        for _ in range(1_000):  # until the second page's render is under way
            if started:
                break
            await asyncio.sleep(0)
        assert started == ["# Second page\n\nmiddle words"]
        assert viewer.border_title == "A"  # a title names the document on screen, not one on its way
        viewer.page = ViewerPage("c", "C", "", "# Third page\n\nnewest words")
        viewer._render_page()
        third = viewer.rendering
        for _ in range(50):  # plenty of turns: a render that did not wait would have begun
            await asyncio.sleep(0)
        assert len(started) == 1
        gate.set()
        assert second is not None and third is not None
        await asyncio.gather(second, third)
        await pilot.pause()
        assert markdown.source == "# Third page\n\nnewest words"
        assert len(markdown.children) == 2  # its heading and paragraph only
        assert viewer.border_title == "C"
