"""What the page keeps per browser session (`st.session_state`) and the actions that change it.

Actions are plain functions used as button callbacks, so the state is updated before the rerun draws the page.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui.components import briefing
from ui.components.briefing import BriefingEntry

TURNS = "turns"  # list[assistant.Turn], oldest first
BRIEFING = "briefing"  # list[BriefingEntry]
UPLOAD_OUTCOMES = "upload_outcomes"  # list[UploadOutcome] of the last upload
UPLOAD_ROUND = "upload_round"  # bumped after each upload so the uploader starts empty
TIMINGS = "timings"  # seconds each answer took, parallel to TURNS
ASK_ERROR = "ask_error"  # a question the assistant refused (e.g. empty), shown once


def init() -> None:
    st.session_state.setdefault(TURNS, [])
    st.session_state.setdefault(BRIEFING, [])
    st.session_state.setdefault(UPLOAD_OUTCOMES, [])
    st.session_state.setdefault(UPLOAD_ROUND, 0)
    st.session_state.setdefault(TIMINGS, [])


def turns() -> list[Any]:
    return st.session_state[TURNS]  # type: ignore[no-any-return]


def entries() -> list[BriefingEntry]:
    return st.session_state[BRIEFING]  # type: ignore[no-any-return]


def in_briefing(chunk_id: str) -> bool:
    return any(entry.chunk_id == chunk_id for entry in entries())


def add_to_briefing(entry: BriefingEntry) -> None:
    st.session_state[BRIEFING] = briefing.add(entries(), entry)


def remove_from_briefing(index: int) -> None:
    st.session_state[BRIEFING] = briefing.remove(entries(), index)


def move_in_briefing(index: int, offset: int) -> None:
    st.session_state[BRIEFING] = briefing.move(entries(), index, offset)


def save_note(index: int, widget_key: str) -> None:
    st.session_state[BRIEFING] = briefing.set_note(entries(), index, st.session_state.get(widget_key, ""))


def open_meeting(meeting_id: str, item_number: str | None = None, chunk_id: str | None = None) -> None:
    """Show the meeting view; the query string makes it a link that can be shared or bookmarked."""
    st.query_params.clear()
    st.query_params["meeting"] = meeting_id
    if item_number is not None:
        st.query_params["item"] = item_number
    if chunk_id is not None:
        st.query_params["chunk"] = chunk_id


def close_meeting() -> None:
    st.query_params.clear()


def clear_conversation() -> None:
    st.session_state[TURNS] = []
    st.session_state[TIMINGS] = []
