"""The task tree: the orchestrator at the root, each task under whoever enqueued it.

The tree renders from `rows`, one small record per task derived from the run's view. When
the rows change, new tasks get a node and changed ones are relabelled in place: the tree is
never rebuilt, so the cursor, scroll position and expansion survive every update.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import var
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from wizard_tui.domain.models import ORCHESTRATOR, QueueFile
from wizard_tui.tui.run_view import EMPTY_VIEW, RunView, display_status
from wizard_tui.tui.status_style import colour, glyph

SPIN_INTERVAL_S = 0.1


@dataclass(frozen=True)
class TaskRow:
    """What one line of the tree shows about a task."""

    id: str
    parent: str
    status: str  # as in queue.json
    shows: str  # as a person sees it (`display_status`)
    label: str
    tries: str  # "" or "try 2/2"
    after: str  # the types it waits for, besides the task it sits under


@dataclass(frozen=True)
class RootRow:
    """The orchestrator's line."""

    status: str = "pending"
    task_count: int = 0


def task_rows(queue: QueueFile | None) -> dict[str, TaskRow]:
    """One row per task, in queue order."""
    if queue is None:
        return {}
    types = {t.id: t.type for t in queue.tasks}
    rows = {}
    for task in queue.tasks:
        shows = display_status(task)
        tries = ""
        if task.attempts > 1 or shows == "retry":
            tries = f"try {task.attempts + (1 if shows == 'retry' else 0)}/{task.max_attempts}"
        # Nesting already says a follow-up waits for the task that enqueued it.
        after = ", ".join(types.get(d, d) for d in task.depends_on if d != task.enqueued_by)
        rows[task.id] = TaskRow(task.id, task.enqueued_by, task.status.value, shows, task.label, tries, after)
    return rows


def task_label(row: TaskRow, frame: int = 0) -> Text:
    """Glyph, label and a dim suffix with the dependencies; `Text`, so `[` in a label is inert."""
    text = Text()
    text.append(f"{glyph(row.shows, frame)} ", style=colour(row.shows))
    text.append(row.label or row.id, style="bold" if row.shows == "running" else "")
    if row.tries:
        text.append(f" ({row.tries})", style="yellow")
    if row.after:
        text.append(f"  ← {row.after}", style="dim")
    return text


_ROOT_WORDS = {
    "pending": "waiting to start",
    "running": "seeding… {} queued",
    "done": "seeded {} tasks",
    "failed": "seeding failed",
    "interrupted": "interrupted",
}


def orchestrator_label(root: RootRow, frame: int = 0) -> Text:
    text = Text()
    text.append(f"{glyph(root.status, frame)} ", style=colour(root.status))
    text.append("orchestrator", style="bold")
    text.append(f"  {_ROOT_WORDS.get(root.status, root.status).format(root.task_count)}", style="dim")
    return text


class TaskTree(Tree[str]):
    """A live tree of the run's tasks. Posts `Picked` when the person moves to or selects a node."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Move", key_display="↑↓"),
        Binding("down", "cursor_down", "Move", show=False),
        Binding("enter", "select_cursor", "Select", show=False),
    ]

    view: var[RunView] = var(EMPTY_VIEW)
    rows: var[dict[str, TaskRow]] = var(dict)
    root_row: var[RootRow] = var(RootRow())
    frame: var[int] = var(0)

    class Picked(Message):
        """The person chose a node with the keyboard or mouse (never sent for programmatic moves)."""

        def __init__(self, task_id: str) -> None:
            super().__init__()
            self.task_id = task_id

    def __init__(self, *, animate: bool = True, id: str | None = None) -> None:
        super().__init__(Text("orchestrator"), data=ORCHESTRATOR, id=id)
        self.auto_expand = False
        self.guide_depth = 3
        self.animate_spinner = animate
        self.nodes_by_id: dict[str, TreeNode[str]] = {}

    def on_mount(self) -> None:
        self.root.expand()
        self.root.set_label(orchestrator_label(self.root_row))
        if self.animate_spinner:
            self.set_interval(SPIN_INTERVAL_S, self._spin)

    # -- rendering from state ------------------------------------------------------------------

    def watch_view(self, view: RunView) -> None:
        queue = view.queue
        self.rows = task_rows(queue)
        self.root_row = RootRow() if queue is None else RootRow(queue.orchestrator.status, len(queue.tasks))

    def watch_rows(self, old: dict[str, TaskRow], new: dict[str, TaskRow]) -> None:
        if any(task_id not in new for task_id in old):
            # Another run replaced the one on screen (watch mode): its tasks start a new tree.
            self.root.remove_children()
            self.nodes_by_id.clear()
            old = {}
        for task_id, row in new.items():
            node = self.nodes_by_id.get(task_id)
            if node is None:
                parent = self.nodes_by_id.get(row.parent, self.root)
                if parent is not self.root and not parent.allow_expand:
                    parent.allow_expand = True
                    parent.expand()
                self.nodes_by_id[task_id] = parent.add_leaf(task_label(row, self.frame), data=task_id)
            elif old.get(task_id) != row:
                node.set_label(task_label(row, self.frame))

    def watch_root_row(self, root: RootRow) -> None:
        self.root.set_label(orchestrator_label(root, self.frame))

    def watch_frame(self, frame: int) -> None:
        if self.root_row.status == "running":
            self.root.set_label(orchestrator_label(self.root_row, frame))
        for task_id, row in self.rows.items():
            if row.shows == "running":
                self.nodes_by_id[task_id].set_label(task_label(row, frame))

    def _spin(self) -> None:
        self.frame += 1

    def render_label(self, node: TreeNode[str], base_style: Style, style: Style) -> Text:
        """The label, ending in an ellipsis when the pane is too narrow for it (never a bare cut)."""
        text = super().render_label(node, base_style, style)
        depth = 0
        parent = node.parent
        while parent is not None:
            depth, parent = depth + 1, parent.parent
        room = self.scrollable_content_region.width - depth * self.guide_depth
        if room > 0 and text.cell_len > room:
            text.truncate(room, overflow="ellipsis")
        return text

    def status_of(self, task_id: str) -> str | None:
        row = self.rows.get(task_id)
        return None if row is None else row.status

    def focus_task(self, task_id: str | None) -> None:
        """Move the cursor to a task without it counting as the person's choice."""
        node = self.root if task_id in (None, ORCHESTRATOR) else self.nodes_by_id.get(task_id or "")
        # `last_line` lays out lines not built yet: a node added since the last idle has no line
        # until then, and moving the cursor to it would land on the root.
        if node is not None and self.last_line >= 0 and node.line != self.cursor_line:
            self.move_cursor(node)

    # -- the person's moves ------------------------------------------------------------------

    def _picked(self) -> None:
        node = self.cursor_node
        if node is not None and node.data is not None:
            self.post_message(self.Picked(node.data))

    def action_cursor_up(self) -> None:
        super().action_cursor_up()
        self._picked()

    def action_cursor_down(self) -> None:
        super().action_cursor_down()
        self._picked()

    def action_page_up(self) -> None:
        super().action_page_up()
        self._picked()

    def action_page_down(self) -> None:
        super().action_page_down()
        self._picked()

    def action_scroll_home(self) -> None:
        super().action_scroll_home()
        self._picked()

    def action_scroll_end(self) -> None:
        super().action_scroll_end()
        self._picked()

    def action_select_cursor(self) -> None:
        super().action_select_cursor()
        self._picked()

    def action_cursor_parent(self) -> None:
        super().action_cursor_parent()
        self._picked()
