"""Sentence embeddings for memory recall: all-MiniLM-L6-v2 (int8 ONNX) through onnxruntime and tokenizers.

No torch and no network: the model and tokenizer files come from the `models/` catalogue. The class is also a
Chroma embedding function, so Chroma never reaches for its own (slow, downloading) default model.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from models import resolve_model

log = logging.getLogger(__name__)

EMBEDDING_MODEL = "minilm-l6-v2-int8"
TOKENIZER_MODEL = "minilm-l6-v2-tokenizer"
DIMENSIONS = 384
MAX_TOKENS = 256
"""all-MiniLM-L6-v2 was trained on 256-token windows; longer memories are truncated."""


_LOADED: list[MiniLMEmbedder] = []
"""Embedders loaded in this process (normally one), for Chroma's build_from_config."""


class MiniLMEmbedder(EmbeddingFunction[Documents]):
    """Unit-length 384-dimensional sentence vectors, mean-pooled over real tokens.

    Inputs are padded only to the longest text of each batch (Chroma's bundled model pads everything to 256
    tokens, which is what makes it ~15x slower on short sentences).
    """

    def __init__(self, model_path: Path, tokenizer_path: Path, threads: int | None = None) -> None:
        """Load the ONNX model and the tokenizer.

        Args:
            model_path: the int8 model.onnx.
            tokenizer_path: the tokenizer.json of all-MiniLM-L6-v2.
            threads: onnxruntime intra-op threads; defaults to the CPU count capped at 2, because the
                language model needs the other cores while memories are learned in the background.
        """
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.model_path = Path(model_path)
        self.tokenizer_path = Path(tokenizer_path)
        self.threads = threads or max(1, min(2, os.cpu_count() or 1))
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Spinning worker threads fight llama.cpp (and each other) for two cores: measured here, a query took
        # 7.4 ms with spinning and 3.5 ms without.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(
            str(self.model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._input_names = {node.name for node in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(self.tokenizer_path))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.no_padding()
        # tokenizers' encode_batch is not safe to call from two threads with padding state; keep it simple.
        self._tokenizer_lock = threading.Lock()
        _LOADED.append(self)

    @classmethod
    def from_catalogue(cls, cache_dir: Path | None, threads: int | None = None) -> MiniLMEmbedder:
        """The catalogued model and tokenizer, verified.

        Raises:
            ModelError: a file is missing or damaged (the message says how to repair it).
        """
        model = resolve_model(EMBEDDING_MODEL, cache_dir)
        tokenizer = resolve_model(TOKENIZER_MODEL, cache_dir)
        return cls(model.path, tokenizer.path, threads=threads)

    def __call__(self, input: Documents) -> Embeddings:  # Chroma's protocol names it `input`
        """Chroma's entry point: a list of vectors for a list of texts."""
        return list(self.embed(list(input)))

    def embed_one(self, text: str) -> np.ndarray:
        """One text's vector (float32, unit length)."""
        vector: np.ndarray = self.embed([text])[0]
        return vector

    def embed(self, texts: Sequence[str], batch_size: int = 128) -> np.ndarray:
        """Vectors for many texts, shape (n, 384), float32, unit length.

        Texts are sorted by length before batching so each batch pads to similar lengths.
        """
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        with self._tokenizer_lock:
            encodings = self._tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, index in enumerate(chunk):
                tokens = encodings[index].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1
            out[chunk] = self._run(ids, mask)
        return out

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        feeds: dict[str, np.ndarray] = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(["last_hidden_state"], feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        normalised: np.ndarray = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return normalised

    # Chroma's embedding-function protocol: a name and a config so a collection can be reopened.
    @staticmethod
    def name() -> str:
        """Chroma's registry name for this function."""
        return "aris-minilm-l6-v2-int8"

    def get_config(self) -> dict[str, Any]:
        """Where the files are, for Chroma's collection config."""
        return {"model_path": str(self.model_path), "tokenizer_path": str(self.tokenizer_path)}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbedder:
        """Chroma calls this on every write to check the collection's schema: hand back the model already
        loaded (loading it again cost 0.3 s per write), and load from the config only when there is none."""
        if _LOADED:
            return _LOADED[-1]
        return MiniLMEmbedder(Path(config["model_path"]), Path(config["tokenizer_path"]))

    def default_space(self) -> str:  # type: ignore[override]
        """Cosine: the vectors are unit length and MiniLM was trained for cosine similarity."""
        return "cosine"

    def supported_spaces(self) -> list[str]:  # type: ignore[override]
        """Only cosine makes sense for these vectors."""
        return ["cosine"]
