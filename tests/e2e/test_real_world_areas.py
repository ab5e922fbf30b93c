"""Whole offline runs on where real apps put their forms and routes: form libraries, routers
named for their area, and apps where nothing is a capture point.

Each tree is a minimal project of our own in the shape met on a public app (Taxonomy and
Bulletproof React submit through react-hook-form; Flask's tutorial app routes on blueprints;
Express apps name routers `authRouter`); the run must find the area and edit it.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.trees import write_tree
from wizard_tui.agents.offline import OfflineAgent
from wizard_tui.domain.models import Task, TaskStatus
from wizard_tui.domain.persistence import read_queue_file
from wizard_tui.engine.run import Run, RunConfig


async def _run(project: Path) -> tuple[list[Task], str]:
    result = await Run(RunConfig(install_dir=project, fresh=True), OfflineAgent()).execute()
    assert result.exit_code == 0, result.message
    tasks = read_queue_file(project / ".posthog-wizard" / "queue.json").tasks
    patch = project / ".posthog-wizard" / "changes.patch"
    return tasks, patch.read_text() if patch.exists() else ""


def _captures(tasks: list[Task]) -> dict[str | None, TaskStatus]:
    """Each capture task's file and status: its input, or (the seeded task, which takes the
    plan's first area) the file it changed."""
    out: dict[str | None, TaskStatus] = {}
    for task in (t for t in tasks if t.type == "capture"):
        touched = task.handoff.files_touched if task.handoff else []
        out[task.inputs.get("file") or (touched[0] if touched else None)] = task.status
    return out


def _candidates(tasks: list[Task]) -> list[str]:
    """The areas the orchestrator handed plan-capture to choose from."""
    plan = next(t for t in tasks if t.type == "plan-capture")
    return [f["inputs"]["file"] for f in plan.inputs["follow_ups"]]


def _added(patch: str) -> str:
    return "\n".join(line[1:] for line in patch.splitlines() if line.startswith("+") and not line.startswith("+++"))


AUTH_FORM = """"use client"

import { useForm } from "react-hook-form"
import { signIn } from "next-auth/react"

type FormData = { email: string }

export function UserAuthForm() {
  const { register, handleSubmit } = useForm<FormData>()

  async function onSubmit(data: FormData) {
    const result = await signIn("email", { email: data.email.toLowerCase(), redirect: false })
    if (!result?.ok) {
      return null
    }
    return result
  }

  return (
    <form onSubmit={handleSubmit(onSubmit)}>
      <input type="email" {...register("email")} />
      <button>Sign in with email</button>
    </form>
  )
}
"""


async def test_a_react_hook_form_sign_in_is_identified_and_captured(tmp_path: Path) -> None:
    deps = {"next": "14.2.3", "react": "^18", "react-hook-form": "^7", "next-auth": "^4"}
    project = write_tree(
        tmp_path / "app",
        {
            "package.json": json.dumps({"dependencies": deps}, indent=2),
            "tsconfig.json": "{}",
            "app/layout.tsx": "export default function L({ children }: any) {\n  return children\n}\n",
            "components/user-auth-form.tsx": AUTH_FORM,
        },
    )
    tasks, patch = await _run(project)
    statuses = {t.type: t.status for t in tasks if t.type in ("identify",)}
    assert statuses["identify"] == TaskStatus.DONE
    added = _added(patch)
    # Both calls land in onSubmit, before its success return, and read the form's values.
    assert "posthog.identify(data.email, { email: data.email })" in added
    assert 'posthog.capture("' in added
    assert _captures(tasks)["components/user-auth-form.tsx"] == TaskStatus.DONE


async def test_flask_blueprint_views_are_capture_areas(tmp_path: Path) -> None:
    auth = (
        "from flask import Blueprint, redirect, request, url_for\n\n"
        'bp = Blueprint("auth", __name__, url_prefix="/auth")\n\n\n'
        '@bp.route("/register", methods=("GET", "POST"))\n'
        "def register():\n"
        '    if request.method == "POST":\n'
        '        save(request.form["username"])\n'
        '        return redirect(url_for("auth.login"))\n'
        '    return "form"\n\n\n'
        "def save(name):\n    return name\n"
    )
    project = write_tree(
        tmp_path / "app",
        {
            "requirements.txt": "flask\n",
            "shop/__init__.py": (
                "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n"
                "    from . import auth\n\n    app.register_blueprint(auth.bp)\n    return app\n"
            ),
            "shop/auth.py": auth,
        },
    )
    tasks, patch = await _run(project)
    captures = _captures(tasks)
    assert captures.get("shop/auth.py") == TaskStatus.DONE
    assert 'posthog.capture("user_signed_up")' in _added(patch)


async def test_an_express_router_named_for_its_area_gets_its_capture(tmp_path: Path) -> None:
    routes = (
        'const express = require("express");\n\n'
        "const authRouter = express.Router();\n\n"
        'authRouter.post("/invites", async (req, res) => {\n'
        "  const { userId } = req.session;\n"
        "  res.status(201).json({ ok: true, userId });\n"
        "});\n\n"
        "module.exports = authRouter;\n"
    )
    project = write_tree(
        tmp_path / "app",
        {
            "package.json": json.dumps({"main": "server.js", "dependencies": {"express": "^4"}}, indent=2),
            "server.js": 'const express = require("express");\n\nexpress().use(require("./invites")).listen(3000);\n',
            "invites.js": routes,
        },
    )
    tasks, patch = await _run(project)
    captures = _captures(tasks)
    assert captures.get("invites.js") == TaskStatus.DONE
    assert 'posthog.capture({ distinctId: String(userId), event: "invite_created" });' in _added(patch)


async def test_an_app_with_no_capture_point_says_so_and_enqueues_no_empty_area(tmp_path: Path) -> None:
    # A fresh Vite template: nothing but a counter; eslint.config.js is no entry to capture in.
    project = write_tree(
        tmp_path / "app",
        {
            "package.json": json.dumps(
                {"type": "module", "dependencies": {"react": "^19"}, "devDependencies": {"vite": "^6"}}
            ),
            "index.html": '<div id="root"></div><script type="module" src="/src/main.jsx"></script>\n',
            "eslint.config.js": "export default []\n",
            "src/main.jsx": "import { createRoot } from 'react-dom/client'\n\ncreateRoot(document.body).render(null)\n",
        },
    )
    tasks, _patch = await _run(project)
    captures = [t for t in tasks if t.type == "capture"]
    assert len(captures) == 1 and captures[0].status == TaskStatus.SKIPPED
    assert captures[0].handoff is not None
    assert "no form, route handler or page" in captures[0].handoff.did


async def test_a_routes_packages_init_is_no_capture_area(tmp_path: Path) -> None:
    # FastAPI's full-stack template: app/api/routes/__init__.py only gathers the routers.
    project = write_tree(
        tmp_path / "app",
        {
            "requirements.txt": "fastapi\n",
            "app/__init__.py": "",
            "app/main.py": "from fastapi import FastAPI\n\nfrom app.api.routes import api_router\n\napp = FastAPI()\n",
            "app/api/__init__.py": "",
            "app/api/routes/__init__.py": "from fastapi import APIRouter\n\napi_router = APIRouter()\n",
            "app/api/routes/utils.py": "def slug(s):\n    return s.lower()\n",
        },
    )
    tasks, _patch = await _run(project)
    areas = _candidates(tasks)
    assert "app/api/routes/__init__.py" not in areas and "app/api/routes/utils.py" in areas
