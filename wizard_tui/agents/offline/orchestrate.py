"""The offline orchestrator: the seed prompt's procedure, through the orchestrator's tools.

It detects the framework, enqueues the roots first (so the executor starts at once),
records the install intent, explores for capture areas, and seeds the rest of the graph:
`identify` and `plan-capture` after both roots, `capture` after `plan-capture`,
`llm-analytics` after `init` when detection found LLM calls, then `review` and `report`,
which the queue holds back until every other task has finished.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import PurePosixPath
from typing import Any

from wizard_tui.agents.offline.session import Session
from wizard_tui.domain.frameworks import sdks_for

MAX_FOLLOW_UPS = 3  # the stub's capture follow-ups, each enqueued as it is
# Candidates for the real plan-capture, most important first: it keeps those a capture call
# can go in (a page without a form or a server component is no such place), so it gets more.
MAX_CANDIDATES = 6

# Where product events happen: forms, route and API handlers, pages.
# Routers go by many names in real apps: Flask's `@bp.route` and `@auth.route`, FastAPI's
# `@users_router.post`, Express's `authRouter.post`.
_AREA_PATTERN = (
    r"<form\b|onSubmit|\b(app|router|server|\w+Router|\w+_router)\.(get|post|put|patch|delete)\(|"
    r"@\w+\.(get|post|put|patch|delete|route)\(|\bpath\(\s*['\"]|"
    r"export\s+(async\s+)?function\s+(GET|POST|PUT|PATCH|DELETE)\b|def\s+\w+\(\s*request\b"
)
_PAGE_GLOBS = ("**/page.*", "pages/**", "src/pages/**", "**/routes/**", "**/views.py", "**/controllers/**")
_SOURCE_EXT = {
    ".ts",
    ".tsx",
    ".js",
    ".jsx",
    ".mjs",
    ".cjs",
    ".vue",
    ".svelte",
    ".astro",
    ".py",
    ".rb",
    ".php",
    ".go",
    ".rs",
    ".java",
    ".kt",
    ".swift",
    ".dart",
    ".ex",
    ".exs",
    ".html",
    ".sh",
}
_SKIP_PARTS = {"test", "tests", "__tests__", "spec", "migrations", "fixtures", "e2e"}
# Files where no user acts, whatever folder they sit in: Next.js's `_app`/`_document`,
# middleware, instrumentation, `*.config.*`, type declarations.
_NOT_AN_AREA = re.compile(r"^(?:_app|_document|_error|middleware|instrumentation(?:-client)?|.*\.config|.*\.d)$")


def _area_name(path: str) -> str:
    p = PurePosixPath(path)
    parts = [
        x for x in p.parts[:-1] if x not in {"app", "src", "pages", "routes", "api"} and not x.startswith(("(", "["))
    ]
    stem = p.stem
    if stem in {"page", "index", "route", "views", "+page", "+server"} and parts:
        stem = parts[-1]
    elif stem in {"page", "index"}:
        stem = "home"
    kind = "route" if ("api" in p.parts or p.stem in {"route", "+server"} or "routes" in p.parts) else "page"
    if p.suffix == ".py":
        kind = "views" if p.stem == "views" else "handlers"
    return f"{stem.replace('_', ' ').replace('-', ' ')} {kind}".strip()


def _usable(path: str) -> bool:
    p = PurePosixPath(path)
    return (
        p.suffix in _SOURCE_EXT
        and not (set(p.parts) & _SKIP_PARTS)
        and not p.name.startswith(".")
        and not _NOT_AN_AREA.match(p.stem)
    )


_WRITE = re.compile(r"\.(post|put|patch|delete)\(|methods\s*=.*\bPOST\b|function\s+(POST|PUT|PATCH|DELETE)\b")
_RANK = {"form": 0, "write handler": 1, "handler": 2}


def _api_script(p: PurePosixPath) -> bool:
    return "api" in p.parts and p.suffix != ".py"


def _code_file(path: str) -> bool:
    p = PurePosixPath(path)
    return p.suffix not in (".html", ".vue", ".svelte", ".astro") and p.name not in ("urls.py",)


def pick_capture_areas(
    matches: list[dict[str, Any]],
    page_files: list[str],
    all_files: list[str],
    *,
    entry_fallback: bool = True,
    limit: int = MAX_FOLLOW_UPS,
) -> list[dict[str, Any]]:
    """Up to `limit` capture areas: files with forms or handlers first, then pages, else an entry point.

    `entry_fallback=False` (the real bodies) offers no entry point when nothing stood out:
    a capture body finds no form or handler there either, and would only end skipped.
    """
    ordered: list[tuple[str, str]] = []
    for m in matches:
        text = m["text"]
        kind = "form" if re.search(r"<form\b|onSubmit", text) else "handler"
        if kind == "handler" and _WRITE.search(text):
            kind = "write handler"
        ordered.append((m["file"], kind))
    # A form, then a handler that changes something (where a capture belongs), then the rest:
    # express-generator's GET-only index route would otherwise take the place of its POST.
    ordered.sort(key=lambda fk: _RANK[fk[1]])
    ordered += [(f, "page") for f in page_files]
    chosen: list[dict[str, Any]] = []
    seen: set[str] = set()
    for file, kind in ordered:
        if file in seen or not _usable(file):
            continue
        seen.add(file)
        area = _area_name(file)
        chosen.append(
            {
                "type": "capture",
                "label": f"Capture: {area}"[:80],
                "inputs": {"area": area, "file": file},
                "reason": f"{file} has a {kind} where users act, so it should send events.",
            }
        )
        if len(chosen) >= limit:
            break
    # Two areas can share a name (`pages/signup.tsx` and `app/signup/page.tsx`): their file
    # tells the tasks apart in the tree, the log and the handoffs.
    names = Counter(c["inputs"]["area"] for c in chosen)
    for c in chosen:
        if names[c["inputs"]["area"]] > 1:
            c["label"] = f"Capture: {c['inputs']['area']} ({c['inputs']['file']})"[:80]
    if not chosen and entry_fallback:
        entry = next((f for f in all_files if _usable(f)), all_files[0] if all_files else ".")
        chosen.append(
            {
                "type": "capture",
                "label": "Capture: app entry point",
                "inputs": {"area": "app entry point", "file": entry},
                "reason": "No page, route or form stood out, so start from the entry point.",
            }
        )
    return chosen


async def orchestrate(s: Session, *, final_steps: bool) -> None:
    """Seed the graph of the seed prompt; `final_steps` adds review and report (real bodies)."""
    det = await s.call("detect_framework", {}) or {}
    framework = det.get("framework", "unknown")
    llm_calls = det.get("llm_calls") or []
    # In a monorepo the work happens in the app detection picked; "." is the project itself.
    where = {"framework": framework, "app_dir": det.get("primary_subproject") or "."}
    # The roots need nothing from exploration: enqueue them first so the executor starts.
    install = await s.enqueue(
        "install",
        "Install the PostHog SDKs",
        where,
        [],
        "The SDKs must be declared before anything can import them.",
    )
    init = await s.enqueue(
        "init",
        "Initialise PostHog",
        {**where, "router": det.get("router")},
        [],
        "PostHog must be initialised once where the app starts.",
    )
    sdks = sdks_for(framework, llm_calls_found=bool(det.get("llm_sdks")))
    if sdks:  # an unrecognised project has no SDK to name: no intent rather than a guess
        await s.call(
            "record_install_intent",
            {
                "sdks": sdks,
                "package_manager": det.get("package_manager") or "unknown",
                "reason": f"Detected {det.get('name', framework)}; these SDKs cover its runtimes.",
            },
        )
    listing = await s.call("list_files", {"path": ".", "max_results": 500})
    all_files = listing.get("files", []) if listing else []
    found = await s.call("search_files", {"pattern": _AREA_PATTERN, "max_results": 100})
    matches = found.get("matches", []) if found else []
    paths = [(f, PurePosixPath(f)) for f in all_files]  # parsed once: big listings make this add up
    pages: list[str] = []
    for glob in _PAGE_GLOBS:
        prefix = glob.rstrip("*")
        # A script under api/ (`pages/api/health.ts`) is a server handler, not a page: it is an
        # area when the search found a handler in it.
        pages += [
            f
            for f, p in paths
            if (f.startswith(prefix) or p.match(glob)) and not _api_script(p) and p.name != "__init__.py"
        ]
    if final_steps:
        # Real bodies edit code: templates and URL tables are no place for a capture call.
        matches = [m for m in matches if _code_file(m["file"])]
        pages = [p for p in pages if _code_file(p)]
    follow_ups = pick_capture_areas(
        matches,
        pages,
        all_files,
        entry_fallback=not final_steps,
        limit=MAX_CANDIDATES if final_steps else MAX_FOLLOW_UPS,
    )

    roots = [i for i in (install, init) if i]
    await s.enqueue("identify", "Identify users", {}, roots, "Events should be tied to people once the SDK runs.")
    plan = await s.enqueue(
        "plan-capture",
        "Plan event capture",
        {"follow_ups": follow_ups},
        roots,
        f"Exploration found {len(follow_ups)} capture area(s) to plan.",
    )
    await s.enqueue(
        "capture",
        "Capture core events",
        {"scope": "core product events", "areas_found": len(follow_ups)},
        [plan] if plan else [],
        "The planned core events need capture calls.",
    )
    if llm_calls:
        sites = [c for c in llm_calls if c.get("kind") != "manifest"] or llm_calls
        files = sorted({c["file"] for c in sites})
        await s.enqueue(
            "llm-analytics",
            "Add LLM analytics",
            {"llm_calls": [{"file": c["file"], "line": c.get("line"), "sdk": c["sdk"]} for c in sites[:20]]},
            [init] if init else [],
            f"Detection found LLM calls in {', '.join(files[:3])}.",
        )

    if final_steps:
        # Enqueued now, but the queue starts them only after every other task, the dynamic
        # capture tasks included: review checks every change, report describes the whole run.
        review = await s.enqueue(
            "review",
            "Review the proposed changes",
            {},
            [],
            "Every changed file must parse and every manifest be valid before anything is applied.",
        )
        await s.enqueue(
            "report",
            "Write the setup report",
            {},
            [review] if review else [],
            "The user needs to know what changed, the env vars to set and the install command to run.",
        )
