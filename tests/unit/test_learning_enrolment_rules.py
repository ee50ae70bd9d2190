"""Enrolment rules without a database: eligibility naming the unmet rule, the window, the
status a newcomer gets, who is promoted (strictly in queue order), confirming, targeted offers."""
from datetime import date, datetime, timedelta, timezone

import pytest

from services.learning.domain import enrolments as rules
from shared.errors import Conflict, InvalidInput

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)
TODAY = NOW.date()
GRID = "350502001001001"


def unmet(eligibility, birth_date=date(1960, 1, 1), flags=(), grid_code=GRID, party=None):
    return rules.unmet_rules(eligibility, birth_date=birth_date, flags=list(flags),
                             grid_code=grid_code, party_member=party, today=TODAY)


def test_no_eligibility_means_anyone():
    assert unmet({}) == [] and unmet(None) == []
    assert unmet({"age_min": None, "party_member": False, "laid_off": False}) == []


def test_age_band_counts_whole_years_on_the_day():
    assert rules.age_on(date(1966, 11, 30), TODAY) == 60
    assert rules.age_on(date(1966, 12, 1), TODAY) == 59
    assert rules.age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25
    assert unmet({"age_min": 60}, birth_date=date(1966, 11, 30)) == []
    (reason,) = unmet({"age_min": 60}, birth_date=date(1966, 12, 1))
    assert reason.startswith("age band 60–") and "59" in reason
    (reason,) = unmet({"age_min": 26, "age_max": 35}, birth_date=date(1980, 1, 1))
    assert "age band 26–35" in reason and "46" in reason
    assert unmet({"age_max": 17}, birth_date=date(2010, 1, 1)) == []
    assert "not known" in unmet({"age_max": 17}, birth_date=None)[0]


def test_party_member_laid_off_and_community_each_named():
    assert unmet({"party_member": True}, party=True) == []
    assert unmet({"party_member": True}, party=False)[0].startswith("party member")
    assert unmet({"party_member": True}, party=None)[0].startswith("party member")
    assert unmet({"laid_off": True}, flags=["laid_off"]) == []
    assert unmet({"laid_off": True}, flags=["veteran"])[0].startswith("laid-off")
    assert unmet({"community_code": "350502001001"}) == []
    assert unmet({"community_code": "350502001002"})[0].startswith("community")
    everything = unmet({"age_min": 60, "party_member": True, "laid_off": True,
                        "community_code": "350502002001"}, birth_date=date(1990, 1, 1),
                       party=False)
    assert [r.split(":")[0] for r in everything] == ["age band 60–", "party member", "laid-off",
                                                     "community"]


def test_an_ineligible_resident_is_refused_naming_the_field_and_the_rule():
    with pytest.raises(InvalidInput) as refused:
        rules.check_eligible({"laid_off": True}, birth_date=None, flags=[], grid_code=GRID,
                             party_member=None, today=TODAY)
    assert refused.value.field == "resident_id" and "laid-off" in refused.value.detail


def test_party_membership_is_an_active_probationary_or_full_member():
    assert rules.is_party_member([{"status": "active", "stage": "full"}])
    assert rules.is_party_member([{"status": "active", "stage": "probationary"}])
    assert not rules.is_party_member([{"status": "active", "stage": "applicant"}])
    assert not rules.is_party_member([{"status": "transferred_out", "stage": "full"}])
    assert not rules.is_party_member([])
    assert rules.requires_party_membership({"party_member": True})
    assert not rules.requires_party_membership({}) and not rules.requires_party_membership(None)


def test_the_window_and_the_course_status():
    opens, closes = NOW - timedelta(days=1), NOW + timedelta(days=1)
    rules.check_window(opens, closes, NOW)
    rules.check_window(NOW, closes, NOW)  # opens inclusive
    for moment in (opens - timedelta(seconds=1), closes):  # closes exclusive
        with pytest.raises(Conflict) as refused:
            rules.check_window(opens, closes, moment)
        assert refused.value.field == "enrolment_window"
    assert rules.window_state(opens, closes, opens - timedelta(1)) == "not_open"
    assert rules.window_state(opens, closes, closes) == "closed"
    rules.check_course_open("open")
    for status in ("cancelled", "finished"):
        with pytest.raises(Conflict) as refused:
            rules.check_course_open(status)
        assert refused.value.field == "course"


def test_a_resident_is_on_a_course_once_and_may_come_back_after_leaving():
    for status in (None, "withdrawn", "expired"):
        rules.check_can_enrol(status)
    for status in ("enrolled", "waitlisted", "offered", "completed"):
        with pytest.raises(Conflict) as refused:
            rules.check_can_enrol(status)
        assert refused.value.field == "resident_id"


def test_a_newcomer_takes_a_free_seat_only_when_nobody_waits():
    assert rules.status_for_new(5, 4, 0) == "enrolled"
    assert rules.status_for_new(5, 5, 0) == "waitlisted"
    assert rules.status_for_new(5, 4, 1) == "waitlisted"
    assert rules.status_for_new(5, 7, 0) == "waitlisted"  # capacity lowered below seats
    assert rules.seats_free(5, 7) == 0


def test_promotion_is_strictly_in_queue_order_and_only_for_free_seats():
    waiting = [rules.Waiting(10, 9), rules.Waiting(11, 3), rules.Waiting(12, 7)]
    assert [w.queue_no for w in rules.to_promote(5, 4, "open", waiting)] == [3]
    assert [w.queue_no for w in rules.to_promote(5, 3, "open", waiting)] == [3, 7]
    assert [w.queue_no for w in rules.to_promote(9, 0, "open", waiting)] == [3, 7, 9]
    assert rules.to_promote(5, 5, "open", waiting) == []
    assert rules.to_promote(5, 0, "cancelled", waiting) == []
    assert rules.positions([9, 3, 7]) == {3: 1, 7: 2, 9: 3}


def test_withdrawing_and_confirming():
    for status in ("enrolled", "waitlisted", "offered"):
        rules.check_can_withdraw(status)
    for status in ("withdrawn", "expired", "completed"):
        with pytest.raises(Conflict) as refused:
            rules.check_can_withdraw(status)
        assert refused.value.field == "status"
    assert rules.holds_a_seat("offered") and not rules.holds_a_seat("waitlisted")
    deadline = rules.confirm_deadline(NOW, 48)
    assert deadline == NOW + timedelta(hours=48)
    rules.check_can_confirm("offered", deadline, deadline)  # on the deadline: in time
    with pytest.raises(Conflict) as refused:
        rules.check_can_confirm("offered", deadline, deadline + timedelta(seconds=1))
    assert refused.value.field == "confirm_by"
    with pytest.raises(Conflict) as refused:
        rules.check_can_confirm("enrolled", None, NOW)
    assert refused.value.field == "status"
    assert rules.offer_lapsed("offered", deadline, deadline + timedelta(seconds=1))
    assert not rules.offer_lapsed("offered", deadline, deadline)
    assert not rules.offer_lapsed("enrolled", deadline, deadline + timedelta(days=1))


def candidate(course_id, org_code="350502001", first=None, closes_in_days=10, **eligibility):
    return rules.Candidate(course_id, org_code, eligibility, NOW + timedelta(days=closes_in_days),
                           first)


def test_the_offered_course_serves_the_grid_and_starts_first():
    assert rules.course_serves("350502001", {}, GRID)
    assert not rules.course_serves("350502002", {}, GRID)
    assert rules.course_serves("350502", {"community_code": "350502001001"}, GRID)
    assert not rules.course_serves("350502001", {"community_code": "350502001002"}, GRID)
    soon, later = NOW + timedelta(days=2), NOW + timedelta(days=5)
    courses = [candidate(1, first=later), candidate(2, first=soon),
               candidate(3, org_code="350502002", first=NOW),
               candidate(4, first=NOW, community_code="350502001002"),
               candidate(5, closes_in_days=1)]  # no session yet: its deadline counts
    assert rules.choose_offer_course(courses, GRID, set()).course_id == 5
    assert rules.choose_offer_course(courses, GRID, {5}).course_id == 2
    assert rules.choose_offer_course(courses, GRID, {5, 2}).course_id == 1
    assert rules.choose_offer_course(courses, GRID, {1, 2, 5}) is None
    assert rules.choose_offer_course([], GRID, set()) is None


def test_an_offer_is_answered_once():
    rules.check_offer_open("offered")
    for status in ("accepted", "declined"):
        with pytest.raises(Conflict) as refused:
            rules.check_offer_open(status)
        assert refused.value.field == "status"


def test_the_offer_clock_reads_its_interval_from_the_nameko_config():
    from services.learning.entrypoints.enrolments import clock_config

    assert clock_config({}) == {"interval_seconds": 60.0, "batch_size": 100}
    assert clock_config({"LEARNING_OFFER_CLOCK": 5})["interval_seconds"] == 5.0
    assert clock_config({"LEARNING_OFFER_CLOCK": {"interval_seconds": 0.5, "batch_size": 7}}) \
        == {"interval_seconds": 0.5, "batch_size": 7}
    for wrong in (0, -1, "soon", {"batch_size": 0}, True):
        with pytest.raises(ValueError):
            clock_config({"LEARNING_OFFER_CLOCK": wrong})
