"""The JSON Schema of `Answer.to_json()`, the output of `minutebook ask --json` (documented in FORMATS.md).

Kept beside the records it describes so a test can validate real output against it.
"""

from __future__ import annotations

from typing import Any

from assistant.records import KINDS, SCHEMA_ID

_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_NULLABLE_DATE = {"anyOf": [_DATE, {"type": "null"}]}
_NULLABLE_STRING = {"type": ["string", "null"]}

HIGHLIGHT = {
    "type": "object",
    "required": ["start", "end", "text"],
    "additionalProperties": False,
    "properties": {
        "start": {"type": "integer", "minimum": 0},
        "end": {"type": "integer", "minimum": 1},
        "text": {"type": "string", "minLength": 1},
    },
}

RELATED = {
    "type": "object",
    "required": ["chunk_id", "start", "end", "page", "text"],
    "additionalProperties": False,
    "properties": {
        "chunk_id": {"type": "string"},
        "start": {"type": "integer", "minimum": 0},
        "end": {"type": "integer", "minimum": 0},
        "page": {"type": ["integer", "null"], "minimum": 1},
        "text": {"type": "string"},
    },
}

PASSAGE = {
    "type": "object",
    "required": [
        "rank",
        "score",
        "citation",
        "link",
        "chunk_id",
        "meeting_id",
        "committee",
        "meeting_date",
        "item_number",
        "item_title",
        "sub_item",
        "text",
        "source",
        "start",
        "end",
        "page",
        "highlights",
        "related",
    ],
    "additionalProperties": False,
    "properties": {
        "rank": {"type": "integer", "minimum": 1},
        "score": {"type": "number"},
        "citation": {"type": "string", "minLength": 1},
        "link": {"type": "string", "pattern": r"^.+#(item-[a-z0-9-]+|preamble)$"},
        "chunk_id": {"type": "string", "minLength": 1},
        "meeting_id": {"type": "string", "minLength": 1},
        "committee": {"type": "string", "minLength": 1},
        "meeting_date": _DATE,
        "item_number": _NULLABLE_STRING,
        "item_title": _NULLABLE_STRING,
        "sub_item": _NULLABLE_STRING,
        "text": {"type": "string"},
        "source": {"type": "string"},
        "start": {"type": "integer", "minimum": 0},
        "end": {"type": "integer", "minimum": 0},
        "page": {"type": ["integer", "null"], "minimum": 1},
        "highlights": {"type": "array", "items": HIGHLIGHT, "maxItems": 2},
        "related": {"type": "array", "items": RELATED},
    },
}

ANSWER_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "minutebook answer",
    "type": "object",
    "required": [
        "schema",
        "question",
        "resolved_question",
        "kind",
        "mode",
        "sort",
        "abstained",
        "answer_line",
        "scope_note",
        "filters",
        "evidence",
        "passages",
        "closest",
    ],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": SCHEMA_ID},
        "question": {"type": "string", "minLength": 1},
        "resolved_question": {"type": "string", "minLength": 1},
        "kind": {"enum": list(KINDS)},
        "mode": {"enum": ["hybrid", "dense", "keyword"]},
        "sort": {"enum": ["relevance", "date"]},
        "abstained": {"type": "boolean"},
        "answer_line": {"type": "string", "minLength": 1},
        "scope_note": _NULLABLE_STRING,
        "filters": {
            "type": "object",
            "required": ["committees", "date_from", "date_to", "item_number"],
            "additionalProperties": False,
            "properties": {
                "committees": {"type": "array", "items": {"type": "string"}},
                "date_from": _NULLABLE_DATE,
                "date_to": _NULLABLE_DATE,
                "item_number": _NULLABLE_STRING,
            },
        },
        "evidence": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["cosine", "coverage", "confidence"],
                "additionalProperties": False,
                "properties": {
                    "cosine": {"type": "number"},
                    "coverage": {"type": "number", "minimum": 0, "maximum": 1},
                    "confidence": {"type": "number"},
                },
            },
        },
        "passages": {"type": "array", "items": PASSAGE},
        "closest": {"type": "array", "items": PASSAGE},
    },
    # An abstained answer has no passages; an answered one has at least one.
    "if": {"properties": {"abstained": {"const": True}}},
    "then": {"properties": {"passages": {"maxItems": 0}}},
    "else": {"properties": {"passages": {"minItems": 1}, "closest": {"maxItems": 0}}},
}
