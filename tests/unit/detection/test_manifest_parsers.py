"""The manifest parsers read declarations with real parsers, and never run or expand what they read."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from tests.support.trees import write_tree
from wizard_tui.detection import detect_project
from wizard_tui.detection.frameworks import FRAMEWORK_ORDER, RULES
from wizard_tui.detection.languages import LANGUAGE_BY_EXT, LANGUAGES
from wizard_tui.detection.manifests import MANIFESTS, read_dir
from wizard_tui.detection.python_manifests import MAX_REQUIREMENTS, requirement_name
from wizard_tui.domain.frameworks import FRAMEWORKS


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Django>=4.2", "django"),
        ("Flask_SQLAlchemy[async] >= 3 ; python_version > '3.8'", "flask-sqlalchemy"),
        ("posthog @ https://example.invalid/posthog-3.0-py3-none-any.whl", "posthog"),
        ("Django>=1.8.*", "django"),  # a legacy version part packaging refuses: the name still counts
        ("requests==2.31 --hash=sha256:0123", "requests"),
        ("-e git+https://example.invalid/a/b.git#egg=My_Pkg", "my-pkg"),
        ("git+https://example.invalid/a/b.git", None),
        ("./vendor/lib", None),
        ("-r base.txt", None),
        ("--index-url https://example.invalid/simple", None),
        ("# openai", None),
    ],
)
def test_requirement_lines(line: str, name: str | None) -> None:
    assert requirement_name(line) == name


def test_a_requirements_file_declares_at_most_the_cap_but_comments_and_options_are_free(tmp_path: Path) -> None:
    lines = ["# pinned by pip-compile", "--index-url https://example.invalid/simple"] * 3000
    lines += [f"package-{i}==1.0" for i in range(MAX_REQUIREMENTS + 10)]
    info = read_dir(write_tree(tmp_path, {"requirements.txt": "\n".join(lines)}).resolve(), "")
    assert len(info.deps["pypi"]) == MAX_REQUIREMENTS
    assert "package-0" in info.deps["pypi"]


def test_setup_py_is_read_from_its_syntax_tree_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    files = {
        "setup.py": (
            f"open({str(marker)!r}, 'w').write('setup.py was executed')\n"
            "from setuptools import setup\n"
            "# install_requires=['commented-out']\n"
            "setup(name='app', install_requires=['openai[datalib]>=1', 'posthog'])\n"
        ),
        "app.py": "print('hi')\n",
    }
    info = read_dir(write_tree(tmp_path, files).resolve(), "")
    assert not marker.exists()
    assert set(info.deps["pypi"]) == {"openai", "posthog"}


def test_setup_cfg_options_install_requires(tmp_path: Path) -> None:
    cfg = "[metadata]\nname = app\n\n[options]\ninstall_requires =\n    litellm>=1\n    posthog\n"
    info = read_dir(write_tree(tmp_path, {"setup.cfg": cfg}).resolve(), "")
    assert set(info.deps["pypi"]) == {"litellm", "posthog"}


POM = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<project xmlns="http://maven.apache.org/POM/4.0.0">\n'
    "  <!-- <dependency><groupId>com.openai</groupId><artifactId>openai-java</artifactId></dependency> -->\n"
    "  <dependencies><dependency>\n"
    "    <exclusions><exclusion><groupId>org.other</groupId><artifactId>x</artifactId></exclusion></exclusions>\n"
    "    <groupId>com.anthropic</groupId><artifactId>anthropic-java</artifactId>\n"
    "  </dependency></dependencies>\n"
    "</project>\n"
)


def test_pom_dependencies_come_from_the_xml_tree(tmp_path: Path) -> None:
    info = read_dir(write_tree(tmp_path, {"pom.xml": POM}).resolve(), "")
    assert set(info.deps["maven"]) == {"com.anthropic:anthropic-java"}


def test_pom_with_entity_declarations_is_refused(tmp_path: Path) -> None:
    # Ten entities, each expanding to ten of the one before: a billion letters if expanded.
    levels = "abcdefghij"
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {name} "{f"&{before};" * 10}">' for before, name in pairwise(levels)
    )
    bomb = (
        f'<?xml version="1.0"?>\n<!DOCTYPE project [{entities}]>\n<project><name>&j;</name>'
        "<dependencies><dependency><groupId>com.openai</groupId>"
        "<artifactId>openai-java</artifactId></dependency></dependencies></project>\n"
    )
    result = detect_project(write_tree(tmp_path, {"pom.xml": bomb, "src/main/java/App.java": "class App {}\n"}))
    assert result.framework == "java"
    assert result.llm_calls == []


def test_every_framework_id_has_one_rule_in_the_domain_order() -> None:
    assert tuple(rule.id for rule in RULES) == FRAMEWORK_ORDER
    assert len(set(FRAMEWORK_ORDER)) == len(FRAMEWORK_ORDER)
    assert set(FRAMEWORK_ORDER) == set(FRAMEWORKS)
    assert FRAMEWORK_ORDER[-1] == "unknown"


def test_every_extension_belongs_to_one_language_and_every_manifest_kind_is_named_once() -> None:
    extensions = [ext for language in LANGUAGES for ext in language.extensions]
    assert len(extensions) == len(set(extensions)) == len(LANGUAGE_BY_EXT)
    kinds = [manifest.kind for manifest in MANIFESTS]
    assert len(kinds) == len(set(kinds))
