"""Patrol rules: a shift's length, the check-in window, the hours a completed shift credits,
where a team and its points may lie."""
from datetime import datetime, timedelta, timezone

import pytest

from services.security.domain import patrols as rules
from shared.errors import Conflict, InvalidInput

START = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def hours(n: float) -> datetime:
    return START + timedelta(hours=n)


@pytest.mark.parametrize("length", [0.25, 1, 12])
def test_a_shift_lasts_a_quarter_of_an_hour_to_twelve_hours(length):
    rules.check_shift_times(START, hours(length))


@pytest.mark.parametrize("length", [-1, 0, 0.2, 12.01, 24])
def test_a_shift_too_short_too_long_or_backwards_is_refused(length):
    with pytest.raises(InvalidInput) as refused:
        rules.check_shift_times(START, hours(length))
    assert refused.value.field == "ends_at"


@pytest.mark.parametrize("moment", [-0.5, 0, 1.5, 3, 3.5])
def test_a_check_in_within_the_shift_give_or_take_half_an_hour(moment):
    rules.check_in_window(START, hours(3), hours(moment))


@pytest.mark.parametrize("moment", [-0.51, -5, 3.51, 30])
def test_a_check_in_outside_the_window_is_refused_naming_at(moment):
    with pytest.raises(InvalidInput) as refused:
        rules.check_in_window(START, hours(3), hours(moment))
    assert refused.value.field == "at"


def test_hours_are_the_walk_from_first_to_last_check_in():
    assert rules.shift_hours(START, hours(3), [hours(2.6), hours(0.1), hours(1)]) == 2.5
    # checked in before the start and after the end: the walk, not the plan
    assert rules.shift_hours(START, hours(3), [hours(-0.5), hours(3.5)]) == 4.0


def test_hours_fall_back_to_the_planned_length():
    assert rules.shift_hours(START, hours(3), [hours(1)]) == 3.0
    assert rules.shift_hours(START, hours(3), [hours(1), hours(1.2)]) == 3.0  # 12 minutes
    assert rules.shift_hours(START, hours(3), []) == 3.0


def test_hours_have_two_decimals_and_at_most_twelve():
    assert rules.shift_hours(START, START + timedelta(minutes=100), []) == 1.67
    assert rules.shift_hours(START, hours(12), [hours(-0.5), hours(12.5)]) == 12


def test_completion_needs_a_begun_shift_with_a_check_in():
    rules.check_completable(START, hours(1), 1)
    with pytest.raises(Conflict) as early:
        rules.check_completable(START, hours(-1), 3)
    assert early.value.field == "status"
    with pytest.raises(Conflict) as nobody:
        rules.check_completable(START, hours(4), 0)
    assert nobody.value.field == "check_ins"
    with pytest.raises(Conflict):
        rules.check_open("completed", "complete it")


def test_a_team_patrols_a_street_or_community_and_its_points_lie_in_its_grids():
    rules.check_team_area("350502001")
    rules.check_team_area("350502001001")
    for code in ("350502", "350502001001001", "35050200100x"):
        with pytest.raises(InvalidInput):
            rules.check_team_area(code)
    rules.check_point_grid("350502001001001", "350502001")
    rules.check_point_grid("350502001001001", "350502001001")
    for grid in ("350502001002001", "350502001001"):
        with pytest.raises(InvalidInput) as refused:
            rules.check_point_grid(grid, "350502001001")
        assert refused.value.field == "grid_code"
