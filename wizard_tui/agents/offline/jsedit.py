"""Small, parser-guided edits to a script: add an import, insert a block, wrap JSX.

Each helper takes a parsed `Source` and returns new text, or None when the shape is not
one it edits safely. Callers re-parse the result before proposing it.
"""

from __future__ import annotations

from wizard_tui.agents.offline.changes import clear_row
from wizard_tui.agents.offline.jsparse import Node, Source


def _splice(src: Source, at: int, text: str) -> str:
    return (src.data[:at] + text.encode("utf-8") + src.data[at:]).decode("utf-8")


def import_line(src: Source, clause: str, module: str) -> str:
    """`import clause from "module";` (or the `require` form in CommonJS) in the file's style."""
    q = src.quote()
    semi = ";" if src.semicolons() else ""
    if not src.is_esm and any(i.require for i in src.imports()):
        return f"const {clause} = require({q}{module}{q}){semi}"
    return f"import {clause} from {q}{module}{q}{semi}"


def add_import(src: Source, clause: str, module: str) -> str:
    """The file with an import added after its last import (or its directives)."""
    return add_line(src, import_line(src, clause, module))


def side_effect_import(src: Source, module: str, at: int | None = None) -> str:
    """The file with `import "module"` (or `require("module")`) added after its imports, or at byte `at`."""
    q = src.quote()
    semi = ";" if src.semicolons() else ""
    if not src.is_esm and any(i.require for i in src.imports()):
        return add_line(src, f"require({q}{module}{q}){semi}", at)
    return add_line(src, f"import {q}{module}{q}{semi}", at)


def add_line(src: Source, line: str, at: int | None = None) -> str:
    """The file with one line added after its prologue (directives and imports), or at byte `at`.

    Never right above a line holding a secret, which a patch could not show: then above the
    imports before that place (not for an `at` the caller chose: it must come after what is
    above it), else below the statements after it.
    """
    line += "\n"
    chosen = at is not None
    at = src.after_prologue() if at is None else at
    at = clear_offset(src, at, up=not chosen)
    if at == 0:
        return line + ("\n" if src.text and not src.text.startswith("\n") else "") + src.text
    return _splice(src, at, line)


def in_file_style(src: Source, block: str) -> str:
    """Our `block` (double quotes, two-space indents, semicolons) in the file's own style.

    Only for code we generate: its strings hold no quote of the other kind, and no line of
    it starts with `(`, `[` or a backtick, so dropping semicolons cannot join statements.
    """
    q, semi, unit = src.quote(), src.semicolons(), src.indent_unit()
    lines = []
    for line in block.split("\n"):
        body = line.lstrip(" ")
        depth = (len(line) - len(body)) // 2
        if q == "'" and "'" not in body and not body.startswith("//"):
            body = body.replace('"', "'")
        if not semi and body.endswith(";") and not body.startswith("//"):
            body = body[:-1]
        lines.append(unit * depth + body if body else body)
    return "\n".join(lines)


def insert_after_prologue(src: Source, block: str) -> str:
    """`block` (whole lines, in our style) placed after the imports in the file's style,
    separated by blank lines (and below the statements that follow, when the line after the
    imports holds a secret)."""
    block = in_file_style(src, block)
    at = clear_offset(src, src.after_prologue(), up=False)
    before = src.data[:at].decode("utf-8")
    rest = src.data[at:].decode("utf-8")
    lead = "" if not before or before.endswith("\n\n") else "\n"
    return before + lead + block.rstrip("\n") + "\n" + ("\n" if rest and not rest.startswith("\n") else "") + rest


def wrap_node(src: Source, node: Node, open_tag: str, close_tag: str) -> str:
    """JSX `node` wrapped in `open_tag`...`close_tag`; a multi-line node is re-indented by two spaces."""
    inner = src.text_of(node)
    if "\n" not in inner:
        return _replace(src, node, f"{open_tag}{inner}{close_tag}")
    indent = src.indent_of(node)
    step = src.indent_unit()
    body = "\n".join((step + ln) if ln.strip() else ln for ln in inner.split("\n"))
    wrapped = f"{open_tag}\n{indent}{body}\n{indent}{close_tag}"
    return _replace(src, node, wrapped)


def _replace(src: Source, node: Node, text: str) -> str:
    return (src.data[: node.start_byte] + text.encode("utf-8") + src.data[node.end_byte :]).decode("utf-8")


def returned_jsx(src: Source, function: Node) -> Node | None:
    """The JSX a component returns (its last top-level `return`), or its arrow's JSX body."""
    body = function.child_by_field_name("body")
    if body is None:
        return None
    if body.type != "statement_block":
        return _unparen(body)
    returns = [c for c in body.named_children if c.type == "return_statement"]
    if not returns:
        return None
    value = next((c for c in returns[-1].named_children), None)
    return _unparen(value) if value is not None else None


def _unparen(node: Node | None) -> Node | None:
    while node is not None and node.type == "parenthesized_expression":
        node = next((c for c in node.named_children if c.type != "comment"), None)
    if node is not None and node.type in ("jsx_element", "jsx_self_closing_element", "jsx_fragment"):
        return node
    return None


MAX_MOVE = 5  # statements an insertion may move past to keep off a secret line


def clear_offset(src: Source, at: int, *, up: bool) -> int:
    """A line start near byte `at` where added lines are not right above a line holding a secret:
    `at` itself, else (when `up`) above one of the imports before it, else below one of the
    few statements after it; `at` when there is none (the propose tools then say why)."""
    starts = [0]
    for line in src.data.split(b"\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    lines = src.text.split("\n")

    def row(offset: int) -> int:
        return src.data.count(b"\n", 0, offset)

    rows = [row(at)]
    top = [c for c in src.root.children if c.type not in ("comment", "hash_bang_line")]
    if up:
        floor = max((c.end_byte for c in top if c.type == "expression_statement" and _directive(c)), default=0)
        imports = [c for c in top if c.start_byte < at and c.start_byte >= floor and _is_import(src, c)]
        rows += [row(c.start_byte) for c in reversed(imports)]
    rows += [row(c.end_byte) + 1 for c in [c for c in top if c.start_byte >= at][:MAX_MOVE]]
    clear = clear_row(lines, rows)
    return at if clear is None or clear >= len(starts) else starts[clear]


def _directive(node: Node) -> bool:
    first = node.named_children[0] if node.named_children else None
    return first is not None and first.type == "string"


def _is_import(src: Source, node: Node) -> bool:
    return node.type == "import_statement" or any(i.node == node for i in src.imports())
