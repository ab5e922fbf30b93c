"""A fake Anthropic Messages API on 127.0.0.1: real HTTP, so the real SDK is what is tested.

A responder (any callable taking a `RecordedRequest`) plays the model and returns a
`Turn`, an `ApiError`, `Hang` or `Drop`. Errors queued with `fail_next` are served first, for
fault injection. Usage is computed by the fake tokenizer and prompt cache unless the
turn names it. Every exchange is recorded.

    with FakeMessagesAPI(lambda req: Turn([text("hi")])) as api:
        agent = AnthropicAgent(api_key="test", base_url=api.base_url)
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.fakes.prompt_cache import CacheUsage, PromptCache, count_tokens

VALID_KEY = "sk-ant-test"


# -- what the "model" can answer -------------------------------------------------------------


@dataclass
class Turn:
    """One assistant message. `stop_reason` defaults to tool_use when it calls tools."""

    content: list[dict[str, Any]]
    stop_reason: str | None = None
    model: str | None = None
    usage: dict[str, int] | None = None


@dataclass
class ApiError:
    """An HTTP error with the API's error body, e.g. `ApiError(429, headers={"retry-after": "2"})`."""

    status: int
    error_type: str = ""
    message: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        kind = self.error_type or _ERROR_TYPES.get(self.status, "api_error")
        return {"type": "error", "error": {"type": kind, "message": self.message or kind.replace("_", " ")}}


@dataclass
class Hang:
    """No answer at all until the server closes: for wall-clock timeouts."""


@dataclass
class Drop:
    """The connection closes without an answer: a network or proxy that went away mid-run."""


Reply = Turn | ApiError | Hang | Drop
Responder = Callable[["RecordedRequest"], Reply]

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    503: "api_error",
    529: "overloaded_error",
}
_ids = itertools.count(1)


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def tool_use(name: str, tool_input: dict[str, Any] | None = None, *, id: str | None = None) -> dict[str, Any]:
    return {"type": "tool_use", "id": id or f"toolu_{next(_ids):05d}", "name": name, "input": tool_input or {}}


# -- what the "model" sees --------------------------------------------------------------------


@dataclass
class ToolCall:
    """A tool call the model made earlier in this conversation, with the result it got."""

    name: str
    input: dict[str, Any]
    result: str | None
    is_error: bool

    def data(self) -> Any:
        return json.loads(self.result) if self.result and not self.is_error else None


@dataclass
class RecordedRequest:
    """One POST /v1/messages as the server received it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def model(self) -> str:
        return str(self.body.get("model", ""))

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    @property
    def system_text(self) -> str:
        system = self.body.get("system") or ""
        if isinstance(system, str):
            return system
        return "\n".join(str(b.get("text", "")) for b in system)

    @property
    def tool_names(self) -> list[str]:
        return [str(t["name"]) for t in self.body.get("tools") or []]

    @property
    def first_user_text(self) -> str:
        first = self.messages[0]["content"] if self.messages else ""
        if isinstance(first, str):
            return first
        return "\n".join(str(b.get("text", "")) for b in first if b.get("type") == "text")

    @property
    def is_orchestrator(self) -> bool:
        return "complete_task" not in self.tool_names

    def last_tool_results(self) -> list[dict[str, Any]]:
        """The tool_result blocks of the newest user message."""
        if not self.messages or self.messages[-1]["role"] != "user":
            return []
        content = self.messages[-1]["content"]
        return [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]

    def tool_calls(self) -> list[ToolCall]:
        """Every tool call of the conversation so far, in order, with its result."""
        results: dict[str, dict[str, Any]] = {}
        for m in self.messages:
            if m["role"] == "user" and isinstance(m["content"], list):
                for b in m["content"]:
                    if b.get("type") == "tool_result":
                        results[b["tool_use_id"]] = b
        calls = []
        for m in self.messages:
            if m["role"] != "assistant" or not isinstance(m["content"], list):
                continue
            for b in m["content"]:
                if b.get("type") == "tool_use":
                    r = results.get(b["id"])
                    content = r.get("content") if r else None
                    if isinstance(content, list):
                        content = "".join(str(c.get("text", "")) for c in content)
                    calls.append(ToolCall(b["name"], b.get("input") or {}, content, bool(r and r.get("is_error"))))
        return calls

    def breakpoints(self) -> list[str]:
        """Where `cache_control` markers are: `tools[i]`, `system[i]`, `messages[i].content[j]`."""
        found = [f"tools[{i}]" for i, t in enumerate(self.body.get("tools") or []) if "cache_control" in t]
        system = self.body.get("system")
        if isinstance(system, list):
            found += [f"system[{i}]" for i, b in enumerate(system) if "cache_control" in b]
        for i, m in enumerate(self.messages):
            if isinstance(m["content"], list):
                found += [f"messages[{i}].content[{j}]" for j, b in enumerate(m["content"]) if "cache_control" in b]
        return found


@dataclass
class Exchange:
    """A request, the reply it got, and the usage the server reported."""

    request: RecordedRequest
    reply: Reply
    usage: CacheUsage | None = None
    output_tokens: int = 0


def auth_problem(headers: dict[str, str], keys: set[str] | None, tokens: set[str]) -> str | None:
    """Why the credentials are refused, as the API and strict gateways do; None when accepted.

    An API key is read from `x-api-key` only and an auth token from `Authorization: Bearer`
    only; a request carrying both is refused (gateways reject a key sent twice).
    """
    if keys is None:
        return None
    key = headers.get("x-api-key")
    auth = headers.get("authorization")
    if key is not None and auth is not None:
        return "send one credential: x-api-key or Authorization, not both"
    if key is not None:
        return None if key in keys else "invalid x-api-key"
    if auth is not None:
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else None
        return None if token in tokens else "invalid bearer token"
    return "x-api-key header is required"


def request_problems(body: dict[str, Any]) -> list[str]:
    """What the real API would refuse with a 400 in this body's shape (the checks tests rely on)."""
    problems = [f"{k}: Field required" for k in ("model", "max_tokens", "messages") if k not in body]
    messages = body.get("messages") or []
    if not messages or messages[0].get("role") != "user":
        problems.append("messages: the first message must use the user role")
    breakpoints = len(RecordedRequest("", {}, body).breakpoints())
    if breakpoints > 4:
        problems.append(f"A maximum of 4 blocks with cache_control may be provided. Found {breakpoints}.")
    names = [t.get("name") for t in body.get("tools") or []]
    if len(names) != len(set(names)):
        problems.append("tools: Tool names must be unique.")
    for i, m in enumerate(messages):
        content = m.get("content")
        if not content and i < len(messages) - 1:
            problems.append(f"messages.{i}: all messages must have non-empty content")
        if m.get("role") != "assistant" or not isinstance(content, list):
            continue
        asked = [b["id"] for b in content if b.get("type") == "tool_use"]
        if not asked:
            continue
        nxt = messages[i + 1] if i + 1 < len(messages) else None
        answer = nxt.get("content") if nxt and nxt.get("role") == "user" else None
        answered = [
            b.get("tool_use_id") for b in answer or [] if isinstance(b, dict) and b.get("type") == "tool_result"
        ]
        if nxt is not None and sorted(answered) != sorted(asked):
            problems.append(
                f"messages.{i + 1}: `tool_use` ids were found without `tool_result` blocks immediately after: "
                + ", ".join(sorted(set(asked) - set(answered)) or answered)
            )
    return problems


_TASK_ID = re.compile(r"^- task id: (\S+)", re.M)


def task_id_of(request: RecordedRequest) -> str | None:
    """The task id the resolver writes into a task agent's prompt; None for the orchestrator."""
    match = _TASK_ID.search(request.first_user_text)
    return match.group(1) if match else None


# -- the server -------------------------------------------------------------------------------


class FakeMessagesAPI:
    """The server. Use as a context manager; `base_url` goes to the SDK or ANTHROPIC_BASE_URL."""

    def __init__(
        self,
        responder: Responder | Iterable[Reply],
        *,
        valid_keys: Iterable[str] | None = (VALID_KEY,),
        valid_tokens: Iterable[str] = (),
        cache_min_tokens: int | dict[str, int] | None = None,
    ) -> None:
        if callable(responder):
            self.responder: Responder = responder
        else:
            script = deque(responder)
            self.responder = lambda _req: script.popleft()
        self.valid_keys = set(valid_keys) if valid_keys is not None else None  # None: no auth check
        self.valid_tokens = set(valid_tokens)
        self.cache = PromptCache(cache_min_tokens)
        self.exchanges: list[Exchange] = []
        self._faults: deque[ApiError] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-messages-api", daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        return [e.request for e in self.exchanges]

    def fail_next(self, *errors: ApiError) -> None:
        """Serve these errors, in order, to the next requests before the responder answers again."""
        with self._lock:
            self._faults.extend(errors)

    def start(self) -> FakeMessagesAPI:
        self._thread.start()
        return self

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeMessagesAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Called on the server's threads.
    def _answer(
        self, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, str], dict[str, Any]] | None:
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            return 400, {}, ApiError(400, message="body is not JSON").body()
        request = RecordedRequest(path, headers, body)
        if path != "/v1/messages":
            return 404, {}, ApiError(404, message=f"no route {path}").body()
        invalid = request_problems(body)
        refused = auth_problem(headers, self.valid_keys, self.valid_tokens)
        if refused is not None:
            reply: Reply = ApiError(401, message=refused)
        elif invalid:
            reply = ApiError(400, message=invalid[0])
        else:
            with self._lock:
                fault = self._faults.popleft() if self._faults else None
            reply = fault or self.responder(request)
        exchange = Exchange(request, reply)
        with self._lock:
            self.exchanges.append(exchange)
        if isinstance(reply, Hang):
            self._closing.wait()
            return None
        if isinstance(reply, Drop):
            return None
        if isinstance(reply, ApiError):
            return reply.status, reply.headers, reply.body()
        return 200, {}, self._message(request, reply, exchange)

    def _message(self, request: RecordedRequest, turn: Turn, exchange: Exchange) -> dict[str, Any]:
        calls = any(b.get("type") == "tool_use" for b in turn.content)
        out_tokens = sum(count_tokens(json.dumps(b)) for b in turn.content)
        if turn.usage is not None:
            usage = dict(turn.usage)
        else:
            cached = self.cache.account(request.model, request.body)
            exchange.usage = cached
            usage = {
                "input_tokens": cached.input_tokens,
                "cache_read_input_tokens": cached.cache_read_input_tokens,
                "cache_creation_input_tokens": cached.cache_creation_input_tokens,
                "output_tokens": out_tokens,
            }
        exchange.output_tokens = usage.get("output_tokens", out_tokens)
        return {
            "id": f"msg_{next(_ids):05d}",
            "type": "message",
            "role": "assistant",
            "model": turn.model or request.model,
            "content": turn.content,
            "stop_reason": turn.stop_reason or ("tool_use" if calls else "end_turn"),
            "stop_sequence": None,
            "usage": usage,
        }


def _handler_for(api: FakeMessagesAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as two writes; no 40 ms stalls

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = api._answer(self.path.split("?")[0], headers, raw)
            if answer is None:
                self.close_connection = True
                return
            status, extra, payload = answer
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.send_header("request-id", f"req_{next(_ids):05d}")
            for k, v in extra.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # the test log stays quiet
            pass

    return Handler
