"""A tiny stand-in for the Hugging Face Hub's file endpoint, on loopback, for download tests.

It answers ``HEAD`` and ``GET /{owner}/{repo}/resolve/{revision}/{filename}`` the way
huggingface_hub expects: ``X-Repo-Commit``, an ``ETag`` that is the file's sha256 (as for
LFS files), ``Content-Length``, ``Accept-Ranges`` and ``Range: bytes=N-`` answered with 206.
Unknown repos and files get 404 with the hub's ``X-Error-Code``. Switches:

* ``cut_after`` / ``cuts``: the next ``cuts`` GETs stop after the body has reached byte
  ``cut_after`` of the file and drop the connection (a lost network);
* ``corrupt``: serve bytes that differ from the ones the ETag describes;
* ``chunk_delay``: seconds to sleep between 64 KiB chunks (to cancel mid-way).

Use it as a context manager (or ``start``/``stop``); it binds 127.0.0.1 on a free port,
serves each request on its own thread with a socket timeout, and ``stop`` shuts it down and
joins every thread.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHUNK = 64 * 1024
_PATH = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")


@dataclass
class HubFile:
    data: bytes
    etag: str
    commit: str


@dataclass
class FakeHub:
    files: dict[tuple[str, str, str], HubFile] = field(default_factory=dict)
    cut_after: int | None = None
    cuts: int = 0
    corrupt: bool = False
    chunk_delay: float = 0.0
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        assert self._server is not None, "start the hub first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def add_file(self, repo_id: str, filename: str, data: bytes, revision: str = "main") -> HubFile:
        commit = hashlib.sha1(f"{repo_id}@{revision}".encode()).hexdigest()
        entry = HubFile(data, hashlib.sha256(data).hexdigest(), commit)
        self.files[(repo_id, revision, filename)] = entry
        return entry

    def start(self) -> FakeHub:
        hub = self

        class Handler(_Handler):
            fake = hub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = False  # server_close() joins every handler thread
        self._server.block_on_close = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-hub", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeHub
    timeout = 10  # a stuck client cannot hold a server thread for long
    protocol_version = "HTTP/1.0"  # one request per connection: no idle keep-alive threads

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # keep test output clean

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(body=False)

    def do_GET(self) -> None:  # noqa: N802
        self._serve(body=True)

    def _serve(self, body: bool) -> None:
        hub = self.fake
        hub.requests.append((self.command, self.path, self.headers.get("Range")))
        match = _PATH.match(self.path.split("?", 1)[0])
        if not match:
            return self._error(404, "RepoNotFound")
        key = (match["repo"], match["rev"], match["file"])
        if not any(k[0] == key[0] for k in hub.files):
            return self._error(404, "RepoNotFound")
        entry = hub.files.get(key)
        if entry is None:
            return self._error(404, "EntryNotFound", commit=_commit_of(hub, key[0]))
        data = entry.data
        if hub.corrupt:
            data = bytes(b ^ 0xFF for b in data[:16]) + data[16:]
        start = _range_start(self.headers.get("Range"))
        if start is not None and start >= len(data):
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{len(data)}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = 206 if start is not None else 200
        start = start or 0
        self.send_response(status)
        self.send_header("X-Repo-Commit", entry.commit)
        self.send_header("ETag", f'"{entry.etag}"')
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data) - start))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if body:
            self._send_body(data, start)

    def _send_body(self, data: bytes, start: int) -> None:
        hub = self.fake
        stop = len(data)
        if hub.cuts > 0 and hub.cut_after is not None and start < hub.cut_after:
            hub.cuts -= 1
            stop = hub.cut_after
        pos = start
        try:
            while pos < stop:
                end = min(pos + CHUNK, stop)
                self.wfile.write(data[pos:end])
                self.wfile.flush()
                pos = end
                if hub.chunk_delay:
                    time.sleep(hub.chunk_delay)
        except (BrokenPipeError, ConnectionResetError):
            pass
        if stop < len(data):
            self.close_connection = True  # the client sees a body shorter than promised

    def _error(self, status: int, code: str, commit: str | None = None) -> None:
        message = f"{code}: {self.path}".encode()
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", code)
        if commit:
            self.send_header("X-Repo-Commit", commit)
        self.send_header("Content-Length", str(len(message)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(message)


def _range_start(header: str | None) -> int | None:
    match = re.fullmatch(r"bytes=(\d+)-", (header or "").strip())
    return int(match.group(1)) if match else None


def _commit_of(hub: FakeHub, repo_id: str) -> str | None:
    return next((f.commit for k, f in hub.files.items() if k[0] == repo_id), None)
