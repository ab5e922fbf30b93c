"""Edits as the propose tools take them, LLM wrappers, capture calls and the review's parsers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.integrators import applied
from wizard_tui.agents.offline import capture, init_py, llm, naming, pyedit
from wizard_tui.agents.offline.changes import apply_edits, text_edits
from wizard_tui.agents.offline.jsparse import Source
from wizard_tui.agents.offline.syntax import check_file
from wizard_tui.domain.frameworks import framework

# -- text_edits ------------------------------------------------------------------------------


def test_an_insertion_between_repeated_lines_grows_until_its_anchor_is_unique() -> None:
    before = "a\n}\n}\nb\n}\n"
    after = "a\n}\n}\nb\nnew\n}\n"
    edits = text_edits("f", before, after)
    assert all(e.old and before.count(e.old) == 1 for e in edits[:1])
    assert apply_edits(before, edits) == after


lines = st.lists(st.sampled_from(["a", "b", "}", "", "import x", "x = 1"]), max_size=12)


@settings(max_examples=200, deadline=None)
@given(lines, lines)
def test_edits_always_rebuild_the_new_text(a: list[str], b: list[str]) -> None:
    before, after = "\n".join(a) + "\nend-a\n", "\n".join(b) + "\nend-a\n"
    edits = text_edits("f", before, after)
    assert apply_edits(before, edits) == after
    assert all(e.old for e in edits), "propose_edit needs non-empty old text"


# -- LLM wrappers ----------------------------------------------------------------------------


def test_python_import_is_split_when_it_also_brings_non_client_names() -> None:
    text = "from openai import APIError, AsyncOpenAI as Client\n\nc = Client()\n"
    after = llm.wrap_python("a.py", text, "openai")
    assert after is not None
    assert "from openai import APIError\nfrom posthog.ai.openai import AsyncOpenAI as Client" in after


def test_python_module_attribute_calls_point_at_the_wrapper_module() -> None:
    text = "import anthropic\n\nclient = anthropic.Anthropic(api_key='x')\nerr = anthropic.APIError\n"
    after = llm.wrap_python("a.py", text, "anthropic")
    assert after is not None and "posthog.ai.anthropic.Anthropic(api_key='x')" in after
    assert "import posthog.ai.anthropic" in after and "anthropic.APIError" in after


def test_js_wrapper_keeps_the_sdk_import_when_its_types_are_still_used() -> None:
    text = (
        'import OpenAI from "openai";\n\nconst client = new OpenAI({\n  apiKey: process.env.K,\n});\n'
        "type Msg = OpenAI.Chat.ChatCompletionMessageParam;\n"
    )
    after = llm.wrap_javascript("r.ts", text, "openai", "../lib/posthog-server")
    assert after is not None and check_file("r.ts", after) is None
    assert (
        'import OpenAI from "openai";' in after and "new PostHogOpenAI({\n  apiKey: process.env.K,\n  posthog," in after
    )


def test_js_wrapper_refuses_options_built_elsewhere() -> None:
    text = 'import OpenAI from "openai";\nconst opts = { apiKey: "k" };\nconst c = new OpenAI(opts);\n'
    assert llm.wrap_javascript("r.js", text, "openai", "./posthog") is None


def test_an_old_openai_sdk_blocks_the_js_wrapper() -> None:
    assert llm.js_wrapper_blocker({"dependencies": {"openai": "^4.67.3"}}, "openai")
    assert llm.js_wrapper_blocker({"dependencies": {"openai": "^6.50.0"}}, "openai") is None


# -- capture ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "style", "event"),
    [
        ([], "snake", "user_signed_up"),
        (["Product Clicked"], "title", "User Signed Up"),
        (["cartOpened"], "camel", "userSignedUp"),
        (["cart-opened"], "kebab", "user-signed-up"),
    ],
)
def test_event_names_follow_the_projects_style(names: list[str], style: str, event: str) -> None:
    assert naming.event_style(names) == style
    assert naming.styled(naming.event_words("app/signup/page.tsx"), style) == event


def test_capture_goes_before_the_final_return_of_a_handler() -> None:
    text = "function onSubmit(e) {\n  e.preventDefault();\n  save();\n  return true;\n}\n"
    src = Source(text, "f.js")
    function = src.function_named("onSubmit")
    assert function is not None
    body = src.body_of(function)
    assert body is not None
    after = capture.insert_before_end(src, body, 'posthog.capture("saved");')
    assert after is not None and after.index("posthog.capture") < after.index("return true")


# -- the review's parsers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text", "ok"),
    [
        ("a.tsx", "const x = <div>{y}</div>;\n", True),
        ("a.tsx", "const x = <div>{y}</span>;\n", False),
        ("a.ts", "let x: number = 1;\n", True),
        ("a.js", "function (", False),
        ("a.py", "def f(:\n", False),
        ("package.json", '{"a": 1,}', False),
        ("pyproject.toml", "[project\n", False),
        ("requirements.txt", "posthog>=7.91\n# c\n-r base.txt\n", True),
        ("requirements.txt", "posthog>>7\n", False),
        ("README.md", "anything", True),
    ],
)
def test_review_parses_each_kind_of_file(path: str, text: str, ok: bool) -> None:
    assert (check_file(path, text) is None) is ok


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # A shebang and a coding line must stay the first lines of a script.
        (
            "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n\ndef main():\n    pass\n",
            "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n\nimport posthog\n\ndef main():\n    pass\n",
        ),
        # A package __init__ holding only its docstring (Flask's conduit, a FastAPI service):
        # a blank line after the docstring, and no blank line left at the end of the file.
        ('"""Main application package."""\n', '"""Main application package."""\n\nimport posthog\n'),
        ('"""Doc."""\nx = 1\n', '"""Doc."""\n\nimport posthog\n\nx = 1\n'),
        ("", "import posthog\n"),
    ],
)
def test_a_files_first_import_keeps_its_header_and_blank_lines(before: str, after: str) -> None:
    assert pyedit.add_imports(before, "import posthog") == after


async def test_a_docstring_only_package_gets_its_config_with_no_trailing_blank_line() -> None:
    files = {
        "requirements.txt": "fastapi\n",
        "app/__init__.py": '"""Inventory service."""\n',
        "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
    }
    _plan, state = await applied(files, lambda p: init_py.plan_fastapi(p, framework("fastapi"), "."))
    text = state["app/__init__.py"]
    assert text.startswith('"""Inventory service."""\n\nimport os\n\nimport posthog\n\n# PostHog')
    # The read tool leaves the final newline off: the file's own newline follows the last line.
    assert text.endswith("posthog.disabled = not posthog.project_api_key")
