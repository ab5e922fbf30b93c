"""A second run on an applied project: what the bodies say and propose when PostHog is already there."""

from __future__ import annotations

import json

import pytest

from tests.support.integrators import task_context
from wizard_tui.agents.offline import capture, capture_py, identify, llm
from wizard_tui.agents.offline.bodies import already_instrumented
from wizard_tui.agents.offline.changes import Edit


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


SIGNUP = """"use client";

import posthog from "posthog-js";
import { useState } from "react";

export default function SignupPage() {
  const [email, setEmail] = useState("");

  async function handleSubmit(event: React.FormEvent) {
    event.preventDefault();
    await fetch("/api/signup", { method: "POST", body: JSON.stringify({ email }) });
    posthog.identify(email, { email });
    posthog.capture("user_signed_up");
  }

  return (
    <form onSubmit={handleSubmit}>
      <input value={email} onChange={(e) => setEmail(e.target.value)} />
    </form>
  );
}
"""
NEXT = {"package.json": json.dumps({"dependencies": {"next": "15.3.2", "posthog-js": "^1"}})}


async def test_a_handler_that_identifies_already_gets_no_second_identify() -> None:
    ctx = task_context({**NEXT, "app/signup/page.tsx": SIGNUP}, "nextjs", task_type="identify")
    plan = await identify.plan_identify(ctx)
    assert not plan.changes
    assert plan.skipped == "Users are already identified: handleSubmit in app/signup/page.tsx calls posthog.identify."


async def test_a_handler_that_identifies_without_capturing_still_gets_its_capture() -> None:
    # What the first run leaves when identify ran before capture: only the capture is new.
    text = SIGNUP.replace('    posthog.capture("user_signed_up");\n', "")
    ctx = task_context(
        {**NEXT, "app/signup/page.tsx": text}, "nextjs", {"file": "app/signup/page.tsx", "area": "signup page"}
    )
    plan = await capture.plan_capture_area(ctx)
    assert [c.new.count("posthog.capture") for c in plan.changes if isinstance(c, Edit)] == [1]


@pytest.mark.parametrize(
    ("binding", "call"),
    [
        ('import posthog from "posthog-js";', 'posthog.capture("user_signed_up")'),
        ('import posthog from "posthog-js";', 'posthog?.capture("signed_up", { plan })'),
        ('import ph from "@/lib/posthog";', 'ph.capture("user_signed_up")'),
        ('import analytics from "@/lib/analytics";', 'analytics.capture("user_signed_up")'),
    ],
)
async def test_a_handler_that_captures_already_gets_no_second_capture(binding: str, call: str) -> None:
    text = SIGNUP.replace('import posthog from "posthog-js";', binding).replace(
        '    posthog.identify(email, { email });\n    posthog.capture("user_signed_up");', f"    {call};"
    )
    ctx = task_context(
        {**NEXT, "app/signup/page.tsx": text}, "nextjs", {"file": "app/signup/page.tsx", "area": "signup page"}
    )
    plan = await capture.plan_capture_area(ctx)
    if call.startswith("analytics."):
        # Another analytics library's call is not PostHog's event: the capture is added.
        assert plan.changes
        return
    assert not plan.changes and plan.skipped is not None
    assert plan.skipped.startswith("app/signup/page.tsx already captures its form's events: handleSubmit (")


ORDERS = """const express = require("express");
const posthog = require("../posthog");

const router = express.Router();

router.post("/", (req, res) => {
  const { userId, items } = req.body;
  posthog.capture({ distinctId: String(userId), event: "order_created" });
  return res.status(201).json({ userId, items });
});

module.exports = router;
"""


async def test_a_node_handler_that_captures_already_gets_no_second_capture() -> None:
    files = {
        "package.json": json.dumps({"main": "src/index.js", "dependencies": {"express": "^4", "posthog-node": "^5"}}),
        "src/index.js": 'require("./posthog");\n',
        "src/posthog.js": "module.exports = {};\n",
        "src/routes/orders.js": ORDERS,
    }
    ctx = task_context(files, "javascript_node", {"file": "src/routes/orders.js", "area": "orders route"})
    plan = await capture.plan_capture_area(ctx)
    assert not plan.changes and plan.skipped is not None and "already capture" in plan.skipped


VIEWS = """import posthog
from django.shortcuts import redirect, render


def checkout(request):
    if request.method == "POST":
        form = CheckoutForm(request.POST)
        if form.is_valid():
            form.save()
            posthog.capture("checkout_completed")
            return redirect("done")
    return render(request, "checkout.html")
"""


def test_a_python_view_that_captures_already_gets_no_second_capture() -> None:
    plan = capture_py.python_capture("shop/views.py", VIEWS, "snake", "shop views", {"shop"})
    assert not plan.changes
    assert plan.skipped == (
        "The views in shop/views.py already capture their events: checkout() (posthog.capture('checkout_completed'))."
    )
    fresh = capture_py.python_capture(
        "shop/views.py", VIEWS.replace('            posthog.capture("checkout_completed")\n', ""), "snake", "", set()
    )
    assert len(fresh.changes) == 1


WRAPPED_ROUTE = """import { OpenAI as PostHogOpenAI } from "@posthog/ai/openai";
import posthog from "../../../lib/posthog-server";

const client = new PostHogOpenAI({ apiKey: process.env.OPENAI_API_KEY, posthog });
"""
WRAPPED_PY = "from posthog.ai.anthropic import AsyncAnthropic\n\nclient = AsyncAnthropic()\n"


async def test_clients_wrapped_by_a_first_run_are_reported_as_wrapped() -> None:
    files = {
        "package.json": json.dumps({"dependencies": {"next": "15.3.2", "openai": "^6.50.0", "@posthog/ai": "^8"}}),
        "app/api/chat/route.ts": WRAPPED_ROUTE,
    }
    calls = [{"file": "app/api/chat/route.ts", "line": 4, "sdk": "@posthog/ai"}]
    plan = await llm.plan_llm(task_context(files, "nextjs", {"llm_calls": calls}, task_type="llm-analytics"))
    assert not plan.changes
    assert plan.skipped == (
        "The LLM clients are already wrapped with PostHog's LLM analytics wrappers: "
        "app/api/chat/route.ts (@posthog/ai/openai)."
    )
    py = {"pyproject.toml": "", "app/llm.py": WRAPPED_PY}
    calls = [
        {"file": "app/llm.py", "line": 1, "sdk": "posthog[ai]"},
        {"file": "app/llm.py", "line": 1, "sdk": "anthropic"},
    ]
    plan = await llm.plan_llm(task_context(py, "fastapi", {"llm_calls": calls}, task_type="llm-analytics"))
    assert not plan.changes and plan.skipped is not None
    assert plan.skipped.endswith(
        "already wrapped with PostHog's LLM analytics wrappers: app/llm.py (posthog.ai.anthropic)."
    )


async def test_a_wrapped_file_does_not_stop_the_next_one_from_being_wrapped() -> None:
    files = {
        "pyproject.toml": "",
        "app/llm.py": WRAPPED_PY,
        "app/other.py": "from openai import OpenAI\n\nclient = OpenAI()\n",
    }
    calls = [
        {"file": "app/llm.py", "line": 1, "sdk": "posthog[ai]"},
        {"file": "app/other.py", "line": 1, "sdk": "openai"},
    ]
    plan = await llm.plan_llm(task_context(files, "fastapi", {"llm_calls": calls}, task_type="llm-analytics"))
    assert plan.files == ["app/other.py"] and "from posthog.ai.openai import OpenAI" in plan.changes[0].new  # type: ignore[union-attr]
    assert any("app/llm.py (posthog.ai.anthropic)" in note for note in plan.notes)
