"""Libraries of any size built from real committee text, for the scale benchmarks.

The pool is every agenda item of the sample minutes and the external test minutes (read by the real ingest
code, OCR off) and every topic segment of the QMSum committee transcripts (the speaker turns a topic spans,
as "Speaker: words" paragraphs) when /work/shared/datasets/qmsum-committee is there. A generated meeting is
6 to 14 pool items drawn at random under a real-looking header (committee, date, venue, attendance), numbered
on from a running minute number, so that ingest segments it and the chunker cuts it as it would real minutes;
committees are real body names crossed with real committee kinds, meeting on dates spread over 2005-2025.

Embeddings at scale: the real model embeds each pool passage once (`base_vectors`, cached on disk); a passage
of a generated library gets its pool passage's vector plus Gaussian noise (about 0.94 cosine to it), so
100k/1M libraries have real-model vector geometry without hours of embedding (the model does ~30 passages/s).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from index.encoder import Encoder, normalise_rows
from ingest.models import Chunk, IngestError, Item, Meeting, make_meeting_id
from ingest.pipeline import chunk_for_settings, ingest_file
from ingest.readers.normalise import normalise_text
from ingest.segment import find_decisions
from ingest.settings import Settings

REPO = Path(__file__).resolve().parent.parent
MINUTES = (REPO / "samples" / "minutes", REPO / "tests" / "data" / "external")
QMSUM = Path("/work/shared/datasets/qmsum-committee")
QMSUM_FILES = ("train.jsonl", "val.jsonl", "test.jsonl")
MAX_BODY_CHARS = 6000  # a long QMSum topic becomes several items of at most this much text
NOISE = 0.35  # norm of the noise added to a unit pool vector: cosine to it ~ 1/sqrt(1 + 0.35^2) = 0.94
FIRST_DATE = date(2005, 1, 4)
SPAN_DAYS = 20 * 365

PLACES = (
    "Herefordshire",
    "Ayton",
    "Horsley",
    "Milburn",
    "Merton",
    "Rivergrove",
    "Sutton Coldfield",
    "Newbiggin",
    "North Star",
    "Perth",
    "Decoy",
    "China Falls",
    "Powys",
    "Torfaen",
    "Swansea",
    "Cardiff",
)
KINDS = (
    "Children and Young People Scrutiny Committee",
    "Audit Committee",
    "Planning Committee",
    "Health and Wellbeing Board",
    "Parish Council",
    "Finance and Resources Committee",
    "Amenities Committee",
    "Governing Body",
)
VENUES = ("Council Chamber, Town Hall", "Conference Room 1, Plough Lane Offices", "the Village Hall", "online")


@dataclass(frozen=True, slots=True)
class PoolItem:
    """One agenda item's worth of real text: its title, its body (without the heading line), where it came from."""

    title: str
    body: str
    origin: str


@dataclass(frozen=True, slots=True)
class Pool:
    items: tuple[PoolItem, ...]
    preambles: tuple[str, ...]  # attendance blocks of real minutes

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for item in self.items:
            digest.update(f"{item.title}\0{item.body}\0".encode())
        return digest.hexdigest()[:16]


def _minutes_items(settings: Settings) -> tuple[list[PoolItem], list[str]]:
    items: list[PoolItem] = []
    preambles: list[str] = []
    for folder in MINUTES:
        for path in sorted(folder.glob("*")) if folder.is_dir() else ():
            try:
                meeting = ingest_file(path, settings).meeting
            except (IngestError, OSError, ValueError):
                continue  # scanned PDFs without OCR, unsupported files
            for item in meeting.items:
                text = meeting.item_text(item)
                if item.number is None:
                    present = text.find("Present")  # the attendance, not the other body's title block
                    if meeting.present and present >= 0 and 80 < len(text) - present < 3000:
                        preambles.append(text[present:].strip())
                    continue
                body = text.split("\n", 1)[1].strip() if "\n" in text else ""
                if body:
                    items.append(PoolItem(_title(item.title or "Item"), body, path.name))
    return items, preambles


def _title(text: str) -> str:
    """A heading ingest will read as one: upper case, at most 12 words, no sentence full stop."""
    words = re.sub(r"[.:;]", "", " ".join(text.split())).split()[:12]
    return " ".join(words).upper() or "ITEM"


def _qmsum_items(folder: Path) -> list[PoolItem]:
    items: list[PoolItem] = []
    for name in QMSUM_FILES:
        file = folder / name
        if not file.is_file():
            continue
        for line_number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            meeting = json.loads(line)
            turns = meeting["meeting_transcripts"]
            for topic in meeting["topic_list"]:
                rows = sorted(
                    {i for span in topic["relevant_text_span"] for i in range(int(span[0]), int(span[1]) + 1)}
                )
                paragraphs = [
                    f"{turns[i]['speaker']}: {' '.join(turns[i]['content'].split())}" for i in rows if i < len(turns)
                ]
                part: list[str] = []
                size = 0
                for paragraph in paragraphs + [""]:
                    if (not paragraph or size + len(paragraph) > MAX_BODY_CHARS) and part:
                        items.append(PoolItem(_title(topic["topic"]), "\n\n".join(part), f"{name}:{line_number}"))
                        part, size = [], 0
                    if paragraph:
                        part.append(paragraph[:MAX_BODY_CHARS])
                        size += len(paragraph) + 2
    return items


def real_pool(qmsum: Path | None = QMSUM) -> Pool:
    """Every item of the sample and external minutes, and every QMSum committee topic (if present)."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(library=Path(tmp), ocr="never")
        items, preambles = _minutes_items(settings)
    if qmsum is not None and qmsum.is_dir():
        items += _qmsum_items(qmsum)
    if not items:
        raise RuntimeError("no real minutes found to build a corpus from (samples/minutes is missing)")
    # In the shape the readers give text, so generated minutes read back unchanged.
    items = [PoolItem(item.title, normalise_text(item.body), item.origin) for item in items]
    preambles = [normalise_text(text) for text in preambles]
    return Pool(tuple(i for i in items if i.body), tuple(preambles) or ("Present: Councillor A Smith (Chairperson)",))


# -- meetings


@dataclass(frozen=True, slots=True)
class MeetingPlan:
    committee: str
    meeting_date: date
    items: tuple[int, ...]  # indices into the pool
    preamble: int
    venue: str
    first_number: int = 1  # minutes often number items on from the last meeting (22, 23, ...)


def committees(count: int) -> list[str]:
    names = [f"{place} {kind}" for kind in KINDS for place in PLACES]
    return names[:count]


def meeting_text(plan: MeetingPlan, pool: Pool) -> tuple[str, list[tuple[str, str, int, int]]]:
    """A meeting's minutes and its items as (number, title, start, end); the preamble runs from 0."""
    header = (
        f"{plan.committee.upper()}\n\nMinutes of the meeting of {plan.committee} held at {plan.venue} on "
        f"{plan.meeting_date.strftime('%A')} {plan.meeting_date.day} {plan.meeting_date.strftime('%B %Y')} "
        f"at 2.00 pm\n\n{pool.preambles[plan.preamble]}\n\n"
    )
    parts = [header]
    offset = len(header)
    spans = []
    for position, index in enumerate(plan.items):
        item = pool.items[index]
        number = plan.first_number + position
        block = f"{number}. {item.title}\n\n{item.body}" + ("\n\n" if position < len(plan.items) - 1 else "")
        spans.append((str(number), item.title, offset, offset + len(block)))
        parts.append(block)
        offset += len(block)
    return "".join(parts), spans


def make_meeting(plan: MeetingPlan, pool: Pool) -> Meeting:
    """The meeting as ingest would make it from the generated text (items, decisions), without the reading."""
    text, spans = meeting_text(plan, pool)
    items = [Item(None, None, 0, spans[0][2])] + [
        Item(number, title, start, end, find_decisions(text, start, end)) for number, title, start, end in spans
    ]
    meeting_id = make_meeting_id(plan.committee, plan.meeting_date)
    return Meeting(
        meeting_id=meeting_id,
        committee=plan.committee,
        meeting_date=plan.meeting_date,
        source=f"/bench/{meeting_id}.txt",
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        text=text,
        items=tuple(items),
        chair=None,
        present=("Councillor A Smith",),
    )


def item_passages(pool: Pool, settings: Settings) -> list[list[Chunk]]:
    """Each pool item's passages when it is item 1 of a meeting on its own: the base the vectors come from."""
    plans = [
        MeetingPlan(f"Pool {n}", FIRST_DATE, (n,), 0, VENUES[0]) for n in range(len(pool.items))
    ]  # one meeting per item
    passages = []
    for plan in plans:
        meeting = make_meeting(plan, pool)
        passages.append([c for c in chunk_for_settings(meeting, settings) if c.item_number is not None])
    return passages


def plan_meetings(pool: Pool, counts: Sequence[int], passages: int, seed: int = 7) -> list[MeetingPlan]:
    """Meetings of 6-14 random pool items until they hold about `passages` passages (`counts`: per item)."""
    rng = random.Random(seed)
    chosen: list[tuple[tuple[int, ...], int]] = []
    total = 0
    while total < passages:
        size = rng.randint(6, 14)
        picks: list[int] = []
        total += 1  # the preamble's passage
        while len(picks) < size and total < passages:
            index = rng.randrange(len(pool.items))
            if index not in picks:
                picks.append(index)
                total += counts[index]
        chosen.append((tuple(picks), rng.randrange(len(pool.preambles))))
    names = committees(max(1, min(len(PLACES) * len(KINDS), len(chosen) // 4)))
    per_committee = -(-len(chosen) // len(names))
    gap = max(1, SPAN_DAYS // per_committee)
    plans = []
    for n, (picks, preamble) in enumerate(chosen):
        committee = names[n % len(names)]
        day = FIRST_DATE + timedelta(days=(n // len(names)) * gap + rng.randrange(gap))
        # Numbered on from 10-89, as running minute numbers are: a numbered list in an item ("1. Make a
        # release") then cannot pass for the meeting's own items 1, 2, 3.
        first = rng.randint(10, 89)
        plans.append(MeetingPlan(committee, day, picks, preamble, VENUES[n % len(VENUES)], first))
    return plans


def write_meetings(plans: Sequence[MeetingPlan], pool: Pool, folder: Path) -> list[Path]:
    """The generated minutes as .txt files, for timing the real reading and splitting."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for plan in plans:
        text, _ = meeting_text(plan, pool)
        path = folder / f"{make_meeting_id(plan.committee, plan.meeting_date)}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def generated_library(
    pool: Pool, passages: int, settings: Settings, seed: int = 7
) -> Iterator[tuple[Meeting, list[Chunk]]]:
    """Meetings and their passages (real chunker) for a library of about `passages` passages."""
    counts = [len(p) for p in item_passages(pool, settings)]
    for plan in plan_meetings(pool, counts, passages, seed):
        meeting = make_meeting(plan, pool)
        yield meeting, chunk_for_settings(meeting, settings)


# -- vectors


def passage_key(text: str) -> str:
    """A passage's text without its item number (the same pool passage is item 1 in one meeting, 7 in another)."""
    return hashlib.sha1(re.sub(r"^\d+\. ", "", text).encode()).hexdigest()


def preamble_passages(pool: Pool, settings: Settings) -> list[list[Chunk]]:
    """Each pool preamble's passages under a generated header (a meeting's first passages)."""
    found = []
    for n in range(len(pool.preambles)):
        meeting = make_meeting(MeetingPlan(committees(1)[0], FIRST_DATE, (0,), n, VENUES[0]), pool)
        found.append([c for c in chunk_for_settings(meeting, settings) if c.item_number is None])
    return found


def preamble_key(preamble: int, position: int) -> str:
    return f"preamble:{preamble}:{position}"


def base_vectors(pool: Pool, settings: Settings, encoder: Encoder, cache_dir: Path) -> dict[str, np.ndarray]:
    """The real model's vector of every pool passage, by `passage_key`, and of every preamble passage, by
    `preamble_key`; embedded once, then read from disk."""
    name = f"pool-vectors-v2-{pool.fingerprint()}-{settings.chunk_tokens}-{encoder.name.replace('/', '_')}.npz"
    cache = cache_dir / name
    if cache.is_file():
        stored = np.load(cache)
        return dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
    chunks = [chunk for item in item_passages(pool, settings) for chunk in item]
    keys = [passage_key(chunk.text) for chunk in chunks]
    for n, preamble in enumerate(preamble_passages(pool, settings)):
        chunks += preamble
        keys += [preamble_key(n, position) for position in range(len(preamble))]
    vectors = encoder.encode([chunk.embed_text for chunk in chunks], progress=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.savez(cache, keys=np.array(keys), vectors=vectors)
    return dict(zip(keys, vectors, strict=True))


def resampled_vectors(
    chunks: Sequence[Chunk],
    base: dict[str, np.ndarray],
    dim: int,
    preambles: dict[str, int] | None = None,
    seed: int = 11,
) -> tuple[np.ndarray, list[int]]:
    """Each passage's pool vector plus noise, unit length. A preamble passage (whose header names its meeting)
    takes the vector of the same passage of its pool preamble (`preambles`: meeting id → pool preamble).
    Rows with no pool vector are returned as misses (zero rows) for the caller to embed."""
    rng = np.random.default_rng(seed)
    out = np.zeros((len(chunks), dim), dtype=np.float32)
    misses = []
    positions: dict[str, int] = {}
    for row, chunk in enumerate(chunks):
        vector = base.get(passage_key(chunk.text))
        if vector is None and chunk.item_number is None and preambles and chunk.meeting_id in preambles:
            position = positions[chunk.meeting_id] = positions.get(chunk.meeting_id, -1) + 1
            for candidate in range(position, -1, -1):  # a longer header may push the preamble on a passage
                vector = base.get(preamble_key(preambles[chunk.meeting_id], candidate))
                if vector is not None:
                    break
        if vector is None:
            misses.append(row)
        else:
            out[row] = vector
    noise = rng.standard_normal(out.shape, dtype=np.float32) * np.float32(NOISE / np.sqrt(dim))
    noise[misses] = 0
    return normalise_rows(out + noise), misses
