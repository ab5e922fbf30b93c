"""The embedded offline agent: the prompts' procedures followed in code, through the tools.

It needs no key and no network, and it acts only through the same tools a model gets,
so the queue, executor, persistence, telemetry and UI run exactly as with a model.
It is deterministic: the same project gives the same graph.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import PurePosixPath
from typing import Any

from wizard_tui.agents.base import AgentOutcome, AgentRequest
from wizard_tui.domain.frameworks import sdks_for
from wizard_tui.domain.toolbox import Toolbox, ToolResult

OFFLINE_MODEL = "offline"
# The dedup guard's refusal names the task that already does this work.
_DEDUP_REFUSAL = re.compile(r"^Refused by the dedup guard: Task (\S+) already has type ")
MAX_FOLLOW_UPS = 3

# Where product events happen: forms, route and API handlers, pages.
_AREA_PATTERN = (
    r"<form\b|onSubmit|\b(app|router|server)\.(get|post|put|patch|delete)\(|"
    r"@(app|router|api)\.(get|post|put|patch|delete|route)\(|\bpath\(\s*['\"]|"
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
    return p.suffix in _SOURCE_EXT and not (set(p.parts) & _SKIP_PARTS) and not p.name.startswith(".")


def pick_capture_areas(
    matches: list[dict[str, Any]], page_files: list[str], all_files: list[str]
) -> list[dict[str, Any]]:
    """Up to three capture areas: files with forms or handlers first, then pages, else an entry point."""
    ordered: list[tuple[str, str]] = []
    for m in matches:
        kind = "form" if re.search(r"<form\b|onSubmit", m["text"]) else "handler"
        ordered.append((m["file"], kind))
    ordered.sort(key=lambda fk: 0 if fk[1] == "form" else 1)
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
        if len(chosen) >= MAX_FOLLOW_UPS:
            break
    if not chosen:
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


class ToolFailed(Exception):
    pass


class OfflineAgent:
    """A deterministic agent. `pace_s` makes every turn take about that long, for demos."""

    name = "offline"
    default_model = OFFLINE_MODEL
    fixed_model = OFFLINE_MODEL  # front matter models mean nothing to it: report the truth

    def __init__(self, pace_s: float = 0.0) -> None:
        self.pace_s = pace_s

    async def run(self, request: AgentRequest) -> AgentOutcome:
        outcome = AgentOutcome(model=OFFLINE_MODEL)
        session = _Session(request.tools, self.pace_s, outcome)
        if request.agent.kind == "orchestrator":
            await self._orchestrate(session)
        else:
            await self._stub_task(session, request)
        outcome.turns += 1  # the closing turn that ends the conversation
        return outcome

    async def _orchestrate(self, s: _Session) -> None:
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
        pages: list[str] = []
        for glob in _PAGE_GLOBS:
            pages += [f for f in all_files if PurePosixPath(f).match(glob) or f.startswith(glob.rstrip("*"))]
        follow_ups = pick_capture_areas(matches, pages, all_files)

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
            {"scope": "core product events"},
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

    async def _stub_task(self, s: _Session, request: AgentRequest) -> None:
        task = request.task
        assert task is not None
        goal = _section(request.agent.prompt, "Goal of this task type") or f"Carry out the {task.type} task."
        goal = goal.split("\n\nIn this milestone")[0].strip()
        handoffs = await s.call("read_handoffs", {})
        previous = [h.get("task_id") for h in (handoffs or {}).get("handoffs", [])]
        marker = await s.call("write_marker", {"note": f"stub body ran for {task.type}: {task.label}"})
        enqueued: list[str] = []
        refused = 0
        follow_ups = task.inputs.get("follow_ups") if isinstance(task.inputs, dict) else None
        if isinstance(follow_ups, list) and "enqueue_task" in s.tools.names:
            for fu in follow_ups:
                if not isinstance(fu, dict):
                    continue
                fu_inputs = fu.get("inputs")
                new_id = await s.enqueue(
                    str(fu.get("type", "capture")),
                    str(fu.get("label", "Follow-up"))[:80],
                    fu_inputs if isinstance(fu_inputs, dict) else {},
                    [task.id],
                    str(fu.get("reason") or "Follow-up found by exploration."),
                )
                if new_id:
                    enqueued.append(new_id)
                else:
                    refused += 1
        did = f"Wrote the marker {marker.get('path') if marker else '(failed)'} (stub body; no project file changed)."
        if enqueued:
            did += f" Enqueued {len(enqueued)} follow-up task(s): {', '.join(enqueued)}."
        if refused:
            did += f" {refused} follow-up(s) were refused by a guard."
        context = f"Built on {', '.join(p for p in previous if p)}." if previous else "No earlier handoffs."
        await s.call(
            "complete_task",
            {
                "status": "done",
                "handoff": {
                    "goal": f"{task.label}: {goal}",
                    "did": did,
                    "for_next_agent": (
                        f"The {task.type} step is a stub in this milestone; a real body would do: {goal} {context}"
                    ),
                    "files_touched": [marker["path"]] if marker else [],
                    "evidence": f"write_marker returned {json.dumps(marker)}",
                },
            },
        )


def _section(text: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\s*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    return match.group(1).strip() if match else ""


class _Session:
    """One offline conversation: each tool call is a turn, paced when asked."""

    def __init__(self, tools: Toolbox, pace_s: float, outcome: AgentOutcome) -> None:
        self.tools = tools
        self.pace_s = pace_s
        self.outcome = outcome

    async def call(self, name: str, args: dict[str, Any]) -> Any:
        result = await self._turn(name, args)
        return None if result.is_error else result.data()

    async def _turn(self, name: str, args: dict[str, Any]) -> ToolResult:
        if self.pace_s:
            await asyncio.sleep(self.pace_s)
        self.outcome.turns += 1
        return await self.tools.call(name, args)

    async def enqueue(
        self, task_type: str, label: str, inputs: dict[str, Any], deps: list[str], reason: str
    ) -> str | None:
        result = await self._turn(
            "enqueue_task",
            {"type": task_type, "label": label, "inputs": inputs, "depends_on": deps, "reason": reason},
        )
        if not result.is_error:
            return str(result.data()["id"])
        # Re-run after --resume, the same enqueue meets the task it made the first time: depend
        # on that one, as the guard says, so the graph keeps its edges.
        existing = _DEDUP_REFUSAL.match(result.content)
        return existing.group(1) if existing else None
