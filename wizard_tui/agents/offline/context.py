"""What every offline task body starts from, and how it ends: facts in, proposals and a report out.

A body learns the project through `detect_framework` (cached by the run) and its inputs,
proposes its plan's changes through `propose_edit` and `propose_file`, and reports once
with `complete_task`. A tool that refuses a change makes the task fail, so the executor
retries it from a clean proposed state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wizard_tui.agents.offline.changes import Edit, NewFile, Plan
from wizard_tui.agents.offline.project import ToolProject
from wizard_tui.agents.offline.session import Session
from wizard_tui.domain.frameworks import Framework, framework
from wizard_tui.domain.models import Task


@dataclass
class TaskContext:
    """One task's view of the run: the task, the detection, its framework record and app folder."""

    session: Session
    task: Task
    detection: dict[str, Any]
    project: ToolProject
    framework: Framework
    app_dir: str
    touched: list[str] = field(default_factory=list)

    @classmethod
    async def load(cls, session: Session, task: Task) -> TaskContext:
        inputs = task.inputs if isinstance(task.inputs, dict) else {}
        detection: dict[str, Any] = {}
        if session.has("detect_framework"):
            detection = await session.call("detect_framework", {}) or {}
        framework_id = str(inputs.get("framework") or detection.get("framework") or "unknown")
        app_dir = str(inputs.get("app_dir") or detection.get("primary_subproject") or ".")
        return cls(session, task, detection, ToolProject(session), framework(framework_id), app_dir)

    @property
    def inputs(self) -> dict[str, Any]:
        return self.task.inputs if isinstance(self.task.inputs, dict) else {}

    def subproject(self) -> dict[str, Any]:
        """Detection's record of the app folder, in a monorepo; the whole project otherwise."""
        for sub in self.detection.get("subprojects") or []:
            if isinstance(sub, dict) and sub.get("path") == self.app_dir:
                return sub
        return self.detection

    async def propose(self, plan: Plan) -> list[str]:
        """Send the plan's changes through the tools; the refusals, if any."""
        refusals: list[str] = []
        for change in plan.changes:
            if isinstance(change, NewFile):
                result = await self.session.turn("propose_file", {"path": change.path, "content": change.content})
            else:
                assert isinstance(change, Edit)
                result = await self.session.turn(
                    "propose_edit", {"path": change.path, "old": change.old, "new": change.new}
                )
            if result.is_error:
                refusals.append(f"{change.path}: {result.content}")
                break  # later edits of the same file were computed on top of this one
            self.project.forget(change.path)
            if change.path not in self.touched:
                self.touched.append(change.path)
        return refusals

    async def finish(self, status: str, goal: str, did: str, for_next: str, evidence: str | None = None) -> None:
        handoff: dict[str, Any] = {
            "goal": goal,
            "did": did,
            "for_next_agent": for_next,
            "files_touched": list(self.touched),
        }
        if evidence:
            handoff["evidence"] = evidence[:8000]
        await self.session.call("complete_task", {"status": status, "handoff": handoff})

    async def conclude(self, plan: Plan, goal: str, for_next: str) -> None:
        """Propose the plan and report: skipped with the reason, done, or failed on a refusal."""
        if plan.skipped:
            manual = (" Manual steps: " + " ".join(plan.manual)) if plan.manual else ""
            await self.finish("skipped", goal, f"Skipped: {plan.skipped}{manual}", for_next)
            return
        if not plan.changes:
            await self.finish(
                "skipped", goal, "Nothing to change: " + (" ".join(plan.notes) or "no place found."), for_next
            )
            return
        refusals = await self.propose(plan)
        if refusals:
            await self.finish(
                "failed",
                goal,
                f"A proposal was refused, so this attempt stops: {refusals[0][:1500]}",
                "Retry from the current proposed state.",
                evidence="; ".join(refusals)[:8000],
            )
            return
        manual = (" Left to the user: " + " ".join(plan.manual)) if plan.manual else ""
        await self.finish(
            "done",
            goal,
            " ".join(plan.notes) + manual,
            for_next,
            evidence=f"The tools accepted {len(plan.changes)} proposal(s) to {', '.join(plan.files)}.",
        )


def no_offline_knowledge(ctx: TaskContext) -> Plan:
    """The skip of a framework the offline agent has no knowledge of, with the manual step."""
    fw = ctx.framework
    if fw.id == "unknown":
        return Plan.skip(
            "No framework was recognised in this project, so there is no known place to set PostHog up.",
            "Pick the PostHog SDK for your stack at https://posthog.com/docs/libraries and follow its guide.",
        )
    steps = [f"Initialise PostHog in {fw.init_where}."]
    if fw.key_env:
        steps.append(f"Read the key from {fw.key_env} (and the host from {fw.host_env}).")
    if fw.docs:
        steps.append(f"PostHog's guide: {fw.docs}")
    return Plan.skip(f"The offline agent has no integration knowledge for {fw.name}.", *steps)
