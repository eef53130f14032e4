"""Benchmarks run by `make bench` (bench/run.py): not tests, so no timing assertions."""
