"""Reliability and security tests' helpers, and `python -m tests.reliability.report`, which runs the
tests/test_reliability_*.py suite and regenerates the figures in RELIABILITY.md and tests/reliability/results.json."""
