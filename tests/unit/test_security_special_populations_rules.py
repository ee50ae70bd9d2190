"""Special populations rules: visit cadence by risk (overridable), re-screening every 90 days,
what counts as overdue, dates a record may carry, and the floating check rate."""
from datetime import date

import pytest

from services.security.domain import special_populations as rules
from shared.errors import Conflict, InvalidInput

OPENED = date(2026, 1, 1)


@pytest.mark.parametrize(("risk", "days"), [("high", 7), ("medium", 14), ("low", 30)])
def test_the_visit_cadence_follows_the_risk_level(risk, days):
    assert rules.visit_every_days(risk) == days
    assert rules.visit_every_days(risk, override=10) == 10


def test_the_next_visit_is_due_a_cadence_after_the_last_visit_or_the_opening():
    assert rules.next_visit_due(OPENED, None, 7) == date(2026, 1, 8)
    assert rules.next_visit_due(OPENED, date(2026, 2, 1), 14) == date(2026, 2, 15)


def test_re_screening_is_due_90_days_after_the_last_one():
    assert rules.next_screening_due(OPENED, None) == date(2026, 4, 1)
    assert rules.next_screening_due(OPENED, date(2026, 3, 1)) == date(2026, 5, 30)


def test_due_today_is_not_overdue_the_day_after_is():
    due = date(2026, 1, 8)
    assert not rules.overdue(due, date(2026, 1, 7))
    assert not rules.overdue(due, due)
    assert rules.overdue(due, date(2026, 1, 9))
    assert rules.days_overdue(due, date(2026, 1, 12)) == 4
    assert rules.days_overdue(due, date(2026, 1, 1)) == 0
    assert not rules.overdue(None, date(2026, 1, 9))


def test_a_visit_that_did_not_meet_the_person_does_not_count():
    assert rules.counts_as_visit("stable") and rules.counts_as_visit("concern")
    assert not rules.counts_as_visit("not_met")


def test_dates_a_record_may_carry():
    today = date(2026, 6, 1)
    rules.check_record_date(date(2026, 6, 1), OPENED, today, "visited_on")
    with pytest.raises(InvalidInput) as future:
        rules.check_record_date(date(2026, 6, 2), OPENED, today, "visited_on")
    assert future.value.field == "visited_on"
    with pytest.raises(InvalidInput) as early:
        rules.check_record_date(date(2025, 12, 31), OPENED, today, "closed_on")
    assert early.value.field == "closed_on"
    with pytest.raises(InvalidInput) as until:
        rules.check_supervision_dates(date(2026, 1, 1), date(2025, 1, 1), OPENED, today)
    assert until.value.field == "supervision_until"
    with pytest.raises(InvalidInput) as opened:
        rules.check_supervision_dates(date(2026, 1, 1), None, date(2026, 7, 1), today)
    assert opened.value.field == "opened_on"


def test_a_closed_file_takes_nothing_more():
    rules.check_open(rules.OPEN)
    with pytest.raises(Conflict):
        rules.check_open(rules.CLOSED)


def test_only_an_active_floating_resident_is_checked():
    rules.check_floating({"residence": "floating", "status": "active"}, 1)
    with pytest.raises(InvalidInput) as registered:
        rules.check_floating({"residence": "registered", "status": "active"}, 1)
    assert registered.value.field == "resident_id"
    with pytest.raises(InvalidInput):
        rules.check_floating({"residence": "floating", "status": "moved_out"}, 1)


def test_the_check_rate_against_the_100_percent_target():
    assert rules.check_rate(4, 3) == {"floating_residents": 4, "checked": 3, "rate": 0.75,
                                      "target": 1.0, "met": False}
    assert rules.check_rate(3, 3)["met"] is True and rules.check_rate(3, 3)["rate"] == 1.0
    assert rules.check_rate(0, 0) == {"floating_residents": 0, "checked": 0, "rate": None,
                                      "target": 1.0, "met": True}
    assert rules.check_rate(3, 1)["rate"] == 0.3333
    assert rules.community_of("350502001001002") == "350502001001"


def test_a_file_is_for_a_resident_membership_flags_as_released():
    rules.check_supervised({"status": "active", "flags": [{"flag": "released_prisoner"}]}, 1)
    rules.check_supervised({"status": "active", "flags": ["released_prisoner"]}, 1)
    for resident in ({"status": "active", "flags": [{"flag": "disabled"}]},
                     {"status": "active", "flags": []},
                     {"status": "moved_out", "flags": [{"flag": "released_prisoner"}]}):
        with pytest.raises(InvalidInput) as refused:
            rules.check_supervised(resident, 1)
        assert refused.value.field == "resident_id"
