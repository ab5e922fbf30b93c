"""Env files: a comment is no value, and every value stays hidden.

Both sides of one rule. A `# ...` line or a blank line of a `.env` is not remembered as a
secret, so the same words elsewhere (a README, a `.env.example`) read as they are. Every
value is hidden wherever it shows up: after a comment, exported, quoted (with a `#` inside),
with an inline comment after it, across lines, and even in an assignment commented out.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.harness import Harness
from tests.support.trees import write_tree
from wizard_tui.domain.walk import WalkBudget
from wizard_tui.engine.tools.secret_files import env_key_names
from wizard_tui.engine.tools.secret_scan import MARKER
from wizard_tui.engine.tools.secrets import SecretVault, take_inventory

COMMENTS = [
    "# Copy this file to .env.local and fill in your own keys",
    "#   the payment provider's dashboard has them under Developers",
    "; an ini-style comment about the database settings",
]
ENV = "\n".join(
    [
        COMMENTS[0],
        "",
        "# STRIPE_SECRET=opaque-commented-7731",
        COMMENTS[1],
        "API_TOKEN=opaque-after-comment-5521",
        "export EXPORTED=opaque-exported-8812",
        "INLINE=opaque-inline-4410 # rotate monthly",
        'QUOTED="opaque#quoted-3309" # kept in the vault',
        "SINGLE='opaque single quoted 6604'",
        'MULTI="opaque-first-line-2207',
        "# inside the value, not a comment",
        'opaque-last-line-1108"',
        COMMENTS[2],
        "",
    ]
)
# What a dotenv parser takes for each value (the inline comment and the quotes are not part of it).
VALUES = [
    "opaque-commented-7731",
    "opaque-after-comment-5521",
    "opaque-exported-8812",
    "opaque-inline-4410",
    "opaque#quoted-3309",
    "opaque single quoted 6604",
    "opaque-first-line-2207",
    "# inside the value, not a comment",
    "opaque-last-line-1108",
]


def test_the_inventory_takes_values_and_leaves_comments_and_blank_lines() -> None:
    keys, values = env_key_names(ENV)
    assert keys == ["API_TOKEN", "EXPORTED", "INLINE", "QUOTED", "SINGLE", "MULTI"]
    assert not set(COMMENTS) & {v.strip() for v in values}
    assert "" not in values
    # Each value as a parser reads it is among them (so a copy of it alone is known too).
    stripped = {v.strip().strip("'\"") for v in values}
    assert set(VALUES) <= stripped


@pytest.fixture
def project(tmp_path: Path) -> Path:
    elsewhere = "\n".join([*COMMENTS, *(f"the value is {value} here" for value in VALUES)])
    return write_tree(
        tmp_path / "app",
        {
            ".env": ENV,
            ".gitignore": ".env\n",
            "README.md": elsewhere + "\n",
            ".env.example": "\n".join([COMMENTS[0], "API_TOKEN=", "INLINE="]) + "\n",
            # The same file under a name no rule knows: read as a dotenv because of its shape.
            "config/app.conf": ENV,
        },
    )


async def _read(h: Harness, rel: str) -> list[str]:
    result = await h.box().call("read_file", {"path": rel})
    assert not result.is_error, result.content
    return str(json.loads(result.content)["content"]).split("\n")


async def test_a_comment_of_the_env_reads_as_it_is_elsewhere_and_every_value_stays_hidden(project: Path) -> None:
    h = Harness(project)
    take_inventory(project, h.services.secrets, WalkBudget())  # what a run learns of .env up front
    readme = await _read(h, "README.md")
    assert readme[: len(COMMENTS)] == COMMENTS  # the comments, word for word
    for line, value in zip(readme[len(COMMENTS) :], VALUES, strict=True):
        assert value not in line and MARKER.search(line), line
    assert (await _read(h, ".env.example"))[0] == COMMENTS[0]
    # A string the model writes is scrubbed of every value, and keeps a comment's words.
    for value in VALUES:
        assert value not in h.services.secrets.scrub(f"label {value} end")
    assert h.services.secrets.scrub(COMMENTS[1]) == COMMENTS[1]


async def test_an_env_under_another_name_hides_each_value_and_shows_each_comment(project: Path) -> None:
    h = Harness(project)
    shown = await _read(h, "config/app.conf")
    lines = ENV.split("\n")
    assert len(shown) == len(lines) - 1  # a line stays a line (the final newline ends the last one)
    for line, seen in zip(lines, shown, strict=False):
        if line in COMMENTS or not line:
            assert seen == line
    assert not [value for value in VALUES if value in "\n".join(shown)]
    by_text = dict(zip(lines, shown, strict=False))
    # Around each value, what is no value stays: the key, `export`, the quotes, a comment after a quote.
    assert by_text["# STRIPE_SECRET=opaque-commented-7731"].startswith("# STRIPE_SECRET=[secret:")
    assert by_text["export EXPORTED=opaque-exported-8812"].startswith("export EXPORTED=[secret:")
    assert by_text['QUOTED="opaque#quoted-3309" # kept in the vault'].endswith('" # kept in the vault')
    # An unquoted value's inline comment goes with it: some parsers read `a # b` as the value.
    assert MARKER.fullmatch(by_text["INLINE=opaque-inline-4410 # rotate monthly"].split("=", 1)[1])
    # Every line of a value across lines is hidden, even one that starts like a comment.
    start = lines.index('MULTI="opaque-first-line-2207')
    assert all(MARKER.search(seen) for seen in shown[start : start + 3])


def test_the_lines_a_patch_leaves_out_are_the_lines_a_read_hides() -> None:
    vault = SecretVault()
    lines = ENV.split("\n")[:-1]
    shown = SecretVault().redact_lines(lines, "config/app.conf")
    hidden = {n for n, (line, seen) in enumerate(zip(lines, shown, strict=True)) if line != seen}
    assert set(vault.secrets_by_line(ENV, "config/app.conf")) == hidden
    assert not hidden & {n for n, line in enumerate(lines) if line in COMMENTS or not line}
