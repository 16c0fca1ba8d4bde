"""A rental system's webhook endpoint on 127.0.0.1, for Pronto's real delivery code to post to.

It does what a careful receiver does: checks the `Pronto-Signature` (HMAC-SHA256 over
`timestamp.body`, timestamp within five minutes of its own clock) with its own code, answers 400 to
a bad one, and drops an event whose id it has already applied (answering 200, so the sender stops).
It can be down (503), or hang on the next request until released, on demand."""

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 300
MAX_HANG_SECONDS = 30.0


@dataclass
class _Hang:
    apply: bool = True
    released: threading.Event = field(default_factory=threading.Event)
    started: threading.Event = field(default_factory=threading.Event)


class FakeRentalSystem:
    def __init__(self, *, secret: str):
        self.secret = secret
        # Its own clock: a test that drives Pronto's clock drives this one with it.
        self.clock: Callable[[], float] = time.time
        self.down = False
        self.applied: list[dict] = []  # each event once, in the order applied
        self.requests: list[str] = []  # every event id that arrived, repeats included
        self.rejected_signatures = 0
        self._hangs: list[_Hang] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/pronto/events"

    def start(self) -> "FakeRentalSystem":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()

    def hang_next(self, *, apply: bool = True) -> _Hang:
        """The next request waits until released; then it is applied (the answer may find nobody
        listening) or, with apply=False, dropped as if it never arrived."""
        hang = _Hang(apply=apply)
        with self._lock:
            self._hangs.append(hang)
        return hang

    def release(self) -> None:
        with self._lock:
            hangs, self._hangs = self._hangs, []
        for hang in hangs:
            hang.released.set()

    def types(self) -> list[str]:
        with self._lock:
            return [event["type"] for event in self.applied]

    def signature_ok(self, header: str, body: bytes) -> bool:
        fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        timestamp, given = fields.get("t", ""), fields.get("v1", "")
        if not timestamp.isdigit() or abs(self.clock() - int(timestamp)) > TOLERANCE_SECONDS:
            return False
        expected = hmac.new(
            self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(expected, given)

    def _receive(self, headers, body: bytes) -> int:
        if not self.signature_ok(headers.get("Pronto-Signature", ""), body):
            with self._lock:
                self.rejected_signatures += 1
            return 400
        event = json.loads(body)
        if headers.get("Pronto-Event-Id") != event["id"]:
            return 400
        with self._lock:
            self.requests.append(event["id"])
            if all(seen["id"] != event["id"] for seen in self.applied):
                self.applied.append(event)
        return 200

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with fake._lock:
                    hang = fake._hangs[0] if fake._hangs else None
                if hang is not None and not hang.started.is_set():
                    hang.started.set()
                    hang.released.wait(MAX_HANG_SECONDS)
                    with fake._lock:
                        if hang in fake._hangs:
                            fake._hangs.remove(hang)
                    if not hang.apply:
                        self.close_connection = True
                        return
                status = 503 if fake.down else fake._receive(self.headers, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler
