"""Start-up cost, next to `python -c pass` in the same run: `--help`, `detect`, a headless run, the TUI's first paint.

Every command runs once per round, the rounds interleaved, and each keeps its best time, so
a machine that gets busier halfway through slows all of them alike and the ratios hold.
The TUI is started for real in a pseudo-terminal of 80x24 (as a person would start it) and
timed until its first frame is on the terminal (the task tree's title has been drawn);
then it gets Ctrl-C like a person's, and its exit is waited for.
Also checks that `--help` and `--no-ui` import neither Textual nor the anthropic SDK.

Targets: `--help` at most 4x `python -c pass`; the TUI's first paint under 0.5 s.

Run: .venv/bin/python -m bench startup
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SMALLEST = "no-framework"
SAMPLE = "nextjs-app-router"
ROUNDS = 7
PAINT_ROUNDS = 5
HELP_TARGET = 4.0
PAINT_TARGET_S = 0.5
FIRST_FRAME = b"Tasks"  # the task tree's border title: in the first full frame at any size
DEADLINE_S = 60


def _env() -> dict[str, str]:
    # No key: the offline agent, no network. Bytecode caching on, as for anyone who installed
    # the tool: with PYTHONDONTWRITEBYTECODE every start would compile our modules again.
    dropped = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "POSTHOG_PROJECT_API_KEY", "PYTHONDONTWRITEBYTECODE")
    return {k: v for k, v in os.environ.items() if k not in dropped}


def _program() -> list[str]:
    """The console script a person types, next to this interpreter; `python -m` when there is none."""
    script = Path(sys.executable).parent / "wizard-tui"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "wizard_tui"]


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, env=_env(), cwd=REPO)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{cmd} failed: {done.stderr.decode()[-500:]}")
    return elapsed


def first_paint(cmd: list[str], *, cols: int = 80, rows: int = 24) -> float:
    """Seconds from starting `cmd` in a pseudo-terminal until its first frame is on the screen."""
    main, side = pty.openpty()
    fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    env = {**_env(), "TERM": "xterm-256color"}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=side, stdout=side, stderr=side, cwd=REPO, env=env, start_new_session=True)
    os.close(side)
    seen = b""
    painted: float | None = None
    try:
        while painted is None and time.perf_counter() - started < DEADLINE_S:
            if select.select([main], [], [], 0.05)[0]:
                try:
                    seen += os.read(main, 65536)
                except OSError:  # the program ended and closed the terminal
                    break
                if FIRST_FRAME in seen:
                    painted = time.perf_counter() - started
        os.write(main, b"\x03")  # Ctrl-C: the app stops the run cleanly and exits
        _drain_until_exit(main, proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(main)
    if painted is None:
        raise RuntimeError(f"{cmd} drew no frame in {DEADLINE_S} s: {seen[-300:]!r}")
    return painted


def _drain_until_exit(main: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.perf_counter() + DEADLINE_S
    while proc.poll() is None and time.perf_counter() < deadline:
        if select.select([main], [], [], 0.05)[0]:
            try:
                os.read(main, 65536)
            except OSError:
                return


def heavy_imports(args: list[str]) -> list[str]:
    code = (
        "import sys\nfrom wizard_tui.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('textual', 'anthropic', 'posthog', 'watchfiles') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=_env(), cwd=REPO)
    return list(eval(out.stdout.strip().splitlines()[-1]))


def interleaved(commands: dict[str, Callable[[], float]], rounds: int) -> dict[str, float]:
    """Best time of each command over `rounds` rounds, one run of each per round."""
    best = dict.fromkeys(commands, float("inf"))
    for _ in range(rounds):
        for name, measure in commands.items():
            best[name] = min(best[name], measure())
    return best


def run() -> list[tuple[str, str, str]]:
    program = _program()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="wizard-bench-") as tmp:
        smallest = Path(tmp) / SMALLEST
        shutil.copytree(REPO / "sample_projects" / SMALLEST, smallest)
        sample = Path(tmp) / SAMPLE
        shutil.copytree(REPO / "sample_projects" / SAMPLE, sample)
        best = interleaved(
            {
                "pass": lambda: timed([sys.executable, "-c", "pass"]),
                "help": lambda: timed([*program, "--help"]),
                "detect": lambda: timed([*program, "detect", str(sample)]),
                "headless": lambda: timed([*program, str(smallest), "--no-ui", "--fresh"]),
            },
            ROUNDS,
        )
        paint = interleaved(
            {
                "pass": lambda: timed([sys.executable, "-c", "pass"]),
                "paint": lambda: first_paint([*program, str(sample), "--fresh"]),
            },
            PAINT_ROUNDS,
        )
        help_imports = heavy_imports(["--help"])
        run_imports = heavy_imports([str(smallest), "--no-ui", "--fresh"])
    base = best["pass"]
    load = f"load average {load_before:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"

    def figure(seconds: float, baseline: float = base) -> str:
        return f"{seconds * 1000:.0f} ms ({seconds / baseline:.1f}x python)"

    help_ok = best["help"] / base <= HELP_TARGET and not help_imports
    return [
        (
            "start-up: python -c pass",
            f"{base * 1000:.0f} ms (in the paint rounds {paint['pass'] * 1000:.0f} ms)",
            f"baseline; {load}",
        ),
        (
            "start-up: wizard-tui --help",
            figure(best["help"]),
            f"<= {HELP_TARGET:.0f}x, imports nothing heavy: {', '.join(help_imports) or 'none'} "
            f"({'ok' if help_ok else 'MISSED'})",
        ),
        (f"start-up: wizard-tui detect {SAMPLE}", figure(best["detect"]), "info"),
        (
            f"start-up: headless run on {SMALLEST}",
            figure(best["headless"]),
            "no Textual in --no-ui: " + ("ok" if "textual" not in run_imports else "MISSED"),
        ),
        (
            "start-up: TUI first paint (80x24 pty)",
            figure(paint["paint"], paint["pass"]),
            f"< {PAINT_TARGET_S * 1000:.0f} ms ({'ok' if paint['paint'] < PAINT_TARGET_S else 'MISSED'})",
        ),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    for row in run():
        print(" | ".join(row))
