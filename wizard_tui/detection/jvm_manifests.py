"""JVM manifests: Gradle build scripts, the Gradle version catalog, and Maven's pom.xml.

pom.xml is hostile input read with `defusedxml`, which refuses entity declarations (no
billion laughs, no external entities) before the standard library parses the tree.
Gradle scripts are Groovy or Kotlin programs with no parser for Python, so only the
quoted `group:artifact` coordinates in them count, with comments blanked first.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from wizard_tui.detection.dirinfo import DirInfo
from wizard_tui.detection.languages import LANGUAGE_BY_ID
from wizard_tui.detection.python_manifests import as_dict, load_toml
from wizard_tui.detection.source_scan import strip_comments

_COORDINATE = re.compile(r"[\"']([A-Za-z0-9_.\-]+):([A-Za-z0-9_.\-]+)(?::[^\"'\s]*)?[\"']")
_KOTLIN = LANGUAGE_BY_ID["jvm"]


def gradle_script(info: DirInfo, rel: str, text: str) -> None:
    text = strip_comments(text, _KOTLIN)  # a commented-out dependency is not declared
    info.texts[rel] = text
    for m in _COORDINATE.finditer(text):
        coordinate = f"{m.group(1)}:{m.group(2)}".lower()
        if "." in m.group(1):
            info.add("maven", coordinate, f"{rel}: {coordinate}")


def _catalog_coordinate(library: object) -> str:
    if isinstance(library, str):
        return ":".join(library.split(":")[:2])
    table = as_dict(library)
    if isinstance(table.get("module"), str):
        return str(table["module"])
    if isinstance(table.get("group"), str) and isinstance(table.get("name"), str):
        return f"{table['group']}:{table['name']}"
    return ""


def gradle_catalog(info: DirInfo, rel: str, text: str) -> None:
    """gradle/libs.versions.toml: its text is searched for plugin markers even when it is not TOML."""
    info.texts[rel] = text
    for alias, library in as_dict(as_dict(load_toml(text)).get("libraries")).items():
        coordinate = _catalog_coordinate(library)
        if coordinate:
            info.add("maven", coordinate.lower(), f"{rel}: libraries.{alias}")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]  # without the POM namespace


def _child_text(element: Element, name: str) -> str | None:
    child = next((c for c in element if _local(c.tag) == name), None)
    text = (child.text or "").strip() if child is not None else ""
    return text or None


def pom_xml(info: DirInfo, rel: str, text: str) -> None:
    """Every `<dependency>` with a groupId and an artifactId, managed and plugin ones too."""
    try:
        project = fromstring(text)
    except (ParseError, DefusedXmlException):
        return
    for element in project.iter():
        if _local(element.tag) != "dependency":
            continue
        group, artifact = _child_text(element, "groupId"), _child_text(element, "artifactId")
        if group and artifact:
            coordinate = f"{group}:{artifact}".lower()
            info.add("maven", coordinate, f"{rel}: {coordinate}")
