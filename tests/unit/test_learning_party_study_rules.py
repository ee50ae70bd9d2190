"""Party study rules: where each cadence falls in a year or a range, the study note's length
(Chinese counted per character, whitespace not at all), the yearly quotas and who is behind pro
rata at the start, the middle and after the end of a year."""
from datetime import date

import pytest

from services.learning.domain import party_study as rules
from shared.errors import Conflict, InvalidInput


@pytest.mark.parametrize("year, thursdays", [(2025, 52), (2026, 53), (2015, 53), (2020, 53),
                                             (2024, 52)])
def test_a_weekly_study_day_falls_on_every_thursday_of_the_year(year, thursdays):
    days = rules.dates_in_year("study_day", year)
    assert len(days) == thursdays
    assert all(day.weekday() == 3 and day.year == year for day in days)
    assert all((b - a).days == 7 for a, b in zip(days, days[1:], strict=False))
    assert days[0].day <= 7 and days[-1].day >= 25


def test_another_weekday_can_be_chosen():
    days = rules.dates_in_year("study_day", 2026, weekday="saturday")
    assert days[0] == date(2026, 1, 3) and all(d.weekday() == 5 for d in days)


@pytest.mark.parametrize("kind", ["branch_meeting", "committee_meeting", "group_meeting"])
def test_monthly_meetings_fall_on_the_first_thursday_of_each_month(kind):
    days = rules.dates_in_year(kind, 2026)
    assert [d.month for d in days] == list(range(1, 13))
    assert all(d.weekday() == 3 and d.day <= 7 for d in days)
    assert days[0] == date(2026, 1, 1) and days[1] == date(2026, 2, 5)


def test_the_party_lesson_is_quarterly():
    days = rules.dates_in_year("party_lesson", 2026)
    assert [(d.month, d.weekday()) for d in days] == [(1, 3), (4, 3), (7, 3), (10, 3)]
    assert [d.day for d in rules.dates_in_year("party_lesson", 2026, "friday", nth=2)] == [
        9, 10, 10, 9]


def test_a_range_gives_only_the_dates_inside_it():
    assert rules.cadence_dates("study_day", date(2026, 11, 1), date(2026, 11, 30)) == [
        date(2026, 11, 5), date(2026, 11, 12), date(2026, 11, 19), date(2026, 11, 26)]
    assert rules.cadence_dates("study_day", date(2026, 11, 5), date(2026, 11, 5)) == [
        date(2026, 11, 5)]
    assert rules.cadence_dates("study_day", date(2026, 11, 6), date(2026, 11, 11)) == []
    assert rules.cadence_dates("branch_meeting", date(2025, 12, 1), date(2026, 2, 1)) == [
        date(2025, 12, 4), date(2026, 1, 1)]
    assert rules.cadence_dates("branch_meeting", date(2026, 1, 2), date(2026, 1, 31)) == []


def test_bad_cadence_arguments_name_their_field():
    with pytest.raises(InvalidInput) as weekday:
        rules.cadence_dates("study_day", date(2026, 1, 1), date(2026, 2, 1), weekday="thurs")
    assert weekday.value.field == "weekday"
    with pytest.raises(InvalidInput) as nth:
        rules.cadence_dates("branch_meeting", date(2026, 1, 1), date(2026, 2, 1), nth=5)
    assert nth.value.field == "nth"
    with pytest.raises(InvalidInput) as kind:
        rules.cadence_dates("picnic", date(2026, 1, 1), date(2026, 2, 1))
    assert kind.value.field == "kind"


def test_a_plan_covers_at_most_a_year_forwards():
    rules.check_plan_range(date(2024, 1, 1), date(2024, 12, 31))  # a leap year: 366 days
    for start, end in ((date(2026, 1, 2), date(2026, 1, 1)), (date(2026, 1, 1), date(2027, 1, 2))):
        with pytest.raises(InvalidInput) as refused:
            rules.check_plan_range(start, end)
        assert refused.value.field == "to"


def test_a_note_is_counted_in_characters_whitespace_not_counted():
    assert rules.note_length("学习党章") == 4
    assert rules.note_length("  学习 党章\n\t心得 ") == 6
    assert rules.note_length("study notes") == 10
    assert rules.note_length("　") == 0  # the ideographic space is whitespace too


def test_a_note_shorter_than_the_minimum_is_refused_naming_both_lengths():
    assert rules.check_note("学" * 300) == 300
    assert rules.check_note("学" * 50, min_chars=50) == 50
    with pytest.raises(InvalidInput) as short:
        rules.check_note("学" * 299 + " " * 40)
    assert short.value.field == "text"
    assert "300" in short.value.detail and "299" in short.value.detail


def test_the_pro_rata_expectation_rounds_down():
    assert rules.elapsed_days(2026, date(2026, 1, 1)) == 1
    assert rules.expected_so_far(12, 2026, date(2026, 1, 1)) == 0
    assert rules.expected_so_far(24, 2026, date(2026, 1, 16)) == 1  # 24 × 16 / 365 = 1.05
    assert rules.expected_so_far(12, 2026, date(2026, 7, 2)) == 6   # day 183 of 365
    assert rules.expected_so_far(24, 2026, date(2026, 7, 2)) == 12
    assert rules.expected_so_far(12, 2026, date(2026, 12, 31)) == 12
    assert rules.expected_so_far(12, 2025, date(2026, 3, 1)) == 12  # a year that has ended
    assert rules.expected_so_far(12, 2027, date(2026, 3, 1)) == 0   # one not begun
    assert rules.days_in_year(2024) == 366


def test_no_one_is_behind_on_new_years_day():
    standing = rules.DEFAULT_QUOTA.standing(0, 0, 2026, date(2026, 1, 1))
    assert standing == {"met": False, "behind": False,
                        "shortfall": {"study_days": 12, "sessions": 24}}


def test_in_the_middle_of_the_year_behind_is_pro_rata():
    mid = date(2026, 7, 2)  # expects 6 study days and 12 sessions
    assert rules.DEFAULT_QUOTA.standing(6, 12, 2026, mid)["behind"] is False
    assert rules.DEFAULT_QUOTA.standing(5, 20, 2026, mid)["behind"] is True
    assert rules.DEFAULT_QUOTA.standing(10, 11, 2026, mid)["behind"] is True
    met = rules.DEFAULT_QUOTA.standing(12, 24, 2026, mid)
    assert met == {"met": True, "behind": False, "shortfall": {"study_days": 0, "sessions": 0}}
    assert rules.DEFAULT_QUOTA.standing(5, 30, 2026, mid)["shortfall"] == {
        "study_days": 7, "sessions": 0}


def test_in_a_past_year_behind_means_not_met():
    later = date(2026, 3, 1)
    assert rules.DEFAULT_QUOTA.standing(11, 40, 2025, later) == {
        "met": False, "behind": True, "shortfall": {"study_days": 1, "sessions": 0}}
    assert rules.DEFAULT_QUOTA.standing(12, 24, 2025, later)["behind"] is False
    assert rules.DEFAULT_QUOTA.standing(0, 0, 2027, later)["behind"] is False


def test_quotas_can_be_other_than_the_default():
    quota = rules.Quota(min_study_days=4, min_sessions=8)
    assert quota.met(4, 8) and not quota.met(4, 7)
    assert quota.expected(2026, date(2026, 7, 2)) == {"study_days": 2, "sessions": 4}
    assert (rules.DEFAULT_QUOTA.min_study_days, rules.DEFAULT_QUOTA.min_sessions) == (12, 24)


def test_sessions_are_held_by_an_active_branch():
    rules.check_branch({"id": 3, "kind": "branch", "status": "active"})
    with pytest.raises(InvalidInput) as committee:
        rules.check_branch({"id": 3, "kind": "community_party_committee", "status": "active"})
    assert committee.value.field == "branch_id"
    with pytest.raises(Conflict) as dissolved:
        rules.check_branch({"id": 3, "kind": "branch", "status": "dissolved"})
    assert dissolved.value.field == "branch_id"


def test_attendance_and_notes_wait_for_the_day_and_skip_cancelled_sessions():
    today = date(2026, 11, 26)
    rules.check_recordable("scheduled", today, today)
    rules.check_recordable("held", date(2026, 11, 19), today)
    with pytest.raises(Conflict) as early:
        rules.check_recordable("scheduled", date(2026, 11, 27), today)
    assert early.value.field == "held_on"
    with pytest.raises(Conflict) as cancelled:
        rules.check_recordable("cancelled", date(2026, 11, 19), today)
    assert cancelled.value.field == "status"
    with pytest.raises(Conflict):
        rules.check_cancellable("held")
    rules.check_cancellable("scheduled")
