"""The orchestrator's own tools: framework detection and the (stubbed) install intent."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from wizard_tui.domain.models import InstallIntent
from wizard_tui.domain.project_summary import detected_facts
from wizard_tui.domain.tools import DetectFrameworkInput, RecordInstallIntentInput
from wizard_tui.domain.writers import atomic_write_model
from wizard_tui.engine.tools.base import RunServices, ToolContext, ToolSpec, bind


async def detect_framework(ctx: ToolContext, _args: DetectFrameworkInput) -> dict[str, Any]:
    return await detection_of(ctx.services)


async def detection_of(services: RunServices) -> dict[str, Any]:
    """The run's detection, made once however many callers ask (the run itself, before seeding,
    so that every task agent's shared prompt holds it; then the tool)."""
    pending = services.cache.get("detection_task")
    if pending is None:
        pending = services.cache["detection_task"] = asyncio.ensure_future(_detect_and_record(services))
    return dict(await asyncio.shield(pending))


async def _detect_and_record(services: RunServices) -> dict[str, Any]:
    # Importing detection costs tens of ms: do it in the worker thread with the detection
    # itself, so the other tool calls of the same turn (the first enqueues) are not held up.
    detected = await asyncio.to_thread(_detect, services.install_dir)
    services.cache["detection"] = detected
    services.store.framework = detected["framework"]
    # Recorded once per run, so every face can say at the start what the project is.
    services.store.audit("detected", **detected_facts(detected))
    return detected


def _detect(root: Path) -> dict[str, Any]:
    from wizard_tui.detection import detect_project

    return detect_project(root).model_dump(mode="json")


async def record_install_intent(ctx: ToolContext, args: RecordInstallIntentInput) -> dict[str, Any]:
    services = ctx.services
    intent = InstallIntent(
        sdks=list(dict.fromkeys(args.sdks)),
        package_manager=args.package_manager,
        reason=args.reason,
        recorded_at=services.store.clock.now(),
    )
    try:
        atomic_write_model(services.paths.install_intent, intent, fsync=False)
    except OSError as exc:
        raise services.disk_error(exc, "install-intent.json") from exc
    services.cache["install_intent"] = intent.model_dump(mode="json")  # for the task agents' shared prompt
    services.store.audit("install-intent", sdks=intent.sdks, package_manager=intent.package_manager)
    return {"recorded": True}


PROJECT_TOOLS: list[ToolSpec[Any]] = [
    bind("detect_framework", detect_framework),
    bind("record_install_intent", record_install_intent),
]
