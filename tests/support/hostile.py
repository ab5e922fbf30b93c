"""Hostile fixtures for crash-safety and confinement tests: a trapped project and misbehaving agents."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard_tui.agents.base import AgentOutcome, AgentRequest
from wizard_tui.engine.tools import ToolResult

# Planted in every secret file; no file the run writes and no telemetry record may contain it.
SECRET = "phc_PLANTED_s3cr3t_9f8e7d6c5b4a"
OUTSIDE_SECRET = "OUTSIDE_ONLY_7a6b5c4d"
HANDOFF = {"goal": "g", "did": "d", "for_next_agent": "n"}


def plant_project(root: Path, outside: Path) -> Path:
    """A small project full of traps: secrets, links out of it, a loop, a FIFO, binary and huge files."""
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.ts").write_text("import OpenAI from 'openai'\nexport const app = 1\n")
    (root / "config").mkdir()
    (root / "certs").mkdir()
    (root / "node_modules" / "lib").mkdir(parents=True)
    (root / "node_modules" / "lib" / "index.js").write_text("module.exports = 1\n")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text(f"[credential]\n  helper = {SECRET}\n")
    (root / ".env").write_text(f"POSTHOG_KEY={SECRET}\nexport DATABASE_URL=postgres://u:{SECRET}@h/db\n")
    (root / ".env.local").write_text(f'MULTI="line one\n{SECRET}=\nend"\nAFTER=1\n')
    (root / "config" / ".env.production").write_text(f"API_TOKEN: {SECRET}\n")
    (root / "prod.env").write_text(f"TOKEN={SECRET}\n")
    (root / ".npmrc").write_text(f"//registry.npmjs.org/:_authToken={SECRET}\n_auth={SECRET}\n")
    (root / "secrets.yaml").write_text(f"private_key: |\n  {SECRET}==\n  abc{SECRET}: x\nname: ok\n")
    (root / "id_rsa").write_text(
        f"-----BEGIN OPENSSH PRIVATE KEY-----\n{SECRET}==\n-----END OPENSSH PRIVATE KEY-----\n"
    )
    (root / "certs" / "server.pem").write_text(
        f"-----BEGIN PRIVATE KEY-----\nAAAA{SECRET}=\n-----END PRIVATE KEY-----\n"
    )
    (root / ".env.example").write_text("POSTHOG_KEY=phc_placeholder\n")
    (root / "notes.txt").symlink_to(".env")  # an innocent name for a secret file inside the project

    outside.mkdir(parents=True, exist_ok=True)
    (outside / "passwd").write_text(f"root:x:0:0:{OUTSIDE_SECRET}:/root:/bin/sh\n")
    (root / "link_out").symlink_to(outside, target_is_directory=True)  # out through the middle of a path
    (root / "file_out.txt").symlink_to(outside / "passwd")
    (root / "proc_link").symlink_to("/proc")
    (root / "loop_a").symlink_to("loop_b")
    (root / "loop_b").symlink_to("loop_a")
    (root / "inside_link.ts").symlink_to("src/app.ts")  # a link that stays inside is fine

    (root / "blob.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00" + os.urandom(64))
    (root / "latin1.txt").write_bytes(b"caf\xe9 cr\xe8me \xff\xfe\n")
    with (root / "huge.log").open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse: 100 MB on paper, nothing on disk
    os.mkfifo(root / "pipe")
    (root / "pipe_link").symlink_to("pipe")
    return root


def run_dir_blobs(project: Path) -> dict[str, bytes]:
    """Every file under the run dir, by relative path."""
    run_dir = project / ".posthog-wizard"
    return {p.relative_to(run_dir).as_posix(): p.read_bytes() for p in run_dir.rglob("*") if p.is_file()}


HOSTILE_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("read_file", {"path": "/etc/passwd"}),
    ("read_file", {"path": "../../../../etc/passwd"}),
    ("read_file", {"path": "src/../../outside/passwd"}),
    ("read_file", {"path": "link_out/passwd"}),
    ("read_file", {"path": "file_out.txt"}),
    ("read_file", {"path": "proc_link/self/environ"}),
    ("read_file", {"path": "/proc/self/environ"}),
    ("read_file", {"path": "loop_a"}),
    ("read_file", {"path": ".git/config"}),
    ("read_file", {"path": "pipe"}),
    ("read_file", {"path": "src/app.ts\x00.env"}),
    ("list_files", {"path": "link_out"}),
    ("list_files", {"path": ".."}),
    ("list_files", {"path": "/etc"}),
    ("search_files", {"pattern": "root", "path": "link_out"}),
    ("search_files", {"pattern": "root", "path": "/etc"}),
    ("search_files", {"pattern": "x", "path": "../"}),
]
# Allowed calls that touch secret files: they succeed, but only key names may come back.
SECRET_PROBES: list[tuple[str, dict[str, Any]]] = [
    ("read_file", {"path": ".env"}),
    ("read_file", {"path": ".env.local"}),
    ("read_file", {"path": "config/.env.production"}),
    ("read_file", {"path": "notes.txt"}),
    ("read_file", {"path": "id_rsa"}),
    ("read_file", {"path": "certs/server.pem"}),
    ("read_file", {"path": "secrets.yaml"}),
    ("search_files", {"pattern": "phc_|PLANTED|s3cr3t"}),
    ("search_files", {"pattern": ".", "path": ".env"}),
    ("search_files", {"pattern": ".", "path": "notes.txt"}),
    ("list_files", {"path": ".", "max_results": 500}),
]


@dataclass
class HostileBackend:
    """Tries every escape as the orchestrator and as each task, then behaves, recording what came back."""

    name: str = "hostile"
    default_model: str = "hostile-model"
    refused: list[tuple[str, str, ToolResult]] = field(default_factory=list)
    probed: list[tuple[str, str, ToolResult]] = field(default_factory=list)
    detected: ToolResult | None = None

    async def _attack(self, who: str, request: AgentRequest) -> None:
        for tool, args in HOSTILE_CALLS:
            self.refused.append((who, tool, await request.tools.call(tool, args)))
        for tool, args in SECRET_PROBES:
            self.probed.append((who, tool, await request.tools.call(tool, args)))

    async def run(self, request: AgentRequest) -> AgentOutcome:
        tools = request.tools
        if request.agent.kind == "orchestrator":
            await self._attack("orchestrator", request)
            # Detection reads the planted tree too; what it says goes into the queue, as the offline agent does.
            detected = await tools.call("detect_framework", {})
            self.detected = detected
            first = await tools.call(
                "enqueue_task",
                {"type": "install", "label": "a", "reason": "r", "inputs": {"detected": detected.content}},
            )
            await tools.call(
                "enqueue_task",
                {"type": "init", "label": "b", "reason": "r", "depends_on": [json.loads(first.content)["id"]]},
            )
            return AgentOutcome(model=self.default_model, turns=3)
        assert request.task is not None
        await self._attack(request.task.id, request)
        # Whatever came back goes into the handoff, as a careless model would do.
        seen = " ".join(r.content for _, _, r in self.probed[-len(SECRET_PROBES) :])[:7000]
        # ...and into a proposed file of the project, which the patch would carry to the user.
        await tools.call("propose_file", {"path": f"notes-{request.task.id}.txt", "content": seen or "nothing"})
        await tools.call(
            "complete_task", {"status": "done", "handoff": {**HANDOFF, "evidence": seen, "did": "read what I could"}}
        )
        return AgentOutcome(model=self.default_model, turns=4)


@dataclass
class RunawayBackend:
    """Never reports; every agent keeps enqueueing fresh independent work until refused `max_turns` times."""

    seeds: int = 1
    name: str = "runaway"
    default_model: str = "runaway-model"
    counter: int = 0
    calls: int = 0
    refusals: list[str] = field(default_factory=list)

    async def _enqueue(self, request: AgentRequest) -> ToolResult:
        self.counter += 1
        self.calls += 1
        result = await request.tools.call(
            "enqueue_task",
            {"type": "plan-capture", "label": f"more {self.counter}", "inputs": {"n": self.counter}, "reason": "more"},
        )
        if result.is_error:
            self.refusals.append(result.content)
        return result

    async def run(self, request: AgentRequest) -> AgentOutcome:
        if request.agent.kind == "orchestrator":
            for _ in range(self.seeds):
                await self._enqueue(request)
            return AgentOutcome(model=self.default_model, turns=self.seeds)
        for _ in range(request.agent.max_turns):
            await self._enqueue(request)
        return AgentOutcome(model=self.default_model, turns=request.agent.max_turns)
