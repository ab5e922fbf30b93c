"""Shapes met on real public apps that the integrators got wrong, each in a minimal fixture of our own.

Every case is one way real projects are laid out (a TypeScript server run by ts-node, a
key kept in `.env`, a view that answers GET and POST), reduced to the lines that decide
what the offline agent must propose.
"""

from __future__ import annotations

import json

import pytest

from tests.support.integrators import applied
from wizard_tui.agents.offline import capture_py, init_js, init_node, init_py, install, naming, pyedit
from wizard_tui.agents.offline.changes import apply_edits
from wizard_tui.agents.offline.project import DictProject
from wizard_tui.agents.offline.syntax import check_file
from wizard_tui.domain.frameworks import framework

# -- how a Node file names the client module ---------------------------------------------------


@pytest.mark.parametrize(
    ("importer", "package", "esm_syntax", "specifier"),
    [
        # TypeScript compiled to CommonJS, or run by ts-node: only the bare name exists at run time.
        ("src/routes/notes.ts", {}, True, "../posthog"),
        # TypeScript run as ES modules: the compiled file's name, extension included.
        ("src/routes/notes.ts", {"type": "module"}, True, "../posthog.js"),
        # Plain JavaScript written with `import`, and CommonJS with `require`.
        ("src/routes/notes.js", {}, True, "../posthog.js"),
        ("src/routes/notes.js", {}, False, "../posthog"),
        ("src/routes/notes.mts", {}, True, "../posthog.mjs"),
    ],
)
def test_the_client_is_imported_by_the_name_node_resolves(
    importer: str, package: dict[str, object], esm_syntax: bool, specifier: str
) -> None:
    target = "src/posthog" + {".ts": ".ts", ".js": ".js", ".mts": ".mts"}[importer[importer.rindex(".") :]]
    assert init_node.client_specifier(importer, target, package, esm_syntax=esm_syntax) == specifier


def _node_app(deps: dict[str, str], entry: str, **extra: object) -> dict[str, str]:
    return {
        "package.json": json.dumps({"main": "server.js", "dependencies": deps, **extra}, indent=2),
        "server.js": entry,
    }


async def test_the_client_module_loads_dotenv_when_the_app_runs_with_it() -> None:
    entry = (
        'import express from "express";\nimport dotenv from "dotenv";\n\ndotenv.config();\nexpress().listen(3000);\n'
    )
    files = _node_app({"express": "^4", "dotenv": "^16"}, entry, type="module")
    _plan, state = await applied(files, lambda p: init_node.plan_node(p, framework("javascript_node"), "."))
    module = state["posthog.js"]
    # An ES module is evaluated before the file importing it runs dotenv.config(): load it first.
    assert module.startswith('import "dotenv/config";\nimport { PostHog } from "posthog-node";')


async def test_a_dev_only_dotenv_is_not_loaded_by_the_client_module() -> None:
    entry = 'const express = require("express");\n\nexpress().listen(3000);\n'
    files = _node_app({"express": "^4"}, entry, devDependencies={"dotenv": "^16"})
    _plan, state = await applied(files, lambda p: init_node.plan_node(p, framework("javascript_node"), "."))
    assert "dotenv" not in state["posthog.js"]


async def test_commonjs_entry_requires_the_client_after_it_loads_env() -> None:
    entry = (
        "const express = require('express');\n"
        "const dotenv = require('dotenv');\n\n"
        "dotenv.config({ path: '.env.local' });\n\n"
        "const routes = require('./routes');\n"
        "express().use(routes).listen(3000);\n"
    )
    _plan, state = await applied(
        _node_app({"express": "^4", "dotenv": "^16"}, entry),
        lambda p: init_node.plan_node(p, framework("javascript_node"), "."),
    )
    text = state["server.js"]
    assert text.index("dotenv.config({ path") < text.index("require('./posthog');") < text.index("./routes")


# -- Python: a key kept in .env --------------------------------------------------------------

FLASK_WITH_DOTENV = """import os

from dotenv import load_dotenv
from flask import Flask
from openai import OpenAI

load_dotenv()

app = Flask(__name__)
client = OpenAI()
"""


async def test_python_config_comes_after_the_modules_own_load_dotenv() -> None:
    _plan, state = await applied(
        {"app.py": FLASK_WITH_DOTENV, "requirements.txt": "flask\npython-dotenv\n"},
        lambda p: init_py.plan_flask(p, framework("flask"), "."),
    )
    text = state["app.py"]
    # After the file is loaded, and before the client that the LLM wrapper would build reads it.
    assert text.index("load_dotenv()") < text.index("posthog.project_api_key") < text.index("client = OpenAI()")
    assert text.count("load_dotenv()") == 1


async def test_a_package_that_loads_dotenv_later_loads_it_before_posthog() -> None:
    files = {
        "svc/__init__.py": '"""A service."""\n',
        "svc/settings.py": "import os\n\nfrom dotenv import load_dotenv\n\nload_dotenv()\nDB = os.getenv('DB')\n",
        "svc/main.py": "from fastapi import FastAPI\n\nfrom svc.settings import DB\n\napp = FastAPI()\n",
    }
    _plan, state = await applied(files, lambda p: init_py.plan_fastapi(p, framework("fastapi"), "."))
    text = state["svc/__init__.py"]
    assert "from dotenv import load_dotenv" in text
    assert text.index("load_dotenv()") < text.index("posthog.project_api_key")


async def test_an_app_that_never_imports_dotenv_gets_no_dotenv_import() -> None:
    # python-dotenv declared for the server's --env-file: the runner loads .env before any import.
    files = {
        "requirements.txt": "fastapi\nuvicorn[standard]\npython-dotenv\n",
        "api/__init__.py": "",
        "api/main.py": "import os\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n",
    }
    _plan, state = await applied(files, lambda p: init_py.plan_fastapi(p, framework("fastapi"), "."))
    assert "dotenv" not in state["api/main.py"]


def test_a_from_import_is_added_when_only_its_module_is_imported() -> None:
    text = "import dotenv\n\nx = 1\n"
    after = pyedit.add_imports(text, "from dotenv import load_dotenv")
    assert "from dotenv import load_dotenv" in after
    assert pyedit.add_imports(after, "from dotenv import load_dotenv") == after


# -- Python: where a view succeeds -----------------------------------------------------------

GET_AND_POST_VIEW = """from flask import Flask, redirect, render_template, request, url_for

app = Flask(__name__)


@app.route("/", methods=("GET", "POST"))
def index():
    if request.method == "POST":
        name = request.form["name"]
        if not name:
            return render_template("index.html", error="name")
        return redirect(url_for("index", done=name))

    return render_template("index.html")
"""


def _captured(text: str, path: str = "app.py") -> str:
    plan = capture_py.python_capture(path, text, "snake", "", set())
    assert not plan.skipped, plan.skipped
    after = apply_edits(text, [c for c in plan.changes])  # type: ignore[misc]
    assert check_file(path, after) is None
    return after


def test_a_get_and_post_view_captures_before_its_redirect_not_on_the_get_path() -> None:
    after = _captured(GET_AND_POST_VIEW)
    lines = after.split("\n")
    at = next(i for i, ln in enumerate(lines) if "posthog.capture(" in ln)
    assert lines[at + 1].strip().startswith("return redirect(") and lines[at].startswith("        ")


def test_a_get_and_post_view_without_a_redirect_has_no_success_point() -> None:
    text = GET_AND_POST_VIEW.replace('return redirect(url_for("index", done=name))', "save(name)")
    assert capture_py.python_capture("app.py", text, "snake", "", set()).skipped


def test_a_django_view_reading_post_data_captures_in_its_else_branch() -> None:
    text = (
        "from django.http import HttpResponse, HttpResponseRedirect\n\n\n"
        "def vote(request, pk):\n"
        "    try:\n"
        '        choice = Choice.objects.get(pk=request.POST["choice"])\n'
        "    except (KeyError, Choice.DoesNotExist):\n"
        '        return HttpResponseRedirect("/error")\n'
        "    else:\n"
        "        choice.votes += 1\n"
        "        choice.save()\n"
        '        return HttpResponseRedirect("/done")\n'
    )
    after = _captured(text, "polls/views.py")
    assert '        posthog.capture("poll_voted")\n        return HttpResponseRedirect("/done")' in after


def test_a_combined_method_and_form_check_is_a_valid_form_branch() -> None:
    text = (
        "from django.shortcuts import redirect\n\n\n"
        "def update(request):\n"
        "    form = Form(request.POST or None)\n"
        '    if request.method == "POST" and form.is_valid():\n'
        "        form.save()\n"
        '        return redirect("home")\n'
        '    return render(request, "form.html")\n'
    )
    after = _captured(text, "users/views.py")
    assert after.index("posthog.capture(") < after.index('return redirect("home")')


# -- event names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hints", "words"),
    [
        (("ask_question", "app/main.py"), "question asked"),  # `on` inside a word is not a prefix
        (("create_todo", "src/todo/routers/todos.py"), "todo created"),
        (("vote", "polls/views.py"), "poll voted"),
        (("onSubmit", "app/blog/index.tsx"), "blog submitted"),  # `blog index` is no log-in
        (("handleSubmit", "src/app/login/LoginForm.tsx"), "user logged in"),
    ],
)
def test_event_names_come_from_whole_words(hints: tuple[str, ...], words: str) -> None:
    assert naming.event_words(*hints) == words


# -- an init block in the entry's own style ----------------------------------------------------


async def test_an_init_block_takes_the_entrys_tabs_quotes_and_no_semicolons() -> None:
    # The Epic Stack writes tabs, single quotes and no semicolons; the block must read like it.
    entry = "import { hydrateRoot } from 'react-dom/client'\n\nif (ok) {\n\thydrateRoot(document, null)\n}\n"
    files = {
        "package.json": json.dumps({"devDependencies": {"vite": "^6"}}),
        "index.html": '<script type="module" src="/src/main.tsx"></script>\n',
        "src/main.tsx": entry,
    }
    _plan, state = await applied(files, lambda p: init_js.plan_vite(p, framework("javascript_web"), "."))
    added = state["src/main.tsx"].replace(entry.split("\n\n")[0], "")
    assert "\tposthog.init(import.meta.env.VITE_POSTHOG_KEY, {\n\t\tapi_host:" in added
    assert '"' not in added and ";" not in added


# -- posthog-node's types in a TypeScript server without express -------------------------------


@pytest.mark.parametrize(
    ("deps", "tsconfig", "warned"),
    [
        # A Fastify app whose tsc checks libraries: posthog-node's express types break its build.
        ({"fastify": "^5"}, '{"compilerOptions": {"strict": true}}', True),
        ({"fastify": "^5"}, '{"compilerOptions": {"skipLibCheck": true}}', False),
        ({"express": "^4"}, '{"compilerOptions": {"strict": true}}', False),
        ({"fastify": "^5"}, None, False),  # JavaScript: no tsc
    ],
)
async def test_a_typescript_server_without_express_is_told_about_posthog_nodes_types(
    deps: dict[str, str], tsconfig: str | None, warned: bool
) -> None:
    files = {"package.json": json.dumps({"dependencies": deps}, indent=2)}
    if tsconfig is not None:
        files["tsconfig.json"] = tsconfig
    result = await install.plan_install(
        DictProject(files), framework("javascript_node"), app_dir=".", package_manager="npm", sdks=["posthog-node"]
    )
    assert result.plan.changes and any("TS2307" in step for step in result.plan.manual) == warned
