"""A fixed detection result, so outputs pinned by goldens do not move when detection improves."""

from __future__ import annotations

import json
from typing import Any

DETECTION: dict[str, Any] = {
    "framework": "nextjs",
    "name": "Next.js",
    "evidence": ["package.json: dependencies.next", "router: app (app/layout.tsx)"],
    "package_manager": "npm",
    "router": "app",
    "posthog_installed": False,
    "llm_calls": [
        {"file": "app/api/chat/route.ts", "line": 1, "sdk": "openai", "kind": "import"},
        {"file": "app/api/chat/route.ts", "line": 16, "sdk": "openai", "kind": "call"},
    ],
    "llm_sdks": ["openai"],
    "subprojects": [],
}


class FixedDetection:
    """Stands in for `detect_project`'s result: the golden must not move when detection does."""

    framework = DETECTION["framework"]

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        return json.loads(json.dumps(DETECTION))
