"""propose_edit, propose_file and write_report through ToolBox.call: matching, overlay, confinement, lifecycle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.harness import Harness
from tests.support.samples import tree_digest
from wizard_tui.domain.models import Handoff, TaskStatus
from wizard_tui.domain.proposals import ProposalsFile, ProposalState
from wizard_tui.engine.tools import ToolBox


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    (root / "src").mkdir(parents=True)
    (root / "src" / "main.py").write_text("import os\n\n\ndef main():\n    print('hi')\n")
    (root / "src" / "dup.js").write_text("call()\nother()\ncall()\n")
    (root / "src" / "aaa.txt").write_text("xaaay\n")
    (root / "win.txt").write_bytes(b"one\r\ntwo\r\nthree\r\n")
    (root / "no-newline.txt").write_bytes(b"last line")
    (root / "latin1.txt").write_bytes(b"caf\xe9\n")
    (root / "node_modules" / "lib").mkdir(parents=True)
    (root / "node_modules" / "lib" / "index.js").write_text("x\n")
    (root / "generated").mkdir()
    (root / "generated" / "out.ts").write_text("x\n")
    (root / ".gitignore").write_text("generated/\n*.log\n")
    (root / ".env").write_text("POSTHOG_KEY=phc_secret\n")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.txt").write_text("victim\n")
    (root / "link.txt").symlink_to(outside / "victim.txt")
    (root / "inner-link.py").symlink_to("src/main.py")
    (root / "linkdir").symlink_to(outside, target_is_directory=True)
    (root / "src" / "innerdir").symlink_to(root / "src", target_is_directory=True)
    return root


def _data(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    data = json.loads(result.content)
    assert isinstance(data, dict)
    return data


async def _task(h: Harness, task_type: str = "init") -> tuple[str, ToolBox]:
    tid = h.start_task(task_type)
    return tid, h.box(tid)


async def test_edit_is_proposed_not_written_and_read_file_shows_it(project: Path) -> None:
    h = Harness(project)
    before = tree_digest(project)
    _, box = await _task(h)
    out = _data(
        await box.call(
            "propose_edit", {"path": "src/main.py", "old": "    print('hi')\n", "new": "    x = 1\n    print(x)\n"}
        )
    )
    assert out == {"path": "src/main.py", "changed_lines": [5, 6], "proposed": True}
    assert tree_digest(project) == before, "a proposal must never write the project"
    read = _data(await box.call("read_file", {"path": "src/main.py"}))
    assert read["proposed"] is True and "print(x)" in read["content"]
    # Through a link that stays inside, the file reads as proposed too.
    assert "print(x)" in _data(await box.call("read_file", {"path": "inner-link.py"}))["content"]
    # Staged in memory (each call is in the audit); the file gets it when the attempt ends.
    assert [(r.task_id, r.model_extra) for r in h.audit if r.event == "propose"] == [
        (box.context.agent_id, {"kind": "edit", "path": "src/main.py", "changed_lines": [5, 6]})
    ]
    assert not h.paths.proposals.exists()
    assert h.services.proposals.commit(box.context.agent_id, 1) is None
    stored = ProposalsFile.model_validate_json(h.paths.proposals.read_bytes())
    (proposal,) = stored.proposals
    assert (proposal.task_id, proposal.attempt, proposal.state) == (box.context.agent_id, 1, ProposalState.COMMITTED)
    assert stored.bases["src/main.py"].sha256 is not None and stored.bases["src/main.py"].mode == 0o644


async def test_later_edits_match_against_the_proposed_state(project: Path) -> None:
    h = Harness(project)
    _, box = await _task(h)
    _data(
        await box.call(
            "propose_edit", {"path": "src/main.py", "old": "import os\n", "new": "import os\nimport posthog\n"}
        )
    )
    again = await box.call("propose_edit", {"path": "src/main.py", "old": "import os\n", "new": "import sys\n"})
    _data(again)  # "import os\n" is still unique after the first edit
    stale = await box.call("propose_edit", {"path": "src/main.py", "old": "import os\nimport posthog", "new": "x"})
    assert stale.is_error and "was not found" in stale.content and "proposed state" in stale.content
    content = _data(await box.call("read_file", {"path": "src/main.py"}))["content"]
    assert content.startswith("import sys\nimport posthog\n")


async def test_missing_ambiguous_and_overlapping_matches_are_fixable_errors(project: Path) -> None:
    h = Harness(project)
    _, box = await _task(h)
    missing = await box.call("propose_edit", {"path": "src/main.py", "old": "print('bye')", "new": "x"})
    assert missing.is_error and "was not found in src/main.py" in missing.content and "read_file" in missing.content
    indented = await box.call("propose_edit", {"path": "src/main.py", "old": "def main():\n  print('hi')", "new": "x"})
    assert indented.is_error and "was not found" in indented.content and "indentation" in indented.content
    padded = await box.call("propose_edit", {"path": "src/main.py", "old": "\n\nimport os\n", "new": "x"})
    assert padded.is_error and "without its leading or trailing blank space" in padded.content
    twice = await box.call("propose_edit", {"path": "src/dup.js", "old": "call()", "new": "go()"})
    assert twice.is_error and "matches 2 times" in twice.content and "lines 1, 3" in twice.content
    assert "more surrounding lines" in twice.content
    overlapping = await box.call("propose_edit", {"path": "src/aaa.txt", "old": "aa", "new": "b"})
    assert overlapping.is_error and "matches 2 times" in overlapping.content
    unique = await box.call("propose_edit", {"path": "src/dup.js", "old": "call()\nother()", "new": "go()\nother()"})
    assert _data(unique)["changed_lines"] == [1, 2]
    empty = await box.call("propose_edit", {"path": "src/main.py", "old": "", "new": "x"})
    assert empty.is_error
    same = await box.call("propose_edit", {"path": "src/main.py", "old": "import os", "new": "import os"})
    assert same.is_error and "nothing would change" in same.content
    assert len(h.services.proposals.file.proposals) == 1, "refused calls record nothing"


async def test_crlf_files_match_lf_text_and_keep_their_line_endings(project: Path) -> None:
    h = Harness(project)
    _, box = await _task(h)
    shown = _data(await box.call("read_file", {"path": "win.txt"}))["content"]
    assert shown == "one\ntwo\nthree"
    _data(await box.call("propose_edit", {"path": "win.txt", "old": "one\ntwo\n", "new": "one\n2a\n2b\n"}))
    text = h.services.proposals.proposed_text("win.txt", (box.context.agent_id, 1))
    assert text == "one\r\n2a\r\n2b\r\nthree\r\n"


async def test_new_file_is_listed_searched_read_and_editable(project: Path) -> None:
    h = Harness(project)
    _, box = await _task(h)
    assert _data(
        await box.call("propose_file", {"path": "src/new dir/posthog.ts", "content": "export const ph = 1\n"})
    ) == {
        "path": "src/new dir/posthog.ts",
        "proposed": True,
    }
    assert not (project / "src" / "new dir").exists()
    listed = _data(await box.call("list_files", {"path": "src"}))["files"]
    assert "src/new dir/posthog.ts" in listed
    assert "src/new dir/posthog.ts" in _data(await box.call("list_files", {"glob": "**/*.ts"}))["files"]
    assert "src/new dir/posthog.ts" not in _data(await box.call("list_files", {"glob": "**/*.py"}))["files"]
    found = _data(await box.call("search_files", {"pattern": "ph = 1"}))["matches"]
    assert found == [{"file": "src/new dir/posthog.ts", "line": 1, "text": "export const ph = 1"}]
    assert _data(await box.call("search_files", {"pattern": "ph", "path": "src/new dir/posthog.ts"}))["matches"]
    _data(await box.call("propose_edit", {"path": "src/new dir/posthog.ts", "old": "= 1", "new": "= 2"}))
    assert _data(await box.call("read_file", {"path": "src/new dir/posthog.ts"}))["content"] == "export const ph = 2"
    # Search sees proposed edits of existing files too.
    _data(await box.call("propose_edit", {"path": "src/main.py", "old": "import os", "new": "import posthog"}))
    hits = _data(await box.call("search_files", {"pattern": "^import posthog"}))["matches"]
    assert {m["file"] for m in hits} == {"src/main.py", "inner-link.py"}  # the link reads as its target
    assert not _data(await box.call("search_files", {"pattern": "^import os$"}))["matches"]


async def test_propose_file_is_refused_when_the_file_exists_or_is_proposed(project: Path) -> None:
    h = Harness(project)
    _, box = await _task(h)
    exists = await box.call("propose_file", {"path": "src/main.py", "content": "x"})
    assert exists.is_error and "already exists" in exists.content and "propose_edit" in exists.content
    _data(await box.call("propose_file", {"path": "a.ts", "content": "x"}))
    twice = await box.call("propose_file", {"path": "a.ts", "content": "y"})
    assert twice.is_error and "already proposed" in twice.content
    edit_missing = await box.call("propose_edit", {"path": "nope.ts", "old": "a", "new": "b"})
    assert edit_missing.is_error and "does not exist" in edit_missing.content and "propose_file" in edit_missing.content
    dangling = await box.call("propose_file", {"path": "link.txt", "content": "x"})
    assert dangling.is_error


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("../outside/victim.txt", "climbs out"),
        ("/etc/passwd", "absolute"),
        ("C:\\x.txt", "absolute"),
        ("src/../../x", "climbs out"),
        ("link.txt", "symbolic link"),
        ("linkdir/new.txt", "symbolic link"),
        ("linkdir/victim.txt", "symbolic link"),
        ("src/innerdir/main.py", "symbolic link"),
        (".env", "secret file"),
        ("config/.env.production", "secret file"),
        ("certs/server.pem", "secret file"),
        (".posthog-wizard/queue.json", "never changes"),
        (".posthog-wizard", "never changes"),
        (".git/config", "never changes"),
        ("node_modules/lib/index.js", "never changes"),
        ("generated/out.ts", ".gitignore"),
        ("debug.log", ".gitignore"),
        ("latin1.txt", "not UTF-8"),
        ("src", "not a regular file"),
        ("", "Give the path"),
        ("a\x00b", "NUL"),
    ],
)
async def test_confinement_refuses_every_path_a_task_must_not_change(project: Path, path: str, words: str) -> None:
    h = Harness(project)
    before = tree_digest(project)
    outside_before = (project.parent / "outside" / "victim.txt").read_bytes()
    _, box = await _task(h)
    for tool, args in (
        ("propose_edit", {"path": path, "old": "x", "new": "y"}),
        ("propose_file", {"path": path, "content": "y"}),
    ):
        result = await box.call(tool, args)
        assert result.is_error, (tool, path, result.content)
        if tool == "propose_edit" or words not in ("not UTF-8", "not a regular file", "symbolic link"):
            assert words in result.content, (tool, path, result.content)
    assert tree_digest(project) == before
    assert (project.parent / "outside" / "victim.txt").read_bytes() == outside_before
    assert not (project.parent / "outside" / "new.txt").exists()


async def test_only_task_agents_propose_and_keys_are_never_written(project: Path) -> None:
    h = Harness(project)
    orchestrator = await h.box().call("propose_file", {"path": "x.ts", "content": "x"})
    assert orchestrator.is_error and "task agents" in orchestrator.content
    _, box = await _task(h)
    key = await box.call(
        "propose_file", {"path": "x.ts", "content": "posthog.init('phc_AbCdEfGhIjKlMnOpQrStUvWxYz0123')"}
    )
    assert key.is_error and "environment variable" in key.content
    binary = await box.call("propose_file", {"path": "x.ts", "content": "a\x00b"})
    assert binary.is_error


async def test_staged_proposals_are_private_to_their_attempt_until_committed(project: Path) -> None:
    h = Harness(project)
    a, box_a = await _task(h, "install")
    b, box_b = await _task(h, "init")
    _data(await box_a.call("propose_edit", {"path": "src/main.py", "old": "import os", "new": "import posthog"}))
    _data(await box_a.call("propose_file", {"path": "ph.ts", "content": "x\n"}))
    assert "proposed" not in _data(await box_b.call("read_file", {"path": "src/main.py"}))
    assert "ph.ts" not in _data(await box_b.call("list_files", {}))["files"]
    assert h.services.proposals.commit(a, 1) is None
    assert "import posthog" in _data(await box_b.call("read_file", {"path": "src/main.py"}))["content"]
    assert "ph.ts" in _data(await h.box().call("list_files", {}))["files"]  # the orchestrator sees committed work
    assert (h.paths.diffs / f"{a}.patch").read_bytes().startswith(b"diff --git a/ph.ts b/ph.ts\nnew file mode 100644\n")
    assert b


async def test_a_conflicting_commit_is_refused_and_discarded(project: Path) -> None:
    h = Harness(project)
    a, box_a = await _task(h, "install")
    b, box_b = await _task(h, "init")
    _data(await box_a.call("propose_edit", {"path": "src/main.py", "old": "import os", "new": "import a"}))
    _data(await box_b.call("propose_edit", {"path": "src/main.py", "old": "import os", "new": "import b"}))
    assert h.services.proposals.commit(a, 1) is None
    conflict = h.services.proposals.commit(b, 1)
    assert conflict is not None and "conflict" in conflict and "src/main.py" in conflict
    assert h.services.proposals.discard(b, 1, "conflict") == 1
    assert h.services.proposals.proposed_text("src/main.py", None) == "import a\n\n\ndef main():\n    print('hi')\n"


async def test_resume_keeps_only_committed_proposals_of_done_tasks(project: Path) -> None:
    h = Harness(project)
    done, box_done = await _task(h, "install")
    running, box_running = await _task(h, "init")
    _data(await box_done.call("propose_file", {"path": "kept.ts", "content": "k\n"}))
    _data(await box_running.call("propose_file", {"path": "dropped.ts", "content": "d\n"}))
    assert h.services.proposals.commit(done, 1) is None
    h.store.complete(done, TaskStatus.DONE, Handoff(goal="g", did="d", for_next_agent="n"))

    resumed = Harness(project)
    resumed.store.tasks.update(h.store.tasks)
    assert resumed.services.proposals.load(resumed.store.tasks) == 1
    assert resumed.services.proposals.new_files(None) == ["kept.ts"]
    assert resumed.services.proposals.proposed_text("dropped.ts", (running, 1)) is None
    stored = ProposalsFile.model_validate_json(h.paths.proposals.read_bytes())
    assert [p.state for p in stored.proposals] == [ProposalState.COMMITTED, ProposalState.DISCARDED]


async def test_write_report_writes_only_the_report_in_the_run_dir(project: Path) -> None:
    h = Harness(project)
    before = tree_digest(project)
    _, box = await _task(h, "init")
    out = _data(await box.call("write_report", {"content": "# PostHog setup\n\nSet POSTHOG_API_KEY."}))
    assert out == {"path": ".posthog-wizard/posthog-setup-report.md"}
    assert h.paths.report.read_text() == "# PostHog setup\n\nSet POSTHOG_API_KEY.\n"
    assert tree_digest(project) == before
    assert (await h.box().call("write_report", {"content": "x"})).is_error
