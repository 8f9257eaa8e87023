"""Content terms of a question or passage: lower-cased, stop words dropped, stemmed, so that "decided" and
"decision" meet. Used for term overlap (highlight), query-term coverage (abstention) and follow-up topics.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

import Stemmer

WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")

# Function words and the words people use to ask, which carry no topic.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing done down during each either few for from further get
    got had has have having he her here hers him his how i if in into is it its itself just me more most my
    no nor not now of off on once only or other our ours out over own same she should so some such than that
    the their theirs them then there these they this those through to too under until up upon very was we
    were what when where which while who whom whose why will with would you your yours
    tell show find give know say said says ask asked anything something thing things please much many
    happen happened happening s t each every both either neither whole several various two
    couldn didn wasn weren wouldn don doesn isn aren hasn haven hadn shouldn won cannot able make made
    """.split()
)

# Words every set of minutes is full of: they neither find a topic nor show that a passage answers one.
GENERIC = frozenset(
    """
    committee committees council councils meeting meetings minute minutes item items agenda member members
    discuss discussed discussion talk talked mention mentioned report reported raise raised note noted
    """.split()
)

_STEMMER = Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def words(text: str) -> list[tuple[int, int, str]]:
    """Every word of `text` with its offsets: (start, end, lower-cased word); apostrophe endings dropped."""
    found = []
    for match in WORD.finditer(text):
        word = match.group(0).lower().replace("’", "'")
        word = word.split("'")[0] if word.endswith(("'s", "'t")) else word.replace("'", "")
        found.append((match.start(), match.end(), word))
    return found


def content_terms(text: str, *, generic: bool = False) -> list[str]:
    """Stemmed content words of `text` in order, duplicates kept; `generic=True` keeps GENERIC words too."""
    terms = []
    for _, _, word in words(text):
        if word in STOPWORDS or (not generic and word in GENERIC):
            continue
        if len(word) == 1 and not word.isdigit():
            continue
        terms.append(stem(word))
    return terms


def term_set(text: str) -> frozenset[str]:
    return frozenset(content_terms(text, generic=True))


class TermStats:
    """Inverse document frequencies over a library's passages, for weighting query terms.

    A term no passage contains gets the highest weight, so a question about something the library never
    mentions has low coverage however many ordinary words it shares with the minutes.
    """

    __slots__ = ("documents", "frequency")

    def __init__(self, texts: Iterable[str]) -> None:
        self.frequency: Counter[str] = Counter()
        self.documents = 0
        for text in texts:
            self.documents += 1
            self.frequency.update(term_set(text))

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
