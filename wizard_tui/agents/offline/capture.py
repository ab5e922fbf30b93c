"""The `plan-capture` and `capture` bodies: which product events, where, and the calls themselves.

`plan-capture` names one event per area the orchestrator found (a form, a sign-up, a
checkout, a key route), in the style of the events the project already sends, and enqueues
a `capture` task per area. A `capture` task adds the call at the area's success point:
the end of a form's submit handler, a Django view's valid-form branch, a POST handler's
last return. Browser code uses posthog-js; servers use their SDK's client.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from wizard_tui.agents.offline import init_js, init_node, init_py, jsedit, pyedit
from wizard_tui.agents.offline.changes import Plan
from wizard_tui.agents.offline.context import TaskContext
from wizard_tui.agents.offline.jsparse import Node, Source, grammar_for
from wizard_tui.agents.offline.naming import event_style, event_words, existing_event_names, styled

_BROWSER = ("nextjs", "react-router", "javascript_web")


# -- plan-capture ----------------------------------------------------------------------------


async def plan_capture_body(ctx: TaskContext) -> None:
    goal = "Decide which product events to capture and where, and enqueue one capture task per area."
    follow_ups = [f for f in ctx.inputs.get("follow_ups") or [] if isinstance(f, dict)]
    style = event_style(await existing_event_names(ctx.project))
    enqueued: list[str] = []
    plan_lines: list[str] = []
    for follow_up in follow_ups:
        inputs = dict(follow_up.get("inputs") or {})
        file = str(inputs.get("file", ""))
        inputs["event_style"] = style
        new_id = None
        if ctx.session.has("enqueue_task"):
            new_id = await ctx.session.enqueue(
                str(follow_up.get("type", "capture")),
                str(follow_up.get("label", "Capture events"))[:80],
                inputs,
                [ctx.task.id],
                str(follow_up.get("reason") or "An area where users act."),
            )
        if new_id:
            enqueued.append(new_id)
            plan_lines.append(f"{inputs.get('area', file)} ({file}) -> task {new_id}")
    did = (
        f"Planned events in the project's {style} style for {len(enqueued)} area(s): " + "; ".join(plan_lines) + "."
        if enqueued
        else "No capture area could be enqueued."
    )
    await ctx.finish(
        "done" if enqueued or not follow_ups else "failed",
        goal,
        did,
        f"Event names use {style} case, like {styled('user signed up', style)!r}; capture tasks add one call each.",
    )


# -- capture ---------------------------------------------------------------------------------


async def plan_capture_area(ctx: TaskContext) -> Plan:
    file = ctx.inputs.get("file")
    if not isinstance(file, str) or not file:
        if ctx.inputs.get("areas_found") == 0:
            return Plan.skip(
                "Exploration found no form, route handler or page where users act, so no capture point is known.",
                "Add posthog.capture calls where users act (a sign-up, a purchase, a key action).",
            )
        return Plan.skip("The plan gave every area its own capture task; no area is left for this one.")
    text = await ctx.project.read(file)
    if text is None:
        return Plan.skip(f"{file} could not be read whole.")
    style = str(ctx.inputs.get("event_style") or event_style(await existing_event_names(ctx.project)))
    area = str(ctx.inputs.get("area") or "")
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
    return (src.data[:at] + line.encode("utf-8") + src.data[at:]).decode("utf-8")


def _browser_capture(ctx: TaskContext, file: str, src: Source, style: str, area: str) -> Plan:
    first = src.root.named_children[0] if src.root.named_children else None
    server_component = (
        ctx.framework.id == "nextjs"
        and "/app/" in f"/{file}"
        and not (first is not None and first.type == "expression_statement" and "use client" in src.text_of(first))
    )
    if server_component:
        return Plan.skip(f'{file} runs on the server (no "use client"); browser events belong in client components.')
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
        return plan
    if captured:
        return Plan.skip(f"{file} already captures its form's events: {', '.join(captured)}.")
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
                return plan
    if captured:
        return Plan.skip(f"The handlers in {file} already capture their events: {', '.join(captured)}.")
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


def python_capture(file: str, text: str, style: str, area: str, roots: set[str]) -> Plan:
    tree = pyedit.parse(text)
    if tree is None:
        return Plan.skip(f"{file} does not parse, so the offline agent leaves it alone.")
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    captured: list[str] = []
    for function in functions:
        target = _success_block(function)
        if target is None:
            continue
        if existing := pyedit.posthog_calls(tree, function, "capture"):
            captured.append(f"{function.name}() ({ast.unparse(existing[0])[:80]})")
            continue
        _block, last = target
        event = styled(event_words(function.name, file, area), style)
        lines = text.split("\n")
        indent = re.match(r"[ \t]*", lines[last.lineno - 1]).group(0)  # type: ignore[union-attr]
        at = last.lineno - 1 if isinstance(last, ast.Return) else (last.end_lineno or last.lineno)
        lines[at:at] = [f'{indent}posthog.capture("{event}")']
        after = pyedit.add_imports("\n".join(lines), "import posthog", local_roots=roots)
        if pyedit.parse(after) is None:
            continue
        plan = Plan()
        plan.edit(file, text, after, f"Captured {event!r} in {function.name}() of {file}, where it succeeds.")
        return plan
    if captured:
        return Plan.skip(f"The views in {file} already capture their events: {', '.join(captured)}.")
    return Plan.skip(f"No view or POST handler in {file} with a clear success point was found.")


_REDIRECTS = ("redirect", "HttpResponseRedirect", "RedirectResponse")


def _success_block(function: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[list[ast.stmt], ast.stmt] | None:
    """Where a handler succeeds: a valid form's branch, the redirect after a POST, or a
    POST-only handler's final statement. A view that also answers GET has its final return
    on the GET path, so without a redirect to go by it has no success point."""
    for node in ast.walk(function):
        if isinstance(node, ast.If) and _calls_is_valid(node.test) and node.body:
            return node.body, node.body[-1]
    shared = _tests_post_method(function) or _route_methods(function) >= {"GET", "POST"}
    if shared or _is_write_handler(function) or _reads_post_data(function):
        redirect = _success_redirect(function)
        if redirect is not None:
            return redirect
    if _is_write_handler(function) and not shared and function.body:
        return function.body, function.body[-1]
    return None


def _calls_is_valid(test: ast.expr) -> bool:
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "is_valid"
        for n in ast.walk(test)
    )


def _tests_post_method(function: ast.AST) -> bool:
    """`if request.method == "POST":` somewhere in the function."""
    return any(
        isinstance(n, ast.Compare)
        and isinstance(n.left, ast.Attribute)
        and n.left.attr == "method"
        and any(isinstance(c, ast.Constant) and c.value == "POST" for c in n.comparators)
        for n in ast.walk(function)
    )


def _reads_post_data(function: ast.AST) -> bool:
    """Django's `request.POST` or Flask's `request.form`: the view handles a submitted form."""
    return any(
        isinstance(n, ast.Attribute) and n.attr in ("POST", "form") and isinstance(n.value, ast.Name)
        for n in ast.walk(function)
    )


def _success_redirect(function: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[list[ast.stmt], ast.stmt] | None:
    """The first `return redirect(...)` (Post/Redirect/Get) that is not in an error handler."""
    handlers = [h for h in ast.walk(function) if isinstance(h, ast.ExceptHandler)]
    for node in ast.walk(function):
        if not (isinstance(node, ast.Return) and isinstance(node.value, ast.Call)):
            continue
        fn = node.value.func
        name = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""
        if name not in _REDIRECTS or any(node in ast.walk(h) for h in handlers):
            continue
        for holder in ast.walk(function):
            for field in ("body", "orelse", "finalbody"):
                stmts = getattr(holder, field, None)
                if isinstance(stmts, list) and node in stmts:
                    return stmts, node
    return None


def _route_methods(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """The HTTP methods a `@route(..., methods=[...])` decorator names (empty when none is named)."""
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute):
            methods = next((k.value for k in decorator.keywords if k.arg == "methods"), None)
            if isinstance(methods, ast.List | ast.Tuple | ast.Set):
                return {str(e.value).upper() for e in methods.elts if isinstance(e, ast.Constant)}
    return set()


def _is_write_handler(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for decorator in function.decorator_list:
        func = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(func, ast.Attribute) and func.attr in ("post", "put", "patch", "delete"):
            return True
    return bool(_route_methods(function) & {"POST", "PUT", "PATCH"})
