"""Helpers shared by the CLI command modules."""

from __future__ import annotations

import json
import sys
from typing import Any

from app.cli import CommandContext
from app.config import Settings, load_settings
from app.errors import SettingsError


def settings_for(ctx: CommandContext) -> Settings:
    """The user's settings, with command-line overrides (--llm PATH) applied."""
    settings = load_settings(ctx.paths.settings_file)
    llm_path = getattr(ctx.args, "llm", None)
    if llm_path:
        settings = settings.with_changes(models=settings.models.model_copy(update={"llm_path": llm_path}))
    llm_url = getattr(ctx.args, "llm_url", None)
    if llm_url:
        if not llm_url.startswith(("http://", "https://")):
            raise SettingsError(f"--llm-url {llm_url} is not an http:// or https:// address.")
        settings = settings.with_changes(models=settings.models.model_copy(update={"llm_url": llm_url}))
    return settings


def print_json(data: Any) -> None:
    """One JSON document on stdout."""
    json.dump(data, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    sys.stdout.flush()
