"""Patterns that wedge a backtracking engine, and a real run busy with them, for tests and the bench.

`interrupt_busy_run` starts `wizard-tui --no-ui --agent anthropic` on a project of lines built
for exponential backtracking, against a loopback model that does nothing but search with
those patterns, sends SIGINT once the run is busy, and says how long the process took to stop.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.crash import cli_env
from tests.support.fakes.messages_api import VALID_KEY, FakeMessagesAPI, RecordedRequest, Reply, Turn, tool_use
from tests.support.samples import REPO
from tests.support.trees import write_tree

# Nested and overlapping repeats, alternations that overlap, repeated wildcards: each takes
# exponential or high-polynomial time on a backtracking engine over the lines below.
CATASTROPHIC = [
    r"(a+)+$",
    r"(a*)*$",
    r"(a|aa)+$",
    r"(a|a?)+$",
    r"(\w*)*\d$",
    r"(.*a){25}$",
    r"^(([a-z])+.)+[A-Z]([a-z])+$",
    r"(x+x+)+y",
    r"((a+)+b)+c",
    r"(\w+\s?)+$",
    r"(.*,)*x",
    r"^(a+)+(b+)+$",
    r".*.*.*.*.*.*.*.*.*.*.*.*=z",
    r"(?:a|b|ab|ba)*c",
    r"([a-zA-Z0-9]+)*@z",
    r"(\s*)*x",
    r"(a{1,30}){1,30}$",
]
HOSTILE_LINES = ["a" * 3_900 + "!", "x" * 3_900, " " * 3_900 + "!", ("a," * 1_900) + "!", "ab" * 1_900 + "!"]
PATHOLOGICAL_GITIGNORE = [
    "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
    "a/**/**/**/**/**/**/**/**/**/**/**/**/c",
    "*" * 400 + "q",
    "?" * 900 + "b",
    "[" * 500,
    "x" * 5_000,
]


class Searcher:
    """A model that only searches, with catastrophic patterns, for ever; it counts its turns."""

    def __init__(self) -> None:
        self.turns = 0

    def __call__(self, request: RecordedRequest) -> Reply:
        self.turns += 1
        calls = [
            tool_use("search_files", {"pattern": CATASTROPHIC[(self.turns + i) % len(CATASTROPHIC)]}) for i in range(3)
        ]
        calls.append(tool_use("list_files", {"glob": "*a*a*a*a*a*a*a*a*b"}))
        return Turn(calls)


@dataclass(frozen=True)
class Stopped:
    """How a busy run ended after SIGINT: its exit code, the seconds it took, its stderr."""

    code: int
    seconds: float
    stderr: bytes


def interrupt_busy_run(base: Path, *, busy_turns: int = 4) -> Stopped:
    """SIGINT a run whose model has made `busy_turns` turns of hostile searches; how it stopped.

    The signal is sent on state (the model's turns), never after a sleep; only the stop is timed.
    """
    project = base / "app"
    big = "\n".join(HOSTILE_LINES * 40) + "\n"
    write_tree(project, {f"src/{d}/f{i}.txt": big for d in range(8) for i in range(25)})
    (project / ".gitignore").write_text("\n".join(PATHOLOGICAL_GITIGNORE) + "\n")
    model = Searcher()
    with FakeMessagesAPI(model) as api:
        env = {**cli_env(), "ANTHROPIC_API_KEY": VALID_KEY, "ANTHROPIC_BASE_URL": api.base_url}
        proc = subprocess.Popen(
            [sys.executable, "-m", "wizard_tui", str(project), "--no-ui", "--agent", "anthropic"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 120
            while model.turns < busy_turns and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            if proc.poll() is not None or model.turns < busy_turns:
                _out, err = proc.communicate()
                raise AssertionError(f"the run never got busy ({model.turns} turns): {err.decode()[-2000:]}")
            sent = time.monotonic()
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=120)
            seconds = time.monotonic() - sent
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        _out, err = proc.communicate()
    return Stopped(code, seconds, err)
