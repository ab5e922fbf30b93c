"""The offline agent's real task bodies, one per task type, each following its prompt in code.

Every body reads the project through the tools, decides with a parser (never a guess),
proposes its changes through `propose_edit`/`propose_file`, and reports once. A body that
finds nothing it may safely do ends `skipped` with the reason and the manual steps.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from wizard_tui.agents.offline import (
    capture,
    identify,
    init_django,
    init_js,
    init_node,
    init_py,
    llm,
    plan_capture,
    report,
    review,
)
from wizard_tui.agents.offline.changes import Plan
from wizard_tui.agents.offline.context import TaskContext, no_offline_knowledge
from wizard_tui.agents.offline.install import plan_install
from wizard_tui.domain.frameworks import sdks_for

Body = Callable[[TaskContext], Awaitable[None]]


def already_instrumented(detection: dict[str, Any]) -> str | None:
    """Why the project counts as set up already (the PostHog packages it declares), or None."""
    if not detection.get("posthog_installed"):
        return None
    packages = [str(p) for p in detection.get("posthog_packages") or []]
    if not packages:
        return "PostHog is already set up in this project (a PostHog SDK is declared)"
    verb = "is" if len(packages) == 1 else "are"
    return f"PostHog is already set up in this project ({', '.join(packages)} {verb} declared)"


async def install(ctx: TaskContext) -> None:
    goal = "Declare the PostHog SDKs in the app's manifest, so the app can import PostHog."
    wrappable = await llm.wrappable_llm_sdks(ctx)
    sdks = sdks_for(ctx.framework.id, llm_calls_found=wrappable)
    instrumented = already_instrumented(ctx.detection)
    if instrumented:
        # The app has PostHog: its own SDK choice stands. Only what the LLM wrappers need
        # (when they will bring their own server client) is still worth declaring.
        sdks = llm.wrapper_packages(ctx.framework) if wrappable else []
        if not sdks:
            await ctx.conclude(
                Plan.skip(f"{instrumented}; the app's PostHog setup is left as it is, nothing to add."),
                goal,
                "The wizard ran no package manager: the user runs it.",
            )
            return
    result = await plan_install(
        ctx.project,
        ctx.framework,
        app_dir=ctx.app_dir,
        package_manager=ctx.subproject().get("package_manager") or ctx.detection.get("package_manager"),
        sdks=sdks,
    )
    plan = result.plan
    if instrumented and (plan.skipped or not plan.changes):
        plan = Plan.skip(f"{instrumented}; {plan.skipped or 'nothing to add.'}")
    elif instrumented:
        plan.notes.insert(0, f"{instrumented}, so only the LLM analytics packages were added.")
    command = f" Install command: `{result.command}`." if result.command else ""
    await ctx.conclude(
        plan,
        goal,
        f"Manifest: {result.manifest or 'none'}.{command} The wizard ran no package manager: the user runs it.",
    )


async def init(ctx: TaskContext) -> None:
    goal = "Initialise PostHog once where the app starts, with the key read from the environment."
    envs = ", ".join(e for e in (ctx.framework.key_env, ctx.framework.host_env) if e)
    for_next = f"Env vars the app reads: {envs or 'none'}. Without the key, PostHog stays off."
    instrumented = already_instrumented(ctx.detection)
    existing = await init_js.has_init(ctx.project)
    if instrumented or existing:
        reason = instrumented or f"PostHog is already initialised at {existing}"
        await ctx.conclude(Plan.skip(f"{reason}; a second init would double-count events."), goal, for_next)
        return
    plan = await _plan_init(ctx)
    await ctx.conclude(plan, goal, for_next)


async def _plan_init(ctx: TaskContext) -> Plan:
    fw, project, app_dir = ctx.framework, ctx.project, ctx.app_dir
    sub = ctx.subproject()
    match fw.id:
        case "nextjs":
            return await init_js.plan_nextjs(project, fw, app_dir, sub.get("router") or ctx.inputs.get("router"))
        case "react-router":
            return await init_js.plan_react_router(project, fw, app_dir, sub.get("mode"))
        case "javascript_web":
            return await init_js.plan_vite(project, fw, app_dir)
        case "javascript_node":
            return await init_node.plan_node(project, fw, app_dir)
        case "django":
            return await init_django.plan_django(project, fw, app_dir)
        case "flask":
            return await init_py.plan_flask(project, fw, app_dir)
        case "fastapi":
            return await init_py.plan_fastapi(project, fw, app_dir)
        case "python":
            return await init_py.plan_python(project, fw, app_dir)
    return no_offline_knowledge(ctx)


async def identify_body(ctx: TaskContext) -> None:
    goal = "Tie events to people: identify users where the app learns who they are."
    plan = await identify.plan_identify(ctx) if ctx.framework.offline else no_offline_knowledge(ctx)
    await ctx.conclude(plan, goal, "Captures made after identify are attributed to the user.")


async def capture_body(ctx: TaskContext) -> None:
    goal = "Capture the product events planned for an area (a form, a sign-up, a checkout or a key route)."
    plan = await capture.plan_capture_area(ctx) if ctx.framework.offline else no_offline_knowledge(ctx)
    await ctx.conclude(plan, goal, "Event names follow the project's style; properties hold no personal data.")


async def llm_body(ctx: TaskContext) -> None:
    goal = "Wrap the app's LLM clients with PostHog's LLM analytics wrappers."
    plan = await llm.plan_llm(ctx) if ctx.framework.offline else no_offline_knowledge(ctx)
    await ctx.conclude(plan, goal, "Each generation through a wrapped client sends an $ai_generation event.")


BODIES: dict[str, Body] = {
    "install": install,
    "init": init,
    "identify": identify_body,
    "plan-capture": plan_capture.plan_capture_body,
    "capture": capture_body,
    "llm-analytics": llm_body,
    "review": review.review_body,
    "report": report.report_body,
}
