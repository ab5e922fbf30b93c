"""Python source read with `ast` and edited by whole lines, keeping the author's layout.

`ast` tells where statements begin and end; the edits are line insertions at those places,
indented like their neighbours. Every result is parsed again before it is proposed.
"""

from __future__ import annotations

import ast
import sys

from wizard_tui.agents.offline.changes import clear_row


def parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _is_import(node: ast.stmt) -> bool:
    return isinstance(node, ast.Import | ast.ImportFrom)


def imported_modules(tree: ast.Module) -> set[str]:
    """Top-level `import x` names and `from x import` modules."""
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            found.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def is_first_party(node: ast.stmt, local_roots: set[str]) -> bool:
    """A relative import, or an import of a package that lives in the project."""
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] in local_roots
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] in local_roots for alias in node.names)
    return False


def header_end(tree: ast.Module, local_roots: set[str] = frozenset()) -> int:  # type: ignore[assignment]
    """The line (0-based) after the module's leading imports, stopping before first-party ones.

    Code placed there runs before any module of the project is imported, so a client set up
    there exists before anything at import time could use it.
    """
    end = 0
    for node in tree.body:
        if _is_docstring(node) and end == 0:
            end = node.end_lineno or node.lineno
            continue
        if _is_import(node) and not is_first_party(node, local_roots):
            end = node.end_lineno or node.lineno
            continue
        if isinstance(node, ast.If | ast.Try) and all(_is_import(s) for s in node.body):
            end = node.end_lineno or node.lineno  # `try: import x except ImportError: ...`
            continue
        break
    return end


def insert_lines(text: str, line: int, block: str) -> str:
    """`block` inserted before 0-based `line`, with blank lines around it where code touches it."""
    lines = text.split("\n")
    new = block.rstrip("\n").split("\n")
    if line > 0 and lines[line - 1].strip():
        new.insert(0, "")
    if line < len(lines) and lines[line].strip():
        new.append("")
    lines[line:line] = new
    return "\n".join(lines)


def add_imports(text: str, *statements: str, local_roots: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    """`import x` (or `from x import y`) statements added where isort would put them, unless already bound.

    Standard-library modules go after the last standard-library import (or first of all);
    others after the last third-party import, before the project's own imports.
    """
    tree = parse(text)
    if tree is None:
        return text
    have = imported_modules(tree)
    bound = {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names}
    # `import x` is there when x is imported; `from x import y` when y is bound at the top.
    missing = [
        s for s in statements if (s.split()[3] not in bound if s.startswith("from ") else s.split()[1] not in have)
    ]
    if not missing:
        return text
    lines = text.split("\n")
    end = header_end(tree, local_roots)
    leading = [n for n in tree.body if (n.end_lineno or n.lineno) <= end and _is_import(n)]
    first = leading[0].lineno - 1 if leading else end
    third = [s for s in missing if s.split()[1].split(".")[0] not in sys.stdlib_module_names]
    stdlib = [s for s in missing if s not in third]
    if not leading:
        return "\n".join(_first_imports(lines, tree, end, stdlib, third, local_roots))
    # Not right above a line holding a secret (the patch could not show the change): then
    # above an import of the group instead.
    starts = [n.lineno - 1 for n in reversed(leading)]
    third_at = clear_row(lines, [end, *starts]) if third else None
    std_nodes = [n for n in leading if _module_root(n) in sys.stdlib_module_names]
    std_at = None
    if stdlib:
        std_rows = [std_nodes[-1].end_lineno or std_nodes[-1].lineno] if std_nodes else [first]
        std_at = clear_row(lines, [*std_rows, *(n.lineno - 1 for n in reversed(std_nodes))])
        std_at = std_rows[0] if std_at is None else std_at
    # Bottom-up, so the earlier insertion point stays valid.
    if third:
        row = end if third_at is None else third_at
        if std_at is not None and std_at > row:
            lines[std_at:std_at] = stdlib if std_nodes else [*stdlib, ""]
            std_at = None
        lines[row:row] = third
    if std_at is not None:
        lines[std_at:std_at] = stdlib if std_nodes else [*stdlib, ""]
    return "\n".join(lines)


def _first_imports(
    lines: list[str], tree: ast.Module, end: int, stdlib: list[str], third: list[str], local_roots: set[str]
) -> list[str]:
    """The file's first imports: after its docstring, or below the comment block that opens it
    (a shebang and a coding line must stay the first lines), a blank line either side where
    text touches them, and none added at the end of the file. Not right above a line holding
    a secret: then below the plain statements that lead the file, down to a clear place."""
    if end == 0:
        while end < len(lines) and lines[end].startswith("#"):
            end += 1
    clear = clear_row(lines, [end, *plain_rows(tree, end, local_roots)])
    end = end if clear is None else clear
    block = [*stdlib, *([""] if stdlib and third else []), *third]
    if end > 0 and lines[end - 1].strip():
        block.insert(0, "")
    if end < len(lines) and lines[end].strip():
        block.append("")
    return lines[:end] + block + lines[end:]


def plain_rows(tree: ast.Module, from_row: int, local_roots: set[str] = frozenset()) -> list[int]:  # type: ignore[assignment]
    """The rows just after each top-level statement from 0-based `from_row` on, while the
    statements are plain: a block moved below them still runs before anything of the project
    does (assignments of values with no call, definitions, docstrings, third-party imports)."""
    rows: list[int] = []
    for node in tree.body:
        if node.lineno - 1 < from_row:
            continue
        if not _plain(node, local_roots):
            break
        rows.append(node.end_lineno or node.lineno)
    return rows


def _plain(node: ast.stmt, local_roots: set[str]) -> bool:
    if _is_import(node):
        return not is_first_party(node, local_roots)
    if isinstance(node, ast.Expr):
        return isinstance(node.value, ast.Constant)
    if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
        return not any(isinstance(n, ast.Call | ast.Await | ast.Yield | ast.NamedExpr) for n in ast.walk(node))
    return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)


def imports_end(tree: ast.Module, modules: set[str]) -> int:
    """The row just after the last top-level import of any of `modules` (0 when there is none):
    code that uses them goes below it."""
    rows = [n.end_lineno or n.lineno for n in tree.body if _is_import(n) and _module_root(n) in modules]
    return max(rows, default=0)


def _module_root(node: ast.stmt) -> str:
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] if node.level == 0 else ""
    if isinstance(node, ast.Import):
        return node.names[0].name.split(".")[0]
    return ""


def body_indent(text: str, node: ast.stmt) -> str:
    """The indentation of the first statement in a compound statement's body."""
    body: list[ast.stmt] = getattr(node, "body", None) or []
    if not body:
        return "    "
    line = text.split("\n")[body[0].lineno - 1]
    return str(line[: len(line) - len(line.lstrip())])


def indent_block(block: str, indent: str) -> str:
    return "\n".join((indent + ln) if ln.strip() else ln for ln in block.rstrip("\n").split("\n"))


def find_calls(tree: ast.AST, name: str) -> list[ast.Call]:
    """Calls whose callee is `name` or `<anything>.name`."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            fn = node.func
            if (isinstance(fn, ast.Name) and fn.id == name) or (isinstance(fn, ast.Attribute) and fn.attr == name):
                out.append(node)
    return out


def statement_holding(tree: ast.Module, target: ast.AST) -> tuple[list[ast.stmt], ast.stmt] | None:
    """The innermost statement containing `target`, and the statement list it sits in."""
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            stmts = getattr(node, field, None)
            if not isinstance(stmts, list):
                continue
            for stmt in stmts:
                if (
                    isinstance(stmt, ast.stmt)
                    and any(n is target for n in ast.walk(stmt))
                    and _contains_no_smaller(stmt, target)
                ):
                    return stmts, stmt
    return None


def _contains_no_smaller(stmt: ast.stmt, target: ast.AST) -> bool:
    """True when no statement nested in `stmt` also contains `target`."""
    for node in ast.walk(stmt):
        if node is stmt or not isinstance(node, ast.stmt):
            continue
        if any(n is target for n in ast.walk(node)):
            return False
    return True


def enclosing_function(tree: ast.Module, target: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    found: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if any(n is target for n in ast.walk(node)) and (found is None or node.lineno > found.lineno):
            found = node
    return found


def posthog_calls(tree: ast.Module, within: ast.AST, method: str) -> list[ast.Call]:
    """Calls of PostHog's `method` under `within`: on the `posthog` module however it is
    imported, or on a name that says it is a PostHog client (`posthog_client.capture`)."""
    bound = {"posthog"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            bound |= {a.asname or a.name for a in node.names if a.name.split(".")[0] == "posthog"}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "posthog":
            bound |= {a.asname or a.name for a in node.names}
    return [
        n
        for n in ast.walk(within)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == method
        and isinstance(n.func.value, ast.Name)
        and (n.func.value.id in bound or "posthog" in n.func.value.id.lower())
    ]
