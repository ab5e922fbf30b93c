"""The Claude models a run may use: one record per current model, with its prices and cache floor.

Current means in the pinned SDK's model list (`anthropic.types.Model`) and not in its
deprecation table (`anthropic._data.DEPRECATED_MODELS`); a test checks this table against
both, so bumping the SDK says what to update here. Prices are US dollars per million tokens
from Anthropic's pricing page (cache write: the 5-minute write, which is what our
`cache_control` breakpoints use). `min_cache_tokens` is the shortest prefix the API caches:
anything shorter is billed as plain input without an error.

Where the public docs did not state a figure at the time of writing, the record says so
(`checked=False`) and takes its family's nearest known value; see each record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, cast

from wizard_tui.domain.settings import USAGE_KEYS

Family = Literal["haiku", "sonnet", "opus", "fable", "mythos"]


@dataclass(frozen=True)
class ClaudeModel:
    """One model id (with its dated aliases), its prices per million tokens and its cache floor."""

    id: str
    family: Family
    input_usd: float
    output_usd: float
    cache_write_usd: float
    cache_read_usd: float
    min_cache_tokens: int
    aliases: tuple[str, ...] = ()  # dated snapshots that the API may report back
    checked: bool = True  # False: the cache floor or a price is inferred from the family

    def cost_usd(
        self,
        *,
        input_tokens: int = 0,
        output_tokens: int = 0,
        cache_creation_input_tokens: int = 0,
        cache_read_input_tokens: int = 0,
    ) -> float:
        """What these tokens cost on this model, in dollars."""
        return (
            input_tokens * self.input_usd
            + output_tokens * self.output_usd
            + cache_creation_input_tokens * self.cache_write_usd
            + cache_read_input_tokens * self.cache_read_usd
        ) / 1_000_000

    @property
    def price_rank(self) -> tuple[float, float]:
        """Orders models by what a token costs: a model is 'raised' when this grows."""
        return (self.input_usd, self.output_usd)


def _family(
    ids: Iterable[str | tuple[str, tuple[str, ...]]],
    prices: tuple[float, float, float, float],
    min_cache_tokens: int,
    *,
    checked: bool = True,
) -> list[ClaudeModel]:
    """Records for models that share prices and a cache floor; the family is in the id."""
    out = []
    for entry in ids:
        model_id, aliases = (entry, ()) if isinstance(entry, str) else entry
        family = cast(Family, model_id.split("-")[1])
        out.append(ClaudeModel(model_id, family, *prices, min_cache_tokens, aliases, checked))
    return out


# Prices: input, output, 5-minute cache write, cache read (platform.claude.com pricing page,
# and each model's overview page). Floors: the prompt caching page's minimum cacheable length.
_MODELS: list[ClaudeModel] = [
    # Fable/Mythos 5.2: $8/$40, write $10, read $0.20. The floor is Fable 5.1's 512 (not yet stated).
    *_family(["claude-fable-5-2", "claude-mythos-5-2"], (8.0, 40.0, 10.0, 0.20), 512, checked=False),
    *_family(["claude-fable-5-1", "claude-mythos-5-1"], (10.0, 50.0, 12.50, 0.25), 512),
    *_family(["claude-fable-5", "claude-mythos-5"], (10.0, 50.0, 12.50, 1.00), 512),
    # Opus 5.5: $4/$20, write $5, read $0.20; floor taken from Opus 5 (not yet stated).
    *_family(["claude-opus-5-5"], (4.0, 20.0, 5.0, 0.20), 512, checked=False),
    *_family(["claude-opus-5"], (5.0, 25.0, 6.25, 0.50), 512),
    *_family(["claude-opus-4-8"], (5.0, 25.0, 6.25, 0.50), 1024),
    *_family(["claude-opus-4-7"], (5.0, 25.0, 6.25, 0.50), 2048),
    *_family(["claude-opus-4-6", ("claude-opus-4-5", ("claude-opus-4-5-20251101",))], (5.0, 25.0, 6.25, 0.50), 4096),
    # Sonnet 5.5: cache reads cut to $0.10 on 2026-10-07; floor taken from Sonnet 5 (not yet stated).
    *_family(["claude-sonnet-5-5"], (2.0, 10.0, 2.50, 0.10), 1024, checked=False),
    *_family(["claude-sonnet-5"], (2.0, 10.0, 2.50, 0.20), 1024),
    # Sonnet 4.6: the docs have said 1,024 and 2,048; requests are only cached from 2,048 on.
    *_family(["claude-sonnet-4-6"], (3.0, 15.0, 3.75, 0.30), 2048),
    # Haiku 5.5: the prices of prompts up to 100k tokens; floor taken from Haiku 4.5 (not yet stated).
    *_family(["claude-haiku-5-5"], (0.10, 0.50, 0.125, 0.01), 4096, checked=False),
    *_family([("claude-haiku-4-5", ("claude-haiku-4-5-20251001",))], (1.0, 5.0, 1.25, 0.10), 4096),
]
MODELS: dict[str, ClaudeModel] = {m.id: m for m in _MODELS}
_BY_ANY_ID: dict[str, ClaudeModel] = {i: m for m in _MODELS for i in (m.id, *m.aliases)}


def lookup(model_id: str | None) -> ClaudeModel | None:
    """The record of a current model id or one of its dated aliases; None when unknown or retired."""
    return _BY_ANY_ID.get(model_id or "")


def current_ids() -> list[str]:
    """Every current model id, without the dated aliases, cheapest first."""
    return [m.id for m in sorted(_MODELS, key=lambda m: (m.price_rank, m.id))]


def at_or_below(ceiling: str | None) -> list[str]:
    """The current ids that cost no more per token than `ceiling` (all of them when it is unknown)."""
    top = lookup(ceiling)
    return [i for i in current_ids() if top is None or MODELS[i].price_rank <= top.price_rank]


def capped(model_id: str, ceiling: str | None) -> str:
    """`model_id`, or the ceiling when the model costs more per token than it (a lowered model stays)."""
    model, top = lookup(model_id), lookup(ceiling)
    if model is None or top is None or ceiling is None:
        return model_id
    return ceiling if model.price_rank > top.price_rank else model_id


def usage_cost_usd(model_id: str, usage: dict[str, int]) -> float | None:
    """What a usage record (the run's token counters) cost on `model_id`; None when it has no price."""
    model = lookup(model_id)
    if model is None:
        return None
    return model.cost_usd(**{k: int(usage.get(k, 0)) for k in USAGE_KEYS})
