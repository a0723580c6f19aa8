"""The second understanding stage: which skill a request is for, however it is phrased.

A multinomial logistic regression over MiniLM sentence vectors (the embedder memory already uses) and hashed
word and word-pair features, trained by resources/intents/train_classifier.py on HWU64's training utterances
and our own, and shipped as resources/intents/en/classifier.npz (about 260 KB: weights for the skills' classes
and for the kinds of request no skill serves, biases, labels and the threshold; regenerated deterministically
by that script). A request is given to a skill only when that skill's probability reaches the calibrated
threshold stored with the weights; below it, or when an out-of-scope class wins, the language model answers.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from models.locate import resource_path

log = logging.getLogger(__name__)

OUT_OF_SCOPE = "none"
"""The class of everything no skill serves (subclasses "none:music", "none:email"… keep the many kinds of
request no skill serves apart while training, which sharpens the border; all of them are out of scope)."""

BUCKETS = 4096
"""Hashed word and word-pair features beside the sentence vector: the words that decide a skill ("remind",
"list", "alarm") weigh directly instead of only through a vector that also carries the rest of the sentence."""


class Embedder(Protocol):
    """Sentence → unit vector (MiniLMEmbedder implements it)."""

    def embed(self, texts: list[str]) -> np.ndarray:
        """Vectors for many texts, shape (n, dimensions)."""
        ...


@dataclass(frozen=True)
class Guess:
    """The classifier's reading of one request."""

    label: str
    """A skill action such as "timer_set", or "none"."""
    probability: float
    in_scope: bool
    """The probability reached the threshold and the label is a skill's."""
    kind: str = ""
    """For an out-of-scope guess, the kind of request it is ("music", "news"; "" when unknown)."""


class IntentClassifier:
    """Softmax weights over sentence vectors, with the out-of-scope threshold calibrated on held-out data."""

    def __init__(
        self,
        weights: np.ndarray,
        bias: np.ndarray,
        labels: list[str],
        threshold: float,
        embedder: Embedder,
        *,
        word_weights: np.ndarray | None = None,
    ) -> None:
        self.weights = weights.astype(np.float32)
        self.bias = bias.astype(np.float32)
        self.labels = labels
        self.threshold = threshold
        self.embedder = embedder
        self.word_weights = None if word_weights is None else word_weights.astype(np.float32)
        """Weights of the hashed word features, shape (BUCKETS, classes); None for vectors alone."""

    @classmethod
    def load(cls, path: Path, embedder: Embedder) -> IntentClassifier:
        """The weights saved by the training script."""
        with np.load(path, allow_pickle=False) as saved:
            return cls(
                saved["weights"],
                saved["bias"],
                [str(label) for label in saved["labels"]],
                float(saved["threshold"]),
                embedder,
                word_weights=saved["word_weights"] if "word_weights" in saved.files else None,
            )

    def probabilities(self, vectors: np.ndarray, texts: list[str] | None = None) -> np.ndarray:
        """Class probabilities for sentence vectors (and, with word weights, their texts), shape (n, classes)."""
        scores = vectors @ self.weights + self.bias
        if self.word_weights is not None and texts is not None:
            for row, text in enumerate(texts):
                buckets, values = word_features(text)
                scores[row] += values @ self.word_weights[buckets]
        return softmax(scores)

    def guess(self, text: str) -> Guess:
        """The most likely label and whether it is confident enough to act on."""
        lowered = text.lower()
        probabilities = self.probabilities(self.embedder.embed([lowered]), [lowered])[0]
        best = int(np.argmax(probabilities))
        label, probability = self.labels[best], float(probabilities[best])
        if is_out_of_scope(label):
            return Guess(OUT_OF_SCOPE, probability, False, kind=label.partition(":")[2])
        return Guess(label, probability, probability >= self.threshold)


def is_out_of_scope(label: str) -> bool:
    """ "none" and its subclasses ("none:music")."""
    return label == OUT_OF_SCOPE or label.startswith(OUT_OF_SCOPE + ":")


_WORD = re.compile(r"[a-z0-9']+")


def word_features(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(bucket indices, values) of a sentence's words and word pairs, hashed into BUCKETS with a stable hash
    (crc32: the same on every machine and run); the values have unit length so long sentences don't shout."""
    words = _WORD.findall(text.lower())
    grams = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
    if not grams:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    buckets, counts = np.unique(
        np.array([zlib.crc32(g.encode()) % BUCKETS for g in grams], dtype=np.int64), return_counts=True
    )
    values = counts.astype(np.float32)
    return buckets, values / np.linalg.norm(values)


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for large scores."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    probabilities: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return probabilities


def classifier_path(language: str = "en") -> Path:
    """Where the shipped weights are."""
    return resource_path("intents", language, "classifier.npz")


_lock = threading.Lock()


@functools.cache
def _load(language: str) -> IntentClassifier | None:
    path = classifier_path(language)
    if not path.is_file():
        return None
    from app.memory.embeddings import MiniLMEmbedder
    from models.errors import ModelError

    try:
        embedder = MiniLMEmbedder.from_catalogue(None, threads=1)
    except ModelError as error:  # the templates still answer; the log says how to repair the model
        log.warning(
            "The skills' second stage is off: the sentence embedder could not load (%s)", error.message
        )
        return None
    return IntentClassifier.load(path, embedder)


def classifier_for(language: str) -> IntentClassifier | None:
    """The language's classifier, loaded once; None when none is shipped (then only templates match)."""
    with _lock:
        return _load(language)
