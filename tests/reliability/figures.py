"""Figures the reliability tests report (inputs tried, kills survived, concurrent calls held).

A test calls `record("name", key=value, ...)`. When `python -m tests.reliability.report` runs the suite it sets
MINUTEBOOK_RELIABILITY_FIGURES to a file, and each record becomes one JSON line there; in an ordinary test
run the variable is unset and `record` does nothing.
"""

from __future__ import annotations

import json
import os

FIGURES_ENV = "MINUTEBOOK_RELIABILITY_FIGURES"


def record(name: str, **values: object) -> None:
    path = os.environ.get(FIGURES_ENV)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"figure": name, **values}, sort_keys=True) + "\n")
