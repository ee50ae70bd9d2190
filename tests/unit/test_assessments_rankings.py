"""Ranking rules: competition ranks (ties share, the next rank skips), stars by thresholds, the
bottom N flagged (ties at the cut all flagged, the top never, small groups), subjects without
entries ranking with 0; period keys and their windows; the survey and correction arithmetic."""
from datetime import date

import pytest

from services.assessments.domain import rankings as rules
from shared.errors import InvalidInput


def test_ties_share_a_rank_and_the_next_rank_skips():
    assert rules.competition_ranks([90, 80, 80, 70]) == [1, 2, 2, 4]
    assert rules.competition_ranks([70, 80, 90, 80]) == [4, 2, 1, 2]  # in the order given
    assert rules.competition_ranks([5, 5, 5]) == [1, 1, 1]
    assert rules.competition_ranks([]) == []
    assert rules.competition_ranks([-300, 0]) == [2, 1]


@pytest.mark.parametrize("total, expected", [
    (0, 0), (5999, 0), (6000, 1), (7999, 1), (8000, 2), (9000, 3), (12000, 3), (-100, 0)])
def test_stars_count_the_thresholds_the_total_reaches(total, expected):
    assert rules.stars(total, [60, 80, 90]) == expected


def test_stars_without_thresholds_and_with_fractional_ones():
    assert rules.stars(10000, []) == 0
    assert rules.stars(7550, [75.5]) == 1 and rules.stars(7549, [75.5]) == 0


def test_the_bottom_n_are_flagged():
    assert rules.bottom_flags([90, 80, 70, 60, 50], 3) == [False, False, True, True, True]
    assert rules.bottom_flags([90, 80, 70, 60, 50], 0) == [False] * 5
    assert rules.bottom_flags([50, 90, 60, 80, 70], 2) == [True, False, True, False, False]


def test_ties_at_the_cut_are_all_flagged():
    # bottom 2 of [9, 7, 5, 5, 5]: the second lowest is 5 and three share it
    assert rules.bottom_flags([9, 7, 5, 5, 5], 2) == [False, False, True, True, True]
    assert rules.bottom_flags([9, 7, 7, 1], 2) == [False, True, True, True]


def test_the_top_is_never_flagged_and_small_groups_flag_at_most_all_but_the_top():
    assert rules.bottom_flags([5, 5, 5, 1], 3) == [False, False, False, True]
    assert rules.bottom_flags([5, 5, 5], 3) == [False, False, False]  # all equal: nobody
    assert rules.bottom_flags([8, 3], 3) == [False, True]
    assert rules.bottom_flags([8, 8], 3) == [False, False]
    assert rules.bottom_flags([8], 3) == [False]
    assert rules.bottom_flags([], 3) == []


def test_rank_groups_by_parent_with_ranks_stars_and_flags():
    entrants = [rules.Entrant("350502001", "350502001001", 9000, 1),
                rules.Entrant("350502001", "350502001002", 7000, 2),
                rules.Entrant("350502001", "350502001003", 7000, 3),
                rules.Entrant("350502002", "350502002001", 100, 4)]
    standings = rules.rank(entrants, [60, 80], 1)
    assert [(s.subject_ref, s.rank, s.group_size, s.stars, s.bottom) for s in standings] == [
        ("350502001001", 1, 3, 2, False),
        ("350502001002", 2, 3, 1, True),
        ("350502001003", 2, 3, 1, True),
        ("350502002001", 1, 1, 0, False)]


def test_subjects_without_entries_rank_with_zero():
    entrants = [rules.Entrant("S", "c2", 500, 7), rules.Entrant("S", "c3", -200, 8)]
    everyone = rules.with_zero_subjects(entrants, ["c1", "c2", "c3", "c4"], lambda ref: "S")
    standings = rules.rank(everyone, [], 2)
    assert [(s.subject_ref, s.total_hundredths, s.rank, s.scorecard_id, s.bottom)
            for s in standings] == [("c2", 500, 1, 7, False), ("c1", 0, 2, None, True),
                                    ("c4", 0, 2, None, True), ("c3", -200, 4, 8, True)]


@pytest.mark.parametrize("period, key, first, last", [
    ("month", "2026-11", date(2026, 11, 1), date(2026, 11, 30)),
    ("month", "2026-12", date(2026, 12, 1), date(2026, 12, 31)),
    ("month", "2028-02", date(2028, 2, 1), date(2028, 2, 29)),
    ("quarter", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ("quarter", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
    ("year", "2026", date(2026, 1, 1), date(2026, 12, 31))])
def test_period_bounds(period, key, first, last):
    assert rules.period_bounds(period, key) == (first, last)


@pytest.mark.parametrize("period, key", [
    ("month", "2026-13"), ("month", "2026-Q4"), ("month", "2026"), ("quarter", "2026-Q5"),
    ("quarter", "2026-11"), ("year", "2026-01"), ("year", "")])
def test_a_key_of_another_period_is_refused(period, key):
    with pytest.raises(ValueError):
        rules.period_bounds(period, key)
    with pytest.raises(InvalidInput) as refused:
        rules.check_period_key(period, key, date(2026, 1, 1), None)
    assert refused.value.field == "period_key"


def test_a_period_outside_the_window_is_refused():
    window = (date(2026, 3, 15), date(2026, 9, 30))
    assert rules.check_period_key("month", "2026-03", *window) == (date(2026, 3, 1),
                                                                    date(2026, 3, 31))
    assert rules.check_period_key("month", "2026-09", *window)[1] == date(2026, 9, 30)
    for key in ("2026-02", "2026-10"):
        with pytest.raises(InvalidInput):
            rules.check_period_key("month", key, *window)
    assert rules.check_period_key("year", "2030", date(2026, 1, 1), None)


def test_survey_points_and_satisfaction():
    assert rules.survey_hundredths(10, 45, 50) == 900
    assert rules.survey_hundredths(10, 2, 3) == 667  # 6.666… rounds half up
    assert rules.survey_hundredths(15.5, 0, 7) == 0
    assert rules.satisfaction_rate(41, 50) == 0.82
    rules.check_survey_counts(5, 5)
    with pytest.raises(InvalidInput) as refused:
        rules.check_survey_counts(5, 6)
    assert refused.value.field == "satisfied"
    with pytest.raises(InvalidInput) as refused:
        rules.check_survey_counts(0, 0)
    assert refused.value.field == "respondents"


def test_a_correction_adds_the_difference_and_must_change_something():
    assert rules.correction_hundredths(500, 800) == 300
    assert rules.correction_hundredths(500, -200) == -700
    with pytest.raises(InvalidInput) as refused:
        rules.correction_hundredths(500, 500)
    assert refused.value.field == "points"


def test_a_reason_is_required():
    assert rules.check_reason("  检查发现台账不全 ") == "检查发现台账不全"
    with pytest.raises(InvalidInput) as refused:
        rules.check_reason("   ")
    assert refused.value.field == "reason"
