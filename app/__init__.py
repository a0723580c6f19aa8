"""Aris application layer: settings, storage, memory, sync client, and the CLI that wires the engine."""
