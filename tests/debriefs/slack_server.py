"""A local HTTP server speaking Slack's Web API on loopback, for the Slack reminder tests: `users.lookupByEmail` and
`chat.postMessage` as Slack answers them (form, query or JSON bodies; `Authorization: Bearer <token>` checked;
`{"ok": true, ...}` or `{"ok": false, "error": "..."}`), HTTP 429 with `Retry-After` on demand, and able to go down
(its port then refuses connections) and come back on the same port.

The bot token is built at run time (tests/test_security.py scans the repository for committed Slack tokens).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.debriefs.reminder_fixtures import free_port

TOKEN = "-".join(["xox" + "b", "interviewloop", "tests", "only"])


@dataclass
class Posted:
    """One chat.postMessage Slack accepted."""

    channel: str
    text: str
    blocks: list[dict[str, Any]]
    metadata: dict[str, Any]
    content_type: str

    @property
    def reminder(self) -> str:
        """'<kind> <id>', like the emails' X-Interviewloop-Reminder header."""
        payload = self.metadata.get("event_payload", {})
        return f"{payload.get('kind')} {payload.get('reminder')}"

    def button_urls(self) -> list[str]:
        return [
            element["url"]
            for block in self.blocks
            if block.get("type") == "actions"
            for element in block.get("elements", [])
            if element.get("type") == "button"
        ]


@dataclass
class SlackServer:
    """`users` maps an email to a member id (`deactivated` ones are returned with `deleted: true`, as Slack does);
    `rate_limited` answers that many of the next calls 429 with `Retry-After: retry_after`; `delay` holds each
    chat.postMessage answer that long (to let parallel dispatchers overlap)."""

    users: dict[str, str] = field(default_factory=dict)
    deactivated: set[str] = field(default_factory=set)
    token: str = TOKEN
    port: int = field(default_factory=free_port)
    rate_limited: int = 0
    retry_after: str = "17"
    delay: float = 0.0
    posts: list[Posted] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    authorization: list[str] = field(default_factory=list)
    in_flight: dict[str, int] = field(default_factory=dict)
    most_in_flight: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    # --- up and down ------------------------------------------------------------------------------------------

    def start(self) -> SlackServer:
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Down: the port refuses connections until `start()`."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def __enter__(self) -> SlackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reminders(self) -> list[str]:
        with self.lock:
            return [post.reminder for post in self.posts]

    # --- Slack's Web API ---------------------------------------------------------------------------------------

    def _answer(self, method: str, args: dict[str, Any], authorization: str) -> tuple[int, dict[str, Any], dict]:
        with self.lock:
            self.calls.append(method)
            self.authorization.append(authorization)
            if self.rate_limited > 0:
                self.rate_limited -= 1
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": self.retry_after}
        if authorization != f"Bearer {self.token}":
            return 200, {"ok": False, "error": "not_authed" if not authorization else "invalid_auth"}, {}
        if method == "users.lookupByEmail":
            email = str(args.get("email", ""))
            with self.lock:
                self.lookups.append(email)
            if email not in self.users:
                return 200, {"ok": False, "error": "users_not_found"}, {}
            user_id = self.users[email]
            user = {"id": user_id, "name": email.split("@")[0], "deleted": email in self.deactivated}
            user["profile"] = {"email": email}
            return 200, {"ok": True, "user": user}, {}
        if method == "chat.postMessage":
            return self._post_message(args)
        return 404, {"ok": False, "error": "unknown_method"}, {}

    def _post_message(self, args: dict[str, Any]) -> tuple[int, dict[str, Any], dict]:
        channel = str(args.get("channel", ""))
        blocks = args.get("blocks") or []
        metadata = args.get("metadata") or {}
        if isinstance(blocks, str):  # a form body carries them as JSON text
            blocks = json.loads(blocks)
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        if not args.get("text") and not blocks:
            return 200, {"ok": False, "error": "no_text"}, {}
        live = {user_id for email, user_id in self.users.items() if email not in self.deactivated}
        if channel not in live:
            return 200, {"ok": False, "error": "channel_not_found"}, {}
        key = json.dumps(metadata, sort_keys=True)
        with self.lock:
            self.in_flight[key] = self.in_flight.get(key, 0) + 1
            self.most_in_flight[key] = max(self.most_in_flight.get(key, 0), self.in_flight[key])
        try:
            if self.delay:
                time.sleep(self.delay)
            with self.lock:
                self.posts.append(
                    Posted(
                        channel=channel,
                        text=str(args.get("text", "")),
                        blocks=blocks,
                        metadata=metadata,
                        content_type=str(args.get("__content_type", "")),
                    )
                )
                ts = f"{time.time():.6f}"
        finally:
            with self.lock:
                self.in_flight[key] -= 1
        return 200, {"ok": True, "channel": f"D{channel[1:]}", "ts": ts, "message": {"text": args.get("text")}}, {}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        slack = self

        class Handler(BaseHTTPRequestHandler):
            def _method(self) -> tuple[str, dict[str, Any]]:
                parts = urlsplit(self.path)
                method = parts.path.rsplit("/", 1)[-1]
                args: dict[str, Any] = dict(parse_qsl(parts.query))
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                content_type = self.headers.get("Content-Type", "")
                if raw and content_type.startswith("application/json"):
                    args.update(json.loads(raw))
                elif raw:
                    args.update(parse_qsl(raw.decode()))
                args["__content_type"] = content_type
                return method, args

            def _reply(self) -> None:
                method, args = self._method()
                status, body, headers = slack._answer(method, args, self.headers.get("Authorization", ""))
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

            do_GET = _reply
            do_POST = _reply

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

        return Handler
