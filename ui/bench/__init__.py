"""Benchmarks and tools of the desktop shell (start-up, desktop reactions, screenshots): not part of the product."""
