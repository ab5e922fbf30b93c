"""Whole runs whose task agents propose changes: the patch, retries that start clean, handoffs, the hard rule."""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.proposing import HANDOFF, ProposingBackend, make_project, proposing_prompts
from tests.support.samples import tree_digest
from wizard_tui.agents.base import AgentOutcome, AgentRequest
from wizard_tui.domain.changes import ChangesManifest
from wizard_tui.domain.proposals import ProposalsFile, ProposalState
from wizard_tui.engine.run import Run, RunConfig


async def test_a_run_proposes_one_patch_that_git_applies_and_never_writes_the_project(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    before = tree_digest(project)
    backend = ProposingBackend(flaky={"init"})
    result = await Run(RunConfig(install_dir=project), backend, prompts=proposing_prompts(tmp_path)).execute()
    assert result.exit_code == 0, result.message
    assert tree_digest(project) == before, "a run must never write outside its run dir"

    run_dir = project / ".posthog-wizard"
    patch = (run_dir / "changes.patch").read_bytes()
    check = subprocess.run(
        ["git", "apply", "--check", "-v", str(run_dir / "changes.patch")], cwd=project, capture_output=True
    )
    assert check.returncode == 0, check.stderr.decode()
    assert b'+    "posthog-js": "^1.200.0",' in patch
    assert patch.count(b"new file mode 100644") == 1 and b"export function identify() {}" in patch

    # The retried init started from a clean proposed state: its first attempt was discarded.
    stored = ProposalsFile.model_validate_json((run_dir / "proposals.json").read_bytes())
    init_states = [
        (p.attempt, p.state) for p in stored.proposals if p.path == "src/posthog client.ts" and p.kind == "file"
    ]
    assert init_states == [(1, ProposalState.DISCARDED), (2, ProposalState.COMMITTED)]
    # identify built on install's edit: it read package.json as proposed.
    assert '"posthog-js"' in backend.seen["identify"][0] and '"posthog-js"' not in backend.seen["install"][0]

    # Each handoff lists the files its task changed, though the agent named none.
    queue = json.loads((run_dir / "queue.json").read_text())
    touched = {t["type"]: t["handoff"]["files_touched"] for t in queue["tasks"]}
    assert touched == {
        "install": ["package.json"],
        "init": ["src/posthog client.ts"],
        "identify": ["src/posthog client.ts"],
    }
    manifest = ChangesManifest.model_validate_json((run_dir / "changes.json").read_bytes())
    assert [(f.path, f.action) for f in manifest.files] == [
        ("package.json", "modify"),
        ("src/posthog client.ts", "create"),
    ]
    by_task = {t["type"]: t["id"] for t in queue["tasks"]}
    identify_diff = (run_dir / "diffs" / f"{by_task['identify']}.patch").read_bytes().splitlines()
    assert [line for line in identify_diff if line.startswith(b"+") and not line.startswith(b"+++")] == [
        b"+export function identify() {}"
    ]

    # git applies it for real to the same bytes our manifest names; no copy of a file is kept.
    assert not (run_dir / "blobs").exists()
    subprocess.run(["git", "apply", str(run_dir / "changes.patch")], cwd=project, check=True)
    for item in manifest.files:
        assert hashlib.sha256((project / item.path).read_bytes()).hexdigest() == item.after_sha256


async def test_a_stub_run_proposes_nothing_and_writes_no_patch(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    result = await Run(
        RunConfig(install_dir=project, stub=True), ProposingBackend(), prompts=proposing_prompts(tmp_path)
    ).execute()
    # The scripted agent's proposals are refused in stub mode: the stub body has no propose tools.
    assert result.exit_code == 1
    assert not (project / ".posthog-wizard" / "changes.patch").exists()


async def test_an_attempt_interrupted_after_proposing_leaves_nothing_behind_on_resume(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    prompts = proposing_prompts(tmp_path)
    first = ProposingBackend(hang={"init"})
    handle = asyncio.ensure_future(Run(RunConfig(install_dir=project), first, prompts=prompts).execute())
    await asyncio.wait_for(first.hanging.wait(), 60)
    handle.cancel()
    assert (await handle).exit_code == 130
    run_dir = project / ".posthog-wizard"
    staged = ProposalsFile.model_validate_json((run_dir / "proposals.json").read_bytes())
    assert [(p.state, p.discarded_because) for p in staged.proposals if p.kind == "file"] == [
        (ProposalState.DISCARDED, "the run was interrupted")
    ]

    resumed = await Run(RunConfig(install_dir=project, resume=True), ProposingBackend(), prompts=prompts).execute()
    assert resumed.exit_code == 0, resumed.message
    stored = ProposalsFile.model_validate_json((run_dir / "proposals.json").read_bytes())
    created = [(p.attempt, p.state) for p in stored.proposals if p.kind == "file"]
    assert created == [(0, ProposalState.DISCARDED), (1, ProposalState.COMMITTED)] or created == [
        (1, ProposalState.DISCARDED),
        (1, ProposalState.COMMITTED),
    ]
    check = subprocess.run(["git", "apply", "--check", str(run_dir / "changes.patch")], cwd=project)
    assert check.returncode == 0


async def test_apply_at_the_end_needs_a_review_that_passed(tmp_path: Path) -> None:
    prompts = proposing_prompts(tmp_path)
    failed_review = make_project(tmp_path / "a")
    before = tree_digest(failed_review)
    result = await Run(
        RunConfig(install_dir=failed_review, apply=True), ProposingBackend(review="failed"), prompts=prompts
    ).execute()
    assert result.exit_code == 1 and result.applied is None and "Not applied" in result.message
    assert tree_digest(failed_review) == before

    passed = make_project(tmp_path / "b")
    result = await Run(
        RunConfig(install_dir=passed, apply=True), ProposingBackend(review="done"), prompts=prompts
    ).execute()
    assert result.exit_code == 0, result.message
    assert result.applied is not None and result.applied.created == ["src/posthog client.ts"]
    assert "posthog-js" in (passed / "package.json").read_text()
    assert result.next_step.startswith("Undo it with `wizard-tui revert ")


@dataclass
class RacingBackend:
    """install and init run together and edit the same line; whoever reports second must retry."""

    name: str = "racing"
    default_model: str = "scripted-model"
    both_staged: asyncio.Event = field(default_factory=asyncio.Event)
    staged: int = 0
    attempts: list[tuple[str, int, bool]] = field(default_factory=list)

    async def run(self, request: AgentRequest) -> AgentOutcome:
        tools = request.tools
        if request.agent.kind == "orchestrator":
            for key in ("install", "init"):
                await tools.call("enqueue_task", {"type": key, "label": key, "reason": "test"})
            return AgentOutcome(model=self.default_model, turns=1)
        task = request.task
        assert task is not None
        content = (await tools.call("read_file", {"path": "package.json"})).data()["content"]
        first_look = '"next": "15.0.0"\n' in content + "\n"
        self.attempts.append((task.type, task.attempts, first_look))
        if first_look:  # each bumps the version its own way: the second to report cannot replay
            version = "15.0.1" if task.type == "install" else "16.0.0"
            edit = {"old": '"next": "15.0.0"', "new": f'"next": "{version}"'}
        else:
            line = content.splitlines()[3]
            edit = {"old": line, "new": f"{line}, // seen by {task.type}"}
        result = await tools.call("propose_edit", {"path": "package.json", **edit})
        assert not result.is_error, result.content
        if task.attempts == 1:
            self.staged += 1
            if self.staged == 2:
                self.both_staged.set()
            await self.both_staged.wait()  # both have staged an edit of the same text
        await tools.call("complete_task", {"status": "done", "handoff": HANDOFF})
        return AgentOutcome(model=self.default_model, turns=3)


async def test_two_tasks_racing_for_the_same_text_commit_in_turn(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    backend = RacingBackend()
    config = RunConfig(install_dir=project, concurrency=2)
    result = await Run(config, backend, prompts=proposing_prompts(tmp_path)).execute()
    assert result.exit_code == 0, result.message
    # One of them committed first; the other conflicted, was retried, and built on the first.
    retried = [(t, look) for t, a, look in backend.attempts if a == 2]
    assert len(retried) == 1 and not retried[0][1], "the retry saw the first task's committed edit"
    audit = [json.loads(line) for line in (project / ".posthog-wizard" / "audit.jsonl").read_text().splitlines()]
    requeued = [r for r in audit if r["event"] == "requeue"]
    assert len(requeued) == 1 and requeued[0]["error"]["kind"] == "conflict"
    patch = (project / ".posthog-wizard" / "changes.patch").read_text()
    second = retried[0][0]
    first = "install" if second == "init" else "init"
    version = "15.0.1" if first == "install" else "16.0.0"
    assert f'+    "next": "{version}", // seen by {second}' in patch
    check = subprocess.run(["git", "apply", "--check", ".posthog-wizard/changes.patch"], cwd=project)
    assert check.returncode == 0
