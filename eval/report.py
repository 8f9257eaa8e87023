"""Show scores to people: a terminal table, a bar chart (PNG) and a Markdown report with the misses."""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval.questions import Question
from eval.runfile import Run

# The columns people read first; metrics.json holds every figure.
TABLE_METRICS = (
    "hit@1",
    "hit@3",
    "hit@5",
    "hit@10",
    "mrr@10",
    "ndcg@10",
    "recall@10",
    "evidence_hit@5",
    "answered_hit@5",
    "abstention_precision",
    "abstention_recall",
    "false_refusal_rate",
)
CHART_METRICS = ("hit@1", "hit@5", "mrr@10", "ndcg@10", "evidence_hit@5", "abstention_recall")


def fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def code_version() -> str:
    """The git commit the figures came from, flagged when retrieval code had uncommitted changes."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "ingest", "index", "assistant", "eval"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit} + uncommitted changes" if dirty else commit


def machine() -> str:
    return f"{platform.platform()}, {platform.processor() or platform.machine()}, Python {platform.python_version()}"


def metrics_document(
    scores: Mapping[str, Mapping[str, Any]], *, questions_file: str, k: int, command: str, **extra: Any
) -> dict[str, Any]:
    """The metrics file: how the run was made, then one block of metrics per mode."""
    return {
        "questions_file": questions_file,
        "k": k,
        "command": command,
        "machine": machine(),
        "code": code_version(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        **extra,
        "modes": {mode: dict(values) for mode, values in scores.items()},
    }


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def rich_table(scores: Mapping[str, Mapping[str, Any]], title: str = "Retrieval") -> Any:
    """A rich Table: one row per headline metric, one column per mode (fits a narrow terminal)."""
    from rich.table import Table

    table = Table(title=title)
    table.add_column("metric")
    for mode in scores:
        table.add_column(mode, justify="right")
    for name in TABLE_METRICS:
        table.add_row(name, *(fmt(values.get(name)) for values in scores.values()))
    return table


def markdown_table(scores: Mapping[str, Mapping[str, Any]], names: Sequence[str] = TABLE_METRICS) -> str:
    lines = ["| mode | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for mode, values in scores.items():
        lines.append(f"| {mode} | " + " | ".join(fmt(values.get(name)) for name in names) + " |")
    return "\n".join(lines)


def bar_chart(scores: Mapping[str, Mapping[str, Any]], path: Path, title: str = "Retrieval by mode") -> None:
    """Grouped bars, one group per metric and one bar per mode, written as a PNG (Agg backend, no display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [name for name in CHART_METRICS if any(values.get(name) is not None for values in scores.values())]
    modes = list(scores)
    width = 0.8 / max(len(modes), 1)
    figure, axes = plt.subplots(figsize=(max(6.0, 1.4 * len(names) + 2), 4))
    for n, mode in enumerate(modes):
        positions = [i + (n - (len(modes) - 1) / 2) * width for i in range(len(names))]
        heights = [scores[mode].get(name) or 0.0 for name in names]
        bars = axes.bar(positions, heights, width, label=mode)
        axes.bar_label(bars, labels=[f"{h:.2f}" for h in heights], fontsize=7, padding=1)
    axes.set_xticks(range(len(names)), names)
    axes.set_ylim(0, 1.18)
    axes.set_ylabel("score")
    axes.set_title(title)
    axes.legend(loc="upper center", ncol=max(len(modes), 1), fontsize=8, frameon=False)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    plt.close(figure)


def _gold(question: Question) -> str:
    if not question.relevant:
        return "(not in the minutes)"
    return "; ".join(
        f"{entry.meeting_date.isoformat()} {'preamble' if entry.item is None else 'item ' + entry.item}"
        for entry in question.relevant
    )


def _outcome(row: Mapping[str, Any]) -> str:
    """One mode's outcome on one question, in a few characters: the gold item's rank, or what went wrong."""
    if not row["answerable"]:
        return "refused ✓" if row["abstained"] else "**answered**"
    rank = row["first_relevant_rank"]
    found = f"rank {rank}" if rank is not None else "**not found**"
    return f"{found}, **refused**" if row["abstained"] else found


def _top(run: Run, qid: str) -> str:
    question = run.by_id()[qid]
    if not question.results:
        return "–"
    top = question.results[0]
    item = "preamble" if top.item_number is None else f"item {top.item_number}"
    return f"{top.meeting_date.isoformat()} {item}"


def is_miss(row: Mapping[str, Any], k: int = 5) -> bool:
    """Worth a look: an answerable question whose gold item is not in the top k or that was refused, or an
    unanswerable one that was answered."""
    if not row["answerable"]:
        return not row["abstained"]
    rank = row["first_relevant_rank"]
    return row["abstained"] or rank is None or rank > k


def markdown_report(
    questions: Sequence[Question],
    runs: Mapping[str, Run],
    scores: Mapping[str, Mapping[str, Any]],
    *,
    title: str,
    command: str,
    chart: str | None = None,
    max_misses: int | None = None,
) -> str:
    """The report: how it was made, the metrics table, the per-kind breakdown, the chart, and every miss."""
    modes = list(runs)
    lines = [
        f"# {title}",
        "",
        f"Command: `{command}`  ",
        f"Machine: {machine()}  ",
        f"Code: {code_version()}  ",
        f"Date: {datetime.now(UTC).isoformat(timespec='seconds')}",
        "",
        "Ranking metrics are over answerable questions, using the ranked results even when the system refused "
        "(it then lists its closest matches); refusals are scored in the abstention columns "
        "(positive class: unanswerable questions).",
        "",
        markdown_table(scores),
        "",
    ]
    first = scores[modes[0]] if modes else {}
    lines += [
        f"{first.get('questions')} questions: {first.get('answerable')} answerable "
        f"({first.get('with_evidence')} with an evidence phrase), {first.get('unanswerable')} not answerable.",
        "",
    ]
    kinds = sorted({kind for values in scores.values() for kind in values.get("by_kind", {})})
    if kinds:
        lines += ["## hit@5 / MRR@10 by kind of question", "", "| kind | n | " + " | ".join(modes) + " |"]
        lines.append("|---|---:|" + "---:|" * len(modes))
        for kind in kinds:
            cells = []
            for mode in modes:
                block = scores[mode].get("by_kind", {}).get(kind, {})
                cells.append(f"{fmt(block.get('hit@5'))} / {fmt(block.get('mrr@10'))}")
            n = scores[modes[0]].get("by_kind", {}).get(kind, {}).get("questions", "")
            lines.append(f"| {kind} | {n} | " + " | ".join(cells) + " |")
        lines.append("")
    if chart:
        lines += [f"![metrics by mode]({chart})", ""]
    rows = {mode: {row["id"]: row for row in scores[mode]["per_question"]} for mode in modes}
    misses = [q for q in questions if any(is_miss(rows[mode][q.id]) for mode in modes)]
    lines += [
        f"## Misses ({len(misses)} questions missed by at least one mode)",
        "",
        "A miss: the gold item not in the top 5, a refused answerable question, or an answered unanswerable one. "
        "Each cell gives the gold item's rank and, after the slash, the top result.",
        "",
    ]
    shown = misses if max_misses is None else misses[:max_misses]
    if len(shown) < len(misses):
        lines += [f"The first {len(shown)} are listed; the run files hold them all.", ""]
    if misses:
        lines.append("| id | kind | question | gold | " + " | ".join(modes) + " |")
        lines.append("|---|---|---|---|" + "---|" * len(modes))
        for question in shown:
            cells = [f"{_outcome(rows[mode][question.id])} / {_top(runs[mode], question.id)}" for mode in modes]
            text = question.question.replace("|", "\\|")
            lines.append(
                f"| {question.id} | {question.kind or ''} | {text} | {_gold(question)} | " + " | ".join(cells) + " |"
            )
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"
