"""The command line's parsers: the run's options and the subcommands' path argument.

Subcommands are picked by their first word in `wizard_tui.cli.main`, each with its own
argparse parser, rather than with argparse's subparsers or click: the default command takes
a PATH where a subcommand's name would go (`wizard-tui PATH`), which subparsers cannot parse
without a command word, and importing click costs more than the whole `--help` budget (at
most 4x `python -c pass`; measured with `python -X importtime`: click 30-110 ms, argparse
8-24 ms).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from wizard_tui.domain.settings import (
    EXIT_OK,
    EXIT_USAGE,
    INTERACTIVE_PACE_MS,
    MAX_CONCURRENCY,
    MAX_PACE_MS,
    MAX_TASK_CAP,
    MAX_TASKS,
)


class VersionAction(argparse.Action):
    """`--version`: read from the installed package's metadata only when asked (it costs a few ms)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> NoReturn:
        from importlib.metadata import PackageNotFoundError, version

        try:
            text = version("wizard-tui")
        except PackageNotFoundError:  # run from a checkout that was never installed
            text = "unknown (not installed; run `make setup` or `pipx install .`)"
        sys.stdout.write(f"wizard-tui {text}\n")
        parser.exit(EXIT_OK)


class Parser(argparse.ArgumentParser):
    """Usage errors are one sentence on stderr and exit 2, never a traceback."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type for a whole number in [low, high]: what the run would refuse later is refused here."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text[:40]!r} must be from {low} to {high}")
        return value

    return parse


def project_path(text: str) -> Path:
    """A project folder; an empty path is a mistake, not the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the project path is empty; pass the project's folder (use . for this one)")
    return Path(text)


def run_parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="wizard-tui",
        description=(
            "Plan a PostHog integration of a project with an orchestrator agent and drain the task "
            "queue with one fresh agent per task. A run never edits the project: it writes only "
            "PATH/.posthog-wizard/, where the proposed changes end up as one changes.patch."
        ),
        epilog=(
            "Other commands: 'wizard-tui watch PATH' attaches the UI to a run dir (read-only); "
            "'wizard-tui detect PATH [--json]' shows what detection finds; 'wizard-tui apply PATH' applies "
            "the last run's changes.patch and 'wizard-tui revert PATH' undoes it. "
            "Exit codes: 0 all tasks done, 1 failed or blocked tasks, 2 bad usage, 130 interrupted."
        ),
    )
    p.add_argument("--version", action=VersionAction, help="print the version and exit")
    p.add_argument("path", type=project_path, help="the project folder to set up")
    p.add_argument("--no-ui", action="store_true", help="plain output for CI and pipes (no terminal UI)")
    p.add_argument("--json", action="store_true", help="print events as JSON lines (implies --no-ui)")
    p.add_argument(
        "--agent",
        choices=["offline", "anthropic"],
        help="agent backend (default: anthropic when ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN is set, else offline)",
    )
    p.add_argument("--model", metavar="M", help="run every agent on model M (beats the prompts' models)")
    p.add_argument(
        "--concurrency",
        type=whole_number(1, MAX_CONCURRENCY),
        default=1,
        metavar="N",
        help=f"tasks run at once (default 1, at most {MAX_CONCURRENCY})",
    )
    p.add_argument("--no-pipeline", action="store_true", help="seed the whole queue before draining it")
    p.add_argument(
        "--max-tasks",
        type=whole_number(1, MAX_TASK_CAP),
        default=MAX_TASKS,
        metavar="N",
        help=f"queue cap (default {MAX_TASKS})",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue the unfinished run in PATH/.posthog-wizard (in a terminal, a plain run asks)",
    )
    p.add_argument("--fresh", action="store_true", help="start over; an earlier run is kept under previous/")
    p.add_argument("--no-telemetry", action="store_true", help="send no telemetry over the network")
    p.add_argument("--stub", action="store_true", help="walking skeleton: every task runs the stub body")
    p.add_argument(
        "--apply",
        action="store_true",
        help="apply the proposed changes at the end when the review task passed (undo with 'wizard-tui revert')",
    )
    p.add_argument(
        "--pace",
        type=whole_number(0, MAX_PACE_MS),
        metavar="MS",
        help=f"offline agent: each turn takes about MS ms (interactive default {INTERACTIVE_PACE_MS}, --no-ui 0)",
    )
    return p


def sub_parser(name: str, help_text: str) -> argparse.ArgumentParser:
    p = Parser(prog=f"wizard-tui {name}", description=help_text)
    p.add_argument("path", type=project_path, help="the project folder")
    return p
