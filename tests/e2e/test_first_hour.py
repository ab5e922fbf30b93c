"""A newcomer's first hour through the real command line: `make run`, the resume hint, the question
about an unfinished run, `--version` and `--json` alone."""

from __future__ import annotations

import json
import os
import pty
import select
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.support.crash import cli_env, wizard_run
from tests.support.samples import REPO, copy_sample
from wizard_tui.agents.offline import OfflineAgent
from wizard_tui.domain.models import TaskStatus
from wizard_tui.domain.persistence import read_audit, read_queue_file
from wizard_tui.domain.writers import atomic_write_model
from wizard_tui.engine.run import Run, RunConfig

SAMPLE = "nextjs-app-router"
DEADLINE_S = 60


def wait_until(predicate: Callable[[], bool], proc: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not predicate():
        assert proc.poll() is None, f"the process ended before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def make_env() -> dict[str, str]:
    # PY names this very virtualenv's Python, so `make`'s setup step sees the venv as current and
    # never rebuilds it under the running test suite.
    return {**cli_env(), "PY": sys.executable}


def unfinished_run(tmp_path: Path) -> Path:
    """A project whose run dir holds a run that did not finish (as after a kill)."""
    project = copy_sample(SAMPLE, tmp_path)
    import asyncio

    assert asyncio.run(Run(RunConfig(install_dir=project), OfflineAgent()).execute()).exit_code == 0
    queue_path = project / ".posthog-wizard" / "queue.json"
    queue = read_queue_file(queue_path)
    atomic_write_model(queue_path, queue.model_copy(update={"finished": False}))
    return project


def test_version_comes_from_the_package_metadata() -> None:
    done = wizard_run("--version")
    assert done.returncode == 0 and done.stderr == ""
    from importlib.metadata import version

    assert done.stdout == f"wizard-tui {version('wizard-tui')}\n"


def test_json_alone_implies_no_ui(tmp_path: Path) -> None:
    project = copy_sample(SAMPLE, tmp_path)
    done = wizard_run(str(project), "--json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines[-1]["kind"] == "summary" and lines[-1]["exit_code"] == 0


def test_make_run_continues_from_its_own_printed_hint(tmp_path: Path) -> None:
    """`make run`, Ctrl-C mid-run, then the printed hint as written: the same run continues to the end."""
    project = copy_sample(SAMPLE, tmp_path)
    run_dir = project / ".posthog-wizard"
    make = ["make", "-s", "run", f"SAMPLE={project}", "ARGS=--no-ui --pace 150"]
    proc = subprocess.Popen(
        make,
        cwd=REPO,
        env=make_env(),
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )

    def a_task_is_mid_run() -> bool:
        queue = read_queue_file(run_dir / "queue.json") if (run_dir / "queue.json").exists() else None
        # A task agent is at work: paced turns keep it running for a while.
        return any(t.status == TaskStatus.RUNNING for t in (queue.tasks if queue else []))

    wait_until(a_task_is_mid_run, proc, "a task ran")
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal does: the whole foreground group
    out, err = proc.communicate(timeout=DEADLINE_S)
    assert "Traceback" not in err, err
    last = out.rstrip().splitlines()[-1]
    prefix = "Interrupted. Continue with: "
    assert last.startswith(prefix), out
    hint = last.removeprefix(prefix)
    assert hint == f"make run SAMPLE={shlex.quote(str(project))} ARGS='--no-ui --pace 150 --resume'"

    # Without a terminal to ask in, a plain `make run` refuses and names both make commands.
    again = subprocess.run(make, cwd=REPO, env=make_env(), text=True, capture_output=True, timeout=DEADLINE_S)
    assert again.returncode != 0 and hint in again.stderr, again.stderr
    assert "ARGS='--no-ui --pace 150 --fresh'" in again.stderr

    resumed = subprocess.run(hint, shell=True, cwd=REPO, env=make_env(), text=True, capture_output=True, timeout=120)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    queue = read_queue_file(run_dir / "queue.json")
    # Every task satisfied: done, or skipped with its reason (the real bodies skip what does not apply).
    assert queue.finished and all(t.status.satisfied for t in queue.tasks)
    assert any(r.event == "resume" for r in read_audit(run_dir / "audit.jsonl"))


def ask(project: Path, answer: str) -> tuple[int, str]:
    """Start a plain run with a terminal on stdin and stderr, answer the question; (exit code, what it said)."""
    main, side = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "wizard_tui", str(project), "--no-ui"],
        cwd=REPO,
        env=cli_env(),
        text=True,
        stdin=side,
        stderr=side,
        stdout=subprocess.PIPE,
    )
    os.close(side)
    said = b""
    deadline = time.monotonic() + DEADLINE_S
    while b"Continue it?" not in said:
        assert time.monotonic() < deadline, f"no question asked: {said!r}"
        ready, _, _ = select.select([main], [], [], 0.1)
        if ready:
            said += os.read(main, 4096)
    os.write(main, answer.encode() + b"\n")
    proc.wait(timeout=DEADLINE_S)
    while select.select([main], [], [], 0)[0]:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the other side closed
            break
        if not chunk:
            break
        said += chunk
    os.close(main)
    assert proc.stdout is not None
    proc.stdout.close()
    return proc.returncode, said.decode("utf-8", "replace")


def test_a_plain_run_in_a_terminal_asks_and_yes_continues(tmp_path: Path) -> None:
    project = unfinished_run(tmp_path)
    code, said = ask(project, "")
    assert code == 0, said
    assert "An unfinished run" in said and "tasks finished" in said
    assert [r.event for r in read_audit(project / ".posthog-wizard" / "audit.jsonl")].count("resume") == 1


def test_no_starts_over_and_keeps_the_old_run(tmp_path: Path) -> None:
    project = unfinished_run(tmp_path)
    old = read_queue_file(project / ".posthog-wizard" / "queue.json").run_id
    code, said = ask(project, "n")
    assert code == 0, said
    assert (project / ".posthog-wizard" / "previous" / old / "queue.json").is_file()
    assert read_queue_file(project / ".posthog-wizard" / "queue.json").run_id != old


def test_quit_runs_nothing_and_says_how_to_continue(tmp_path: Path) -> None:
    project = unfinished_run(tmp_path)
    before = (project / ".posthog-wizard" / "queue.json").read_bytes()
    code, said = ask(project, "q")
    assert code == 0 and "Nothing was run. Continue later with: " in said, said
    assert (project / ".posthog-wizard" / "queue.json").read_bytes() == before


def test_headless_output_opens_with_what_detection_found(tmp_path: Path) -> None:
    project = copy_sample(SAMPLE, tmp_path)
    done = wizard_run(str(project), "--no-ui")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    found = next(i for i, line in enumerate(lines) if "Detected " in line)
    assert "Detected Next.js (app router), package manager npm, PostHog not installed yet." in lines[found]
    assert "LLM calls found (openai)" in lines[found + 1]
    # Before any task is queued, and named again in the summary.
    assert found < next(i for i, line in enumerate(lines) if " queued " in line)
    assert "  project: Next.js (app router), package manager npm, PostHog not installed yet" in lines


def test_a_folder_with_no_project_says_so_and_guesses_no_sdk(tmp_path: Path) -> None:
    project = copy_sample("no-framework", tmp_path)
    done = wizard_run(str(project), "--no-ui")
    out = done.stdout
    assert f"Nothing recognised in {project}: no framework" in out, out
    assert "no install intent is recorded" in out and "https://posthog.com/docs/libraries" in out
    assert "install intent:" not in out and "with unknown" not in out
    assert "  project: no framework recognised" in out
    assert not (project / ".posthog-wizard" / "install-intent.json").exists()


def test_an_instrumented_app_gets_a_line_saying_so(tmp_path: Path) -> None:
    project = copy_sample(SAMPLE, tmp_path)
    manifest = json.loads((project / "package.json").read_text())
    manifest["dependencies"]["posthog-js"] = "^1.200.0"
    (project / "package.json").write_text(json.dumps(manifest, indent=2))
    done = wizard_run(str(project), "--json")
    detected = [json.loads(line) for line in done.stdout.splitlines() if '"event":"detected"' in line]
    assert len(detected) == 1 and detected[0]["posthog_installed"] is True
    assert "posthog-js" in detected[0]["posthog_packages"]

    text = wizard_run(str(project), "--no-ui", "--fresh").stdout
    assert "PostHog already installed" in text
    assert "PostHog is already in this project (posthog-js): the plan keeps its setup" in text
    # The plan reflects it: init ends skipped, and its line says why.
    (init,) = [line for line in text.splitlines() if " skipped " in line and " init " in line]
    assert "already" in init and init.rstrip().endswith(")"), init
    assert "All " in text and " skipped (their handoffs say why)." in text


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file of the project but the run dir, by relative path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".posthog-wizard" not in p.relative_to(root).parts
    }


def last_command(text: str, prefix: str) -> str:
    """The command in backquotes on the last line that has `prefix` before it."""
    line = next(line for line in reversed(text.splitlines()) if prefix in line)
    return line.split(prefix, 1)[1].split("`", 2)[1]


def test_after_make_run_the_printed_apply_and_revert_commands_work_as_written(tmp_path: Path) -> None:
    """The summary says where the patch is; its apply command, then the undo command apply prints, as typed."""
    project = copy_sample("flask-app", tmp_path)
    before = tree_bytes(project)
    make = ["make", "-s", "run", f"SAMPLE={project}", "ARGS=--no-ui"]
    done = subprocess.run(make, cwd=REPO, env=make_env(), text=True, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    changes = next(line for line in lines if line.startswith("  changes: "))
    assert changes.endswith("file(s) in .posthog-wizard/changes.patch") and int(changes.split()[1]) > 0
    assert "  report: .posthog-wizard/posthog-setup-report.md" in lines
    apply = last_command(done.stdout, "then apply them with ")
    assert apply == f"make apply SAMPLE={shlex.quote(str(project))}"
    assert tree_bytes(project) == before  # the run itself wrote nothing into the project

    applied = subprocess.run(apply, shell=True, cwd=REPO, env=make_env(), text=True, capture_output=True, timeout=60)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert tree_bytes(project) != before
    revert = last_command(applied.stdout, "Undo it with ")
    assert revert == f"make revert SAMPLE={shlex.quote(str(project))}"

    reverted = subprocess.run(revert, shell=True, cwd=REPO, env=make_env(), text=True, capture_output=True, timeout=60)
    assert reverted.returncode == 0, reverted.stdout + reverted.stderr
    assert tree_bytes(project) == before
    assert "Apply it again with `make apply SAMPLE=" in reverted.stdout
