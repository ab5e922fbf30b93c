"""The mirror's file reading, without Textual: torn lines, foreign runs, bad files."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text
from watchfiles import Change

from tests.support.run_dirs import RUN_ID, ScriptedRun, finished, finished_with_changes, mid_run, seed
from wizard_tui.domain.patch import FileChange
from wizard_tui.domain.persistence import RunPaths
from wizard_tui.domain.writers import atomic_write_text
from wizard_tui.engine.rundir import archive_previous
from wizard_tui.tui.mirror import JsonlTail, RunDirReader
from wizard_tui.tui.run_view import Phase
from wizard_tui.tui.widgets.task_tree import task_label, task_rows


def test_tail_keeps_a_line_without_its_newline_for_later(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    tail = JsonlTail(path)
    assert tail.read_new() == []
    path.write_text('{"a": 1}\n{"b": 2')
    assert tail.read_new() == [{"a": 1}]
    with path.open("a") as handle:
        handle.write('}\nnot json\n{"c": 3}\n')
    assert tail.read_new() == [{"b": 2}, {"c": 3}]
    assert tail.read_new() == []


def test_tail_starts_over_when_the_file_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_text('{"old": 1}\n{"old": 2}\n')
    tail = JsonlTail(path)
    assert len(tail.read_new()) == 2
    atomic_write_text(path, '{"new": 1}\n')
    assert tail.read_new() == [{"new": 1}]


@given(st.lists(st.integers(min_value=0, max_value=40), max_size=8))
def test_tail_reads_every_line_exactly_once_however_the_writes_are_split(cuts: list[int]) -> None:
    import tempfile

    lines = [f'{{"n": {i}}}\n' for i in range(10)]
    data = "".join(lines)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.jsonl"
        path.write_text("")
        tail = JsonlTail(path)
        got: list[dict[str, int]] = []
        pos = 0
        for cut in sorted(cuts):
            with path.open("a") as handle:
                handle.write(data[pos : max(pos, cut)])
            pos = max(pos, cut)
            got += tail.read_new()
        with path.open("a") as handle:
            handle.write(data[pos:])
        got += tail.read_new()
    assert got == [{"n": i} for i in range(10)]


def test_reader_reads_a_run_and_then_only_what_changed(tmp_path: Path) -> None:
    run = mid_run(tmp_path)
    reader = RunDirReader(RunPaths(tmp_path))
    view, events = reader.poll()
    assert view is not None and view.queue is not None and view.queue.run_id == RUN_ID and events
    assert set(view.handoffs) == {"t-001", "t-002", "t-004"}
    assert view.phase == Phase.RUNNING
    assert reader.poll() == (None, [])  # nothing changed since

    run.finish("t-003")
    run.write()
    view, events = reader.poll()
    assert view is not None and "t-003" in view.handoffs
    assert [e.event for e in events if e.event == "complete"] == ["complete"]


def test_another_run_in_the_dir_starts_the_picture_over(tmp_path: Path) -> None:
    run = mid_run(tmp_path)
    run.store.interrupt("t-003")
    run.store.audit("interrupted")
    run.close()
    reader = RunDirReader(RunPaths(tmp_path))
    first, _ = reader.poll()
    assert first is not None and first.phase == Phase.INTERRUPTED

    archive_previous(run.paths, RUN_ID)  # what the next run's `prepare` does
    fresh = ScriptedRun(tmp_path, run_id="20260102-090000-def456")
    seed(fresh)
    fresh.write()
    view, events = reader.poll()
    assert view is not None and view.queue is not None and view.queue.run_id == "20260102-090000-def456"
    assert view.handoffs == {} and view.phase == Phase.RUNNING
    assert events and {e.run_id for e in events} == {"20260102-090000-def456"}


def test_the_end_of_a_run_is_read_from_its_files(tmp_path: Path) -> None:
    finished(tmp_path)
    view, _ = RunDirReader(RunPaths(tmp_path)).poll()
    assert view is not None and view.phase == Phase.FINISHED
    assert view.figures["tasks_done"] == 8 and view.run_error is None


def test_reader_reads_events_in_time_order(tmp_path: Path) -> None:
    finished(tmp_path)
    reader = RunDirReader(RunPaths(tmp_path))
    _, events = reader.poll()
    assert [e.ts for e in events] == sorted(e.ts for e in events)
    assert {e.event for e in events} >= {"enqueue", "start", "complete", "agent"}


def test_only_the_files_the_view_is_built_from_wake_the_mirror() -> None:
    reader = RunDirReader(RunPaths(Path("/p")))
    root = "/p/.posthog-wizard"
    for name in ("queue.json", "audit.jsonl", "changes.patch", "handoffs/t-001.json", "diffs/t-001.patch"):
        assert reader.relevant(Change.modified, f"{root}/{name}"), name
    for name in (".queue.json.abc.tmp", "markers/t-001.txt", "previous/r1/queue.json", "previous/r1/handoffs/t.json"):
        assert not reader.relevant(Change.added, f"{root}/{name}"), name
    assert not reader.relevant(Change.added, f"{root}/handoffs/.t-001.json.abc.tmp")


def test_a_label_with_markup_is_shown_as_written(tmp_path: Path) -> None:
    run = mid_run(tmp_path)
    run.store.tasks["t-007"].label = "[bold red]not markup[/] [link=x]"
    label = task_label(task_rows(run.store.snapshot())["t-007"])
    assert isinstance(label, Text)
    assert "[bold red]not markup[/] [link=x]" in label.plain


def test_the_reader_reads_each_tasks_diff_and_the_patch(tmp_path: Path) -> None:
    run = finished_with_changes(tmp_path)
    reader = RunDirReader(RunPaths(tmp_path))
    view, _ = reader.poll()
    assert view is not None and set(view.diffs) == {"t-001", "t-002"}
    assert '+    "posthog-js": "^1.260.0"' in view.diffs["t-001"]
    assert view.patch is not None and view.patch == view.diffs["t-002"] + view.diffs["t-001"]  # in path order

    run.paths.changes_patch.unlink()  # a new attempt of the run removes a stale patch
    view, _ = reader.poll()
    assert view is not None and view.patch is None


def test_a_diff_with_control_characters_is_shown_as_escapes(tmp_path: Path) -> None:
    run = mid_run(tmp_path)
    run.propose("t-001", [FileChange("x.js", b"a\n", b"a\nconsole.log('\x1b[2J')\n", 0o644)])
    view, _ = RunDirReader(RunPaths(tmp_path)).poll()
    assert view is not None and "\x1b" not in view.diffs["t-001"] and "\\x1b[2J" in view.diffs["t-001"]


# -- a foreign run dir (`watch` on a project someone shipped) --------------------------------------

LEAK = "OUTSIDE-LEAK-5f3e"
HOSTILE_FILES = ["queue.json", "audit.jsonl", "handoffs/t-001.json", "diffs/t-002.patch", "changes.patch"]


def plant(project: Path, rel: str, kind: str, outside: Path) -> None:
    """Put a link out of the run dir, a FIFO or a file over every cap where `rel` was."""
    path = project / ".posthog-wizard" / rel
    if kind == "link":
        # A copy of the real file with a word only the outside copy holds; as a regular file in
        # the run dir it would be shown, so the test can tell a link that was followed.
        text = re.sub("(?i)posthog", LEAK, path.read_text())
        assert LEAK in text
        path.write_text(text)
        assert LEAK in repr(RunDirReader(RunPaths(project)).poll())
        target = outside / rel.replace("/", "_")
        path.rename(target)
        path.symlink_to(target)
    elif kind == "fifo":
        path.unlink()
        os.mkfifo(path)
    else:  # sparse: 64 MB on paper, nothing on disk
        with path.open("r+b") as handle:
            handle.truncate(64 * 1024 * 1024)


@pytest.mark.parametrize("kind", ["link", "fifo", "huge"])
@pytest.mark.parametrize("rel", HOSTILE_FILES)
def test_the_mirror_reads_only_regular_files_within_their_cap(tmp_path: Path, rel: str, kind: str) -> None:
    """Each file the picture is built from, replaced by a link out, a FIFO or a huge file: read past, never hung on."""
    project, outside = tmp_path / "app", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    finished_with_changes(project)
    plant(project, rel, kind, outside)
    polled: list[object] = []
    reader = RunDirReader(RunPaths(project))
    # A FIFO opened for reading without O_NONBLOCK waits for a writer forever: poll in a thread.
    worker = threading.Thread(target=lambda: polled.append(reader.poll()), daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), f"the mirror hung on {rel} ({kind})"
    assert polled, "poll raised"
    view = reader.view()
    assert LEAK not in repr(view) and LEAK not in repr(polled)
    name = Path(rel).name
    if rel == "queue.json":
        assert view.queue is None  # nothing but a regular file is the run's queue
    elif rel.startswith("handoffs/"):
        assert view.queue is not None and name.removesuffix(".json") not in view.handoffs
    elif rel.startswith("diffs/"):
        assert name.removesuffix(".patch") not in view.diffs
    elif rel == "changes.patch":
        assert view.patch is None
