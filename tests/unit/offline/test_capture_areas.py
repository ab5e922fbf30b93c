"""The offline orchestrator's capture follow-ups: each one a label of its own."""

from __future__ import annotations

import json

import pytest

from tests.support.integrators import task_context
from wizard_tui.agents.offline import capture
from wizard_tui.agents.offline.orchestrate import pick_capture_areas


def test_areas_that_share_a_name_are_told_apart_by_their_file() -> None:
    areas = pick_capture_areas([], ["pages/signup.tsx", "app/signup/page.tsx", "app/chat/page.tsx"], [])
    labels = [a["label"] for a in areas]
    assert len(set(labels)) == len(labels) == 3
    assert labels == [
        "Capture: signup page (pages/signup.tsx)",
        "Capture: signup page (app/signup/page.tsx)",
        "Capture: chat page",  # a name of its own keeps the short label
    ]


def test_files_where_no_user_acts_are_no_area() -> None:
    pages = ["pages/_app.tsx", "pages/_document.tsx", "src/middleware.ts", "src/vite-env.d.ts", "pages/about.tsx"]
    areas = pick_capture_areas([], pages, [])
    assert [a["inputs"]["file"] for a in areas] == ["pages/about.tsx"]


def test_real_bodies_get_no_entry_point_when_nothing_stood_out() -> None:
    files = ["eslint.config.js", "src/main.jsx"]
    assert pick_capture_areas([], [], files, entry_fallback=False) == []
    # The skeleton's stub bodies still get one area to show the graph growing.
    stub = pick_capture_areas([], [], files)
    assert [a["inputs"]["file"] for a in stub] == ["src/main.jsx"]


def test_a_handler_that_changes_something_comes_before_get_routes() -> None:
    # express-generator: app.js and routes/index.js answer GET; routes/users.js takes the POST.
    matches = [
        {"file": "app.js", "text": "app.get('/health', ok)"},
        {"file": "routes/index.js", "text": "router.get('/', home)"},
        {"file": "routes/status.js", "text": "router.get('/status', status)"},
        {"file": "routes/users.js", "text": "router.post('/', create)"},
        {"file": "auth.py", "text": '@bp.route("/login", methods=("GET", "POST"))'},
    ]
    areas = pick_capture_areas(matches, [], [])
    assert [a["inputs"]["file"] for a in areas] == ["routes/users.js", "auth.py", "app.js"]


@pytest.mark.parametrize("file", ["app/signup/page.tsx", 'odd "dir"/sign up.tsx', "app/(auth)/[id]/page.tsx"])
def test_the_area_kept_for_the_seeded_capture_task_reads_back_from_the_handoff(file: str) -> None:
    sentence = capture.core_area_sentence("signup page", file)
    handoff = f"{sentence} Event names use snake case, like 'user_signed_up'; each capture task adds one call."
    assert capture.core_area_of(handoff) == {"area": "signup page", "file": file}
    assert capture.core_area_of("Event names use snake case.") is None
    assert capture.core_area_of(capture.CORE_AREA + '{"area": "x"}.') is None


NEXT = {"package.json": json.dumps({"dependencies": {"next": "15.3.2"}})}
ROUTE = "export async function POST(request: Request) {\n  return Response.json(await request.json());\n}\n"
SERVER_PAGE = "export default function Home() {\n  return <form action={save}><button /></form>;\n}\n"


@pytest.mark.parametrize(
    ("file", "text", "reason"),
    [
        ("app/api/chat/route.ts", ROUTE, "is a server route handler"),
        ("app/page.tsx", SERVER_PAGE, 'is a server component (no "use client")'),
    ],
)
async def test_server_only_next_files_are_no_place_for_a_browser_capture(file: str, text: str, reason: str) -> None:
    plan = await capture.plan_area(task_context({**NEXT, file: text}, "nextjs"), file, "area", "snake")
    assert not plan.changes and plan.skipped is not None and reason in plan.skipped
