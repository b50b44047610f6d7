"""A real webhook receiver on 127.0.0.1 for the tests: it records every request and answers
with the statuses it is told (then 200), optionally slowly or with a large body."""

import contextlib
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    statuses: deque = field(default_factory=deque)
    received: list[Received] = field(default_factory=list)
    delay: float = 0.0
    response_bytes: int = 2
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/skillproof"

    def answer(self, *statuses: int) -> "Receiver":
        self.statuses.extend(statuses)
        return self

    def wait_for(self, count: int, timeout: float = 60) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.received)} of {count} requests within {timeout} s")
            time.sleep(0.05)
        return self.received


def start_receiver() -> Receiver:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            receiver.received.append(
                Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            time.sleep(receiver.delay)
            status = receiver.statuses.popleft() if receiver.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", str(receiver.response_bytes))
            self.end_headers()
            # The sender stops reading at its cap, as it should: the pipe may break.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(b"x" * receiver.response_bytes)

        def log_message(self, *args):
            pass

    receiver.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=receiver.server.serve_forever, daemon=True).start()
    return receiver
