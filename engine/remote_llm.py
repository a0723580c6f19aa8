"""A language model on another server: any OpenAI-compatible endpoint (Ollama, LM Studio, llama.cpp's
server, vLLM), streamed token by token over HTTP with Server-Sent Events."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import httpx
from httpx_sse import ServerSentEvent, SSEError, connect_sse

from engine.cancel import CancelToken
from engine.chat import ChatMessage
from engine.errors import GenerationError, TurnCancelledError
from engine.llm import GenerationSettings

log = logging.getLogger(__name__)

_CHARS_PER_TOKEN = 4
"""Without the server's tokenizer, the usual English average; trimming the history only needs an estimate."""


class RemoteResponder:
    """Streams replies from an OpenAI-compatible ``/chat/completions`` endpoint."""

    def __init__(
        self,
        base_url: str,
        *,
        model: str = "default",
        timeout_s: float = 30.0,
        context_tokens: int = 4096,
        settings: GenerationSettings | None = None,
        api_key: str | None = None,
    ) -> None:
        """Prepare the client; nothing is sent until the first question.

        Args:
            base_url: the API root, e.g. ``http://127.0.0.1:11434/v1`` (``/chat/completions`` is appended).
            model: the model name the server expects (Ollama and LM Studio need it; llama.cpp ignores it).
            timeout_s: seconds to connect and between two streamed pieces; a dead server fails this fast.
            context_tokens: the server model's context window, for trimming the conversation.
            settings: sampling settings sent with each request.
            api_key: sent as a bearer token when the server wants one.
        """
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.context_tokens = context_tokens
        self.settings = settings or GenerationSettings()
        self._timeout = httpx.Timeout(timeout_s)
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._lock = threading.RLock()

    @property
    def lock(self) -> threading.RLock:
        """Held while a reply streams, like the local model's, so background work waits its turn."""
        return self._lock

    def count_tokens(self, text: str) -> int:
        """An estimate: the server's tokenizer is not available here."""
        return max(1, len(text) // _CHARS_PER_TOKEN)

    def respond(self, messages: Sequence[ChatMessage], cancel: CancelToken | None = None) -> Iterator[str]:
        """Stream the reply; a cancel closes the connection at once, which also stops the server.

        Raises:
            TurnCancelledError: the turn was cancelled.
            GenerationError: the server is unreachable, refused the request or stopped mid-answer.
        """
        return self._stream(self._body(messages, stream=True), cancel)

    def _stream(self, body: dict[str, Any], cancel: CancelToken | None) -> Iterator[str]:
        with self._lock, httpx.Client(timeout=self._timeout, headers=self._headers) as client:
            if cancel is not None:
                cancel.on_cancel(client.close)  # before the answer starts: drop the pending request
            try:
                with connect_sse(client, "POST", self._url(), json=body) as source:
                    response = source.response
                    if cancel is not None:
                        cancel.on_cancel(lambda: _shut_down(response))
                    self._check(response)
                    for event in source.iter_sse():
                        if cancel is not None and cancel.cancelled:
                            raise TurnCancelledError(f"Turn cancelled: {cancel.reason}")
                        piece = _piece(event)
                        if piece is None:
                            break
                        if piece:
                            yield piece
            except TurnCancelledError:
                raise
            except (httpx.HTTPError, httpx.StreamError) as error:
                if cancel is not None and cancel.cancelled:
                    raise TurnCancelledError(f"Turn cancelled: {cancel.reason}") from error
                raise self._error(error) from error
            if cancel is not None and cancel.cancelled:
                raise TurnCancelledError(f"Turn cancelled: {cancel.reason}")

    def complete_warmup(self) -> None:
        """Nothing to warm here: the server keeps its own model loaded."""

    def complete(self, messages: Sequence[ChatMessage], max_tokens: int | None = None) -> str:
        """The whole reply at once (for background work such as summaries)."""
        return self._post(self._body(messages, stream=False, max_tokens=max_tokens))

    def complete_json(
        self,
        messages: Sequence[ChatMessage],
        schema: dict[str, Any],
        max_tokens: int = 256,
        *,
        cancel: CancelToken | None = None,
    ) -> Any:
        """A reply the server constrains to a JSON schema (llama.cpp and vLLM honour it), parsed; a cancel
        drops the request at once (memory learning makes way for the user's turn this way).

        Raises:
            TurnCancelledError: ``cancel`` fired before the answer arrived.
            GenerationError: the server failed or returned unparsable text.
        """
        body = self._body(messages, stream=cancel is not None, max_tokens=max_tokens)
        body.update(temperature=0.0, response_format={"type": "json_object", "schema": schema})
        # Streamed when it may be stopped: only a streamed answer has a socket to shut down mid-way.
        text = "".join(self._stream(body, cancel)) if cancel is not None else self._post(body)
        try:
            return json.loads(text)
        except ValueError as error:
            raise GenerationError(f"The model server returned malformed JSON: {text[:200]!r}") from error

    def _post(self, body: dict[str, Any]) -> str:
        with self._lock, httpx.Client(timeout=self._timeout, headers=self._headers) as client:
            try:
                response = client.post(self._url(), json=body)
                self._check(response)
                return response.json()["choices"][0]["message"]["content"] or ""
            except httpx.HTTPError as error:
                raise self._error(error) from error
            except (ValueError, KeyError, IndexError) as error:
                raise GenerationError(
                    f"The model server at {self.base_url} sent an answer Aris cannot read."
                ) from error

    def _url(self) -> str:
        return f"{self.base_url}/chat/completions"

    def _body(
        self, messages: Sequence[ChatMessage], *, stream: bool, max_tokens: int | None = None
    ) -> dict[str, Any]:
        s = self.settings
        return {
            "model": self.model,
            "messages": [{"role": m.role.value, "content": m.content} for m in messages],
            "stream": stream,
            "max_tokens": max_tokens or s.max_tokens,
            "temperature": s.temperature,
            "top_p": s.top_p,
            "seed": s.seed,
        }

    def _check(self, response: httpx.Response) -> None:
        if response.status_code == 404:
            raise GenerationError(
                f"The model server at {self.base_url} has no /chat/completions endpoint (HTTP 404): check "
                "models.llm_url (it usually ends in /v1)."
            )
        if response.status_code >= 400:
            response.read()
            raise GenerationError(
                f"The model server at {self.base_url} refused the request (HTTP {response.status_code}): "
                f"{response.text[:200]}"
            )

    def _error(self, error: Exception) -> GenerationError:
        if isinstance(error, SSEError):
            return GenerationError(
                f"The model server at {self.base_url} did not stream its answer as Server-Sent Events: is it "
                "an OpenAI-compatible endpoint?"
            )
        if isinstance(error, httpx.ConnectError):
            return GenerationError(f"Could not reach the model server at {self.base_url}: is it running?")
        if isinstance(error, httpx.TimeoutException):
            return GenerationError(f"The model server at {self.base_url} did not answer in time.")
        log.warning("Model server failed: %s", error)
        return GenerationError(f"The model server at {self.base_url} stopped in the middle of the answer.")


def _shut_down(response: httpx.Response) -> None:
    """Wake the read blocked on this response now: closing a socket does not interrupt a recv() in another
    thread on Linux, shutting it down does (and the server sees the client go and stops generating)."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed: nothing is blocked on it
            sock.shutdown(socket.SHUT_RDWR)


def _piece(event: ServerSentEvent) -> str | None:
    """The text of one streamed chunk: "" for chunks without text, None at OpenAI's ``[DONE]``."""
    if event.data.strip() == "[DONE]":
        return None
    try:
        choice = json.loads(event.data)["choices"][0]
    except (ValueError, KeyError, IndexError):
        return ""
    return (choice.get("delta") or {}).get("content") or ""
