"""The second stage's model itself: hashed word features, the out-of-scope subclasses, and training on them."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from app.skills.classifier import BUCKETS, OUT_OF_SCOPE, IntentClassifier, classifier_for, word_features
from tests.conftest import ROOT


def _training_script():
    spec = importlib.util.spec_from_file_location(
        "train_classifier", ROOT / "resources/intents/train_classifier.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_word_features_are_stable_and_unit_length() -> None:
    buckets, values = word_features("Remind me to call mum, remind me!")
    again, _ = word_features("remind me to call mum remind me")
    assert list(buckets) == list(again)  # crc32, not Python's per-process hash
    assert np.all((buckets >= 0) & (buckets < BUCKETS))
    assert np.linalg.norm(values) == pytest.approx(1.0)
    assert word_features("?!")[0].size == 0


class _NoVectors:
    """Every sentence the same vector, so only the words can tell classes apart."""

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.ones((len(texts), 4), dtype=np.float32) / 2


def test_training_on_words_separates_what_vectors_cannot_and_subclasses_stay_out_of_scope() -> None:
    script = _training_script()
    sentences = [
        ("list_add", "add milk to my list"),
        ("list_add", "put eggs on the list"),
        ("none:music", "play some jazz"),
        ("none:music", "play the beatles"),
    ]
    labels = sorted({label for label, _ in sentences})
    features = script.featurise(_NoVectors(), [text for _, text in sentences])
    targets = np.array([labels.index(label) for label, _ in sentences])
    weights, bias, words = script.fit(features, targets, len(labels))
    classifier = IntentClassifier(weights, bias, labels, 0.5, _NoVectors(), word_weights=words)
    added = classifier.guess("add bread to the list")
    assert added.label == "list_add" and added.in_scope
    played = classifier.guess("play some music")
    assert played.label == OUT_OF_SCOPE and not played.in_scope


def test_the_shipped_classifier_reads_words_and_knows_the_kinds_of_request_no_skill_serves() -> None:
    classifier = classifier_for("en")
    assert classifier is not None and classifier.word_weights is not None
    assert any(label.startswith("none:") for label in classifier.labels)
    assert classifier.guess("play my workout playlist").in_scope is False
    assert classifier.guess("could you put carrots on my shopping list").label == "list_add"
