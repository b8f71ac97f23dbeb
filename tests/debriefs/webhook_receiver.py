"""A real HTTP receiver on loopback for the webhook tests: it checks every signature the way a team's side tool
would, and records what it got. `answer` sets the status it replies with; `delay` holds each answer that long."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from debriefs.webhook_rules import EVENT_ID_HEADER, SIGNATURE_HEADER, signature_matches


@dataclass
class Received:
    event_id: str
    signature_ok: bool
    body: dict[str, Any]
    raw: bytes
    headers: dict[str, str]


@dataclass
class Receiver:
    secret: str
    port: int = 0
    answer: int = 204
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    in_flight_per_event: dict[str, int] = field(default_factory=dict)
    most_in_flight_per_event: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                event_id = self.headers.get(EVENT_ID_HEADER, "")
                with receiver._lock:
                    now = receiver.in_flight_per_event.get(event_id, 0) + 1
                    receiver.in_flight_per_event[event_id] = now
                    most = receiver.most_in_flight_per_event.get(event_id, 0)
                    receiver.most_in_flight_per_event[event_id] = max(most, now)
                try:
                    if receiver.delay:
                        time.sleep(receiver.delay)
                    with receiver._lock:
                        receiver.received.append(
                            Received(
                                event_id=event_id,
                                signature_ok=signature_matches(
                                    receiver.secret, raw, self.headers.get(SIGNATURE_HEADER)
                                ),
                                body=json.loads(raw),
                                raw=raw,
                                headers=dict(self.headers.items()),
                            )
                        )
                    self.send_response(receiver.answer)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                finally:
                    with receiver._lock:
                        receiver.in_flight_per_event[event_id] -= 1

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def event_ids(self) -> list[str]:
        with self._lock:
            return [item.event_id for item in self.received]
