"""Capture calls in Python views and handlers: Django views, Flask and FastAPI routes.

The success point of a handler is read with `ast`: a valid form's branch, the redirect after
a POST (Post/Redirect/Get), or a write-only handler's last statement. A view that also
answers GET has its final return on the GET path, so without a redirect it has no success point.
"""

from __future__ import annotations

import ast
import re

from wizard_tui.agents.offline import pyedit
from wizard_tui.agents.offline.changes import Plan, above_secret
from wizard_tui.agents.offline.naming import event_words, styled


def python_capture(file: str, text: str, style: str, area: str, roots: set[str]) -> Plan:
    tree = pyedit.parse(text)
    if tree is None:
        return Plan.skip(f"{file} does not parse, so the offline agent leaves it alone.")
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    captured: list[str] = []
    near_secret: list[str] = []
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
        if above_secret(lines, at):  # a patch could not show a change that borders a secret
            near_secret.append(f"{function.name}()")
            continue
        lines[at:at] = [f'{indent}posthog.capture("{event}")']
        after = pyedit.add_imports("\n".join(lines), "import posthog", local_roots=roots)
        if pyedit.parse(after) is None:
            continue
        plan = Plan()
        plan.edit(file, text, after, f"Captured {event!r} in {function.name}() of {file}, where it succeeds.")
        plan.events.append(event)
        return plan
    if captured:
        return Plan.there_already(f"The views in {file} already capture their events: {', '.join(captured)}.")
    if near_secret:
        return Plan.skip(
            f"The success point of {', '.join(near_secret)} in {file} sits right above a line holding a secret, "
            "which a patch cannot show."
        )
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
