"""The whole skeleton through the anthropic backend and a scripted model on the fake Messages API."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.clock import SequentialIds
from tests.support.fakes.literal_model import LiteralModel, correction_turns
from tests.support.fakes.messages_api import ApiError, Drop, FakeMessagesAPI, RecordedRequest, Reply, task_id_of
from tests.support.fakes.skeleton_model import SkeletonModel, task_type
from tests.support.samples import tree_digest
from wizard_tui.agents.anthropic_agent import AnthropicAgent
from wizard_tui.agents.retry import RetryPolicy
from wizard_tui.cli import main
from wizard_tui.domain.claude_models import MODELS
from wizard_tui.domain.models import Task, TaskStatus
from wizard_tui.domain.persistence import RunPaths, iter_jsonl, read_audit, read_queue_file
from wizard_tui.engine.run import Run, RunConfig, RunResult
from wizard_tui.engine.tools import ALL_TOOLS
from wizard_tui.tui.mirror import RunDirReader
from wizard_tui.tui.run_view import EMPTY_VIEW, verdict_line

USAGE_KEYS = ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def api() -> Iterator[FakeMessagesAPI]:
    with FakeMessagesAPI(SkeletonModel()) as server:
        yield server


async def run_through(
    api: FakeMessagesAPI, project: Path, sleeps: Sleeps | None = None, *, concurrency: int = 1, stub: bool = True
) -> RunResult:
    agent = AnthropicAgent(
        api_key="sk-ant-test",
        base_url=api.base_url,
        sleep=sleeps or Sleeps(),
        retry=RetryPolicy(base_delay_s=0.5),
        rand=lambda: 0.0,
    )
    try:
        config = RunConfig(install_dir=project, stub=stub, concurrency=concurrency)
        return await Run(config, agent, ids=SequentialIds()).execute()
    finally:
        await agent.aclose()


def failed_after_one_attempt(project: Path, task_type: str, kind: str) -> Task:
    """The run's only task of `task_type`, which must have failed with `kind` on its first attempt."""
    queue = read_queue_file(project / ".posthog-wizard" / "queue.json")
    (task,) = [t for t in queue.tasks if t.type == task_type]
    assert task.status == TaskStatus.FAILED and task.attempts == 1
    assert task.error is not None and task.error.kind == kind
    return task


def telemetry(project: Path) -> list[dict[str, Any]]:
    return list(iter_jsonl(project / ".posthog-wizard" / "telemetry.jsonl"))


@pytest.mark.parametrize(("name", "concurrency"), [("nextjs-app-router", 1), ("django-app", 3)])
async def test_the_whole_skeleton_runs_through_the_anthropic_backend(
    name: str, concurrency: int, api: FakeMessagesAPI, sample: Callable[[str], Path]
) -> None:
    project = sample(name)
    before = tree_digest(project)
    result = await run_through(api, project, concurrency=concurrency)

    assert result.exit_code == 0, result.message
    assert tree_digest(project) == before, "the user's project changed"
    queue = read_queue_file(project / ".posthog-wizard" / "queue.json")
    assert queue.orchestrator.status == "done" and queue.backend == "anthropic"
    types = sorted(t.type for t in queue.tasks if not t.dynamic)
    expected = ["capture", "identify", "init", "install", "plan-capture"]
    assert types == sorted(expected + (["llm-analytics"] if name == "nextjs-app-router" else []))
    assert all(t.status == TaskStatus.DONE for t in queue.tasks)
    assert any(t.dynamic for t in queue.tasks), "plan-capture's follow-ups were enqueued"
    for task in queue.tasks:
        assert (project / ".posthog-wizard" / "markers" / f"{task.id}.txt").is_file()
        assert (project / ".posthog-wizard" / "handoffs" / f"{task.id}.json").is_file()

    # Every agent is one `agent completed` event with the model the API ran and its usage;
    # the run's totals are their sums, and match what the server reported.
    records = telemetry(project)
    agents = [r["properties"] for r in records if r["event"] == "agent completed"]
    assert len(agents) == 1 + len(queue.tasks)
    seed = [a for a in agents if a["task_type"] == "integrate-posthog"]
    assert len(seed) == 1 and seed[0]["model"].startswith("claude-sonnet-")
    assert {a["model"] for a in agents if a["task_type"] != "integrate-posthog"} == {"claude-haiku-4-5"}
    assert all(a["turns"] >= 2 and a["duration_ms"] >= 0 for a in agents)
    (finished,) = [r["properties"] for r in records if r["event"] == "orchestrator run finished"]
    served_input = sum(e.usage.total for e in api.exchanges if e.usage)
    assert sum(finished[f"total_{k}"] for k in USAGE_KEYS if k != "output_tokens") == served_input
    # The one-token check before the run is paid for too: it is in the totals, not in an agent.
    check = api.exchanges[0]
    assert check.request.body["max_tokens"] == 1 and not check.request.tool_names and check.usage is not None
    checked = {**dataclasses.asdict(check.usage), "output_tokens": check.output_tokens}
    for key in USAGE_KEYS:
        assert finished[f"total_{key}"] == sum(a[key] for a in agents) + checked[key] == result.usage[key]
    assert finished["total_cache_read_input_tokens"] > finished["total_cache_creation_input_tokens"]
    # Cost in dollars at the registry's prices: per agent, per model, and for the run.
    haiku, sonnet = MODELS["claude-haiku-4-5"], MODELS["claude-sonnet-4-6"]
    for a in agents:
        counters = {k: a[k] for k in USAGE_KEYS}
        assert a["cost_usd"] == pytest.approx((haiku if a["model"] == haiku.id else sonnet).cost_usd(**counters))
    by_model = finished["usage_by_model"]
    assert set(by_model) == {"claude-haiku-4-5", "claude-sonnet-4-6"}
    assert finished["total_cost_usd"] == pytest.approx(sum(m["cost_usd"] for m in by_model.values()))
    assert finished["total_cost_usd"] == pytest.approx(result.cost_usd) and result.cost_usd > 0


@pytest.mark.parametrize("stub", [True, False], ids=["stub", "real-bodies"])
async def test_every_task_agent_gets_one_shared_prefix_and_its_own_prompt(
    stub: bool, sample: Callable[[str], Path]
) -> None:
    model = SkeletonModel() if stub else SkeletonModel(first_call="read_handoffs")
    with FakeMessagesAPI(model) as api:  # the real per-model cache floors
        result = await run_through(api, sample("nextjs-app-router"), stub=stub)
    assert result.exit_code == 0, result.message
    firsts = [e for e in api.exchanges if task_id_of(e.request) and len(e.request.messages) == 1]
    assert len({task_type(e.request) for e in firsts}) >= 5, "several task types"
    # Tools in one order and the first system block: the same bytes for every task type.
    assert len({json.dumps([e.request.body["tools"], e.request.body["system"][0]]) for e in firsts}) == 1
    # The install intent, recorded while the first tasks ran, is a second block: absent, then one text.
    assert len({json.dumps(e.request.body["system"][1:]) for e in firsts}) <= 2
    assert len({e.request.first_user_text for e in firsts}) == len(firsts)
    allowed = [re.search(r"^- tools you may call: (.+)$", e.request.first_user_text, re.M) for e in firsts]
    own = [set(m.group(1).split(", ")) if m else set() for m in allowed]
    assert all(tools and tools <= set(firsts[0].request.tool_names) for tools in own)
    assert any(tools < set(firsts[0].request.tool_names) for tools in own), "some types may call fewer"
    # From the second agent on, the shared prefix comes from the cache, above Haiku 4.5's floor,
    # and so does most of every task agent's input.
    for e in firsts[1:]:
        assert e.usage is not None and e.usage.cache_read_input_tokens >= MODELS["claude-haiku-4-5"].min_cache_tokens
    later = {task_id_of(e.request) for e in firsts[1:]}
    spent = [e.usage for e in api.exchanges if e.usage and task_id_of(e.request) in later]
    assert sum(u.cache_read_input_tokens for u in spent) >= 0.6 * sum(u.total for u in spent)


async def test_429_529_and_500_in_the_middle_of_a_run_are_survived(
    api: FakeMessagesAPI, sample: Callable[[str], Path]
) -> None:
    base = api.responder
    served = 0

    def flaky(request: Any) -> Any:
        nonlocal served
        served += 1
        if served == 3:
            api.fail_next(ApiError(429, headers={"retry-after": "2"}), ApiError(529), ApiError(500))
        if served == 9:
            api.fail_next(ApiError(503, headers={"retry-after-ms": "10"}))
        return base(request)

    api.responder = flaky
    sleeps = Sleeps()
    project = sample("nextjs-app-router")
    result = await run_through(api, project, sleeps)
    assert result.exit_code == 0, result.message
    # retry-after (2 s) and retry-after-ms (10 ms) are honoured; the 529 and 500 wait on the
    # backoff schedule. Which agent meets them depends on how the orchestrator and the first
    # tasks interleave (pipelining), so neither the schedule step nor the order is pinned.
    delays = list(sleeps.delays)
    assert len(delays) == 4 and 0.01 in delays and 2.0 in delays
    delays.remove(0.01)
    delays.remove(2.0)
    assert set(delays) <= {0.5, 1.0, 2.0}
    assert sum(1 for e in api.exchanges if isinstance(e.reply, ApiError)) == 4
    # Each wait is a recorded fact (who waits, which retry, how long, why) for the faces to show.
    waits = [r.model_extra or {} for r in read_audit(project / ".posthog-wizard" / "audit.jsonl")]
    waits = [w for w in waits if w.get("cause")]
    assert sorted(w["wait_s"] for w in waits) == sorted(sleeps.delays)
    assert all(w["max_retries"] == 6 and 1 <= w["attempt"] <= 3 and w["agent_id"] for w in waits)
    assert {w["cause"].split(" ")[0] for w in waits} == {"429", "529", "500", "503"}


async def test_a_task_that_never_reports_fails_after_two_attempts_and_blocks_its_dependents(
    sample: Callable[[str], Path],
) -> None:
    with FakeMessagesAPI(SkeletonModel(never_report={"init"})) as api:
        project = sample("django-app")
        result = await run_through(api, project)
    assert result.exit_code == 1
    queue = read_queue_file(project / ".posthog-wizard" / "queue.json")
    by_type = {t.type: t for t in queue.tasks}
    init = by_type["init"]
    assert init.status == TaskStatus.FAILED and init.attempts == 2
    assert init.error is not None and init.error.kind == "no-report"
    assert by_type["install"].status == TaskStatus.DONE
    for dependent in ("identify", "plan-capture", "capture"):
        assert by_type[dependent].status == TaskStatus.BLOCKED, dependent
    events = [r.event for r in read_audit(project / ".posthog-wizard" / "audit.jsonl") if r.task_id == init.id]
    assert events == ["enqueue", "start", "requeue", "start", "fail"]
    # Each attempt was a fresh agent, nudged once before it was let go.
    init_requests = [r for r in api.requests if task_id_of(r) == init.id]
    assert sum(1 for r in init_requests if len(r.messages) == 1) == 2


async def test_an_agent_the_api_keeps_failing_fails_its_task_and_keeps_its_usage(
    api: FakeMessagesAPI, sample: Callable[[str], Path]
) -> None:
    base = api.responder

    def overloaded_identify(request: RecordedRequest) -> Reply:
        if task_type(request) == "identify" and request.tool_calls():
            return ApiError(529, headers={"retry-after": "0"})
        return base(request)

    api.responder = overloaded_identify
    project = sample("django-app")
    assert (await run_through(api, project)).exit_code == 1
    # Its requests were retried 6 times already: the executor does not run it again.
    identify = failed_after_one_attempt(project, "identify", "agent-error")
    assert "still failed after 6 retries" in identify.error.message
    spent = [r["properties"] for r in telemetry(project) if r["event"] == "agent completed"]
    spent = [a for a in spent if a["task_type"] == "identify"]
    assert len(spent) == 1 and spent[0]["turns"] == 1 and spent[0]["cache_read_input_tokens"] > 0
    assert spent[0]["stop_reason"] == "api_error"
    assert sum(1 for r in api.requests if task_type(r) == "identify" and r.tool_calls()) == 7


async def test_a_refusal_fails_the_task_without_a_second_attempt(sample: Callable[[str], Path]) -> None:
    with FakeMessagesAPI(SkeletonModel(refuse={"identify"})) as api:
        project = sample("django-app")
        assert (await run_through(api, project)).exit_code == 1
    failed_after_one_attempt(project, "identify", "refusal")
    assert sum(1 for r in api.requests if task_type(r) == "identify") == 1


async def test_a_rejected_key_stops_the_run_with_a_sentence(sample: Callable[[str], Path]) -> None:
    with FakeMessagesAPI(SkeletonModel(), valid_keys=["sk-ant-other"]) as api:
        project = sample("django-app")
        result = await run_through(api, project)
    assert result.exit_code == 2
    assert "rejected the API key" in result.message and "ANTHROPIC_API_KEY" in result.message
    # The one-token check before the run caught it: nothing else was sent, nothing written.
    assert len(api.requests) == 1 and api.requests[0].body["max_tokens"] == 1
    assert not (project / ".posthog-wizard").exists()


def test_cli_headless_run_against_anthropic_base_url(
    api: FakeMessagesAPI,
    sample: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
    project = sample("fastapi-anthropic")
    assert main([str(project), "--no-ui", "--stub", "--no-telemetry"]) == 0
    out = capsys.readouterr().out
    assert "backend anthropic" in out and "backend: anthropic" in out
    tokens = [line for line in out.splitlines() if line.strip().startswith("tokens:")]
    assert len(tokens) == 1 and "cache read" in tokens[0]
    # The run's cost in dollars, then each model's tokens and cost.
    (cost,) = [line.strip() for line in out.splitlines() if line.strip().startswith("cost $")]
    assert re.fullmatch(r"cost \$0\.\d{3} at list prices", cost), cost
    assert re.search(r"claude-haiku-4-5: \d+ in, \d+ out, \d+ cache read, \d+ cache write, \$0\.\d+", out)


def test_cli_with_a_bad_key_prints_a_sentence_not_a_traceback(
    sample: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeMessagesAPI(SkeletonModel(), valid_keys=["sk-ant-other"]) as api:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-wrong")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
        code = main([str(sample("no-framework")), "--no-ui", "--agent", "anthropic", "--no-telemetry"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert "rejected the API key" in captured.err and len(captured.err.strip().splitlines()) == 1
    assert "Traceback" not in captured.out + captured.err


@pytest.mark.parametrize(
    ("variable", "value", "on_the_wire"),
    [
        ("ANTHROPIC_API_KEY", "sk-ant-test", {"x-api-key": "sk-ant-test"}),
        ("ANTHROPIC_AUTH_TOKEN", "tok-gateway", {"authorization": "Bearer tok-gateway"}),
    ],
)
def test_cli_sends_only_the_documented_auth_header_for_each_variable(
    variable: str,
    value: str,
    on_the_wire: dict[str, str],
    sample: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    for other in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_CUSTOM_HEADERS", "ANTHROPIC_PROFILE"):
        monkeypatch.delenv(other, raising=False)
    monkeypatch.setenv("ANTHROPIC_CONFIG_DIR", str(tmp_path / "no-profiles"))
    with FakeMessagesAPI(SkeletonModel(), valid_tokens=["tok-gateway"]) as api:
        monkeypatch.setenv(variable, value)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
        # The scripted model plays the skeleton (markers): the run is a --stub run.
        assert main([str(sample("django-app")), "--no-ui", "--no-telemetry", "--stub"]) == 0
    assert len(api.requests) > 10
    for request in api.requests:
        sent = {k: v for k, v in request.headers.items() if k in ("x-api-key", "authorization")}
        assert sent == on_the_wire


def test_cli_model_flag_sets_the_model_of_every_request(
    sample: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The orchestrator names a model in every enqueue and every prompt names one: --model beats both.
    with FakeMessagesAPI(SkeletonModel(enqueue_model="claude-haiku-4-5")) as api:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
        project = sample("nextjs-app-router")
        # The scripted model plays the skeleton (markers): the run is a --stub run.
        assert main([str(project), "--no-ui", "--no-telemetry", "--model", "claude-sonnet-5", "--stub"]) == 0
    assert len(api.requests) > 10 and {r.model for r in api.requests} == {"claude-sonnet-5"}
    queue = read_queue_file(project / ".posthog-wizard" / "queue.json")
    assert queue.model == "claude-sonnet-5" and {t.model for t in queue.tasks if not t.dynamic} == {"claude-haiku-4-5"}
    assert {a["model"] for a in (r["properties"] for r in telemetry(project)) if "turns" in a} == {"claude-sonnet-5"}


def test_cli_refuses_a_model_that_is_not_current(
    sample: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    project = sample("django-app")
    assert main([str(project), "--no-ui", "--no-telemetry", "--model", "claude-3-5-haiku-latest"]) == 2
    err = capsys.readouterr().err
    assert "not a current Claude model" in err and "claude-haiku-4-5" in err and len(err.strip().splitlines()) == 1
    assert not (project / ".posthog-wizard").exists()


async def test_a_model_api_that_goes_away_after_the_check_is_named_in_the_verdict(
    api: FakeMessagesAPI, sample: Callable[[str], Path]
) -> None:
    project = sample("django-app")
    agent = AnthropicAgent(api_key="sk-ant-test", base_url=api.base_url, sleep=Sleeps(), rand=lambda: 0.0)
    run = Run(RunConfig(install_dir=project, stub=True), agent, ids=SequentialIds())
    assert await run.preflight() is None
    api.close()  # the port closes between the check and the first agent
    run.prepare()
    result = await run.execute()
    await agent.aclose()
    assert result.exit_code == 1 and result.verdict is not None and not result.verdict.ok
    assert "the orchestrator did not finish seeding" in result.message
    assert "still failed after 6 retries" in result.message and "--agent offline" in result.message
    waits = [r for r in read_audit(project / ".posthog-wizard" / "audit.jsonl") if r.event == "api-retry"]
    assert [(r.model_extra or {})["attempt"] for r in waits] == [1, 2, 3, 4, 5, 6]


async def test_a_model_api_that_goes_away_mid_run_is_named_in_the_verdict(
    api: FakeMessagesAPI, sample: Callable[[str], Path]
) -> None:
    seeding = api.responder
    api.responder = lambda request: Drop() if task_id_of(request) else seeding(request)  # seeded, then gone
    project = sample("django-app")
    result = await run_through(api, project)
    assert result.exit_code == 1
    # Each task's requests were retried 6 times; the executor does not run it again on top.
    queue = read_queue_file(project / ".posthog-wizard" / "queue.json")
    failed = [t for t in queue.tasks if t.status == TaskStatus.FAILED]
    assert {t.type for t in failed} == {"install", "init"} and all(t.attempts == 1 for t in failed)
    assert sum(1 for r in api.requests if task_id_of(r)) == 7 * len(failed)
    # The summary's last sentence and the UI's verdict name the cause and the way out.
    cause = "(Connection error: Server disconnected without sending a response)"
    for said in (result.message, verdict_line(RunDirReader(RunPaths(project)).poll()[0] or EMPTY_VIEW).message):
        assert said.startswith("Run did not complete: failed: "), said
        assert cause in said and "--agent offline" in said, said


@pytest.mark.parametrize("name", ["nextjs-app-router", "django-app"])
async def test_the_tool_definitions_leave_a_literal_reader_nothing_to_correct(
    name: str, sample: Callable[[str], Path]
) -> None:
    with FakeMessagesAPI(LiteralModel()) as api:
        result = await run_through(api, sample(name))
    assert result.exit_code == 0, result.message
    assert correction_turns(api.exchanges) == 0


async def test_without_the_enum_and_the_ending_sentence_the_literal_reader_needs_corrections(
    sample: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check above can fail: definitions that leave those facts out cost correction turns."""
    enqueue, complete = ALL_TOOLS["enqueue_task"], ALL_TOOLS["complete_task"]
    vague = dataclasses.replace(complete.decl, description="Report your task's outcome, with a handoff.")
    monkeypatch.setitem(ALL_TOOLS, "complete_task", dataclasses.replace(complete, decl=vague))
    untyped = dataclasses.replace(enqueue.decl, task_type_fields=())
    monkeypatch.setitem(ALL_TOOLS, "enqueue_task", dataclasses.replace(enqueue, decl=untyped))
    with FakeMessagesAPI(LiteralModel()) as api:
        result = await run_through(api, sample("django-app"))
    assert result.exit_code == 0, result.message
    # One refused enqueue for the orchestrator, one nudge for each of the 6 task agents.
    assert correction_turns(api.exchanges) == 7
