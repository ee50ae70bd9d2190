"""Petition rules: the group-petition rule, the time limits (accept 15 days, answer 60, one
extension of at most 30, review asked within 30), what may follow what, and "overdue"."""
from datetime import date, timedelta

import pytest

from services.security.domain import petitions as rules
from shared.errors import Conflict, InvalidInput

REGISTERED_ON = date(2026, 3, 2)


def progress(status=rules.REGISTERED, **dates):
    return rules.Progress(status, REGISTERED_ON, **dates)


@pytest.mark.parametrize("people, group", [(1, False), (4, False), (5, True), (30, True)])
def test_five_or_more_petitioners_are_a_group_petition(people, group):
    assert rules.is_group(people) is group


def test_a_registered_petition_is_accepted_or_declined_within_15_days():
    registered = progress()
    assert registered.current_deadline() == date(2026, 3, 17)
    assert not registered.overdue(date(2026, 3, 17))
    assert registered.overdue(date(2026, 3, 18))
    assert registered.allowed_actions(date(2026, 3, 18)) == ["accept", "decline"]


def test_an_accepted_petition_is_answered_within_60_days_of_acceptance():
    accepted = progress(rules.ACCEPTED, accepted_on=date(2026, 3, 10))
    assert accepted.current_deadline() == date(2026, 5, 9)
    assert accepted.deadlines()["answer_by"] == date(2026, 5, 9)
    assert not accepted.overdue(date(2026, 5, 9)) and accepted.overdue(date(2026, 5, 10))
    answered_late = progress(rules.ANSWERED, accepted_on=date(2026, 3, 10),
                             answered_on=date(2026, 5, 10))
    assert answered_late.answered_on_time() is False
    assert not answered_late.overdue(date(2027, 1, 1))  # answered: waiting for nothing


def test_the_answer_deadline_is_extended_once_by_at_most_30_days():
    accepted = progress(rules.ACCEPTED, accepted_on=date(2026, 3, 10))
    assert rules.latest_extension(date(2026, 3, 10)) == date(2026, 6, 8)
    rules.check_extension(accepted, date(2026, 6, 8), date(2026, 5, 1))
    with pytest.raises(InvalidInput) as too_long:
        rules.check_extension(accepted, date(2026, 6, 9), date(2026, 5, 1))
    assert too_long.value.field == "until"
    with pytest.raises(InvalidInput) as earlier:
        rules.check_extension(accepted, date(2026, 5, 9), date(2026, 5, 1))
    assert earlier.value.field == "until"
    with pytest.raises(InvalidInput) as after_the_deadline:
        rules.check_extension(accepted, date(2026, 6, 1), date(2026, 5, 10))
    assert after_the_deadline.value.field == "on"

    extended = progress(rules.ACCEPTED, accepted_on=date(2026, 3, 10),
                        extended_until=date(2026, 6, 1))
    assert extended.current_deadline() == date(2026, 6, 1)
    assert not extended.overdue(date(2026, 5, 20))
    assert extended.allowed_actions(date(2026, 5, 20)) == ["answer"]  # no second extension
    answered = progress(rules.ANSWERED, accepted_on=date(2026, 3, 10),
                        extended_until=date(2026, 6, 1), answered_on=date(2026, 5, 30))
    assert answered.answered_on_time() is True


def test_a_review_is_asked_for_within_30_days_of_the_answer_and_given_within_30():
    answered = progress(rules.ANSWERED, accepted_on=date(2026, 3, 10),
                        answered_on=date(2026, 4, 1))
    assert answered.allowed_actions(date(2026, 5, 1)) == ["request_review", "close"]
    assert answered.allowed_actions(date(2026, 5, 2)) == ["close"]
    requested = progress(rules.REVIEW_REQUESTED, accepted_on=date(2026, 3, 10),
                         answered_on=date(2026, 4, 1), review_requested_on=date(2026, 4, 20))
    assert requested.current_deadline() == date(2026, 5, 20)
    assert requested.overdue(date(2026, 5, 21))


@pytest.mark.parametrize("status, allowed", [
    (rules.REGISTERED, ["accept", "decline"]), (rules.ACCEPTED, ["extend", "answer"]),
    (rules.DECLINED, ["close"]), (rules.REVIEWED, ["close"]), (rules.CLOSED, [])])
def test_an_illegal_step_is_a_conflict_naming_the_allowed_ones(status, allowed):
    state = progress(status, accepted_on=date(2026, 3, 10))
    assert state.allowed_actions(date(2026, 3, 11)) == allowed
    with pytest.raises(Conflict) as refused:
        rules.check_action(state, "review", date(2026, 3, 11))
    assert refused.value.field == "action"
    for action in allowed:
        assert action in str(refused.value)


def test_a_step_is_not_dated_in_the_future_nor_before_the_last_one():
    state = progress(last_step_on=REGISTERED_ON)
    rules.check_step_day(state, REGISTERED_ON, REGISTERED_ON + timedelta(days=3))
    for day in (REGISTERED_ON - timedelta(days=1), REGISTERED_ON + timedelta(days=4)):
        with pytest.raises(InvalidInput) as refused:
            rules.check_step_day(state, day, REGISTERED_ON + timedelta(days=3))
        assert refused.value.field == "on"


def test_the_on_time_rate():
    assert rules.on_time_rate(3, 1) == 0.75
    assert rules.on_time_rate(0, 0) is None
