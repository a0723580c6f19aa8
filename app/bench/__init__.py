"""Benchmarks and evaluation harnesses of the app and engine: they measure the product and are not part of it."""
