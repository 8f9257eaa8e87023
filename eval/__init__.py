"""Eval: question files → runs → metrics."""
