"""A fake tokenizer and prompt cache that behave like the Messages API's, in miniature.

Tokens are `ceil(len(text) / 4)` per block. The prompt is the blocks in the API's cache
order (tools, then system, then messages); a block carrying `cache_control` is a
breakpoint. A request reads from the cache the longest prefix, ending at a block boundary
at most 20 blocks before one of its breakpoints, that an earlier request wrote; it writes
every breakpoint's prefix that is long enough. Caches are per model, as the real ones are.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from dataclasses import dataclass
from typing import Any

from wizard_tui.domain.claude_models import lookup

LOOKBACK_BLOCKS = 20
UNKNOWN_MODEL_FLOOR = 4096


def count_tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / 4)) if text else 0


@dataclass(frozen=True)
class Block:
    """One cacheable unit of a request, its token count and whether it is a breakpoint."""

    key: str
    tokens: int
    breakpoint: bool


def _strip(block: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in block.items() if k != "cache_control"}


def _block_text(block: dict[str, Any]) -> str:
    kind = block.get("type")
    if kind == "text":
        return str(block.get("text", ""))
    if kind == "tool_use":
        return f"{block.get('name')} {json.dumps(block.get('input'), sort_keys=True)}"
    if kind == "tool_result":
        content = block.get("content")
        if isinstance(content, list):
            return "\n".join(_block_text(c) for c in content if isinstance(c, dict))
        return str(content or "")
    return json.dumps(_strip(block), sort_keys=True)


def request_blocks(body: dict[str, Any]) -> list[Block]:
    """The request's blocks in cache order, each tokenised."""
    blocks: list[Block] = []
    for tool in body.get("tools") or []:
        blocks.append(
            Block(
                json.dumps(_strip(tool), sort_keys=True),
                count_tokens(json.dumps(_strip(tool))),
                "cache_control" in tool,
            )
        )
    system = body.get("system")
    if isinstance(system, str):
        blocks.append(Block("system:" + system, count_tokens(system), False))
    elif isinstance(system, list):
        for s in system:
            blocks.append(
                Block(
                    "system:" + json.dumps(_strip(s), sort_keys=True),
                    count_tokens(_block_text(s)),
                    "cache_control" in s,
                )
            )
    for message in body.get("messages") or []:
        role = message.get("role", "")
        content = message.get("content")
        items = [{"type": "text", "text": content}] if isinstance(content, str) else list(content or [])
        for item in items:
            blocks.append(
                Block(
                    f"{role}:" + json.dumps(_strip(item), sort_keys=True),
                    count_tokens(_block_text(item)),
                    "cache_control" in item,
                )
            )
    if body.get("cache_control") and blocks:  # automatic caching: the last block
        last = blocks[-1]
        blocks[-1] = Block(last.key, last.tokens, True)
    return blocks


@dataclass(frozen=True)
class CacheUsage:
    input_tokens: int
    cache_read_input_tokens: int
    cache_creation_input_tokens: int

    @property
    def total(self) -> int:
        return self.input_tokens + self.cache_read_input_tokens + self.cache_creation_input_tokens


class PromptCache:
    """Prefix hashes written by earlier requests.

    `min_tokens` is the cache floor: by default each model's minimum cacheable prompt length
    as the API documents it (the registry's `min_cache_tokens`: 4,096 for Haiku 4.5, 2,048
    for Sonnet 4.6; a model it does not know gets 4,096, the largest); or one number for every
    model (0: cache anything), or per model (`{"claude-haiku-4-5": 4096}`, matched by prefix).
    """

    def __init__(self, min_tokens: int | dict[str, int] | None = None) -> None:
        self.min_tokens = min_tokens
        self._entries: set[str] = set()
        self._lock = threading.Lock()

    def floor(self, model: str) -> int:
        if self.min_tokens is None:
            known = lookup(model)
            return known.min_cache_tokens if known is not None else UNKNOWN_MODEL_FLOOR
        if isinstance(self.min_tokens, int):
            return self.min_tokens
        return next((n for prefix, n in self.min_tokens.items() if model.startswith(prefix)), 0)

    def account(self, model: str, body: dict[str, Any]) -> CacheUsage:
        blocks = request_blocks(body)
        hashes: list[str] = []
        cumulative: list[int] = []
        h = hashlib.sha256(model.encode())
        running = 0
        for b in blocks:
            h.update(b.key.encode())
            hashes.append(h.copy().hexdigest())
            running += b.tokens
            cumulative.append(running)
        breakpoints = [i for i, b in enumerate(blocks) if b.breakpoint]
        floor = self.floor(model)
        with self._lock:
            read_end = -1
            for bp in breakpoints:
                for j in range(bp, max(-1, bp - LOOKBACK_BLOCKS - 1), -1):
                    if hashes[j] in self._entries:
                        read_end = max(read_end, j)
                        break
            write_end = -1
            for bp in breakpoints:
                if cumulative[bp] >= floor and cumulative[bp] > 0:
                    self._entries.add(hashes[bp])
                    write_end = max(write_end, bp)
        read = cumulative[read_end] if read_end >= 0 else 0
        created = cumulative[write_end] - read if write_end > read_end else 0
        total = cumulative[-1] if cumulative else 0
        return CacheUsage(total - read - created, read, created)
