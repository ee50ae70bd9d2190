"""The incident rules: the closed loop's transition table, response levels and their limits,
escalation by severity, self-verification and the dispute window."""
from datetime import datetime, timedelta, timezone

import pytest

from services.security.domain import incidents as rules

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


def test_the_loop_runs_from_report_to_evaluation():
    status = "reported"
    for action, expected in (("file", "filed"), ("dispatch", "dispatched"),
                             ("start", "in_progress"), ("handled", "handled"),
                             ("feedback", "fed_back"), ("verify", "verified"),
                             ("close", "closed"), ("evaluate", "closed")):
        status = rules.target_status(action, status)
        assert status == expected


@pytest.mark.parametrize("action, status, target", [
    ("reject_verification", "fed_back", "in_progress"),
    ("dispute", "closed", "in_progress"),
    ("dismiss", "reported", "dismissed"),
])
def test_going_back_and_dismissing(action, status, target):
    assert rules.target_status(action, status) == target


def test_an_illegal_step_names_the_allowed_ones():
    with pytest.raises(rules.IllegalTransition) as raised:
        rules.target_status("close", "reported")
    assert raised.value.allowed == ["file", "dismiss"]
    assert "file, dismiss" in str(raised.value) and str(raised.value).startswith("action:")
    with pytest.raises(rules.IllegalTransition) as raised:
        rules.target_status("file", "dismissed")
    assert raised.value.allowed == [] and "final" in str(raised.value)
    with pytest.raises(rules.IllegalTransition):
        rules.target_status("escalated", "reported")  # internal, never asked for


def test_every_status_but_the_final_ones_has_a_way_on():
    for status in rules.STATUSES:
        assert bool(rules.allowed_actions(status)) == (status not in ("dismissed",))


@pytest.mark.parametrize("severity, level, hours", [
    ("major", "red", 2), ("serious", "red", 2), ("general", "yellow", 24), ("minor", "blue", 72)])
def test_the_default_level_and_its_limit(severity, level, hours):
    assert rules.default_level(severity) == level
    assert rules.due_at(T0, level) == T0 + timedelta(hours=hours)


def test_escalation_by_severity():
    assert rules.escalates_at_once("major") and not rules.escalates_at_once("serious")
    due = T0 + timedelta(hours=2)
    late = due + timedelta(minutes=1)
    assert rules.escalates_when_overdue("serious", "dispatched", due, late, None)
    assert not rules.escalates_when_overdue("serious", "dispatched", due, due, None)
    assert not rules.escalates_when_overdue("serious", "handled", due, late, None)
    assert not rules.escalates_when_overdue("serious", "filed", due, late, "street")
    assert not rules.escalates_when_overdue("general", "filed", due, late, None)
    assert rules.is_overdue("filed", due, late) and not rules.is_overdue("closed", due, late)


def test_the_handler_may_not_verify_their_own_handling():
    assert rules.self_verification("unit-a", "unit-a")
    assert not rules.self_verification("unit-a", "inspector")
    assert not rules.self_verification(None, "inspector")


def test_a_closure_may_be_disputed_for_seven_days():
    assert rules.may_dispute(T0, T0 + timedelta(days=7))
    assert not rules.may_dispute(T0, T0 + timedelta(days=7, seconds=1))
    assert not rules.may_dispute(None, T0)
