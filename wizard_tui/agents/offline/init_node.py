"""The `init` body for Node.js servers and scripts (Express, Fastify, bots, CLIs).

The app gets one module that creates its posthog-node client, disabled without a key, and
the file Node starts loads it. Capture and LLM tasks import that same module, so every
rule about where it lives and how another file names it is here, once: Node's ES modules
need the file's extension, CommonJS and TypeScript compiled to it resolve the bare name.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import PurePosixPath

from wizard_tui.agents.offline import jsedit
from wizard_tui.agents.offline.changes import Plan
from wizard_tui.agents.offline.init_js import package_json
from wizard_tui.agents.offline.jsparse import SCRIPT_EXTENSIONS, TS_EXTENSIONS, Source
from wizard_tui.agents.offline.project import ProjectReader, first_existing, join
from wizard_tui.domain.frameworks import DEFAULT_HOST, Framework

# TypeScript sources are imported by the name of the JavaScript file they compile to.
_COMPILED = {".ts": ".js", ".tsx": ".js", ".mts": ".mjs", ".cts": ".cjs"}


def node_client_module(esm: bool, key_env: str, host_env: str, *, dotenv: bool = False) -> str:
    """A module that creates the app's one posthog-node client, switched off without a key.

    With `dotenv`, the module loads `.env` itself before it reads the key: an ES module is
    evaluated before the body of the file that imports it, so the app's own
    `dotenv.config()` call may not have run yet (loading twice is harmless: dotenv never
    overrides a variable that is already set).
    """
    head = 'import { PostHog } from "posthog-node";\n' if esm else 'const { PostHog } = require("posthog-node");\n'
    if dotenv:
        head = ('import "dotenv/config";\n' if esm else 'require("dotenv").config();\n') + head
    tail = "export default posthog;\n" if esm else "module.exports = posthog;\n"
    return (
        f"{head}\n"
        f"// One PostHog client for the whole app. With no {key_env} set it is disabled and\n"
        "// sends nothing, so the app runs exactly as before.\n"
        f'const posthog = new PostHog(process.env.{key_env} || "", {{\n'
        f'  host: process.env.{host_env} || "{DEFAULT_HOST}",\n'
        f"  disabled: !process.env.{key_env},\n"
        "});\n\n"
        "// Send what is still queued when the process is about to exit.\n"
        'process.once("beforeExit", () => posthog.shutdown());\n\n'
        f"{tail}"
    )


async def node_entry(project: ProjectReader, app_dir: str) -> str | None:
    """The file Node starts: package.json `main`, the start script's file, or a usual name."""
    package = await package_json(project, app_dir)
    candidates: list[str] = []
    scripts = package.get("scripts")
    if isinstance(scripts, dict):
        for name in ("start", "dev", "serve"):
            command = scripts.get(name)
            if isinstance(command, str):
                candidates += re.findall(
                    r"(?:node|nodemon|tsx|ts-node|bun)\s+(?:--\S+\s+)*([\w./-]+\.[cm]?[jt]s)", command
                )
    main = package.get("main")
    if isinstance(main, str):
        candidates.append(main)
    for stem in ("src/index", "src/server", "src/app", "src/main", "index", "server", "app", "main"):
        candidates += [stem + ext for ext in (".js", ".ts", ".mjs", ".cjs")]
    listed = set(await project.files())
    for candidate in candidates:
        path = join(app_dir, candidate.removeprefix("./"))
        if path in listed and PurePosixPath(path).suffix in SCRIPT_EXTENSIONS:
            return path
    return None


def node_client_path(entry: str) -> str:
    """Where init puts the client module: beside the entry, in the entry's language and module kind."""
    suffix = PurePosixPath(entry).suffix
    ext = suffix if suffix in (".ts", ".mts", ".cts", ".mjs", ".cjs") else ".js"
    return str(PurePosixPath(entry).with_name("posthog" + ext))


async def existing_node_client(project: ProjectReader, app_dir: str) -> str | None:
    """The client module an earlier init task created, when there is one."""
    entry = await node_entry(project, app_dir)
    if entry is None:
        return None
    module = node_client_path(entry)
    return module if await first_existing(project, module) else None


def esm_runtime(path: str, package: dict[str, object]) -> bool:
    """Whether Node runs `path` (or the file it compiles to) as an ES module."""
    suffix = PurePosixPath(path).suffix
    if suffix in (".mjs", ".mts"):
        return True
    return package.get("type") == "module" and suffix not in (".cjs", ".cts")


def client_specifier(from_file: str, target: str, package: dict[str, object], *, esm_syntax: bool) -> str:
    """How `from_file` names `target` in an import so that Node finds it when the app runs.

    An ES module run by Node needs the extension of the file that exists at run time (a
    TypeScript source names its compiled `.js`); a JavaScript file written with `import`
    keeps the extension too, which bundlers and Babel accept. CommonJS, and TypeScript
    compiled to it or run by ts-node, resolves the bare name, and only the bare name: the
    `.js` of a `.ts` file does not exist until the build.
    """
    rel = posixpath.relpath(target, PurePosixPath(from_file).parent.as_posix())
    if not rel.startswith("."):
        rel = "./" + rel
    stem, suffix = posixpath.splitext(rel)
    typescript = PurePosixPath(from_file).suffix in TS_EXTENSIONS
    if esm_runtime(from_file, package):
        return stem + _COMPILED.get(suffix, suffix)
    if esm_syntax and not typescript:
        return rel
    return stem


_DOTENV_CALL = re.compile(r"""\bdotenv\b[^;\n]*\.(config|load)\(|require\(\s*["']dotenv["']\s*\)\.(config|load)\(""")


def _after_dotenv_call(src: Source) -> int | None:
    """In CommonJS, where the entry loads `.env` after its prologue: the client is required
    after that, so it reads a key the app keeps in `.env` (from whatever path the app names).
    ES modules are evaluated before the importing file's body, so there it changes nothing."""
    if src.is_esm:
        return None
    for child in src.root.children:
        if child.type in (
            "expression_statement",
            "lexical_declaration",
            "variable_declaration",
        ) and _DOTENV_CALL.search(src.text_of(child)):
            end = src.line_end(child.end_byte)
            return end if end > src.after_prologue() else None
    return None


async def plan_node(project: ProjectReader, framework: Framework, app_dir: str) -> Plan:
    entry = await node_entry(project, app_dir)
    if entry is None:
        return Plan.skip(
            "No entry file was found (package.json main, the start script, or index/server/app.js).",
            f"Create a posthog-node client where the app starts (see {framework.docs}).",
        )
    text = await project.read(entry)
    if text is None:
        return Plan.skip(f"{entry} could not be read whole.")
    src = Source(text, entry)
    if not src.ok:
        return Plan.skip(f"{entry} does not parse cleanly, so the offline agent leaves it alone.")
    package = await package_json(project, app_dir)
    esm = src.is_esm or esm_runtime(entry, package)
    module = node_client_path(entry)
    if await first_existing(project, module):
        return Plan.skip(f"{module} already exists; the offline agent does not overwrite it.")
    plan = Plan()
    # Only a runtime dependency: a devDependency may be missing where the app is deployed.
    runtime_deps = package.get("dependencies")
    dotenv = isinstance(runtime_deps, dict) and "dotenv" in runtime_deps
    plan.add_file(
        module,
        node_client_module(
            esm, framework.key_env or "POSTHOG_API_KEY", framework.host_env or "POSTHOG_HOST", dotenv=dotenv
        ),
        f"Created {module}: the app's one posthog-node client, disabled when no key is set"
        + (", loading .env first like the app does." if dotenv else "."),
    )
    specifier = client_specifier(entry, module, package, esm_syntax=src.is_esm)
    after = jsedit.side_effect_import(src, specifier, _after_dotenv_call(src))
    if not Source(after, entry).ok:
        return Plan.skip(f"Adding the import to {entry} would not parse; import {module} there by hand.")
    plan.edit(entry, text, after, f"Loaded the PostHog client where the server starts ({entry}).")
    return plan
