"""The model registry: current as of the pinned SDK, priced, ordered, and held to the run's ceiling."""

from __future__ import annotations

import typing

import pytest
from anthropic.resources.messages import DEPRECATED_MODELS
from anthropic.types import Model

from wizard_tui.domain.claude_models import MODELS, at_or_below, capped, current_ids, lookup, usage_cost_usd


def sdk_model_ids() -> set[str]:
    literal = next(arg for arg in typing.get_args(Model) if typing.get_origin(arg) is typing.Literal)
    return set(typing.get_args(literal))


def test_the_registry_is_the_sdks_model_list_minus_its_deprecation_table() -> None:
    current = sdk_model_ids() - set(DEPRECATED_MODELS)
    registered = {i for m in MODELS.values() for i in (m.id, *m.aliases)}
    assert registered == current, "update wizard_tui/domain/claude_models.py for the new SDK"


def test_retired_and_deprecated_ids_are_not_known() -> None:
    for retired in ("claude-3-5-haiku-latest", "claude-3-7-sonnet-latest", "claude-opus-4-1", "claude-sonnet-4-5"):
        assert lookup(retired) is None
    assert lookup("claude-haiku-4-5-20251001") is MODELS["claude-haiku-4-5"], "dated aliases price like their model"


def test_cache_floors_the_issue_names() -> None:
    assert MODELS["claude-haiku-4-5"].min_cache_tokens == 4096
    assert MODELS["claude-sonnet-4-6"].min_cache_tokens == 2048


def test_cost_in_dollars_from_the_four_prices() -> None:
    usage = {
        "input_tokens": 1_000_000,
        "output_tokens": 1_000_000,
        "cache_creation_input_tokens": 1_000_000,
        "cache_read_input_tokens": 1_000_000,
    }
    assert usage_cost_usd("claude-haiku-4-5", usage) == pytest.approx(1 + 5 + 1.25 + 0.10)
    assert usage_cost_usd("claude-sonnet-4-6", {"input_tokens": 2_000}) == pytest.approx(0.006)
    assert usage_cost_usd("offline", usage) is None


def test_a_model_may_be_lowered_below_the_ceiling_never_raised() -> None:
    allowed = at_or_below("claude-sonnet-4-6")
    assert "claude-haiku-4-5" in allowed and "claude-sonnet-4-6" in allowed
    assert not {"claude-opus-4-8", "claude-fable-5-2"} & set(allowed)
    assert capped("claude-opus-4-8", "claude-sonnet-4-6") == "claude-sonnet-4-6"
    assert capped("claude-haiku-4-5", "claude-sonnet-4-6") == "claude-haiku-4-5"
    assert at_or_below("no-such-model") == current_ids()
