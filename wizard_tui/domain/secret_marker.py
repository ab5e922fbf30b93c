"""What a secret value looks like in everything an agent is shown: `[secret:<kind>:<8 hex>]`.

The engine's scanner writes these markers in place of secret values (`engine/tools/secret_scan.py`);
agents read them, and the offline agent keeps its edits off the lines that hold one (a patch
cannot show such a line, so a change right above it is refused). One pattern for both sides.
"""

from __future__ import annotations

import re

SECRET_MARKER = re.compile(r"\[secret:[a-z0-9-]{1,40}:[0-9a-f]{8}\]")


def holds_secret(line: str) -> bool:
    """Whether a line as an agent reads it holds a secret value (a marker stands for it)."""
    return SECRET_MARKER.search(line) is not None
