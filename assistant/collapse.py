"""Rank items, not fragments: passages of the same agenda item collapse to the item's best passage.

A long item is cut into several passages, and a question about it often matches several of them; listing
each would fill the top results with one item. The item keeps its rank of its best passage, and its other
matching passages ride along as `related`, best first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ingest.models import Chunk


@dataclass(frozen=True, slots=True)
class ItemHit:
    chunk: Chunk  # the item's best passage
    score: float
    related: tuple[Chunk, ...] = ()

    @property
    def key(self) -> tuple[str, str | None]:
        return item_key(self.chunk)


def item_key(chunk: Chunk) -> tuple[str, str | None]:
    """Which item a passage belongs to: (meeting id, item number), the preamble's number being None."""
    return (chunk.meeting_id, chunk.item_number)


def collapse(scored: Sequence[tuple[Chunk, float]], k: int | None = None) -> list[ItemHit]:
    """Group passages (best first) by item, keeping the order of each item's best passage; the first `k` items."""
    order: list[tuple[str, str | None]] = []
    groups: dict[tuple[str, str | None], list[tuple[Chunk, float]]] = {}
    for chunk, score in scored:
        key = item_key(chunk)
        if key not in groups:
            order.append(key)
            groups[key] = []
        if all(chunk.chunk_id != seen.chunk_id for seen, _ in groups[key]):
            groups[key].append((chunk, score))
    hits = []
    for key in order[:k] if k is not None else order:
        (best, score), *rest = groups[key]
        hits.append(ItemHit(best, score, tuple(chunk for chunk, _ in rest)))
    return hits
