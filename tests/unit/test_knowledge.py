"""Integration knowledge per framework: shipped for every framework the offline agent knows, validated."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from wizard_tui.domain.frameworks import FRAMEWORKS
from wizard_tui.domain.knowledge import KnowledgeError, load_knowledge
from wizard_tui.domain.prompts import default_prompt_dir, load_prompts


def test_every_offline_framework_has_knowledge_and_the_record_facts() -> None:
    library = load_prompts()
    offline = {f.id for f in FRAMEWORKS.values() if f.offline}
    assert offline <= set(library.knowledge)
    text = library.knowledge_for("nextjs")
    record = FRAMEWORKS["nextjs"]
    # The record's facts come from the one record, not a copy in the notes.
    assert record.key_env and record.key_env in text and record.init_where in text
    assert "instrumentation-client" in text and "## LLM analytics" in text


def test_a_framework_without_notes_still_gets_its_facts_and_guide() -> None:
    text = load_prompts().knowledge_for("laravel")
    assert "posthog/posthog-php" in text and "https://posthog.com/docs/libraries/laravel" in text
    assert "no detailed notes" in text
    assert "No framework was recognised" in load_prompts().knowledge_for(None)


@pytest.fixture
def notes_dir(tmp_path: Path) -> Path:
    target = tmp_path / "frameworks"
    shutil.copytree(default_prompt_dir() / "frameworks", target)
    return target


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("django.md", "no front matter\n", "front matter block"),
        ("django.md", "---\nframework: djangoo\n---\n## Install\n", "not a framework id"),
        ("flask.md", "---\nframework: django\n---\n## Install\n", "must be named django.md"),
        ("django.md", "---\nframework: django\n---\n## Install\n## Init\n", "lacks the section(s) ## Identify"),
        ("django.md", "---\nframework: django\nextra: 1\n---\n", "invalid front matter"),
    ],
)
def test_broken_knowledge_file_is_a_clear_error(notes_dir: Path, name: str, content: str, expected: str) -> None:
    (notes_dir / name).write_text(content)
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(notes_dir)
    assert name in str(err.value) and expected in str(err.value)
