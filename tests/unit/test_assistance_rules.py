"""Assistance case rules: the procedure's order, the appraisal, the notice period and its three
postings, objections, and who may decide."""
from datetime import date

import pytest

from services.tickets.domain import assistance as rules
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput

TODAY = date(2026, 11, 23)
ENDS = date(2026, 11, 29)


def state(stage, ends=None, postings=0, pending=0):
    return rules.CaseState(stage, ends, postings, pending)


def test_the_procedure_one_step_after_another():
    assert rules.target_stage("complete_investigation", state("investigation"), TODAY) == \
        "document_review"
    assert rules.target_stage("complete_review", state("document_review"), TODAY) == \
        "democratic_appraisal"
    assert rules.target_stage("record_appraisal", state("democratic_appraisal"), TODAY) == \
        "public_notice"
    assert rules.target_stage("post_notice", state("public_notice", ENDS, 2), TODAY) == \
        "public_notice"
    assert rules.target_stage("approve", state("public_notice", ENDS, 3),
                              date(2026, 11, 30)) == "approved"
    for stage in rules.OPEN_STAGES:
        assert rules.target_stage("reject", state(stage), TODAY) == "rejected"


@pytest.mark.parametrize("action, stage", [
    ("complete_review", "investigation"),         # skipped
    ("record_appraisal", "investigation"),
    ("approve", "investigation"),
    ("approve", "democratic_appraisal"),
    ("post_notice", "document_review"),
    ("complete_investigation", "document_review"),  # backward
    ("complete_review", "public_notice"),
    ("record_appraisal", "public_notice"),
    ("approve", "approved"),                       # final
    ("reject", "rejected"),
    ("reject", "approved"),
    ("complete_investigation", "rejected"),
])
def test_skipped_backward_and_final_steps_are_409_naming_action(action, stage):
    with pytest.raises(Conflict) as refused:
        rules.target_stage(action, state(stage, ENDS, 3), date(2027, 1, 1))
    assert refused.value.field == "action"
    assert action in refused.value.detail and stage in refused.value.detail


def test_an_unknown_action_is_invalid():
    with pytest.raises(InvalidInput) as bad:
        rules.target_stage("appeal", state("investigation"), TODAY)
    assert bad.value.field == "action"


def test_next_actions():
    assert rules.next_actions("investigation") == ["complete_investigation", "reject"]
    assert rules.next_actions("public_notice") == ["post_notice", "approve", "reject"]
    assert rules.next_actions("approved") == []


def test_approval_waits_for_the_end_of_the_notice_period_naming_the_date():
    for today in (TODAY, ENDS):
        with pytest.raises(Conflict) as early:
            rules.target_stage("approve", state("public_notice", ENDS, 3), today)
        assert early.value.field == "action"
        assert "2026-11-29" in early.value.detail and "2026-11-30" in early.value.detail
    rules.check_approval(state("public_notice", ENDS, 3), date(2026, 11, 30))


def test_approval_needs_three_postings_and_no_pending_objection():
    after = date(2026, 12, 1)
    with pytest.raises(Conflict) as postings:
        rules.check_approval(state("public_notice", ENDS, 2), after)
    assert "2 of the 3" in postings.value.detail
    with pytest.raises(Conflict) as pending:
        rules.check_approval(state("public_notice", ENDS, 3, pending=1), after)
    assert "pending" in pending.value.detail and pending.value.field == "action"


def test_no_fourth_posting():
    with pytest.raises(Conflict) as fourth:
        rules.target_stage("post_notice", state("public_notice", ENDS, 3), TODAY)
    assert fourth.value.field == "action"


def test_the_appraisal_passes_with_more_for_than_against():
    assert rules.appraisal_passes(8, 3)
    assert not rules.appraisal_passes(5, 5)
    assert not rules.appraisal_passes(2, 9)
    with pytest.raises(InvalidInput) as missing:
        rules.check_votes(None, 3, 0)
    assert missing.value.field == "votes_for"
    with pytest.raises(InvalidInput) as missing:
        rules.check_votes(3, None, 0)
    assert missing.value.field == "votes_against"
    with pytest.raises(InvalidInput) as nobody:
        rules.check_votes(0, 0, 0)
    assert nobody.value.field == "votes_for"


def test_the_notice_period_includes_both_ends():
    assert rules.notice_period(TODAY, 7) == (TODAY, ENDS)
    for days in (6, 31):
        with pytest.raises(InvalidInput) as bad:
            rules.notice_period(TODAY, days)
        assert bad.value.field == "notice_days"


def test_postings_fall_within_the_notice_period_and_not_in_the_future():
    rules.check_posting_day(TODAY, TODAY, ENDS, TODAY)
    for posted_on, today in ((date(2026, 11, 22), TODAY), (date(2026, 11, 24), TODAY),
                             (date(2026, 11, 30), date(2026, 12, 5))):
        with pytest.raises(InvalidInput) as bad:
            rules.check_posting_day(posted_on, TODAY, ENDS, today)
        assert bad.value.field == "posted_on"


def test_objections_only_during_the_notice_period():
    rules.check_objection("public_notice", ENDS, ENDS)
    with pytest.raises(Conflict) as late:
        rules.check_objection("public_notice", ENDS, date(2026, 11, 30))
    assert late.value.field == "stage" and "2026-11-29" in late.value.detail
    for stage in ("investigation", "document_review", "approved"):
        with pytest.raises(Conflict) as wrong:
            rules.check_objection(stage, ENDS, TODAY)
        assert wrong.value.field == "stage"


def test_a_review_after_an_objection_answers_it_and_a_rejection_has_a_reason():
    rules.check_review(0, None)
    rules.check_review(1, "核实无误")
    with pytest.raises(InvalidInput) as unanswered:
        rules.check_review(1, None)
    assert unanswered.value.field == "comment"
    rules.check_reason("approve", None)
    with pytest.raises(InvalidInput) as no_reason:
        rules.check_reason("reject", None)
    assert no_reason.value.field == "reason"


def test_only_admins_decide():
    worker = CallerContext("w", ("community_worker",), "350502001001")
    admin = CallerContext("a", ("street_admin",), "350502001")
    rules.require_writer(worker, "complete_investigation")
    rules.require_writer(admin, "approve")
    for action in ("approve", "reject"):
        with pytest.raises(Forbidden):
            rules.require_writer(worker, action)
    with pytest.raises(Forbidden):
        rules.require_writer(CallerContext("g", ("grid_worker",), "350502001001001"))
    rules.require_objection_taker(CallerContext("g", ("grid_worker",), "350502001001001"))
    with pytest.raises(Forbidden):
        rules.require_objection_taker(CallerContext("x", ("auditor",), "350502"))
