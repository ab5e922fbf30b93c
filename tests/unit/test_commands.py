"""Hints name a command that works in the shell that started the wizard (domain/commands.py)."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest

from wizard_tui.domain.commands import MAKE_ENV, Invocation
from wizard_tui.domain.printable import printable


def detect(
    argv: list[str],
    *,
    env: dict[str, str] | None = None,
    on_path: dict[str, str] | None = None,
    cwd: str = "/home/ada/app",
    executable: str = "/home/ada/app/.venv/bin/python",
) -> Invocation:
    table = on_path or {}
    return Invocation.detect(argv, executable=executable, env=env or {}, cwd=cwd, which=table.get)


def a_script(tmp_path: Path, rel: str = ".venv/bin/wizard-tui") -> Path:
    script = tmp_path / rel
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text("#!/usr/bin/env python\n")
    return script


def test_make_run_with_the_default_sample_hints_make_run_args() -> None:
    inv = detect(["/x/.venv/bin/wizard-tui", "sample_projects/nextjs-app-router"], env={MAKE_ENV: "default"})
    assert inv.again("--resume") == "make run ARGS=--resume"
    assert inv.again("--fresh") == "make run ARGS=--fresh"
    assert inv.again() == "make run"


def test_make_run_keeps_the_sample_and_the_other_args_and_drops_the_old_choice() -> None:
    argv = ["/x/wizard-tui", "my app", "--no-ui", "--fresh", "--concurrency", "2"]
    inv = detect(argv, env={MAKE_ENV: "sample"})
    hint = inv.again("--resume")
    assert hint == "make run SAMPLE='my app' ARGS='--no-ui --concurrency 2 --resume'"
    words = shlex.split(hint)
    assert words[2] == "SAMPLE=my app" and words[3] == "ARGS=--no-ui --concurrency 2 --resume"


def test_a_tool_on_the_path_is_named_bare(tmp_path: Path) -> None:
    script = a_script(tmp_path, "bin/wizard-tui")
    inv = detect([str(script), "app", "--resume"], on_path={"wizard-tui": str(script)}, cwd=str(tmp_path / "w"))
    assert inv.again("--resume") == "wizard-tui app --resume"
    assert inv.again() == "wizard-tui app"


def test_a_venv_script_not_on_the_path_is_named_by_its_path(tmp_path: Path) -> None:
    script = a_script(tmp_path)
    # Typed relative, it stays as typed; found elsewhere on the PATH, it is still this file that must run.
    other = {"wizard-tui": "/usr/bin/wizard-tui"}
    relative = detect([".venv/bin/wizard-tui", "app"], on_path=other, cwd=str(tmp_path))
    assert relative.again("--resume") == ".venv/bin/wizard-tui app --resume"
    # Absolute (the shell searched a folder added to PATH after the fact, or a full path was typed):
    # shown relative to the working folder when inside it, else in full.
    inside = detect([str(script), "app"], on_path=other, cwd=str(tmp_path))
    assert inside.again("--resume") == ".venv/bin/wizard-tui app --resume"
    outside = detect([str(script), "app"], on_path=other, cwd=str(tmp_path / "elsewhere"))
    assert outside.again("--resume") == f"{script} app --resume"


def test_python_dash_m_names_the_interpreter_that_has_the_package() -> None:
    argv = ["/home/ada/app/wizard_tui/__main__.py", "proj", "--no-ui"]
    inside = detect(argv)
    assert inside.again("--resume") == ".venv/bin/python -m wizard_tui proj --no-ui --resume"
    bare = detect(argv, on_path={"python3": "/home/ada/app/.venv/bin/python"})
    assert bare.again("--resume") == "python3 -m wizard_tui proj --no-ui --resume"
    elsewhere = detect(argv, executable="/opt/py/bin/python3.12", on_path={"python3": "/usr/bin/python3"})
    assert elsewhere.again() == "/opt/py/bin/python3.12 -m wizard_tui proj --no-ui"


@pytest.mark.parametrize("argv0", ["", "-c"])
def test_unknown_starts_fall_back_to_the_program_name(argv0: str) -> None:
    assert detect([argv0, "app"]).again("--fresh") == "wizard-tui app --fresh"


def test_odd_paths_are_quoted_for_the_shell() -> None:
    inv = Invocation(args=("my app; rm -rf ~", "--no-ui"))
    assert shlex.split(inv.again("--resume")) == ["wizard-tui", "my app; rm -rf ~", "--no-ui", "--resume"]
    assert Invocation(make="default", program=("make", "run"), args=("s",)).on("/p q", "--resume") == (
        "wizard-tui '/p q' --resume"
    )


def test_apply_and_revert_after_make_run_are_make_targets_with_the_same_sample() -> None:
    default = detect(["/x/.venv/bin/wizard-tui", "sample_projects/nextjs-app-router"], env={MAKE_ENV: "default"})
    assert default.sub("apply", "/abs/sample_projects/nextjs-app-router") == "make apply"
    assert default.sub("revert", "/abs/anything") == "make revert"
    sample = detect(["/x/wizard-tui", "my app", "--no-ui"], env={MAKE_ENV: "sample"})
    assert sample.sub("revert", "/abs/my app") == "make revert SAMPLE='my app'"
    # Started as `make apply SAMPLE=...`, the revert hint keeps the sample, not the word apply.
    applied = detect(["/x/wizard-tui", "apply", "my app"], env={MAKE_ENV: "sample"})
    assert applied.sub("revert", "my app") == "make revert SAMPLE='my app'"


def test_apply_and_revert_elsewhere_name_the_program_the_subcommand_and_the_path(tmp_path: Path) -> None:
    script = a_script(tmp_path, "bin/wizard-tui")
    tool = detect([str(script), "app"], on_path={"wizard-tui": str(script)}, cwd=str(tmp_path / "w"))
    assert tool.sub("apply", "app") == "wizard-tui apply app"
    module = detect(["/home/ada/app/wizard_tui/__main__.py", "proj"])
    assert module.sub("revert", "my proj") == ".venv/bin/python -m wizard_tui revert 'my proj'"


def test_apply_and_revert_hints_name_the_folder_as_typed() -> None:
    inv = Invocation(args=(".", "--no-ui"), path=".")
    assert inv.sub("apply", "/home/ada/app") == "wizard-tui apply ."


@pytest.mark.parametrize(
    "path",
    [
        "/tmp/app\udcff\udcfe",  # bytes that are not UTF-8, as Python hands them over
        "/tmp/a\x1b[2Jb",
        "/tmp/line\nbreak",
        "/tmp/it's\\here\t\u202e",
        "/tmp/caf\u00e9 \udce9",
    ],
)
def test_a_path_that_would_print_escaped_is_hinted_in_ansi_c_quotes_that_bash_reads_back(path: str) -> None:
    hint = Invocation(args=(path, "--no-ui")).again("--resume")
    assert printable(hint) == hint and hint.isascii()  # shown as it is, so it can be pasted as it is
    words = subprocess.run(
        ["bash", "-c", f"printf '%s\\0' {hint}"], capture_output=True, check=True, env={"LC_ALL": "C"}
    ).stdout.split(b"\0")[:-1]
    assert words == [b"wizard-tui", os.fsencode(path), b"--no-ui", b"--resume"]


def test_a_plain_path_keeps_its_shlex_quoting() -> None:
    assert Invocation(args=("/tmp/caf\u00e9 app",)).again() == "wizard-tui '/tmp/caf\u00e9 app'"
