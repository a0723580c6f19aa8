"""The model catalogue: which models Aris knows, where their files are, and whether they are intact."""

from __future__ import annotations

from models.catalogue import (
    ModelFile,
    ModelKind,
    ModelSpec,
    available_models,
    default_model,
    default_models,
    get_spec,
)
from models.errors import ModelCorruptError, ModelError, ModelMissingError
from models.resolve import ResolvedModel, resolve_model, user_gguf_model

__all__ = [
    "ModelCorruptError",
    "ModelError",
    "ModelFile",
    "ModelKind",
    "ModelMissingError",
    "ModelSpec",
    "ResolvedModel",
    "available_models",
    "default_model",
    "default_models",
    "get_spec",
    "resolve_model",
    "user_gguf_model",
]
