"""The agent tools through ToolBox.call: results, error sentences, guards, confinement basics."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.harness import Harness
from wizard_tui.domain.guards import Limits
from wizard_tui.domain.tools import TOOL_NAMES, TOOLS
from wizard_tui.engine.tools import ALL_TOOLS

HANDOFF = {"goal": "g", "did": "d", "for_next_agent": "n"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    (root / "src").mkdir(parents=True)
    (root / "src" / "index.ts").write_text("import OpenAI from 'openai'\nconst x = 1\n")
    (root / "src" / "form.tsx").write_text("export const F = () => <form onSubmit={go}/>\n")
    (root / "node_modules" / "lib").mkdir(parents=True)
    (root / "node_modules" / "lib" / "index.js").write_text("secret dependency code\n")
    (root / "generated").mkdir()
    (root / "generated" / "out.ts").write_text("import OpenAI from 'openai'\n")
    (root / ".gitignore").write_text("generated/\n")
    (root / ".env").write_text("OPENAI_API_KEY=sk-live-123456\nexport DB_URL=postgres://u:p@h/db\n")
    (root / "blob.bin").write_bytes(b"\x00\x01\x02binary")
    return root


def test_schemas_are_generated_from_the_input_models() -> None:
    for spec in ALL_TOOLS.values():
        schema = spec.input_schema()
        generated = spec.input_model.model_json_schema()
        assert schema["properties"] == generated.get("properties", {}) and schema["type"] == "object"
    enqueue = ALL_TOOLS["enqueue_task"].input_schema()
    assert set(enqueue["required"]) == {"type", "label", "reason"}
    assert set(enqueue["properties"]) == {"type", "label", "inputs", "depends_on", "reason", "model"}
    complete = ALL_TOOLS["complete_task"].input_schema()
    assert complete["properties"]["status"]["enum"] == ["done", "failed", "skipped"]


async def test_enqueue_returns_an_id_and_records_it(project: Path) -> None:
    h = Harness(project)
    result = await h.box().call("enqueue_task", {"type": "install", "label": "Install", "reason": "r"})
    assert not result.is_error
    tid = json.loads(result.content)["id"]
    assert h.store.tasks[tid].type == "install" and h.store.tasks[tid].depth == 0
    assert [r.event for r in h.audit] == ["enqueue"]
    assert h.telemetry_records[-1].event == "orchestrator task enqueued"


async def test_guard_trip_is_an_error_result_and_is_recorded(project: Path) -> None:
    h = Harness(project, Limits(max_tasks=1))
    box = h.box()
    await box.call("enqueue_task", {"type": "install", "label": "a", "reason": "r"})
    result = await box.call("enqueue_task", {"type": "init", "label": "b", "reason": "r"})
    assert result.is_error and "queue-full" in result.content
    guard = [r for r in h.audit if r.event == "guard"]
    assert guard and guard[0].model_extra["guard"] == "queue-full"  # type: ignore[index]
    trips = [t for t in h.telemetry_records if t.event == "orchestrator guard tripped"]
    assert trips[0].properties == {"guard": "queue-full", "type": "init"}


async def test_invalid_input_tells_the_agent_which_field(project: Path) -> None:
    h = Harness(project)
    result = await h.box().call("enqueue_task", {"type": "install"})
    assert result.is_error and "`label`" in result.content and "`reason`" in result.content
    result = await h.box().call("enqueue_task", "not an object")
    assert result.is_error and "JSON object" in result.content
    result = await h.box().call("no_such_tool", {})
    assert result.is_error and "not available" in result.content


async def test_task_binding_complete_once_marker_and_handoffs(project: Path) -> None:
    h = Harness(project)
    orch = h.box()
    a = json.loads((await orch.call("enqueue_task", {"type": "install", "label": "a", "reason": "r"})).content)["id"]
    b = json.loads(
        (await orch.call("enqueue_task", {"type": "init", "label": "b", "reason": "r", "depends_on": [a]})).content
    )["id"]
    assert (await orch.call("complete_task", {"status": "done", "handoff": HANDOFF})).is_error
    h.store.start(a)
    box_a = h.box(a)
    marker = json.loads((await box_a.call("write_marker", {"note": "hi"})).content)
    assert marker["path"] == f".posthog-wizard/markers/{a}.txt"
    assert (project / marker["path"]).read_text().startswith(f"task: {a}")
    assert not (await box_a.call("complete_task", {"status": "done", "handoff": HANDOFF})).is_error
    again = await box_a.call("complete_task", {"status": "done", "handoff": HANDOFF})
    assert again.is_error and "already reported" in again.content
    blank = await h.box(a).call("complete_task", {"status": "done", "handoff": {**HANDOFF, "goal": "  "}})
    assert blank.is_error and "goal" in blank.content
    assert box_a.context.report is not None
    from wizard_tui.domain.models import Handoff, TaskStatus

    h.store.complete(a, TaskStatus.DONE, Handoff(**HANDOFF))
    h.store.start(b)
    handoffs = json.loads((await h.box(b).call("read_handoffs", {})).content)["handoffs"]
    assert [x["task_id"] for x in handoffs] == [a]
    by_type = json.loads((await h.box(b).call("read_handoffs", {"type": "install"})).content)["handoffs"]
    assert by_type[0]["goal"] == "g"


async def test_list_files_skips_dependencies_and_gitignored(project: Path) -> None:
    files = json.loads((await Harness(project).box().call("list_files", {})).content)["files"]
    assert "src/index.ts" in files and ".env" in files
    assert not any(f.startswith(("node_modules", "generated", ".posthog-wizard")) for f in files)
    only_tsx = json.loads((await Harness(project).box().call("list_files", {"glob": "**/*.tsx"})).content)
    assert only_tsx["files"] == ["src/form.tsx"]
    cut = json.loads((await Harness(project).box().call("list_files", {"max_results": 1})).content)
    assert len(cut["files"]) == 1 and cut["truncated"] is True


async def test_search_files_finds_lines_but_not_in_ignored_or_secret_files(project: Path) -> None:
    result = json.loads((await Harness(project).box().call("search_files", {"pattern": "openai|sk-live"})).content)
    assert result["matches"] == [{"file": "src/index.ts", "line": 1, "text": "import OpenAI from 'openai'"}]
    bad = await Harness(project).box().call("search_files", {"pattern": "("})
    assert bad.is_error and "regular expression" in bad.content


@pytest.mark.parametrize(
    "path", ["../outside.txt", "/etc/passwd", "src/../../x", "a\x00b", "node_modules/lib/index.js"]
)
async def test_read_file_refuses_paths_out_of_bounds(project: Path, path: str) -> None:
    result = await Harness(project).box().call("read_file", {"path": path})
    assert result.is_error


async def test_read_file_refuses_a_symlink_out_and_binary(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("top secret\n")
    os.symlink(outside, project / "src" / "link.txt")
    result = await Harness(project).box().call("read_file", {"path": "src/link.txt"})
    assert result.is_error and "outside" in result.content
    assert (await Harness(project).box().call("read_file", {"path": "blob.bin"})).is_error


async def test_read_file_never_returns_secret_values(project: Path) -> None:
    result = await Harness(project).box().call("read_file", {"path": ".env"})
    assert result.is_error and "Refused" in result.content
    assert "OPENAI_API_KEY" in result.content and "DB_URL" in result.content
    assert "sk-live" not in result.content and "postgres://" not in result.content


async def test_read_file_pages_lines(project: Path) -> None:
    (project / "long.txt").write_text("".join(f"line {i}\n" for i in range(1000)))
    result = json.loads(
        (await Harness(project).box().call("read_file", {"path": "long.txt", "offset": 10, "limit": 5})).content
    )
    assert result["content"].splitlines() == [f"line {i}" for i in range(10, 15)]
    assert result["truncated"] is True


def test_every_declared_tool_has_a_handler_and_nothing_else_does() -> None:
    """The domain declares the tools (names, inputs); the engine binds exactly those, once each."""
    assert set(ALL_TOOLS) == TOOL_NAMES
    for name, spec in ALL_TOOLS.items():
        assert spec.decl is TOOLS[name] and callable(spec.handler)
