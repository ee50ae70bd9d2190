"""The rules of schools, courses and sessions (services/learning/domain/courses.py): no I/O."""
from datetime import datetime, timedelta, timezone

import pytest

from services.learning.domain import courses as rules
from services.learning.domain.catalogue import DEFAULT_ATTENDANCE_WEIGHTS
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput

STREET = "350502001"
COMMUNITY = "350502001001"
T0 = datetime(2026, 3, 7, 1, 0, tzinfo=timezone.utc)  # 09:00 in Quanzhou, a Saturday


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def refused(error_class, field, call, *args):
    with pytest.raises(error_class) as caught:
        call(*args)
    assert caught.value.field == field, caught.value.detail
    return caught.value


@pytest.mark.parametrize(("a", "b", "expected"), [
    ((0, 2), (1, 3), True),      # the second starts inside the first
    ((1, 3), (0, 2), True),
    ((0, 4), (1, 2), True),      # one inside the other
    ((1, 2), (0, 4), True),
    ((0, 2), (0, 2), True),      # the same slot
    ((0, 2), (2, 4), False),     # back to back: one ends when the next begins
    ((2, 4), (0, 2), False),
    ((0, 1), (3, 4), False),
])
def test_sessions_overlap_as_half_open_intervals(a, b, expected):
    assert rules.overlaps(at(a[0]), at(a[1]), at(b[0]), at(b[1])) is expected


def test_a_clash_names_the_session_it_clashes_with():
    booked = rules.BookedSession(17, "太极拳入门", at(0), at(2))
    error = rules.clash("venue_id", "venue 3 (一号教室)", booked)
    assert isinstance(error, Conflict) and error.status == 409 and error.field == "venue_id"
    assert "session 17" in error.detail and "太极拳入门" in error.detail
    assert at(0).isoformat() in error.detail and at(2).isoformat() in error.detail
    assert error.errors == {"clash": {"session_id": 17, "course_title": "太极拳入门",
                                      "starts_at": at(0).isoformat(),
                                      "ends_at": at(2).isoformat()}}


@pytest.mark.parametrize(("starts", "ends", "hours"), [
    (0, 2, 2.0), (0, 1.5, 1.5), (0, 1 / 3, 0.33), (0, 2 / 3, 0.67), (0, 24, 24.0)])
def test_a_held_session_earns_its_length_in_hours_to_two_decimals(starts, ends, hours):
    assert rules.volunteer_hours(at(starts), at(ends)) == hours


def test_hours_are_capped_at_the_contracts_maximum():
    assert rules.volunteer_hours(at(0), at(30)) == 24.0


def test_session_times():
    rules.check_session_times(at(0), at(2))
    refused(InvalidInput, "ends_at", rules.check_session_times, at(2), at(2))
    refused(InvalidInput, "ends_at", rules.check_session_times, at(2), at(1))
    refused(InvalidInput, "ends_at", rules.check_session_times, at(0), at(24.5))
    refused(InvalidInput, "starts_at", rules.check_session_times, at(2), at(1), "starts_at")


def test_a_venue_smaller_than_the_course_cannot_host_it():
    rules.check_venue_fits(40, 40)
    refused(InvalidInput, "venue_id", rules.check_venue_fits, 30, 40)


def test_only_a_scheduled_session_is_moved_or_cancelled_and_only_an_open_course_changes():
    rules.check_session_status("scheduled", "reschedule it")
    for status in ("held", "cancelled"):
        refused(Conflict, "status", rules.check_session_status, status, "reschedule it")
    rules.check_course_status("open", "change it")
    for status in ("cancelled", "finished"):
        refused(Conflict, "status", rules.check_course_status, status, "change it")


def test_a_branch_school_needs_a_parent_school_whose_area_holds_it():
    rules.check_school_parent("community_school", COMMUNITY, None, None)
    rules.check_school_parent("branch_school", COMMUNITY, "community_school", STREET)
    rules.check_school_parent("branch_school", COMMUNITY, "citizens_school", COMMUNITY)
    refused(InvalidInput, "parent_id", rules.check_school_parent,
            "branch_school", COMMUNITY, None, None)
    refused(InvalidInput, "parent_id", rules.check_school_parent,
            "party_school", COMMUNITY, "community_school", STREET)
    refused(InvalidInput, "parent_id", rules.check_school_parent,
            "branch_school", COMMUNITY, "branch_school", STREET)
    refused(InvalidInput, "org_code", rules.check_school_parent,
            "branch_school", "350502002001", "community_school", STREET)


def test_a_school_serves_a_street_or_a_community():
    rules.check_school_area(STREET)
    rules.check_school_area(COMMUNITY)
    for code in ("350502", COMMUNITY + "001", "35050200100x"):
        refused(InvalidInput, "org_code", rules.check_school_area, code)


def test_the_enrolment_window_opens_before_it_closes():
    rules.check_enrolment_window(at(0), at(1))
    refused(InvalidInput, "enrol_closes_at", rules.check_enrolment_window, at(1), at(1))
    refused(InvalidInput, "enrol_closes_at", rules.check_enrolment_window, at(2), at(1))


def test_enrolment_is_open_in_the_window_of_an_open_course_only():
    assert rules.enrolment_open("open", at(0), at(10), at(0))
    assert rules.enrolment_open("open", at(0), at(10), at(9.9))
    assert not rules.enrolment_open("open", at(0), at(10), at(10))
    assert not rules.enrolment_open("open", at(0), at(10), at(-1))
    assert not rules.enrolment_open("cancelled", at(0), at(10), at(5))


def test_eligibility_keeps_only_the_conditions_given():
    assert rules.check_eligibility({}, STREET) == {}
    assert rules.check_eligibility({"age_min": 60, "age_max": None, "party_member": False,
                                    "laid_off": True, "community_code": None}, STREET) == {
        "age_min": 60, "laid_off": True}
    assert rules.check_eligibility({"age_min": 26, "age_max": 26, "community_code": COMMUNITY},
                                   STREET) == {"age_min": 26, "age_max": 26,
                                               "community_code": COMMUNITY}


def test_eligibility_refuses_an_inverted_age_band_and_a_community_outside_the_school():
    refused(InvalidInput, "eligibility.age_max", rules.check_eligibility,
            {"age_min": 36, "age_max": 26}, STREET)
    refused(InvalidInput, "eligibility.community_code", rules.check_eligibility,
            {"community_code": "350502002001"}, STREET)
    refused(InvalidInput, "eligibility.community_code", rules.check_eligibility,
            {"community_code": "350502001002"}, COMMUNITY)
    # a community school may restrict to its own community
    assert rules.check_eligibility({"community_code": COMMUNITY}, COMMUNITY) == {
        "community_code": COMMUNITY}


def test_attendance_weights_override_the_defaults_status_by_status():
    assert rules.attendance_weights(None) == DEFAULT_ATTENDANCE_WEIGHTS
    assert rules.attendance_weights({"late": 1.0, "excused": None}) == {
        **DEFAULT_ATTENDANCE_WEIGHTS, "late": 1.0}
    assert rules.effective_weights({}) == DEFAULT_ATTENDANCE_WEIGHTS
    refused(InvalidInput, "attendance_weights.present", rules.attendance_weights,
            {"present": 0.9})
    refused(InvalidInput, "attendance_weights.excused", rules.attendance_weights,
            {"late": 0.4, "excused": 0.6})
    refused(InvalidInput, "attendance_weights.absent", rules.attendance_weights,
            {"absent": 0.6})


def test_capacity_never_goes_below_the_seats_taken():
    rules.check_capacity_change(10, 10)
    refused(Conflict, "capacity", rules.check_capacity_change, 9, 10)


def test_only_managers_write():
    for role in ("district_admin", "street_admin", "community_worker"):
        rules.require_manager(CallerContext("x", (role,), STREET))
    for role in ("grid_worker", "auditor", "integration", "security_officer"):
        with pytest.raises(Forbidden):
            rules.require_manager(CallerContext("x", (role,), STREET))


def test_a_course_cannot_outgrow_the_venues_its_sessions_are_booked_in_nor_a_venue_shrink():
    rules.check_room_for(40, 3, "一号教室", 40)
    error = refused(Conflict, "capacity", rules.check_room_for, 41, 3, "一号教室", 40)
    assert "venue 3" in error.detail
    rules.check_venue_shrink(20, 5, "太极拳入门", 20)
    error = refused(Conflict, "capacity", rules.check_venue_shrink, 19, 5, "太极拳入门", 20)
    assert "course 5" in error.detail and "太极拳入门" in error.detail
