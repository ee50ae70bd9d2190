"""Assistance cases on SQLite and PostgreSQL: the whole procedure with its events, objections
sending a case back, the notice period and its postings, one open case per resident and kind,
scope, and refusals that change nothing."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from services.tickets import assistance
from services.tickets.models import OutboxMessage
from services.tickets.models.assistance import (
    AssistanceCase,
    AssistanceObjection,
    AssistancePosting,
    AssistanceStep,
)
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, OutOfScope

GRID = "350502001002003"
COMMUNITY = "350502001002"
WORKER = CallerContext("worker", ("community_worker",), COMMUNITY)
ADMIN = CallerContext("admin", ("street_admin",), "350502001")
GRID_WORKER = CallerContext("gw", ("grid_worker",), GRID)
ELSEWHERE = CallerContext("other", ("street_admin",), "350502002")
DAY = date(2026, 11, 2)


def residents(resident_id):
    if resident_id == 404:
        raise NotFound(f"resident_id: no resident {resident_id} in your scope",
                       field="resident_id")
    if resident_id == 500:
        return {"id": 500, "grid_code": GRID, "status": "moved_out"}
    if resident_id == 600:
        return {"id": 600, "grid_code": "350502002001001", "status": "active"}
    return {"id": resident_id, "grid_code": GRID, "status": "active"}


def call(db, caller, fn, *args, **kwargs):
    with db.transaction("tickets", caller) as uow:
        return fn(uow, *args, **kwargs)


def open_case(db, resident_id=1, kind="minimum_allowance", today=DAY):
    return call(db, WORKER, assistance.open_case, {"kind": kind, "resident_id": resident_id,
                                                   "notes": "家庭收入低于当地低保标准"},
                residents, today)


def step(db, case_id, action, today=DAY, caller=WORKER, **payload):
    return call(db, caller, assistance.transition, case_id, {"action": action, **payload}, today)


def to_notice(db, case_id, today=DAY):
    step(db, case_id, "complete_investigation", today, comment="入户调查：两人户，无劳动能力")
    step(db, case_id, "complete_review", today)
    return step(db, case_id, "record_appraisal", today, votes_for=9, votes_against=1,
                abstentions=1)


def post_three(db, case_id, start):
    for n, place in enumerate(("社区公示栏", "小区门口", "街道公示栏")):
        case = step(db, case_id, "post_notice", start + timedelta(days=n), location=place)
    return case


def events(db, prefix="tickets.assistance_case_"):
    with db.session_factory() as session:
        return list(session.scalars(select(OutboxMessage.envelope).where(
            OutboxMessage.event_type.like(f"{prefix}%")).order_by(OutboxMessage.id)))


def snapshot(db):
    with db.session_factory() as session:
        counts = {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                  for m in (AssistanceCase, AssistanceStep, AssistancePosting,
                            AssistanceObjection, OutboxMessage)}
        stages = sorted(session.execute(select(AssistanceCase.id, AssistanceCase.stage)).all())
    return counts, [tuple(row) for row in stages]


def test_the_whole_procedure_to_approval(tickets_service_db):
    db = tickets_service_db
    case = open_case(db)
    assert (case["stage"], case["community_code"], case["grid_code"]) == (
        "investigation", COMMUNITY, GRID)
    assert case["next_actions"] == ["complete_investigation", "reject"]
    case = to_notice(db, case["id"])
    assert case["stage"] == "public_notice"
    assert case["appraisal"] == {"votes_for": 9, "votes_against": 1, "abstentions": 1,
                                 "passed": True, "on": DAY.isoformat()}
    assert case["notice"] == {"round": 1, "starts_on": "2026-11-02", "ends_on": "2026-11-08",
                              "postings": 0, "approvable_from": "2026-11-09"}
    # too early, and then too few postings
    with pytest.raises(Conflict) as early:
        step(db, case["id"], "approve", date(2026, 11, 8), ADMIN)
    assert early.value.field == "action" and "2026-11-09" in early.value.detail
    step(db, case["id"], "post_notice", DAY, location="社区公示栏")
    with pytest.raises(Conflict) as few:
        step(db, case["id"], "approve", date(2026, 11, 9), ADMIN)
    assert "1 of the 3" in few.value.detail
    step(db, case["id"], "post_notice", date(2026, 11, 3), location="小区门口")
    step(db, case["id"], "post_notice", date(2026, 11, 4), location="街道公示栏",
         posted_on="2026-11-04")
    with pytest.raises(Forbidden):
        step(db, case["id"], "approve", date(2026, 11, 9), WORKER)
    case = step(db, case["id"], "approve", date(2026, 11, 9), ADMIN, comment="同意纳入低保")
    assert (case["stage"], case["decided_on"], case["next_actions"]) == (
        "approved", "2026-11-09", [])
    assert [s["action"] for s in case["steps"]] == [
        "open", "complete_investigation", "complete_review", "record_appraisal", "post_notice",
        "post_notice", "post_notice", "approve"]
    assert [s["seq"] for s in case["steps"]] == list(range(1, 9))
    assert case["steps"][-1]["actor"] == "admin" and case["steps"][-1]["from_stage"] == \
        "public_notice"
    assert [p["number"] for p in case["postings"]] == [1, 2, 3]
    kinds = [e["type"].removeprefix("tickets.assistance_case_") for e in events(db)]
    assert kinds == ["opened", "investigated", "reviewed", "appraised", "notice_posted",
                     "notice_posted", "notice_posted", "approved"]
    approved = events(db)[-1]
    assert approved["data"] == {"case_id": case["id"], "kind": "minimum_allowance",
                                "resident_id": 1, "grid_code": GRID,
                                "community_code": COMMUNITY, "stage": "approved",
                                "on": "2026-11-09"}
    with pytest.raises(Conflict) as final:
        step(db, case["id"], "reject", date(2026, 11, 10), ADMIN, reason="x")
    assert final.value.field == "action"
    # decided: a new application of the same kind may be opened
    assert open_case(db, today=date(2026, 11, 10))["stage"] == "investigation"


def test_an_objection_sends_the_case_back_to_review(tickets_service_db):
    db = tickets_service_db
    case_id = open_case(db)["id"]
    to_notice(db, case_id)
    post_three(db, case_id, DAY)
    case = call(db, GRID_WORKER, assistance.lodge_objection, case_id,
                {"content": "申请人子女有经营性收入", "objector": "  "}, date(2026, 11, 5))
    assert case["stage"] == "document_review" and case["pending_objections"] == 1
    assert case["objections"][0]["objector"] is None  # anonymous
    assert case["steps"][-1]["action"] == "objection_lodged"
    assert events(db)[-1]["type"] == "tickets.assistance_case_objected"
    assert "content" not in events(db)[-1]["data"]
    # approval is out of the question now; the review must answer the objection
    with pytest.raises(Conflict):
        step(db, case_id, "approve", date(2026, 11, 20), ADMIN)
    with pytest.raises(InvalidInput) as unanswered:
        step(db, case_id, "complete_review", date(2026, 11, 6))
    assert unanswered.value.field == "comment"
    case = step(db, case_id, "complete_review", date(2026, 11, 6),
                comment="经核实，子女已分户，收入不计入")
    assert case["pending_objections"] == 0
    assert case["objections"][0]["status"] == "answered"
    assert events(db)[-1]["data"]["answered_objections"] == 1
    # a failed appraisal stays in appraisal; a second one passes and opens a new notice
    case = step(db, case_id, "record_appraisal", date(2026, 11, 7), votes_for=3,
                votes_against=6)
    assert case["stage"] == "democratic_appraisal" and case["appraisal"]["passed"] is False
    assert events(db)[-1]["data"]["passed"] is False
    case = step(db, case_id, "record_appraisal", date(2026, 11, 10), votes_for=7,
                votes_against=2, notice_days=10)
    assert case["notice"]["round"] == 2 and case["notice"]["ends_on"] == "2026-11-19"
    assert case["notice"]["postings"] == 0  # the new notice needs its own three postings
    post_three(db, case_id, date(2026, 11, 10))
    assert step(db, case_id, "approve", date(2026, 11, 20), ADMIN)["stage"] == "approved"


def test_objections_outside_the_notice_period_are_refused(tickets_service_db):
    db = tickets_service_db
    case_id = open_case(db)["id"]
    before = snapshot(db)
    with pytest.raises(Conflict) as early:
        call(db, WORKER, assistance.lodge_objection, case_id, {"content": "x"}, DAY)
    assert early.value.field == "stage"
    to_notice(db, case_id)
    before = snapshot(db)
    with pytest.raises(Conflict) as late:
        call(db, WORKER, assistance.lodge_objection, case_id, {"content": "x"},
             date(2026, 11, 9))
    assert late.value.field == "stage" and "2026-11-08" in late.value.detail
    for payload, field in (({}, "content"), ({"content": "  "}, "content"),
                           ({"content": "x" * 1001}, "content"),
                           ({"content": "x", "objector": "y" * 101}, "objector")):
        with pytest.raises(InvalidInput) as bad:
            call(db, WORKER, assistance.lodge_objection, case_id, payload, DAY)
        assert bad.value.field == field
    with pytest.raises(Forbidden):
        call(db, CallerContext("a", ("auditor",), "350502"), assistance.lodge_objection,
             case_id, {"content": "x"}, DAY)
    assert snapshot(db) == before


def test_rejection_needs_a_reason_and_frees_the_resident(tickets_service_db):
    db = tickets_service_db
    case_id = open_case(db, kind="medical_aid")["id"]
    with pytest.raises(Conflict) as twice:
        open_case(db, kind="medical_aid")
    assert twice.value.field == "resident_id"
    assert open_case(db, kind="minimum_allowance")["kind"] == "minimum_allowance"
    with pytest.raises(InvalidInput) as no_reason:
        step(db, case_id, "reject", DAY, ADMIN, reason="  ")
    assert no_reason.value.field == "reason"
    case = step(db, case_id, "reject", DAY, ADMIN, reason="家庭人均收入高于标准")
    assert (case["stage"], case["decision_reason"]) == ("rejected", "家庭人均收入高于标准")
    rejected = events(db)[-1]
    assert rejected["data"]["from_stage"] == "investigation"
    assert "reason" not in rejected["data"]
    assert open_case(db, kind="medical_aid")["stage"] == "investigation"


def test_bad_steps_and_applications_change_nothing(tickets_service_db):
    db = tickets_service_db
    case_id = open_case(db)["id"]
    before = snapshot(db)
    refusals = [
        ({"action": "approve"}, ADMIN, Conflict, "action"),
        ({"action": "record_appraisal", "votes_for": 3, "votes_against": 1}, WORKER, Conflict,
         "action"),
        ({"action": "post_notice", "location": "x"}, WORKER, Conflict, "action"),
        ({"action": "appeal"}, WORKER, InvalidInput, "action"),
        ({}, WORKER, InvalidInput, "action"),
        ({"action": "reject"}, ADMIN, InvalidInput, "reason"),
        ({"action": "complete_investigation", "comment": "x" * 1001}, WORKER, InvalidInput,
         "comment"),
        ({"action": "complete_investigation", "votes_for": "3"}, WORKER, InvalidInput,
         "votes_for"),
        ({"action": "complete_investigation", "notice_days": 3}, WORKER, InvalidInput,
         "notice_days"),
    ]
    for payload, caller, error, field in refusals:
        with pytest.raises(error) as refused:
            call(db, caller, assistance.transition, case_id, payload, DAY)
        assert refused.value.field == field, payload
    to_notice(db, case_id)
    before = snapshot(db)
    for payload, field in (({"action": "record_appraisal", "votes_for": 1, "votes_against": 0},
                            "action"),
                           ({"action": "post_notice"}, "location"),
                           ({"action": "post_notice", "location": "x",
                             "posted_on": "2026-11-01"}, "posted_on"),
                           ({"action": "post_notice", "location": "x",
                             "posted_on": "2026-11-03"}, "posted_on")):
        with pytest.raises((Conflict, InvalidInput)) as refused:
            call(db, WORKER, assistance.transition, case_id, payload, DAY)
        assert refused.value.field == field, payload
    for payload, field in (({"kind": "housing", "resident_id": 2}, "kind"),
                           ({"kind": "medical_aid"}, "resident_id"),
                           ({"kind": "medical_aid", "resident_id": "2"}, "resident_id"),
                           ({"kind": "medical_aid", "resident_id": 404}, "resident_id"),
                           ({"kind": "medical_aid", "resident_id": 500}, "resident_id"),
                           ({"kind": "medical_aid", "resident_id": 2,
                             "applied_on": "2026-11-03"}, "applied_on")):
        with pytest.raises((Conflict, InvalidInput, NotFound)) as refused:
            call(db, WORKER, assistance.open_case, payload, residents, DAY)
        assert refused.value.field == field, payload
    with pytest.raises(OutOfScope):
        call(db, WORKER, assistance.open_case, {"kind": "medical_aid", "resident_id": 600},
             residents, DAY)
    with pytest.raises(Forbidden):
        call(db, GRID_WORKER, assistance.open_case, {"kind": "medical_aid", "resident_id": 2},
             residents, DAY)
    assert snapshot(db) == before


def test_cases_are_scoped_filtered_and_paged(tickets_service_db):
    db = tickets_service_db
    ids = [open_case(db, resident, kind)["id"] for resident, kind in (
        (1, "minimum_allowance"), (2, "medical_aid"), (3, "minimum_allowance"),
        (4, "minimum_allowance"))]
    step(db, ids[2], "complete_investigation")
    assert [c["id"] for c in call(db, WORKER, assistance.list_cases, {})["items"]] == ids
    first = call(db, WORKER, assistance.list_cases, {"limit": 3})
    rest = call(db, WORKER, assistance.list_cases, {"limit": 3, "cursor": first["next_cursor"]})
    assert [c["id"] for c in first["items"] + rest["items"]] == ids
    assert rest["next_cursor"] is None
    assert [c["id"] for c in call(db, WORKER, assistance.list_cases,
                                  {"kind": "medical_aid"})["items"]] == [ids[1]]
    assert [c["id"] for c in call(db, WORKER, assistance.list_cases,
                                  {"stage": "document_review"})["items"]] == [ids[2]]
    assert [c["id"] for c in call(db, GRID_WORKER, assistance.list_cases,
                                  {"community": COMMUNITY, "resident_id": "4"})["items"]] == \
        [ids[3]]
    assert call(db, ELSEWHERE, assistance.list_cases, {})["items"] == []
    with pytest.raises(OutOfScope) as out:
        call(db, ELSEWHERE, assistance.list_cases, {"community": COMMUNITY})
    assert out.value.field == "community"
    for case_id in (ids[0], 0, "x", 2**40):
        with pytest.raises(NotFound):
            call(db, ELSEWHERE, assistance.get_case, case_id)
    with pytest.raises(NotFound):
        call(db, ELSEWHERE, assistance.transition, ids[0], {"action": "reject", "reason": "x"})
    for query, field in (({"stage": "done"}, "stage"), ({"kind": "x"}, "kind"),
                         ({"community": "1"}, "community"), ({"cursor": "zz"}, "cursor")):
        with pytest.raises(InvalidInput) as bad:
            call(db, WORKER, assistance.list_cases, query)
        assert bad.value.field == field


def test_cases_follow_a_community_merge(tickets_service_db):
    db = tickets_service_db
    case_id = open_case(db)["id"]
    with db.transaction("tickets") as uow:
        assert assistance.follow_merge(uow, {
            "surviving_code": "350502001001", "absorbed_code": COMMUNITY,
            "moves": [{"old_code": COMMUNITY, "new_code": "350502001001"},
                      {"old_code": GRID, "new_code": "350502001001007"}]}) == {"assistance_cases": 1}
    case = call(db, ADMIN, assistance.get_case, case_id)
    assert (case["grid_code"], case["community_code"]) == ("350502001001007", "350502001001")
