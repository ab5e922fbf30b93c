"""A secret written into the code right next to where PostHog goes: the offline agent places its
change elsewhere instead of failing the task.

A patch may never show a secret value, so the propose tools refuse a change that rewrites a
line holding one or sits right above it (the line a patch needs unchanged after a change).
Each tree is a minimal app of our own in a framework's usual shape, with a hard-coded key
planted next to that framework's init point (Django settings, a Flask app factory, an
Express server, a FastAPI main module, a Vite entry, a Next.js layout, plain entry points)
or next to an LLM client. The run must end with no failed task, a patch that `git apply`
accepts, no secret value in it, and every secret line exactly as it was.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support.trees import write_tree
from wizard_tui.agents.offline import OfflineAgent
from wizard_tui.agents.offline.syntax import check_file
from wizard_tui.domain.models import TaskStatus
from wizard_tui.domain.persistence import read_queue_file
from wizard_tui.engine.run import Run, RunConfig

DJANGO_KEY = "django-insecure-q8#v2!kz9m$w@4x7e^1r0p3t6y5u8i2o&l9j7h5g3f1d"
FLASK_KEY = "9f2c7a1e4b8d3f6a0c5e9b2d7f4a1c8e3b6d0f5a"
SESSION_KEY = "k7Jd92LxQp4vZ8mN3rT6wY1bC5fH0gA2"
OPENAI_KEY = "sk-proj-Qx7mZ2pL9vK4nB8cR1tY6wE3uI0oP5aS7dF2gH9jK4lZ8xC1vB6nM3qW0eR5tY2uI7"
STRIPE_KEY = "sk_live_51Hx7mZ2pL9vK4nB8cR1tY6wE3uI0oP5aS7dF2gH9jK4lZ8"
KEYS = (DJANGO_KEY, FLASK_KEY, SESSION_KEY, OPENAI_KEY, STRIPE_KEY)

MIDDLEWARE = """MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
"""
INSTALLED_APPS = """INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "shop",
]
"""
VIEWS = """from django.shortcuts import redirect, render


def checkout(request):
    if request.method == "POST":
        form = CheckoutForm(request.POST)
        if form.is_valid():
            form.save()
            return redirect("done")
    return render(request, "checkout.html")
"""


def _django(settings: str) -> dict[str, str]:
    return {
        "requirements.txt": "Django==5.1.2\n",
        "manage.py": "import os\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n",
        "mysite/__init__.py": "",
        "mysite/settings.py": settings,
        "shop/__init__.py": "",
        "shop/apps.py": "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = 'shop'\n",
        "shop/views.py": VIEWS,
    }


def _flask(init: str) -> dict[str, str]:
    views = (
        "from flask import Blueprint, redirect, request\n\n"
        'bp = Blueprint("tasks", __name__)\n\n\n'
        '@bp.route("/add", methods=["POST"])\n'
        "def add_task():\n"
        '    save(request.form["title"])\n'
        '    return redirect("/")\n'
    )
    return {"requirements.txt": "Flask>=3.0\n", "taskboard/__init__.py": init, "taskboard/views.py": views}


def _express(index: str, module: bool = False) -> dict[str, str]:
    package = {"main": "src/index.js", "dependencies": {"express": "^4.21.0", "express-session": "^1.18.0"}}
    return {
        "package.json": json.dumps({**package, **({"type": "module"} if module else {})}, indent=2),
        "src/index.js": index,
    }


def _next_route(client: str) -> dict[str, str]:
    deps = {"next": "15.3.2", "react": "^19", "openai": "^6.50.0"}
    return {
        "package.json": json.dumps({"dependencies": deps}, indent=2),
        "tsconfig.json": "{}",
        "app/layout.tsx": "export default function L({ children }: any) {\n  return children;\n}\n",
        "app/api/chat/route.ts": (
            f'import OpenAI from "openai";\n\n{client}\n'
            "export async function POST(req: Request) {\n"
            '  const r = await client.responses.create({ model: "gpt-5-mini", input: await req.text() });\n'
            "  return Response.json(r);\n}\n"
        ),
    }


CASES: dict[str, dict[str, str]] = {
    # Django: a literal SECRET_KEY right below INSTALLED_APPS, as in a fresh `startproject`.
    "django-secret-below-installed-apps": _django(
        "import os\nfrom pathlib import Path\n\nBASE_DIR = Path(__file__).resolve().parent.parent\n\n"
        f'{INSTALLED_APPS}SECRET_KEY = "{DJANGO_KEY}"\n{MIDDLEWARE}\nROOT_URLCONF = "mysite.urls"\n'
    ),
    # No `import os` yet, and the key right below the only import: the import goes above it.
    "django-secret-below-the-imports": _django(
        f'from pathlib import Path\nSECRET_KEY = "{DJANGO_KEY}"\n\n{INSTALLED_APPS}{MIDDLEWARE}'
    ),
    # The key is the file's last line, with no newline after it: PostHog's settings go above it.
    "django-secret-last-line": _django(
        f'import os\n\n{INSTALLED_APPS}{MIDDLEWARE}\nDEBUG = False\nSECRET_KEY = "{DJANGO_KEY}"'
    ),
    # Flask: the factory's module keeps its key right below the imports.
    "flask-secret-below-the-imports": _flask(
        f'import os\n\nfrom flask import Flask\nSECRET_KEY = "{FLASK_KEY}"\n\n\n'
        "def create_app():\n    app = Flask(__name__)\n    app.config['SECRET_KEY'] = SECRET_KEY\n"
        "    from taskboard.views import bp\n\n    app.register_blueprint(bp)\n    return app\n"
    ),
    # Flask: app.config["SECRET_KEY"] set to a literal right below the app, in a one-module app.
    "flask-config-secret": _flask(
        f'from flask import Flask\napp = Flask(__name__)\napp.config["SECRET_KEY"] = "{FLASK_KEY}"\n\n'
        "from taskboard.views import bp  # noqa: E402\n\napp.register_blueprint(bp)\n"
    ),
    # Express: a hard-coded session secret right below the requires.
    "express-secret-below-the-requires": _express(
        'const express = require("express");\nconst session = require("express-session");\n'
        f'const SESSION_SECRET = "{SESSION_KEY}";\n\nconst app = express();\n'
        "app.use(session({ secret: SESSION_SECRET, resave: false }));\napp.listen(3000);\n"
    ),
    # Express as ES modules, the secret inline in the middleware right below the imports.
    "express-esm-secret-below-the-imports": _express(
        'import express from "express";\nimport session from "express-session";\n'
        f'const app = express();\napp.use(session({{ secret: "{SESSION_KEY}", resave: false }}));\napp.listen(3000);\n',
        module=True,
    ),
    # FastAPI: an LLM key right below the imports of the app's module.
    "fastapi-secret-below-the-imports": {
        "requirements.txt": "fastapi\n",
        "app/__init__.py": "",
        "app/main.py": (
            f'from fastapi import FastAPI\nOPENAI_API_KEY = "{OPENAI_KEY}"\n\napp = FastAPI()\n\n\n'
            '@app.get("/health")\ndef health():\n    return {"ok": True}\n'
        ),
    },
    # A Vite SPA: a payment key right below the entry's imports, where the init block goes.
    "vite-secret-below-the-imports": {
        "package.json": json.dumps(
            {"type": "module", "dependencies": {"react": "^18", "react-dom": "^18"}, "devDependencies": {"vite": "^5"}},
            indent=2,
        ),
        "index.html": '<div id="root"></div><script type="module" src="/src/main.tsx"></script>\n',
        "src/main.tsx": (
            'import { createRoot } from "react-dom/client";\nimport App from "./App";\n'
            f'const STRIPE_KEY = "{STRIPE_KEY}";\n\n'
            'createRoot(document.getElementById("root")!).render(<App k={STRIPE_KEY} />);\n'
        ),
        "src/App.tsx": "export default function App(props: { k: string }) {\n  return <p>{props.k.length}</p>;\n}\n",
    },
    # Next.js 14 (no instrumentation-client): the layout, where the provider's import goes, has a key.
    "next-layout-secret-below-the-imports": {
        "package.json": json.dumps({"dependencies": {"next": "14.2.3", "react": "^18", "react-dom": "^18"}}, indent=2),
        "tsconfig.json": "{}",
        "app/layout.tsx": (
            'import type { ReactNode } from "react";\nimport "./globals.css";\n'
            f'const STRIPE_KEY = "{STRIPE_KEY}";\n\n'
            "export default function RootLayout({ children }: { children: ReactNode }) {\n"
            '  return (\n    <html lang="en" data-k={STRIPE_KEY.length}>\n'
            "      <body>{children}</body>\n    </html>\n  );\n}\n"
        ),
        "app/globals.css": "",
    },
    # An LLM client built with its key in the code: the wrapper's client goes where no secret is.
    "next-openai-key-in-the-options": _next_route(
        f'const client = new OpenAI({{\n  maxRetries: 1,\n  apiKey: "{OPENAI_KEY}",\n}});\n'
    ),
    # The key on the very line that builds the client: no wrapper can keep off it, so the task
    # says so and ends skipped; the rest of the run goes on.
    "next-openai-key-on-the-constructor-line": _next_route(
        f'const client = new OpenAI({{ apiKey: "{OPENAI_KEY}" }});\n'
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
async def test_posthog_goes_elsewhere_when_its_place_borders_a_secret(name: str, tmp_path: Path) -> None:
    files = CASES[name]
    project = write_tree(tmp_path / name, files)
    result = await Run(RunConfig(install_dir=project, fresh=True), OfflineAgent()).execute()
    assert result.exit_code == 0, result.message
    tasks = read_queue_file(project / ".posthog-wizard" / "queue.json").tasks
    for task in tasks:
        assert task.status not in (TaskStatus.FAILED, TaskStatus.BLOCKED), (task.type, task.handoff, task.error)
    statuses = {t.type: t.status for t in tasks}
    assert statuses["install"] == statuses["init"] == TaskStatus.DONE
    if name == "next-openai-key-in-the-options":
        assert statuses["llm-analytics"] == TaskStatus.DONE
    if name == "next-openai-key-on-the-constructor-line":
        llm = next(t for t in tasks if t.type == "llm-analytics")
        assert llm.status == TaskStatus.SKIPPED and llm.handoff is not None and "holding a secret" in llm.handoff.did

    patch = (project / ".posthog-wizard" / "changes.patch").read_text()
    assert not [key for key in KEYS if key in patch]
    applied = subprocess.run(["git", "apply", "-"], input=patch, text=True, cwd=project, capture_output=True)
    assert applied.returncode == 0, applied.stderr
    for rel, text in files.items():
        after = (project / rel).read_text()
        # Every line that held a secret is still there, unchanged, and every file still parses.
        assert [ln for ln in text.splitlines() if any(k in ln for k in KEYS)] == [
            ln for ln in after.splitlines() if any(k in ln for k in KEYS)
        ], rel
        assert check_file(rel, after) is None, rel
    assert "posthog" in patch.lower()
