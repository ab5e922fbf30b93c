"""Whole offline runs on app shapes met on real public apps, where the body, not one integrator, decides.

Each tree is a minimal project of our own in the shape of a kind of real app; the run must
leave it untouched and propose what the shape calls for, and nothing else.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.trees import write_tree
from wizard_tui.agents.offline import OfflineAgent
from wizard_tui.domain.models import TaskStatus
from wizard_tui.domain.persistence import read_queue_file
from wizard_tui.engine.run import Run, RunConfig


async def _run(project: Path) -> dict[str, list[TaskStatus]]:
    result = await Run(RunConfig(install_dir=project, fresh=True), OfflineAgent()).execute()
    assert result.exit_code == 0, result.message
    statuses: dict[str, list[TaskStatus]] = {}
    for task in read_queue_file(project / ".posthog-wizard" / "queue.json").tasks:
        statuses.setdefault(task.type, []).append(task.status)
    return statuses


def _changed(project: Path) -> str:
    patch = project / ".posthog-wizard" / "changes.patch"
    return patch.read_text() if patch.exists() else ""


async def test_an_app_on_posthog_js_gets_no_posthog_node_added(tmp_path: Path) -> None:
    # A Next.js app that set PostHog up in the browser itself: its SDK choice stands.
    project = write_tree(
        tmp_path / "app",
        {
            "package.json": json.dumps({"dependencies": {"next": "14.2.3", "react": "^18", "posthog-js": "^1.200.0"}}),
            "pages/_app.tsx": (
                'import posthog from "posthog-js";\n\n'
                'if (typeof window !== "undefined") posthog.init("phc_x", { api_host: "/ingest" });\n\n'
                "export default function App({ Component, pageProps }: any) {\n"
                "  return <Component {...pageProps} />;\n}\n"
            ),
        },
    )
    statuses = await _run(project)
    assert statuses["install"] == [TaskStatus.SKIPPED] and statuses["init"] == [TaskStatus.SKIPPED]
    assert "package.json" not in _changed(project)


async def test_an_instrumented_next_app_with_an_llm_route_gets_only_the_wrapper_packages(tmp_path: Path) -> None:
    deps = {"next": "15.3.2", "react": "^19", "posthog-js": "^1.200.0", "openai": "^6.50.0"}
    route = (
        'import OpenAI from "openai";\n\nconst client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });\n\n'
        "export async function POST(req: Request) {\n"
        '  const r = await client.responses.create({ model: "gpt-5-mini", input: await req.text() });\n'
        "  return Response.json(r);\n}\n"
    )
    project = write_tree(
        tmp_path / "app",
        {
            "package.json": json.dumps({"dependencies": deps}, indent=2),
            "tsconfig.json": "{}",
            "instrumentation-client.ts": 'import posthog from "posthog-js";\n\nposthog.init("phc_x");\n',
            "app/layout.tsx": "export default function L({ children }: any) {\n  return children;\n}\n",
            "app/api/chat/route.ts": route,
        },
    )
    statuses = await _run(project)
    assert statuses["init"] == [TaskStatus.SKIPPED] and statuses["install"] == [TaskStatus.DONE]
    patch = _changed(project)

    def names(sign: str) -> set[str]:
        return {ln.split('"')[1] for ln in patch.splitlines() if ln.startswith(sign + "  ") and '": "' in ln}

    assert names("+") - names("-") == {"@posthog/ai", "posthog-node"}
    assert "instrumentation-client.ts" not in patch and "posthog.init" not in patch


async def test_a_django_app_pinning_dj_database_url_passes_its_review(tmp_path: Path) -> None:
    # MDN's local library pins dj-database-url: the pin once read as a secret and the review failed.
    project = write_tree(
        tmp_path / "app",
        {
            "requirements.txt": "Django==5.0.2\ndj-database-url==2.1.0\ngunicorn==21.2.0\n",
            "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_conf.settings')\n",
            "site_conf/__init__.py": "",
            "site_conf/settings.py": "INSTALLED_APPS = ['django.contrib.auth', 'catalog']\nMIDDLEWARE = []\n",
            "catalog/__init__.py": "",
            "catalog/apps.py": (
                "from django.apps import AppConfig\n\n\nclass CatalogConfig(AppConfig):\n    name = 'catalog'\n"
            ),
        },
    )
    statuses = await _run(project)
    assert statuses["review"] == [TaskStatus.DONE] and statuses["install"] == [TaskStatus.DONE]
    assert "+posthog" in _changed(project)
