"""The `init` body for Python apps: Flask, FastAPI and plain Python programs (Django: `init_django`).

The app configures PostHog's module-level client from the environment. With no key set the
client is disabled and every call is a no-op, so the app and its tests run as before. The
client is configured where the app's package is first imported, before any of its own
modules (which may build an LLM client wrapped with PostHog at import time) are loaded, and
below a line holding a secret rather than right above it (a patch could not show that).
"""

from __future__ import annotations

import ast
import re
from pathlib import PurePosixPath

from wizard_tui.agents.offline import pydotenv, pyedit
from wizard_tui.agents.offline.changes import Edit, Plan, above_secret, apply_edits, clear_row
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


def envs(framework: Framework) -> tuple[str, str]:
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
    block = config_block(*envs(framework))
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
    # Below the imports the block uses, wherever add_imports had to put them.
    at = max(pyedit.header_end(tree, roots), pyedit.imports_end(tree, {"os", "posthog", "dotenv"}))
    loaded = pydotenv.load_dotenv_end(tree)
    if loaded is not None and loaded > at:
        at, note = loaded, " It comes after the module loads .env, so a key kept there is seen."
    # Never right above a line holding a secret (the patch could not show the change): then
    # below that statement, while the statements passed over are plain ones.
    clear = clear_row(with_imports.split("\n"), [at, *pyedit.plain_rows(tree, at, roots)])
    if clear is None:
        return Plan.skip(
            f"Every place to configure PostHog in {target} sits right above a line holding a secret, which a "
            "patch cannot show; move that secret to an environment variable, then run the wizard again."
        )
    if clear != at:
        note += " It sits below the module's secret-holding line, which no change may touch or border."
    after = pyedit.insert_lines(with_imports, clear, block)
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
    if above_secret(lines, end):
        return None
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
