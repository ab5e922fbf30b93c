"""The real app on the anthropic backend and the fake Messages API, at 80x24: what a person sees
of the model's cost, of a wait on the model API, and of a model that cannot be reached."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from tests.support.clock import SequentialIds
from tests.support.fakes.messages_api import FakeMessagesAPI
from tests.support.fakes.skeleton_model import SkeletonModel
from tests.support.pilot import log_read, screen_text, settle, until
from wizard_tui.agents.anthropic_agent import AnthropicAgent
from wizard_tui.agents.retry import RetryPolicy
from wizard_tui.domain.spend import format_usd
from wizard_tui.engine.run import Run, RunConfig
from wizard_tui.tui.app import WizardApp
from wizard_tui.tui.run_view import Phase
from wizard_tui.tui.widgets.verdict_bar import VerdictBar

SMALL = (80, 24)
WAIT_S = 600.0  # what the backoff asks for: far longer than any test step, so the wait is still on when read


class HeldSleep:
    """The backend's sleep between retries: it records each wait and returns only once released."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.released = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await self.released.wait()


def _agent(api: FakeMessagesAPI, sleep: HeldSleep | None = None) -> AnthropicAgent:
    return AnthropicAgent(
        api_key="sk-ant-test",
        base_url=api.base_url,
        sleep=sleep or HeldSleep(),
        retry=RetryPolicy(base_delay_s=WAIT_S, max_delay_s=WAIT_S),
        rand=lambda: 0.0,
    )


def _on_screen(app: WizardApp) -> str:
    """The screen's rows joined: a sentence the verdict bar wraps reads whole again."""
    return " ".join(row.strip() for row in screen_text(app))


async def test_a_finished_run_shows_its_cost_in_dollars(sample: Callable[[str], Path]) -> None:
    with FakeMessagesAPI(SkeletonModel()) as api:
        agent = _agent(api)
        run = Run(RunConfig(install_dir=sample("django-app"), stub=True), agent, ids=SequentialIds())
        run.prepare()
        app = WizardApp(run.config.install_dir, run=run, animate=False)
        async with app.run_test(size=SMALL) as pilot:
            await until(pilot, lambda: app.result is not None, what="the end of the run")
            await until(pilot, lambda: app.view.phase == Phase.FINISHED, what="the finished run on screen")
            await settle(pilot)
            assert app.result is not None and app.result.exit_code == 0, app.result.message
            cost = app.result.cost_usd
            assert cost is not None and cost > 0
            shown = f"cost {format_usd(cost)}"
            assert shown in app.query_one(VerdictBar).message and shown in _on_screen(app)
            await pilot.press("q")
        await agent.aclose()


async def test_a_wait_on_the_model_api_shows_then_the_verdict_names_the_cause_and_the_offline_agent(
    sample: Callable[[str], Path],
) -> None:
    api = FakeMessagesAPI(SkeletonModel()).start()
    sleep = HeldSleep()
    agent = _agent(api, sleep)
    run = Run(RunConfig(install_dir=sample("django-app"), stub=True), agent, ids=SequentialIds())
    assert await run.preflight() is None
    api.close()  # the port closes between the check and the first agent: every request now fails
    run.prepare()
    app = WizardApp(run.config.install_dir, run=run, animate=False)
    async with app.run_test(size=SMALL) as pilot:
        # The orchestrator's first retry is held: the wait shows while it lasts, with its
        # attempt, its length and its cause, in the verdict bar and in the event log.
        bar = app.query_one(VerdictBar)
        await until(pilot, lambda: bar.message.startswith("Waiting on the model API"), what="the wait on screen")
        await settle(pilot)
        assert sleep.waits == [WAIT_S]
        words = "orchestrator (integrate-posthog): model API retry 1 of 6 in 600.0s — Connection error"
        assert words in bar.message and bar.verdict.kind == "waiting"
        assert words in _on_screen(app)
        assert any(words in entry and "waiting" in entry for entry in log_read(app))

        sleep.released.set()  # the other five retries fail too, at once
        await until(pilot, lambda: app.result is not None, what="the end of the run")
        await until(pilot, lambda: app.view.phase == Phase.FINISHED, what="the finished run on screen")
        await settle(pilot)
        assert len(sleep.waits) == 6
        verdict = bar.message
        assert bar.verdict.kind == "failed" and "the orchestrator did not finish seeding" in verdict
        assert "Connection error" in verdict and "--agent offline" in verdict
        # All of it on the 80x24 screen, the way out included: the bar grows, it does not cut.
        on_screen = _on_screen(app)
        assert "Connection error" in on_screen and "--agent offline" in on_screen and "Press q to quit." in on_screen
        await pilot.press("q")
    await agent.aclose()
    assert app.return_code == 1
