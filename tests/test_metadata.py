"""Meeting metadata from the minutes' text: golden files of real minutes and hand-worked snippets."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.metadata import MeetingMetadata, extract_metadata, find_dates, is_american
from ingest.segment import segment_items
from tests.conftest import DATA
from tests.golden import golden_stems, load_golden, source_text


def metadata(text: str) -> MeetingMetadata:
    return extract_metadata(text, segment_items(text))


@pytest.mark.parametrize("stem", golden_stems())
def test_metadata_matches_golden(stem: str) -> None:
    golden = load_golden(stem)
    found = metadata(source_text(stem))
    assert {
        "committee": found.committee,
        "meeting_date": found.meeting_date.isoformat() if found.meeting_date else None,
        "chair": found.chair,
        "present": list(found.present),
        "apologies": list(found.apologies),
    } == {key: golden[key] for key in ("committee", "meeting_date", "chair", "present", "apologies")}


def test_herefordshire_time_venue_and_officers() -> None:
    found = metadata(source_text("herefordshire-cyp-scrutiny-2025-01-21"))
    assert found.time == "2.00 pm"
    assert found.venue == "Conference Room 1 - Herefordshire Council, Plough Lane Offices, Hereford, HR4 0LE"
    # Officers' bracketed roles run over blank lines in the text; councillors "in attendance" are not officers.
    assert found.officers == (
        "Simon Cann",
        "Ruth Coals",
        "Kathryn Cobain",
        "Kevin Crompton",
        "Anne-Marie Kemp",
        "Heather Manning",
        "Alfie Rees-Glinos",
        "Tina Russell",
        "Helen Wain",
        "Christine Wellington",
        "Danial Webb",
    )


def test_officers_from_clerk_lines_and_in_attendance_blocks() -> None:
    assert metadata(source_text("milburn-parish-council-monthly-2017-03-07")).officers == ("J Connelly",)
    assert metadata(source_text("newbiggin-parish-council-monthly-2019-09-03")).officers == ("J Brampton",)
    sutton = metadata(source_text("sutton-coldfield-tc-amenities-committee-2018-03-13"))
    assert sutton.officers == ("Olive O’Sullivan", "Becki Leonard")
    assert sutton.venue == "Sutton Coldfield Town Hall"
    rivergrove = metadata(source_text("rivergrove-city-council-regular-2018-12-10"))
    assert rivergrove.officers == ("Bill Kabeiseman", "Leanne Moll")
    assert (rivergrove.time, rivergrove.venue) == ("7:01 p.m.", "River Grove Elementary School")
    assert metadata(source_text("decoy-primary-governors-fgb-2020-12-07")).officers == ("Pete Osborne",)


# ---------------------------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("7th March 2017", date(2017, 3, 7)),
        ("Tuesday 13th March 2018", date(2018, 3, 13)),
        ("December 16, 2019", date(2019, 12, 16)),
        ("December 16,  2019", date(2019, 12, 16)),
        ("07/12/2020", date(2020, 12, 7)),
        ("2021.08.07", date(2021, 8, 7)),
        ("2019-12-16", date(2019, 12, 16)),
        ('18" March 2014', date(2014, 3, 18)),
        ("18tn March 2014", date(2014, 3, 18)),
        ("3rd of September 2019", date(2019, 9, 3)),
        ("Sept. 6, 2011", date(2011, 9, 6)),
        ("25/12/19", date(2019, 12, 25)),
    ],
)
def test_dates_written_in_many_ways(written: str, expected: date) -> None:
    assert [found.value for found in find_dates(f"held on {written} at noon")] == [expected]


def test_numeric_dates_are_month_first_only_in_american_text() -> None:
    assert [d.value for d in find_dates("9/6/2011", american=True)] == [date(2011, 9, 6)]
    assert [d.value for d in find_dates("9/6/2011", american=False)] == [date(2011, 6, 9)]
    assert [d.value for d in find_dates("13/6/2011", american=True)] == [date(2011, 6, 13)]
    assert is_american("Meeting of December 16, 2019. Next: January 22, 2020.")
    assert not is_american("Held on 16 December 2019.")
    assert is_american("Meeting Date: 9/6/2011\nChange: $24,000 per year")
    assert not is_american("Meeting Date: 9/6/2011\nCost: £240")


def test_item_numbers_and_impossible_dates_are_not_dates() -> None:
    assert find_dates("17.03.02 Register of Interests; 31/02/2020; FGB 20/2021") == []


def test_meeting_date_prefers_held_on_over_other_dates() -> None:
    text = (
        "Signed ____ Dated 2nd May 2017\n"
        "Minutes of the meeting of Example Committee held at the Hall on Tuesday 21 January 2025 at 2pm\n\n"
        "1. MINUTES\nThe minutes of the meeting held on 26 November 2024 were agreed.\n"
        "2. NEXT MEETING\nTuesday 18 March 2025\n"
    )
    assert metadata(text).meeting_date == date(2025, 1, 21)


def test_meeting_date_skips_previous_next_dated_and_as_at() -> None:
    text = (
        "Parish Council\nPrevious meeting: 10 January 2017\nSignature ____ Dated 2nd May 2017\n"
        "Leads (as at 23 March 2020)\n7th March 2017\n\n1 Apologies\nNone.\n2 Minutes\nSigned.\n"
    )
    assert metadata(text).meeting_date == date(2017, 3, 7)


def test_labelled_date_beats_a_table_of_dates() -> None:
    text = (
        "BOARD OF GOVERNORS\nCOMMITTEE Full Governing Body DATE 07/12/2020\n"
        "05/10/2020\n01/02/2021\n\n1 Apologies\nNone\n2 Minutes\n"
    )
    assert metadata(text).meeting_date == date(2020, 12, 7)


def test_meeting_date_from_the_first_item_when_the_title_block_has_none() -> None:
    text = (
        "## CALL TO ORDER\nChair Ann Lee called the meeting to order on December 16, 2019 at 6:30 pm.\n"
        "## CLOSING\nDone."
    )
    found = metadata(text)
    assert (found.meeting_date, found.chair, found.time) == (date(2019, 12, 16), "Ann Lee", "6:30 pm")


def test_agenda_pack_takes_the_minutes_heading_date_not_the_front_sheets() -> None:
    # Merton's pack: a front sheet for the next meeting, its agenda, then the minutes' own heading.
    text = (
        "Merton Council\nAudit Committee\nA meeting of the Audit Committee will be held:\nDate: 22 October 2009\n"
        "Time: 19:15\n\nAudit Committee\n22 October 2009\n1.  Declarations of interest 1\n2.  Apologies for absence\n"
        "3.  Minutes of the meeting held on 24 September 2009 3\n4.  Work programme 169\n\n"
        "AUDIT COMMITTEE\n24 SEPTEMBER 2009\nPRESENT: Dave Roberts (Chairman), Danny Connellan.\n\n"
        "1 DECLARATIONS OF INTEREST\nNone.\n2 MINUTES OF THE MEETING HELD ON 23 JUNE 2009 (Agenda item 3)\nAgreed.\n"
        "3 WORK PROGRAMME (Agenda item 7)\nNoted.\n"
    )
    assert metadata(text).meeting_date == date(2009, 9, 24)


def test_a_notice_with_no_minutes_heading_keeps_the_held_date() -> None:
    text = "Parish Council\nA meeting will be held on 3 June 2025 at 7pm.\n\n1 Apologies\nNone.\n2 Minutes\nOk.\n"
    assert metadata(text).meeting_date == date(2025, 6, 3)


def test_no_meeting_date_gives_none() -> None:
    text = (
        "Parish Council\n\n1 Minutes\nThe minutes of the previous meeting held on 1 April 2025 were agreed.\n"
        "2 Next meeting\n3 June 2025\n"
    )
    assert metadata(text).meeting_date is None


# ---------------------------------------------------------------------------------------------------------
# Committee, chair and people


@pytest.mark.parametrize(
    ("title_block", "committee"),
    [
        ("Minutes of the meeting of Audit Committee held at the Hall on 1 May 2020", "Audit Committee"),
        (
            "AYTON\nAYTON AYTON COMMUNITY COUNCIL\nMinutes of a Meeting held on Tuesday 5 April 2016",
            "Ayton Community Council",
        ),
        ("Rivergrove City Council Meeting Minutes\nDecember 10, 2018", "Rivergrove City Council"),
        ("Newbiggin Parish Council   -  3rd September 2019", "Newbiggin Parish Council"),
        ("Merton Council\nAudit Committee\n", "Merton Council Audit Committee"),
        (
            "The Apache Software Foundation\n\nBoard of Directors Meeting Minutes\n\nJanuary 21, 2015",
            "Apache Software Foundation Board of Directors",
        ),
        (
            "Amenities, Leisure and Community Services\nTuesday 13th March 2018\nSutton Coldfield Town Hall",
            "Amenities, Leisure and Community Services",
        ),
    ],
)
def test_committee_from_the_title_block(title_block: str, committee: str) -> None:
    assert metadata(title_block + "\n\n1 Apologies\nNone.\n2 Minutes\nSigned.\n").committee == committee


def test_committee_named_only_in_the_body() -> None:
    text = (
        "_Held in the Hall at 7:00pm._\n\n## Present\n- Ann Lee\n"
        "## Next Meeting\nThe Next Ayton Community Council Meeting is in June."
    )
    assert metadata(text).committee == "Ayton Community Council"


def test_committee_from_a_site_footer_when_the_title_is_only_a_date() -> None:
    text = (
        "Meeting Minutes\n\n# Tuesday 25 April 2017\n\n## Present\n\nAnn Lee, Bob Roe\n\n## General Agenda\n\n"
        "- Stickers\n\n## Events\n\n- A trip\n\nCompSoc Edinburgh • Committee Meeting Minutes\n"
    )
    assert metadata(text).committee == "CompSoc Edinburgh Committee"


def test_committee_from_an_acronym_and_the_body_the_minutes_address() -> None:
    text = (
        "# September 2011 Videoconference\n\nMeeting Date: 9/6/2011\n\nIn Attendance:\nAnn Lee\n\n"
        "Subject | Notes\nOWASP Finances | Posted at https://owasp.org/OWASP_Board_Votes\n"
        "OWASP Podcast | To be reviewed; send to Board for review.\nOWASP Forms | New Board members to vote.\n"
    )
    assert metadata(text).committee == "OWASP Board"
    # Resolutions in capitals are not an organisation; an acronym with no body word is not enough either.
    dated = "# 5 May 2020\n\nPresent: Ann Lee, Bob Roe, Cy Day\n\n## Items\n{}\n## End\nOk.\n"
    assert metadata(dated.format("RESOLVED That X. RESOLVED That Y. RESOLVED That Z.")).committee is None
    assert metadata(dated.format("OWASP Podcast, OWASP Forms, OWASP Training.")).committee is None
    assert metadata(
        dated.format("OWASP Podcast, OWASP Forms, OWASP Training; ask the Board, the Board.")
    ).committee == ("OWASP Board")


@pytest.mark.parametrize(
    ("line", "chair"),
    [
        ("Present: Councillor Toni Fagan (chairperson)\nCouncillor Liz Harvey (vice-chairperson)", "Toni Fagan"),
        ("Present: Cllrs Hodivala (Chairman), Hewett and Wood.", "Hodivala"),
        ("## Present\n\n- Alan McFadzean — _Chair_\n- Trevor Smith — *Secretary*", "Alan McFadzean"),
        ("Chaired by Simon Barnes Clerked by Pete Osborne", "Simon Barnes"),
        ("The Meeting was Chaired by John Slater.\n\nITEMS", "John Slater"),
        ("Chair: Iain", "Iain"),
        ("Present: Mrs Ann Jones in the Chair, Mr B Smith", "Ann Jones"),
    ],
)
def test_chair(line: str, chair: str) -> None:
    assert metadata("Town Council\n1 March 2020\n" + line + "\n\n1 Apologies\nNone.\n2 Minutes\nOk.\n").chair == chair


def test_a_surname_printed_in_lower_case_ends_a_name() -> None:
    text = "Committee\n1 May 2020\n\n1 Apologies\nApologies were received from Cllrs Rod Scott and Diane Neil mills\n"
    assert metadata(text + "2 Minutes\nOk.\n").apologies == ("Rod Scott", "Diane Neil mills")
    assert metadata(text.replace("Neil mills", "Neil online") + "2 Minutes\nOk.\n").apologies == ("Rod Scott",)


def test_present_block_across_blank_lines_and_titles() -> None:
    text = (
        "Committee\n12 May 2020\n\nPresent: Councillor Ann Lee (chairperson)\n\nCouncillors: Bob Roe, Cy Day and\n\n"
        "Di Fox\n\nIn attendance: Councillor Ed Gee (Cabinet Member)\n\nOfficers: Fay Hill (Clerk), Gus Ito\n\n"
        "1. APOLOGIES\n\nApologies had been received from Hal Jay (Co-opted member) and Cllr Ivy Kay.\n\n2. MINUTES\n"
    )
    found = metadata(text)
    assert found.present == ("Ann Lee", "Bob Roe", "Cy Day", "Di Fox")
    assert found.officers == ("Fay Hill", "Gus Ito")
    assert found.apologies == ("Hal Jay", "Ivy Kay")


def test_initials_grid_and_prose_attendance() -> None:
    grid = (
        "COUNCIL\n1 May 2016\n\nPresent Rob Boyd   RB   Kenny Combe  KC\n"
        "  Michael Cook (SBC) MC   Graham Dolan  GD\n\n1 Police\nx\n2 Forum\ny\n"
    )
    assert metadata(grid).present == ("Rob Boyd", "Kenny Combe", "Michael Cook", "Graham Dolan")
    prose = (
        "# Town of Example\nDecember 16, 2019\n\n## CALL TO ORDER\nBoard members present were supervisors Ann Lee, "
        "and Bob Roe, treasurer Cy Day, and clerk Di Fox.  Also present were guests.\n## CLOSING\nDone."
    )
    assert metadata(prose).present == ("Ann Lee", "Bob Roe", "Cy Day", "Di Fox")


def test_governors_attendance_register_reads_this_meetings_column() -> None:
    text = (
        "BOARD OF GOVERNORS\nCOMMITTEE Full Governing Body DATE 07/12/2020\nGOVERNOR ATTENDANCE\nType\n"
        "05/10/2020\n07/12/2020\n01/02/2021\nANN LEE Parent 10/2022 P P\nBOB ROE LA 10/2022 P S\n"
        "CY DAY Co-opted 3/2024 S P\nDI FOX Staff 1/2023 P L\n\n1 Apologies\nNone\n2 Minutes\nOk\n"
    )
    assert metadata(text).present == ("Ann Lee", "Cy Day", "Di Fox")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600))
def test_extract_metadata_never_crashes(text: str) -> None:
    found = metadata(text)
    assert all(isinstance(name, str) and name for name in found.present + found.apologies + found.officers)


def test_metadata_of_ocr_pages_with_district_councillors_and_a_wrapped_name() -> None:
    horsley = metadata((DATA / "ocr" / "horsley-parish-council-monthly-2014-03-18-page1.txt").read_text("utf-8"))
    assert (horsley.committee, horsley.meeting_date, horsley.time, horsley.venue, horsley.chair) == (
        "Horsley Parish Council",
        date(2014, 3, 18),
        "7.30pm",
        "Village Hall",
        "N Hackett",
    )
    assert horsley.present == ("N Hackett", "A Caudwell", "Howells", "Kay", "McDonagh")
    assert horsley.apologies == ("Clarke", "Carter", "Sims", "Binns")
    assert horsley.officers == ()  # "In Attendance: District Cllr Blackwell" is a councillor


def test_metadata_of_an_american_ocr_page() -> None:
    china_falls = metadata((DATA / "ocr" / "china-falls-hoa-monthly-2005-05-04-page1.txt").read_text("utf-8"))
    assert (china_falls.committee, china_falls.meeting_date) == (
        "China Falls Homeowner’s Association",
        date(2005, 5, 4),
    )
    assert china_falls.present == ("Doug Blik", "Ann Jewett", "Jonette McGrew", "Alex Malesis", "Lisa Vold")
