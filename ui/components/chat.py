"""The conversation: questions and answers, each answer its extractive line and then its passage cards."""

from __future__ import annotations

import html
import time
from dataclasses import replace
from typing import Any

import streamlit as st

from index.errors import LibraryError
from ui.components import state
from ui.components.cards import render_card
from ui.components.render import block

CLOSEST_LABEL = "Closest, but probably not what you asked"
WIDEN_LABEL = "Search all meetings"
WIDEN = "widen_turn"  # session key: the turn whose question to ask again without the scope it named


def widen(turn_index: int) -> None:
    """Button callback: ask turn `turn_index`'s question again, without the committees and dates it named."""
    st.session_state[WIDEN] = turn_index


def answer_html(answer_line: str) -> str:
    """The answer line (a quote from the minutes and its citation), escaped."""
    return block(html.escape(" ".join(answer_line.split())), "answer-line")


def render_answer(answer: Any, turn_key: str, seconds: float | None = None, turn_index: int | None = None) -> None:
    """An `assistant.Answer`: its line, any scope note (with a button to search all meetings instead when the
    question named a committee or dates), then cards; "not found" plainly, closest collapsed."""
    if answer.abstained:
        st.markdown(block(f"<strong>{html.escape(answer.answer_line)}</strong>", "not-found"), unsafe_allow_html=True)
    else:
        st.markdown(answer_html(answer.answer_line), unsafe_allow_html=True)
    notes = [answer.scope_note] if answer.scope_note and answer.scope_note not in answer.answer_line else []
    if answer.resolved_question and answer.resolved_question.strip() != answer.question.strip():
        notes.append(f"Read as: {answer.resolved_question}")
    if seconds is not None:
        notes.append(f"{seconds:.2f} s")
    if notes:
        st.markdown(block(html.escape(" · ".join(notes)), "scope-note"), unsafe_allow_html=True)
    if answer.scope is not None and turn_index is not None:
        st.button(
            WIDEN_LABEL,
            key=f"widen-{turn_key}",
            help=f"Ask again without the scope the question named: {answer.scope.describe()}",
            on_click=widen,
            args=(turn_index,),
            type="tertiary",
        )
    for passage in answer.passages:
        render_card(passage, f"{turn_key}-{passage.rank}")
    if answer.abstained and answer.closest:
        with st.expander(CLOSEST_LABEL, expanded=False):
            for passage in answer.closest:
                render_card(passage, f"{turn_key}-closest-{passage.rank}")


def render_conversation(loaded: Any, filters: Any, k: int, sort: str, *, disabled: bool = False) -> None:
    """Past turns, then the question box; a new question is answered with the conversation as history."""
    from assistant.records import Turn

    conversation = st.container()
    question = st.chat_input(
        "Ask about the minutes, e.g. “What was decided about the safeguarding report?”",
        disabled=disabled,
        key="question",
    )
    widened = st.session_state.pop(WIDEN, None)
    asked: tuple[str, tuple[Any, ...], bool] | None = None
    if question and question.strip() and loaded is not None:
        asked = (question.strip(), tuple(state.turns()), True)
    elif widened is not None and loaded is not None and widened < len(state.turns()):
        asked = (state.turns()[widened].question, tuple(state.turns()[:widened]), False)
    if asked is not None:
        text, history, scoped = asked
        started = time.perf_counter()
        try:
            with st.spinner("Searching the minutes…"):
                answer = loaded.assistant.ask(text, history=history, filters=filters, k=k, sort=sort, scope=scoped)
        except (ValueError, LibraryError) as error:  # an empty question; a model that cannot load
            st.session_state[state.ASK_ERROR] = str(error)
        else:
            if not scoped:
                answer = replace(answer, scope_note="Searched all meetings, without the scope the question named.")
            state.turns().append(Turn(text, answer))
            st.session_state[state.TIMINGS].append(time.perf_counter() - started)
    with conversation:
        if not state.turns():
            st.caption(
                "Ask a question in plain words. Each answer quotes the minutes and cites the committee, "
                "meeting date and agenda item. Follow-up questions (“and what did they decide?”) use the conversation."
            )
        timings = st.session_state[state.TIMINGS]
        for index, turn in enumerate(state.turns()):
            with st.chat_message("user"):
                st.text(turn.question)
            with st.chat_message("assistant"):
                render_answer(turn.answer, f"t{index}", timings[index] if index < len(timings) else None, index)
        refusal = st.session_state.pop(state.ASK_ERROR, None)
        if refusal:
            st.warning(refusal)
