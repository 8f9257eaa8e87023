"""The file readers on real minutes (tests/data/external, samples/minutes) and on hand-made documents.

Each test asserts what a segmenter relies on: item headings at line starts, page furniture gone, every
page located in the text, and nothing read twice.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from ingest.models import Document, IngestError, Page
from ingest.readers import read_document
from ingest.readers.html import read_html
from ingest.readers.normalise import is_page_label, is_page_number_line, normalise_text
from ingest.readers.pdf import (
    SCANNED_MESSAGE,
    extract_page_texts,
    join_hyphenated_lines,
    page_text_is_usable,
    pages_to_document,
    remove_page_furniture,
)
from ingest.readers.text import markdown_to_text
from tests.conftest import DATA, SAMPLES

EXTERNAL = DATA / "external"
MINUTES = sorted(EXTERNAL.iterdir()) + sorted(SAMPLES.glob("*.txt"))
SCANNED = {"horsley-parish-council-monthly-2014-03-18.pdf", "china-falls-hoa-monthly-2005-05-04.pdf"}


def read(name: str) -> Document:
    return read_document(EXTERNAL / name)


def lines_of(text: str) -> list[str]:
    return text.split("\n")


# --- every file -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", MINUTES, ids=lambda p: p.name)
def test_every_minutes_file_reads_into_normalised_text_or_says_it_needs_ocr(path: Path) -> None:
    if path.name in SCANNED:
        with pytest.raises(IngestError) as error:
            read_document(path)
        assert str(error.value) == SCANNED_MESSAGE
        return
    document = read_document(path)
    text = document.text
    assert document.source == str(path)
    assert document.format == {".md": "md", ".txt": "txt"}.get(path.suffix, path.suffix[1:])
    assert "\r" not in text and "\x00" not in text and "\ufeff" not in text
    assert not re.search(r"[ \t]+$", text, re.MULTILINE), "trailing spaces"
    assert "\n\n\n" not in text
    assert text == text.strip("\n") and text.strip()
    assert normalise_text(text) == text


@pytest.mark.parametrize(
    "path", sorted(p for p in EXTERNAL.glob("*.pdf") if p.name not in SCANNED), ids=lambda p: p.name
)
def test_pdf_pages_are_contiguous_cover_the_text_and_match_the_file(path: Path) -> None:
    document = read_document(path)
    pages = document.pages
    assert [page.number for page in pages] == list(range(1, len(PdfReader(path).pages) + 1))
    assert pages[0].start == 0 and pages[-1].end == len(document.text)
    for before, after in zip(pages, pages[1:], strict=False):
        assert before.end == after.start
    assert not any(page.ocr for page in pages)


# --- PDF --------------------------------------------------------------------------------------------------


def page_text(document: Document, number: int) -> str:
    page = document.pages[number - 1]
    return document.text[page.start : page.end]


def test_sutton_footer_and_page_numbers_are_peeled_and_minutes_start_lines() -> None:
    document = read("sutton-coldfield-tc-amenities-committee-2018-03-13.pdf")
    text = document.text
    footer = "Amenities, Leisure and Community Services Minutes  |  Tuesday 13th March 2018"
    # Kept once, as the first page's first line (a running title doubles as the heading there); gone from
    # the seven pages where pypdf put it before the body.
    assert text.count(footer) == 1 and text.startswith(footer)
    assert "Page |" not in text
    for number in range(2, 9):
        assert footer not in page_text(document, number)
    # The grant table's header row repeated at the top of pages 3-7 is left only where the table starts.
    assert text.count("Organisation Project Summary") == 1
    assert page_text(document, 3).startswith("Four Oaks\nLadies and\nLeyhill")
    for heading in ("52 Apologies for Absence", "55 Matters Arising", "6 Community Grant Applications",
                    "57 Defibrillators", "62 Performance updates"):  # fmt: skip
        assert re.search(rf"^{re.escape(heading)}$", text, re.MULTILINE), heading
    assert document.page_at(text.index("57 Defibrillators")).number == 7  # type: ignore[union-attr]
    assert "Coordinators" not in text and "co-ordinators are spending" in text


def test_milburn_signature_and_page_lines_are_dropped_but_the_last_signature_stays() -> None:
    document = read("milburn-parish-council-monthly-2017-03-07.pdf")
    text = document.text
    assert "Page 1 of 3" not in text and "Page 2 of 3" not in text and "Page 3 of 3" not in text
    assert "Signature" not in text
    assert text.endswith("Signed _____________________________________Dated  2nd May 2017")
    assert (
        page_text(document, 1)
        .rstrip()
        .endswith("Councillors had no objection to these plans and support the application.")
    )
    assert page_text(document, 2).startswith("17.03.7  Logo\n")
    assert page_text(document, 3).startswith("17.03.12  Any Other Business\n")
    for number in ("17.03.02 Register of Interests", "17.03.3  Minutes", "17.03.10  Correspondence & Emails"):
        assert re.search(rf"^{re.escape(number)}$", text, re.MULTILINE)


def test_ayton_pdf_hidden_title_runs_and_symbol_bullets_are_cleaned() -> None:
    text = read("ayton-cc-monthly-2016-04-05.pdf").text
    assert text.startswith(
        "AYTON COMMUNITY COUNCIL\n"
        "Minutes of a Meeting held on Tuesday 5 April 2016\n"
        "at 7.00 pm in Ayton Community Hall\n"
    )
    assert "AYTON AYTON" not in text and "Minutes Minutes" not in text and "7.0in" not in text
    assert "\uf0b7" not in text
    assert "\n- Defibrillator -  no progress to report." in text
    assert "\n- War Memorial Information Board – BB presented" in text  # first line of page 2
    for heading in ("1 Police Report", "5 Matters Arising", "6 Planning Applications", "10 Date of Next Meeting"):
        assert re.search(rf"^{heading}$", text, re.MULTILINE)
    # "re-" + "establishment" across a line end: a real hyphen, kept; the line break is gone.
    assert "support for the re-establishment of the flagpole" in text


def test_merton_draft_footer_goes_and_the_split_minute_heading_closes_up() -> None:
    document = read("merton-council-audit-committee-2009-09-24.pdf")
    text = document.text
    assert "All minutes are draft" not in text and "calendar of events" not in text
    assert page_text(document, 3).startswith("AUDIT COMMITTEE\n24 SEPTEMBER 2009\n(19:15 TO 19:25")
    # Page 4 repeats "AUDIT COMMITTEE / 24 SEPTEMBER 2009" above the rest of minute 4's heading.
    assert "4 AUDITED FINAL ACCOUNTS 2008/09 AND USE OF RESOURCES\n\nJUDGEMENT (Agenda item 4)" in text
    assert page_text(document, 6).startswith("Accounts?\n")
    assert page_text(document, 8) == "This page is intentionally blank"
    for page in document.pages:  # local and pack page numbers, at both edges of the minutes pages
        lines = document.text[page.start : page.end].strip().split("\n")
        assert not re.fullmatch(r"\d+", lines[0]) and not re.fullmatch(r"\d+", lines[-1])
    assert "September 2009\n3\n4.  Annual complaints report 9" in text  # the agenda's page column stays


def test_rivergrove_bare_page_numbers_go_and_real_hyphens_stay() -> None:
    document = read("rivergrove-city-council-regular-2018-12-10.pdf")
    text = document.text
    assert text.startswith("Rivergrove City Council Meeting Minutes\nDecember 10, 2018\n")
    assert not any(re.fullmatch(r"\d+", line) for line in lines_of(text))
    assert "more valuable than non-native trees." in text
    assert re.search(r"^UNFINISHED BUSINESS\n1\. Review of Notice of Decision", text, re.MULTILINE)
    assert document.page_at(text.index("ADJOURNMENT")).number == 7  # type: ignore[union-attr]


def test_decoy_header_and_page_labels_go_and_fgb_items_start_lines() -> None:
    text = read("decoy-primary-governors-fgb-2020-12-07.pdf").text
    assert not re.search(r"Page \d+ of 11", text)
    assert text.count("FGB 2012107") == 1 and text.startswith("FGB 2012107\nDECOY COMMUNITY PRIMARY SCHOOL")
    assert re.search(r"^FGB 20/2021 Attendance and associated matters$", text, re.MULTILINE)
    assert re.search(r"^FGB 37/2021 Date of next meeting Monday 1 February 2021 at 1830$", text, re.MULTILINE)
    assert "\n- Attendance – currently 97.4%" in text  # "●" bullets
    assert "is an ever-changing landscape" in text


@pytest.mark.parametrize("name", sorted(SCANNED))
def test_pdfs_without_a_text_layer_need_ocr(name: str) -> None:
    texts = extract_page_texts(EXTERNAL / name)
    assert texts and not any(page_text_is_usable(text) for text in texts)
    with pytest.raises(IngestError, match=re.escape(SCANNED_MESSAGE)):
        read(name)


def test_page_text_is_usable_tells_language_from_glyph_soup() -> None:
    sutton = extract_page_texts(EXTERNAL / "sutton-coldfield-tc-amenities-committee-2018-03-13.pdf")
    decoy = extract_page_texts(EXTERNAL / "decoy-primary-governors-fgb-2020-12-07.pdf")
    assert all(page_text_is_usable(text) for text in sutton + decoy)  # decoy page 1 is an attendance grid
    horsley = extract_page_texts(EXTERNAL / "horsley-parish-council-monthly-2014-03-18.pdf")[0]
    assert len(horsley) > 1000 and not page_text_is_usable(horsley)
    assert page_text_is_usable("This page is intentionally blank")
    assert not page_text_is_usable("")
    assert not page_text_is_usable("  3 \n")
    # English shifted by three letters (a font with a shifted encoding): words, but not language.
    english = sutton[0]
    shifted = "".join(chr((ord(c) - 97 + 3) % 26 + 97) if "a" <= c <= "z" else c for c in english)
    assert not page_text_is_usable(shifted)


def test_pages_to_document_spans_blank_pages_and_marks_ocr_pages() -> None:
    document = pages_to_document("scan.pdf", ["1 Apologies  \n   None.\n", "\n", "    2 Minutes\n  Agreed."], {3: 91.5})
    assert document.text == "1 Apologies\nNone.\n\n    2 Minutes\n  Agreed."  # OCR keeps its indentation
    assert document.pages == (
        Page(1, 0, 19),
        Page(2, 19, 19),  # a blank page takes no room
        Page(3, 19, len(document.text), ocr=True, confidence=91.5),
    )
    assert document.page_at(document.text.index("Agreed")) == document.pages[2]


def test_running_headers_are_peeled_only_from_the_edges() -> None:
    title = "Parks Committee | 5 May 2020"
    pages = [
        [title, "Page 1 of 3", "1 Apologies", "None.", "Signed ____ Date ____", "", "7"],
        [title, "Page 2 of 3", "2 Minutes", title, "Agreed.", "Signed _____ Date _____"],
        ["", title, "3 Trees", "Noted.", "Signed ____ Date ____", "Page 3 of 3", ""],
    ]
    assert remove_page_furniture(pages) == [
        [title, "1 Apologies", "None."],  # the running title is kept on the first page only
        ["2 Minutes", title, "Agreed."],  # inside the body it is text: peeling stops at "2 Minutes"
        ["3 Trees", "Noted."],
    ]


def test_hyphenated_line_breaks_join_by_the_documents_own_words() -> None:
    vocabulary = {"partnership", "coordinate"}
    assert join_hyphenated_lines("a partner-\nship with", vocabulary) == "a partnership with"
    assert join_hyphenated_lines("multi-\nagency work", vocabulary) == "multi-agency work"
    assert join_hyphenated_lines("regard-\nless of", set()) == "regardless of"  # a plain suffix
    assert join_hyphenated_lines("co-\nordinate", vocabulary) == "coordinate"
    assert join_hyphenated_lines("Covid-\n19 cases", set()) == "Covid-\n19 cases"
    assert join_hyphenated_lines("the UK-\nEU deal", set()) == "the UK-\nEU deal"


# --- Word -------------------------------------------------------------------------------------------------


def test_newbiggin_docx_headings_items_and_simulated_page_breaks() -> None:
    text = read("newbiggin-parish-council-monthly-2019-09-03.docx").text
    assert text.startswith("Newbiggin Parish Council   -  3rd September 2019\n\n# Present\n")
    assert re.search(r"^19\.09\.01  Apologies$", text, re.MULTILINE)  # styled Normal
    assert re.search(r"^# 19\.09\.03  Minutes$", text, re.MULTILINE)  # styled Heading 1
    assert re.search(r"^19\.09\.08  Newbiggin Village Hall$", text, re.MULTILINE)  # leading space dropped
    assert "Page 1 of 3" not in text and "Page 2 of 3" not in text and "Page 3 of 3" not in text
    assert text.count("Signed ____") == 1 and text.endswith("Dated   12th November 2019")
    assert "# K & A Thompson & Sons      Larch for Seat\t\t\t   £   48.00" in text


def test_docx_paragraphs_tables_lists_and_headings_come_in_document_order(tmp_path: Path) -> None:
    word = docx.Document()
    word.add_heading("Parks Committee", 0)
    word.add_paragraph("Present: Cllrs Ash and Oak.")
    word.add_heading("Apologies", 1)
    word.add_paragraph("Apologies from Cllr Elm", style="List Number")
    word.add_paragraph("Apologies from Cllr Yew", style="List Number")
    word.add_heading("Grants", 2)
    table = word.add_table(rows=3, cols=3)
    for row, cells in zip(table.rows, [("Organisation", "Amount", "Decision"), ("Friends of the Park", "£500", "")
                                       , ("Scouts", "£250", "Deferred")], strict=True):  # fmt: skip
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    table.cell(2, 2).add_paragraph("to June")
    word.add_paragraph("The meeting closed at 8pm.\n#1 priority next time")
    path = tmp_path / "parks.docx"
    word.save(str(path))
    assert read_document(path).text == (
        "# Parks Committee\n\n"
        "Present: Cllrs Ash and Oak.\n\n"
        "# Apologies\n\n"
        "1. Apologies from Cllr Elm\n"
        "2. Apologies from Cllr Yew\n\n"
        "## Grants\n\n"
        "Organisation | Amount | Decision\n"
        "Friends of the Park | £500\n"
        "Scouts | £250 | Deferred to June\n\n"
        "The meeting closed at 8pm.\n"
        "\\#1 priority next time"
    )


# --- HTML -------------------------------------------------------------------------------------------------


def test_compsoc_html_body_appears_once_without_script_payloads() -> None:
    text = read("edinburgh-compsoc-committee-2017-04-25.html").text
    for phrase in ("Scavenger Hunt", "Voted all in favour of keeping the group closed", "General Agenda"):
        assert text.count(phrase) == 1, phrase
    assert "__next_f" not in text and "self." not in text and "<" not in text
    assert re.search(r"^# Tuesday 25 April 2017$", text, re.MULTILINE)
    # Bold paragraphs are the page's section headings: one level below its only heading, the h1 date.
    assert re.findall(r"^#+ .*$", text, re.MULTILINE) == [
        "# Tuesday 25 April 2017",
        "## Present",
        "## General Agenda",
        "## Fresher's Week",
        "## Potential Future Events",
        "## Community submitted issues",
    ]
    assert "\n\n## Present\n\nQais Patankar, Elena Lapinskaitė" in text
    assert (
        "\n- Making the “CompSoc Members” Facebook group public\n"
        "  - Currently a closed group - no tagging/interaction with those outside the group\n"
    ) in text
    assert "\n  - Hoodies/t-shirts?\n    - Expensive\n" in text


def test_html_blocks_lists_tables_and_headings(tmp_path: Path) -> None:
    path = tmp_path / "minutes.htm"
    path.write_text(
        "<html><head><title>x</title><style>p{}</style></head><body><nav>Home | About</nav>"
        "<header>Town Council website</header><h1>Planning Committee</h1><h3>1. Apologies</h3>"
        "<p>None <b>were</b>\n received.</p><div>Line one<br>Line two</div>"
        "<ol start='3'><li>First</li><li>Second<ul><li>nested</li></ul></li></ol>"
        "<table><tr><th>Ref</th><th>Decision</th></tr><tr><td>24/001</td><td>Approved</td></tr></table>"
        "<p>#hashtag</p><script>document.write('<p>twice</p>')</script>"
        "<p><strong>Present:</strong></p><p><b>Cllr</b> Ash</p><p><strong>Carried.</strong></p>"
        "<article><header><h2>Report</h2></header><p>Kept.</p></article>"
        "<footer>Copyright</footer></body></html>",
        encoding="utf-8",
    )
    assert read_html(path).text == (
        "# Planning Committee\n\n### 1. Apologies\n\nNone were received.\n\nLine one\nLine two\n\n"
        "3. First\n4. Second\n  - nested\n\nRef | Decision\n24/001 | Approved\n\n\\#hashtag\n\n"
        "#### Present:\n\nCllr Ash\n\nCarried.\n\n## Report\n\nKept."
    )


# --- text and markdown ------------------------------------------------------------------------------------


def test_asf_plain_text_keeps_its_layout() -> None:
    document = read("asf-board-of-directors-2015-01-21.txt")
    assert document.format == "txt"
    assert document.text.startswith("                    The Apache Software Foundation\n")
    for heading in (" 1. Call to order", " 2. Roll Call", "13. Adjournment"):
        assert re.search(rf"^{re.escape(heading)}$", document.text, re.MULTILINE)


def test_markdown_front_matter_goes_but_its_title_stays() -> None:
    document = read("ayton-cc-monthly-2025-05-06.md")
    assert document.format == "md"
    assert document.text.startswith("# Minutes for meeting held Tuesday 6 May 2025\n\nHeld in Ayton Community Hall")
    assert "date: 2025-05-06" not in document.text and "type: minutes" not in document.text
    assert "\n- Trevor Smith — Secretary\n" in document.text  # *Secretary* emphasis removed
    perth = read("perth-artifactory-committee-2021-08-07.md").text
    assert perth.startswith("# 2021-08-07\n\n====== Committee Meeting 2021.08.07 ======")
    assert "2023-01-04" not in perth and "dateCreated" not in perth
    assert "\nMoved By | Beau\nSeconded By | Blake\nStatus | Accepted\n" in perth
    assert "\nOperations | $10,987.03 | $10,186.61\n" in perth
    assert "\n\\# Denotes run by non-members\n" in perth  # "**\#** Denotes": text, not a heading
    assert "<s>" not in perth and "- ARTIfrag (Coordinator: Iain) - Event not scheduled" in perth
    north_star = read("north-star-township-board-monthly-2019-12-16.md").text
    assert north_star.startswith(
        "# Minutes (Dec., 2019)\n\n# Town of North Star\nDecember 16, 2019\n\n## CALL TO ORDER\n"
    )


def test_owasp_table_cells_lose_their_inline_html() -> None:
    text = read("owasp-board-videoconference-2011-09-06.md").text
    assert "<li>" not in text and "<ul>" not in text and "<br" not in text and "| -- |" not in text
    assert "\nSubject | Initials | Notes\n" in text
    assert (
        "\nWebex vs. GotoMeeting | SB | - Tom talked to WebEx regarding the possibility of barter in trade, "
        "and they were not interested in exchange.\n- Platforms are similar"
    ) in text
    assert "\n- Vote: Yes GoToMeeting: Eoin, Matt, Jeff, Dave, Seba.\n" in text
    assert "\nMeeting #1 - Sept. 20 5:30pm - 9:30pm.\nMeeting #2 - Sept. 22" in text
    assert "Change: $24,000 per year" in text  # "\$" unescaped
    assert "[https" not in text and "](" not in text


def test_markdown_conventions() -> None:
    markdown = (
        "---\ntitle: 'Board meeting'\ndate: 2020-01-01\n---\n"
        "Agenda\n======\n\nItems\n---\n\n"
        "* one\n+ two\n    * nested\n\n---\n\n"
        "a | b\n--|--\n1 | 2\n\n"
        "## Motions ##\n\n**Carried** with _no_ votes against; see [the plan](https://x.org/plan) and <https://x.org>.\n"
        "```\ncode stays *as is*\n```\n"
    )
    assert normalise_text(markdown_to_text(markdown)) == (
        "# Board meeting\n\n# Agenda\n\n## Items\n\n- one\n- two\n    - nested\n\n"
        "a | b\n1 | 2\n\n## Motions\n\nCarried with no votes against; see the plan (https://x.org/plan) and "
        "https://x.org.\ncode stays *as is*"
    )


def test_herefordshire_samples_read_as_plain_text() -> None:
    for path in sorted(SAMPLES.glob("*.txt")):
        text = read_document(path).text
        assert text.startswith("Minutes of the meeting of Children and Young People Scrutiny Committee")
        assert re.search(r"^\d+\. APOLOGIES FOR ABSENCE$", text, re.MULTILINE)


def test_page_number_lines() -> None:
    for line in ("Page 3", "Page 3 of 11", "page | 4", "PAGE: 5", "7 | Page"):
        assert is_page_label(line) and is_page_number_line(line)
    for line in ("- 5 -", "3 of 11", "12"):
        assert is_page_number_line(line) and not is_page_label(line)
    for line in ("Page Street", "52 Apologies", "Paged 3", "12345", "17.03.02"):
        assert not is_page_number_line(line)


# --- properties -------------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_normalise_text_is_idempotent_and_has_the_house_shape(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert "\r" not in once and "\x00" not in once and "\n\n\n" not in once
    assert not re.search(r"[ \t]$", once, re.MULTILINE)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("#-*_|`[]()<>!\\=~:ab \n\t") + ["<li>", "<br>", "---\n", "+++"])).map("".join))
def test_markdown_to_text_never_fails(markdown: str) -> None:
    assert isinstance(markdown_to_text(markdown), str)


SUFFIXES = (".txt", ".md", ".html", ".pdf", ".docx")
SEEDS = {
    ".pdf": (EXTERNAL / "milburn-parish-council-monthly-2017-03-07.pdf").read_bytes(),
    ".docx": (EXTERNAL / "newbiggin-parish-council-monthly-2019-09-03.docx").read_bytes(),
}


@st.composite
def file_bytes(draw: st.DrawFn) -> tuple[str, bytes]:
    """Arbitrary bytes, or a real PDF or Word file with a slice overwritten or cut off."""
    suffix = draw(st.sampled_from(SUFFIXES))
    if suffix in SEEDS and draw(st.booleans()):
        seed = SEEDS[suffix]
        start = draw(st.integers(0, len(seed) - 1))
        patch = draw(st.binary(max_size=64))
        cut = draw(st.booleans())
        return suffix, seed[:start] + patch + (b"" if cut else seed[start + len(patch) :])
    return suffix, draw(st.binary(max_size=2048))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file_bytes())
def test_readers_never_crash_on_arbitrary_bytes(sample: tuple[str, bytes]) -> None:
    suffix, data = sample
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"minutes{suffix}"
        path.write_bytes(data)
        try:
            document = read_document(path)
        except IngestError as error:
            message = str(error)
            assert message and "\n" not in message
        else:
            assert document.text.strip() and normalise_text(document.text) == document.text
