"""A PostHog capture endpoint on 127.0.0.1, for tests of the PostHog sink and the CLI's wiring.

It speaks what the `posthog` package sends: POST `/batch/` with a JSON body (gzip when
`Content-Encoding: gzip`) of `{api_key, batch: [event, ...], sent_at, ...}`. It records
every request, answers 200 `{"status": 1}`, and can play a slow endpoint (`delay_s`) or a
failing one (`status`). `closed_port_url()` gives the URL of a dead endpoint.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class Received:
    """One request as it arrived: its path, headers, raw (decompressed) body and parsed JSON."""

    path: str
    headers: dict[str, str]
    body: bytes
    payload: Any


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a handler held by `delay_s` must not hold up stop()


class CaptureServer:
    """`with CaptureServer() as server:` then point the client at `server.url`."""

    def __init__(self, *, delay_s: float = 0.0, status: int = 200) -> None:
        self.delay_s = delay_s
        self.status = status
        self.received: list[Received] = []
        self._arrived = threading.Condition()
        self._release = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._serve, name="capture-server", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def _serve(self) -> None:
        self._httpd.serve_forever(poll_interval=0.05)  # stop() returns within one poll

    def start(self) -> CaptureServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # slow handlers answer at once
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    def __enter__(self) -> CaptureServer:
        return self.start()

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    # -- what arrived -------------------------------------------------------------------------

    def events(self) -> list[dict[str, Any]]:
        """Every event of every `/batch/` request, in arrival order."""
        with self._arrived:
            return self._events_locked()

    def wait_for_event(self, name: str, timeout_s: float = 10.0) -> bool:
        """Block until an event called `name` has arrived, or the timeout passes."""
        with self._arrived:
            return self._arrived.wait_for(lambda: any(e.get("event") == name for e in self._events_locked()), timeout_s)

    def _events_locked(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for request in self.received:
            if request.path.rstrip("/") == "/batch" and isinstance(request.payload, dict):
                out.extend(request.payload.get("batch") or [])
        return out

    def _record(self, received: Received) -> None:
        with self._arrived:
            self.received.append(received)
            self._arrived.notify_all()

    # -- HTTP ---------------------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if (self.headers.get("Content-Encoding") or "").lower() == "gzip":
                    raw = gzip.decompress(raw)
                try:
                    payload: Any = json.loads(raw)
                except ValueError:
                    payload = None
                server._record(Received(self.path, dict(self.headers.items()), raw, payload))
                if server.delay_s:
                    server._release.wait(server.delay_s)
                body = json.dumps({"status": 1} if server.status == 200 else {"detail": "fake failure"}).encode()
                try:
                    self.send_response(server.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up waiting (a slow-endpoint test)
                    pass

            def log_message(self, format: str, *args: Any) -> None:  # quiet: the test output is the point
                return

        return Handler


def closed_port_url() -> str:
    """A loopback URL nothing listens on: connections are refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
