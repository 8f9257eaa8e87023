"""Pieces of the Streamlit page that `ui/app.py` lays out: rendering, briefing, uploads, the meeting view."""
