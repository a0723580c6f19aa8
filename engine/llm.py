"""The local language model: llama.cpp through llama-cpp-python, streamed token by token."""

from __future__ import annotations

import ctypes
import json
import logging
import threading
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.cancel import CancelToken
from engine.chat import SYSTEM_PROMPT, ChatMessage, Role
from engine.errors import GenerationError, TurnCancelledError
from engine.llm_thread import LLAMA_THREAD

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GenerationSettings:
    """Sampling settings; tuned for short, spoken, factual answers from a small model."""

    max_tokens: int = 120
    """Upper bound on a reply; spoken answers should be a few sentences."""
    temperature: float = 0.2
    """Low: small models drift into nonsense quickly when sampled hot."""
    top_p: float = 0.9
    top_k: int = 40
    repeat_penalty: float = 1.15
    """Small models loop ('Paris, Paris, Paris'); this keeps them moving."""
    seed: int = 7
    """Fixed, so the same question gets the same answer (and tests are reproducible)."""

    @classmethod
    def for_family(cls, family: str | None) -> GenerationSettings:
        """Sampling that suits a model family (the publishers' recommendations, cooled down for short
        factual spoken answers); unknown families get the defaults tuned for the built-in SmolLM2."""
        return FAMILY_SAMPLING.get(family or "", cls())


FAMILY_SAMPLING: dict[str, GenerationSettings] = {
    # Larger instruction-tuned models do not loop the way a 135M model does: little or no repeat penalty,
    # which otherwise bends names and numbers that must be repeated ("Paris, the capital ... Paris").
    "llama3": GenerationSettings(temperature=0.3, top_p=0.9, top_k=40, repeat_penalty=1.05),
    "qwen": GenerationSettings(temperature=0.3, top_p=0.8, top_k=20, repeat_penalty=1.05),
    "phi3": GenerationSettings(temperature=0.2, top_p=0.9, top_k=40, repeat_penalty=1.0),
    "gemma": GenerationSettings(temperature=0.3, top_p=0.95, top_k=64, repeat_penalty=1.0),
    "smollm2": GenerationSettings(),
}


@dataclass(frozen=True)
class PromptStats:
    """How much of the last prompt llama.cpp had to evaluate: the rest came from its cached prefix. A turn
    that re-reads the whole conversation is the slowdown a growing conversation must never have."""

    prompt_tokens: int
    """Tokens in the prompt."""
    evaluated_tokens: int
    """Tokens of it that were evaluated (not reused from the KV cache)."""


class LlamaResponder:
    """A GGUF chat model loaded once and reused; calls are serialised because llama.cpp contexts are not
    thread-safe."""

    def __init__(
        self,
        model_path: str,
        *,
        chat_format: str | None = None,
        context_tokens: int = 2048,
        threads: int = 2,
        settings: GenerationSettings | None = None,
    ) -> None:
        """Load the model.

        Args:
            model_path: the .gguf file.
            chat_format: llama-cpp-python chat format; None uses the template stored in the GGUF.
            context_tokens: context window; the conversation is trimmed to fit it.
            threads: CPU threads; more than the physical cores slows llama.cpp down.
            settings: sampling settings.

        Raises:
            GenerationError: the file could not be loaded as a model.
        """
        from llama_cpp import Llama

        self.settings = settings or GenerationSettings()
        self.context_tokens = context_tokens
        self._lock = threading.RLock()
        try:
            # Any: llama-cpp-python's TypedDicts don't fit our plain message dicts.
            self._llama: Any = LLAMA_THREAD.call(
                lambda: Llama(
                    model_path=model_path,
                    n_ctx=context_tokens,
                    n_threads=threads,
                    n_threads_batch=threads,
                    chat_format=chat_format,
                    seed=self.settings.seed,
                    verbose=False,
                )
            )
        except (ValueError, RuntimeError, OSError) as error:
            log.exception("Loading %s failed", model_path)
            raise GenerationError(
                f"Could not load the language model {model_path}: the file is damaged or not a "
                "llama.cpp model."
            ) from error
        self._abort = threading.Event()
        self._abort_turn: CancelToken | None = None
        self._install_abort_callback()
        self.last_prompt: PromptStats | None = None
        """Prompt evaluation of the latest generation (llama.cpp's own counters)."""

    def _install_abort_callback(self) -> None:
        """Let a cancel stop llama.cpp inside a token's computation, not only between tokens: on a busy
        2-core machine one token can take 400 ms. llama-cpp-python clears the cache past its own token
        count before every evaluation, so an aborted evaluation leaves no half-written state behind."""
        import llama_cpp

        _route_llama_logs()
        abort = self._abort
        self._abort_callback = llama_cpp.ggml_abort_callback(lambda _data: abort.is_set())
        llama_cpp.llama_set_abort_callback(self._llama.ctx, self._abort_callback, None)

    def _abort_if_current(self, cancel: CancelToken) -> None:
        # A token cancelled after its own turn must not stop a later turn's generation.
        if self._abort_turn is cancel:
            self._abort.set()

    @property
    def lock(self) -> threading.RLock:
        """Held while the model generates; other users of the model (memory extraction) take it too."""
        return self._lock

    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` takes in this model's vocabulary."""
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def respond(self, messages: Sequence[ChatMessage], cancel: CancelToken | None = None) -> Iterator[str]:
        """Stream the reply (generated on the llama.cpp thread, see engine/llm_thread.py); stops inside
        the current token when ``cancel`` fires.

        Raises:
            TurnCancelledError: the turn was cancelled.
            GenerationError: llama.cpp failed.
        """
        return LLAMA_THREAD.stream(self._respond(messages, cancel))

    def _respond(
        self, messages: Sequence[ChatMessage], cancel: CancelToken | None
    ) -> Generator[str, None, None]:
        with self._lock:
            self._arm_abort(cancel)
            self._reset_counters()
            stream = self._create(messages, stream=True)
            try:
                for chunk in stream:
                    if cancel is not None and cancel.cancelled:
                        raise TurnCancelledError(f"Turn cancelled: {cancel.reason}")
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            except (RuntimeError, ValueError) as error:
                if cancel is not None and cancel.cancelled:
                    raise TurnCancelledError(f"Turn cancelled: {cancel.reason}") from error
                log.exception("Generation failed")
                raise GenerationError(f"The language model failed while answering: {error}") from error
            finally:
                self._abort_turn = None
                self._abort.clear()
                stream.close()
                self._record_prompt_stats()

    def _arm_abort(self, cancel: CancelToken | None) -> None:
        self._abort.clear()
        self._abort_turn = cancel
        if cancel is not None:
            cancel.on_cancel(lambda: self._abort_if_current(cancel))

    def _reset_counters(self) -> None:
        import llama_cpp

        llama_cpp.llama_perf_context_reset(self._llama.ctx)

    def _record_prompt_stats(self) -> None:
        """llama.cpp counts batched (prompt) evaluations apart from one-token (generated) ones."""
        import llama_cpp

        perf = llama_cpp.llama_perf_context(self._llama.ctx)
        evaluated = int(perf.n_p_eval)
        prompt = max(evaluated, int(self._llama.n_tokens) - int(perf.n_eval))
        self.last_prompt = PromptStats(prompt_tokens=prompt, evaluated_tokens=evaluated)

    def complete_warmup(self) -> None:
        """Evaluate the system prompt once so llama.cpp caches it (the first real turn then skips it)."""
        messages = [ChatMessage(Role.SYSTEM, SYSTEM_PROMPT), ChatMessage(Role.USER, "Hello.")]
        self.complete(messages, max_tokens=1)

    def save_prompt_state(self, path: Path) -> None:
        """Write the evaluated prompt (llama.cpp's KV cache and its tokens) to ``path``, so a new process
        (a one-shot `ask`) starts with the system prompt already read instead of spending seconds on it.

        Raises:
            GenerationError: the file could not be written.
        """
        LLAMA_THREAD.call(self._save_prompt_state, path)

    def _save_prompt_state(self, path: Path) -> None:
        import llama_cpp

        with self._lock:
            count = int(self._llama.n_tokens)
            tokens = (llama_cpp.llama_token * count)(*self._llama.input_ids[:count].tolist())
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".partial")
            if not llama_cpp.llama_state_save_file(self._llama.ctx, str(partial).encode(), tokens, count):
                raise GenerationError(f"Could not save the language model's prompt state to {path}.")
            partial.replace(path)

    def load_prompt_state(self, path: Path) -> bool:
        """Restore a prompt state saved by :meth:`save_prompt_state` for this model and context size;
        False (and nothing changed) when the file is missing or unusable."""
        return LLAMA_THREAD.call(self._load_prompt_state, path)

    def _load_prompt_state(self, path: Path) -> bool:
        import llama_cpp

        if not path.is_file():
            return False
        with self._lock:
            capacity = self.context_tokens
            tokens = (llama_cpp.llama_token * capacity)()
            count = ctypes.c_size_t(0)
            loaded = llama_cpp.llama_state_load_file(
                self._llama.ctx, str(path).encode(), tokens, capacity, ctypes.byref(count)
            )
            if not loaded or count.value == 0:
                log.info("The saved prompt state %s does not fit this model; it will be rebuilt", path)
                self._llama.reset()
                return False
            n = int(count.value)
            self._llama.input_ids[:n] = tokens[:n]
            self._llama.n_tokens = n
            self._llama._requires_eval = True  # the logits were not restored: sample only after a decode
        log.debug("Restored %d prompt tokens from %s", n, path)
        return True

    def complete(self, messages: Sequence[ChatMessage], max_tokens: int | None = None) -> str:
        """The whole reply at once (for background work such as summaries)."""
        return "".join(self._collect(messages, max_tokens=max_tokens))

    def complete_json(
        self,
        messages: Sequence[ChatMessage],
        schema: dict[str, Any],
        max_tokens: int = 256,
        *,
        cancel: CancelToken | None = None,
    ) -> Any:
        """A reply constrained by llama.cpp's grammar to match a JSON schema, parsed.

        Small models write broken JSON when asked politely; the grammar makes that impossible, so the
        caller only has to validate meaning, not syntax. ``cancel`` stops it inside a token (background
        work making way for the user's turn).

        Raises:
            TurnCancelledError: ``cancel`` fired.
            GenerationError: the model failed or (despite the grammar) returned unparsable text.
        """
        return LLAMA_THREAD.call(self._complete_json, messages, schema, max_tokens, cancel)

    def _complete_json(
        self,
        messages: Sequence[ChatMessage],
        schema: dict[str, Any],
        max_tokens: int,
        cancel: CancelToken | None,
    ) -> Any:
        with self._lock:
            self._arm_abort(cancel)
            try:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                result = self._llama.create_chat_completion(
                    messages=_wire(messages),
                    response_format={"type": "json_object", "schema": schema},
                    max_tokens=max_tokens,
                    temperature=0.0,
                    seed=self.settings.seed,
                )
            except (RuntimeError, ValueError) as error:
                if cancel is not None and cancel.cancelled:
                    raise TurnCancelledError(f"Cancelled: {cancel.reason}") from error
                log.exception("Structured generation failed")
                raise GenerationError(f"The language model failed: {error}") from error
            finally:
                self._abort_turn = None
                self._abort.clear()
        if cancel is not None and cancel.cancelled:
            raise TurnCancelledError(f"Cancelled: {cancel.reason}")
        text = result["choices"][0]["message"]["content"] or ""
        try:
            return json.loads(text)
        except ValueError as error:
            raise GenerationError(f"The language model returned malformed JSON: {text[:200]!r}") from error

    def _collect(self, messages: Sequence[ChatMessage], max_tokens: int | None) -> Iterator[str]:
        result = LLAMA_THREAD.call(self._create_whole, messages, max_tokens)
        yield result["choices"][0]["message"]["content"] or ""

    def _create_whole(self, messages: Sequence[ChatMessage], max_tokens: int | None) -> Any:
        with self._lock:
            return self._create(messages, stream=False, max_tokens=max_tokens)

    def _create(self, messages: Sequence[ChatMessage], *, stream: bool, max_tokens: int | None = None) -> Any:
        s = self.settings
        return self._llama.create_chat_completion(
            messages=_wire(messages),
            stream=stream,
            max_tokens=max_tokens or s.max_tokens,
            temperature=s.temperature,
            top_p=s.top_p,
            top_k=s.top_k,
            repeat_penalty=s.repeat_penalty,
            seed=s.seed,
        )


_llama_log_callback: object = None


def _route_llama_logs() -> None:
    """Send llama.cpp's own log lines to our log file instead of the user's terminal (it prints an ERROR
    line for every generation a user stops, which is expected, not an error)."""
    global _llama_log_callback  # noqa: PLW0603 - the C callback must stay referenced for the process
    if _llama_log_callback is not None:
        return
    import ctypes

    import llama_cpp

    native_log = logging.getLogger("llama.cpp")

    def forward(_level: int, text: bytes, _data: object) -> None:
        native_log.debug("%s", text.decode("utf-8", "replace").rstrip())

    _llama_log_callback = llama_cpp.llama_log_callback(forward)
    llama_cpp.llama_log_set(_llama_log_callback, ctypes.c_void_p(0))


def _wire(messages: Sequence[ChatMessage]) -> list[dict[str, str]]:
    """Messages as llama-cpp-python's chat completion takes them."""
    return [{"role": m.role.value, "content": m.content} for m in messages]
