"""The PostHog sink against a real HTTP capture endpoint on 127.0.0.1, in-process and through the CLI."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.clock import FrozenClock, SequentialIds
from tests.support.fakes.capture_server import CaptureServer, closed_port_url
from tests.support.samples import REPO, copy_sample
from wizard_tui.agents.offline import OfflineAgent
from wizard_tui.domain.persistence import iter_jsonl
from wizard_tui.engine.run import Run, RunConfig, RunResult
from wizard_tui.headless import HeadlessPrinter
from wizard_tui.telemetry import network_sinks
from wizard_tui.telemetry.emitter import Sink
from wizard_tui.telemetry.posthog_sink import PostHogSink

KEY = "phc_test_project_key"
SECRET = "sk-planted-7f3a9c2e51d84b6a"
# What `orchestrator seeded`, `task started` and `task completed` must carry when they arrive.
ARRIVING = {
    "orchestrator seeded": {"task_count", "types", "duration_ms"},
    "orchestrator task started": {"type", "model", "attempts", "ms_since_run_start"},
    "orchestrator task completed": {"type", "model", "attempts", "duration_ms"},
}


@pytest.fixture
def server() -> Iterator[CaptureServer]:
    with CaptureServer() as srv:
        yield srv


async def offline_run(project: Path, sinks: list[Sink], **kwargs: Any) -> RunResult:
    run = Run(RunConfig(install_dir=project, stub=True), OfflineAgent(), sinks=sinks, ids=SequentialIds(), **kwargs)
    return await run.execute()


def jsonl(project: Path) -> list[dict[str, Any]]:
    return list(iter_jsonl(project / ".posthog-wizard" / "telemetry.jsonl"))


def assert_arrived(events: list[dict[str, Any]], local: list[dict[str, Any]], run_id: str) -> None:
    """Every local telemetry line arrived, in order, as an anonymous event of the run."""
    assert [e["event"] for e in events] == [line["event"] for line in local]
    for event, line in zip(events, local, strict=True):
        props = event["properties"]
        assert event["distinct_id"] == run_id
        assert props["run_id"] == run_id
        assert props["$process_person_profile"] is False
        assert {k: props[k] for k in line["properties"]} == line["properties"]
    for name, wanted in ARRIVING.items():
        arrived = [e["properties"] for e in events if e["event"] == name]
        assert arrived, f"{name} did not arrive"
        assert all(wanted <= set(p) for p in arrived)


async def test_events_arrive_batched_gzipped_and_anonymous(tmp_path: Path, server: CaptureServer) -> None:
    project = copy_sample("nextjs-app-router", tmp_path)
    result = await offline_run(project, [PostHogSink(KEY, server.url)], clock=FrozenClock(step=0.001))
    assert result.exit_code == 0 and result.run_id
    assert_arrived(server.events(), jsonl(project), result.run_id)
    for request in server.received:
        assert request.path == "/batch/"
        assert request.headers.get("Content-Encoding") == "gzip"
        assert request.payload["api_key"] == KEY
    # Events keep the run's own timestamps, not the moment they were uploaded.
    assert server.events()[0]["timestamp"].startswith("2026-01-01T12:00:00")


@pytest.mark.parametrize(
    ("extra_env", "no_telemetry", "arrives"),
    [({}, False, True), ({"DO_NOT_TRACK": "1"}, False, False), ({}, True, False)],
    ids=["tracked", "do-not-track", "no-telemetry"],
)
async def test_do_not_track_and_no_telemetry_send_nothing(
    tmp_path: Path, server: CaptureServer, extra_env: dict[str, str], no_telemetry: bool, arrives: bool
) -> None:
    env = {"POSTHOG_PROJECT_API_KEY": KEY, "POSTHOG_HOST": server.url, **extra_env}
    project = copy_sample("express-server", tmp_path)
    result = await offline_run(project, network_sinks(disabled=no_telemetry, env=env))
    assert result.exit_code == 0
    assert len(jsonl(project)) > 10  # the local file is written either way
    assert bool(server.received) is arrives
    if arrives:
        assert result.run_id
        assert_arrived(server.events(), jsonl(project), result.run_id)


async def test_a_dead_endpoint_costs_the_run_at_most_the_bounded_wait(tmp_path: Path) -> None:
    project = copy_sample("express-server", tmp_path)
    sink = PostHogSink(KEY, closed_port_url())
    t0 = time.monotonic()
    result = await offline_run(project, [sink])
    elapsed = time.monotonic() - t0
    assert result.exit_code == 0
    assert jsonl(project)[-1]["event"] == "orchestrator run finished"
    assert sink.failed_batches >= 1  # the endpoint really was tried, and refused
    # A bound on waiting, not a speed figure: it leaves a loaded machine room for the run itself.
    assert elapsed < 15, f"a dead endpoint held the run for {elapsed:.1f} s"


async def test_a_slow_endpoint_costs_the_run_at_most_the_bounded_wait(tmp_path: Path) -> None:
    project = copy_sample("express-server", tmp_path)
    with CaptureServer(delay_s=60) as slow:  # far beyond the bound below, so waiting for it shows
        t0 = time.monotonic()
        result = await offline_run(project, [PostHogSink(KEY, slow.url)])
        elapsed = time.monotonic() - t0
        assert slow.received, "the slow endpoint was never reached"
    assert result.exit_code == 0
    assert jsonl(project)[-1]["event"] == "orchestrator run finished"
    assert elapsed < 15, f"a slow endpoint held the run for {elapsed:.1f} s"


def plant_secrets(project: Path) -> None:
    (project / ".env").write_text(f"OPENAI_API_KEY={SECRET}\nPOSTHOG_KEY={SECRET}\n")
    # A form, so the offline orchestrator's exploration finds this file and reads the line.
    (project / "app" / "vault").mkdir(parents=True)
    (project / "app" / "vault" / "page.tsx").write_text(
        "export default function Vault() {\n"
        f'  return <form onSubmit={{() => fetch("/api", {{ headers: {{ k: "{SECRET}" }} }})}}></form>;\n'
        "}\n"
    )


async def test_no_secret_or_file_content_leaves_through_telemetry_or_the_run_dir(
    tmp_path: Path, server: CaptureServer
) -> None:
    project = copy_sample("nextjs-app-router", tmp_path)
    plant_secrets(project)
    out = io.StringIO()
    run = Run(RunConfig(install_dir=project, stub=True), OfflineAgent(), sinks=[PostHogSink(KEY, server.url)])
    run.bus.subscribe(HeadlessPrinter(out, json_lines=True))
    result = await run.execute()
    assert result.exit_code == 0
    queue = json.loads((project / ".posthog-wizard" / "queue.json").read_text())
    # The planted file was explored (it became a capture area), so its line was read...
    assert any(t["inputs"].get("file") == "app/vault/page.tsx" for t in queue["tasks"])
    # ...yet the secret is in no telemetry event, no file of the run dir, no upload, no output.
    assert SECRET not in json.dumps(jsonl(project))
    for path in (project / ".posthog-wizard").rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    assert server.received
    for request in server.received:
        assert SECRET.encode() not in request.body
    assert SECRET not in out.getvalue()
    # Nor does any file's content: no telemetry property holds a line of the project's source.
    source_lines = {
        line.strip()
        for p in project.rglob("*")
        if p.is_file() and ".posthog-wizard" not in p.parts and p.suffix in {".ts", ".tsx", ".json"}
        for line in p.read_text(errors="ignore").splitlines()
        if len(line.strip()) > 20
    }
    for line in jsonl(project):
        for value in json.dumps(line["properties"]).split('"'):
            assert value.strip() not in source_lines, (line["event"], value)


def cli(project: Path, env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DO_NOT_TRACK", "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "POSTHOG_HOST"}
    }
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "wizard_tui", str(project), "--no-ui", "--stub", "--fresh", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_cli_sends_to_the_configured_host_and_key(tmp_path: Path, server: CaptureServer) -> None:
    project = copy_sample("fastapi-anthropic", tmp_path)
    done = cli(project, {"POSTHOG_PROJECT_API_KEY": "phc_from_env", "POSTHOG_HOST": server.url})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    local = jsonl(project)
    run_id = local[0]["run_id"]
    assert_arrived(server.events(), local, run_id)
    assert {r.payload["api_key"] for r in server.received} == {"phc_from_env"}
    assert "longest silence" in done.stdout


@pytest.mark.parametrize(
    ("env_extra", "args"), [({"DO_NOT_TRACK": "1"}, ()), ({}, ("--no-telemetry",))], ids=["do-not-track", "flag"]
)
def test_the_cli_sends_nothing_when_told_not_to(
    tmp_path: Path, server: CaptureServer, env_extra: dict[str, str], args: tuple[str, ...]
) -> None:
    project = copy_sample("fastapi-anthropic", tmp_path)
    env = {"POSTHOG_PROJECT_API_KEY": "phc_from_env", "POSTHOG_HOST": server.url, **env_extra}
    done = cli(project, env, *args)
    assert done.returncode == 0, done.stderr
    assert jsonl(project)[-1]["event"] == "orchestrator run finished"
    assert server.received == []
