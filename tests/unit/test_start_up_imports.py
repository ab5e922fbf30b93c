"""What the terminal UI loads before its first frame stays what that frame needs.

The UI prepares its run (settings, backend check, run dir) before the screen opens; the run's
machinery (tools, executor, seeding, telemetry emitter) and the run dir watcher load after the
first frame, and pydantic models build their schemas on first use. `python -m bench startup`
holds the time; these hold the shape, so an eager import added later fails here, not there.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

import wizard_tui
from wizard_tui.domain.record import Record

LATER = (
    "wizard_tui.engine.tools",
    "wizard_tui.engine.executor",
    "wizard_tui.engine.seeding",
    "wizard_tui.telemetry.emitter",
    "watchfiles",
)


def test_a_prepared_tui_run_has_not_loaded_what_the_run_does_later(sample: Callable[[str], Path]) -> None:
    project = sample("nextjs-app-router")
    # What `wizard-tui PATH` does before the screen opens (cli.commands.run, tui.launch.run_tui).
    code = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "from wizard_tui.cli.commands import choose_backend\n"
        "from wizard_tui.engine.run import RunConfig\n"
        "from wizard_tui.telemetry import network_sinks\n"
        "from wizard_tui.tui.launch import Run\n"
        "from wizard_tui.domain.models import QueueFile, Task\n"
        f"config = RunConfig(install_dir=Path({str(project)!r}), fresh=True)\n"
        "backend, _ = choose_backend('offline', 0)\n"
        "run = Run(config, backend, sinks=network_sinks(disabled=True))\n"
        "assert asyncio.run(run.preflight()) is None\n"
        "run.prepare()\n"
        f"loaded = sorted(m for m in {LATER!r} if m in sys.modules)\n"
        "built = sorted(m.__name__ for m in (QueueFile, Task) if m.__pydantic_complete__)\n"
        "run.release()\n"
        "print('LOADED', loaded, 'BUILT', built)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "LOADED [] BUILT []" in done.stdout


def _our_models() -> list[type[BaseModel]]:
    for info in pkgutil.walk_packages(wizard_tui.__path__, "wizard_tui."):
        if not info.name.endswith(".__main__"):  # that one runs the command
            importlib.import_module(info.name)
    found: list[type[BaseModel]] = []
    pending: list[type[BaseModel]] = [BaseModel]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("wizard_tui."):
                found.append(sub)
    return found


def test_every_model_of_ours_builds_its_schema_on_first_use() -> None:
    models = _our_models()
    assert len(models) > 30  # the walk found them (queue, tools' inputs, telemetry, detection...)
    eager = sorted(
        f"{m.__module__}.{m.__qualname__}"
        for m in models
        if not (issubclass(m, Record) and m.model_config.get("defer_build"))
    )
    assert eager == [], f"derive these from wizard_tui.domain.record.Record: {eager}"
