"""The `init` body for browser apps: Next.js, React Router v7 and Vite SPAs (Node: `init_node`).

Keys come only from the environment, and every init is guarded on the key, so an app with
no key set starts and behaves exactly as before. Where the framework has a file made for
start-up code (Next.js's `instrumentation-client`, React Router's `entry.client`) that file
gets the init; otherwise the app's entry or root component does.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath

from wizard_tui.agents.offline import jsedit
from wizard_tui.agents.offline.changes import Plan
from wizard_tui.agents.offline.jsparse import SCRIPT_EXTENSIONS, Source
from wizard_tui.agents.offline.project import ProjectReader, first_existing, join
from wizard_tui.domain.frameworks import DEFAULT_HOST, Framework

DEFAULTS_DATE = "2025-05-24"  # posthog-js `defaults`: the behaviour snapshot new installs start from


def browser_init(key_expr: str, host_expr: str, *, indent: str = "", guard: str | None = None) -> str:
    """posthog-js initialised only when the key is set."""
    condition = guard or key_expr
    lines = [
        f"if ({condition}) {{",
        f"  posthog.init({key_expr}, {{",
        f'    api_host: {host_expr} || "{DEFAULT_HOST}",',
        f'    defaults: "{DEFAULTS_DATE}",',
        "  });",
        "}",
    ]
    return "\n".join(indent + ln for ln in lines) + "\n"


async def has_init(project: ProjectReader) -> str | None:
    """Where the project already initialises PostHog, if it does (file:line)."""
    pattern = (
        r"posthog\.init\(|new PostHog\(|PostHogProvider[^>]*apiKey|posthog\.(project_)?api_key\s*=|"
        r"Posthog\(|posthog\.setup\("
    )
    for match in await project.search(pattern):
        if not is_test_file(match["file"]):
            return f"{match['file']}:{match['line']}"
    return None


def is_test_file(path: str) -> bool:
    """A test, spec or fixture file: an init or client there is not the app's."""
    return re.search(r"(^|/)(tests?|__tests__|spec)/|\.(test|spec)\.", path) is not None


async def package_json(project: ProjectReader, app_dir: str) -> dict[str, object]:
    text = await project.read(join(app_dir, "package.json"))
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


def dependency(package: dict[str, object], name: str) -> str | None:
    for key in ("dependencies", "devDependencies"):
        section = package.get(key)
        if isinstance(section, dict) and isinstance(section.get(name), str):
            return str(section[name])
    return None


def version_at_least(spec: str | None, wanted: tuple[int, ...]) -> bool | None:
    """Whether the lowest version a range allows is at least `wanted`; None when unknown."""
    if spec is None:
        return None
    if spec.strip() in ("latest", "canary", "next", "*"):
        return True
    match = re.search(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", spec)
    if match is None:
        return None
    found = tuple(int(g or 0) for g in match.groups())
    return found >= wanted


async def _uses_typescript(project: ProjectReader, app_dir: str) -> bool:
    return await first_existing(project, join(app_dir, "tsconfig.json")) is not None


async def _find(project: ProjectReader, base: str, stem: str) -> str | None:
    """`base/stem.<ts|tsx|js|jsx|mjs>` if one exists."""
    return await first_existing(project, *(join(base, stem + ext) for ext in (".tsx", ".ts", ".jsx", ".js", ".mjs")))


# -- Next.js ---------------------------------------------------------------------------------


async def plan_nextjs(project: ProjectReader, framework: Framework, app_dir: str, router: str | None) -> Plan:
    package = await package_json(project, app_dir)
    next_version = dependency(package, "next")
    src = (
        "src"
        if await first_existing(
            project,
            join(app_dir, "src/app/layout.tsx"),
            join(app_dir, "src/app/layout.jsx"),
            join(app_dir, "src/app/layout.js"),
            join(app_dir, "src/pages/_app.tsx"),
            join(app_dir, "src/pages/_app.js"),
            join(app_dir, "src/pages/_app.jsx"),
        )
        else ""
    )
    base = join(app_dir, src) if src else app_dir
    key, host = f"process.env.{framework.key_env}", f"process.env.{framework.host_env}"
    if version_at_least(next_version, (15, 3)):
        return await _instrumentation_client(project, app_dir, base, key, host)
    if router == "pages" or (router is None and await _find(project, join(base, "pages"), "_app")):
        return await _pages_app(project, app_dir, base, key, host)
    return await _app_layout(project, app_dir, base, key, host)


async def _instrumentation_client(project: ProjectReader, app_dir: str, base: str, key: str, host: str) -> Plan:
    plan = Plan()
    existing = await _find(project, base, "instrumentation-client")
    block = browser_init(key, host)
    if existing is None:
        ext = ".ts" if await _uses_typescript(project, app_dir) else ".js"
        path = join(base, f"instrumentation-client{ext}")
        plan.add_file(
            path,
            f'import posthog from "posthog-js";\n\n{block}',
            f"Created {path}: Next.js 15.3+ runs it in the browser before the app, so PostHog starts once "
            "there, and only when the key is set.",
        )
        return plan
    text = await project.read(existing)
    if text is None:
        return Plan.skip(f"{existing} could not be read whole.")
    src = Source(text, existing)
    after = jsedit.insert_after_prologue(Source(jsedit.add_import(src, "posthog", "posthog-js"), existing), block)
    plan.edit(existing, text, after, f"Initialised PostHog in the existing {existing}, guarded on the key.")
    return plan


def _provider_file(typescript: bool, key: str, host: str) -> str:
    props = "{ children }: { children: ReactNode }" if typescript else "{ children }"
    react_import = (
        'import { useEffect, type ReactNode } from "react";' if typescript else 'import { useEffect } from "react";'
    )
    return (
        '"use client";\n\n'
        'import posthog from "posthog-js";\n'
        'import { PostHogProvider as Provider } from "posthog-js/react";\n'
        f"{react_import}\n\n"
        "// Starts PostHog once in the browser, only when the key is set, and gives the\n"
        "// components below it the posthog-js hooks.\n"
        f"export function PostHogProvider({props}) {{\n"
        "  useEffect(() => {\n"
        f"{browser_init(key, host, indent='    ')}"
        "  }, []);\n\n"
        "  return <Provider client={posthog}>{children}</Provider>;\n"
        "}\n"
    )


async def _app_layout(project: ProjectReader, app_dir: str, base: str, key: str, host: str) -> Plan:
    layout = await _find(project, join(base, "app"), "layout")
    if layout is None:
        return Plan.skip("No root layout (app/layout.*) was found to hold the PostHog provider.")
    text = await project.read(layout)
    if text is None:
        return Plan.skip(f"{layout} could not be read whole.")
    src = Source(text, layout)
    component = src.default_export()
    targets = [n for expr in ("children", "props.children") for n in src.jsx_expressions(expr, component)]
    if component is None or not targets or not src.ok:
        return Plan.skip(
            f"{layout} has no `{{children}}` in its default export to wrap with a provider.",
            "Wrap the root layout's children in a client component that initialises posthog-js.",
        )
    typescript = PurePosixPath(layout).suffix in (".tsx", ".ts")
    provider = str(PurePosixPath(layout).with_name("posthog-provider" + (".tsx" if typescript else ".jsx")))
    if await first_existing(project, provider):
        return Plan.skip(f"{provider} already exists; the offline agent does not overwrite it.")
    wrapped = jsedit.wrap_node(src, targets[0], "<PostHogProvider>", "</PostHogProvider>")
    after = jsedit.add_import(Source(wrapped, layout), "{ PostHogProvider }", "./posthog-provider")
    plan = Plan()
    plan.add_file(
        provider,
        _provider_file(typescript, key, host),
        f"Created {provider}, a client component that starts PostHog once, guarded on the key.",
    )
    plan.edit(layout, text, after, f"Wrapped the root layout's children in the PostHog provider ({layout}).")
    return plan


async def _pages_app(project: ProjectReader, app_dir: str, base: str, key: str, host: str) -> Plan:
    pages = join(base, "pages")
    existing = await _find(project, pages, "_app")
    guard = f'typeof window !== "undefined" && {key}'
    block = "// In the browser only, and only when the key is set.\n" + browser_init(key, host, guard=guard)
    plan = Plan()
    if existing is None:
        typescript = await _uses_typescript(project, app_dir)
        path = join(pages, "_app.tsx" if typescript else "_app.jsx")
        signature = "{ Component, pageProps }: AppProps" if typescript else "{ Component, pageProps }"
        types = 'import type { AppProps } from "next/app";\n' if typescript else ""
        content = (
            f'{types}import posthog from "posthog-js";\nimport {{ PostHogProvider }} from "posthog-js/react";\n\n'
            f"{block}\nexport default function App({signature}) {{\n  return (\n"
            "    <PostHogProvider client={posthog}>\n      <Component {...pageProps} />\n    </PostHogProvider>\n"
            "  );\n}\n"
        )
        plan.add_file(path, content, f"Created {path} to start PostHog for every page, guarded on the key.")
        return plan
    text = await project.read(existing)
    if text is None:
        return Plan.skip(f"{existing} could not be read whole.")
    src = Source(text, existing)
    component = src.default_export()
    jsx = jsedit.returned_jsx(src, component) if component is not None else None
    if jsx is None or not src.ok:
        return Plan.skip(
            f"{existing} does not return JSX from its default export in a shape the offline agent edits.",
            "Initialise posthog-js in pages/_app and wrap the app in PostHogProvider.",
        )
    wrapped = Source(jsedit.wrap_node(src, jsx, "<PostHogProvider client={posthog}>", "</PostHogProvider>"), existing)
    with_imports = Source(jsedit.add_import(wrapped, "posthog", "posthog-js"), existing)
    with_imports = Source(jsedit.add_import(with_imports, "{ PostHogProvider }", "posthog-js/react"), existing)
    after = jsedit.insert_after_prologue(with_imports, block)
    plan.edit(existing, text, after, f"Started PostHog in {existing} and wrapped the app in its provider.")
    return plan


# -- React Router v7 (framework mode) and Vite SPAs ------------------------------------------


def _entry_client(typescript: bool, block: str) -> str:
    return (
        'import posthog from "posthog-js";\n'
        'import { startTransition, StrictMode } from "react";\n'
        'import { hydrateRoot } from "react-dom/client";\n'
        'import { HydratedRouter } from "react-router/dom";\n\n'
        f"{block}\n"
        "startTransition(() => {\n"
        "  hydrateRoot(\n"
        "    document,\n"
        "    <StrictMode>\n"
        "      <HydratedRouter />\n"
        "    </StrictMode>,\n"
        "  );\n"
        "});\n"
    )


async def plan_react_router(project: ProjectReader, framework: Framework, app_dir: str, mode: str | None) -> Plan:
    app_folder = await _app_directory(project, app_dir)
    if (
        mode not in (None, "framework")
        or await first_existing(project, join(app_folder, "root.tsx"), join(app_folder, "root.jsx")) is None
    ):
        return await plan_vite(project, framework, app_dir)  # library mode: a plain SPA entry
    key, host = f"import.meta.env.{framework.key_env}", f"import.meta.env.{framework.host_env}"
    block = browser_init(key, host)
    entry = await _find(project, app_folder, "entry.client")
    plan = Plan()
    if entry is None:
        typescript = await _uses_typescript(project, app_dir)
        path = join(app_folder, "entry.client.tsx" if typescript else "entry.client.jsx")
        plan.add_file(
            path,
            _entry_client(typescript, block),
            f"Created {path} (React Router's default client entry) to start PostHog in the browser before "
            "hydration, guarded on the key.",
        )
        return plan
    return await _init_in_entry(project, entry, block, "the client entry")


async def _app_directory(project: ProjectReader, app_dir: str) -> str:
    config = await _find(project, app_dir, "react-router.config")
    text = await project.read(config) if config else None
    match = re.search(r"appDirectory\s*:\s*[\"']([^\"']+)[\"']", text or "")
    return join(app_dir, match.group(1) if match else "app")


async def plan_vite(project: ProjectReader, framework: Framework, app_dir: str) -> Plan:
    package = await package_json(project, app_dir)
    if dependency(package, "vite") is None:
        return Plan.skip(
            "This web app is not built with Vite, and the offline agent only knows where a Vite app starts.",
            f"Initialise posthog-js in the app's entry before it renders (see {framework.docs}).",
        )
    entry = await _vite_entry(project, app_dir)
    if entry is None:
        return Plan.skip("No entry module (index.html's module script or src/main.*) was found.")
    key, host = f"import.meta.env.{framework.key_env}", f"import.meta.env.{framework.host_env}"
    return await _init_in_entry(project, entry, browser_init(key, host), "the app's entry")


async def _vite_entry(project: ProjectReader, app_dir: str) -> str | None:
    html = await project.read(join(app_dir, "index.html"))
    if html:
        for src in re.findall(r"<script[^>]*type=[\"']module[\"'][^>]*src=[\"']([^\"']+)[\"']", html):
            candidate = join(app_dir, src.lstrip("/"))
            if PurePosixPath(candidate).suffix in SCRIPT_EXTENSIONS and await first_existing(project, candidate):
                return candidate
    for stem in ("src/main", "src/index"):
        found = await _find(project, app_dir, stem)
        if found:
            return found
    return None


async def _init_in_entry(project: ProjectReader, entry: str, block: str, what: str) -> Plan:
    text = await project.read(entry)
    if text is None:
        return Plan.skip(f"{entry} could not be read whole.")
    src = Source(text, entry)
    if not src.ok or not src.is_esm:
        return Plan.skip(f"{entry} is not an ES module the offline agent can parse safely.")
    with_import = Source(jsedit.add_import(src, "posthog", "posthog-js"), entry)
    after = jsedit.insert_after_prologue(with_import, block)
    plan = Plan()
    plan.edit(entry, text, after, f"Started PostHog in {what} ({entry}) before the app renders, guarded on the key.")
    return plan
