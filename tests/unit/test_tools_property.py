"""Whatever an agent sends to whatever tool, the call answers with a result or a tool error, never raises.

Inputs are arbitrary JSON values (wrong types, huge and odd unicode strings, NULs, lone
surrogates, NaN, deep nesting), both as the whole input and as each field of a tool's
input model. After every call the queue must still serialise to a `queue.json` that
reads back and validates, so no agent input can break persistence or --resume.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.harness import Harness
from tests.support.hostile import SECRET, plant_project
from wizard_tui.domain.models import QueueFile
from wizard_tui.domain.persistence import queue_problem
from wizard_tui.domain.prompts import PromptLibrary, load_prompts
from wizard_tui.engine.tools import ALL_TOOLS, ToolResult

TOOL_NAMES = sorted(ALL_TOOLS)

# Text that reaches the interesting branches: escapes, links, secrets, odd unicode.
HOSTILE_TEXT = st.sampled_from(
    [
        "",
        ".",
        "..",
        "../../etc/passwd",
        "/etc/passwd",
        "/proc/self/environ",
        "link_out/passwd",
        "loop_a/x",
        "pipe",
        ".env",
        "notes.txt",
        "id_rsa",
        "huge.log",
        "blob.bin",
        "src/app.ts",
        "src\\..\\..\\x",
        "C:\\x",
        "a\x00b",
        "\ud800",
        "\udcff.env",
        "t-001",
        "orchestrator",
        "(a+)+$",
        "[",
        "**/*.ts",
        "x" * 5000,
        "é" * 300,
        "\u202e\u0000\uffff",
        "install",
        "capture",
        "done",
        "claude-haiku-4-5",
    ]
)
ANY_TEXT = st.one_of(HOSTILE_TEXT, st.text(st.characters(codec=None, exclude_categories=()), max_size=80))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    ANY_TEXT,
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(ANY_TEXT, inner, max_size=4)),
    max_leaves=12,
)
HANDOFFISH = st.fixed_dictionaries(
    {"goal": ANY_TEXT, "did": ANY_TEXT, "for_next_agent": ANY_TEXT},
    optional={"files_touched": JSON, "evidence": JSON, "extra": JSON},
)


def field_inputs(tool: str) -> st.SearchStrategy[dict[str, Any]]:
    """Objects that use the tool's own field names (so calls get past the first check), with any values."""
    fields = list(ALL_TOOLS[tool].input_model.model_fields)
    value = st.one_of(JSON, HOSTILE_TEXT, st.integers(min_value=-5, max_value=3000), HANDOFFISH, st.lists(ANY_TEXT))
    keys = st.sampled_from([*fields, "unknown_field"]) if fields else st.just("unknown_field")
    return st.dictionaries(keys, value, max_size=len(fields) + 1)


def typed_inputs(tool: str) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the right field types and hostile values, so the handlers themselves are exercised."""
    text = HOSTILE_TEXT | st.text(st.characters(codec="utf-8"), min_size=1, max_size=40) | ANY_TEXT
    maybe_text = st.none() | text
    count = st.integers(min_value=-2, max_value=3000)
    handoff = st.fixed_dictionaries(
        {"goal": text, "did": text, "for_next_agent": text},
        optional={"files_touched": st.lists(text, max_size=3), "evidence": maybe_text},
    )
    task_type = st.sampled_from(["install", "init", "capture", "plan-capture"]) | text
    shapes: dict[str, dict[str, st.SearchStrategy[Any]]] = {
        "detect_framework": {},
        "record_install_intent": {"sdks": st.lists(text, max_size=3), "package_manager": text, "reason": text},
        "list_files": {"path": text, "glob": maybe_text, "max_results": count},
        "read_file": {"path": text, "offset": count, "limit": count},
        "search_files": {"pattern": text, "path": text, "glob": maybe_text, "max_results": count},
        "enqueue_task": {
            "type": task_type,
            "label": text,
            "inputs": st.dictionaries(text, JSON, max_size=3),
            "depends_on": st.lists(st.sampled_from(["t-001", "t-999"]) | text, max_size=3),
            "reason": text,
            "model": st.none() | st.sampled_from(["claude-haiku-4-5"]) | text,
        },
        "complete_task": {"status": st.sampled_from(["done", "failed", "skipped"]), "handoff": handoff},
        "read_handoffs": {"task_id": st.none() | st.just("t-001") | text, "type": maybe_text},
        "write_marker": {"note": maybe_text},
        "propose_edit": {"path": text, "old": text, "new": maybe_text.map(lambda t: t or "")},
        "propose_file": {"path": text, "content": text},
        "write_report": {"content": text},
    }
    fields = ALL_TOOLS[tool].input_model.model_fields
    required = {k: v for k, v in shapes[tool].items() if fields[k].is_required()}
    optional = {k: v for k, v in shapes[tool].items() if not fields[k].is_required()}
    return st.fixed_dictionaries(required, optional=optional)


def deep(levels: int) -> Any:
    value: Any = "leaf"
    for _ in range(levels):
        value = {"k": [value]}
    return value


class World:
    """A planted project, the prompt library and one event loop, shared by every example."""

    def __init__(self, project: Path, library: PromptLibrary) -> None:
        self.project = project
        self.library = library
        self.loop = asyncio.new_event_loop()

    def call(self, tool: str, raw: Any, *, as_task: bool) -> tuple[ToolResult, Harness]:
        """One call of `tool` on a fresh store that holds one task (running, when `as_task`)."""
        h = Harness(self.project, library=self.library)
        # Detection is exercised elsewhere; here the tool only needs an answer to hand back.
        h.services.cache["detection"] = {"framework": "nextjs", "llm_calls": []}
        seed = h.enqueue("install")
        if as_task:
            h.store.start(seed.id)
        box = h.box(seed.id if as_task else "orchestrator")
        return self.loop.run_until_complete(box.call(tool, raw)), h


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("prop")
    w = World(plant_project(base / "app", base / "outside"), load_prompts())
    yield w
    w.loop.close()


def check(result: ToolResult, h: Harness) -> None:
    assert isinstance(result, ToolResult)
    assert isinstance(result.content, str) and result.content
    if result.is_error:
        # A sentence for the agent, not our crash report.
        assert "failed internally" not in result.content, result.content
    else:
        assert isinstance(json.loads(result.content), dict)
    assert SECRET not in result.content
    # Whatever was accepted must still make a queue.json that --resume can read back.
    queue = QueueFile.model_validate_json(h.store.render())
    assert queue_problem(queue) is None
    for record in h.telemetry.records:
        record.model_dump_json()


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
    derandomize=True,
)


@pytest.mark.parametrize("tool", TOOL_NAMES)
@SETTINGS
@given(raw=JSON, as_task=st.booleans())
def test_any_json_value_as_input(world: World, tool: str, raw: Any, as_task: bool) -> None:
    check(*world.call(tool, raw, as_task=as_task))


@pytest.mark.parametrize("tool", TOOL_NAMES)
@SETTINGS
@given(data=st.data(), as_task=st.booleans())
def test_any_values_in_the_tools_own_fields(world: World, tool: str, data: st.DataObject, as_task: bool) -> None:
    check(*world.call(tool, data.draw(field_inputs(tool)), as_task=as_task))


@pytest.mark.parametrize("tool", TOOL_NAMES)
@SETTINGS
@given(data=st.data(), as_task=st.booleans())
def test_well_typed_hostile_values(world: World, tool: str, data: st.DataObject, as_task: bool) -> None:
    # So their handlers run, not their refusal.
    as_task = as_task or tool in ("complete_task", "write_marker", "propose_edit", "propose_file", "write_report")
    check(*world.call(tool, data.draw(typed_inputs(tool)), as_task=as_task))


@pytest.mark.parametrize("tool", TOOL_NAMES)
@pytest.mark.parametrize(
    "raw",
    [
        {"inputs": deep(40), "type": "capture", "label": "x", "reason": "r"},
        {"path": "x" * 300_000},
        {"pattern": "a", "glob": "\ud800"},
        {"note": float("nan")},
        {"status": "done", "handoff": {"goal": "\ud83d", "did": "d", "for_next_agent": "n"}},
        [1, 2, 3],
        "just a string",
        None,
    ],
    ids=["deep", "huge", "surrogate", "nan", "surrogate-handoff", "list", "string", "none"],
)
def test_inputs_that_would_break_the_run_files_are_refused(world: World, tool: str, raw: Any) -> None:
    for as_task in (False, True):
        check(*world.call(tool, raw, as_task=as_task))


def test_nothing_bad_was_stored_by_accepted_enqueues(world: World) -> None:
    """A control: odd but valid unicode and structure do go through, and survive a round trip."""
    inputs = {"é\u202e": [None, True, 2**40, 1.5, {"k": "\u0000"}]}
    raw = {"type": "capture", "label": "\u202eodd", "inputs": inputs, "reason": "r"}
    result, h = world.call("enqueue_task", raw, as_task=False)
    assert not result.is_error, result.content
    queue = QueueFile.model_validate_json(h.store.render())
    assert queue.tasks[-1].inputs == inputs
