"""The SLA clock's rules and the three rates' arithmetic, without a database or a broker."""
from datetime import date, datetime, timedelta, timezone

import pytest

from services.tickets.domain import sla as rules
from services.tickets.entrypoints.sla import clock_config
from shared.errors import InvalidInput
from shared.events.registry import InvalidEvent, make_envelope

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)


# --- the clock --------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["submitted", "accepted", "dispatched", "signed_for",
                                    "in_progress"])
def test_the_clock_runs_on_every_open_unresolved_status(status):
    assert rules.on_the_clock(status)
    assert rules.is_breach(status, NOW - HOUR, None, NOW)


@pytest.mark.parametrize("status", ["resolved", "closed", "rejected"])
def test_resolution_stops_the_clock_and_closure_or_rejection_end_it(status):
    assert not rules.on_the_clock(status)
    assert not rules.is_breach(status, NOW - HOUR, None, NOW)


def test_a_breach_is_due_at_the_due_time_itself_and_only_once():
    assert rules.is_breach("accepted", NOW, None, NOW)
    assert not rules.is_breach("accepted", NOW + timedelta(microseconds=1), None, NOW)
    assert not rules.is_breach("accepted", NOW - HOUR, NOW - HOUR / 2, NOW)  # already marked


def test_an_extended_ticket_is_judged_against_its_new_due_time():
    old_due, new_due = NOW - HOUR, NOW + 5 * HOUR
    assert rules.is_breach("in_progress", old_due, None, NOW)
    assert not rules.is_breach("in_progress", new_due, None, NOW)


def test_the_reminder_comes_when_the_share_of_the_sla_has_elapsed():
    # a 10-hour SLA, 80%: the reminder is due 2 hours before the due time
    due = NOW + 2 * HOUR
    assert rules.due_soon_from(due, 10, 0.8) == NOW
    assert rules.is_due_soon("accepted", due, 10, 0.8, None, None, NOW)
    assert not rules.is_due_soon("accepted", due + timedelta(microseconds=1), 10, 0.8, None,
                                 None, NOW)
    assert rules.is_due_soon("accepted", due, 10, 0.5, None, None, NOW)  # 5 h before


def test_the_reminder_is_sent_once_never_after_the_due_time_nor_after_resolution():
    due = NOW + HOUR
    assert not rules.is_due_soon("accepted", due, 10, 0.8, None, NOW - HOUR, NOW)  # reminded
    assert not rules.is_due_soon("accepted", NOW, 10, 0.8, None, None, NOW)  # due: a breach
    assert not rules.is_due_soon("resolved", due, 10, 0.8, None, None, NOW)


@pytest.mark.parametrize("share", [0, 1, 1.5, -0.2, "0.8", True, None])
def test_the_share_lies_strictly_between_0_and_1(share):
    with pytest.raises(ValueError):
        rules.check_share(share)


def test_risk_and_hours_left_of_an_at_risk_ticket():
    assert rules.risk(NOW - HOUR, NOW, NOW) == "breached"
    assert rules.risk(NOW - HOUR, None, NOW) == "overdue"
    assert rules.risk(NOW + HOUR, None, NOW) == "due_soon"
    assert rules.risk(NOW + HOUR, NOW - HOUR, NOW) == "breached"  # extended after a breach
    assert rules.hours_left(NOW + 90 * timedelta(minutes=1), NOW) == 1.5
    assert rules.hours_left(NOW - 2 * HOUR, NOW) == -2.0


def test_the_clock_reads_its_settings_from_the_nameko_config():
    assert clock_config({}) == {"interval_seconds": 60.0, "batch_size": 100,
                                "due_soon_share": 0.8}
    given = {"TICKETS_SLA_CLOCK": {"interval_seconds": "0.5", "due_soon_share": 0.75,
                                   "batch_size": 10}}
    assert clock_config(given) == {"interval_seconds": 0.5, "batch_size": 10,
                                   "due_soon_share": 0.75}
    for bad in ({"interval_seconds": 0}, {"batch_size": 0}, {"due_soon_share": 1}, "fast"):
        with pytest.raises(ValueError):
            clock_config({"TICKETS_SLA_CLOCK": bad})


# --- periods and rates ------------------------------------------------------------------------

def test_a_period_is_whole_local_days_in_utc_plus_8():
    start, end = rules.period_bounds(date(2026, 11, 1), date(2026, 11, 30))
    assert start == datetime(2026, 10, 31, 16, 0, tzinfo=timezone.utc)
    assert end == datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)
    one_day = rules.period_bounds(date(2026, 11, 23), date(2026, 11, 23))
    assert one_day[1] - one_day[0] == timedelta(days=1)


def test_a_period_ending_before_it_starts_or_out_of_range_is_refused():
    with pytest.raises(InvalidInput) as refused:
        rules.period_bounds(date(2026, 11, 2), date(2026, 11, 1))
    assert refused.value.field == "to"
    with pytest.raises(InvalidInput) as refused:
        rules.period_bounds(date(1, 1, 1), date(2026, 11, 1))
    assert refused.value.field == "from"


def test_the_default_period_is_this_local_month_so_far():
    # 17:30 UTC on 30 November is already 1 December in China
    assert rules.default_period(datetime(2026, 11, 30, 17, 30, tzinfo=timezone.utc)) == (
        date(2026, 12, 1), date(2026, 12, 1))
    assert rules.default_period(NOW) == (date(2026, 11, 1), date(2026, 11, 23))


def test_a_rate_of_nothing_is_null_not_zero_nor_a_division_error():
    assert rules.rate(0, 0) is None
    assert rules.rate(0, 5) == 0.0
    assert rules.rate(2, 3) == 0.6667
    assert rules.rate(5, 5) == 1.0


def test_the_satisfaction_target_is_80_percent_inclusive():
    assert rules.figure(4, 5, target=0.8) == {"numerator": 4, "denominator": 5, "pending": 0,
                                              "rate": 0.8, "target": 0.8, "target_met": True}
    assert rules.figure(79, 100, target=0.8)["target_met"] is False
    assert rules.figure(0, 0, target=0.8)["target_met"] is None


def test_a_row_of_counts_becomes_the_three_figures():
    row = rules.rates_row({"responded_in_time": 3, "response_judged": 4, "response_pending": 1,
                           "resolved_on_time": 0, "resolution_judged": 0,
                           "resolution_pending": 2, "satisfied": 9, "rated": 10})
    assert row["response"] == {"numerator": 3, "denominator": 4, "pending": 1, "rate": 0.75}
    assert row["resolution"]["rate"] is None and row["resolution"]["pending"] == 2
    assert row["satisfaction"]["rate"] == 0.9 and row["satisfaction"]["target_met"] is True


def test_grouping_by_a_level_above_the_area_is_refused():
    rules.check_group_by("350502", "street")
    rules.check_group_by("350502001", "community")
    rules.check_group_by("350502001", "street")
    with pytest.raises(InvalidInput) as refused:
        rules.check_group_by("350502001001", "street")
    assert refused.value.field == "group_by"


# --- the events ---------------------------------------------------------------------------------

class _Ticket:
    id, category_code, status, level = 7, "sewer_overflow", "in_progress", "community"
    grid_code, community_code, street_code = "350502001001001", "350502001001", "350502001"
    responsible_code = accountable_code = "350502001001"
    due_at = NOW


def test_the_breach_event_carries_what_its_consumers_need():
    data = {**rules.clock_payload(_Ticket, 31), "breached_at": NOW.isoformat()}
    envelope = make_envelope("tickets.ticket_sla_breached", data, "350502001001", "system")
    assert envelope["data"]["ticket_id"] == 7 and envelope["data"]["transition_id"] == 31
    assert envelope["data"]["responsible_code"] == "350502001001"
    with pytest.raises(InvalidEvent):
        make_envelope("tickets.ticket_sla_breached", rules.clock_payload(_Ticket, 31),
                      "350502001001", "system")  # no breached_at


def test_the_due_soon_event_carries_the_sla():
    data = {**rules.clock_payload(_Ticket, 30), "reminded_at": NOW.isoformat(), "sla_hours": 24}
    assert make_envelope("tickets.ticket_due_soon", data, "350502001001",
                         "system")["data"]["sla_hours"] == 24
