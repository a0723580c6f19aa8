"""How the remote responder reads a streamed answer, against a small HTTP server on loopback that sends
exactly the bytes under test (the real llama.cpp server is in test_remote_llm.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from engine.chat import ChatMessage, Role
from engine.errors import GenerationError
from engine.remote_llm import RemoteResponder

QUESTION = [ChatMessage(Role.USER, "Hello?")]

# What OpenAI-compatible servers send: keep-alive comments, CRLF line ends, a chunk without text, then [DONE].
STREAM = (
    b": ping - 2026-12-07 10:00:00\r\n\r\n"
    b'data: {"choices": [{"delta": {"role": "assistant"}}]}\r\n\r\n'
    b'data: {"choices": [{"delta": {"content": "Hello"}}]}\r\n\r\n'
    b": keep-alive\n\n"
    b'data: {"choices": [{"delta": {"content": " there."}}]}\n\n'
    b"data: [DONE]\n\n"
    b'data: {"choices": [{"delta": {"content": " never read"}}]}\n\n'
)


def _server(content_type: str, body: bytes) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def streaming_server() -> Iterator[str]:
    yield from _server("text/event-stream; charset=utf-8", STREAM)


@pytest.fixture
def json_server() -> Iterator[str]:
    yield from _server("application/json", b'{"choices": [{"message": {"content": "Hello there."}}]}')


def test_pieces_arrive_in_order_and_the_stream_ends_at_done(streaming_server: str) -> None:
    pieces = list(RemoteResponder(streaming_server, timeout_s=5).respond(QUESTION))
    assert pieces == ["Hello", " there."]


def test_a_server_that_does_not_stream_gets_one_clear_sentence(json_server: str) -> None:
    with pytest.raises(GenerationError, match="did not stream its answer as Server-Sent Events"):
        list(RemoteResponder(json_server, timeout_s=5).respond(QUESTION))
