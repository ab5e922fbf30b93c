"""Command line: `wizard-tui PATH [options]`, `wizard-tui watch PATH`, `wizard-tui detect PATH`.

Imports stay lazy: `--no-ui` and `detect` never load Textual, and `--help` loads nothing heavy
(not even asyncio: bench/bench_startup.py holds `--help` to 4x `python -c pass`).

Subcommands are picked by their first word in `main`, each with its own argparse parser,
rather than with argparse's subparsers or click: the default command takes a PATH where a
subcommand's name would go (`wizard-tui PATH`), which subparsers cannot parse without a
command word, and importing click costs more than the whole `--help` budget (at most 4x
`python -c pass`; measured with `python -X importtime`: click 30-110 ms, argparse 8-24 ms).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:  # type names only: importing these at run time would slow --help
    from wizard_tui.agents.base import AgentBackend
    from wizard_tui.domain.commands import Invocation
    from wizard_tui.domain.models import QueueFile
    from wizard_tui.engine.run import RunConfig
    from wizard_tui.telemetry.emitter import Sink

from wizard_tui.domain.settings import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    INTERACTIVE_PACE_MS,
    MAX_CONCURRENCY,
    MAX_PACE_MS,
    MAX_TASK_CAP,
    MAX_TASKS,
    RUN_DIR_NAME,
)


class _Version(argparse.Action):
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


class _Parser(argparse.ArgumentParser):
    """Usage errors are one sentence on stderr and exit 2, never a traceback."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _whole_number(low: int, high: int) -> Callable[[str], int]:
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


def _project_path(text: str) -> Path:
    """A project folder; an empty path is a mistake, not the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the project path is empty; pass the project's folder (use . for this one)")
    return Path(text)


def run_parser() -> argparse.ArgumentParser:
    p = _Parser(
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
    p.add_argument("--version", action=_Version, help="print the version and exit")
    p.add_argument("path", type=_project_path, help="the project folder to set up")
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
        type=_whole_number(1, MAX_CONCURRENCY),
        default=1,
        metavar="N",
        help=f"tasks run at once (default 1, at most {MAX_CONCURRENCY})",
    )
    p.add_argument("--no-pipeline", action="store_true", help="seed the whole queue before draining it")
    p.add_argument(
        "--max-tasks",
        type=_whole_number(1, MAX_TASK_CAP),
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
        type=_whole_number(0, MAX_PACE_MS),
        metavar="MS",
        help=f"offline agent: each turn takes about MS ms (interactive default {INTERACTIVE_PACE_MS}, --no-ui 0)",
    )
    return p


def _sub_parser(name: str, help_text: str) -> argparse.ArgumentParser:
    p = _Parser(prog=f"wizard-tui {name}", description=help_text)
    p.add_argument("path", type=_project_path, help="the project folder")
    return p


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    """One sentence on stderr; paths and values in it may be foreign, so it is made printable."""
    from wizard_tui.domain.printable import printable

    sys.stderr.write(f"wizard-tui: {printable(message)}\n")
    return code


def _detect(argv: Sequence[str]) -> int:
    p = _sub_parser("detect", "Show the framework, package manager, PostHog and LLM calls detection finds.")
    p.add_argument("--json", action="store_true", help="print the detect_framework tool's JSON")
    args = p.parse_args(argv)
    from wizard_tui.detection import detect_project, format_detection
    from wizard_tui.engine.rundir import RunSetupError, check_install_dir

    try:
        root = check_install_dir(args.path)
    except RunSetupError as exc:
        return _fail(str(exc))
    result = detect_project(root)
    if args.json:
        import json

        print(json.dumps(result.model_dump(mode="json"), indent=2))
    else:
        print(format_detection(result))
    return EXIT_OK


def _watch(argv: Sequence[str], invocation: Callable[[], Invocation]) -> int:
    p = _sub_parser("watch", "Attach the terminal UI to a run dir written by another process (read-only).")
    args = p.parse_args(argv)
    from wizard_tui.engine.rundir import RunSetupError, check_install_dir

    try:
        root = check_install_dir(args.path)
    except RunSetupError as exc:
        return _fail(str(exc))
    from wizard_tui.tui.app import watch_tui

    return watch_tui(root, invocation=invocation())


def _apply_or_revert(name: str, argv: Sequence[str], invocation_of: Callable[[], Invocation]) -> int:
    if name == "apply":
        text = "Apply the last finished run's .posthog-wizard/changes.patch to the project, every file or none."
    else:
        text = "Restore the files the last apply changed, byte for byte (refused when you changed them since)."
    args = _sub_parser(name, text).parse_args(argv)
    from wizard_tui.domain.printable import path_text, printable
    from wizard_tui.engine.apply import ApplyError, apply_changes, revert_changes
    from wizard_tui.engine.rundir import RunSetupError, check_install_dir

    try:
        root = check_install_dir(args.path)
        outcome = apply_changes(root) if name == "apply" else revert_changes(root)
    except (RunSetupError, ApplyError) as exc:
        return _fail(str(exc))
    for label, rels in (("changed", outcome.written), ("created", outcome.created), ("removed", outcome.removed)):
        for rel in rels:
            print(f"  {label:<8} {printable(rel)}")
    if name == "apply":
        step = f" Undo it with `{invocation_of().sub('revert', path_text(args.path))}`."
    else:
        step = (
            f" Apply it again with `{invocation_of().sub('apply', path_text(args.path))}`."
            if outcome.written or outcome.removed
            else ""
        )
    print(printable(outcome.message + step))
    return EXIT_OK


def choose_backend(agent: str | None, pace_ms: int) -> tuple[AgentBackend, str] | str:
    """The backend object and its name, or a sentence saying why none can run."""
    credential = any(os.environ.get(v, "").strip() for v in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"))
    name = agent or ("anthropic" if credential else "offline")
    if name == "anthropic":
        if not credential:
            return (
                "--agent anthropic needs ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) in the environment "
                "(or use --agent offline)."
            )
        from wizard_tui.agents.anthropic_agent import AnthropicAgent

        # The SDK reads the credential, ANTHROPIC_BASE_URL and ANTHROPIC_CUSTOM_HEADERS itself.
        return AnthropicAgent(), name
    from wizard_tui.agents.offline import OfflineAgent

    return OfflineAgent(pace_s=pace_ms / 1000), name


def _run(argv: Sequence[str], invocation_of: Callable[[], Invocation]) -> int:
    args = run_parser().parse_args(argv)
    # The secret scanner takes most of a second to import: load it beside the start-up work.
    threading.Thread(target=_warm_secret_scanner, name="wizard-warm-scanner", daemon=True).start()
    from dataclasses import replace

    from wizard_tui.domain.printable import path_text

    # Hints name the folder as the person typed it (`.` stays `.`).
    invocation = replace(invocation_of(), path=path_text(args.path))
    args.no_ui = args.no_ui or args.json  # JSON lines are for programs: no terminal UI
    if args.resume and args.fresh:
        return _fail("--resume and --fresh cannot be used together.")
    if args.model is not None:
        from wizard_tui.domain.claude_models import current_ids, lookup

        if lookup(args.model) is None:
            choices = ", ".join(current_ids())
            return _fail(f"--model {args.model!r} is not a current Claude model; use one of {choices}.")
    from wizard_tui.engine.run import RunConfig
    from wizard_tui.engine.rundir import RunSetupError, check_install_dir

    try:
        install_dir = check_install_dir(args.path)
    except RunSetupError as exc:
        return _fail(str(exc))
    if not (args.resume or args.fresh) and _can_ask():
        from wizard_tui.engine.rundir import unfinished_run

        unfinished = unfinished_run(install_dir)
        if unfinished is not None:
            choice = _ask_about(unfinished, install_dir)
            if choice is None:
                from wizard_tui.domain.printable import printable

                sys.stderr.write(
                    printable(f"Nothing was run. Continue later with: {invocation.again('--resume')}") + "\n"
                )
                return EXIT_OK
            args.resume, args.fresh = choice == "resume", choice == "fresh"
    pace = args.pace if args.pace is not None else (0 if args.no_ui else INTERACTIVE_PACE_MS)
    chosen = choose_backend(args.agent, pace)
    if isinstance(chosen, str):
        return _fail(chosen)
    backend, _name = chosen
    config = RunConfig(
        install_dir=install_dir,
        model=args.model,
        concurrency=args.concurrency,
        pipeline=not args.no_pipeline,
        max_tasks=args.max_tasks,
        resume=args.resume,
        fresh=args.fresh,
        stub=args.stub,
        apply=args.apply,
        invocation=invocation,
    )
    from wizard_tui.engine.run import tune_gc
    from wizard_tui.telemetry import network_sinks

    sinks = network_sinks(disabled=args.no_telemetry)
    tune_gc()
    if args.no_ui:
        return _run_headless(config, backend, sinks, json_lines=args.json)
    if not sys.stdout.isatty() or not sys.stdin.isatty():
        return _fail("no terminal for the UI; use --no-ui for CI, pipes and logs.")
    from wizard_tui.tui.app import run_tui

    return run_tui(config, backend, sinks)


def _run_headless(config: RunConfig, backend: AgentBackend, sinks: list[Sink], *, json_lines: bool) -> int:
    import asyncio
    import contextlib
    import signal

    from wizard_tui.engine.run import Run
    from wizard_tui.headless import HeadlessPrinter

    printer = HeadlessPrinter(json_lines=json_lines, project=str(config.install_dir))
    run = Run(config, backend, sinks=sinks)
    run.bus.subscribe(printer)

    async def main() -> int:
        loop = asyncio.get_running_loop()
        current = asyncio.current_task()
        assert current is not None
        for sig in (signal.SIGINT, signal.SIGTERM):
            # Not the main thread, or no signals on this platform: Ctrl-C still raises.
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, current.cancel)
        result = await run.execute()
        if result.verdict is None and result.exit_code == EXIT_USAGE:
            return _fail(result.message, result.exit_code)
        printer.summary(result, str(config.install_dir / RUN_DIR_NAME), run.backend.name)
        if result.exit_code == EXIT_USAGE:  # e.g. a rejected API key: the sentence goes to stderr too
            _fail(result.message)
        return result.exit_code

    try:
        return asyncio.run(main())
    except (KeyboardInterrupt, asyncio.CancelledError):
        # A second signal while the first was being handled, or one after the run's last await:
        # the queue file was still written (see Run._final_flush), so the run can be resumed.
        return _fail(f"interrupted; continue with: {config.command('--resume')}", EXIT_INTERRUPTED)


def _can_ask() -> bool:
    """A person is at the keyboard: the question goes to stderr, the answer comes from stdin."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def _ask_about(queue: QueueFile, install_dir: Path) -> str | None:
    """Ask whether to continue an unfinished run: "resume", "fresh", or None to do nothing."""
    from wizard_tui.domain.printable import printable

    finished = sum(1 for t in queue.tasks if t.status.terminal)
    where = install_dir / RUN_DIR_NAME
    sys.stderr.write(
        printable(f"An unfinished run ({queue.run_id}, {finished} of {len(queue.tasks)} tasks finished) is in {where}.")
        + "\n"
    )
    while True:
        sys.stderr.write("Continue it? [Y]es / [n]o, start over (the old run is kept under previous/) / [q]uit: ")
        sys.stderr.flush()
        try:
            answer = sys.stdin.readline()
        except KeyboardInterrupt:
            answer = ""
        if not answer:  # end of input or Ctrl-C: do nothing
            sys.stderr.write("\n")
            return None
        word = answer.strip().lower()
        if word in ("", "y", "yes"):
            return "resume"
        if word in ("n", "no"):
            return "fresh"
        if word in ("q", "quit"):
            return None


def _warm_secret_scanner() -> None:
    import contextlib

    from wizard_tui.engine.tools.secrets import warm_up

    with contextlib.suppress(Exception):  # the run loads it again, and reports, if this fails
        warm_up()


def _invocation(argv: Sequence[str] | None) -> Invocation:
    """How this process was started (`argv` None: from the real command line), for the hints it prints."""
    from wizard_tui.domain.commands import Invocation

    if argv is None:
        return Invocation.detect(sys.argv, executable=sys.executable, env=os.environ, cwd=os.getcwd())
    return Invocation(args=tuple(argv))


def main(argv: Sequence[str] | None = None) -> int:
    given = argv
    argv = list(sys.argv[1:] if argv is None else argv)
    # Worked out after parsing (so --help costs nothing for it), from what was given.
    invocation = lambda: _invocation(given)  # noqa: E731
    try:
        if argv and argv[0] == "detect":
            return _detect(argv[1:])
        if argv and argv[0] == "watch":
            return _watch(argv[1:], invocation)
        if argv and argv[0] in ("apply", "revert"):
            return _apply_or_revert(argv[0], argv[1:], invocation)
        return _run(argv, invocation)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
