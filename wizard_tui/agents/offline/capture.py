"""The `capture` body: the capture call at one area's success point.

A `capture` task adds the call at its area's success point: the end of a form's submit
handler, a Django view's valid-form branch, a POST handler's last return. Browser code uses
posthog-js; servers use their SDK's client. The seeded capture task takes the area the plan
keeps for it (`plan_capture`); the plan's own check of an area is `plan_area`, the same code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from wizard_tui.agents.offline import init_js, init_node, init_py, jsedit
from wizard_tui.agents.offline.capture_py import python_capture
from wizard_tui.agents.offline.changes import Plan, above_secret
from wizard_tui.agents.offline.context import TaskContext
from wizard_tui.agents.offline.jsparse import Node, Source, grammar_for
from wizard_tui.agents.offline.naming import event_style, event_words, existing_event_names, styled

_BROWSER = ("nextjs", "react-router", "javascript_web")

# How plan-capture hands its first area to the seeded capture task, which it cannot give
# inputs: a sentence of its handoff, read back with `read_handoffs`. JSON, so any path fits.
CORE_AREA = "Core area for the seeded capture task: "


def core_area_sentence(area: str, file: str) -> str:
    return CORE_AREA + json.dumps({"area": area, "file": file}) + "."


def core_area_of(text: str) -> dict[str, str] | None:
    """The area a plan-capture handoff keeps for the seeded capture task, if it names one."""
    at = text.find(CORE_AREA)
    if at < 0:
        return None
    try:
        value, _end = json.JSONDecoder().raw_decode(text, at + len(CORE_AREA))
    except ValueError:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("file"), str) or not value["file"]:
        return None
    return {"area": str(value.get("area") or ""), "file": value["file"]}


async def _planned_area(ctx: TaskContext) -> dict[str, str] | str:
    """The area the plan kept for this (seeded) task, or why there is none."""
    found = await ctx.session.call("read_handoffs", {}) if ctx.session.has("read_handoffs") else None
    plans: list[dict[str, Any]] = [
        h for h in (found or {}).get("handoffs", []) if isinstance(h, dict) and h.get("type") == "plan-capture"
    ]
    for handoff in plans:
        area = core_area_of(str(handoff.get("for_next_agent", "")))
        if area is not None:
            return area
    if plans:
        return f"The plan kept no area for this task. {str(plans[0].get('did', ''))[:1500]}"
    return "No plan-capture handoff names an area for this task."


async def plan_capture_area(ctx: TaskContext) -> Plan:
    """The capture body's plan: its own area, or (the seeded task) the area the plan kept for it."""
    file, area = ctx.inputs.get("file"), str(ctx.inputs.get("area") or "")
    if not isinstance(file, str) or not file:
        if ctx.inputs.get("areas_found") == 0:
            return Plan.skip(
                "Exploration found no form, route handler or page where users act, so no capture point is known.",
                "Add posthog.capture calls where users act (a sign-up, a purchase, a key action).",
            )
        planned = await _planned_area(ctx)
        if isinstance(planned, str):
            return Plan.skip(
                planned, "Add posthog.capture calls where users act (a sign-up, a purchase, a key action)."
            )
        file, area = planned["file"], planned["area"]
    style = str(ctx.inputs.get("event_style") or event_style(await existing_event_names(ctx.project)))
    return await plan_area(ctx, file, area, style)


async def plan_area(ctx: TaskContext, file: str, area: str, style: str) -> Plan:
    """The capture call for one area, or why it gets none (plan-capture asks this of each area)."""
    text = await ctx.project.read(file)
    if text is None:
        return Plan.skip(f"{file} could not be read whole.")
    if file.endswith(".py"):
        return python_capture(file, text, style, area, await init_py.local_roots(ctx.project, ctx.app_dir))
    if grammar_for(file) is None:
        return Plan.skip(f"{file} is not a script the offline agent edits (templates and markup are left alone).")
    src = Source(text, file)
    if not src.ok:
        return Plan.skip(f"{file} does not parse cleanly, so the offline agent leaves it alone.")
    if ctx.framework.id in _BROWSER:
        return _browser_capture(ctx, file, src, style, area)
    if ctx.framework.id == "javascript_node":
        return await _node_capture(ctx, file, src, style, area)
    return Plan.skip(f"The offline agent does not add captures to {ctx.framework.name} code.")


def insert_before_end(src: Source, block: Node, statement: str) -> str | None:
    """`statement` at the success point of a function body: before its final return, or at its end."""
    stmts = [c for c in block.named_children if c.type != "comment"]
    if not stmts:
        return None
    last = stmts[-1]
    indent = src.indent_of(last)
    line = f"{indent}{statement}\n"
    at = src.line_start(last.start_byte) if last.type == "return_statement" else src.line_end(last.end_byte)
    if last.type != "return_statement" and src.data[last.end_byte : src.line_end(last.end_byte)].strip():
        return None  # the body's last line holds more than the statement: leave it
    if above_secret(src.text.split("\n"), src.data.count(b"\n", 0, at)):
        return None  # right above a line holding a secret: a patch could not show the change
    return (src.data[:at] + line.encode("utf-8") + src.data[at:]).decode("utf-8")


def _browser_capture(ctx: TaskContext, file: str, src: Source, style: str, area: str) -> Plan:
    first = src.root.named_children[0] if src.root.named_children else None
    server_component = (
        ctx.framework.id == "nextjs"
        and "/app/" in f"/{file}"
        and not (first is not None and first.type == "expression_statement" and "use client" in src.text_of(first))
    )
    if server_component and PurePosixPath(file).stem == "route":
        # PostHog's server SDK would need a distinct id the handler has; events with a made-up
        # one belong to no user. The browser events of the pages that call it carry the user.
        return Plan.skip(
            f"{file} is a server route handler: posthog-js does not run there, and a server-side "
            "capture needs the user's distinct id, which the offline agent does not invent."
        )
    if server_component:
        return Plan.skip(f'{file} is a server component (no "use client"): posthog-js runs only in client components.')
    captured: list[str] = []
    for name, function, body in form_handlers(src):
        if existing := src.posthog_calls("capture", function):
            captured.append(f"{name} ({src.text_of(existing[0])[:80]})")
            continue
        event = styled(event_words(name, file, area), style)
        q = src.quote()
        result = browser_call(src, body, f"posthog.capture({q}{event}{q})")
        if result is None:
            continue
        plan = Plan()
        plan.edit(file, src.text, result, f"Captured {event!r} when the form in {file} is submitted ({name}).")
        plan.events.append(event)
        return plan
    if captured:
        return Plan.there_already(f"{file} already captures its form's events: {', '.join(captured)}.")
    return Plan.skip(f"No form with a submit handler in {file} to attach a capture to.")


def browser_call(src: Source, body: Node, call: str) -> str | None:
    """The file with a posthog-js `call` at the success point of `body`, importing posthog-js."""
    changed = insert_before_end(src, body, call + (";" if src.semicolons() else ""))
    if changed is None:
        return None
    result = Source(changed, src.path)
    if not result.imports_from("posthog-js"):
        result = Source(jsedit.add_import(result, "posthog", "posthog-js"), src.path)
    elif not any(i.default == "posthog" for i in result.imports_from("posthog-js")):
        return None  # posthog-js is imported under another name: do not guess it
    return result.text if result.ok else None


def form_handlers(src: Source) -> Iterator[tuple[str, Node, Node]]:
    """Each form's submit handler that has a body to add to: its name, the function and the body."""
    for form in src.jsx_elements("form"):
        handler = submit_handler(src, form)
        if handler is None:
            continue
        name, function = handler
        body = src.body_of(function)
        if body is not None:
            yield name, function, body


def submit_handler(src: Source, form: Node) -> tuple[str, Node] | None:
    """The function a form's `onSubmit` runs once the form is valid, and its name."""
    opening = form.child_by_field_name("open_tag") or form.children[0]
    for attr in (c for c in opening.named_children if c.type == "jsx_attribute"):
        parts = attr.named_children
        if not parts or src.text_of(parts[0]) != "onSubmit" or len(parts) < 2:
            continue
        value = next((c for c in parts[1].named_children), None)
        if value is not None and value.type == "call_expression":
            # A form library's wrapper runs its argument once the form is valid: react-hook-form's
            # `handleSubmit(onSubmit)` or `form.handleSubmit((values) => ...)`, Mantine's `form.onSubmit(...)`.
            args = value.child_by_field_name("arguments")
            value = next((c for c in args.named_children if c.type != "comment"), None) if args is not None else None
        if value is None:
            return None
        if value.type == "identifier":
            function = src.function_named(src.text_of(value))
            return (src.text_of(value), function) if function is not None else None
        if value.type in ("arrow_function", "function_expression"):
            return ("onSubmit", value)
        return None
    return None


async def _node_capture(ctx: TaskContext, file: str, src: Source, style: str, area: str) -> Plan:
    module = await init_node.existing_node_client(ctx.project, ctx.app_dir)
    package = await init_js.package_json(ctx.project, ctx.app_dir)
    if module is None:
        return Plan.skip("The app has no posthog-node client module from init to capture through.")
    captured: list[str] = []
    for method, verb in (("post", "created"), ("put", "updated"), ("patch", "updated"), ("delete", "deleted")):
        for receiver in _routers(src):
            for call in src.calls(f"{receiver}.{method}"):
                args = call.child_by_field_name("arguments")
                handler = args.named_children[-1] if args is not None and args.named_children else None
                if handler is None or handler.type not in ("arrow_function", "function_expression"):
                    continue
                if existing := src.posthog_calls("capture", handler):
                    captured.append(f"{method.upper()} ({src.text_of(existing[0])[:80]})")
                    continue
                body = src.body_of(handler)
                user = _user_id_expression(src, handler)
                if body is None or user is None:
                    continue
                noun = re.sub(r"s$", "", PurePosixPath(file).stem.lower()) or "record"
                event = styled(f"{noun} {verb}", style)
                q = src.quote()
                semi = ";" if src.semicolons() else ""
                statement = f"posthog.capture({{ distinctId: String({user}), event: {q}{event}{q} }}){semi}"
                changed = insert_before_end(src, body, statement)
                if changed is None:
                    continue
                result = Source(changed, file)
                if not any(i.default == "posthog" for i in result.imports()):
                    spec = init_node.client_specifier(file, module, package, esm_syntax=result.is_esm)
                    result = Source(jsedit.add_import(result, "posthog", spec), file)
                if not result.ok:
                    continue
                plan = Plan()
                plan.edit(file, src.text, result.text, f"Captured {event!r} in the {method.upper()} handler of {file}.")
                plan.events.append(event)
                return plan
    if captured:
        return Plan.there_already(f"The handlers in {file} already capture their events: {', '.join(captured)}.")
    return Plan.skip(f"No POST/PUT/PATCH/DELETE handler in {file} names the user it acts for (no userId in scope).")


def _routers(src: Source) -> list[str]:
    """The names routes hang on: `app` and `router`, and routers named for their area (`authRouter`)."""
    names = {"app", "router"}
    for node in src.walk():
        if node.type == "member_expression":
            target = node.child_by_field_name("object")
            if target is not None and target.type == "identifier":
                name = src.text_of(target)
                if name.endswith(("Router", "_router")):
                    names.add(name)
    return sorted(names)


def _user_id_expression(src: Source, handler: Node) -> str | None:
    for node in src.walk(handler):
        if (
            node.type in ("shorthand_property_identifier_pattern", "identifier")
            and src.text_of(node)
            in (
                "userId",
                "user_id",
            )
            and src.enclosing(node, "variable_declarator") is not None
        ):
            return src.text_of(node)
    return None
