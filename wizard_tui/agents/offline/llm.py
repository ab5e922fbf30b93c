"""The `llm-analytics` body: swap the app's LLM clients for PostHog's wrappers of the same SDK.

Python: `from anthropic import AsyncAnthropic` becomes `from posthog.ai.anthropic import
AsyncAnthropic`; the wrapper is a subclass that reports each generation to the client init
configured. JavaScript: `new OpenAI({...})` becomes the `@posthog/ai` wrapper given a
posthog-node client as `posthog`. Browser code and SDKs without a wrapper are left alone.
"""

from __future__ import annotations

import ast
import posixpath
from pathlib import PurePosixPath

from wizard_tui.agents.offline import init_js, init_node, jsedit, pyedit
from wizard_tui.agents.offline.changes import Edit, Plan, secret_border
from wizard_tui.agents.offline.context import TaskContext
from wizard_tui.agents.offline.jsparse import Source, grammar_for
from wizard_tui.agents.offline.project import ProjectReader, first_existing, join
from wizard_tui.domain.frameworks import DEFAULT_HOST, LLM_WRAPPERS, Framework, LlmWrapper

# -- Python ----------------------------------------------------------------------------------


def wrap_python(path: str, text: str, sdk: str) -> str | None:
    """The module with the SDK's client classes imported from PostHog's wrapper, or None."""
    wrapper = LLM_WRAPPERS.get(("python", sdk))
    tree = pyedit.parse(text)
    if wrapper is None or tree is None:
        return None
    lines = text.split("\n")
    changed = False
    # Bottom-up, so earlier line numbers stay valid while lines are replaced.
    for node in sorted(tree.body, key=lambda n: n.lineno, reverse=True):
        if isinstance(node, ast.ImportFrom) and node.module == sdk and node.level == 0:
            wrapped = [a for a in node.names if a.name in wrapper.classes]
            if not wrapped:
                continue
            rest = [a for a in node.names if a.name not in wrapper.classes]
            indent = lines[node.lineno - 1][: len(lines[node.lineno - 1]) - len(lines[node.lineno - 1].lstrip())]
            new = []
            if rest:
                new.append(f"{indent}from {sdk} import {', '.join(_alias(a) for a in rest)}")
            new.append(f"{indent}from {wrapper.module} import {', '.join(_alias(a) for a in wrapped)}")
            lines[node.lineno - 1 : node.end_lineno] = new
            changed = True
    if not changed:
        changed = _wrap_module_attribute_calls(tree, lines, sdk, wrapper)
        if changed:
            result = pyedit.add_imports("\n".join(lines), f"import {wrapper.module}")
            return result if pyedit.parse(result) else None
    result = "\n".join(lines)
    return result if changed and pyedit.parse(result) else None


def _alias(alias: ast.alias) -> str:
    return f"{alias.name} as {alias.asname}" if alias.asname else alias.name


def _wrap_module_attribute_calls(tree: ast.Module, lines: list[str], sdk: str, wrapper: LlmWrapper) -> bool:
    """`anthropic.Anthropic(...)` calls (after `import anthropic`) pointed at the wrapper module."""
    if sdk not in pyedit.imported_modules(tree):
        return False
    calls = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id == sdk
        and n.func.attr in wrapper.classes
    ]
    for call in sorted(calls, key=lambda c: (c.func.lineno, c.func.col_offset), reverse=True):
        func = call.func
        row = func.lineno - 1
        line = lines[row].encode("utf-8")
        start, end = func.col_offset, func.end_col_offset or func.col_offset
        replacement = f"{wrapper.module}.{func.attr}".encode()  # type: ignore[attr-defined]
        lines[row] = (line[:start] + replacement + line[end:]).decode("utf-8")
    return bool(calls)


# -- JavaScript ------------------------------------------------------------------------------


def js_wrapper_blocker(package: dict[str, object], sdk: str) -> str | None:
    """Why PostHog's wrapper cannot be used with the app's version of `sdk`, or None when it can."""
    wrapper = LLM_WRAPPERS.get(("javascript", sdk))
    if wrapper is None:
        return f"PostHog has no JavaScript wrapper for {sdk}"
    spec = init_js.dependency(package, sdk)
    if wrapper.min_sdk and init_js.version_at_least(spec, wrapper.min_sdk) is False:
        wanted = ".".join(str(n) for n in wrapper.min_sdk)
        return f"the app declares {sdk} {spec}, older than the {wanted} that @posthog/ai's peer range needs"
    return None


JS_SDK_MODULES = {"openai": "openai", "@anthropic-ai/sdk": "@anthropic-ai/sdk"}


def wrap_javascript(path: str, text: str, sdk: str, client_module: str) -> str | None:
    """The file with `new <Client>(...)` built from the `@posthog/ai` wrapper, given the client.

    The client goes last among the options, or first when the last option's line holds a
    secret (an API key written into the code), which no change may rewrite or border; None
    when neither keeps off it."""
    for first in (False, True):
        result = _wrap_javascript(path, text, sdk, client_module, first=first)
        if result is None or secret_border(text, result) is None:
            return result
    return None


def _wrap_javascript(path: str, text: str, sdk: str, client_module: str, *, first: bool) -> str | None:
    wrapper = LLM_WRAPPERS.get(("javascript", sdk))
    src = Source(text, path)
    if wrapper is None or not src.ok:
        return None
    targets: list[tuple[str, str]] = []  # (local name, wrapped class)
    for imp in src.imports_from(sdk):
        if imp.source != sdk:
            continue
        if imp.default:
            targets.append((imp.default, wrapper.classes[0]))
        targets += [(n, n) for n in imp.names if n in wrapper.classes]
    news = [(node, cls) for local, cls in targets for node in src.news(local)]
    if not news:
        return None
    existing = next((i.default for i in src.imports() if i.source == client_module and i.default), None)
    client = existing or "posthog"
    data = src.data
    for node, cls in sorted(news, key=lambda n: n[0].start_byte, reverse=True):
        ctor = node.child_by_field_name("constructor")
        args = node.child_by_field_name("arguments")
        assert ctor is not None
        options = [c for c in args.named_children if c.type != "comment"] if args is not None else []
        if not options:
            data = data[: ctor.start_byte] + f"PostHog{cls}({{ posthog: {client} }})".encode() + data[node.end_byte :]
            continue
        if len(options) != 1 or options[0].type != "object":
            return None  # options built elsewhere: the client cannot be added safely
        obj = options[0]
        props = [c for c in obj.named_children if c.type != "comment"]
        prop = "posthog" if client == "posthog" else f"posthog: {client}"
        multiline = b"\n" in data[obj.start_byte : obj.end_byte]
        if not props:
            data = data[: obj.start_byte] + f"{{ {prop} }}".encode() + data[obj.end_byte :]
        elif first:
            sep = f"\n{src.indent_of(props[0])}" if multiline else " "
            data = data[: props[0].start_byte] + f"{prop},{sep}".encode() + data[props[0].start_byte :]
        else:
            last = props[-1]
            sep = f"\n{src.indent_of(last)}" if multiline else " "
            data = data[: last.end_byte] + f",{sep}{prop}".encode() + data[last.end_byte :]
        data = data[: ctor.start_byte] + f"PostHog{cls}".encode() + data[ctor.end_byte :]
    result = Source(data.decode("utf-8"), path)
    for cls in dict.fromkeys(c for _, c in news):
        result = Source(jsedit.add_import(result, f"{{ {cls} as PostHog{cls} }}", wrapper.module), path)
    if existing is None:
        result = Source(jsedit.add_import(result, "posthog", client_module), path)
    result = _drop_unused_imports(result, [local for local, _ in targets], sdk)
    return result.text if result.ok else None


def _drop_unused_imports(src: Source, names: list[str], sdk: str) -> Source:
    """Remove the SDK import when none of its names is used any more (TypeScript flags it)."""
    for imp in src.imports_from(sdk):
        if imp.source != sdk or imp.require:
            continue
        bound = [n for n in [imp.default, *imp.names, imp.namespace] if n]
        used = any(
            node.type in ("identifier", "type_identifier", "nested_type_identifier")
            and src.text_of(node) in bound
            and src.enclosing(node, "import_statement") is None
            for node in src.walk()
        )
        if not used and all(n in names for n in bound):
            start, end = src.line_start(imp.node.start_byte), src.line_end(imp.node.end_byte)
            return Source((src.data[:start] + src.data[end:]).decode("utf-8"), src.path)
    return src


def server_client_module(typescript: bool, key_env: str, host_env: str) -> str:
    """A posthog-node client for server code that runs in short-lived functions (Next.js)."""
    return (
        'import { PostHog } from "posthog-node";\n\n'
        f"// Server-side PostHog client for LLM analytics. Disabled when {key_env} is not set;\n"
        "// flushAt 1 sends each event at once, since serverless functions end quickly.\n"
        f'const posthog = new PostHog(process.env.{key_env} || "", {{\n'
        f'  host: process.env.{host_env} || "{DEFAULT_HOST}",\n'
        "  flushAt: 1,\n"
        "  flushInterval: 0,\n"
        f"  disabled: !process.env.{key_env},\n"
        "});\n\n"
        "export default posthog;\n"
    )


async def _specifier(ctx: TaskContext, path: str, text: str, module: str) -> str:
    """How `path` imports the client module: Node's rules for a Node app; a bundler's (no extension) else."""
    if ctx.framework.id == "javascript_node":
        package = await init_js.package_json(ctx.project, ctx.app_dir)
        return init_node.client_specifier(path, module, package, esm_syntax=Source(text, path).is_esm)
    rel = posixpath.relpath(module, PurePosixPath(path).parent.as_posix())
    return posixpath.splitext(rel if rel.startswith(".") else "./" + rel)[0]


async def _existing_server_client(ctx: TaskContext) -> str | None:
    """Where the app already creates a posthog-node client (not the one this task made), if it does."""
    prefix = "" if ctx.app_dir in ("", ".") else ctx.app_dir.rstrip("/") + "/"
    for match in await ctx.project.search(r"new PostHog\("):
        file = str(match["file"])
        ours = PurePosixPath(file).name in ("posthog-server.ts", "posthog-server.js")
        if file.startswith(prefix) and not ours and not init_js.is_test_file(file):
            return f"{file}:{match['line']}"
    return None


async def _js_client(ctx: TaskContext, plan: Plan) -> tuple[str | None, str]:
    """The posthog-node client module the wrappers are given (created for Next.js, init's for
    Node), or None and the reason there is none."""
    project: ProjectReader = ctx.project
    fw = ctx.framework
    if fw.id == "nextjs":
        existing = await _existing_server_client(ctx)
        if existing:
            return None, f"the app already has a posthog-node client ({existing}); give it to the wrapper as `posthog`"
        typescript = await first_existing(project, join(ctx.app_dir, "tsconfig.json")) is not None
        uses_src = await first_existing(
            project,
            *(
                join(ctx.app_dir, f"src/{d}/{f}")
                for d, f in (("app", "layout.tsx"), ("app", "layout.js"), ("pages", "_app.tsx"), ("pages", "_app.js"))
            ),
        )
        base = join(ctx.app_dir, "src") if uses_src else ctx.app_dir
        path = join(base, "lib", "posthog-server.ts" if typescript else "posthog-server.js")
        if not await first_existing(project, path):
            key_env, host_env = fw.key_env or "NEXT_PUBLIC_POSTHOG_KEY", fw.host_env or "NEXT_PUBLIC_POSTHOG_HOST"
            plan.add_file(
                path,
                server_client_module(typescript, key_env, host_env),
                f"Created {path}: a server-side posthog-node client the LLM wrappers report through.",
            )
        return path, ""
    no_client = "no posthog-node client module to give the wrapper (set up init first)"
    if fw.id == "javascript_node":
        module = await init_node.existing_node_client(project, ctx.app_dir)
        return module, "" if module else no_client
    return None, f"the offline agent wraps LLM clients only in Next.js and Node apps, not {fw.name}"


def wrapper_packages(fw: Framework) -> list[str]:
    """What the LLM wrappers need declared in an app that already has PostHog.

    Python's wrappers ship in `posthog` itself. Next.js gets its own server client from this
    task, so it needs posthog-node and the wrappers' package; a Node app's wrappers use the
    client init creates, which an instrumented app does not get, so nothing is declared.
    """
    if fw.id == "nextjs" and fw.llm_sdk:
        return ["posthog-node", fw.llm_sdk]
    return []


async def wrappable_llm_sdks(ctx: TaskContext) -> bool:
    """Whether the app calls an LLM SDK that PostHog's wrapper package can wrap as declared."""
    sdks = [str(s) for s in ctx.detection.get("llm_sdks") or []]
    if ctx.framework.ecosystem != "javascript":
        return bool(sdks)
    package = await init_js.package_json(ctx.project, ctx.app_dir)
    return any(js_wrapper_blocker(package, sdk) is None for sdk in sdks)


# What detection calls a file that builds its client from PostHog's wrappers already.
POSTHOG_WRAPPER_PACKAGES = frozenset({"@posthog/ai", "posthog[ai]"})


def wrapper_imports(path: str, text: str) -> list[str]:
    """The PostHog LLM wrapper modules a file imports (`@posthog/ai/openai`, `posthog.ai.anthropic`)."""
    if path.endswith(".py"):
        tree = pyedit.parse(text)
        modules = [
            name
            for node in (ast.walk(tree) if tree is not None else ())
            for name in (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
        ]
        return sorted({m for m in modules if m == "posthog.ai" or m.startswith("posthog.ai.")})
    if grammar_for(path) is None:
        return []
    return sorted({i.source for i in Source(text, path).imports_from("@posthog/ai")})


async def _wrap(
    ctx: TaskContext, plan: Plan, path: str, text: str, sdk: str, clients: dict[str, tuple[str | None, str]]
) -> tuple[str | None, str]:
    """`text` with the `sdk` clients wrapped, or None and why not. `clients` keeps the posthog-node
    client module the JavaScript wrappers are given, found (or made) once per task."""
    if path.endswith(".py"):
        after = wrap_python(path, text, sdk)
    elif grammar_for(path) and ("javascript", sdk) in LLM_WRAPPERS:
        blocker = js_wrapper_blocker(await init_js.package_json(ctx.project, ctx.app_dir), sdk)
        if blocker:
            return None, f"{blocker} (upgrade it, then wrap the client)"
        if "js" not in clients:
            clients["js"] = await _js_client(ctx, plan)
        module, why_not = clients["js"]
        if module is None:
            return None, why_not
        spec = await _specifier(ctx, path, text, module)
        after = wrap_javascript(path, text, sdk, spec)
        if after is None and _wrap_javascript(path, text, sdk, spec, first=False) is not None:
            return None, (
                f"({sdk}): the options that build the client sit on a line holding a secret value (an API key in "
                "the code), which a patch cannot show; read the key from an environment variable, then wrap the client"
            )
    else:
        after = None
    return after, "" if after is not None else f"({sdk}): no client construction PostHog wraps was found"


async def plan_llm(ctx: TaskContext) -> Plan:
    calls = [c for c in ctx.inputs.get("llm_calls") or [] if isinstance(c, dict) and c.get("file")]
    if not calls:
        calls = [c for c in ctx.detection.get("llm_calls") or [] if c.get("kind") != "manifest"]
    by_file: dict[str, list[str]] = {}
    for call in calls:
        sdks = by_file.setdefault(str(call["file"]), [])
        if str(call.get("sdk", "")) not in sdks:
            sdks.append(str(call.get("sdk", "")))
    plan = Plan()
    left: list[str] = []
    wrapped_already: list[str] = []
    clients: dict[str, tuple[str | None, str]] = {}
    for path, sdks in by_file.items():
        text = await ctx.project.read(path)
        if text is None:
            left.append(f"{path} could not be read whole")
            continue
        current, why_not, done = text, [], []
        for sdk in (s for s in sdks if s not in POSTHOG_WRAPPER_PACKAGES):
            after, reason = await _wrap(ctx, plan, path, current, sdk, clients)
            if after is None or after == current:
                why_not.append(reason or f"({sdk}): no client construction PostHog wraps was found")
            else:
                current = after
                done.append(sdk)
        # A second run meets the clients the first one wrapped: that is the goal reached, not a failure.
        wrappers = wrapper_imports(path, text)
        if current != text:
            note = f"Wrapped the {', '.join(done)} client in {path} with PostHog's LLM analytics wrapper."
            plan.edit(path, text, current, note)
        elif wrappers:
            wrapped_already.append(f"{path} ({', '.join(wrappers)})")
        else:
            left.append(f"{path} " + ("; ".join(why_not) or f"({', '.join(sdks)}): no client PostHog wraps"))
    already = "already wrapped with PostHog's LLM analytics wrappers: " + "; ".join(wrapped_already)
    if not any(isinstance(c, Edit) for c in plan.changes):
        plan.changes.clear()  # a server client made for wrappers that none of the files could take
    if not plan.changes and wrapped_already and not left:
        return Plan.there_already(f"The LLM clients are {already}.")
    if not plan.changes:
        return Plan.skip(
            "No LLM client could be wrapped: "
            + "; ".join(left or ["no call sites were given"])
            + (f"; {already}" if wrapped_already else "")
            + ".",
            "Wrap your LLM clients by hand: https://posthog.com/docs/llm-analytics/installation",
        )
    if wrapped_already:
        plan.notes.append(f"Left as they are, {already}.")
    if left:
        plan.manual.append("Not wrapped: " + "; ".join(left) + ".")
    return plan
