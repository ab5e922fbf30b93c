"""The init and install integrators on the shapes real apps come in, each result parsed back.

Every case runs an integrator on an in-memory project, applies its edits the way the
propose tools do (each `old` exactly once), and checks the result with the real parsers.
Shapes the integrators do not edit safely must end in a skip with a reason, never a
broken file.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Awaitable

import pytest

from tests.support.integrators import applied
from wizard_tui.agents.offline import init_django, init_js, init_node, init_py, install
from wizard_tui.agents.offline.changes import Plan
from wizard_tui.agents.offline.project import DictProject
from wizard_tui.domain.frameworks import SDK_VERSIONS, framework

# -- Next.js ---------------------------------------------------------------------------------

NEXT15 = json.dumps({"dependencies": {"next": "^15.3.1", "react": "^19"}}, indent=2)
NEXT14 = json.dumps({"dependencies": {"next": "14.2.3", "react": "^18"}}, indent=2)


async def test_next_15_3_gets_instrumentation_client_in_src() -> None:
    files = {"package.json": NEXT15, "tsconfig.json": "{}", "src/app/layout.tsx": "export default function L() {}\n"}
    plan, state = await applied(files, lambda p: init_js.plan_nextjs(p, framework("nextjs"), ".", "app"))
    assert plan.files == ["src/instrumentation-client.ts"]
    assert "if (process.env.NEXT_PUBLIC_POSTHOG_KEY)" in state["src/instrumentation-client.ts"]


async def test_next_15_3_adds_to_an_existing_instrumentation_client() -> None:
    existing = 'import * as Sentry from "@sentry/nextjs";\n\nSentry.init({ dsn: "x" });\n'
    files = {"package.json": NEXT15, "instrumentation-client.js": existing, "app/layout.jsx": "x"}
    _plan, state = await applied(files, lambda p: init_js.plan_nextjs(p, framework("nextjs"), ".", "app"))
    text = state["instrumentation-client.js"]
    assert 'import posthog from "posthog-js";' in text and "Sentry.init" in text
    assert text.index("import posthog") < text.index("posthog.init") and text.count("posthog.init") == 1


APP_LAYOUT_ARROW = """import "./globals.css";

const RootLayout = ({ children }: { children: React.ReactNode }) => (
  <html lang="en">
    <body>
      {children}
    </body>
  </html>
);

export default RootLayout;
"""


async def test_app_router_layout_as_an_arrow_with_a_named_default_export() -> None:
    files = {"package.json": NEXT14, "tsconfig.json": "{}", "app/layout.tsx": APP_LAYOUT_ARROW}
    _plan, state = await applied(files, lambda p: init_js.plan_nextjs(p, framework("nextjs"), ".", "app"))
    assert "<PostHogProvider>{children}</PostHogProvider>" in state["app/layout.tsx"]
    assert 'import { PostHogProvider } from "./posthog-provider";' in state["app/layout.tsx"]
    assert "useEffect" in state["app/posthog-provider.tsx"]


async def test_app_router_layout_without_children_is_skipped() -> None:
    layout = "export default function L() { return <html><body><main /></body></html>; }\n"
    files = {"package.json": NEXT14, "app/layout.tsx": layout}
    plan, _ = await applied(files, lambda p: init_js.plan_nextjs(p, framework("nextjs"), ".", "app"))
    assert plan.skipped and "children" in plan.skipped and not plan.changes


async def test_pages_router_without_app_file_gets_one() -> None:
    files = {"package.json": NEXT14, "pages/index.jsx": "export default function H() { return <p/>; }\n"}
    plan, state = await applied(files, lambda p: init_js.plan_nextjs(p, framework("nextjs"), ".", "pages"))
    assert plan.files == ["pages/_app.jsx"] and "PostHogProvider client={posthog}" in state["pages/_app.jsx"]


async def test_pages_router_app_with_an_existing_provider_is_wrapped_inside_out() -> None:
    app = """import { SessionProvider } from "next-auth/react";

function MyApp({ Component, pageProps }) {
  return (
    <SessionProvider session={pageProps.session}>
      <Component {...pageProps} />
    </SessionProvider>
  );
}

export default MyApp;
"""
    files = {"package.json": NEXT14, "pages/_app.js": app}
    _plan, state = await applied(files, lambda p: init_js.plan_nextjs(p, framework("nextjs"), ".", "pages"))
    text = state["pages/_app.js"]
    assert text.index("<PostHogProvider client={posthog}>") < text.index("<SessionProvider")
    assert 'typeof window !== "undefined"' in text


# -- React Router, Vite ----------------------------------------------------------------------


async def test_react_router_with_an_entry_client_gets_init_before_hydration() -> None:
    entry = (
        'import { startTransition } from "react";\nimport { hydrateRoot } from "react-dom/client";\n'
        'import { HydratedRouter } from "react-router/dom";\n\nstartTransition(() => {\n'
        "  hydrateRoot(document, <HydratedRouter />);\n});\n"
    )
    files = {
        "package.json": json.dumps({"dependencies": {"react-router": "^7"}}),
        "react-router.config.ts": 'export default { appDirectory: "src/app" };\n',
        "src/app/root.tsx": "export default function App() { return null; }\n",
        "src/app/entry.client.tsx": entry,
    }
    _plan, state = await applied(
        files, lambda p: init_js.plan_react_router(p, framework("react-router"), ".", "framework")
    )
    text = state["src/app/entry.client.tsx"]
    assert text.index("posthog.init") < text.index("startTransition(")
    assert "import.meta.env.VITE_POSTHOG_KEY" in text


async def test_vite_entry_comes_from_index_html() -> None:
    files = {
        "package.json": json.dumps({"devDependencies": {"vite": "^5"}}),
        "index.html": '<script type="module" src="/src/boot.jsx"></script>',
        "src/boot.jsx": 'import { createRoot } from "react-dom/client";\nimport App from "./App";\n\n'
        'createRoot(document.getElementById("root")).render(<App />);\n',
    }
    plan, state = await applied(files, lambda p: init_js.plan_vite(p, framework("javascript_web"), "."))
    assert plan.files == ["src/boot.jsx"]
    assert state["src/boot.jsx"].index("posthog.init") < state["src/boot.jsx"].index("createRoot(")


async def test_a_web_app_without_vite_is_skipped_with_the_manual_step() -> None:
    files = {"package.json": json.dumps({"dependencies": {"react-scripts": "5"}}), "src/index.js": "x"}
    plan, _ = await applied(files, lambda p: init_js.plan_vite(p, framework("javascript_web"), "."))
    assert plan.skipped and "Vite" in plan.skipped and plan.manual


# -- Node ------------------------------------------------------------------------------------


async def test_esm_typescript_server_gets_a_client_module_and_an_import() -> None:
    files = {
        "package.json": json.dumps({"type": "module", "scripts": {"start": "tsx src/server.ts"}}),
        "src/server.ts": 'import express from "express";\n\nconst app = express();\napp.listen(3000);\n',
    }
    _plan, state = await applied(files, lambda p: init_node.plan_node(p, framework("javascript_node"), "."))
    assert 'import "./posthog.js";' in state["src/server.ts"]
    assert "export default posthog;" in state["src/posthog.ts"]


async def test_node_monorepo_subproject_is_edited_in_its_folder() -> None:
    files = {
        "package.json": json.dumps({"private": True, "workspaces": ["apps/*"]}),
        "apps/api/package.json": json.dumps({"main": "index.js", "dependencies": {"express": "4"}}, indent=2),
        "apps/api/index.js": 'const express = require("express");\nexpress().listen(1);\n',
    }
    plan, _state = await applied(files, lambda p: init_node.plan_node(p, framework("javascript_node"), "apps/api"))
    assert set(plan.files) == {"apps/api/posthog.js", "apps/api/index.js"}
    result = await install.plan_install(
        DictProject(files),
        framework("javascript_node"),
        app_dir="apps/api",
        package_manager="pnpm",
        sdks=["posthog-node"],
    )
    assert result.manifest == "apps/api/package.json" and result.command == "cd apps/api && pnpm install"


async def test_node_without_an_entry_is_skipped() -> None:
    files = {"package.json": "{}", "lib/util.js": "module.exports = 1;\n"}
    plan, _ = await applied(files, lambda p: init_node.plan_node(p, framework("javascript_node"), "."))
    assert plan.skipped and "entry" in plan.skipped


# -- Python ----------------------------------------------------------------------------------


async def test_django_split_settings_get_the_keys_in_base() -> None:
    files = {
        "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")\n',
        "config/__init__.py": "",
        "config/settings/__init__.py": "",
        "config/settings/base.py": 'INSTALLED_APPS = ["django.contrib.auth"] + LOCAL\n'.replace(
            "LOCAL", '["blog.apps.BlogConfig"]'
        ),
        "config/settings/local.py": "from .base import *  # noqa\n\nDEBUG = True\n",
        "blog/__init__.py": "",
        "blog/apps.py": (
            "from django.apps import AppConfig\n\n\nclass BlogConfig(AppConfig):\n    name = 'blog'\n\n"
            "    def ready(self):\n        from . import signals  # noqa: F401\n"
        ),
    }
    plan, state = await applied(files, lambda p: init_django.plan_django(p, framework("django"), "."))
    assert set(plan.files) == {"config/settings/base.py", "blog/apps.py"}
    assert "import os" in state["config/settings/base.py"]
    ready = state["blog/apps.py"]
    assert ready.index("posthog.project_api_key") < ready.index("from . import signals")


async def test_flask_without_a_factory_configures_the_app_module() -> None:
    files = {
        "app.py": "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get('/')\ndef i():\n    return 'hi'\n"
    }
    plan, state = await applied(files, lambda p: init_py.plan_flask(p, framework("flask"), "."))
    assert plan.files == ["app.py"]
    text = state["app.py"]
    assert text.index("posthog.disabled") < text.index("app = Flask")


async def test_fastapi_with_a_lifespan_flushes_after_yield() -> None:
    main = (
        "from contextlib import asynccontextmanager\n\nfrom fastapi import FastAPI\n\n\n"
        "@asynccontextmanager\nasync def lifespan(app):\n    print('start')\n    yield\n    print('stop')\n\n\n"
        "app = FastAPI(lifespan=lifespan)\n"
    )
    _plan, state = await applied({"main.py": main}, lambda p: init_py.plan_fastapi(p, framework("fastapi"), "."))
    text = state["main.py"]
    assert text.index("yield") < text.index("posthog.flush()") < text.index("print('stop')")


async def test_fastapi_with_on_event_handlers_gets_no_lifespan() -> None:
    main = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.on_event('startup')\nasync def s():\n    pass\n"
    _plan, state = await applied({"main.py": main}, lambda p: init_py.plan_fastapi(p, framework("fastapi"), "."))
    assert "lifespan" not in state["main.py"] and "posthog.project_api_key" in state["main.py"]


async def test_plain_python_console_script_is_the_entry() -> None:
    files = {
        "pyproject.toml": '[project]\nname = "t"\ndependencies = []\n\n[project.scripts]\nt = "tool.cli:main"\n',
        "src/tool/__init__.py": '"""Tool."""\n',
        "src/tool/cli.py": "def main():\n    print(1)\n",
    }
    plan, _state = await applied(files, lambda p: init_py.plan_python(p, framework("python"), "."))
    assert plan.files == ["src/tool/__init__.py"]


# -- install ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "manager", "manifest", "command"),
    [
        ({"requirements.txt": "flask==3.0\n"}, "pip", "requirements.txt", "pip install -r requirements.txt"),
        (
            {"pyproject.toml": '[project]\nname = "a"\ndependencies = [\n  "fastapi",\n]\n', "uv.lock": ""},
            "uv",
            "pyproject.toml",
            "uv sync",
        ),
        (
            {"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\n\n[build-system]\nx = 1\n'},
            "poetry",
            "pyproject.toml",
            "poetry lock && poetry install",
        ),
        ({"main.py": "print(1)\n"}, None, "requirements.txt", "pip install -r requirements.txt"),
    ],
)
async def test_python_install_uses_the_manifest_the_package_manager_reads(
    files: dict[str, str], manager: str | None, manifest: str, command: str
) -> None:
    result = await install.plan_install(
        DictProject(files), framework("python"), app_dir=".", package_manager=manager, sdks=["posthog"]
    )
    assert result.manifest == manifest and result.command == command
    _plan, state = await applied(
        files,
        lambda p: _plan_of(
            install.plan_install(p, framework("python"), app_dir=".", package_manager=manager, sdks=["posthog"])
        ),
    )
    text = state[manifest]
    if manifest.endswith(".toml"):
        data = tomllib.loads(text)
        assert "posthog" in str(data)
    else:
        assert "posthog>=" in text


async def _plan_of(result: Awaitable[install.InstallResult]) -> Plan:
    return (await result).plan


async def test_install_keeps_package_json_sorted_and_skips_declared_packages() -> None:
    pkg = json.dumps({"name": "a", "dependencies": {"axios": "1", "zod": "3"}}, indent=2) + "\n"
    _plan, state = await applied(
        {"package.json": pkg},
        lambda p: _plan_of(
            install.plan_install(
                p, framework("javascript_node"), app_dir=".", package_manager="npm", sdks=["posthog-node"]
            )
        ),
    )
    assert list(json.loads(state["package.json"])["dependencies"]) == ["axios", "posthog-node", "zod"]
    again = await install.plan_install(
        DictProject(state), framework("javascript_node"), app_dir=".", package_manager="npm", sdks=["posthog-node"]
    )
    assert again.plan.skipped and "already declares" in again.plan.skipped


async def test_invalid_manifest_is_skipped_not_rewritten() -> None:
    result = await install.plan_install(
        DictProject({"package.json": "{ not json"}),
        framework("nextjs"),
        app_dir=".",
        package_manager="npm",
        sdks=["posthog-js"],
    )
    assert result.plan.skipped and "not valid JSON" in result.plan.skipped and not result.plan.changes


@pytest.mark.parametrize(
    ("files", "manifest", "expected"),
    [
        ({"Pipfile": '[packages]\nflask = "*"\n\n[requires]\npython_version = "3.11"\n'}, "Pipfile", "posthog"),
        ({"setup.py": "from setuptools import setup\nsetup(install_requires=['x'])\n"}, None, "setup.py"),
        (
            {"pyproject.toml": '[project]\nname = "a"\ndynamic = ["dependencies"]\n'},
            None,
            "pyproject.toml",
        ),
    ],
)
async def test_other_python_manifests_are_edited_or_skipped_never_bypassed(
    files: dict[str, str], manifest: str | None, expected: str
) -> None:
    result = await install.plan_install(
        DictProject(files), framework("python"), app_dir=".", package_manager=None, sdks=["posthog"]
    )
    if manifest is None:  # another file declares the dependencies: say where, add no requirements.txt
        assert result.plan.skipped and expected in result.plan.skipped and not result.plan.changes
    else:
        _, state = await applied(
            files,
            lambda p: _plan_of(
                install.plan_install(p, framework("python"), app_dir=".", package_manager=None, sdks=["posthog"])
            ),
        )
        assert tomllib.loads(state[manifest])["packages"][expected] == f">={SDK_VERSIONS['posthog']}"
