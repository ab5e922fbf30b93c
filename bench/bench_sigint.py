"""SIGINT on a run busy with hostile searches: how long the process takes to stop (target < 2 s).

Issue 13 (class 4): no user- or model-supplied pattern may hold the interpreter so that a
signal waits. The run searches a project of lines built for exponential backtracking with
catastrophic patterns from a loopback model (tests/support/redos.py); SIGINT is sent once the
model has made four turns, and the time to exit 130 is measured, three times.

Run: .venv/bin/python -m bench sigint
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from tests.support.redos import interrupt_busy_run

TARGET_S = 2.0
ROUNDS = 3


def run() -> list[tuple[str, str, str]]:
    times = []
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory(prefix="wizard-bench-") as tmp:
            stopped = interrupt_busy_run(Path(tmp))
        assert stopped.code == 130, stopped.stderr.decode()[-2000:]
        times.append(stopped.seconds)
    worst = max(times)
    return [
        (
            "SIGINT, run busy with hostile searches: time to exit 130",
            f"median {statistics.median(times):.2f} s, worst {worst:.2f} s of {ROUNDS}",
            f"< {TARGET_S:.0f} s: {'ok' if worst < TARGET_S else 'MISSED'}",
        )
    ]
