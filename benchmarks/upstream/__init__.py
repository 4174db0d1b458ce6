"""Helpers of benchmarks/upstream_precision.py (each runs as its own process)."""
