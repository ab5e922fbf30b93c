"""No secret value reaches the run dir through proposals, and a model cannot write one out.

A task edits a file through the tool box next to a planted secret (0 to 4 lines above and
below, one scanner kind per placement, plus a value the run knows from `.env`). Every file
the run writes is searched for the value; the patch is checked with the real `git apply` on
the untouched project; `apply` must give the proposed bytes (the kept secret read back from
the project) and `revert` the original tree, byte for byte, with no copy of a file kept.
Then a model tries to write secrets out: markers it saw, forged markers, new keys, a
rewrite or a move of the secret line; each is refused and nothing is staged.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.applying import HANDOFF, end_run, tree
from tests.support.gitapply import GIT, git_apply
from tests.support.harness import Harness
from tests.support.trees import write_tree
from wizard_tui.domain.models import TaskStatus
from wizard_tui.domain.proposals import EditError, ProposalsFile, SecretRef
from wizard_tui.domain.walk import WalkBudget
from wizard_tui.engine.apply import ApplyError, apply_changes, revert_changes
from wizard_tui.engine.originals import OriginalChangedError
from wizard_tui.engine.proposals import ProposalStore
from wizard_tui.engine.tools.secret_scan import MARKER
from wizard_tui.engine.tools.secrets import take_inventory

pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")

ENV_VALUE = "hunter2-correct-horse-42"
# (the secret line, its value): one scanner kind each, and a value known only from `.env`.
SECRETS: list[tuple[str, str]] = [
    (template.format(value), value)
    for template, value in [
        ('SECRET_KEY = "{}"', "django-insecure-8x#k2!vq@p0z$w7m3n5b1c9d4f6g8h0j"),
        ('AWS_ACCESS_KEY_ID = "{}"', "AKIAZ7Q3XJ4KLMN2PQRS"),
        ('stripe.api_key = "{}"', "sk_live_51Hq8Zx2Ld9Kf3Mv7Nb1Pc6Rt4"),
        ('gh = Github("{}")', "ghp_R8f2Kq9Lm3Nx7Vb1Cz5Wy4Tu6Is0Oe2Pa8Dg3"),
        ('db = connect("{}")', ENV_VALUE),
    ]
]
ALL_VALUES = [value for _, value in SECRETS]
LINES = 12
ANCHOR = 5  # the new line goes between line ANCHOR and ANCHOR + 1 (0-based)
ADDED = "POSTHOG_ENABLED = True"


@dataclass(frozen=True)
class Placement:
    side: str  # the secret sits above or below the new line
    distance: int  # unchanged lines between them
    kind: int  # which of SECRETS

    @property
    def secret_line(self) -> int:
        return ANCHOR - self.distance if self.side == "above" else ANCHOR + 1 + self.distance


PLACEMENTS = [
    Placement(side, distance, (distance + (side == "below") * 2) % len(SECRETS))
    for side in ("above", "below")
    for distance in range(5)
]


def _project(root: Path, placement: Placement) -> tuple[Path, list[str]]:
    lines = [f"value_{n} = {n}" for n in range(LINES)]
    lines[placement.secret_line] = SECRETS[placement.kind][0]
    (root / "app").mkdir(parents=True)
    (root / "app" / "settings.py").write_text("\n".join(lines) + "\n")
    (root / ".env").write_text(f"DB_PASSWORD={ENV_VALUE}\n")
    (root / ".gitignore").write_text(".env\n")
    return root, lines


async def _harness(project: Path) -> tuple[Harness, str]:
    h = Harness(project)
    take_inventory(project, h.services.secrets, WalkBudget())  # what a run learns of .env up front
    return h, h.start_task("init")


def _run_dir_leaks(h: Harness) -> list[str]:
    """Every (file, value) of the run dir that holds a planted value."""
    return [
        f"{path.relative_to(h.paths.root)}: {value}"
        for path in sorted(h.paths.root.rglob("*"))
        if path.is_file()
        for value in ALL_VALUES
        if value.encode() in path.read_bytes()
    ]


@pytest.mark.parametrize("placement", PLACEMENTS, ids=lambda p: f"{p.side}-{p.distance}")
async def test_an_edit_at_any_distance_from_a_secret_never_writes_it_and_applies_byte_for_byte(
    tmp_path: Path, placement: Placement
) -> None:
    project, lines = _project(tmp_path / "app", placement)
    untouched = tmp_path / "untouched"
    shutil.copytree(project, untouched)
    before = tree(project)
    h, task = await _harness(project)
    box = h.box(task)
    shown = json.loads((await box.call("read_file", {"path": "app/settings.py"})).content)["content"].split("\n")
    assert MARKER.search(shown[placement.secret_line]) and SECRETS[placement.kind][1] not in "\n".join(shown)

    # The agent anchors on the line above the new one, as it was shown (a marker, if that is the secret).
    result = await box.call(
        "propose_edit", {"path": "app/settings.py", "old": shown[ANCHOR], "new": f"{shown[ANCHOR]}\n{ADDED}"}
    )
    if placement.side == "below" and placement.distance == 0:
        # The one placement no patch can carry: git needs the line right after the change.
        assert result.is_error and "directly below it is fine" in result.content, result.content
        assert not any(value in result.content for value in ALL_VALUES)
        assert h.services.proposals.proposed_paths((task, 1)) == []
        return
    assert not result.is_error, result.content
    end_run(h, task)

    assert _run_dir_leaks(h) == []
    assert not (h.paths.root / "blobs").exists()
    proposals = ProposalsFile.model_validate_json(h.paths.proposals.read_bytes())
    if placement.side == "above" and placement.distance == 0:
        # The edit kept the secret line in place: the record says where it sits, not what it is.
        assert isinstance(proposals.proposals[0].old, list)
        assert any(isinstance(piece, SecretRef) for piece in proposals.proposals[0].old)

    expected = "\n".join([*lines[: ANCHOR + 1], ADDED, *lines[ANCHOR + 1 :]]) + "\n"
    patch = h.paths.changes_patch.read_bytes()
    assert git_apply(untouched, patch, check_only=True).returncode == 0
    assert git_apply(untouched, patch).returncode == 0
    assert (untouched / "app" / "settings.py").read_text() == expected

    apply_changes(project)
    assert (project / "app" / "settings.py").read_text() == expected
    assert _run_dir_leaks(h) == [], "apply's record holds no secret either"
    revert_changes(project)
    assert tree(project) == before


async def test_a_model_cannot_write_out_a_secret_it_saw_as_a_marker_nor_plant_one(tmp_path: Path) -> None:
    project, _ = _project(tmp_path / "app", Placement("above", 2, 0))
    (project / "app" / "keys.py").write_text('AWS_ACCESS_KEY_ID = "AKIAZ7Q3XJ4KLMN2PQRS"\nregion = "eu"\n')
    h, task = await _harness(project)
    box = h.box(task)
    settings = json.loads((await box.call("read_file", {"path": "app/settings.py"})).content)["content"].split("\n")
    keys = json.loads((await box.call("read_file", {"path": "app/keys.py"})).content)["content"].split("\n")
    secret, aws = settings[ANCHOR - 2], keys[0]
    marker = MARKER.search(secret)
    aws_marker = MARKER.search(aws)
    assert marker is not None and aws_marker is not None
    plain = settings[1]
    writes, rewrites, anchors = "would put a secret value into the patch", "rewrites or removes", "right after your"
    attempts: list[tuple[str, dict[str, str], str]] = [
        # A marker copied to a new line, of this file or another one.
        (
            "propose_edit",
            {"path": "app/settings.py", "old": plain, "new": f"{plain}\nCOPY = '{marker.group()}'"},
            writes,
        ),
        (
            "propose_edit",
            {"path": "app/settings.py", "old": plain, "new": f"{plain}\nKEY = '{aws_marker.group()}'"},
            writes,
        ),
        ("propose_edit", {"path": "app/settings.py", "old": plain, "new": f"{plain}  # {marker.group()}"}, writes),
        ("propose_file", {"path": "app/leak.py", "content": f"LEAK = '{aws_marker.group()}'\n"}, writes),
        # The secret line rewritten, moved or doubled.
        (
            "propose_edit",
            {"path": "app/settings.py", "old": secret, "new": secret.replace("SECRET_KEY", "KEY")},
            rewrites,
        ),
        ("propose_edit", {"path": "app/settings.py", "old": f"{secret}\n", "new": ""}, rewrites),
        ("propose_edit", {"path": "app/settings.py", "old": f"{plain}\n", "new": f"{plain}\n{secret}\n"}, writes),
        (
            "propose_edit",
            {"path": "app/keys.py", "old": f"{aws}\nregion", "new": f"region = 'eu'\n{aws}\nregion"},
            anchors,
        ),
        # A marker this run never handed out.
        (
            "propose_edit",
            {"path": "app/settings.py", "old": plain, "new": "X = '[secret:aws-access-key:0badc0de]'"},
            "a secret marker that is not in the text you replace",
        ),
        # New secrets, never seen: a model must not plant one either.
        (
            "propose_edit",
            {"path": "app/settings.py", "old": plain, "new": 'AWS_SECRET = "AKIAQ4ZX7LMN2PQRSTUV"'},
            writes,
        ),
        (
            "propose_file",
            {"path": "app/gh.py", "content": 'TOKEN = "ghp_Zq9Lm3Nx7Vb1Cz5Wy4Tu6Is0Oe2Pa8Dg3R8f2K"\n'},
            writes,
        ),
        ("propose_file", {"path": "app/env.py", "content": f'PASSWORD = "{ENV_VALUE}"\n'}, writes),
    ]
    for tool, args, why in attempts:
        result = await box.call(tool, args)
        assert result.is_error and why in result.content, (tool, args, result.content)
        assert not any(value in result.content for value in ALL_VALUES), result.content
    assert h.services.proposals.proposed_paths((task, 1)) == []
    # Placed elsewhere, the same intent is fine: a value from the environment, below the secret line.
    ok = await box.call(
        "propose_edit", {"path": "app/settings.py", "old": secret, "new": f"{secret}\nKEY = os.environ['KEY']"}
    )
    assert not ok.is_error, ok.content
    end_run(h, task)
    assert _run_dir_leaks(h) == []


async def test_a_resumed_store_reads_kept_secrets_from_the_project_and_refuses_a_changed_original(
    tmp_path: Path,
) -> None:
    project, lines = _project(tmp_path / "app", Placement("above", 0, 1))
    h, task = await _harness(project)
    box = h.box(task)
    shown = json.loads((await box.call("read_file", {"path": "app/settings.py"})).content)["content"].split("\n")
    edit = {"path": "app/settings.py", "old": shown[ANCHOR], "new": f"{shown[ANCHOR]}\n{ADDED}"}
    assert not (await box.call("propose_edit", edit)).is_error
    assert h.services.proposals.commit(task, 1) is None
    expected = "\n".join([*lines[: ANCHOR + 1], ADDED, *lines[ANCHOR + 1 :]]) + "\n"

    # A new process: nothing in memory, the original read again from the project.
    resumed = ProposalStore(project, h.paths, h.store.run_id, h.store.clock, h.services.secrets.secrets_by_line)
    h.store.complete(task, TaskStatus.DONE, HANDOFF)
    assert resumed.load(h.store.tasks) == 0
    assert resumed.proposed_text("app/settings.py", None) == expected

    # The user changed the file meanwhile: the run's proposals no longer fit it, and say so.
    (project / "app" / "settings.py").write_text("\n".join(lines) + "\nmine = 1\n")
    again = ProposalStore(project, h.paths, h.store.run_id, h.store.clock, h.services.secrets.secrets_by_line)
    again.load(h.store.tasks)
    assert again.proposed_text("app/settings.py", None) is None
    with pytest.raises(EditError, match="changed in the project since the run first read it, so the wizard cannot"):
        again.propose_edit(("t-2", 1), "app/settings.py", "mine = 1", "mine = 2")
    with pytest.raises(OriginalChangedError, match="changed in the project since the run first read it"):
        again.finish(h.store.clock.now())


async def test_a_value_learnt_after_the_edit_keeps_its_file_out_of_the_patch(tmp_path: Path) -> None:
    project = tmp_path / "app"
    db = 'import db\n\nconn = db.connect("opaque-value-1f2e3d")\nrun(conn)\n'
    write_tree(project, {"app/db.py": db, "app/other.py": "x = 1\n"})
    h, task = await _harness(project)
    box = h.box(task)
    for path, old in (("app/db.py", "import db\n\n"), ("app/other.py", "x = 1\n")):
        result = await box.call("propose_edit", {"path": path, "old": old, "new": f"{old}import posthog\n"})
        assert not result.is_error, result.content
    assert h.services.proposals.commit(task, 1) is None
    # Only now does the run learn that the string is a secret (say, from a file read by another task).
    h.services.secrets.remember_values("env-value", ["opaque-value-1f2e3d"])
    manifest = h.services.proposals.finish(h.store.clock.now())
    assert manifest is not None
    assert [f.path for f in manifest.files] == ["app/other.py"] and manifest.withheld == ["app/db.py"]
    assert b"opaque-value-1f2e3d" not in h.paths.changes_patch.read_bytes()
    assert b"app/db.py" not in h.paths.changes_patch.read_bytes()


async def test_revert_refuses_a_record_that_does_not_give_back_the_original(tmp_path: Path) -> None:
    project, _ = _project(tmp_path / "app", Placement("above", 3, 0))
    before = tree(project)
    h, task = await _harness(project)
    result = await h.box(task).call(
        "propose_edit", {"path": "app/settings.py", "old": "value_0 = 0\n", "new": "import os\nvalue_0 = 0\n"}
    )
    assert not result.is_error, result.content
    end_run(h, task)
    apply_changes(project)
    record_path = h.paths.applied / h.store.run_id / "record.json"
    record = json.loads(record_path.read_text())
    assert record["files"][0]["restore"] == [{"at": 0, "remove": 1, "lines": []}]
    record["files"][0]["restore"][0]["lines"] = ["import sys\n"]  # tampered: would not give the original back
    record_path.write_text(json.dumps(record))
    applied = tree(project)
    with pytest.raises(ApplyError, match="does not give back its original byte for byte; nothing was reverted"):
        revert_changes(project)
    assert tree(project) == applied
    record["files"][0]["restore"][0]["lines"] = []
    record_path.write_text(json.dumps(record))
    revert_changes(project)
    assert tree(project) == before


async def test_a_refusal_tells_the_agent_where_its_change_can_go_instead(tmp_path: Path) -> None:
    project = tmp_path / "app"
    aws = 'AWS_ACCESS_KEY_ID = "AKIAZ7Q3XJ4KLMN2PQRS"'
    write_tree(project, {"app/keys.py": f"{aws}\n", "app/conf.py": f"x = 1\n{aws}\ny = 2\n"})
    h, task = await _harness(project)
    box = h.box(task)
    shown = json.loads((await box.call("read_file", {"path": "app/keys.py"})).content)["content"].rstrip("\n")
    # The file's only line is a secret: nothing can follow it in a patch without showing it.
    after_only = await box.call("propose_edit", {"path": "app/keys.py", "old": shown, "new": f"{shown}\nimport os"})
    assert after_only.is_error and "the file's only line" in after_only.content, after_only.content
    # Directly above a secret line: the agent hears that directly below it is fine, and it is.
    above = await box.call("propose_edit", {"path": "app/conf.py", "old": "x = 1\n", "new": "x = 1\nimport os\n"})
    assert above.is_error and "line 3 of app/conf.py as you propose it" in above.content
    assert "directly below it is fine" in above.content
    below = await box.call("propose_edit", {"path": "app/conf.py", "old": "y = 2\n", "new": "import os\ny = 2\n"})
    assert not below.is_error, below.content
    for result in (after_only, above):
        assert "AKIAZ7Q3XJ4KLMN2PQRS" not in result.content


def test_the_end_of_the_run_names_the_files_left_out_of_the_patch(tmp_path: Path) -> None:
    """The person learns which changes to make by hand, and the names are made printable first."""
    from datetime import UTC, datetime

    from wizard_tui.domain.changes import ChangedFile, ChangesManifest
    from wizard_tui.domain.persistence import RunPaths
    from wizard_tui.domain.writers import atomic_write_model
    from wizard_tui.engine.run_config import RunConfig, RunResult
    from wizard_tui.engine.run_end import next_step

    project = tmp_path / "app"
    paths = RunPaths(project)
    paths.root.mkdir(parents=True)
    manifest = ChangesManifest(
        run_id="r1",
        created_at=datetime.now(UTC),
        patch_sha256="0" * 64,
        files=[ChangedFile(path="app/other.py", action="modify", after_sha256="1" * 64, mode=0o644)],
        withheld=["app/db.py", "app/\x1b[2Jevil.py"],
    )
    atomic_write_model(paths.changes_manifest, manifest)
    result = RunResult(0, None, None, "r1", "All 3 tasks done.")
    step = next_step(result, paths, RunConfig(install_dir=project)).next_step
    assert "then apply them with `wizard-tui apply " in step
    assert "Left out of the patch because it would show a secret value: app/db.py, app/" in step
    assert "\x1b" not in step and step.endswith("change them by hand.")
