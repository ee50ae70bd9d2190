"""The party members' rules without a database: the development pipeline as a state machine
(one step at a time, forward only, outcomes only at probationary), step dates, placement."""
from datetime import date

import pytest

from services.membership.domain import party_members as rules
from shared.errors import Conflict, InvalidInput

TODAY = date(2026, 11, 23)


def walk(*steps, stage="applicant"):
    status, extended = "active", False
    for step in steps:
        done = rules.next_step(stage, status, step, extended)
        stage, status = done.to_stage, done.status
        extended = extended or step == "extend"
    return stage, status


def test_the_whole_pipeline_one_step_at_a_time():
    assert walk("activist") == ("activist", "active")
    assert walk("activist", "development_target", "probationary") == ("probationary", "active")
    assert walk("activist", "development_target", "probationary", "convert") == ("full", "active")
    assert walk("extend", "convert", stage="probationary") == ("full", "active")
    assert walk("reject", stage="probationary") == ("probationary", "rejected")


@pytest.mark.parametrize("stage, step", [
    ("applicant", "development_target"),   # skipped
    ("applicant", "probationary"),
    ("activist", "probationary"),
    ("activist", "activist"),              # repeated
    ("development_target", "activist"),    # backward
    ("probationary", "development_target"),
    ("probationary", "probationary"),
    ("full", "activist"),
    ("full", "convert"),                   # outcomes only at probationary
    ("applicant", "convert"),
    ("development_target", "reject"),
    ("activist", "extend"),
])
def test_skipped_backward_repeated_and_misplaced_steps_are_conflicts_naming_stage(stage, step):
    with pytest.raises(Conflict) as refused:
        rules.next_step(stage, "active", step, False)
    assert refused.value.field == "stage"


def test_an_extension_is_granted_once_and_a_rejected_member_takes_no_more_steps():
    with pytest.raises(Conflict) as twice:
        walk("extend", "extend", stage="probationary")
    assert twice.value.field == "stage"
    for step in rules.STEPS:
        with pytest.raises(Conflict):
            rules.next_step("probationary", "rejected", step, False)


def test_step_dates_run_forward_and_never_into_the_future():
    rules.check_step_date(date(2026, 1, 1), date(2026, 1, 1), TODAY)
    with pytest.raises(InvalidInput) as early:
        rules.check_step_date(date(2025, 12, 31), date(2026, 1, 1), TODAY)
    assert early.value.field == "on"
    with pytest.raises(InvalidInput) as future:
        rules.check_step_date(date(2026, 11, 24), date(2026, 1, 1), TODAY)
    assert future.value.field == "on"


def test_a_member_sits_in_a_live_branch_and_one_of_its_groups():
    rules.check_branch("branch", "active", 3)
    with pytest.raises(InvalidInput) as not_branch:
        rules.check_branch("group", "active", 3)
    assert not_branch.value.field == "branch_id"
    with pytest.raises(Conflict):
        rules.check_branch("branch", "dissolved", 3)
    rules.check_group("group", "active", 3, 9, 3)
    with pytest.raises(InvalidInput) as elsewhere:
        rules.check_group("group", "active", 4, 9, 3)
    assert elsewhere.value.field == "group_id"
    with pytest.raises(InvalidInput):
        rules.check_group("branch", "active", 3, 9, 3)


def test_a_member_transferred_in_is_observed_182_days_before_conversion():
    rules.check_observation(None, date(2026, 1, 1))
    received = date(2026, 1, 10)
    with pytest.raises(Conflict) as early:
        rules.check_observation(received, date(2026, 7, 10))
    assert early.value.field == "stage"
    assert "2026-07-11" in str(early.value)  # the day it becomes possible
    rules.check_observation(received, date(2026, 7, 11))


def test_transfers_out_need_a_destination_and_in_a_branch_or_an_origin():
    rules.check_transfer_out("active", "350502001001", "350502001002", None)
    rules.check_transfer_out("active", "350502001001", None, "厦门市思明区某社区")
    for status, to_code, destination, field in (
            ("transferred_out", None, "x", "status"), ("rejected", None, "x", "status"),
            ("active", None, None, "destination"),
            ("active", "350502001001", None, "to_code")):
        with pytest.raises((Conflict, InvalidInput)) as refused:
            rules.check_transfer_out(status, "350502001001", to_code, destination)
        assert refused.value.field == field
    rules.check_transfer_in("transferred_out", "350502001002", None, "350502001002001")
    rules.check_transfer_in("active", None, "泉州市丰泽区", None)
    for status, pending, origin, branch_code, field in (
            ("transferred_out", "350502001002", None, None, "branch_id"),
            ("transferred_out", "350502001002", None, "350502001001", "branch_id"),
            ("active", None, None, None, "origin"),
            ("rejected", None, "x", None, "status")):
        with pytest.raises((Conflict, InvalidInput)) as refused:
            rules.check_transfer_in(status, pending, origin, branch_code)
        assert refused.value.field == field


def test_a_member_transferred_out_takes_no_step_here():
    with pytest.raises(Conflict) as refused:
        rules.next_step("probationary", "transferred_out", "convert", False)
    assert refused.value.field == "stage"


def test_only_active_in_service_members_register_and_once_per_community():
    rules.check_registration("in_service", "active", None, "350502001001")
    rules.check_registration("in_service", "active", "350502001002", "350502001001")  # moved
    for category, status, current, field in (
            ("resident", "active", None, "category"), ("mobile", "active", None, "category"),
            ("in_service", "transferred_out", None, "status"),
            ("in_service", "active", "350502001001", "community_code")):
        with pytest.raises(Conflict) as refused:
            rules.check_registration(category, status, current, "350502001001")
        assert refused.value.field == field


def test_one_post_a_year_after_registering():
    assert len(rules.POSTS) == 8
    rules.check_claim("350502001001", None, 2026, "active")
    with pytest.raises(Conflict) as unregistered:
        rules.check_claim(None, None, 2026, "active")
    assert unregistered.value.field == "registration"
    with pytest.raises(Conflict) as second:
        rules.check_claim("350502001001", "mediation", 2026, "active")
    assert second.value.field == "post" and "mediation" in str(second.value)


def test_the_four_ones_report_says_which_are_met():
    report = rules.quota_report({"activity": 2, "suggestion": 1})
    assert report["met"] == {"activity": True, "care": False, "good_deed": False,
                             "suggestion": True}
    assert report["counts"]["activity"] == 2 and report["all_met"] is False
    assert rules.quota_report(dict.fromkeys(rules.QUOTA_KINDS, 1))["all_met"] is True


def test_the_mobile_ledger_takes_mobile_members_with_a_one_to_one_contact_who_stays():
    rules.check_mobile("mobile", "active")
    with pytest.raises(Conflict) as not_mobile:
        rules.check_mobile("resident", "active")
    assert not_mobile.value.field == "category"
    a1, a2 = "350502001001", "350502001002"
    rules.check_contact(1, a1, 2, a1, "active", "resident", None)
    rules.check_contact(1, a1, 2, a1, "active", "retired", 1)  # already theirs: unchanged
    for args, error in (((1, a1, 1, a1, "active", "resident", None), InvalidInput),
                        ((1, a1, 2, a2, "active", "resident", None), InvalidInput),
                        ((1, a1, 2, a1, "active", "mobile", None), InvalidInput),
                        ((1, a1, 2, a1, "transferred_out", "resident", None), InvalidInput),
                        ((1, a1, 2, a1, "active", "resident", 7), Conflict)):
        with pytest.raises(error) as refused:
            rules.check_contact(*args)
        assert refused.value.field == "contact_id"
