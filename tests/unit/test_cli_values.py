"""Every command-line value the run would refuse later is refused by the parser: exit 2, one sentence."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.crash import cli_env
from tests.support.samples import REPO
from wizard_tui.cli import main

BAD = [
    ["--concurrency", "33"],
    ["--concurrency", "0"],
    ["--concurrency", "-1"],
    ["--concurrency", "1.5"],
    ["--concurrency", "lots"],
    ["--concurrency", "9" * 5000],
    ["--max-tasks", "0"],
    ["--max-tasks", "100001"],
    ["--max-tasks", ""],
    ["--pace", "-5"],
    ["--pace", "60001"],
    ["--pace", "1e3"],
    ["--agent", "gpt"],
    ["--model", "not-a-model"],
    ["--model", ""],
    ["--model", "x" * 5000],
]


@pytest.mark.parametrize("extra", BAD, ids=[" ".join(a)[:30] for a in BAD])
def test_a_value_the_run_would_refuse_is_a_usage_error(
    tmp_path: Path, extra: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        code = main([str(tmp_path), "--no-ui", *extra])
        raise SystemExit(code)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and len(err) < 600, err


@pytest.mark.parametrize("path", ["", " ", "\t"])
@pytest.mark.parametrize("command", [[], ["detect"], ["watch"]])
def test_an_empty_path_is_a_usage_error_not_the_current_folder(
    path: str, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        raise SystemExit(main([*command, path, *([] if command else ["--no-ui"])]))
    assert stopped.value.code == 2
    assert "empty" in capsys.readouterr().err


def test_the_value_that_was_a_pydantic_traceback_is_one_sentence_from_the_real_command(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wizard_tui", str(tmp_path), "--no-ui", "--concurrency", "33"],
        cwd=REPO,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert "33" in done.stderr


def a_path_too_long(tmp: Path) -> str:
    return str(tmp / "/".join(["abcdefgh"] * 600))


def a_name_too_long(tmp: Path) -> str:
    return str(tmp / ("a" * 300))


def a_loop_of_links(tmp: Path) -> str:
    (tmp / "loop").symlink_to("loop")
    return str(tmp / "loop")


@pytest.mark.parametrize("make_path", [a_path_too_long, a_name_too_long, a_loop_of_links])
@pytest.mark.parametrize("command", [[], ["detect"], ["watch"], ["apply"], ["revert"]])
def test_a_path_the_system_refuses_is_one_short_sentence(
    tmp_path: Path, make_path: Callable[[Path], str], command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        raise SystemExit(main([*command, make_path(tmp_path), *([] if command else ["--no-ui"])]))
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and len(err) < 400, err
