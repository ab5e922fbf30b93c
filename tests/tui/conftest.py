"""TUI test set-up: snapshots live in tests/__snapshots__/ (waiting helpers: tests/support/pilot.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_textual_snapshot

SNAPSHOT_ROOT = Path(__file__).resolve().parent.parent / "__snapshots__"


def _shared_dirname(cls: type, *, test_location: object) -> str:
    return str(SNAPSHOT_ROOT / test_location.basename)  # type: ignore[attr-defined]


# The plugin files SVGs next to each test module; the project keeps them all in one folder.
pytest_textual_snapshot.SVGImageExtension.dirname = classmethod(_shared_dirname)  # type: ignore[method-assign,assignment]


@pytest.fixture
def install_dir(tmp_path: Path) -> Path:
    path = tmp_path / "acme-shop"
    path.mkdir()
    return path
