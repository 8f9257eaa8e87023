"""`minutebook ask "QUESTION"`: the passages of the library that answer a question, cited and highlighted."""

from __future__ import annotations

import calendar
import json
import re
import textwrap
from datetime import date

import click

from ui.commands.common import library_option, settings_for

DATE_FORMS = "YYYY-MM-DD, YYYY-MM or YYYY"


def date_bound(text: str, *, end: bool) -> date:
    """A --from/--to date: a day, or a month or year taken from its first (--from) or last (--to) day."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a date ({DATE_FORMS})")
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    try:
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        if day is None:
            return date(year, month, calendar.monthrange(year, month)[1] if end else 1)
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a date ({DATE_FORMS})") from None


def resolve_committees(names: tuple[str, ...], known: list[str]) -> tuple[str, ...]:
    """Each --committee as the library spells it: an exact match (any case) or the one name containing it."""
    resolved = []
    for name in names:
        folded = " ".join(name.split()).casefold()
        exact = [c for c in known if c.casefold() == folded]
        partial = [c for c in known if folded in c.casefold()]
        found = exact or partial
        if len(found) != 1:
            listing = "; ".join(known) or "none"
            problem = "matches several committees" if found else "matches no committee"
            raise ValueError(f"--committee {name!r} {problem}; the library has: {listing}")
        resolved.append(found[0])
    return tuple(dict.fromkeys(resolved))


def _quote(text: str, width: int = 100) -> str:
    return textwrap.fill(" ".join(text.split()), width=width, initial_indent="   > ", subsequent_indent="     ")


def render(answer: object) -> str:
    """The readable form of an answer: the answer line, the scope, then each passage's citation and highlights."""
    from assistant.records import Answer, Passage

    assert isinstance(answer, Answer)
    lines = [click.style(answer.answer_line, bold=True)]
    if answer.resolved_question != answer.question:
        lines.append(f"(read as: {answer.resolved_question})")
    if answer.scope_note and not answer.abstained:
        lines.append(click.style(answer.scope_note, dim=True))

    def passage_lines(passage: Passage) -> list[str]:
        found = [f"{passage.rank}. {passage.citation()}", f"   {passage.link}"]
        quoted = passage.highlighted_texts() or [passage.chunk.text[:300]]
        found.extend(_quote(text) for text in quoted)
        if passage.related:
            more = len(passage.related)
            found.append(f"   (+{more} more matching passage{'s' if more > 1 else ''} in this item)")
        return found

    if answer.abstained:
        if answer.closest:
            lines += ["", "Closest, but probably not what you asked:"]
            for passage in answer.closest:
                lines += passage_lines(passage)
    else:
        for passage in answer.passages:
            lines += ["", *passage_lines(passage)]
    return "\n".join(lines)


@click.command("ask")
@click.argument("question", nargs=-1, required=True)
@click.option("--k", type=click.IntRange(1, 50), default=5, show_default=True, help="Items to show.")
@click.option("--committee", multiple=True, help="Only this committee (repeatable; part of the name will do).")
@click.option("--from", "date_from", default=None, help=f"Meetings on or after this date ({DATE_FORMS}).")
@click.option("--to", "date_to", default=None, help=f"Meetings on or before this date ({DATE_FORMS}).")
@click.option("--item", "item_number", default=None, help="Only this agenda item number.")
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "dense", "keyword"]),
    default=None,
    help="Retrieval mode (default: the settings' mode, hybrid).",
)
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON (see FORMATS.md).")
@library_option
def ask_cmd(
    question: tuple[str, ...],
    k: int,
    committee: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    item_number: str | None,
    mode: str | None,
    sort: str,
    as_json: bool,
    library: str | None,
) -> None:
    """Ask the library a question in plain words; get the passages that answer it, with their citations.

    Dates in the question ("in January 2025", "at the latest meeting", "last year") narrow the search like
    --from/--to. When nothing in the library answers, it says so and lists the closest weak matches.
    """
    from assistant import load_assistant
    from assistant.records import Filters
    from index.errors import LibraryError
    from index.library import library_exists

    text = " ".join(question).strip()
    if not text:
        raise click.UsageError("the question is empty")
    settings = settings_for(library)
    if not library_exists(settings.library):
        raise click.ClickException(
            f"there is no library at {settings.library}; add minutes first with `minutebook ingest FILES`"
        )
    try:
        assistant = load_assistant(settings)
        filters = Filters(
            committees=resolve_committees(committee, assistant.library.committees()),
            date_from=date_bound(date_from, end=False) if date_from else None,
            date_to=date_bound(date_to, end=True) if date_to else None,
            item_number=item_number.strip() if item_number else None,
        )
        answer = assistant.ask(text, filters=filters, k=k, mode=mode, sort=sort)
    except LibraryError as error:
        message = str(error)
        if "ingest" not in message and "`minutebook" not in message:
            message += "; ingest your minutes again with `minutebook ingest`"
        raise click.ClickException(message) from None
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(answer.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(render(answer))


COMMANDS = (ask_cmd,)
