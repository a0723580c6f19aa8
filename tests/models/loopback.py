"""A real HTTP file server on 127.0.0.1 with Range support and switches for the failures downloads meet."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Behaviour:
    """What the server does next; tests flip these between requests."""

    files: dict[str, Path] = field(default_factory=dict)
    """URL path -> file served."""
    cut_after: int | None = None
    """Close the connection after this many body bytes (the headers promise the full length)."""
    cuts_left: int = 0
    corrupt: bool = False
    """Serve the file with one byte changed."""
    truncate: int | None = None
    """Serve only the file's first bytes, as a whole file of that size (a stale or broken mirror)."""
    throttle_s: float = 0.0
    """Pause after each 64 KB, so a test can press Cancel while it runs."""
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    """(path, Range header) of every request."""


class LoopbackServer:
    """``with LoopbackServer() as server:`` serves ``server.behaviour.files`` at ``server.url``."""

    def __init__(self) -> None:
        self.behaviour = Behaviour()
        behaviour = self.behaviour

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                behaviour.requests.append((self.path, self.headers.get("Range")))
                source = behaviour.files.get(self.path)
                if source is None:
                    self.send_error(404)
                    return
                data = source.read_bytes()
                if behaviour.corrupt:
                    data = data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
                if behaviour.truncate is not None:
                    data = data[: behaviour.truncate]
                start = 0
                status = 200
                header = self.headers.get("Range")
                if header and header.startswith("bytes="):
                    start = int(header[6:].split("-")[0])
                    status = 206
                body = data[start:]
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.end_headers()
                limit = len(body)
                if behaviour.cut_after is not None and behaviour.cuts_left > 0:
                    behaviour.cuts_left -= 1
                    limit = min(limit, behaviour.cut_after)
                sent = 0
                import time

                while sent < limit:
                    chunk = body[sent : min(limit, sent + 65536)]
                    try:
                        self.wfile.write(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        return
                    sent += len(chunk)
                    if behaviour.throttle_s:
                        time.sleep(behaviour.throttle_s)
                if limit < len(body):
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def unused_port() -> int:
    """A loopback port nothing listens on (for "server down")."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
