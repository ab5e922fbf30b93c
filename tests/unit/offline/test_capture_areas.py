"""The offline orchestrator's capture follow-ups: each one a label of its own."""

from __future__ import annotations

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
