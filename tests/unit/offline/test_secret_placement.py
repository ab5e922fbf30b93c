"""Where the offline agent's edits go when a line it would border holds a secret.

The agent reads secrets as markers (`[secret:<kind>:<hash>]`), and the propose tools refuse a
change that rewrites such a line or sits right above it. These are the placement rules on
text as the agent reads it; tests/e2e/test_secret_neighbours.py runs them through real runs.
"""

from __future__ import annotations

import pytest

from wizard_tui.agents.offline import jsedit, manifests, pyedit
from wizard_tui.agents.offline.changes import Plan, above_secret, clear_row, secret_border
from wizard_tui.agents.offline.jsparse import Source

MARK = "[secret:secret-keyword:3f9a1c02]"
SECRET = f'SECRET_KEY = "{MARK}"'


@pytest.mark.parametrize(
    ("lines", "at", "blocked"),
    [
        (["import os", SECRET], 1, True),
        (["import os", "", "", SECRET], 1, True),  # a diff may slide an insertion over blank lines
        (["import os", SECRET, "DEBUG = True"], 2, False),  # directly below a secret is fine
        (["import os", SECRET], 2, True),  # at the end, after a last line that holds one
        (["import os", SECRET, ""], 3, True),
        (["import os", "DEBUG = True"], 2, False),
    ],
)
def test_an_insertion_is_blocked_right_above_a_secret(lines: list[str], at: int, blocked: bool) -> None:
    assert above_secret(lines, at) is blocked


def test_the_first_clear_row_in_the_callers_order() -> None:
    lines = ["import os", SECRET, "DEBUG = True"]
    assert clear_row(lines, [1, 0, 2]) == 0
    assert clear_row(lines, [1]) is None


def test_a_change_that_rewrites_or_borders_a_secret_line_is_found() -> None:
    before = f"import os\n{SECRET}\nDEBUG = True"
    assert secret_border(before, f"import os\nimport sys\n{SECRET}\nDEBUG = True") == 2
    assert secret_border(before, before.replace(MARK, "x")) == 2
    assert secret_border(before, before + "\nX = 1") is None
    assert secret_border(before, f"import os\n{SECRET}\nimport sys\nDEBUG = True") is None


def test_a_plan_whose_edit_borders_a_secret_skips_and_says_where() -> None:
    plan = Plan()
    plan.edit("settings.py", f"import os\n{SECRET}\n", f"import os\nimport posthog\n{SECRET}\n", "note")
    assert not plan.changes and plan.skipped is not None and "line 2" in plan.skipped


def test_an_import_goes_above_the_import_a_secret_follows() -> None:
    text = f"from pathlib import Path\n{SECRET}\n\nBASE = Path()"
    after = pyedit.add_imports(text, "import os")
    assert after == f"import os\nfrom pathlib import Path\n{SECRET}\n\nBASE = Path()"
    assert secret_border(text, after) is None


def test_a_files_first_import_goes_below_a_secret_that_opens_it() -> None:
    text = f"{SECRET}\nDEBUG = True\n"
    after = pyedit.add_imports(text, "import os")
    assert secret_border(text, after) is None and pyedit.parse(after) is not None
    assert after.index(SECRET) < after.index("import os")


def test_a_plain_statement_may_be_passed_over_but_not_a_call() -> None:
    tree = pyedit.parse(f"import os\n{SECRET}\napp = make()\nX = 1\n")
    assert tree is not None
    assert pyedit.plain_rows(tree, 1) == [2]


def test_a_js_import_goes_above_the_import_a_secret_follows() -> None:
    src = Source(
        f'const express = require("express");\nconst session = require("express-session");\nconst SECRET = "{MARK}";\n',
        "index.js",
    )
    after = jsedit.side_effect_import(src, "./posthog")
    assert secret_border(src.text, after) is None
    assert after.startswith('const express = require("express");\nrequire("./posthog");\n')


def test_a_js_block_after_the_imports_goes_below_a_secret_that_follows_them() -> None:
    src = Source(f'import App from "./App";\nconst KEY = "{MARK}";\n\nrender(App);\n', "main.tsx")
    after = jsedit.insert_after_prologue(src, "posthog.init(key);\n")
    assert secret_border(src.text, after) is None and Source(after, "main.tsx").ok
    assert after.index("KEY") < after.index("posthog.init")


def test_a_requirement_goes_above_an_index_url_that_holds_a_token() -> None:
    text = f"Django==5.1\ngunicorn==23.0\n--extra-index-url https://{MARK}@pypi.example.com/simple"
    after = manifests.requirements_declare(text, "posthog>=7.91")
    assert after is not None and secret_border(text, after) is None
    # Sorted, it would sit right above the index URL: it goes one line up instead.
    assert after.split("\n") == ["Django==5.1", "posthog>=7.91", "gunicorn==23.0", text.split("\n")[2]]
