"""Monorepos, ignored folders, symlinks, unreadable files and the budget."""

from __future__ import annotations

import builtins
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.trees import write_tree
from wizard_tui.detection import DetectionResult, detect_project, format_detection


def pkg(deps: dict[str, str] | None = None, **extra: object) -> str:
    return json.dumps({"name": "x", "dependencies": deps or {}, **extra})


OPENAI_IMPORT = 'import OpenAI from "openai";\nconst c = new OpenAI();\n'

# --- monorepos ------------------------------------------------------------------------------


def test_monorepo_with_two_apps(tmp_path: Path) -> None:
    files = {
        "package.json": json.dumps(
            {
                "private": True,
                "workspaces": ["apps/*", "packages/*"],
                "devDependencies": {"turbo": "^2"},
            }
        ),
        "pnpm-lock.yaml": "",
        "pnpm-workspace.yaml": "packages: ['apps/*', 'packages/*']\n",
        "apps/web/package.json": pkg({"next": "15", "react": "19"}, scripts={"dev": "next dev"}),
        "apps/web/app/layout.tsx": "x",
        "apps/web/app/api/ask/route.ts": OPENAI_IMPORT,
        "apps/api/package.json": pkg({"fastify": "^5"}, scripts={"start": "node dist/index.js"}),
        "apps/api/src/index.ts": "import Fastify from 'fastify'\n",
        "packages/ui/package.json": pkg({"react": "^19"}, main="dist/index.js", types="dist/index.d.ts"),
        "packages/tsconfig/package.json": pkg(),
    }
    result = detect_project(write_tree(tmp_path, files))
    # The root is only a workspace shell: it reports its primary app (web over a generic API).
    assert (result.framework, result.router, result.primary_subproject) == ("nextjs", "app", "apps/web")
    assert result.package_manager == "pnpm"
    subs = {s.path: s for s in result.subprojects}
    assert set(subs) == {"apps/api", "apps/web"}, "libraries are not apps"
    web = subs["apps/web"]
    assert (web.framework, web.name, web.router, web.package_manager) == (
        "nextjs",
        "Next.js",
        "app",
        "pnpm",
    )
    assert (subs["apps/api"].framework, subs["apps/api"].package_manager) == (
        "javascript_node",
        "pnpm",
    )
    assert ("apps/web/app/api/ask/route.ts", 1, "openai", "import") in {
        (c.file, c.line, c.sdk, c.kind) for c in result.llm_calls
    }


def test_root_without_manifest_reports_its_primary_app_and_lists_subprojects(tmp_path: Path) -> None:
    files = {
        "README.md": "# Shop\n",
        "frontend/package.json": pkg({"react-dom": "^18"}, scripts={"dev": "vite"}),
        "frontend/index.html": "<div id=root>",
        "frontend/yarn.lock": "",
        "backend/requirements.txt": "Django==5.1\nposthog\n",
        "backend/manage.py": "import django\n",
        "backend/shop/views.py": "from django.http import HttpResponse\n",
    }
    result = detect_project(write_tree(tmp_path, files))
    # A server framework stands for the repository over its browser-only front end.
    assert (result.framework, result.primary_subproject) == ("django", "backend")
    assert result.package_manager == "pip"
    assert [(s.path, s.framework, s.package_manager) for s in result.subprojects] == [
        ("backend", "django", "pip"),
        ("frontend", "javascript_web", "yarn"),
    ]
    assert result.posthog_installed, "declared in a sub-project's manifest"


def test_nested_app_files_do_not_decide_the_root(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[project]\nname = "tools"\n',
        "examples/site/manage.py": "import django\n",
        "examples/site/requirements.txt": "django\n",
        "examples/web/package.json": pkg({"next": "15"}),
        "examples/web/app/layout.tsx": "x",
    }
    result = detect_project(write_tree(tmp_path, files))
    assert result.framework == "python"
    assert {s.path for s in result.subprojects} == {"examples/site", "examples/web"}


def test_test_fixtures_and_gradle_modules_are_not_subprojects(tmp_path: Path) -> None:
    files = {
        "settings.gradle": "include ':app', ':core'\n",
        "build.gradle": "",
        "app/build.gradle": "apply plugin: 'com.android.application'\n",
        "core/build.gradle": "apply plugin: 'java-library'\n",
        "app/src/main/AndroidManifest.xml": "<manifest/>",
        "tests/fixtures/next/package.json": pkg({"next": "15"}),
    }
    result = detect_project(write_tree(tmp_path, files))
    assert result.framework == "android"
    assert result.package_manager == "gradle"
    assert result.subprojects == []


# --- ignored folders --------------------------------------------------------------------------


def test_node_modules_and_build_output_are_not_scanned(tmp_path: Path) -> None:
    files = {
        "package.json": pkg({"react-dom": "^18"}),
        "index.html": "<html>",
        "src/main.js": "console.log('hi')\n",
        "node_modules/openai/index.js": OPENAI_IMPORT,
        "node_modules/openai/package.json": pkg({"posthog-js": "1"}),
        "node_modules/next/package.json": pkg({"next": "15"}),
        "dist/bundle.js": OPENAI_IMPORT,
        ".next/server/app.js": OPENAI_IMPORT,
        ".venv/lib/site-packages/anthropic/__init__.py": "import anthropic\n",
        "generated/llm.ts": OPENAI_IMPORT,
        ".gitignore": "generated/\n",
    }
    result = detect_project(write_tree(tmp_path, files))
    assert result.framework == "javascript_web"
    assert result.llm_calls == []
    assert not result.posthog_installed
    assert result.subprojects == []
    assert result.files_scanned <= 4


# --- symlinks and unreadable files ----------------------------------------------------------


def test_symlink_loops_terminate(tmp_path: Path) -> None:
    write_tree(tmp_path, {"package.json": pkg({"next": "15"}), "app/layout.tsx": "x"})
    (tmp_path / "app" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "self").symlink_to(tmp_path / "self")
    (tmp_path / "a.ts").symlink_to(tmp_path / "b.ts")
    (tmp_path / "b.ts").symlink_to(tmp_path / "a.ts")
    # A generous budget and `not truncated`: the walk ended because it was done, not because
    # time ran out, whatever the machine's load (a loop would exhaust any budget).
    result = detect_project(tmp_path, seconds=60)
    assert (result.framework, result.router) == ("nextjs", "app")
    assert not result.truncated


def test_symlink_out_of_the_root_is_not_read(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"secret.ts": OPENAI_IMPORT, "package.json": pkg({"next": "1"})})
    project = write_tree(tmp_path / "project", {"requirements.txt": "flask\n"})
    (project / "linked.ts").symlink_to(outside / "secret.ts")
    (project / "package.json").symlink_to(outside / "package.json")
    result = detect_project(project)
    assert result.framework == "flask"
    assert result.llm_calls == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_unreadable_files_do_not_crash_or_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(
        tmp_path,
        {
            "requirements.txt": "fastapi\n",
            "app/secret.py": "import openai\n",
            "app/ok.py": "import anthropic\n",
        },
    )
    os.mkfifo(tmp_path / "app" / "pipe.py")  # opening a FIFO would block forever
    os.mkfifo(tmp_path / "Pipfile")
    os.mkdir(tmp_path / "sub")
    os.mkfifo(tmp_path / "sub" / "package.json")
    (tmp_path / "app" / "gone.py").symlink_to(tmp_path / "missing.py")  # dangling
    (tmp_path / "app" / "noperm.py").write_text("import openai\n")
    os.chmod(tmp_path / "app" / "noperm.py", 0)  # root still reads it, hence the patch below

    real_open = builtins.open

    def guarded_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file).endswith(("secret.py", "noperm.py")):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    result = detect_project(tmp_path, seconds=60)
    assert not result.truncated  # ended by finishing, not by blocking until the budget ran out
    assert result.framework == "fastapi"
    assert {(c.file, c.sdk) for c in result.llm_calls} == {("app/ok.py", "anthropic")}


def test_binary_and_oversized_files_are_skipped(tmp_path: Path) -> None:
    write_tree(tmp_path, {"requirements.txt": "flask\n"})
    (tmp_path / "blob.py").write_bytes(b"import openai\n\x00\x01\x02")
    (tmp_path / "huge.py").write_text("import anthropic\n" + "x = 1\n" * 200_000)
    (tmp_path / "bundle.min.js").write_text(OPENAI_IMPORT)
    assert detect_project(tmp_path).llm_calls == []


def test_root_that_is_not_a_directory(tmp_path: Path) -> None:
    f = tmp_path / "file.txt"
    f.write_text("x")
    assert detect_project(f).framework == "unknown"
    assert detect_project(tmp_path / "missing").framework == "unknown"


# --- budget -------------------------------------------------------------------------------------


def test_file_budget_truncates(tmp_path: Path) -> None:
    files = {"package.json": pkg({"next": "15"}), "app/layout.tsx": "x"}
    files.update({f"src/f{i:03}.ts": "export {}\n" for i in range(200)})
    result = detect_project(write_tree(tmp_path, files), max_files=50)
    assert result.truncated
    assert result.files_scanned <= 50
    assert result.framework == "nextjs", "root manifests are read first"
    assert any("budget" in e for e in result.evidence)


def test_time_budget_truncates(tmp_path: Path) -> None:
    files = {"package.json": pkg({"express": "^4"})}
    files.update({f"src/d{i}/f{j}.ts": OPENAI_IMPORT for i in range(20) for j in range(20)})
    # State, not speed: with no time at all the walk stops before it has seen every file.
    result = detect_project(write_tree(tmp_path, files), seconds=0.0)
    assert result.truncated
    assert result.files_scanned < len(files)


# --- output ---------------------------------------------------------------------------------------


def test_json_dump_has_the_tool_fields(tmp_path: Path) -> None:
    files = {
        "package.json": pkg({"next": "15", "posthog-js": "1"}),
        "app/layout.tsx": "x",
        "a.ts": OPENAI_IMPORT,
    }
    result = detect_project(write_tree(tmp_path, files))
    data = result.model_dump(mode="json")
    for key in (
        "framework",
        "name",
        "evidence",
        "package_manager",
        "router",
        "mode",
        "posthog_installed",
        "posthog_packages",
        "llm_calls",
        "llm_sdks",
        "subprojects",
        "files_scanned",
        "truncated",
    ):
        assert key in data
    assert data["llm_calls"][0] == {"file": "a.ts", "line": 1, "sdk": "openai", "kind": "import"}
    assert DetectionResult.model_validate(data) == result
    json.dumps(data)


def test_format_detection_is_readable(tmp_path: Path) -> None:
    files = {
        "package.json": pkg({"next": "15", "posthog-js": "1", "openai": "4"}),
        "package-lock.json": "{}",
        "app/layout.tsx": "x",
        "app/api/route.ts": OPENAI_IMPORT,
        "services/api/go.mod": "module x\n",
        "services/api/main.go": "package main\n",
    }
    text = format_detection(detect_project(write_tree(tmp_path, files)))
    assert "Next.js [nextjs], router: app" in text
    assert "Package manager:  npm" in text
    assert "PostHog:          installed (posthog-js)" in text
    assert "app/api/route.ts:1  openai (import)" in text
    assert "services/api" in text and "Go [go]" in text


def test_docs_requirements_and_native_shells_are_not_subprojects(tmp_path: Path) -> None:
    files = {
        "package.json": pkg({"react-native": "0.76", "expo": "~52"}),
        "docs/requirements.txt": "sphinx\nfuro\n",
        "docs/conf.py": "project = 'x'\n",
        "ios/Podfile": "platform :ios\n",
        "ios/App.xcodeproj/project.pbxproj": "{}",
        "android/settings.gradle": "",
        "android/app/build.gradle": "apply plugin: 'com.android.application'\n",
        "server/package.json": pkg({"express": "^4"}, scripts={"start": "node ."}),
    }
    result = detect_project(write_tree(tmp_path, files))
    assert (result.framework, result.mode) == ("react-native", "expo")
    assert [(s.path, s.framework) for s in result.subprojects] == [("server", "javascript_node")]
