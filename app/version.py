"""Aris's version: one place, read by `python main.py --version`, the package metadata (pyproject.toml) and
the CHANGELOG's newest release heading (a test checks they agree)."""

VERSION = "0.3.0"
