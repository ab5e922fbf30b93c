"""Python apps that keep their settings in `.env`: PostHog must read its key after the file is loaded.

Init configures PostHog's module-level client from `os.environ` where the app's package is
first imported. An app that loads `.env` with python-dotenv in that same module gets the
configuration after its `load_dotenv()` call; an app that declares python-dotenv but loads
the file in another module, which runs later (a settings module, a CLI command), gets a
`load_dotenv()` of its own before PostHog reads the key. Loading twice is harmless: python-dotenv never overrides
a variable that is already set.
"""

from __future__ import annotations

import ast

from wizard_tui.agents.offline.project import ProjectReader, app_module

LOAD_LINE = "load_dotenv()  # the app keeps its settings in .env: load them before PostHog reads its key\n"


def _loads_dotenv(node: ast.AST) -> bool:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call):
            fn = inner.func
            name = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""
            if name == "load_dotenv":
                return True
    return False


def load_dotenv_end(tree: ast.Module) -> int | None:
    """The line (1-based) where the module's first top-level statement loading `.env` ends."""
    for node in tree.body:
        loads = isinstance(node, ast.Expr) and _loads_dotenv(node)
        # `if Path(".env").exists(): load_dotenv()` and `try: ... load_dotenv()` count too.
        if loads or (isinstance(node, ast.If | ast.Try) and _loads_dotenv(node)):
            return node.end_lineno or node.lineno
    return None


async def loaded_elsewhere(project: ProjectReader, app_dir: str, target: str) -> str | None:
    """A module of the app, other than `target`, that imports python-dotenv: it loads `.env`
    later than `target` runs. An app that imports it nowhere has `.env` loaded by whatever
    starts it (`uvicorn --env-file`, `flask run`, a container's env file) before any import,
    and needs nothing from us."""
    prefix = "" if app_dir in ("", ".") else app_dir.rstrip("/") + "/"
    for match in await project.search(r"^\s*(from dotenv import|import dotenv)\b", glob="**/*.py"):
        file = str(match["file"])
        if file != target and file.startswith(prefix) and app_module(file):
            return file
    return None
