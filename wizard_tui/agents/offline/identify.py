"""The `identify` body: tie events to people where the app learns who they are.

Browser apps: the sign-up or log-in form's submit handler calls `posthog.identify` with the
email it just collected. Django: PostHog's context middleware, after Django's own
authentication middleware, attributes each request's events to the signed-in user.
Anything else is skipped with the reason, rather than guessed.
"""

from __future__ import annotations

import ast
import re

from wizard_tui.agents.offline import init_django, init_js, pyedit
from wizard_tui.agents.offline.capture import browser_call, form_handlers
from wizard_tui.agents.offline.changes import Plan
from wizard_tui.agents.offline.context import TaskContext
from wizard_tui.agents.offline.jsparse import Node, Source, grammar_for

_AUTH_FILES = re.compile(r"(sign.?up|register|log.?in|sign.?in|auth)", re.I)
DJANGO_MIDDLEWARE = "posthog.integrations.django.PosthogContextMiddleware"
_DJANGO_AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"


async def plan_identify(ctx: TaskContext) -> Plan:
    if ctx.framework.id == "django":
        return await _django(ctx)
    if ctx.framework.id in ("nextjs", "react-router", "javascript_web"):
        return await _browser(ctx)
    return Plan.skip(
        f"The offline agent knows no {ctx.framework.name} login flow to identify users in.",
        "Call identify (or set the distinct id) where a user logs in, and reset on log-out.",
    )


async def _browser(ctx: TaskContext) -> Plan:
    candidates = [f for f in await ctx.project.files() if grammar_for(f) and _AUTH_FILES.search(f)]
    identified: list[str] = []  # handlers that identify the user already: a second identify is noise
    for file in candidates:
        if init_js.is_test_file(file):
            continue
        text = await ctx.project.read(file)
        if text is None:
            continue
        src = Source(text, file)
        if not src.ok:
            continue
        for name, function, body in form_handlers(src):
            if src.posthog_calls("identify", function):
                identified.append(f"{name} in {file}")
                continue
            email = _email_variable(src, function)
            if email is None:
                continue
            props = "{ email }" if email == "email" else f"{{ email: {email} }}"
            result = browser_call(src, body, f"posthog.identify({email}, {props})")
            if result is None:
                continue
            plan = Plan()
            plan.edit(file, text, result, f"Identified the user by email when the form in {file} succeeds.")
            plan.manual.append("If your backend returns a user id, identify with that id instead of the email.")
            return plan
    if identified:
        return Plan.there_already(f"Users are already identified: {', '.join(identified)} calls posthog.identify.")
    return Plan.skip(
        "No sign-up or log-in form that collects an email was found to identify users at.",
        "Call posthog.identify(userId) after log-in and posthog.reset() on log-out.",
    )


def _email_variable(src: Source, function: Node) -> str | None:
    """The email the handler holds: a variable, a destructured parameter, or a field of the
    values a form library passes (`data.email` in react-hook-form's `onSubmit(data)`)."""
    params = function.child_by_field_name("parameters") or function.child_by_field_name("parameter")
    holders: set[str] = set()
    for node in src.walk(params) if params is not None else ():
        if node.type == "shorthand_property_identifier_pattern" and src.text_of(node) == "email":
            return "email"
        if node.type == "identifier" and src.enclosing(node, "type_annotation") is None:
            holders.add(src.text_of(node))
    for node in src.walk(function):
        if node.type == "variable_declarator":
            name = node.child_by_field_name("name")
            if name is not None and name.type == "identifier" and src.text_of(name).lower() == "email":
                return src.text_of(name)
        if node.type == "member_expression":
            holder, field = node.child_by_field_name("object"), node.child_by_field_name("property")
            if (
                holder is not None
                and field is not None
                and src.text_of(field) == "email"
                and holder.type == "identifier"
                and src.text_of(holder) in holders
            ):
                return src.text_of(node)
    return None


async def _django(ctx: TaskContext) -> Plan:
    root = await init_django.django_root(ctx.project, ctx.app_dir)
    settings = await init_django.settings_module(ctx.project, root) if root else None
    text = await ctx.project.read(settings) if settings else None
    tree = pyedit.parse(text) if text is not None else None
    if settings is None or text is None or tree is None:
        return Plan.skip("The Django settings file could not be found and parsed.")
    if DJANGO_MIDDLEWARE in text:
        return Plan.skip(f"{settings} already has PostHog's context middleware.")
    middleware = next(
        (
            n.value
            for n in tree.body
            if isinstance(n, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "MIDDLEWARE" for t in n.targets)
            and isinstance(n.value, ast.List | ast.Tuple)
        ),
        None,
    )
    auth = next(
        (e for e in (middleware.elts if middleware else []) if isinstance(e, ast.Constant) and e.value == _DJANGO_AUTH),
        None,
    )
    if auth is None:
        return Plan.skip(
            "The app does not use Django's AuthenticationMiddleware, so there is no signed-in user to identify.",
            f"Add {DJANGO_MIDDLEWARE} to MIDDLEWARE once users can sign in.",
        )
    lines = text.split("\n")
    row = auth.end_lineno or auth.lineno
    line = lines[row - 1]
    indent = line[: len(line) - len(line.lstrip())]
    quote = line.lstrip()[0] if line.lstrip()[:1] in "\"'" else '"'
    lines.insert(row, f"{indent}{quote}{DJANGO_MIDDLEWARE}{quote},")
    if not line.rstrip().endswith(","):
        lines[row - 1] = line.rstrip() + ","
    after = "\n".join(lines)
    if pyedit.parse(after) is None:
        return Plan.skip(f"Adding the middleware to {settings} would not parse.")
    plan = Plan()
    plan.edit(
        settings,
        text,
        after,
        f"Added PostHog's context middleware after AuthenticationMiddleware in {settings}: each request's "
        "events carry the signed-in user's id.",
    )
    return plan
