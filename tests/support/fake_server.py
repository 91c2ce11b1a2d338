"""A loopback HTTP server whose every answer a test scripts, down to the raw bytes.

``routes`` maps a path to a function ``(handler, body) -> None`` that writes the whole
response itself (helpers: :func:`json_answer`, :func:`sse_answer`, :func:`raw_answer`,
:func:`drip_answer`), so a test can play a server that answers HTML, invalid JSON, one byte
every few seconds, an endless stream or a huge body. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

from tests.support.fake_openai import RoutedHandler, serve_routes

Route = Callable[[BaseHTTPRequestHandler, object], None]


class RawHandler(RoutedHandler):
    """Routes are ``(handler, body) -> None`` and write the whole response themselves."""

    protocol_version = "HTTP/1.1"

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        type(self).log.append((self.path, body, self.headers.get("Authorization")))
        route = self.routes.get(self.path)
        try:
            if route is None:
                json_answer(self, {"error": "not found"}, status=404)
            else:
                route(self, body)
        except OSError:
            pass  # the client gave up: that is what some tests check
        self.close_connection = True

    do_GET = do_POST = _handle


def raw_answer(handler, data: bytes, status: int = 200, ctype: str = "application/json") -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(data)))
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(data)


def json_answer(handler, payload: object, status: int = 200) -> None:
    raw_answer(handler, json.dumps(payload).encode(), status)


def sse_answer(handler, events: Iterator[object] | list, done: bool = True, pause: float = 0.0):
    """A server-sent-event stream of the given JSON events (a generator may be endless)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Connection", "close")
    handler.end_headers()
    for event in events:
        handler.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
        handler.wfile.flush()
        if pause:
            time.sleep(pause)
    if done:
        handler.wfile.write(b"data: [DONE]\n\n")


def drip_answer(handler, data: bytes, every: float) -> None:
    """A JSON answer sent one byte at a time, ``every`` seconds apart."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    for byte in data:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(every)


def chat_models(handler, _body) -> None:
    json_answer(handler, {"data": [{"id": "m"}]})


def text_events(pieces: list[str], finish: str | None = "stop") -> list[dict]:
    """Completion stream events carrying ``pieces`` of text, then the finish reason."""
    events: list[dict] = [{"choices": [{"text": t, "finish_reason": None}]} for t in pieces]
    if finish:
        events.append({"choices": [{"text": "", "finish_reason": finish}]})
    return events


@contextmanager
def fake_server(routes: dict[str, Route] | None = None) -> Iterator[tuple[str, type]]:
    """Serve ``routes`` on a free loopback port; yields (base URL, handler class)."""
    with serve_routes(RawHandler) as (url, handler):
        handler.routes.update(routes or {})
        yield url, handler
