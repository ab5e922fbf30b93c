"""The task tree: the orchestrator at the root, each task under whoever enqueued it.

Nodes are kept in a dict from task id and relabelled in place; the tree is never rebuilt,
so the cursor, scroll position and expansion survive every update.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from wizard_tui.domain.models import ORCHESTRATOR, OrchestratorState, QueueFile, Task
from wizard_tui.tui.status_style import colour, display_status, glyph

SPIN_INTERVAL_S = 0.1
_ORCHESTRATOR_STATUS = {
    "pending": "pending",
    "running": "running",
    "done": "done",
    "failed": "failed",
    "interrupted": "interrupted",
}


def task_label(task: Task, tasks: dict[str, Task], frame: int = 0) -> Text:
    """Glyph, label and a dim suffix with the dependencies; `Text`, so `[` in a label is inert."""
    status = display_status(task)
    text = Text()
    text.append(f"{glyph(status, frame)} ", style=colour(status))
    text.append(task.label or task.type, style="bold" if status == "running" else "")
    if task.attempts > 1 or status == "retry":
        text.append(f" (try {task.attempts + (1 if status == 'retry' else 0)}/{task.max_attempts})", style="yellow")
    if task.depends_on:
        names = [tasks[d].type if d in tasks else d for d in task.depends_on]
        text.append(f"  ← {', '.join(names)}", style="dim")
    return text


def orchestrator_label(state: OrchestratorState, task_count: int, frame: int = 0) -> Text:
    status = _ORCHESTRATOR_STATUS.get(state.status, "pending")
    text = Text()
    text.append(f"{glyph(status, frame)} ", style=colour(status))
    text.append("orchestrator", style="bold")
    words = {
        "pending": "waiting to start",
        "running": f"seeding… {task_count} queued",
        "done": f"seeded {task_count} tasks",
        "failed": "seeding failed",
        "interrupted": "interrupted",
    }
    text.append(f"  {words.get(state.status, state.status)}", style="dim")
    return text


class TaskTree(Tree[str]):
    """A live tree of the run's tasks. Posts `Picked` when the person moves to or selects a node."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Move", key_display="↑↓"),
        Binding("down", "cursor_down", "Move", show=False),
        Binding("enter", "select_cursor", "Select"),
    ]

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
        self.frame = 0
        self.nodes_by_id: dict[str, TreeNode[str]] = {}
        self.tasks: dict[str, Task] = {}
        self.orchestrator = OrchestratorState()
        self._keys: dict[str, tuple[object, ...]] = {}

    def on_mount(self) -> None:
        self.root.expand()
        if self.animate_spinner:
            self.set_interval(SPIN_INTERVAL_S, self._spin)

    # -- state -------------------------------------------------------------------------------

    def show(self, queue: QueueFile) -> None:
        """Bring the tree to `queue`: add new tasks, relabel changed ones, leave the rest alone."""
        self.tasks = {t.id: t for t in queue.tasks}
        self.orchestrator = queue.orchestrator
        self._relabel_root()
        for task in queue.tasks:
            node = self.nodes_by_id.get(task.id)
            if node is None:
                parent = self.nodes_by_id.get(task.enqueued_by, self.root)
                if parent is not self.root and not parent.allow_expand:
                    parent.allow_expand = True
                    parent.expand()
                node = parent.add_leaf(task_label(task, self.tasks, self.frame), data=task.id)
                self.nodes_by_id[task.id] = node
                self._keys[task.id] = self._key(task)
                continue
            key = self._key(task)
            if self._keys.get(task.id) != key:
                self._keys[task.id] = key
                node.set_label(task_label(task, self.tasks, self.frame))

    def _key(self, task: Task) -> tuple[object, ...]:
        return (display_status(task), task.label, task.attempts, tuple(task.depends_on))

    def _relabel_root(self) -> None:
        self.root.set_label(orchestrator_label(self.orchestrator, len(self.tasks), self.frame))

    def _spin(self) -> None:
        self.frame += 1
        if self.orchestrator.status == "running":
            self._relabel_root()
        for task_id, task in self.tasks.items():
            if display_status(task) == "running":
                self.nodes_by_id[task_id].set_label(task_label(task, self.tasks, self.frame))

    def status_of(self, task_id: str) -> str | None:
        task = self.tasks.get(task_id)
        return None if task is None else task.status.value

    def focus_task(self, task_id: str | None) -> None:
        """Move the cursor to a task without it counting as the person's choice."""
        node = self.root if task_id in (None, ORCHESTRATOR) else self.nodes_by_id.get(task_id or "")
        if node is not None and node.line != self.cursor_line:
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
