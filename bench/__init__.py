"""Benchmarks: libraries of 1k to 1M passages built from real committee text, timed end to end (`make bench`)."""
