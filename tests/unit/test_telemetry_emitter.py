"""The emitter: record shape, fan-out, and sinks that fail or hang without hurting the run."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from pathlib import Path

import pytest

from tests.support.clock import FrozenClock
from tests.support.scripted import ScriptedBackend
from tests.unit.test_telemetry_events import scripted_run
from wizard_tui.domain.events import EventBus
from wizard_tui.domain.models import TelemetryRecord
from wizard_tui.domain.persistence import iter_jsonl
from wizard_tui.telemetry import network_sinks, tracking_refused
from wizard_tui.telemetry.emitter import MAX_TEXT, BackgroundSink, JsonlSink, Sink, Telemetry, bounded
from wizard_tui.telemetry.posthog_sink import PostHogSink

STARTED = {"backend": "offline", "model": "offline", "concurrency": 1, "pipeline": True, "resumed": False}


class ListSink:
    """Collects records; `inline` decides whether the emitter calls it directly."""

    def __init__(self, *, inline: bool = False) -> None:
        self.inline = inline
        self.records: list[TelemetryRecord] = []
        self.closed = False

    def write(self, record: TelemetryRecord) -> None:
        self.records.append(record)

    def close(self) -> None:
        self.closed = True


class RaisingSink:
    def __init__(self, *, inline: bool = False) -> None:
        self.inline = inline

    def write(self, record: TelemetryRecord) -> None:
        raise OSError("the network is down")

    def close(self) -> None:
        raise OSError("still down")


class HangingSink:
    """Blocks in write (and close) until released: a network call that never returns."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.entered = threading.Event()

    def write(self, record: TelemetryRecord) -> None:
        self.entered.set()
        self.release.wait(30)

    def close(self) -> None:
        self.release.wait(30)


def telemetry(*sinks: Sink, bus: EventBus | None = None) -> Telemetry:
    return Telemetry("run-e", FrozenClock(step=0.001), bus, list(sinks))


def test_each_jsonl_line_is_event_ts_run_id_and_properties(tmp_path: Path) -> None:
    path = tmp_path / "telemetry.jsonl"
    tel = telemetry(JsonlSink(path))
    tel.emit("orchestrator started", **STARTED)
    tel.emit("orchestrator guard tripped", guard="dedup", type="capture")
    tel.close()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [set(line) for line in lines] == [{"event", "ts", "run_id", "properties"}] * 2
    assert lines[1] == {
        "event": "orchestrator guard tripped",
        "ts": "2026-01-01T12:00:00.001000Z",
        "run_id": "run-e",
        "properties": {"guard": "dedup", "type": "capture"},
    }


def test_every_sink_and_the_bus_get_every_record_in_order() -> None:
    bus = EventBus()
    seen: list[str] = []
    bus.subscribe(lambda e: seen.append(getattr(e, "event", "")))
    inline, background = ListSink(inline=True), ListSink()
    tel = telemetry(inline, background, bus=bus)
    names = [f"orchestrator guard tripped {i}" for i in range(50)]
    for name in names:
        tel.emit(name, guard="dedup", type="capture")
    assert [r.event for r in inline.records] == names  # inline: at once
    tel.close()
    assert [r.event for r in background.records] == names  # background: all of them by close
    assert seen == names
    assert inline.closed and background.closed


def test_a_sink_that_raises_never_fails_the_run_or_the_other_sinks(caplog: pytest.LogCaptureFixture) -> None:
    good = ListSink(inline=True)
    tel = telemetry(RaisingSink(inline=True), RaisingSink(), good)
    with caplog.at_level(logging.WARNING, logger="wizard_tui.telemetry"):
        for _ in range(20):
            tel.emit("orchestrator guard tripped", guard="dedup", type="capture")
        tel.close()
    assert len(good.records) == 20
    failures = [r for r in caplog.records if "failed" in r.getMessage() and "close" not in r.getMessage()]
    assert len(failures) == 2  # once per broken sink, not once per event
    background = next(s for s in tel.sinks if isinstance(s, BackgroundSink))
    assert background.failures == 20


def test_a_sink_that_hangs_never_stalls_emit_and_close_gives_up_in_time() -> None:
    hung = HangingSink()
    tel = telemetry(hung)
    emitter = threading.Thread(target=lambda: [tel.emit("orchestrator started", **STARTED) for _ in range(500)])
    emitter.start()
    emitter.join(10)
    try:
        assert not emitter.is_alive(), "emit blocked on a hung sink"
        assert hung.entered.wait(5)
        t0 = time.monotonic()
        tel.close(timeout_s=0.3)
        # A bound on a hang, not a speed figure: without it this would take 30 s.
        assert time.monotonic() - t0 < 15
    finally:
        hung.release.set()


def test_close_shares_one_deadline_between_hung_sinks() -> None:
    sinks = [HangingSink() for _ in range(8)]
    tel = telemetry(*sinks)
    tel.emit("orchestrator started", **STARTED)
    try:
        t0 = time.monotonic()
        tel.close(timeout_s=2.0)
        # Eight sinks, one budget of 2 s: a budget each would take 16 s. The bound between leaves
        # room for a busy machine.
        assert time.monotonic() - t0 < 8
    finally:
        for sink in sinks:
            sink.release.set()


def test_a_full_queue_drops_records_instead_of_waiting() -> None:
    hung = HangingSink()
    sink = BackgroundSink(hung, max_pending=3)
    try:
        record = TelemetryRecord(event="e", ts=FrozenClock().now(), run_id="r")
        sink.write(record)
        assert hung.entered.wait(5)  # the thread holds one record inside the hung write
        for _ in range(10):
            sink.write(record)
        assert sink.dropped == 7
    finally:
        hung.release.set()
        sink.close(5)


async def test_aclose_keeps_the_event_loop_running_while_a_sink_hangs() -> None:
    hung = HangingSink()
    tel = telemetry(hung)
    tel.emit("orchestrator started", **STARTED)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    try:
        await tel.aclose(timeout_s=0.3)
        assert ticks >= 1  # a blocking close would have let the ticker run zero times (however slow the machine)
    finally:
        ticker.cancel()
        hung.release.set()


def test_records_after_close_reach_the_bus_but_no_sink() -> None:
    sink = ListSink(inline=True)
    bus = EventBus()
    seen: list[object] = []
    bus.subscribe(seen.append)
    tel = telemetry(sink, bus=bus)
    tel.close()
    tel.emit("orchestrator started", **STARTED)
    assert sink.records == [] and len(seen) == 1


def test_property_values_are_bounded_and_json_safe() -> None:
    long = "x" * 5000
    out = bounded(
        {"text": long, "items": list(range(500)), "nested": {"deep": [[[1]]]}, "obj": object(), "s": {"b", "a"}}
    )
    assert len(out["text"]) == MAX_TEXT and out["text"].endswith("…")
    assert out["items"] == list(range(50))
    assert out["obj"] == "object"
    assert out["s"] == ["a", "b"]
    assert out["nested"] == {"deep": "list"}  # three levels down is not a telemetry property
    json.dumps(out)


def test_an_agent_supplied_string_is_cut_and_made_writable_before_any_sink_sees_it(tmp_path: Path) -> None:
    sink = ListSink(inline=True)
    path = tmp_path / "telemetry.jsonl"
    tel = telemetry(sink, JsonlSink(path))
    tel.emit("orchestrator guard tripped", guard="unknown-type", type="A" * 10_000)
    tel.emit("orchestrator guard tripped", guard="unknown-type", type="bad \udc80 text")
    tel.close()
    assert len(sink.records[0].properties["type"]) == MAX_TEXT
    assert sink.records[1].properties["type"] == "bad ? text"
    assert len(path.read_text().splitlines()) == 2


def test_an_event_off_its_contract_is_reported_once_and_still_delivered(caplog: pytest.LogCaptureFixture) -> None:
    sink = ListSink(inline=True)
    tel = telemetry(sink)
    with caplog.at_level(logging.WARNING, logger="wizard_tui.telemetry"):
        tel.emit("orchestrator seeded", task_count="six")
        tel.emit("orchestrator seeded", task_count="six")
    assert len(sink.records) == 2
    warnings = [r.getMessage() for r in caplog.records if "contract" in r.getMessage()]
    assert len(warnings) == 1 and "task_count" in warnings[0]


# -- which network sinks a run gets -----------------------------------------------------------


def close_all(sinks: list[Sink]) -> None:
    for sink in sinks:
        sink.close()


def test_no_key_means_no_network_sink() -> None:
    assert network_sinks(disabled=False, env={}) == []
    assert network_sinks(disabled=False, env={"POSTHOG_PROJECT_API_KEY": "  "}) == []


def test_a_key_gives_the_posthog_sink_with_the_configured_host() -> None:
    sinks = network_sinks(
        disabled=False, env={"POSTHOG_PROJECT_API_KEY": "phc_k", "POSTHOG_HOST": " http://127.0.0.1:9 "}
    )
    try:
        assert len(sinks) == 1 and isinstance(sinks[0], PostHogSink)
        assert sinks[0].host == "http://127.0.0.1:9"
    finally:
        close_all(sinks)


def test_the_environment_is_read_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTHOG_PROJECT_API_KEY", "phc_k")
    monkeypatch.setenv("POSTHOG_HOST", "http://127.0.0.1:9")
    monkeypatch.delenv("DO_NOT_TRACK", raising=False)
    sinks = network_sinks(disabled=False)
    try:
        assert len(sinks) == 1
    finally:
        close_all(sinks)
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    assert network_sinks(disabled=False) == []


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", " on ", "2"])
def test_do_not_track_turns_the_network_sink_off(value: str) -> None:
    env = {"POSTHOG_PROJECT_API_KEY": "phc_k", "DO_NOT_TRACK": value}
    assert tracking_refused(env)
    assert network_sinks(disabled=False, env=env) == []


@pytest.mark.parametrize("value", ["", "0", "false", "no", "off"])
def test_a_falsy_do_not_track_leaves_it_on(value: str) -> None:
    env = {"POSTHOG_PROJECT_API_KEY": "phc_k", "POSTHOG_HOST": "http://127.0.0.1:9", "DO_NOT_TRACK": value}
    assert not tracking_refused(env)
    sinks = network_sinks(disabled=False, env=env)
    try:
        assert len(sinks) == 1
    finally:
        close_all(sinks)


def test_no_telemetry_flag_wins_over_a_key() -> None:
    assert network_sinks(disabled=True, env={"POSTHOG_PROJECT_API_KEY": "phc_k"}) == []


def test_a_sink_that_cannot_be_built_leaves_the_run_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bad host")

    monkeypatch.setattr("wizard_tui.telemetry.posthog_sink.PostHogSink", broken)
    assert network_sinks(disabled=False, env={"POSTHOG_PROJECT_API_KEY": "phc_k"}) == []


async def test_a_run_with_a_raising_and_a_hanging_sink_finishes_within_the_close_budget(tmp_path: Path) -> None:
    hung, good = HangingSink(), ListSink()
    backend = ScriptedBackend([("install", "install", []), ("init", "init", ["install"])])
    try:
        t0 = time.monotonic()
        result, project = await scripted_run(
            tmp_path, backend, sinks=[RaisingSink(), RaisingSink(inline=True), hung, good]
        )
        elapsed = time.monotonic() - t0
    finally:
        hung.release.set()
    assert result.exit_code == 0
    local = [line["event"] for line in iter_jsonl(project / ".posthog-wizard" / "telemetry.jsonl")]
    assert local[-1] == "orchestrator run finished"
    assert [r.event for r in good.records] == local
    # A bound on a hang, not a speed figure: the hung sink would hold the run 30 s.
    assert elapsed < 20, f"a hung sink held the run for {elapsed:.1f} s (budget 2 s)"
