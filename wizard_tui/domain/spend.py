"""What a run spent: token counters per model, and their cost in dollars at the registry's prices."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wizard_tui.domain.claude_models import lookup, usage_cost_usd
from wizard_tui.domain.settings import USAGE_KEYS


def format_usd(amount: float) -> str:
    """`$0.031`, `$1.24`; amounts under a tenth of a cent keep two significant digits."""
    if amount == 0:
        return "$0"
    if amount < 0.001:
        decimals = 1 - math.floor(math.log10(amount))  # two significant digits, never an exponent
        return f"${amount:.{decimals}f}"
    return f"${amount:.3f}" if amount < 1 else f"${amount:.2f}"


@dataclass
class Spend:
    """Token counters per model id (as the API reported it), summed over agents and requests."""

    by_model: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, model: str, usage: Mapping[str, int]) -> None:
        counters = self.by_model.setdefault(model, dict.fromkeys(USAGE_KEYS, 0))
        for key in USAGE_KEYS:
            counters[key] += int(usage.get(key, 0))

    @property
    def totals(self) -> dict[str, int]:
        """Every counter summed over the models (all present, zero when nothing ran)."""
        return {key: sum(c[key] for c in self.by_model.values()) for key in USAGE_KEYS}

    @property
    def priced(self) -> bool:
        """Whether any model that ran has a price (the offline agent's has none)."""
        return any(lookup(model) is not None for model in self.by_model)

    def cost_usd(self) -> float | None:
        """The run's cost at list prices; None when no model that ran has a price."""
        if not self.priced:
            return None
        return sum(usage_cost_usd(model, counters) or 0.0 for model, counters in self.by_model.items())

    def report(self) -> dict[str, dict[str, Any]]:
        """Per model: the four counters and `cost_usd` (None for a model without a price)."""
        return {
            model: {**counters, "cost_usd": usage_cost_usd(model, counters)}
            for model, counters in sorted(self.by_model.items())
        }
