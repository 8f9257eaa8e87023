"""Content terms (`ingest.terms`, re-exported here) and their inverse document frequencies over a library's
passages, for weighting query terms in abstention."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

from ingest.terms import GENERIC, STOPWORDS, WORD, content_terms, stem, term_frequencies, term_set, words

__all__ = ["GENERIC", "STOPWORDS", "WORD", "TermStats", "content_terms", "stem", "term_set", "words"]


class TermStats:
    """Inverse document frequencies over a library's passages, for weighting query terms.

    A term no passage contains gets the highest weight, so a question about something the library never
    mentions has low coverage however many ordinary words it shares with the minutes. Built from texts, or
    (`from_counts`) from the frequencies the index stored when it was built.
    """

    __slots__ = ("documents", "frequency")

    def __init__(self, texts: Iterable[str]) -> None:
        self.documents, self.frequency = term_frequencies(texts)

    @classmethod
    def from_counts(cls, documents: int, frequency: Counter[str]) -> TermStats:
        stats = cls.__new__(cls)
        stats.documents, stats.frequency = documents, frequency
        return stats

    def idf(self, term: str) -> float:
        return math.log((self.documents + 1) / (self.frequency.get(term, 0) + 0.5))

    def coverage(self, query_terms: Sequence[str], text_terms: frozenset[str]) -> float:
        """The idf-weighted share of the (distinct) query terms that occur in the text: 0.0 to 1.0."""
        distinct = sorted(set(query_terms))
        if not distinct:
            return 0.0
        total = sum(self.idf(term) for term in distinct)
        found = sum(self.idf(term) for term in distinct if term in text_terms)
        return found / total if total > 0 else 0.0
