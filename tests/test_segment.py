"""Agenda-item segmentation: golden item lists of real minutes, one hand-worked snippet per numbering style,
decisions, sub-items, and properties that hold for any text."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.models import Item
from ingest.segment import find_decisions, find_sub_items, segment_items
from tests.conftest import DATA
from tests.golden import golden_stems, load_golden, source_path, source_text


def outline(text: str) -> list[tuple[str | None, str | None, int]]:
    return [(item.number, item.title, item.start) for item in segment_items(text)]


def assert_covers(text: str, items: list[Item]) -> None:
    """Items are contiguous, non-overlapping and cover the whole text."""
    if not text:
        assert items == []
        return
    assert items[0].start == 0
    assert items[-1].end == len(text)
    for before, after in zip(items, items[1:], strict=False):
        assert before.end == after.start
        assert before.start < before.end
    assert all(item.number is not None for item in items[1:])
    assert items[0].number is not None or items[0].end > 0


# ---------------------------------------------------------------------------------------------------------
# Real minutes against their golden files


@pytest.mark.parametrize("stem", golden_stems())
def test_items_match_golden(stem: str) -> None:
    text = source_text(stem)
    items = segment_items(text)
    assert [[item.number, item.title] for item in items] == load_golden(stem)["items"]
    assert_covers(text, items)


def test_golden_set_covers_the_required_styles() -> None:
    stems = golden_stems()
    assert {"herefordshire-cyp-scrutiny-2024-09-17", "herefordshire-cyp-scrutiny-2025-01-21"} <= set(stems)
    assert sum(source_path(stem).suffix == ".pdf" for stem in stems) >= 2
    assert len(stems) >= 7


# ---------------------------------------------------------------------------------------------------------
# One snippet per numbering style

HEREFORDSHIRE = """Minutes of the meeting of Example Scrutiny Committee held at Room 1 on Tuesday 21 January 2025

Present: Councillor Ann Example (chairperson)

1. APOLOGIES FOR ABSENCE

None.

2. MINUTES

Resolved: That the minutes be confirmed as a correct record.

3. CHILDREN'S SERVICES REPORT

- 1. The committee asked about staffing.
- 2. The committee noted the figures.

1. That the committee note the report.

Resolved:

1. That the committee note the report.
"""


def test_numbered_uppercase_headings_and_resolutions_that_are_not_items() -> None:
    text = HEREFORDSHIRE
    assert outline(text) == [
        (None, None, 0),
        ("1", "APOLOGIES FOR ABSENCE", text.index("1. APOLOGIES")),
        ("2", "MINUTES", text.index("2. MINUTES")),
        ("3", "CHILDREN'S SERVICES REPORT", text.index("3. CHILDREN")),
    ]
    items = segment_items(text)
    assert items[2].decisions == ("Resolved: That the minutes be confirmed as a correct record.",)
    assert items[3].decisions == ("That the committee note the report.",)
    assert items[1].decisions == ()


def test_item_word_style_takes_the_title_from_the_next_line_when_the_heading_has_none() -> None:
    text = "Parish meeting\n\nItem 1 - Welcome\nHello.\n\nItem 2: Minutes\nAgreed.\n\nItem 3\nFinance\nPaid.\n"
    assert outline(text) == [
        (None, None, 0),
        ("Item 1", "Welcome", text.index("Item 1")),
        ("Item 2", "Minutes", text.index("Item 2")),
        ("Item 3", "Finance", text.index("Item 3")),
    ]


def test_number_with_letter_suffix_sits_between_its_neighbours() -> None:
    text = "Title\n\n3 Apologies\nNone.\n\n4 Planning\nText.\n\n4A Planning appeals\nText.\n\n5 Finance\nText.\n"
    assert [(n, t) for n, t, _ in outline(text)] == [
        (None, None),
        ("3", "Apologies"),
        ("4", "Planning"),
        ("4A", "Planning appeals"),
        ("5", "Finance"),
    ]


def test_minute_number_over_year() -> None:
    text = "Town Council\n\nMinute 45/23 – Apologies\nNone.\n\nMinute 46/23: Finance\nAgreed.\n"
    assert outline(text) == [
        (None, None, 0),
        ("45/23", "Apologies", text.index("Minute 45")),
        ("46/23", "Finance", text.index("Minute 46")),
    ]


def test_slash_numbers_either_way_round() -> None:
    number_year = "Council\n\n12/23 Apologies\nNone.\n\n13/23 Finance\nText.\n\n14/23 Planning\nText.\n"
    assert [(n, t) for n, t, _ in outline(number_year)] == [
        (None, None),
        ("12/23", "Apologies"),
        ("13/23", "Finance"),
        ("14/23", "Planning"),
    ]
    year_number = "Horsley\n\n14/037: Public session\nNone.\n\n14/038: Minutes\nSigned.\n"
    assert [(n, t) for n, t, _ in outline(year_number)] == [
        (None, None),
        ("14/037", "Public session"),
        ("14/038", "Minutes"),
    ]


def test_number_space_title_and_body_lines_that_start_with_a_number() -> None:
    text = (
        "AYTON COMMUNITY COUNCIL\n\n1 Police Report\nNo report.\n\n2 Open Forum\nWe noted that\n"
        "2 dates of interest are coming up.\n\n3 Apologies for Absence\nNone.\n"
    )
    assert [(n, t) for n, t, _ in outline(text)] == [
        (None, None),
        ("1", "Police Report"),
        ("2", "Open Forum"),
        ("3", "Apologies for Absence"),
    ]


def test_markdown_headings_are_numbered_by_position_and_deeper_ones_stay_inside() -> None:
    text = (
        "# Town of Example\nDecember 16, 2019\n\n## CALL TO ORDER\nOpened.\n\n## ROAD\nSlippery.\n### Detail\nMore.\n"
    )
    assert outline(text) == [
        (None, None, 0),
        ("1", "CALL TO ORDER", text.index("## CALL")),
        ("2", "ROAD", text.index("## ROAD")),
    ]


def test_uppercase_section_headings_win_over_numbers_that_restart_under_them() -> None:
    text = (
        "City Council Meeting Minutes\nDecember 10, 2018\n\nCALL TO ORDER AND ROLL CALL\nCalled to order.\n\n"
        "UNFINISHED BUSINESS\n1. Review of a permit\n\nDiscussed.\n\n2. Tree ordinance hearing\n\nHeard.\n\n"
        "CONSENT AGENDA\n1. Minutes from the November meeting\nMotion: Councilor A moved to accept. Passed 5-0.\n\n"
        "ADJOURNMENT\nAdjourned.\n"
    )
    assert [(n, t) for n, t, _ in outline(text)] == [
        (None, None),
        ("1", "CALL TO ORDER AND ROLL CALL"),
        ("2", "UNFINISHED BUSINESS"),
        ("3", "CONSENT AGENDA"),
        ("4", "ADJOURNMENT"),
    ]
    items = segment_items(text)
    assert items[3].decisions == ("Motion: Councilor A moved to accept. Passed 5-0.",)
    subs = find_sub_items(text, items[2])
    assert [(label, text[start:end].split("\n")[0]) for label, start, end in subs] == [
        ("1.", "1. Review of a permit"),
        ("2.", "2. Tree ordinance hearing"),
    ]
    assert subs[-1][2] == items[2].end


def test_dotted_numbers_with_inconsistent_padding() -> None:
    text = (
        "Milburn Parish Council\n\n17.03.02 Register of Interests\n"
        "None\n\n17.03.3  Minutes\nSigned.\n\n17.03.10 AOB\nNone\n"
    )
    assert [(n, t) for n, t, _ in outline(text)] == [
        (None, None),
        ("17.03.02", "Register of Interests"),
        ("17.03.3", "Minutes"),
        ("17.03.10", "AOB"),
    ]


def test_a_number_missing_its_first_digit_is_kept_as_printed() -> None:
    text = (
        "Committee\n\n54 Minutes\nSigned.\n\n55 Matters Arising\n"
        "None.\n\n6 Grants\nTable.\n\n57 Defibrillators\nNoted.\n"
    )
    assert [n for n, _, _ in outline(text)] == [None, "54", "55", "6", "57"]


def test_agenda_list_stays_in_the_preamble_and_lends_its_titles() -> None:
    text = (
        "BOARD OF GOVERNORS\n\nAgenda:\nFGB 20/2021 Attendance\nFGB 21/2021 Declaration of interests\n"
        "FGB 22/2021 Finance\n\nFGB 20/2021 To record those who\nwere present\nNone absent.\n\n"
        "FGB 21/2021 Declaration of interests. Governors are invited to declare\nNone\n\n"
        "FGB 22/2021 Finance The budget was noted.\n"
    )
    assert outline(text) == [
        (None, None, 0),
        ("FGB 20/2021", "Attendance", text.index("FGB 20/2021 To record")),
        ("FGB 21/2021", "Declaration of interests", text.index("FGB 21/2021 Declaration of interests.")),
        ("FGB 22/2021", "Finance", text.index("FGB 22/2021 Finance The")),
    ]


def test_attachments_after_the_last_item_become_their_own_items() -> None:
    text = (
        "Board Minutes\n\n 1. Call to order\n    Began.\n\n 2. Adjournment\n    Ended.\n\nATTACHMENTS:\n\n"
        "Attachment 1: Report from the Treasurer\n  1. Grow the community\n  2. Make a release\n\n"
        "Attachment A: Report from the Widget Project  [Ann]\n1. https://example.org/\n"
    )
    assert outline(text) == [
        (None, None, 0),
        ("1", "Call to order", text.index(" 1. Call")),
        ("2", "Adjournment", text.index(" 2. Adjournment")),
        ("Attachment 1", "Report from the Treasurer", text.index("Attachment 1")),
        ("Attachment A", "Report from the Widget Project [Ann]", text.index("Attachment A")),
    ]


def test_long_numbered_sentences_are_not_headings() -> None:
    text = (
        "Committee\n\n29. IMPROVEMENT PLAN\nText.\n\nResolved that:\n\n"
        "1. Cabinet should endorse a publicity campaign to ensure maximum feedback from children, young people\n\n"
        "2. That the council identify a means to report publicly.\n\n30. WORK PROGRAMME\nAgreed.\n"
    )
    assert [n for n, _, _ in outline(text)] == [None, "29", "30"]


def test_upper_case_heading_carries_on_over_a_page_break_and_an_agenda_reference() -> None:
    text = (
        "AUDIT COMMITTEE\n\n3 AUDIT REPORT (Agenda item 4)\nNoted.\n4 AUDITED FINAL ACCOUNTS AND USE OF RESOURCES\n\n"
        "JUDGEMENT (Agenda item 4)\nRESOLVED: That it be noted.\n5 PENSION FUND\n(Agenda item 6)\nNOTED\n"
    )
    assert [(n, t) for n, t, _ in outline(text)] == [
        (None, None),
        ("3", "AUDIT REPORT (Agenda item 4)"),
        ("4", "AUDITED FINAL ACCOUNTS AND USE OF RESOURCES JUDGEMENT (Agenda item 4)"),
        ("5", "PENSION FUND (Agenda item 6)"),
    ]


def test_minutes_kept_as_a_table_have_an_item_per_row() -> None:
    text = (
        "## Board minutes\n\nSubject | Initials | Notes\nFinances | SB | - Posted.\n- Deficit noted.\n"
        "Webex vs. GotoMeeting | SB | - Cheaper.\nNext meeting | SB | At the convention\n"
    )
    assert outline(text) == [
        (None, None, 0),
        ("1", "Finances", text.index("Finances")),
        ("2", "Webex vs. GotoMeeting", text.index("Webex")),
        ("3", "Next meeting", text.index("Next meeting")),
    ]


def test_text_that_starts_with_an_item_has_no_preamble() -> None:
    text = "1. Apologies\nNone.\n2. Minutes\nSigned.\n"
    assert outline(text) == [("1", "Apologies", 0), ("2", "Minutes", text.index("2. Minutes"))]


def test_text_without_headings_is_all_preamble() -> None:
    text = "Just some notes about a meeting.\nNothing numbered here.\n"
    assert segment_items(text) == [Item(None, None, 0, len(text))]
    assert segment_items("") == []


# ---------------------------------------------------------------------------------------------------------
# Decisions in the real samples


def item(stem: str, number: str) -> Item:
    found = [found for found in segment_items(source_text(stem)) if found.number == number]
    assert len(found) == 1
    return found[0]


def test_inline_resolution_is_one_decision() -> None:
    assert item("herefordshire-cyp-scrutiny-2025-01-21", "45").decisions == (
        "Resolved: That the minutes of the meeting held on 26 November 2024 be confirmed as a correct record "
        "and be signed by the Chairperson.",
    )


def test_numbered_recommendations_after_resolved_are_separate_decisions() -> None:
    decisions = item("herefordshire-cyp-scrutiny-2025-01-21", "48").decisions
    assert len(decisions) == 3
    assert decisions[0].startswith("The partnership ensures that recommendations from the 2024-25")
    assert decisions[0].endswith("an indicative timeframe for completion;")
    assert decisions[1].startswith("The partnership appends an implementation plan")
    assert decisions[2].startswith("Herefordshire Council's director of children's services")
    assert decisions[2].endswith("concerning a care leaver under the age of 25.")
    assert item("herefordshire-cyp-scrutiny-2025-01-21", "49").decisions == ("That the committee note the report.",)


def test_resolution_in_the_paragraph_after_a_bare_resolved() -> None:
    stem = "herefordshire-cyp-scrutiny-2024-09-17"
    assert item(stem, "25").decisions == (
        "With the above amendment noted, that the minutes of the meeting held on 30 July be confirmed as a "
        "correct record and be signed by the Chairperson.",
    )
    assert item(stem, "30").decisions == (
        "The committee unanimously approved the work programme that had been put before it.",
    )


def test_recommendation_split_by_a_page_break_stays_whole() -> None:
    stem = "herefordshire-cyp-scrutiny-2024-09-17"
    assert item(stem, "29").decisions == (
        "Cabinet should endorse a publicity campaign to ensure maximum feedback from children, young people, "
        'and families on the "Working Together\n\nConsultation" concerning Right Time, Right Place thresholds '
        "and managing risk.",
        "That Herefordshire Council identify a means to report publicly on progress in delivering the "
        "Improvement Plan for children's services.",
    )
    assert item(stem, "28").decisions[0].startswith("Children's Services should adopt their own set of values")
    assert (
        item(stem, "28").decisions[2]
        == "That the service explores Quality Circles as a means of getting staff feedback."
    )


def test_motion_paragraphs_are_decisions() -> None:
    text = "CONSENT AGENDA\nMotion by Ann, second by Bob to approve.  Motion carried.\nMotion by Bob to pay.\n\nOther."
    assert find_decisions(text, 0, len(text)) == (
        "Motion by Ann, second by Bob to approve.  Motion carried.",
        "Motion by Bob to pay.",
    )


def test_committee_resolved_to_with_a_roman_numbered_list() -> None:
    text = "Committee resolved to:\ni) Approve the proposals in section 4\nof the report\nii) Note the details\n\nNext."
    assert find_decisions(text, 0, len(text)) == (
        "Approve the proposals in section 4\nof the report",
        "Note the details",
    )


# ---------------------------------------------------------------------------------------------------------
# Sub-items


def test_decimal_and_lettered_sub_items_stay_inside_their_item() -> None:
    text = (
        "Title\n\n4. FINANCE\nIntro.\n4.1 Budget\nText of section\n5.100. This is a reference.\n4.2 Audit\nText.\n\n"
        "5. PLANNING\n(a) First\n(b) Second\n"
    )
    items = segment_items(text)
    assert [item.number for item in items] == [None, "4", "5"]
    assert find_sub_items(text, items[1]) == [
        ("4.1", text.index("4.1"), text.index("4.2")),
        ("4.2", text.index("4.2"), items[1].end),
    ]
    assert [label for label, _, _ in find_sub_items(text, items[2])] == ["(a)", "(b)"]
    assert find_sub_items(text, items[0]) == []


def test_markdown_sub_headings_are_sub_items() -> None:
    text = source_text("perth-artifactory-committee-2021-08-07")
    treasurer = next(found for found in segment_items(text) if found.title == "Treasurer's Report")
    assert [label for label, _, _ in find_sub_items(text, treasurer)] == ["Pentanet", "General financial state"]


def test_lettered_sub_items_must_run_in_order() -> None:
    text = (
        "Board\n\n 6. Committee Reports\n\n    A. Abdera\n"
        "    B. Accumulo\n  P. Taylor Goetz wrote:\n    C. ACE\n\n 7. End\n"
    )
    items = segment_items(text)
    assert [label for label, _, _ in find_sub_items(text, items[1])] == ["A.", "B.", "C."]


def test_asf_sub_items_are_the_lettered_reports() -> None:
    text = source_text("asf-board-of-directors-2015-01-21")
    special = next(found for found in segment_items(text) if found.number == "7")
    assert [label for label, _, _ in find_sub_items(text, special)] == ["A.", "B.", "C.", "D."]


# ---------------------------------------------------------------------------------------------------------
# Properties for any text

_LINES = st.sampled_from(
    [
        "",
        "1. APOLOGIES",
        "2. MINUTES",
        "- 2. The committee asked",
        "Resolved:",
        "Resolved: That it be noted.",
        "1. That the report be noted.",
        "## Heading",
        "# Title",
        "CALL TO ORDER",
        "Item 4",
        "Minute 45/23 Finance",
        "12/23 Apologies",
        "17.03.02 Register",
        "FGB 20/2021 Finance",
        "Attachment A: Report",
        "(a) first",
        "4.1 Budget",
        "Motion: moved.",
        "---",
        "plain words here",
        "  indented 3. text",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=400), st.lists(st.one_of(_LINES, st.text(max_size=30)), max_size=40).map("\n".join)))
def test_items_cover_any_text_exactly(text: str) -> None:
    items = segment_items(text)
    assert_covers(text, items)
    for found in items:
        for decision in found.decisions:
            assert decision and decision in text[found.start : found.end]
        for _label, start, end in find_sub_items(text, found):
            assert found.start < start < end <= found.end


# ---------------------------------------------------------------------------------------------------------
# OCR'd pages (hand transcriptions of the first page of two scanned PDFs)


def test_year_slash_sequence_numbers_in_ocr_text_skip_a_back_reference() -> None:
    text = (DATA / "ocr" / "horsley-parish-council-monthly-2014-03-18-page1.txt").read_text(encoding="utf-8")
    # "14/032:" at a line start refers back to an earlier minute: it breaks the sequence and is not an item.
    assert [(n, t) for n, t, _ in outline(text)] == [
        (None, None),
        ("14/037", "Minutes of the Last Meeting held on 25th February 2014"),
        ("14/038", "Matters Arising"),
        ("14/039", "Public Questions"),
        ("14/040", "Community Shop/Pavilion"),
        ("14/041", "Nupend Farm Development"),
    ]


def test_nested_numbered_lists_stay_inside_their_item() -> None:
    text = (DATA / "ocr" / "china-falls-hoa-monthly-2005-05-04-page1.txt").read_text(encoding="utf-8")
    assert [(n, t) for n, t, _ in outline(text)] == [
        (None, None),
        ("1", "Minutes approved from April 6th, 2005"),
        ("2", "Old business"),
        ("3", "Officer’s Reports"),
    ]
