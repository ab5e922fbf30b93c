"""Peak memory (RSS) of a headless run and of the TUI, on the largest sample project.

Each is measured in a fresh process (`ru_maxrss` of the child), next to a bare Python
interpreter measured the same way, so the figures read as "what wizard-tui adds".

Run: .venv/bin/python -m bench memory
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

_TUI_SCRIPT = """
import asyncio, resource, sys
from pathlib import Path
from wizard_tui.agents.offline import OfflineAgent
from wizard_tui.engine.run import Run, RunConfig
from wizard_tui.tui.app import WizardApp

async def main() -> None:
    # As run_tui starts it: the run prepared (its run dir opened) before the app watches it.
    run = Run(RunConfig(install_dir=Path(sys.argv[1]), stub=True), OfflineAgent(), sinks=[])
    run.prepare()
    app = WizardApp(run.config.install_dir, run=run)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(2000):
            if app.result is not None:
                break
            await pilot.pause(0.01)
        assert app.result is not None and app.result.exit_code == 0, "the run did not finish"
        await pilot.pause(0.2)

asyncio.run(main())
"""


def largest_sample() -> str:
    samples = [p for p in (REPO / "sample_projects").iterdir() if p.is_dir()]
    return max(samples, key=lambda p: sum(1 for f in p.rglob("*") if f.is_file())).name


def peak_rss_mb(cmd: list[str]) -> float:
    """Peak RSS of one child process, in MB (Linux reports ru_maxrss in KB)."""
    code = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "if done.returncode: sys.exit(done.stderr.decode()[-800:] or done.returncode)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "POSTHOG_PROJECT_API_KEY")
    }
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True, env=env, cwd=REPO)
    if out.returncode:
        raise RuntimeError(f"{cmd[:4]} failed: {out.stderr[-800:]}")
    kb = int(out.stdout.strip().splitlines()[-1])
    return kb / 1024 if sys.platform != "darwin" else kb / (1024 * 1024)


def run() -> list[tuple[str, str, str]]:
    name = largest_sample()
    with tempfile.TemporaryDirectory(prefix="wizard-bench-") as tmp:
        headless_project = Path(tmp) / "headless" / name
        tui_project = Path(tmp) / "tui" / name
        for target in (headless_project, tui_project):
            shutil.copytree(REPO / "sample_projects" / name, target)
        bare = peak_rss_mb([sys.executable, "-c", "pass"])
        headless = peak_rss_mb([sys.executable, "-m", "wizard_tui", str(headless_project), "--no-ui", "--stub"])
        tui = peak_rss_mb([sys.executable, "-c", _TUI_SCRIPT, str(tui_project)])
    return [
        ("memory: bare python", f"{bare:.0f} MB peak RSS", "baseline"),
        (f"memory: headless run on {name}", f"{headless:.0f} MB peak RSS (+{headless - bare:.0f} MB)", "info"),
        (f"memory: TUI run on {name} (120x40)", f"{tui:.0f} MB peak RSS (+{tui - bare:.0f} MB)", "info"),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    for row in run():
        print(" | ".join(row))
