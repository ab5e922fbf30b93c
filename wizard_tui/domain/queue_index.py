"""The queue's indexes: what is ready, what must be blocked, what the guards count.

`QueueStore` applies transitions; after each it tells this index what happened, and the
index keeps its answers in step, so scheduling and guards cost O(1) per transition
instead of a scan of the whole queue (which made big queues quadratic). A new index
computes everything from the tasks it is given, after a queue file is loaded.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

from wizard_tui.domain.guards import dedup_key
from wizard_tui.domain.models import Task, TaskStatus


class QueueIndex:
    """Indexes over one queue's tasks (the store's own dict), updated by the store's transitions.

    Built from the tasks already in the dict (a loaded queue), then kept in step.
    """

    def __init__(self, tasks: dict[str, Task], *, seeding: Callable[[], bool]) -> None:
        self._tasks = tasks
        self._seeding = seeding  # the orchestrator may still enqueue: the barrier stays shut
        self.order: list[str] = []  # task ids in queue order
        self.position: dict[str, int] = {}  # task id -> its place in `order`
        self.dedup_index: dict[str, str] = {}  # dedup key -> id of a non-failed task
        self.children: dict[str, int] = {}  # enqueuer -> number of tasks it enqueued
        self._ready: set[str] = set()  # pending tasks whose dependencies are satisfied
        self._ready_heap: list[tuple[int, str]] = []  # (queue position, id), stale entries skipped
        self._unsatisfied: dict[str, int] = {}  # pending task -> dependencies not yet satisfied
        self._dependents: dict[str, list[str]] = {}  # task -> tasks that depend on it
        self._to_block: dict[str, str] = {}  # pending task -> a dependency that failed or was blocked
        # `after_others` tasks wait behind a barrier: held while seeding goes on, while any other
        # task is unfinished, or while an earlier flagged task is.
        self._held: set[str] = set()  # flagged tasks whose dependencies are satisfied, waiting
        self._ready_last: set[str] = set()  # flagged tasks released to the ready set
        self._open_others = 0  # unfinished tasks without the flag
        self._open_last: list[str] = []  # unfinished flagged tasks, in queue order
        # A loaded queue's tasks: counted first, so the barrier sees every unfinished one.
        for task in tasks.values():
            self._count_open(task)
        for task in tasks.values():
            self.added(task, counted=True)

    # -- answers -----------------------------------------------------------------------------

    def first_ready(self, limit: int) -> list[Task]:
        """The `limit` oldest ready tasks, in queue order, in O(limit log n)."""
        heap = self._ready_heap
        taken: list[tuple[int, str]] = []
        while heap and len(taken) < limit:
            entry = heapq.heappop(heap)
            if entry[1] in self._ready and not any(e[1] == entry[1] for e in taken):
                taken.append(entry)
        for entry in taken:
            heapq.heappush(heap, entry)
        return [self._tasks[task_id] for _, task_id in taken]

    def blockable(self) -> list[tuple[Task, str]]:
        """Pending tasks with a dependency that failed or was blocked."""
        return [(self._tasks[i], dep) for i, dep in self._to_block.items()]

    # -- what the store tells it -------------------------------------------------------------

    def added(self, task: Task, *, counted: bool = False) -> None:
        """`task` joined the queue (or was loaded with it, and `counted` already)."""
        if not counted:
            self._count_open(task)
        self.position[task.id] = len(self.order)
        self.order.append(task.id)
        for dep in task.depends_on:
            self._dependents.setdefault(dep, []).append(task.id)
        self.children[task.enqueued_by] = self.children.get(task.enqueued_by, 0) + 1
        if task.status != TaskStatus.FAILED:
            self.dedup_index.setdefault(dedup_key(task.type, task.inputs), task.id)
        if task.status == TaskStatus.PENDING:
            self.pending(task)

    def pending(self, task: Task) -> None:
        """`task` is pending (new, requeued or reset): count what it still waits for."""
        unsatisfied = 0
        for dep in task.depends_on:
            status = self._tasks[dep].status
            if status in (TaskStatus.FAILED, TaskStatus.BLOCKED):
                self._to_block.setdefault(task.id, dep)
            if not status.satisfied:
                unsatisfied += 1
        self._unsatisfied[task.id] = unsatisfied
        if unsatisfied == 0:
            self._mark_ready(task.id)

    def left_pending(self, task: Task) -> None:
        """`task` is no longer pending (started, failed before it started, or blocked)."""
        self._ready.discard(task.id)
        self._held.discard(task.id)
        self._ready_last.discard(task.id)
        self._unsatisfied.pop(task.id, None)
        self._to_block.pop(task.id, None)

    def failed(self, task: Task) -> None:
        """`task` failed: a task of the same type and inputs may be enqueued again."""
        key = dedup_key(task.type, task.inputs)
        if self.dedup_index.get(key) == task.id:
            del self.dedup_index[key]

    def settled(self, task: Task) -> None:
        """`task` reached a terminal status: tell its pending dependents, and open the barrier."""
        for dependent_id in self._dependents.get(task.id, ()):
            dependent = self._tasks[dependent_id]
            if dependent.status != TaskStatus.PENDING:
                continue
            if task.status.satisfied:
                left = self._unsatisfied[dependent_id] - 1
                self._unsatisfied[dependent_id] = left
                if left == 0:
                    self._mark_ready(dependent_id)
            else:
                self._to_block.setdefault(dependent_id, task.id)
        if task.after_others:
            if task.id in self._open_last:
                self._open_last.remove(task.id)
        else:
            self._open_others -= 1
        self.release()

    def release(self) -> None:
        """Let the first held `after_others` task run once the barrier opens."""
        for task_id in [t for t in self._open_last if t in self._held]:
            if self._barrier_open(task_id):
                self._held.discard(task_id)
                self._mark_ready(task_id)
            break

    # -- the ready set and the barrier -------------------------------------------------------

    def _mark_ready(self, task_id: str) -> None:
        if self._tasks[task_id].after_others:
            if not self._barrier_open(task_id):
                self._held.add(task_id)
                return
            self._ready_last.add(task_id)
        if task_id not in self._ready:
            self._ready.add(task_id)
            heapq.heappush(self._ready_heap, (self.position[task_id], task_id))

    def _barrier_open(self, task_id: str) -> bool:
        return (
            not self._seeding() and self._open_others == 0 and bool(self._open_last) and self._open_last[0] == task_id
        )

    def _count_open(self, task: Task) -> None:
        if task.status.terminal:
            return
        if task.after_others:
            self._open_last.append(task.id)
            return
        self._open_others += 1
        # A task enqueued while a flagged one waits to start closes the barrier again.
        for task_id in self._ready_last:
            self._ready.discard(task_id)
            self._held.add(task_id)
        self._ready_last.clear()
