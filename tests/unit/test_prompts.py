"""Prompt files: the shipped ones load, and each kind of broken file is a clear error naming it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from wizard_tui.domain.prompts import PromptError, default_prompt_dir, load_prompts, parse_prompt

TASK_TYPES = ["capture", "identify", "init", "install", "llm-analytics", "plan-capture", "report", "review"]
CHANGE_TYPES = ["capture", "identify", "init", "install", "llm-analytics"]


def test_shipped_prompts_load() -> None:
    library = load_prompts()
    assert library.task_types == TASK_TYPES
    assert library.seed.path.name == "integrate-posthog.md" and library.seed.meta.seed
    for task_type in TASK_TYPES:
        # Every type has a real body of its own; --stub still gives every type the stub.
        assert library.body_for(task_type).path.name == f"{task_type}.md"
        assert library.body_for(task_type, stub=True).path.name == "stub.md"
        assert library.types[task_type].section("Goal")
    assert "enqueue_task" in library.types["plan-capture"].meta.tools
    assert "enqueue_task" not in library.types["install"].meta.tools
    for task_type in CHANGE_TYPES:
        assert {"propose_edit", "propose_file"} <= set(library.types[task_type].meta.tools)
    # Review only reads; report writes only its report.
    assert not {"propose_edit", "propose_file"} & set(library.types["review"].meta.tools)
    assert "write_report" in library.types["report"].meta.tools
    assert library.types["review"].meta.after_others and library.types["report"].meta.after_others
    assert not any(library.types[t].meta.after_others for t in CHANGE_TYPES)


@pytest.fixture
def prompt_dir(tmp_path: Path) -> Path:
    target = tmp_path / "prompts"
    shutil.copytree(default_prompt_dir(), target)
    return target


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("no front matter here\n", "must start with a YAML front matter"),
        ("---\ntype: [unclosed\n---\nbody\n", "not valid YAML"),
        ("---\n- a list\n---\nbody\n", "must be a mapping"),
        ("---\ntype: install\nlabel: x\n---\n## Goal\n## How you know you succeeded\n", "tools: Field required"),
        (
            "---\ntype: install\nlabel: x\ntools: [rm_rf]\n---\n## Goal\n## How you know you succeeded\n",
            "unknown tools rm_rf",
        ),
        (
            "---\ntype: install\nlabel: x\ntools: []\nextra: 1\n---\n## Goal\n## How you know you succeeded\n",
            "extra: Extra inputs",
        ),
        ("---\ntype: install\nlabel: x\ntools: []\n---\nno sections\n", "lacks the section"),
    ],
)
def test_broken_prompt_file_is_a_clear_error(prompt_dir: Path, content: str, expected: str) -> None:
    (prompt_dir / "install.md").write_text(content)
    with pytest.raises(PromptError) as err:
        load_prompts(prompt_dir)
    assert "install.md" in str(err.value)
    assert expected in str(err.value)


def test_two_seeds_or_duplicate_types_are_refused(prompt_dir: Path) -> None:
    text = (prompt_dir / "integrate-posthog.md").read_text()
    (prompt_dir / "second.md").write_text(text.replace("type: integrate-posthog", "type: second"))
    with pytest.raises(PromptError, match="exactly one prompt must have `seed: true`"):
        load_prompts(prompt_dir)
    (prompt_dir / "second.md").write_text((prompt_dir / "init.md").read_text())
    with pytest.raises(PromptError, match="already declared"):
        load_prompts(prompt_dir)


def test_body_must_name_an_existing_prompt(prompt_dir: Path) -> None:
    # `body:` resolves a type to another prompt's body; naming none is refused.
    text = (prompt_dir / "init.md").read_text().replace("max_turns:", "body: nowhere\nmax_turns:", 1)
    (prompt_dir / "init.md").write_text(text)
    with pytest.raises(PromptError, match="names no prompt file"):
        load_prompts(prompt_dir)


def test_parse_reads_sections() -> None:
    prompt = parse_prompt(default_prompt_dir() / "stub.md")
    assert "write_marker" in prompt.section("Procedure")
