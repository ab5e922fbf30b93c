"""A web server on 127.0.0.1 that answers every request with an HTML page: a wrong base URL."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PAGE = b"<!doctype html><html><body><h1>Welcome</h1><p>This is not an API.</p></body></html>"


class _CountingServer(ThreadingHTTPServer):
    """Counts the connections it accepts, parsed as HTTP or not (a TLS handshake is not)."""

    connections = 0

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections += 1  # called on the one serving thread, so no lock
        super().process_request(request, client_address)


class WebPage:
    """Use as a context manager; every POST and GET gets `status` with an HTML body."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.paths: list[str] = []
        self._server = _CountingServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def connections(self) -> int:
        """How many connections were made to it: a retry is one more."""
        return self._server.connections

    def __enter__(self) -> WebPage:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        page = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                page.paths.append(self.path)
                self.send_response(page.status)
                self.send_header("content-type", "text/html; charset=utf-8")
                self.send_header("content-length", str(len(PAGE)))
                self.end_headers()
                self.wfile.write(PAGE)

            do_GET = do_POST = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
