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
