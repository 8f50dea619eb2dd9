"""Tidewire's benchmark: Tidewire against the seeds' plain Channels pattern, same run.

Run it with `make bench` or `python -m bench.run --help`; docs/benchmark.md explains it.
"""
