"""The commands: a run (in the UI or headless), `watch`, `detect`, `apply` and `revert`, and
`main`, which picks one by the first word.

Each parses its own arguments (`parsers.py`), checks the project folder, and imports what
it needs only then, so `--help` and `detect` stay light.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # type names only: importing these at run time would slow --help
    from wizard_tui.agents.base import AgentBackend
    from wizard_tui.domain.commands import Invocation
    from wizard_tui.engine.run import RunConfig
    from wizard_tui.telemetry.emitter import Sink

from wizard_tui.cli.ask import ask_about, can_ask
from wizard_tui.cli.parsers import run_parser, sub_parser
from wizard_tui.domain.settings import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, INTERACTIVE_PACE_MS, RUN_DIR_NAME


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    """One sentence on stderr; paths and values in it may be foreign, so it is made printable."""
    from wizard_tui.domain.printable import printable

    sys.stderr.write(f"wizard-tui: {printable(message)}\n")
    return code


def detect(argv: Sequence[str]) -> int:
    """`wizard-tui detect PATH [--json]`: what detection finds, as text or JSON."""
    p = sub_parser("detect", "Show the framework, package manager, PostHog and LLM calls detection finds.")
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


def watch(argv: Sequence[str], invocation: Callable[[], Invocation]) -> int:
    """`wizard-tui watch PATH`: the UI, read-only, on a run dir another process writes."""
    p = sub_parser("watch", "Attach the terminal UI to a run dir written by another process (read-only).")
    args = p.parse_args(argv)
    from wizard_tui.engine.rundir import RunSetupError, check_install_dir

    try:
        root = check_install_dir(args.path)
    except RunSetupError as exc:
        return _fail(str(exc))
    from wizard_tui.tui.launch import watch_tui

    return watch_tui(root, invocation=invocation())


def apply_or_revert(name: str, argv: Sequence[str], invocation_of: Callable[[], Invocation]) -> int:
    """`wizard-tui apply PATH` or `wizard-tui revert PATH`: the last run's patch, all or nothing."""
    if name == "apply":
        text = "Apply the last finished run's .posthog-wizard/changes.patch to the project, every file or none."
    else:
        text = "Restore the files the last apply changed, byte for byte (refused when you changed them since)."
    args = sub_parser(name, text).parse_args(argv)
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


def run(argv: Sequence[str], invocation_of: Callable[[], Invocation]) -> int:
    """`wizard-tui PATH [options]`: a run, in the terminal UI or with --no-ui."""
    with _collector_paused():
        prepared = _prepare_run(argv, invocation_of)
        if isinstance(prepared, int):
            return prepared
        config, backend, args = prepared
        if not args.no_ui:
            if not sys.stdout.isatty() or not sys.stdin.isatty():
                return _fail("no terminal for the UI; use --no-ui for CI, pipes and logs.")
            from wizard_tui.tui.launch import run_tui
        from wizard_tui.engine.run import tune_gc
        from wizard_tui.telemetry import network_sinks

        sinks = network_sinks(disabled=args.no_telemetry)
        tune_gc()  # after every import: what start-up made is frozen out of the collector's scans
    if args.no_ui:
        return _run_headless(config, backend, sinks, json_lines=args.json)
    return run_tui(config, backend, sinks)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No garbage collection while a run's command imports and sets up.

    What start-up makes (modules, classes, pydantic's validators) lives as long as the process:
    the collector's full passes over it found next to nothing to free and cost 30-40 ms of the
    TUI's first paint (`python -m bench startup`). `tune_gc` then freezes it out of later scans.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _prepare_run(
    argv: Sequence[str], invocation_of: Callable[[], Invocation]
) -> tuple[RunConfig, AgentBackend, argparse.Namespace] | int:
    """The run's settings and backend from the command line, or the exit code of a usage error."""
    args = run_parser().parse_args(argv)
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
            return _fail(f"--model {args.model[:60]!r} is not a current Claude model; use one of {choices}.")
    from wizard_tui.engine.run import RunConfig
    from wizard_tui.engine.rundir import RunSetupError, check_install_dir

    try:
        install_dir = check_install_dir(args.path)
    except RunSetupError as exc:
        return _fail(str(exc))
    if not (args.resume or args.fresh) and can_ask():
        from wizard_tui.engine.rundir import unfinished_run

        unfinished = unfinished_run(install_dir)
        if unfinished is not None:
            choice = ask_about(unfinished, install_dir)
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
    if args.no_ui:
        # The secret scanner takes a tenth of a second or more to load: beside the run's set-up,
        # so the first tool call does not wait for it. The terminal UI draws its first frame
        # first; its run loads the scanner as it starts (`take_inventory`, in a thread).
        # Started once the command line is known good, so a usage error never waits for it; not a
        # daemon, so the process ends only after it: a daemon thread still loading a C++ extension
        # (re2) when a run ends at once, on a locked run dir say, aborts the process (exit 134).
        threading.Thread(target=_warm_secret_scanner, name="wizard-warm-scanner").start()
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
    return config, backend, args


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
        # the queue file was still written (see run_end.final_flush), so the run can be resumed.
        return _fail(f"interrupted; continue with: {config.command('--resume')}", EXIT_INTERRUPTED)


def _warm_secret_scanner() -> None:
    import contextlib

    from wizard_tui.engine.tools.secret_scan import warm_up

    with contextlib.suppress(Exception):  # the run loads it again, and reports, if this fails
        warm_up()


def _invocation(argv: Sequence[str] | None) -> Invocation:
    """How this process was started (`argv` None: from the real command line), for the hints it prints."""
    from wizard_tui.domain.commands import Invocation

    if argv is None:
        return Invocation.detect(sys.argv, executable=sys.executable, env=os.environ, cwd=os.getcwd())
    return Invocation(args=tuple(argv))


def main(argv: Sequence[str] | None = None) -> int:
    """The `wizard-tui` command: `argv` None reads the real command line; returns the exit code."""
    given = argv
    argv = list(sys.argv[1:] if argv is None else argv)
    # Worked out after parsing (so --help costs nothing for it), from what was given.
    invocation = lambda: _invocation(given)  # noqa: E731
    try:
        if argv and argv[0] == "detect":
            return detect(argv[1:])
        if argv and argv[0] == "watch":
            return watch(argv[1:], invocation)
        if argv and argv[0] in ("apply", "revert"):
            return apply_or_revert(argv[0], argv[1:], invocation)
        return run(argv, invocation)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
