"""Start-up cost: `wizard-tui --help` and a headless run on the smallest sample, next to `python -c pass`.

All three are timed in the same run (best of several), so the ratios hold on any machine.
Also checks that `--help` and `--no-ui` import neither Textual nor the anthropic SDK.

Run: .venv/bin/python -m bench startup
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SMALLEST = "no-framework"
REPEATS = 7


def _env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if k not in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "POSTHOG_PROJECT_API_KEY")
    }


def best_of(cmd: list[str], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, env=_env(), cwd=REPO)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise RuntimeError(f"{cmd} failed: {done.stderr.decode()[-500:]}")
    return min(times)


def heavy_imports(args: list[str]) -> list[str]:
    code = (
        "import sys\nfrom wizard_tui.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('textual', 'anthropic', 'posthog', 'watchfiles') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=_env(), cwd=REPO)
    return list(eval(out.stdout.strip().splitlines()[-1]))


def run() -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory(prefix="wizard-bench-") as tmp:
        project = Path(tmp) / SMALLEST
        shutil.copytree(REPO / "sample_projects" / SMALLEST, project)
        baseline = best_of([sys.executable, "-c", "pass"])
        help_time = best_of([sys.executable, "-m", "wizard_tui", "--help"])
        run_time = best_of(
            [sys.executable, "-m", "wizard_tui", str(project), "--no-ui", "--stub", "--fresh"], repeats=5
        )
        help_imports = heavy_imports(["--help"])
        run_imports = heavy_imports([str(project), "--no-ui", "--stub", "--fresh"])
    return [
        ("start-up: python -c pass", f"{baseline * 1000:.0f} ms", "baseline"),
        (
            "start-up: wizard-tui --help",
            f"{help_time * 1000:.0f} ms ({help_time / baseline:.1f}x python)",
            "imports nothing heavy: " + (", ".join(help_imports) or "ok"),
        ),
        (
            f"start-up: headless run on {SMALLEST}",
            f"{run_time * 1000:.0f} ms ({run_time / baseline:.1f}x python)",
            "no Textual in --no-ui: " + ("ok" if "textual" not in run_imports else "MISSED"),
        ),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    for row in run():
        print(" | ".join(row))
