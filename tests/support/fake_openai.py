"""A loopback stand-in for an OpenAI-compatible server, scripted per path (tests only).

``serve_routes()`` starts a ``ThreadingHTTPServer`` on 127.0.0.1 with a fresh handler class
and yields ``(base_url, handler)``; a test sets ``handler.routes[path] = fn`` where ``fn(body)``
returns ``(status, payload)``: a dict is sent as JSON, a list as a server-sent-event stream
ending in ``[DONE]``. Every request is logged as ``(path, body, Authorization header)``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RoutedHandler(BaseHTTPRequestHandler):
    routes: dict = {}
    log: list = []

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        type(self).log.append((self.path, body, self.headers.get("Authorization")))
        status, payload = self.routes[self.path](body)
        if isinstance(payload, list):  # a server-sent-event stream
            self.send_response(status)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for item in payload:
                self.wfile.write(f"data: {json.dumps(item)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            self.close_connection = True
            return
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _handle


@contextmanager
def serve_routes(
    base: type[RoutedHandler] = RoutedHandler,
) -> Iterator[tuple[str, type[RoutedHandler]]]:
    """A scripted server on a free loopback port, shut down on exit (``base``: a handler
    class with another way of answering, see ``tests.support.fake_server``)."""
    handler = type("Handler", (base,), {"routes": {}, "log": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True  # a handler a test leaves hanging does not block the exit
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
