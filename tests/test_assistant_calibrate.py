"""The threshold sweep of assistant.calibrate on a handful of questions worked by hand."""

from __future__ import annotations

from assistant.calibrate import MARGIN, Observation, sweep, tally
from assistant.evidence import Evidence


def observation(qid: str, answerable: bool, cosine: float | None, abstained: bool = False) -> Observation:
    evidence = () if cosine is None else (Evidence(cosine, 0.0),)
    return Observation(qid, "?", answerable, evidence, abstained)


OBSERVATIONS = [
    observation("a1", True, 0.60),
    observation("a2", True, 0.55),
    observation("u1", False, 0.52),
    observation("u2", False, 0.30),
    observation("a3", True, None, abstained=False),  # answered from the attendance record: fixed
    observation("u3", False, None, abstained=True),  # a meeting the library lacks: fixed
]


def test_tally_counts_both_kinds_of_mistake_and_weighs_refusals_double() -> None:
    # at 0.56: a2 (0.55) refused; u1, u2 refused; a3, u3 as fixed
    assert tally(OBSERVATIONS, 0.56, 0.5) == {"answerable_refused": 1, "unanswerable_answered": 0, "cost": 2}
    # at 0.40: u1 (0.52) answered
    assert tally(OBSERVATIONS, 0.40, 0.5) == {"answerable_refused": 0, "unanswerable_answered": 1, "cost": 1}


def test_sweep_picks_the_cheapest_lowest_threshold_and_recommends_a_margin_below() -> None:
    result = sweep(OBSERVATIONS)
    # cost 0 from 0.53 to 0.55; the lowest wins; coverage is 0 here so every weight ties: the lowest, 0.0
    assert result["chosen"] == {
        "coverage_weight": 0.0,
        "threshold": 0.53,
        "answerable_refused": 0,
        "unanswerable_answered": 0,
        "cost": 0,
    }
    assert result["recommended"]["threshold"] == round(0.53 - MARGIN, 2) == 0.5
    assert (result["recommended"]["answerable_refused"], result["recommended"]["unanswerable_answered"]) == (0, 1)
    at = {entry["threshold"]: entry for entry in result["curve_at_chosen_weight"]}
    assert at[0.3]["unanswerable_answered"] == 2 and at[0.6]["answerable_refused"] == 1
