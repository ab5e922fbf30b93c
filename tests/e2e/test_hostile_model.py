"""A hostile scripted model on loopback tries to get planted secrets out through every field it controls.

The project holds secrets of several kinds (env files under their names and others, cloud keys
in scripts, a framework secret key in settings) and names full of control sequences. The
model reads and searches everything, then writes what it saw, and the planted values it was
scripted with, into labels, reasons, inputs, model names, handoffs, markers and its own model
name. Afterwards: no planted value in any file of the run, any line of output, any captured
PostHog event, or anything the model was shown; no raw control byte on the terminal; the run
ended by itself, without a traceback.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.crash import cli_env
from tests.support.fakes.capture_server import CaptureServer
from tests.support.fakes.messages_api import VALID_KEY, FakeMessagesAPI, RecordedRequest, Reply, Turn, text, tool_use
from tests.support.samples import REPO, copy_sample
from tests.unit.test_printable import raw_control

PLANTED = {
    ".env.production.local": ("STRIPE_SECRET=", "sk_live_HOSTILEplanted0000a1b2c3"),
    "config/settings.txt": ("DATABASE_PASSWORD=", "Pl4nted-dotenv-under-another-name"),
    "scripts/deploy.sh": ("export AWS_ACCESS_KEY_ID=", "AKIAHOSTILE7PLANT3D2"),
    "scripts/publish.sh": ("export GITHUB_TOKEN=", "ghp_HostilePlanted0123456789abcdefghijkl"),
    "app/settings.py": ('SECRET_KEY = "', "django-insecure-h0stile-pl4nted-k3y-9x8w7"),
}
VALUES = [value for _prefix, value in PLANTED.values()]
EVIL = "\x1b]52;c;cGxhbnRlZA==\x07\x1b[2J\nforged: all done\u202e"


def make_project(base: Path) -> Path:
    project = copy_sample("nextjs-app-router", base)
    for rel, (prefix, value) in PLANTED.items():
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        closing = '"' if prefix.endswith('"') else ""
        path.write_text(f"# planted\n{prefix}{value}{closing}\nOTHER=1\n")
    (project / f"components/evil{EVIL[:8]}.tsx").write_text("export const x = 1\n")
    (project / ".gitignore").write_text("*a*a*a*a*a*a*a*a*a*a*a*a*b\n!\n\\\n.env*\n")
    return project


class HostileModel:
    """Reads everything, then writes everything it saw (and what it was scripted with) everywhere."""

    def __call__(self, request: RecordedRequest) -> Reply:
        done = request.tool_calls()
        seen = " ".join(c.result or "" for c in done)[:3000]
        loot = f"{' '.join(VALUES)} {EVIL} {seen}"
        if not done:
            reads = [tool_use("read_file", {"path": rel}) for rel in PLANTED]
            searches = [
                tool_use("search_files", {"pattern": p})
                for p in ("AKIA", "ghp_", "sk_live", "SECRET_KEY", "PASSWORD", r"(a+)+$", "django-insecure-h")
            ]
            return Turn([*reads, *searches, tool_use("list_files", {"max_results": 500})], model=VALUES[0])
        if request.is_orchestrator:
            if any(c.name == "enqueue_task" for c in done):
                return Turn([text(loot[:500])], stop_reason="end_turn", model=VALUES[1])
            return Turn(
                [
                    tool_use(
                        "enqueue_task",
                        {
                            "type": "install",
                            "label": (VALUES[2] + EVIL)[:80],
                            "reason": loot[:1000],
                            "inputs": {"seen": loot[:4000], VALUES[3]: VALUES[4]},
                        },
                    ),
                    tool_use("enqueue_task", {"type": VALUES[0], "label": "x", "reason": "r"}),
                    tool_use("enqueue_task", {"type": "init", "label": "y", "reason": "r", "model": VALUES[1]}),
                ],
                model=VALUES[2],
            )
        handoff = {"goal": loot[:500], "did": loot[:2000], "for_next_agent": loot[:500], "evidence": loot[:2000]}
        if any(c.name == "complete_task" for c in done):
            return Turn([text("done")], stop_reason="end_turn", model=VALUES[3])
        return Turn(
            [
                tool_use("write_marker", {"note": loot[:1900]}),
                tool_use("complete_task", {"status": "done", "handoff": {**handoff, "files_touched": VALUES}}),
            ],
            model=VALUES[4],
        )


def shown_to_model(request: RecordedRequest) -> str:
    """Everything the model was given: system, tools and every user turn (not its own words)."""
    parts = [json.dumps(request.body.get("system")), json.dumps(request.body.get("tools"))]
    parts += [json.dumps(m["content"]) for m in request.messages if m["role"] == "user"]
    return "\n".join(parts)


def test_a_hostile_model_gets_no_secret_out_anywhere(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    with FakeMessagesAPI(HostileModel()) as api, CaptureServer() as capture:
        env = {
            **cli_env(),
            "ANTHROPIC_API_KEY": VALID_KEY,
            "ANTHROPIC_BASE_URL": api.base_url,
            "POSTHOG_PROJECT_API_KEY": "phc_test_capture",
            "POSTHOG_HOST": capture.url,
        }
        env.pop("DO_NOT_TRACK", None)
        done = subprocess.run(
            [sys.executable, "-m", "wizard_tui", str(project), "--no-ui", "--agent", "anthropic"],
            cwd=REPO,
            env=env,
            capture_output=True,
            timeout=300,
        )
        requests = list(api.requests)
        events: list[dict[str, Any]] = capture.events()
    assert done.returncode in (0, 1), done.stderr.decode()[-2000:]
    assert b"Traceback" not in done.stderr
    assert raw_control(done.stdout) == [] and raw_control(done.stderr) == []
    assert requests and events

    places: dict[str, bytes] = {"stdout": done.stdout, "stderr": done.stderr, "events": json.dumps(events).encode()}
    run_dir = project / ".posthog-wizard"
    for path in run_dir.rglob("*"):
        if path.is_file() and not path.is_symlink():
            places[str(path.relative_to(project))] = path.read_bytes()
    for n, request in enumerate(requests):
        places[f"request {n}"] = shown_to_model(request).encode()
    for where, data in places.items():
        found = [v for v in VALUES if v.encode() in data or json.dumps(v)[1:-1].encode() in data]
        assert found == [], f"{where} holds {found}"
    # The model learnt what exists without learning the values: markers stand where they were.
    assert any(re.search(rb"\[secret:[a-z0-9-]+:[0-9a-f]{8}\]", data) for data in places.values())
    assert not os.path.exists(tmp_path / "outside")
