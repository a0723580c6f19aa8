"""The second understanding stage: which skill a request is for, however it is phrased.

A multinomial logistic regression over MiniLM sentence vectors (the embedder memory already uses), trained by
resources/intents/train_classifier.py on HWU64's training utterances and our own, and shipped as
resources/intents/en/classifier.npz (22 KB: the weights for 15 classes, biases, labels and the threshold;
regenerated deterministically by that script). A request is given to a skill only when that skill's
probability reaches the calibrated threshold stored with the weights; below it the request is out of scope
and the language model answers.
"""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from models.locate import resource_path

log = logging.getLogger(__name__)

OUT_OF_SCOPE = "none"
"""The class of everything no skill serves."""


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


class IntentClassifier:
    """Softmax weights over sentence vectors, with the out-of-scope threshold calibrated on held-out data."""

    def __init__(
        self, weights: np.ndarray, bias: np.ndarray, labels: list[str], threshold: float, embedder: Embedder
    ) -> None:
        self.weights = weights.astype(np.float32)
        self.bias = bias.astype(np.float32)
        self.labels = labels
        self.threshold = threshold
        self.embedder = embedder

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
            )

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """Class probabilities for sentence vectors, shape (n, classes)."""
        return softmax(vectors @ self.weights + self.bias)

    def guess(self, text: str) -> Guess:
        """The most likely label and whether it is confident enough to act on."""
        probabilities = self.probabilities(self.embedder.embed([text.lower()]))[0]
        best = int(np.argmax(probabilities))
        label, probability = self.labels[best], float(probabilities[best])
        return Guess(label, probability, label != OUT_OF_SCOPE and probability >= self.threshold)


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
