"""The `init` body for Django: settings read PostHog's key and host from the environment, and one
app's `AppConfig.ready()` configures the client once per process (Django's own convention).

With no key set the client is disabled and every call is a no-op, so the app and its tests
run as before. The settings block goes at the end of the settings file, or above the nearest
statement that is not right above a line holding a secret (which no change may border).
"""

from __future__ import annotations

import ast
import re
from pathlib import PurePosixPath

from wizard_tui.agents.offline import pyedit
from wizard_tui.agents.offline.changes import Plan, above_secret, clear_row
from wizard_tui.agents.offline.init_py import envs
from wizard_tui.agents.offline.project import ProjectReader, app_module, first_existing, join
from wizard_tui.domain.frameworks import DEFAULT_HOST, Framework


async def django_root(project: ProjectReader, app_dir: str) -> str | None:
    """The folder holding manage.py (the shallowest one under the app)."""
    prefix = "" if app_dir in ("", ".") else app_dir.rstrip("/") + "/"
    found = sorted((p for p in await project.files() if p.startswith(prefix) and p.endswith("manage.py")), key=len)
    found = [p for p in found if app_module(p) or p == prefix + "manage.py"]
    if not found:
        return None
    parent = PurePosixPath(found[0]).parent.as_posix()
    return "." if parent == "" else parent


async def settings_module(project: ProjectReader, root: str) -> str | None:
    """The settings file DJANGO_SETTINGS_MODULE names, following `from .base import *` once."""
    names: list[str] = []
    for match in await project.search(r"DJANGO_SETTINGS_MODULE"):
        names += re.findall(r"DJANGO_SETTINGS_MODULE[\"']?\s*[,=:]\s*[\"']([\w.]+)[\"']", match["text"])
    listed = set(await project.files())
    for name in dict.fromkeys(names):
        base = join(root, name.replace(".", "/"))
        path = next((p for p in (base + ".py", base + "/__init__.py") if p in listed), None)
        if path is None:
            continue
        text = await project.read(path)
        tree = pyedit.parse(text) if text is not None else None
        if tree is None:
            continue
        for node in tree.body:
            # A split settings package: the shared module is where every environment gets it.
            if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names) and node.level:
                parent = PurePosixPath(path).parent
                shared = (parent / ((node.module or "").replace(".", "/") + ".py")).as_posix()
                if shared in listed:
                    return shared
        return path
    return None


def _installed_apps(tree: ast.Module) -> list[str]:
    assigned: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            assigned[node.targets[0].id] = node.value
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id in assigned:
            assigned[node.target.id] = ast.BinOp(assigned[node.target.id], ast.Add(), node.value)

    def strings(expr: ast.expr, depth: int = 0) -> list[str]:
        if depth > 5:
            return []
        if isinstance(expr, ast.List | ast.Tuple):
            return [e.value for e in expr.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        if isinstance(expr, ast.BinOp):
            return strings(expr.left, depth + 1) + strings(expr.right, depth + 1)
        if isinstance(expr, ast.Name) and expr.id in assigned:
            return strings(assigned[expr.id], depth + 1)
        return []

    return strings(assigned["INSTALLED_APPS"]) if "INSTALLED_APPS" in assigned else []


async def _app_config(project: ProjectReader, root: str, apps: list[str]) -> tuple[str, str, ast.ClassDef] | None:
    """The first local app's apps.py and its AppConfig class."""
    for entry in apps:
        if entry.startswith("django."):
            continue
        module = entry.split(".apps.")[0] if ".apps." in entry else entry
        class_name = entry.rsplit(".", 1)[1] if ".apps." in entry else None
        for base in (root, join(root, "src")):
            path = join(base, module.replace(".", "/"), "apps.py")
            if not await first_existing(project, path):
                continue
            text = await project.read(path)
            tree = pyedit.parse(text) if text is not None else None
            if text is None or tree is None:
                continue
            for node in tree.body:
                named = isinstance(node, ast.ClassDef) and (class_name is None or node.name == class_name)
                if named and any(_base_name(b) == "AppConfig" for b in node.bases):  # type: ignore[attr-defined]
                    return path, text, node  # type: ignore[return-value]
    return None


def _base_name(expr: ast.expr) -> str:
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return expr.id if isinstance(expr, ast.Name) else ""


def django_settings_block(key_env: str, host_env: str) -> str:
    return (
        f"# PostHog: the key comes from the environment; with no {key_env} set, PostHog stays off.\n"
        f'POSTHOG_API_KEY = os.environ.get("{key_env}", "")\n'
        f'POSTHOG_HOST = os.environ.get("{host_env}", "{DEFAULT_HOST}")\n'
    )


READY_BODY = (
    "import posthog\n"
    "from django.conf import settings\n"
    "\n"
    "# Once per process, from settings (which read the environment). No key: disabled.\n"
    'posthog.project_api_key = getattr(settings, "POSTHOG_API_KEY", "")\n'
    f'posthog.host = getattr(settings, "POSTHOG_HOST", "{DEFAULT_HOST}")\n'
    "posthog.disabled = not posthog.project_api_key\n"
)


async def plan_django(project: ProjectReader, framework: Framework, app_dir: str) -> Plan:
    root = await django_root(project, app_dir)
    if root is None:
        return Plan.skip("No manage.py was found, so the Django project's settings could not be located.")
    settings_path = await settings_module(project, root)
    if settings_path is None:
        return Plan.skip(
            "DJANGO_SETTINGS_MODULE does not name a settings file in the project.",
            "Add POSTHOG_API_KEY and POSTHOG_HOST to settings from the environment, and configure posthog in "
            "an AppConfig.ready().",
        )
    settings_text = await project.read(settings_path)
    settings_tree = pyedit.parse(settings_text) if settings_text is not None else None
    if settings_text is None or settings_tree is None:
        return Plan.skip(f"{settings_path} could not be read and parsed.")
    apps = _installed_apps(settings_tree)
    config = await _app_config(project, root, apps)
    if config is None:
        return Plan.skip(
            "None of INSTALLED_APPS is a local app with an AppConfig in apps.py to start PostHog in.",
            "Configure posthog in the ready() method of one of your apps' AppConfig.",
        )
    plan = Plan()
    with_os = pyedit.add_imports(settings_text, "import os")
    settings_after = _with_settings_block(with_os, django_settings_block(*envs(framework)))
    if settings_after is None:
        return Plan.skip(
            f"Every place for PostHog's settings in {settings_path} sits right above a line holding a secret, "
            "which a patch cannot show; move that secret to an environment variable, then run the wizard again."
        )
    if pyedit.parse(settings_after) is None:
        return Plan.skip(f"Adding PostHog settings to {settings_path} would not parse.")
    plan.edit(
        settings_path,
        settings_text,
        settings_after,
        f"Read the PostHog key and host from the environment in {settings_path}.",
    )
    apps_path, apps_text, cls = config
    apps_after = _with_ready(apps_text, cls)
    if apps_after is None or pyedit.parse(apps_after) is None:
        return Plan.skip(f"{apps_path}'s AppConfig has a ready() the offline agent does not edit safely.")
    plan.edit(
        apps_path, apps_text, apps_after, f"Configured PostHog once at start-up in {cls.name}.ready() ({apps_path})."
    )
    return plan


def _with_settings_block(text: str, block: str) -> str | None:
    """Settings with `block` at the end, or (when the last line holds a secret, which no change
    may border) above the nearest statement that does not, below the imports."""
    tree = pyedit.parse(text)
    if tree is None:
        return None
    lines = text.split("\n")
    if not above_secret(lines, len(lines)):
        return text.rstrip("\n") + "\n\n" + block.rstrip("\n")
    top = pyedit.imports_end(tree, {"os"})
    row = clear_row(lines, [n.lineno - 1 for n in reversed(tree.body) if n.lineno - 1 >= top])
    return None if row is None else pyedit.insert_lines(text, row, block)


def _with_ready(text: str, cls: ast.ClassDef) -> str | None:
    indent = pyedit.body_indent(text, cls)
    lines = text.split("\n")
    ready = next((n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "ready"), None)
    if ready is None:
        method = f"def ready(self):\n{pyedit.indent_block(READY_BODY, '    ')}\n"
        block = pyedit.indent_block(method, indent)
        end = cls.end_lineno or cls.lineno
        lines[end:end] = ["", *block.split("\n")]
        return "\n".join(lines)
    first = ready.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and len(ready.body) > 1:
        first = ready.body[1]
    body_indent = lines[first.lineno - 1][: len(lines[first.lineno - 1]) - len(lines[first.lineno - 1].lstrip())]
    if isinstance(ready.body[0], ast.Expr) and first is ready.body[0]:
        at = first.end_lineno or first.lineno
    else:
        at = first.lineno - 1
    lines[at:at] = [*pyedit.indent_block(READY_BODY, body_indent).split("\n"), ""]
    return "\n".join(lines)
