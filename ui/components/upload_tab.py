"""The Add minutes tab: upload files, ingest and index them with a progress bar, one line per failure."""

from __future__ import annotations

import math

import streamlit as st

from ingest.settings import Settings
from ui.components import loading, state
from ui.components.sidebar import label_text
from ui.components.upload import MB, UPLOAD_TYPES, UploadOutcome, add_uploads


def render_upload(settings: Settings) -> None:
    limit_mb = settings.max_file_bytes / MB
    st.caption(
        f"PDF, Word (.docx), HTML or text minutes, up to {limit_mb:g} MB each. They are copied into the "
        "library's uploads folder, read, and indexed; files already in the library are skipped."
    )
    files = st.file_uploader(
        "Minutes files",
        type=list(UPLOAD_TYPES),
        accept_multiple_files=True,
        key=f"uploader-{st.session_state[state.UPLOAD_ROUND]}",
        max_upload_size=max(1, math.ceil(limit_mb)),  # whole MB; check_upload holds the exact limit
    )
    if st.button("Add to the library", type="primary", disabled=not files, key="add-uploads"):
        bar = st.progress(0.0, text="Starting")
        outcomes = add_uploads(
            settings,
            [(file.name, file.getvalue()) for file in files or []],
            progress=lambda fraction, text: bar.progress(min(1.0, fraction), text=text),
        )
        if any(outcome.status == "added" for outcome in outcomes):
            loading.forget()
        st.session_state[state.UPLOAD_OUTCOMES] = outcomes
        st.session_state[state.UPLOAD_ROUND] += 1
        st.rerun()
    show_outcomes(st.session_state[state.UPLOAD_OUTCOMES])


def show_outcomes(outcomes: list[UploadOutcome]) -> None:
    for outcome in outcomes:
        name = label_text(outcome.name)
        if outcome.status == "added":
            st.success(f"{name}: added ({label_text(outcome.label)})", icon=":material/check_circle:")
        elif outcome.status == "unchanged":
            st.info(f"{name}: {label_text(outcome.reason)}", icon=":material/info:")
        else:
            st.error(f"{name}: {label_text(outcome.reason)}", icon=":material/error:")
