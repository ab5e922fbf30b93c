"""A backend and prompts whose task agents propose changes, and a project for them: shared by tests."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard_tui.agents.base import AgentOutcome, AgentRequest
from wizard_tui.domain.prompts import PromptLibrary, default_prompt_dir, load_prompts

HANDOFF = {"goal": "g", "did": "d", "for_next_agent": "n"}
PROPOSE_TOOLS = ["read_file", "list_files", "propose_edit", "propose_file", "complete_task"]


REVIEW_PROMPT = """---
type: review
label: Review the changes
tools: [read_file, list_files, complete_task]
---
Check every changed file.

## Goal

Every changed file parses.

## How you know you succeeded

You read each one.
"""


def proposing_prompts(tmp_path: Path) -> PromptLibrary:
    """The repo's prompts, with every task type allowed to propose (as the real bodies are), and a review type."""
    folder = tmp_path / "prompts"
    shutil.copytree(default_prompt_dir(), folder)
    if not (folder / "review.md").exists():
        (folder / "review.md").write_text(REVIEW_PROMPT)
    for path in folder.glob("*.md"):
        text = path.read_text()
        if "type: stub" in text or "seed: true" in text:
            continue
        path.write_text(re.sub(r"^tools: \[.*\]$", f"tools: [{', '.join(PROPOSE_TOOLS)}]", text, flags=re.M))
    return load_prompts(folder)


@dataclass
class ProposingBackend:
    """install edits package.json, init adds a file, identify edits it; `flaky` types fail once after proposing."""

    flaky: set[str] = field(default_factory=set)
    hang: set[str] = field(default_factory=set)  # types that hang (after proposing) on their first attempt
    review: str | None = None  # "done" or "failed": enqueue a review task after the others
    hanging: asyncio.Event = field(default_factory=asyncio.Event)
    name: str = "proposing"
    default_model: str = "scripted-model"
    seen: dict[str, list[str]] = field(default_factory=dict)

    async def run(self, request: AgentRequest) -> AgentOutcome:
        tools = request.tools
        if request.agent.kind == "orchestrator":
            ids: dict[str, str] = {}
            graph: list[tuple[str, list[str]]] = [("install", []), ("init", []), ("identify", ["install", "init"])]
            if self.review:
                graph.append(("review", ["identify"]))
            for key, deps in graph:
                result = await tools.call(
                    "enqueue_task",
                    {"type": key, "label": key, "depends_on": [ids[d] for d in deps], "reason": "test"},
                )
                if result.is_error and "dedup" in result.content:  # resumed: the task is already there
                    ids[key] = result.content.split("Task ")[1].split()[0]
                    continue
                ids[key] = result.data()["id"]
            return AgentOutcome(model=self.default_model, turns=1)
        if request.agent.agent_type == "review":
            status = self.review or "done"
            await tools.call("complete_task", {"status": status, "handoff": HANDOFF})
            return AgentOutcome(model=self.default_model, turns=1)
        task = request.task
        assert task is not None
        read = await tools.call("read_file", {"path": "package.json"})
        self.seen.setdefault(task.type, []).append(read.data()["content"])
        if task.type == "install":
            await self._ok(
                tools,
                "propose_edit",
                {
                    "path": "package.json",
                    "old": '"dependencies": {\n',
                    "new": '"dependencies": {\n    "posthog-js": "^1.200.0",\n',
                },
            )
        elif task.type == "init":
            await self._ok(
                tools,
                "propose_file",
                {"path": "src/posthog client.ts", "content": "export const key = process.env.KEY\n"},
            )
        elif task.type == "identify":
            await self._ok(
                tools,
                "propose_edit",
                {"path": "src/posthog client.ts", "old": "KEY\n", "new": "KEY\nexport function identify() {}\n"},
            )
        if task.type in self.hang and task.attempts == 1:
            self.hanging.set()
            await asyncio.Event().wait()  # until the run is interrupted
        if task.type in self.flaky and task.attempts == 1:
            return AgentOutcome(model=self.default_model, turns=2)  # ends without reporting: retried
        done = await tools.call("complete_task", {"status": "done", "handoff": HANDOFF})
        assert not done.is_error, done.content
        return AgentOutcome(model=self.default_model, turns=3)

    @staticmethod
    async def _ok(tools: Any, name: str, args: dict[str, Any]) -> None:
        result = await tools.call(name, args)
        assert not result.is_error, result.content


def make_project(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    (root / "src").mkdir(parents=True)
    (root / "package.json").write_text('{\n  "name": "app",\n  "dependencies": {\n    "next": "15.0.0"\n  }\n}\n')
    (root / "src" / "index.ts").write_text("export {}\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root
