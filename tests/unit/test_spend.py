"""What a run spent: counters per model, the cost in dollars, and how the faces print it."""

from __future__ import annotations

import dataclasses

import pytest

from wizard_tui.agents.base import Usage
from wizard_tui.domain.spend import Spend, format_usd
from wizard_tui.tui.run_view import figures_text


def test_counters_are_summed_per_model_and_priced_from_the_registry() -> None:
    spend = Spend()
    spend.add("claude-haiku-4-5", {"input_tokens": 1_000, "output_tokens": 100})
    spend.add("claude-haiku-4-5-20251001", {"cache_read_input_tokens": 10_000})  # the API's dated name
    spend.add("claude-sonnet-4-6", {"input_tokens": 2_000, "cache_creation_input_tokens": 4_000})
    assert spend.totals["input_tokens"] == 3_000 and spend.totals["cache_read_input_tokens"] == 10_000
    report = spend.report()
    assert report["claude-haiku-4-5"]["cost_usd"] == pytest.approx((1_000 * 1 + 100 * 5) / 1e6)
    assert report["claude-haiku-4-5-20251001"]["cost_usd"] == pytest.approx(10_000 * 0.10 / 1e6)
    assert report["claude-sonnet-4-6"]["cost_usd"] == pytest.approx((2_000 * 3 + 4_000 * 3.75) / 1e6)
    assert spend.cost_usd() == pytest.approx(sum(m["cost_usd"] for m in report.values()))


def test_a_run_without_priced_models_has_no_cost() -> None:
    spend = Spend()
    spend.add("offline", {})
    assert spend.cost_usd() is None and spend.report()["offline"]["cost_usd"] is None


@pytest.mark.parametrize(
    ("amount", "shown"), [(0.0312, "$0.031"), (1.2449, "$1.24"), (0.000042, "$0.000042"), (0.0, "$0")]
)
def test_dollars_are_shown_short(amount: float, shown: str) -> None:
    assert format_usd(amount) == shown


def test_the_tui_verdict_names_the_cost_when_there_is_one() -> None:
    shown = figures_text({"total_duration_ms": 4930, "max_gap_ms": 10, "total_cost_usd": 0.0312})
    assert shown == " Took 4.93s (longest silence 10ms, cost $0.031)."
    assert "cost" not in figures_text({"max_gap_ms": 10, "total_cost_usd": None})


def test_an_agents_counters_by_name_are_every_field_of_its_usage() -> None:
    # `counters()` spells the fields out for speed; a field added to Usage must be added there too.
    usage = Usage(input_tokens=1, output_tokens=2, cache_read_input_tokens=3, cache_creation_input_tokens=4)
    assert usage.counters() == dataclasses.asdict(usage)
