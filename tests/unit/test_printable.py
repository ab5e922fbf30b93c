"""Class 3 of the hostile-input issue: no control sequence from a foreign string reaches a terminal.

`printable` is tried on every kind of sequence a terminal acts on, and on arbitrary text;
then whole commands (`--no-ui`, `detect`, usage errors) run on a project whose folder and
file names, manifest fields and model-written labels, handoffs and errors are full of them,
and their output is checked byte by byte.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.crash import cli_env
from tests.support.samples import REPO
from wizard_tui.agents.base import AgentOutcome, AgentRequest
from wizard_tui.domain.printable import json_needs_printable, printable, printable_tree
from wizard_tui.engine.run import Run, RunConfig
from wizard_tui.headless import HeadlessPrinter

# What a terminal acts on: CSI (clear, move, colour), OSC (title, clipboard, hyperlink), DCS,
# C1 forms, bell, backspace and carriage return (overwrite), NEL, line separators, bidi overrides.
SEQUENCES = [
    "\x1b[2J\x1b[H",
    "\x1b]0;pwned\x07",
    "\x1b]52;c;cm0gLXJmIH4=\x07",
    "\x1b]8;;http://example.invalid\x1b\\click\x1b]8;;\x1b\\",
    "\x1bP+q544e\x1b\\",
    "\x9b31m",
    "\x9d0;title\x9c",
    "\x07",
    "abc\x08\x08\x08xyz",
    "visible\rforged",
    "line\nfake: all tasks done",
    "\x85next",
    "a\u2028b\u2029c",
    "\u202egnp.exe",
    "\u2066isolate\u2069",
    "\x00nul",
    "\x7fdel",
    "tab\there",
    "\x1bc",
    "\u200bzero\ufeffwidth",
    "bad-\udcff-byte",
]
UNSAFE_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff\ud800-\udfff]")


def raw_control(data: bytes) -> list[bytes]:
    """Control bytes other than the newline that ends a line, in what a command printed."""
    text = data.decode("utf-8", errors="surrogateescape")
    return [m.group().encode("utf-8", "surrogateescape") for m in UNSAFE_CHARS.finditer(text) if m.group() != "\n"]


@pytest.mark.parametrize("sequence", SEQUENCES)
def test_every_terminal_sequence_is_shown_escaped_on_one_line(sequence: str) -> None:
    shown = printable(f"label {sequence} end")
    assert UNSAFE_CHARS.search(shown) is None
    assert shown.startswith("label ") and shown.endswith(" end")
    assert shown.encode("utf-8")  # a lone surrogate would make it unwritable


@given(st.text())
def test_any_text_becomes_one_printable_line(text: str) -> None:
    shown = printable(text)
    assert UNSAFE_CHARS.search(shown) is None
    assert "\n" not in shown and len(shown.splitlines()) <= 1
    assert printable(shown) == shown
    shown.encode("utf-8")
    if UNSAFE_CHARS.search(text) is None:
        assert shown == text  # ordinary text, accents and emoji included, is left alone


@given(st.text())
def test_multiline_keeps_lines_and_tabs_only(text: str) -> None:
    shown = printable(text, multiline=True)
    assert UNSAFE_CHARS.search(shown.replace("\n", "").replace("\t", "")) is None
    assert shown.count("\n") == text.count("\n")


@given(st.recursive(st.text(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=10))
def test_json_that_needs_nothing_is_detected_and_trees_are_made_printable(value: object) -> None:
    text = json.dumps(value, ensure_ascii=False)
    cleaned = json.dumps(printable_tree(value), ensure_ascii=False)
    if not json_needs_printable(text):
        assert cleaned == text
    assert UNSAFE_CHARS.search(json.loads(cleaned) if isinstance(value, str) else cleaned) is None


def test_printable_leaves_unicode_text_alone() -> None:
    for text in ("café crème", "日本語のラベル", "emoji 🎉 ok", "Ωmega ÷ 2", unicodedata.lookup("NO-BREAK SPACE")):
        assert printable(text) == text


# -- whole commands ----------------------------------------------------------------------

EVIL = "".join(SEQUENCES[:6]) + "\nforged line"
LABEL = "lbl\x1b[2J\x1b]0;pwned\x07\u202e\nforged line"  # labels are at most 80 characters


class EvilLabels:
    """A model that writes control sequences into every field it controls."""

    name = "evil"
    default_model = "evil-model"

    async def run(self, request: AgentRequest) -> AgentOutcome:
        tools = request.tools
        if request.agent.kind == "orchestrator":
            first = await tools.call(
                "enqueue_task", {"type": "install", "label": LABEL, "reason": EVIL, "inputs": {"x": EVIL}}
            )
            assert not first.is_error, first.content
            await tools.call(
                "enqueue_task",
                {"type": "init", "label": LABEL[::-1], "reason": EVIL, "depends_on": [json.loads(first.content)["id"]]},
            )
            await tools.call("record_install_intent", {"sdks": [EVIL], "package_manager": EVIL, "reason": EVIL})
            return AgentOutcome(model=EVIL, turns=2)
        assert request.task is not None
        if request.task.type == "init":
            await tools.call("complete_task", {"status": "failed", "handoff": {"goal": EVIL, "did": EVIL}})
            return AgentOutcome(model=EVIL, turns=1, error=EVIL, stop_reason=EVIL)
        await tools.call("write_marker", {"note": EVIL})
        await tools.call(
            "complete_task",
            {"status": "done", "handoff": {"goal": EVIL, "did": EVIL, "for_next_agent": EVIL, "evidence": EVIL}},
        )
        return AgentOutcome(model=EVIL, turns=2)


@pytest.mark.parametrize("json_lines", [False, True])
async def test_headless_output_of_a_hostile_run_has_no_control_bytes(tmp_path: Path, json_lines: bool) -> None:
    project = tmp_path / "proj\x1b[2Jname\nx"
    project.mkdir()
    (project / "index.js").write_text("console.log(1)\n")
    out = io.StringIO()
    printer = HeadlessPrinter(out, json_lines=json_lines)
    run = Run(RunConfig(install_dir=project), EvilLabels())  # type: ignore[arg-type]
    run.bus.subscribe(printer)
    result = await run.execute()
    printer.summary(result, str(project / ".posthog-wizard"), "evil")
    text = out.getvalue()
    assert "lbl" in text or json_lines
    assert raw_control(text.encode("utf-8", "surrogateescape")) == []
    if not json_lines:
        assert not any(line.startswith("forged line") for line in text.splitlines())


def _cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "wizard_tui", *args], cwd=cwd, env=cli_env(), capture_output=True, timeout=120
    )


def test_detect_and_usage_errors_print_no_control_bytes(tmp_path: Path) -> None:
    root = tmp_path / "app\x1b]0;title\x07"
    (root / "pages\x1b[31m").mkdir(parents=True)
    (root / "package.json").write_text(
        json.dumps(
            {
                "name": EVIL,
                "dependencies": {"next": "14", "openai": "4", EVIL: "1"},
                "workspaces": [f"pkg{SEQUENCES[2]}"],
            }
        )
    )
    (root / "pages\x1b[31m" / "index.tsx").write_text("import OpenAI from 'openai'\nnew OpenAI()\n")
    (root / f"pkg{SEQUENCES[2]}").mkdir()
    (root / f"pkg{SEQUENCES[2]}" / "package.json").write_text(
        json.dumps({"name": EVIL, "dependencies": {"express": "4"}})
    )
    for args in (["detect", str(root)], ["detect", str(root), "--json"]):
        done = _cli(*args)
        assert done.returncode == 0, done.stderr
        assert raw_control(done.stdout) == [] and raw_control(done.stderr) == []
    missing = str(tmp_path / "no\x1b[2Jsuch\nfolder")
    for args in ([missing, "--no-ui"], ["detect", missing], ["watch", missing], [missing, "--max-tasks", "x\x1b[2J"]):
        done = _cli(*args)
        assert done.returncode == 2
        assert raw_control(done.stderr) == [] and done.stderr.count(b"\n") == 1


def test_a_path_with_bytes_that_are_not_utf8_works(tmp_path: Path) -> None:
    root = os.fsencode(tmp_path) + b"/caf\xe9-\xff"
    os.mkdir(root)
    with open(root + b"/index.js", "w") as handle:
        handle.write("console.log(1)\n")
    done = subprocess.run(
        [sys.executable, "-m", "wizard_tui", root, b"--no-ui"],
        cwd=REPO,
        env=cli_env(),
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert raw_control(done.stdout) == [] and b"\\xe9" in done.stdout
    assert os.path.exists(root + b"/.posthog-wizard/queue.json")
