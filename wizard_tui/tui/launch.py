"""Starting the terminal UI from the shell: on a run, or read-only on a run dir (`watch`).

Whatever can go wrong before the screen opens (a wrong endpoint, a locked or hostile run dir,
no terminal) is one sentence on stderr and exit 2; what the run ended with is printed after
the screen closes, so it stays in the shell.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from wizard_tui.agents.base import AgentBackend
from wizard_tui.domain.commands import Invocation
from wizard_tui.domain.printable import printable
from wizard_tui.domain.settings import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, RUN_DIR_NAME
from wizard_tui.engine.run import Run, RunConfig
from wizard_tui.engine.rundir import RunSetupError
from wizard_tui.tui.app import WizardApp

if TYPE_CHECKING:  # the emitter loads when the run starts, after the first frame: see engine/run.py
    from wizard_tui.telemetry.emitter import Sink


def run_tui(config: RunConfig, backend: AgentBackend, sinks: list[Sink]) -> int:
    """Run the wizard in the terminal UI; returns the run's exit code (130 when stopped by the person)."""
    run = Run(config, backend, sinks=sinks)
    try:
        # Before the screen opens: a setup error is one sentence in the shell, and the mirror
        # starts on a run dir that holds only this run (an earlier one is archived here).
        # The backend's one-request check comes first, so a wrong endpoint writes nothing.
        problem = asyncio.run(run.preflight())
        if problem is not None:
            raise RunSetupError(problem)
        run.prepare()
    except RunSetupError as exc:
        sys.stderr.write(f"wizard-tui: {printable(str(exc))}\n")
        return EXIT_USAGE
    try:
        app = WizardApp(config.install_dir, run=run)
        app.run()
    finally:
        run.release()
    code = app.return_code if app.return_code is not None else EXIT_FAILED
    run_dir = config.install_dir / RUN_DIR_NAME
    if code == EXIT_INTERRUPTED:
        print(printable(f"Interrupted. Continue with: {config.command('--resume')}"))
    elif app.result is not None:
        print(printable(app.result.message))
        if app.applied_outcome is not None:
            print(printable(f"{app.applied_outcome.message} Undo it with `{config.sub('revert')}`."))
        elif app.result.next_step:
            print(printable(app.result.next_step))
    elif app.crash:
        print(printable(f"The run crashed: {app.crash}"))
    print(printable(f"Run dir: {run_dir}"))
    return code


def watch_tui(install_dir: Path, invocation: Invocation | None = None) -> int:
    """Attach the UI read-only to `<install_dir>/.posthog-wizard`, live or finished."""
    run_dir = install_dir / RUN_DIR_NAME
    if run_dir.is_symlink():  # a shipped link would show another folder's files as this run's
        sys.stderr.write(
            printable(f"wizard-tui: {run_dir} is a symbolic link; watch reads only a real run dir.") + "\n"
        )
        return EXIT_USAGE
    if not run_dir.is_dir():
        sys.stderr.write(
            printable(
                f"wizard-tui: there is no run in {install_dir} ({RUN_DIR_NAME} does not exist); "
                f"start one with `{(invocation or Invocation()).on(str(install_dir), None)}`."
            )
            + "\n"
        )
        return EXIT_USAGE
    if not sys.stdout.isatty() or not sys.stdin.isatty():
        sys.stderr.write("wizard-tui: watch needs a terminal; read the run dir's queue.json from scripts instead.\n")
        return EXIT_USAGE
    app = WizardApp(install_dir, invocation=invocation)
    app.run()
    return app.return_code if app.return_code is not None else EXIT_OK
