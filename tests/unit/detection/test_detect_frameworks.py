"""Framework detection: one minimal fixture per SPEC §5 framework, and the ordering cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.trees import write_tree
from wizard_tui.detection import FRAMEWORK_NAMES, FRAMEWORK_ORDER, detect_project


def pkg(deps: dict[str, str] | None = None, dev: dict[str, str] | None = None, **extra: object) -> str:
    data: dict[str, object] = {"name": "app", "version": "1.0.0", **extra}
    if deps:
        data["dependencies"] = deps
    if dev:
        data["devDependencies"] = dev
    return json.dumps(data)


GRADLE_ANDROID_APP = 'plugins {\n    id("com.android.application")\n}\nandroid { namespace = "x" }\n'
MANIFEST_XML = '<manifest xmlns:android="http://schemas.android.com/apk/res/android"/>\n'

FIXTURES: dict[str, dict[str, str]] = {
    "nextjs": {
        "package.json": pkg({"next": "14.2.0", "react": "18.3.1", "react-dom": "18.3.1"}),
        "app/layout.tsx": "export default function RootLayout() { return null }\n",
    },
    "nuxt": {"package.json": pkg({"nuxt": "^3.13.0", "vue": "^3.5.0"}), "app.vue": "<template/>\n"},
    "vue": {
        "package.json": pkg({"vue": "^3.5.0"}, {"vite": "^5.4.0"}),
        "index.html": "<div id=app>",
    },
    "react-router": {
        "package.json": pkg({"react-router": "^7.1.0"}, {"@react-router/dev": "^7.1.0"}),
        "react-router.config.ts": "export default { ssr: true }\n",
        "app/root.tsx": "export default function App() { return null }\n",
    },
    "tanstack-start": {
        "package.json": pkg({"@tanstack/react-start": "^1.0.0", "@tanstack/react-router": "^1.0.0"}),
    },
    "tanstack-router": {
        "package.json": pkg({"@tanstack/react-router": "^1.0.0", "react-dom": "^18"}, {"vite": "^5"}),
    },
    "react-native": {"package.json": pkg({"react-native": "0.76.0", "expo": "~52.0.0"})},
    "angular": {"package.json": pkg({"@angular/core": "^18.0.0", "rxjs": "^7"})},
    "astro": {"package.json": pkg({"astro": "^4.16.0"})},
    "django": {
        "requirements.txt": "Django==5.1.2\ngunicorn==23.0.0\n",
        "manage.py": ("import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n"),
    },
    "flask": {
        "pyproject.toml": ('[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\npython = "^3.11"\nFlask = "^3.0"\n'),
    },
    "fastapi": {"Pipfile": '[packages]\nfastapi = "*"\nuvicorn = "*"\n'},
    "laravel": {
        "composer.json": json.dumps({"require": {"php": "^8.2", "laravel/framework": "^11.0"}}),
        "artisan": "#!/usr/bin/env php\n<?php\n",
    },
    "sveltekit": {"package.json": pkg(dev={"@sveltejs/kit": "^2.0.0", "svelte": "^5", "vite": "^5"})},
    "flutter": {
        "pubspec.yaml": "name: app\ndependencies:\n  flutter:\n    sdk: flutter\n",
        "lib/main.dart": "void main() {}\n",
    },
    "kmp": {
        "settings.gradle.kts": 'include(":shared")\n',
        "build.gradle.kts": "plugins { }\n",
        "shared/build.gradle.kts": 'plugins {\n    kotlin("multiplatform")\n}\n',
        "shared/src/commonMain/kotlin/Greeting.kt": "class Greeting\n",
    },
    "swift": {
        "MyApp.xcodeproj/project.pbxproj": "// !$*UTF8*$!\n{ }\n",
        "MyApp/ContentView.swift": "import SwiftUI\n",
    },
    "android": {
        "settings.gradle.kts": 'include(":app")\n',
        "build.gradle.kts": "plugins { }\n",
        "app/build.gradle.kts": GRADLE_ANDROID_APP,
        "app/src/main/AndroidManifest.xml": MANIFEST_XML,
    },
    "rails": {
        "Gemfile": 'source "https://rubygems.org"\ngem "rails", "~> 7.2"\n',
        "bin/rails": "#!/usr/bin/env ruby\n",
    },
    "elixir": {"mix.exs": "defmodule App.MixProject do\n  use Mix.Project\nend\n"},
    "go": {"go.mod": "module example.com/app\n\ngo 1.22\n", "main.go": "package main\n"},
    "rust": {
        "Cargo.toml": '[package]\nname = "app"\nversion = "0.1.0"\n',
        "src/main.rs": "fn main() {}\n",
    },
    "java": {"pom.xml": "<project><modelVersion>4.0.0</modelVersion></project>\n"},
    "python": {"pyproject.toml": '[project]\nname = "tool"\ndependencies = ["requests>=2"]\n'},
    "ruby": {"Gemfile": 'source "https://rubygems.org"\ngem "sinatra"\n', "config.ru": "run App\n"},
    "javascript_web": {
        "package.json": pkg({"react": "^18", "react-dom": "^18"}, {"vite": "^5.4.0"}),
        "index.html": "<!doctype html><div id=root></div>\n",
    },
    "javascript_node": {"package.json": pkg({"express": "^4.21.0"}, scripts={"start": "node index.js"})},
    "unknown": {"README.md": "# Nothing here\nUses Next.js, Django and OpenAI in prose only.\n"},
}


def test_every_framework_of_the_spec_has_a_fixture() -> None:
    assert set(FIXTURES) == set(FRAMEWORK_ORDER)
    assert list(FRAMEWORK_ORDER[:3]) == ["nextjs", "nuxt", "vue"]
    assert FRAMEWORK_ORDER[-1] == "unknown"


@pytest.mark.parametrize("framework", list(FIXTURES))
def test_minimal_fixture_is_detected(tmp_path: Path, framework: str) -> None:
    result = detect_project(write_tree(tmp_path, FIXTURES[framework]))
    assert result.framework == framework, result.evidence
    assert result.name == FRAMEWORK_NAMES[framework]
    if framework != "unknown":
        assert result.evidence, "a match always says why"
    assert not result.truncated


def test_evidence_names_the_file_and_key(tmp_path: Path) -> None:
    result = detect_project(write_tree(tmp_path, FIXTURES["nextjs"]))
    assert "package.json: dependencies.next" in result.evidence


# --- ordering cases -------------------------------------------------------------------------


def test_go_backend_with_bundler_only_frontend_is_go(tmp_path: Path) -> None:
    files = {**FIXTURES["go"], "package.json": pkg(dev={"vite": "^5", "tailwindcss": "^3"})}
    assert detect_project(write_tree(tmp_path, files)).framework == "go"


def test_go_backend_with_next_frontend_is_nextjs(tmp_path: Path) -> None:
    files = {**FIXTURES["go"], "package.json": pkg({"next": "15.0.0"})}
    assert detect_project(write_tree(tmp_path, files)).framework == "nextjs"


def test_rust_backend_with_webpack_frontend_is_rust(tmp_path: Path) -> None:
    files = {**FIXTURES["rust"], "package.json": pkg(dev={"webpack": "^5"}), "index.html": "<html>"}
    assert detect_project(write_tree(tmp_path, files)).framework == "rust"


def test_tanstack_start_wins_over_tanstack_router(tmp_path: Path) -> None:
    files = {"package.json": pkg({"@tanstack/react-router": "^1", "@tanstack/react-start": "^1"})}
    assert detect_project(write_tree(tmp_path, files)).framework == "tanstack-start"


def test_flutter_app_with_android_folder_is_flutter(tmp_path: Path) -> None:
    files = {
        **FIXTURES["flutter"],
        "android/settings.gradle": "include ':app'\n",
        "android/build.gradle": "buildscript { }\n",
        "android/app/build.gradle": "apply plugin: 'com.android.application'\n",
        "android/app/src/main/AndroidManifest.xml": MANIFEST_XML,
        "ios/Runner.xcodeproj/project.pbxproj": "{ }\n",
    }
    result = detect_project(write_tree(tmp_path, files))
    assert result.framework == "flutter"
    assert result.package_manager == "pub"
    assert result.subprojects == [], "the native shells belong to the Flutter app"


def test_python_fallback_only_without_a_web_framework(tmp_path: Path) -> None:
    plain = write_tree(tmp_path / "plain", {"requirements.txt": "requests\nrich\n", "cli.py": "print()\n"})
    flask = write_tree(tmp_path / "flask", {"requirements.txt": "requests\nflask>=3\n"})
    both = write_tree(tmp_path / "both", {"requirements.txt": "flask\ndjango\n"})
    assert detect_project(plain).framework == "python"
    assert detect_project(flask).framework == "flask"
    assert detect_project(both).framework == "django", "Django comes before Flask"


def test_django_from_manage_py_alone(tmp_path: Path) -> None:
    files = {
        "manage.py": FIXTURES["django"]["manage.py"],
        "pyproject.toml": '[project]\nname="x"\n',
    }
    assert detect_project(write_tree(tmp_path, files)).framework == "django"


def test_flask_and_fastapi_from_entry_file_imports(tmp_path: Path) -> None:
    flask = write_tree(tmp_path / "f", {"app.py": "from flask import Flask\napp = Flask(__name__)\n"})
    fast = write_tree(
        tmp_path / "a",
        {"requirements.txt": "uvicorn\n", "src/svc/main.py": "from fastapi import FastAPI\n"},
    )
    commented = write_tree(tmp_path / "c", {"requirements.txt": "x\n", "app.py": "# from flask import Flask\n"})
    assert detect_project(flask).framework == "flask"
    assert detect_project(fast).framework == "fastapi"
    assert detect_project(commented).framework == "python"


def test_pyproject_extras_do_not_decide_the_framework(tmp_path: Path) -> None:
    toml = (
        '[project]\nname = "lib"\ndependencies = ["httpx"]\n[project.optional-dependencies]\ndjango = ["django>=4"]\n'
    )
    assert detect_project(write_tree(tmp_path, {"pyproject.toml": toml})).framework == "python"


def test_laravel_with_vue_front_end_is_laravel(tmp_path: Path) -> None:
    files = {
        **FIXTURES["laravel"],
        "package.json": pkg(dev={"vue": "^3", "vite": "^5", "laravel-vite-plugin": "^1"}),
    }
    result = detect_project(write_tree(tmp_path, files))
    assert result.framework == "laravel"
    assert result.package_manager == "composer"


def test_astro_with_vue_islands_is_astro(tmp_path: Path) -> None:
    files = {"package.json": pkg({"astro": "^4", "@astrojs/vue": "^4", "vue": "^3"})}
    assert detect_project(write_tree(tmp_path, files)).framework == "astro"


def test_plain_vite_vue_is_vue(tmp_path: Path) -> None:
    assert detect_project(write_tree(tmp_path, FIXTURES["vue"])).framework == "vue"


def test_express_api_is_node_not_web(tmp_path: Path) -> None:
    files = {"package.json": pkg({"express": "^4"}, {"esbuild": "^0.24"})}
    assert detect_project(write_tree(tmp_path, files)).framework == "javascript_node"


def test_static_index_html_is_javascript_web(tmp_path: Path) -> None:
    files = {"index.html": "<!doctype html>", "main.js": "console.log(1)\n"}
    assert detect_project(write_tree(tmp_path, files)).framework == "javascript_web"


# --- Next.js router -------------------------------------------------------------------------


def _next(tmp_path: Path, extra: dict[str, str]) -> Path:
    return write_tree(tmp_path, {"package.json": pkg({"next": "15.0.0"}), **extra})


def test_nextjs_app_router(tmp_path: Path) -> None:
    result = detect_project(_next(tmp_path, {"app/(marketing)/layout.tsx": "x", "app/layout.tsx": "x"}))
    assert (result.framework, result.router) == ("nextjs", "app")


def test_nextjs_app_router_under_src(tmp_path: Path) -> None:
    result = detect_project(_next(tmp_path, {"src/app/layout.js": "x", "src/app/page.js": "x"}))
    assert result.router == "app"


def test_nextjs_pages_router(tmp_path: Path) -> None:
    result = detect_project(_next(tmp_path, {"src/pages/_app.tsx": "x", "src/pages/index.tsx": "x"}))
    assert result.router == "pages"


def test_nextjs_app_router_with_api_routes_in_pages_is_app(tmp_path: Path) -> None:
    result = detect_project(_next(tmp_path, {"app/layout.tsx": "x", "pages/api/hello.ts": "x"}))
    assert result.router == "app"


def test_nextjs_both_routers_is_null(tmp_path: Path) -> None:
    result = detect_project(_next(tmp_path, {"app/layout.tsx": "x", "pages/_app.tsx": "x"}))
    assert result.framework == "nextjs"
    assert result.router is None
    assert any("both" in e for e in result.evidence)


def test_nextjs_neither_router_is_null(tmp_path: Path) -> None:
    result = detect_project(_next(tmp_path, {"components/Button.tsx": "x"}))
    assert result.framework == "nextjs"
    assert result.router is None


# --- modes ----------------------------------------------------------------------------------


def test_react_router_framework_mode(tmp_path: Path) -> None:
    result = detect_project(write_tree(tmp_path, FIXTURES["react-router"]))
    assert result.mode == "framework"


def test_react_router_data_and_declarative_modes(tmp_path: Path) -> None:
    data = write_tree(
        tmp_path / "data",
        {
            "package.json": pkg({"react-router-dom": "^6.26", "react-dom": "^18"}),
            "src/main.tsx": "import { createBrowserRouter } from 'react-router-dom'\n",
        },
    )
    declarative = write_tree(
        tmp_path / "decl",
        {
            "package.json": pkg({"react-router-dom": "^6.26"}),
            "src/App.tsx": "export const App = () => <BrowserRouter><Routes/></BrowserRouter>\n",
        },
    )
    assert (detect_project(data).framework, detect_project(data).mode) == ("react-router", "data")
    assert detect_project(declarative).mode == "declarative"


def test_react_native_modes(tmp_path: Path) -> None:
    expo = detect_project(write_tree(tmp_path / "e", FIXTURES["react-native"]))
    bare = detect_project(write_tree(tmp_path / "b", {"package.json": pkg({"react-native": "0.76"})}))
    assert (expo.framework, expo.mode) == ("react-native", "expo")
    assert (bare.framework, bare.mode) == ("react-native", "bare")


def test_other_frameworks_have_no_router_or_mode(tmp_path: Path) -> None:
    result = detect_project(write_tree(tmp_path, FIXTURES["django"]))
    assert result.router is None and result.mode is None
