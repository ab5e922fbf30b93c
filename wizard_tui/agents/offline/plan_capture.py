"""The `plan-capture` body: which product events, where, and which task adds each.

The orchestrator hands over the candidate areas it found (forms, sign-ups, checkouts, key
routes), most important first. The plan keeps only the areas a capture call can actually go
in, asking `capture.plan_area` (the very code the capture tasks run) of each, so that no
task is planned only to end skipped: a server component, a route handler that knows no
user, a page with no form, or a handler that captures already (a second run) is left out,
with the reason in the handoff. The first kept area goes to the seeded capture task (named
in the handoff, which that task reads); each further one gets a capture task of its own.
"""

from __future__ import annotations

from typing import Any

from wizard_tui.agents.offline import capture
from wizard_tui.agents.offline.context import TaskContext, no_offline_knowledge
from wizard_tui.agents.offline.naming import event_style, existing_event_names, styled

MAX_AREAS = 3  # areas instrumented per run: the seeded capture task and two more


async def plan_capture_body(ctx: TaskContext) -> None:
    goal = "Decide which product events to capture and where, and give each area a capture task."
    candidates = [f for f in ctx.inputs.get("follow_ups") or [] if isinstance(f, dict)]
    style = event_style(await existing_event_names(ctx.project))
    for_next = (
        f"Event names use {style} case, like {styled('user signed up', style)!r}; each capture task adds one call."
    )
    if candidates and not ctx.framework.offline:
        plan = no_offline_knowledge(ctx)
        await ctx.finish("skipped", goal, f"Skipped: {plan.skipped} Manual steps: {' '.join(plan.manual)}", for_next)
        return
    kept: list[tuple[dict[str, Any], dict[str, Any], list[str]]] = []  # (candidate, its inputs, events)
    left_out: list[str] = []  # areas no capture call fits, and why
    captured: list[str] = []  # areas that capture their events already (a run before this one)
    for candidate in candidates:
        inputs = dict(candidate.get("inputs") or {})
        file, area = str(inputs.get("file") or ""), str(inputs.get("area") or "")
        if not file:
            continue
        if len(kept) >= MAX_AREAS:
            left_out.append(f"{file} ({MAX_AREAS} areas are planned already)")
            continue
        plan = await capture.plan_area(ctx, file, area, style)
        if plan.changes:
            kept.append((candidate, {**inputs, "event_style": style}, plan.events))
        else:
            (captured if plan.already else left_out).append((plan.skipped or f"{file}: nothing to add").rstrip("."))
    lines: list[str] = []
    for n, (candidate, inputs, events) in enumerate(kept):
        what = f"{', '.join(events) or 'an event'} in {inputs['file']}"
        if n == 0:
            lines.append(f"{what} (the seeded capture task)")
            continue
        new_id = await ctx.session.enqueue(
            str(candidate.get("type") or "capture"),
            str(candidate.get("label") or "Capture events")[:80],
            inputs,
            [ctx.task.id],
            str(candidate.get("reason") or "An area where users act."),
        )
        lines.append(f"{what} -> task {new_id}" if new_id else f"{what} (no task: the enqueue was refused)")
    out = f" Left out: {'; '.join(left_out)}." if left_out else ""
    out += f" Captured already: {'; '.join(captured)}." if captured else ""
    if kept:
        first = kept[0][1]
        did = f"Planned {len(kept)} area(s) in the project's {style} style: {'; '.join(lines)}.{out}"
        for_next = f"{capture.core_area_sentence(str(first.get('area') or ''), first['file'])} {for_next}"
    elif captured:
        did = f"Nothing new to capture: the areas found capture their events already or take no capture call.{out}"
    elif candidates:
        did = f"No area found can take a capture call, so none is planned.{out}"
    else:
        did = "Exploration found no form, route handler or page where users act, so no area is planned."
    await ctx.finish("done", goal, did[:8000], for_next)
