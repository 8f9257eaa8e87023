"""Content terms of a question or passage: lower-cased, stop words dropped, stemmed, so that "decided" and
"decision" meet. Used for term overlap (highlight), query-term coverage (abstention) and follow-up topics.

Here, rather than in the assistant, because the index counts each term's passages once when it is built
(`term_frequencies`, saved beside the keyword index): the assistant's abstention weighs query terms by them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import Stemmer

from ingest.models import Chunk

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
_BATCH = 2048  # texts read before their new words are stemmed together


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def passage_text(chunk: Chunk) -> str:
    """A passage's text with its item title, as the terms of an item go."""
    return f"{chunk.item_title or ''}\n{chunk.text}"


def _word(raw: str) -> str:
    """A matched word lower-cased, apostrophe endings ("'s", "'t") dropped and other apostrophes removed."""
    word = raw.lower().replace("’", "'")
    return word.split("'")[0] if word.endswith(("'s", "'t")) else word.replace("'", "")


def words(text: str) -> list[tuple[int, int, str]]:
    """Every word of `text` with its offsets: (start, end, lower-cased word); apostrophe endings dropped."""
    return [(match.start(), match.end(), _word(match.group(0))) for match in WORD.finditer(text)]


def _kept(word: str, generic: bool) -> bool:
    if word in STOPWORDS or (not generic and word in GENERIC):
        return False
    return len(word) != 1 or word.isdigit()


def content_terms(text: str, *, generic: bool = False) -> list[str]:
    """Stemmed content words of `text` in order, duplicates kept; `generic=True` keeps GENERIC words too."""
    return [stem(word) for _, _, word in words(text) if _kept(word, generic)]


def term_set(text: str) -> frozenset[str]:
    return frozenset(content_terms(text, generic=True))


def term_frequencies(texts: Iterable[str]) -> tuple[int, Counter[str]]:
    """How many texts there are, and in how many of them each term occurs (`term_set` over every text), with
    each distinct written word analysed once and the new ones stemmed in a batch: a library repeats its words
    (100,000 passages hold ~60,000 distinct ones), so this is several times faster than `term_set` per text."""
    term_of: dict[str, str] = {}  # written word -> its term, "" when it is not a content word
    frequency: Counter[str] = Counter()
    documents = 0
    batch: list[str] = []

    def count() -> None:
        found = [set(WORD.findall(text)) for text in batch]
        new = list(set().union(*found).difference(term_of))
        analysed = [_word(raw) for raw in new]
        kept = [word for word in dict.fromkeys(analysed) if _kept(word, True)]
        stems = dict(zip(kept, _STEMMER.stemWords(kept), strict=True))
        term_of.update(zip(new, (stems.get(word, "") for word in analysed), strict=True))
        for raw_words in found:
            terms = {term_of[raw] for raw in raw_words}
            terms.discard("")
            frequency.update(terms)
        batch.clear()

    for text in texts:
        documents += 1
        batch.append(text)
        if len(batch) == _BATCH:
            count()
    count()
    return documents, frequency
