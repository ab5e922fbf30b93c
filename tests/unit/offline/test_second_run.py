"""A second run on an applied project: what the bodies say and propose when PostHog is already there."""

from __future__ import annotations

from wizard_tui.agents.offline.bodies import already_instrumented


def test_the_instrumented_reason_agrees_with_the_number_of_packages() -> None:
    one = already_instrumented({"posthog_installed": True, "posthog_packages": ["posthog-js"]})
    several = already_instrumented(
        {"posthog_installed": True, "posthog_packages": ["@posthog/ai", "posthog-js", "posthog-node"]}
    )
    assert one == "PostHog is already set up in this project (posthog-js is declared)"
    assert several == "PostHog is already set up in this project (@posthog/ai, posthog-js, posthog-node are declared)"
    assert already_instrumented({"posthog_installed": True}) == (
        "PostHog is already set up in this project (a PostHog SDK is declared)"
    )
    assert already_instrumented({"posthog_installed": False, "posthog_packages": ["posthog"]}) is None
