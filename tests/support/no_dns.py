"""`python -m tests.support.no_dns ARGS` runs `python -m wizard_tui ARGS` where no `.invalid` name resolves.

RFC 6761 reserves `.invalid` for names that never resolve; here the process's own resolver
says so at once (the error glibc gives for an unknown name), so a test of a DNS failure
sends no query off the machine and does not wait on a resolver it does not control.
"""

from __future__ import annotations

import runpy
import socket
from typing import Any

_resolve = socket.getaddrinfo


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else str(host or "")
    if name.rstrip(".").lower().endswith(".invalid"):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return _resolve(host, *args, **kwargs)


def no_invalid_names() -> None:
    """From now on, every lookup of a `.invalid` name in this process fails as an unknown name."""
    socket.getaddrinfo = _getaddrinfo


if __name__ == "__main__":
    no_invalid_names()
    runpy.run_module("wizard_tui", run_name="__main__", alter_sys=True)
