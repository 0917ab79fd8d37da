"""A real HTTP receiver on 127.0.0.1 for the tests: it keeps what it is sent, and can be told to
fail (answer 500) for its next few calls, as a back office that is down."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Receiver:
    url: str = ""
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    fail_next: int = 0
    calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def events(self) -> list[dict[str, Any]]:
        """Every event received, those of a batch (a JSON array) one by one, in order."""
        found: list[dict[str, Any]] = []
        for _headers, body in self.received:
            sent = json.loads(body)
            found += sent if isinstance(sent, list) else [sent]
        return found

    def types(self) -> list[str]:
        return [event["type"] for event in self.events()]


@contextmanager
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver

        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with state.lock:
                state.calls += 1
                failing = state.fail_next > 0
                if failing:
                    state.fail_next -= 1
                else:
                    state.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            status = 500 if failing else 204
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/ventanilla"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
