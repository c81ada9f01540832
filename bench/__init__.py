"""Benchmarks of callvault: `python -m bench` (see bench/__main__.py)."""
