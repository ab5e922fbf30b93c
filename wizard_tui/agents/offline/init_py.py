"""The `init` body for Python apps: Django, Flask, FastAPI and plain Python programs.

The app configures PostHog's module-level client from the environment. With no key set the
client is disabled and every call is a no-op, so the app and its tests run as before.
Django follows its own convention (settings plus `AppConfig.ready`); other apps configure
the client where their package is first imported, before any of their own modules (which
may build an LLM client wrapped with PostHog at import time) are loaded.
"""

from __future__ import annotations

import ast
import re
from pathlib import PurePosixPath

from wizard_tui.agents.offline import pydotenv, pyedit
from wizard_tui.agents.offline.changes import Edit, Plan, apply_edits
from wizard_tui.agents.offline.project import ProjectReader, app_module, first_existing, join
from wizard_tui.domain.frameworks import DEFAULT_HOST, Framework


def config_block(key_env: str, host_env: str) -> str:
    return (
        f"# PostHog reads its key and host from the environment; with no {key_env} set it stays\n"
        "# disabled and every call is a no-op.\n"
        f'posthog.project_api_key = os.environ.get("{key_env}", "")\n'
        f'posthog.host = os.environ.get("{host_env}", "{DEFAULT_HOST}")\n'
        "posthog.disabled = not posthog.project_api_key\n"
    )


def _envs(framework: Framework) -> tuple[str, str]:
    return framework.key_env or "POSTHOG_API_KEY", framework.host_env or "POSTHOG_HOST"


async def local_roots(project: ProjectReader, app_dir: str) -> set[str]:
    """Top-level module and package names that belong to the project (first-party imports)."""
    roots: set[str] = set()
    prefix = "" if app_dir in ("", ".") else app_dir.rstrip("/") + "/"
    for path in await project.files():
        if not path.startswith(prefix) or not path.endswith(".py"):
            continue
        parts = PurePosixPath(path[len(prefix) :]).parts
        if parts and parts[0] == "src" and len(parts) > 1:
            parts = parts[1:]
        if parts:
            roots.add(PurePosixPath(parts[0]).stem)
    return roots


async def _configure_module(project: ProjectReader, module: str, framework: Framework, app_dir: str, why: str) -> Plan:
    """Configure the client in `module`'s package `__init__` (or the module itself), after imports."""
    target = module
    package_init = str(PurePosixPath(module).with_name("__init__.py"))
    in_package = PurePosixPath(module).name != "__init__.py" and await first_existing(project, package_init)
    # An empty __init__ has no line to anchor an edit on: then the module itself it is.
    if in_package and (await project.read(package_init) or "").strip():
        target = package_init
    text = await project.read(target)
    tree = pyedit.parse(text) if text is not None else None
    if text is None or tree is None:
        return Plan.skip(f"{target} could not be read and parsed, so PostHog was not configured there.")
    roots = await local_roots(project, app_dir)
    block = config_block(*_envs(framework))
    imports = ["import os", "import posthog"]
    note = ""
    # The key may live in .env: read it after the app loads that file, or load it first.
    elsewhere = None if pydotenv.load_dotenv_end(tree) else await pydotenv.loaded_elsewhere(project, app_dir, target)
    if elsewhere:
        imports.append("from dotenv import load_dotenv")
        block = pydotenv.LOAD_LINE + block
        note = f" It loads .env first: the app loads it in {elsewhere}, which runs later."
    with_imports = pyedit.add_imports(text, *imports, local_roots=roots)
    tree = pyedit.parse(with_imports)
    assert tree is not None
    at = pyedit.header_end(tree, roots)
    loaded = pydotenv.load_dotenv_end(tree)
    if loaded is not None and loaded > at:
        at, note = loaded, " It comes after the module loads .env, so a key kept there is seen."
    after = pyedit.insert_lines(with_imports, at, block)
    if pyedit.parse(after) is None:
        return Plan.skip(f"Configuring PostHog in {target} would not parse; the offline agent left it alone.")
    plan = Plan()
    plan.edit(target, text, after, f"Configured PostHog from the environment in {target}: {why}{note}")
    return plan


async def _modules_calling(project: ProjectReader, pattern: str, callee: str) -> list[tuple[str, str, ast.Module]]:
    found: list[tuple[str, str, ast.Module]] = []
    seen: set[str] = set()
    for match in await project.search(pattern, glob="**/*.py"):
        path = match["file"]
        if path in seen or not app_module(path):
            continue
        seen.add(path)
        text = await project.read(path)
        tree = pyedit.parse(text) if text is not None else None
        if text is not None and tree is not None and pyedit.find_calls(tree, callee):
            found.append((path, text, tree))
    return sorted(found, key=lambda f: (f[0].count("/"), f[0]))


# -- Flask and FastAPI -----------------------------------------------------------------------


async def plan_flask(project: ProjectReader, framework: Framework, app_dir: str) -> Plan:
    modules = await _modules_calling(project, r"\bFlask\(", "Flask")
    if not modules:
        return Plan.skip("No module creates the Flask app (`Flask(__name__)`), so there is nowhere to start PostHog.")
    factory = next(
        (m for m in modules if any(pyedit.enclosing_function(m[2], c) for c in pyedit.find_calls(m[2], "Flask"))),
        None,
    )
    path = (factory or modules[0])[0]
    why = "the app factory's module" if factory else "the module that creates the Flask app"
    return await _configure_module(project, path, framework, app_dir, f"it is {why}, loaded before the app's views.")


async def plan_fastapi(project: ProjectReader, framework: Framework, app_dir: str) -> Plan:
    modules = await _modules_calling(project, r"\bFastAPI\(", "FastAPI")
    if not modules:
        return Plan.skip("No module creates the FastAPI app (`FastAPI(...)`), so there is nowhere to start PostHog.")
    path, text, _tree = modules[0]
    plan = await _configure_module(
        project, path, framework, app_dir, "it is loaded before the app's routers and their clients."
    )
    if plan.skipped:
        return plan
    # On top of the configuration when it went into this same module.
    current = apply_edits(text, [c for c in plan.changes if isinstance(c, Edit) and c.path == path])
    current_tree = pyedit.parse(current)
    flushed = _flush_in_lifespan(current, current_tree) if current_tree is not None else None
    if flushed is not None:
        plan.edit(path, current, flushed, f"Flushed PostHog's queue when the app shuts down (the lifespan in {path}).")
    return plan


def _flush_in_lifespan(text: str, tree: ast.Module) -> str | None:
    """The module with `posthog.flush()` after the lifespan's `yield`, when that is a plain statement."""
    calls = pyedit.find_calls(tree, "FastAPI")
    name = next(
        (kw.value.id for c in calls for kw in c.keywords if kw.arg == "lifespan" and isinstance(kw.value, ast.Name)),
        None,
    )
    function = next(
        (n for n in tree.body if isinstance(n, ast.AsyncFunctionDef | ast.FunctionDef) and n.name == name), None
    )
    if function is None:
        return None
    yields = [s for s in function.body if isinstance(s, ast.Expr) and isinstance(s.value, ast.Yield)]
    if len(yields) != 1:
        return None
    indent = pyedit.body_indent(text, function)
    lines = text.split("\n")
    end = yields[0].end_lineno or yields[0].lineno
    lines[end:end] = [f"{indent}posthog.flush()"]
    result = pyedit.add_imports("\n".join(lines), "import posthog")
    return result if pyedit.parse(result) else None


# -- plain Python ----------------------------------------------------------------------------


async def python_entry(project: ProjectReader, app_dir: str) -> str | None:
    """The module a plain Python program starts from."""
    pyproject = (
        await project.read(join(app_dir, "pyproject.toml"))
        if await first_existing(project, join(app_dir, "pyproject.toml"))
        else None
    )
    listed = set(await project.files())
    if pyproject:
        for target in re.findall(r"^\s*[\w.-]+\s*=\s*[\"']([\w.]+):\w+[\"']", pyproject, re.M):
            for base in ("", "src/"):
                module = join(app_dir, base + target.replace(".", "/"))
                for candidate in (module + ".py", module + "/__init__.py"):
                    if candidate in listed:
                        return candidate
    for name in ("__main__.py", "main.py", "app.py", "cli.py", "run.py", "manage.py"):
        for candidate in (join(app_dir, name), *sorted(p for p in listed if p.endswith("/" + name))):
            if candidate in listed and app_module(candidate):
                return candidate
    for match in await project.search(r"^if __name__ == [\"']__main__[\"']", glob="**/*.py"):
        if app_module(match["file"]):
            return str(match["file"])
    return None


async def plan_python(project: ProjectReader, framework: Framework, app_dir: str) -> Plan:
    entry = await python_entry(project, app_dir)
    if entry is None:
        return Plan.skip(
            "No entry point was found (a console script, __main__.py, main.py or a `__main__` block).",
            "Configure posthog from POSTHOG_API_KEY where the program starts.",
        )
    return await _configure_module(project, entry, framework, app_dir, "it is where the program starts.")


# -- Django ----------------------------------------------------------------------------------


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
    settings_after = with_os.rstrip("\n") + "\n\n" + django_settings_block(*_envs(framework)).rstrip("\n")
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
