"""A tiny merchant webhook endpoint on 127.0.0.1 for the sandbox webhook tests.

It records every request and can be told to answer 500 (or sleep) for the next N requests.
"""

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.fail_next = 0
        self.fail_status = 500
        self.sleep_seconds = 0.0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.requests.append(
                        Received("POST", self.path, dict(self.headers), body, time.monotonic())
                    )
                    failing = receiver.fail_next > 0
                    if failing:
                        receiver.fail_next -= 1
                if receiver.sleep_seconds:
                    time.sleep(receiver.sleep_seconds)
                status = receiver.fail_status if failing else 200
                payload = b'{"ok": false}' if failing else b'{"ok": true}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        port = self.server.server_address[1]
        return f"http://127.0.0.1:{port}/payments/webhooks/phonepe/"

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.fail_next, self.fail_status, self.sleep_seconds = 0, 500, 0.0

    def start(self) -> "WebhookReceiver":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def events(self) -> list[str]:
        return [item.json()["event"] for item in self.requests]
