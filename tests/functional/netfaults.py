"""Network faults on loopback, for the adapter's real HTTP path: a server that never answers, and
a proxy that forwards a request to the gateway but loses the answer."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests


@contextmanager
def silent_server() -> Iterator[str]:
    """Accepts connections, reads nothing, answers nothing."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


@contextmanager
def answer_losing_proxy(target: str, *, hold_seconds: float) -> Iterator[str]:
    """Forwards each request to `target` (so it takes effect there), then holds the answer back
    for `hold_seconds`, longer than the client waits."""

    class Handler(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            skip = {"host", "content-length"}
            headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
            upstream = requests.request(
                self.command, target + self.path, data=body, headers=headers, timeout=10
            )
            time.sleep(hold_seconds)
            try:
                self.send_response(upstream.status_code)
                self.send_header("Content-Type", upstream.headers.get("Content-Type", "text/plain"))
                self.send_header("Content-Length", str(len(upstream.content)))
                self.end_headers()
                self.wfile.write(upstream.content)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up long ago: that is the point

        do_GET = do_POST = _forward

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
