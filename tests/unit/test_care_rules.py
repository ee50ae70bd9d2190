"""Care plan rules: which flags open a plan, the schedule, missed visits, visit checks."""
from datetime import date

import pytest

from services.tickets.domain import care as rules
from shared.errors import Conflict, InvalidInput

START = date(2026, 11, 1)


def test_the_care_flags_are_the_vulnerable_ones_only():
    assert set(rules.CARE_FLAGS) == {"elderly_living_alone", "disabled", "extremely_poor",
                                     "minimum_allowance", "chronically_ill"}
    for flag in ("laid_off", "veteran", "floating", "released_prisoner", "mental_illness"):
        assert not rules.is_care_flag(flag)


def test_every_care_flag_schedules_the_three_kinds_of_visit():
    for flag in rules.CARE_FLAGS:
        assert set(rules.cadences_for(flag)) == set(rules.VISIT_KINDS)
    assert rules.cadences_for("elderly_living_alone") == {
        "phone_call": 7, "home_visit": 30, "neighbour_visit": 7}


def test_cadences_are_copies():
    rules.cadences_for("disabled")["phone_call"] = 1
    assert rules.cadences_for("disabled")["phone_call"] == 14


def test_a_flag_opens_once_and_reopens_only_after_it_was_cleared():
    assert rules.on_flagged(None, None, START) == rules.OPEN
    assert rules.on_flagged("open", None, START) == rules.IGNORE
    assert rules.on_flagged("closed", date(2026, 11, 10), date(2026, 11, 10)) == rules.REOPEN
    assert rules.on_flagged("closed", date(2026, 11, 10), date(2026, 11, 11)) == rules.REOPEN
    # a flag event older than the clearing (arriving late) changes nothing
    assert rules.on_flagged("closed", date(2026, 11, 10), date(2026, 11, 9)) == rules.IGNORE


def test_unflagging_closes_only_an_open_plan():
    assert rules.on_unflagged("open")
    assert not rules.on_unflagged("closed")
    assert not rules.on_unflagged(None)


def test_next_due_counts_from_the_last_visit_or_the_start():
    assert rules.next_due(START, None, 7) == date(2026, 11, 8)
    assert rules.next_due(START, date(2026, 11, 5), 7) == date(2026, 11, 12)


def test_a_visit_is_missed_only_after_its_due_day():
    due = date(2026, 11, 8)
    assert not rules.is_missed(due, date(2026, 11, 7))
    assert not rules.is_missed(due, due)
    assert rules.is_missed(due, date(2026, 11, 9))
    line = rules.ScheduleLine("phone_call", 7, None, due).view(date(2026, 11, 11))
    assert line["missed"] and line["days_overdue"] == 3
    assert rules.ScheduleLine("phone_call", 7, None, due).view(due)["days_overdue"] == 0


def test_a_visit_that_did_not_reach_the_resident_does_not_count():
    assert rules.after_visit(None, date(2026, 11, 5), "well") == date(2026, 11, 5)
    assert rules.after_visit(None, date(2026, 11, 5), "needs_help") == date(2026, 11, 5)
    assert rules.after_visit(None, date(2026, 11, 5), "not_reached") is None
    assert rules.after_visit(date(2026, 11, 5), date(2026, 11, 6), "not_reached") == \
        date(2026, 11, 5)


def test_a_late_entry_of_an_older_visit_does_not_move_the_schedule_back():
    assert rules.after_visit(date(2026, 11, 9), date(2026, 11, 3), "well") == date(2026, 11, 9)


def test_visit_checks():
    today = date(2026, 11, 20)
    rules.check_visit("open", START, today, today)
    rules.check_visit("open", START, START, today)
    with pytest.raises(Conflict) as closed:
        rules.check_visit("closed", START, today, today)
    assert closed.value.field == "status"
    with pytest.raises(InvalidInput) as future:
        rules.check_visit("open", START, date(2026, 11, 21), today)
    assert future.value.field == "visited_on"
    with pytest.raises(InvalidInput) as early:
        rules.check_visit("open", START, date(2026, 10, 31), today)
    assert early.value.field == "visited_on"


def test_community_of_a_grid():
    assert rules.community_of("350502001001003") == "350502001001"


def test_blank_text_is_refused_when_required():
    assert rules.clean_text("  王  阿姨 ", "visitor") == "王 阿姨"
    assert rules.clean_text("", "notes") is None
    with pytest.raises(InvalidInput) as blank:
        rules.clean_text("   ", "visitor", required=True)
    assert blank.value.field == "visitor"
