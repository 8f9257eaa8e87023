"""The page's own CSS (no file text in it): how marks, passages and answer lines look."""

PAGE_CSS = """
<style>
.passage, .item-text { line-height: 1.55; }
.passage mark, .item-text mark { background: #fff1a8; color: inherit; padding: 0 .1em; border-radius: 2px; }
.item-text.selected { border-left: 3px solid #f0c000; padding-left: .75em; }
.answer-line { font-size: 1.05rem; margin-bottom: .25rem; }
.not-found { font-size: 1.05rem; }
.scope-note { color: #6b6b6b; font-size: .85rem; margin-bottom: .5rem; }
.attendance, .meeting-details { margin-bottom: .5rem; }
</style>
"""
