"""How long a wrong model API endpoint takes to end the command (exit 2, one sentence).

Each case runs `wizard-tui PATH --no-ui --agent anthropic` in a subprocess against a
loopback endpoint that cannot serve the run (`tests/support/wrong_endpoints.py`), three
times interleaved; the time is what a person waits, start-up (importing the API client)
included. `python -c 'import anthropic'` is measured in the same rounds, since on a loaded
machine importing the SDK is most of the wait. An endpoint that accepts the request and
never answers is measured once: the check's own 10 s limit ends it.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support.wrong_endpoints import ENDPOINTS, REPO, SILENT, Endpoint, wizard

TARGET_S = 15.0
ROUNDS = 3


def _once(endpoint: Endpoint, words: str) -> tuple[float, bool]:
    """One run against the endpoint: its wall time, and whether it ended as it must."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "app"
        shutil.copytree(REPO / "sample_projects" / "django-app", project)
        with endpoint() as base_url:
            done, elapsed = wizard(project, base_url)
        wrote = (project / ".posthog-wizard").exists()
    lines = done.stderr.strip().splitlines()
    ok = done.returncode == 2 and len(lines) == 1 and words in lines[0] and not wrote
    return elapsed, ok


def _sdk_import() -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", "import anthropic"], check=True)
    return time.monotonic() - started


def run() -> list[tuple[str, str, str]]:
    load_before = os.getloadavg()[0]
    times: dict[str, list[float]] = {name: [] for name, _, _ in ENDPOINTS}
    ok: dict[str, bool] = dict.fromkeys(times, True)
    imports = []
    for _ in range(ROUNDS):
        imports.append(_sdk_import())
        for name, endpoint, words in ENDPOINTS:
            elapsed, fine = _once(endpoint, words)
            times[name].append(elapsed)
            ok[name] = ok[name] and fine
    name, endpoint, words = SILENT
    times[name], ok[name] = [0.0], True
    times[name][0], ok[name] = _once(endpoint, words)
    load = f"load average {load_before:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    sdk = statistics.median(imports)
    rows = []
    for name, seen in times.items():
        worst = max(seen)
        figure = (
            f"exit 2 after {statistics.median(seen):.2f} s median, {worst:.2f} s worst of {len(seen)}"
            f" (importing the SDK alone: {sdk:.2f} s; {load})"
        )
        met = ok[name] and worst < TARGET_S
        rows.append(
            (f"fail fast: {name}", figure, f"exit 2, one sentence, < {TARGET_S:.0f} s: {'ok' if met else 'MISSED'}")
        )
    return rows


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
