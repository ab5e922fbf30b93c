"""A run's lifecycle as the UI models it (once), from its files alone: no app needed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.support.run_dirs import START, ScriptedRun, failed_and_blocked, finished, mid_run, seed
from wizard_tui.domain.models import ORCHESTRATOR, TaskError
from wizard_tui.domain.persistence import RunPaths, read_audit
from wizard_tui.tui.event_words import EventWords
from wizard_tui.tui.handoff_markdown import task_markdown
from wizard_tui.tui.mirror import RunDirReader
from wizard_tui.tui.run_view import EMPTY_VIEW, Phase, RunView, display_status, figures_text, verdict_line


def _view(install_dir: Path) -> RunView:
    view, _ = RunDirReader(RunPaths(install_dir)).poll()
    assert view is not None
    return view


def test_a_run_moves_from_waiting_to_running_to_finished(install_dir: Path) -> None:
    assert EMPTY_VIEW.phase == Phase.WAITING
    assert verdict_line(EMPTY_VIEW).message == ""
    run = mid_run(install_dir)
    running = _view(install_dir)
    assert running.phase == Phase.RUNNING and verdict_line(running).message == ""
    later = START + timedelta(hours=1)
    assert running.elapsed_s(later) == 3600  # a live run's clock moves

    for task_id in list(run.store.tasks):
        if run.store.tasks[task_id].status in ("pending", "running"):
            if run.store.tasks[task_id].status == "pending":
                run.start(task_id)
            run.finish(task_id)
    run.store.mark_finished()
    run.write()
    done = _view(install_dir)
    assert done.phase == Phase.FINISHED
    assert done.elapsed_s(later) == (done.queue.updated_at - done.queue.created_at).total_seconds()  # type: ignore[union-attr]
    assert verdict_line(done) == verdict_line(done)  # a pure function of the view
    assert verdict_line(done).message.startswith("All 8 tasks done.") and verdict_line(done).kind == "ok"


def test_interrupted_is_decided_in_one_place(install_dir: Path) -> None:
    run = mid_run(install_dir)
    run.store.interrupt("t-003")
    run.write()
    view = _view(install_dir)
    task = next(t for t in view.queue.tasks if t.id == "t-003")  # type: ignore[union-attr]
    assert display_status(task) == "interrupted" and view.phase == Phase.INTERRUPTED
    line = verdict_line(view)
    assert "--resume" in line.message and line.kind == "failed"
    assert view.elapsed_s(START + timedelta(hours=1)) < 3600  # the clock stopped with the run


def test_a_stop_between_tasks_is_read_from_the_audit(install_dir: Path) -> None:
    run = mid_run(install_dir)
    run.finish("t-003")  # nothing running when the stop lands
    run.store.audit("interrupted")
    run.write()
    reader = RunDirReader(RunPaths(install_dir))
    view, _ = reader.poll()
    assert view is not None and view.stopped and view.phase == Phase.INTERRUPTED
    run.store.audit("resume", set_aside=[])  # `--resume` picks it up again
    run.close()
    view, _ = reader.poll()
    assert view is not None and not view.stopped and view.phase == Phase.RUNNING


def test_a_retry_shows_as_a_retry(install_dir: Path) -> None:
    run = mid_run(install_dir)
    run.retry("t-003", "no report")
    run.write()
    task = next(t for t in _view(install_dir).queue.tasks if t.id == "t-003")  # type: ignore[union-attr]
    assert display_status(task) == "retry"
    task.error = TaskError(kind="interrupted", message="x")
    assert display_status(task) == "retry"  # pending: not running, so not interrupted


def test_the_verdict_names_failures_and_a_backend_error_with_what_to_do(install_dir: Path) -> None:
    failed_and_blocked(install_dir)
    view = _view(install_dir)
    line = verdict_line(view)
    assert line.kind == "failed" and "failed: t-002" in line.message and "1 retried" in line.message
    broken = RunView(view.queue, run_error="cannot reach the API (connection refused)")
    message = verdict_line(broken).message
    assert "connection refused" in message and "--agent offline" in message
    assert verdict_line(view, stopping=True).kind == "stopping"
    assert verdict_line(view, crash="RuntimeError: boom").message.startswith("The run crashed: RuntimeError: boom")


def test_figures_keep_numbers_and_units_together(install_dir: Path) -> None:
    finished(install_dir)
    text = figures_text(_view(install_dir).figures)
    assert text == " Took 6.00s (first task after 250ms, longest silence 500ms, 2 follow-up task(s))."
    assert figures_text({}) == ""


def test_a_wait_on_the_model_api_shows_while_it_lasts(install_dir: Path) -> None:
    run = mid_run(install_dir)
    run.api_wait("t-003", "identify", wait_s=4.0, attempt=2)
    run.write()
    reader = RunDirReader(RunPaths(install_dir))
    view, _ = reader.poll()
    assert view is not None and set(view.waits) == {"t-003"}
    now = run.clock.now()
    line = verdict_line(view, now=now)
    assert line.kind == "waiting"
    assert line.message == (
        "Waiting on the model API: t-003 (identify): model API retry 2 of 6 in 4.0s"
        " — 529 overloaded_error: Overloaded (4s left)"
    )
    assert "(1s left)" in verdict_line(view, now=now + timedelta(seconds=3.5)).message
    assert verdict_line(view, now=now + timedelta(seconds=4)).message == ""  # the wait is over

    run.finish("t-003")  # its agent got through and the task reported: no wait any more
    run.write()
    view, _ = reader.poll()
    assert view is not None and view.waits == {}
    assert verdict_line(view, now=now).message == ""


def test_the_orchestrators_wait_ends_with_its_seeding(install_dir: Path) -> None:
    run = ScriptedRun(install_dir)
    run.store.set_orchestrator("running")
    run.api_wait(ORCHESTRATOR, "integrate-posthog", wait_s=30)
    run.write()
    reader = RunDirReader(RunPaths(install_dir))
    view, _ = reader.poll()
    assert view is not None and verdict_line(view, now=run.clock.now()).kind == "waiting"
    run.store.set_orchestrator("failed", TaskError(kind="agent-error", message="could not reach the API"))
    run.write()
    view, _ = reader.poll()
    assert view is not None and view.waits == {}


def test_every_offset_on_screen_counts_from_the_runs_first_fact(install_dir: Path) -> None:
    """The queue is made while the UI starts, before the run's first fact: the viewer's task
    timings and the header's clock count from that fact, as the event log and the summary do."""
    run = ScriptedRun(install_dir)  # queue.json's creation, at START
    run.later(0.4)  # the TUI's own start-up, before the run begins
    ids = seed(run)  # the first fact, 0.4 s after the queue was made; seeding takes 1 s
    run.start(ids["install"])
    run.finish(ids["install"])
    run.write()
    view = _view(install_dir)
    assert view.started_at == START + timedelta(seconds=0.4)
    task = next(t for t in view.queue.tasks if t.id == ids["install"])  # type: ignore[union-attr]

    words = EventWords()
    stamps = {}
    for record in read_audit(run.paths.audit):
        entry = words.entry(record)
        if entry is not None and record.task_id == task.id:
            stamps[record.event] = entry.text.split()[0]
    assert stamps["start"] == "1.25s" and stamps["complete"] == "1.75s"

    document = task_markdown(task, view.queue, start=view.origin)  # type: ignore[arg-type]
    assert "Started +1.25s · finished +1.75s" in document
    assert view.elapsed_s(START + timedelta(hours=1)) == 3600 - 0.4  # still running: the clock counts from the fact
