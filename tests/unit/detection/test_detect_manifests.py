"""Package manager from lock files and PostHog from declarations (never from prose)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.trees import write_tree
from wizard_tui.detection import detect_project


def pkg(deps: dict[str, str] | None = None, **extra: object) -> str:
    return json.dumps({"name": "app", "dependencies": deps or {}, **extra})


NODE = {"package.json": pkg({"express": "^4"})}


@pytest.mark.parametrize(
    ("lock", "manager"),
    [
        ("package-lock.json", "npm"),
        ("pnpm-lock.yaml", "pnpm"),
        ("yarn.lock", "yarn"),
        ("bun.lockb", "bun"),
        ("bun.lock", "bun"),
    ],
)
def test_js_lock_files(tmp_path: Path, lock: str, manager: str) -> None:
    result = detect_project(write_tree(tmp_path, {**NODE, lock: ""}))
    assert result.package_manager == manager
    assert any(lock in e for e in result.evidence)


def test_two_js_lock_files_of_different_managers_are_ambiguous(tmp_path: Path) -> None:
    result = detect_project(write_tree(tmp_path, {**NODE, "package-lock.json": "{}", "yarn.lock": ""}))
    assert result.package_manager is None
    assert any("ambiguous" in e for e in result.evidence)


def test_package_manager_field_settles_two_lock_files(tmp_path: Path) -> None:
    files = {
        "package.json": pkg({"express": "^4"}, packageManager="pnpm@9.12.1"),
        "package-lock.json": "{}",
        "pnpm-lock.yaml": "",
    }
    assert detect_project(write_tree(tmp_path, files)).package_manager == "pnpm"


def test_package_json_without_lock_defaults_to_npm(tmp_path: Path) -> None:
    assert detect_project(write_tree(tmp_path, NODE)).package_manager == "npm"


@pytest.mark.parametrize(
    ("files", "manager"),
    [
        ({"requirements.txt": "flask\n"}, "pip"),
        ({"requirements.txt": "flask\n", "poetry.lock": ""}, "poetry"),
        ({"pyproject.toml": '[project]\nname="x"\ndependencies=["flask"]\n', "uv.lock": ""}, "uv"),
        ({"Pipfile": '[packages]\nflask = "*"\n', "Pipfile.lock": "{}"}, "pipenv"),
        ({"Pipfile": '[packages]\nflask = "*"\n'}, "pipenv"),
        ({"requirements/base.txt": "flask\n"}, "pip"),
        (
            {"pyproject.toml": '[tool.poetry]\nname="x"\n[tool.poetry.dependencies]\nflask="^3"\n'},
            "poetry",
        ),
        ({"requirements.txt": "flask\n", "poetry.lock": "", "uv.lock": ""}, None),
    ],
)
def test_python_package_managers(tmp_path: Path, files: dict[str, str], manager: str | None) -> None:
    result = detect_project(write_tree(tmp_path, files))
    assert result.framework == "flask"
    assert result.package_manager == manager


def test_lock_files_of_other_ecosystems_do_not_conflict(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "Django==5.1\n",
        "manage.py": "import django\n",
        "package-lock.json": "{}",
        "package.json": pkg({"htmx.org": "^2"}),
    }
    result = detect_project(write_tree(tmp_path, files))
    assert (result.framework, result.package_manager) == ("django", "pip")


@pytest.mark.parametrize(
    ("files", "framework", "manager"),
    [
        (
            {"composer.json": '{"require": {"laravel/framework": "^11"}}', "composer.lock": "{}"},
            "laravel",
            "composer",
        ),
        ({"Gemfile": "gem 'rails'\n", "Gemfile.lock": ""}, "rails", "bundler"),
        ({"go.mod": "module x\n", "go.sum": ""}, "go", "go"),
        ({"Cargo.toml": '[package]\nname="x"\n', "Cargo.lock": ""}, "rust", "cargo"),
        ({"pom.xml": "<project/>"}, "java", "maven"),
        ({"build.gradle": "plugins { id 'java' }\n", "settings.gradle": ""}, "java", "gradle"),
        ({"mix.exs": "defmodule X do\nend\n", "mix.lock": ""}, "elixir", "mix"),
        ({"pubspec.yaml": "name: x\nflutter:\n  uses-material-design: true\n"}, "flutter", "pub"),
        ({"Package.swift": "// swift-tools-version:5.9\n"}, "swift", "swiftpm"),
        (
            {"App.xcodeproj/project.pbxproj": "{}", "Podfile": "pod 'Alamofire'\n"},
            "swift",
            "cocoapods",
        ),
    ],
)
def test_other_ecosystems(tmp_path: Path, files: dict[str, str], framework: str, manager: str) -> None:
    result = detect_project(write_tree(tmp_path, files))
    assert (result.framework, result.package_manager) == (framework, manager)


def test_unknown_project_has_no_package_manager(tmp_path: Path) -> None:
    assert detect_project(write_tree(tmp_path, {"notes.md": "npm install"})).package_manager is None


# --- PostHog ------------------------------------------------------------------------------


def test_posthog_in_readme_only_is_not_installed(tmp_path: Path) -> None:
    files = {
        **NODE,
        "README.md": "We use PostHog: `npm install posthog-js posthog-node`, `pip install posthog`",
        "docs/setup.mdx": "import posthog from 'posthog-js'\n",
        "src/index.js": "// import posthog from 'posthog-js'\nconsole.log('posthog-js')\n",
        ".env.example": "POSTHOG_KEY=phc_xxx\n",
    }
    result = detect_project(write_tree(tmp_path, files))
    assert result.posthog_installed is False
    assert result.posthog_packages == []


@pytest.mark.parametrize(
    ("files", "package"),
    [
        ({"package.json": pkg({"posthog-js": "^1.170"})}, "posthog-js"),
        ({"package.json": json.dumps({"devDependencies": {"posthog-node": "^4"}})}, "posthog-node"),
        ({"package.json": pkg({"@posthog/react": "^1"})}, "@posthog/react"),
        (
            {"package.json": pkg({"posthog-react-native": "^3", "react-native": "0.76"})},
            "posthog-react-native",
        ),
        ({"requirements.txt": "Django\nposthog==3.7.0\n"}, "posthog"),
        ({"pyproject.toml": '[project]\nname="x"\ndependencies=["posthog[ai]>=6"]\n'}, "posthog"),
        ({"Gemfile": "gem 'rails'\ngem 'posthog-ruby'\n"}, "posthog-ruby"),
        ({"composer.json": '{"require": {"posthog/posthog-php": "^3"}}'}, "posthog/posthog-php"),
        (
            {"go.mod": "module x\n\nrequire (\n\tgithub.com/posthog/posthog-go v1.2.0\n)\n"},
            "github.com/posthog/posthog-go",
        ),
        (
            {"pubspec.yaml": "name: x\ndependencies:\n  posthog_flutter: ^4.0.0\n"},
            "posthog_flutter",
        ),
        ({"mix.exs": 'defp deps, do: [{:posthog, "~> 1.0"}]\n'}, "posthog"),
        (
            {
                "settings.gradle.kts": "",
                "app/build.gradle.kts": ('dependencies { implementation("com.posthog:posthog-android:3.+") }\n'),
            },
            "com.posthog:posthog-android",
        ),
        (
            {"Podfile": "target 'App' do\n  pod 'PostHog', '~> 3.0'\nend\n", "App.xcodeproj/x": ""},
            "posthog",
        ),
    ],
)
def test_declared_posthog_sdk(tmp_path: Path, files: dict[str, str], package: str) -> None:
    result = detect_project(write_tree(tmp_path, files))
    assert result.posthog_installed is True
    assert package in result.posthog_packages


def test_posthog_in_a_comment_of_a_manifest_is_not_installed(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "flask\n# posthog\n",
        "Gemfile": "# gem 'posthog-ruby'\ngem 'rails'\n",
        "build.gradle": "dependencies {\n  // implementation 'com.posthog:posthog-android:3.0'\n}\n",
        "pom.xml": "<project><!-- <dependency><groupId>com.posthog</groupId>"
        "<artifactId>posthog</artifactId></dependency> --></project>",
        "mix.exs": 'defp deps do\n  # {:posthog, "~> 1.0"}\n  []\nend\n',
    }
    assert detect_project(write_tree(tmp_path, files)).posthog_installed is False


def test_broken_manifests_do_not_crash(tmp_path: Path) -> None:
    files = {
        "package.json": "{ not json",
        "pyproject.toml": "[project\nname=",
        "pubspec.yaml": "a: [b",
        "Cargo.toml": "[[[",
        "composer.json": "nope",
    }
    result = detect_project(write_tree(tmp_path, files))
    assert result.framework in {"python", "javascript_node", "rust"}
    assert not result.posthog_installed


SNIPPET = (
    "<script>\n"
    "  !function(t,e){var o,n,p,r;e.__SV||(window.posthog=e,e._i=[],e.init=function(i,s,a){"
    "p.src=s.api_host+'/static/array.js'})}(document,window.posthog||[]);\n"
    "  posthog.init('phc_123', {api_host: 'https://us.i.posthog.com'})\n"
    "</script>\n"
)


def test_posthog_web_snippet_in_a_page_counts(tmp_path: Path) -> None:
    files = {"index.html": f"<html><head>{SNIPPET}</head></html>", "app.js": "console.log(1)\n"}
    result = detect_project(write_tree(tmp_path, files))
    assert result.posthog_installed
    assert result.posthog_packages == ["posthog-js (web snippet)"]
    assert any("index.html" in e for e in result.evidence)


def test_commented_out_posthog_snippet_does_not_count(tmp_path: Path) -> None:
    files = {"index.html": f"<html><!-- {SNIPPET} --></html>", "docs/posthog.md": SNIPPET}
    assert detect_project(write_tree(tmp_path, files)).posthog_installed is False
