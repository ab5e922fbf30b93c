"""Exploration tools against a hostile project: escapes, links, loops, pipes, huge and binary files, secrets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.harness import Harness
from tests.support.hostile import HOSTILE_CALLS, OUTSIDE_SECRET, SECRET, SECRET_PROBES, plant_project
from wizard_tui.agents.offline import _AREA_PATTERN
from wizard_tui.engine.tools import ToolResult
from wizard_tui.engine.tools.explore import secret_kind
from wizard_tui.engine.tools.secret_files import env_key_names


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("confine")
    return plant_project(base / "app", base / "outside")


async def call(project: Path, tool: str, args: dict[str, Any]) -> ToolResult:
    return await Harness(project).box().call(tool, args)


def data(result: ToolResult) -> Any:
    assert not result.is_error, result.content
    return json.loads(result.content)


@pytest.mark.parametrize(("tool", "args"), HOSTILE_CALLS, ids=[f"{t}:{a.get('path')!r}" for t, a in HOSTILE_CALLS])
async def test_every_escape_is_an_error_with_a_sentence(project: Path, tool: str, args: dict[str, Any]) -> None:
    result = await call(project, tool, args)
    assert result.is_error, result.content
    assert "failed internally" not in result.content and result.content.endswith((".", ")"))
    assert OUTSIDE_SECRET not in result.content and SECRET not in result.content


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("..", "climbs out"),
        ("src/../../outside", "climbs out"),
        ("/etc/passwd", "absolute"),
        ("C:\\Windows\\win.ini", "absolute"),
        ("\\..\\x", "absolute"),
        ("link_out/passwd", "outside the project"),
        ("proc_link/self/environ", "outside the project"),
        ("loop_a/x", "symlink loop"),
        ("a\x00b", "NUL"),
        ("a/" * 3000, "over 4096 characters"),
        ("node_modules/lib/index.js", "does not read"),
        (".posthog-wizard/queue.json", "does not read"),
        ("pipe", "not a regular file"),
        ("pipe_link", "not a regular file"),
        ("src", "is a folder"),
        ("no/such/file.ts", "does not exist"),
        ("huge.log", "over the 512 KB cap"),
        ("blob.bin", "binary"),
    ],
)
async def test_read_file_says_why_it_refuses(project: Path, path: str, reason: str) -> None:
    result = await call(project, "read_file", {"path": path})
    assert result.is_error and reason in result.content, result.content


@pytest.mark.parametrize("path", ["node_modules", ".posthog-wizard", ".git", "link_out", "loop_a", "src/app.ts"])
async def test_list_files_refuses_skipped_escaping_and_non_folders(project: Path, path: str) -> None:
    assert (await call(project, "list_files", {"path": path})).is_error


async def test_links_that_stay_inside_work_and_nothing_outside_is_listed(project: Path) -> None:
    assert data(await call(project, "read_file", {"path": "inside_link.ts"}))["path"] == "src/app.ts"
    files = data(await call(project, "list_files", {"max_results": 500}))["files"]
    assert "inside_link.ts" in files and "src/app.ts" in files
    for gone in ("file_out.txt", "pipe", "pipe_link", "loop_a", "node_modules/lib/index.js", ".git/config"):
        assert gone not in files
    assert not any(f.startswith(("link_out", "proc_link", ".posthog-wizard")) for f in files)


async def test_invalid_utf8_reads_as_text_with_replacement_characters(project: Path) -> None:
    content = data(await call(project, "read_file", {"path": "latin1.txt"}))["content"]
    assert content.startswith("caf\ufffd cr\ufffdme")


async def test_search_skips_huge_binary_pipe_and_linked_out_files(project: Path) -> None:
    found = data(await call(project, "search_files", {"pattern": "root|PNG|\\x00|app"}))
    files = {m["file"] for m in found["matches"]}
    assert files == {"src/app.ts", "inside_link.ts"}
    assert data(await call(project, "search_files", {"pattern": "x", "path": "huge.log"}))["matches"] == []


@pytest.mark.parametrize(
    ("tool", "args"), SECRET_PROBES, ids=[f"{t}:{a.get('path', a.get('pattern'))}" for t, a in SECRET_PROBES]
)
async def test_secret_values_never_come_back(project: Path, tool: str, args: dict[str, Any]) -> None:
    result = await call(project, tool, args)
    # Reading a secret file is refused (naming its keys at most); listing and searching work.
    assert result.is_error == (tool == "read_file"), result.content
    assert SECRET not in result.content and "s3cr3t" not in result.content and "PLANTED" not in result.content


async def test_env_files_are_refused_naming_their_keys_and_key_files_show_nothing(project: Path) -> None:
    env = await call(project, "read_file", {"path": ".env"})
    assert env.is_error and env.content.startswith("Refused:")
    assert "It sets: POSTHOG_KEY=<redacted>, DATABASE_URL=<redacted>." in env.content
    local = await call(project, "read_file", {"path": ".env.local"})
    assert local.is_error and "MULTI=<redacted>, AFTER=<redacted>" in local.content
    yaml_secrets = await call(project, "read_file", {"path": "secrets.yaml"})
    assert yaml_secrets.is_error and "private_key=<redacted>, name=<redacted>" in yaml_secrets.content
    # A link with an innocent name is as secret as its target.
    linked = await call(project, "read_file", {"path": "notes.txt"})
    assert linked.is_error and "Refused:" in linked.content
    for key_file in ("id_rsa", "certs/server.pem"):
        result = await call(project, "read_file", {"path": key_file})
        assert result.is_error and "key material" in result.content
    # Placeholders are documentation, not secrets.
    example = data(await call(project, "read_file", {"path": ".env.example"}))
    assert "phc_placeholder" in example["content"] and "redacted" not in example


@pytest.mark.parametrize(
    ("names", "kind"),
    [
        ((".env",), "env"),
        ((".env.production.local",), "env"),
        (("prod.env",), "env"),
        ((".npmrc",), "env"),
        (("credentials.json",), "env"),
        (("service-account-prod.json",), "env"),
        (("id_ed25519",), "key"),
        (("tls.KEY",), "key"),
        (("notes.txt", ".env"), "env"),
        (("notes.txt", "server.pem"), "key"),
        ((".env.example",), None),
        (("environment.ts",), None),
        (("keyboard.tsx",), None),
    ],
)
def test_secret_kind(names: tuple[str, ...], kind: str | None) -> None:
    assert secret_kind(*names) == kind


def test_redaction_never_reads_inside_multiline_values() -> None:
    text = 'A=1\nB="start\nLEAK=value\nend"\nC: |\n  LEAK2=x\n  more\nD=2\nexport E=3\nnot a key line\n'
    assert env_key_names(text)[0] == ["A", "B", "C", "D", "E"]


@pytest.mark.parametrize(
    "pattern", [_AREA_PATTERN, "(async\\s+)?function", "[(+*]+", "\\(a+\\)+", "(ab){1}x*", "a{2,}", "(a+)+$"]
)
async def test_ordinary_and_nested_patterns_run(project: Path, pattern: str) -> None:
    result = await call(project, "search_files", {"pattern": pattern})
    assert not result.is_error, result.content


@pytest.mark.parametrize("pattern", ["(", "(?P<x", "(a)\\1"])
async def test_invalid_patterns_are_a_sentence(project: Path, pattern: str) -> None:
    result = await call(project, "search_files", {"pattern": pattern})
    assert result.is_error and "not a valid regular expression" in result.content


@pytest.mark.parametrize("glob", [".", "/", "**", "[", "**/"])
async def test_odd_globs_are_answered(project: Path, glob: str) -> None:
    result = await call(project, "list_files", {"glob": glob})
    assert not result.is_error, result.content
