"""Assistance cases through the real gateway: an application for a resident of membership, the
procedure step by step (investigation → review → democratic appraisal → public notice with three
postings → approval), an objection sending the case back, refusals as problem+json naming the
field (409 `action` for a skipped step or an early approval), scope and roles."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import (
    COMMUNITY_A1,
    COMMUNITY_A2,
    COMMUNITY_B1,
    DISTRICT,
    STREET_A,
    assert_problem,
)
from tests.e2e.test_volunteers_api import add_resident

pytestmark = pytest.mark.broker

CASES = "/api/v1/assistance-cases"
GRID = f"{COMMUNITY_A2}001"


def today():
    return datetime.now(timezone.utc).date()


def snapshot(tickets_db):
    from services.tickets.models import (
        AssistanceCase,
        AssistanceObjection,
        AssistancePosting,
        AssistanceStep,
        OutboxMessage,
    )

    with tickets_db.session_factory() as session:
        counts = {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                  for m in (AssistanceCase, AssistanceStep, AssistancePosting,
                            AssistanceObjection, OutboxMessage)}
        stages = sorted(session.execute(select(AssistanceCase.id, AssistanceCase.stage)).all())
    return counts, [tuple(r) for r in stages]


def end_notice_period(tickets_db, case_id):
    """Pretend the notice period started eight days ago (its seven days are over)."""
    from services.tickets.models import AssistanceCase

    with tickets_db.session_factory.begin() as session:
        case = session.get(AssistanceCase, case_id)
        case.notice_starts_on -= timedelta(days=8)
        case.notice_ends_on -= timedelta(days=8)


def event_types(tickets_db):
    from services.tickets.models import OutboxMessage

    with tickets_db.session_factory() as session:
        return list(session.scalars(select(OutboxMessage.event_type).where(
            OutboxMessage.event_type.like("tickets.assistance_case_%"))
            .order_by(OutboxMessage.id)))


@pytest.fixture
def applicant(seeded):
    return add_resident(seeded, GRID, name="林阿伯")


def test_an_application_through_the_whole_procedure(api, auth, seeded, tickets_db, applicant):
    worker, admin = auth("community_worker", COMMUNITY_A2), auth("street_admin", STREET_A)
    created = api.post(CASES, json={"kind": "minimum_allowance", "resident_id": applicant,
                                    "notes": "两人户，无固定收入"}, headers=worker)
    assert created.status_code == 201, created.text
    case = created.json()
    assert created.headers["Location"] == f"{CASES}/{case['id']}"
    assert (case["stage"], case["grid_code"], case["community_code"]) == (
        "investigation", GRID, COMMUNITY_A2)
    url = f"{CASES}/{case['id']}"

    def act(body, headers=worker, status=200):
        response = api.post(url + "/transitions", json=body, headers=headers)
        assert response.status_code == status, response.text
        return response.json()

    # a skipped step is 409 naming action
    assert_problem(api.post(url + "/transitions", json={"action": "record_appraisal",
                                                       "votes_for": 5, "votes_against": 1},
                            headers=worker), 409, "action")
    act({"action": "complete_investigation", "comment": "入户调查属实"})
    act({"action": "complete_review"})
    case = act({"action": "record_appraisal", "votes_for": 11, "votes_against": 2,
                "abstentions": 1})
    assert case["stage"] == "public_notice" and case["notice"]["postings"] == 0
    ends = case["notice"]["ends_on"]
    assert ends == (today() + timedelta(days=6)).isoformat()
    for place in ("社区公示栏", "小区门口", "街道公示栏"):
        case = act({"action": "post_notice", "location": place})
    assert case["notice"]["postings"] == 3
    assert_problem(api.post(url + "/transitions", json={"action": "post_notice",
                                                       "location": "x"}, headers=worker),
                   409, "action")
    # approval before the end of the notice period: 409 naming the date
    early = assert_problem(api.post(url + "/transitions", json={"action": "approve"},
                                    headers=admin), 409, "action")
    assert ends in early["detail"]
    end_notice_period(tickets_db, case["id"])
    assert_problem(api.post(url + "/transitions", json={"action": "approve"}, headers=worker),
                   403)
    case = act({"action": "approve", "comment": "同意"}, admin)
    assert case["stage"] == "approved" and case["decided_on"] == today().isoformat()
    assert event_types(tickets_db) == [
        "tickets.assistance_case_opened", "tickets.assistance_case_investigated",
        "tickets.assistance_case_reviewed", "tickets.assistance_case_appraised",
        "tickets.assistance_case_notice_posted", "tickets.assistance_case_notice_posted",
        "tickets.assistance_case_notice_posted", "tickets.assistance_case_approved"]
    shown = api.get(url, headers=auth("auditor", DISTRICT)).json()
    assert [s["action"] for s in shown["steps"]][-1] == "approve"
    assert_problem(api.post(url + "/transitions", json={"action": "reject", "reason": "x"},
                            headers=admin), 409, "action")


def test_an_objection_during_the_notice_sends_the_case_back(api, auth, seeded, tickets_db,
                                                           applicant):
    worker = auth("community_worker", COMMUNITY_A2)
    case = api.post(CASES, json={"kind": "medical_aid", "resident_id": applicant},
                    headers=worker).json()
    url = f"{CASES}/{case['id']}"
    assert_problem(api.post(url + "/objections", json={"content": "太早"}, headers=worker),
                   409, "stage")
    for body in ({"action": "complete_investigation"}, {"action": "complete_review"},
                 {"action": "record_appraisal", "votes_for": 6, "votes_against": 0}):
        assert api.post(url + "/transitions", json=body, headers=worker).status_code == 200
    objected = api.post(url + "/objections", json={"content": "申请人有一辆营运车辆",
                                                   "objector": "邻居"},
                        headers=auth("grid_worker", GRID))
    assert objected.status_code == 201, objected.text
    case = objected.json()
    assert case["stage"] == "document_review" and case["pending_objections"] == 1
    assert case["objections"][0]["content"] == "申请人有一辆营运车辆"
    assert_problem(api.post(url + "/transitions", json={"action": "complete_review"},
                            headers=worker), 422, "comment")
    case = api.post(url + "/transitions", json={"action": "complete_review",
                                                "comment": "车辆已于上月转让，核实无误"},
                    headers=worker).json()
    assert case["stage"] == "democratic_appraisal"
    assert case["objections"][0]["status"] == "answered"
    assert "tickets.assistance_case_objected" in event_types(tickets_db)
    rejected = api.post(url + "/transitions", json={"action": "reject", "reason": "收入超标"},
                        headers=auth("district_admin", DISTRICT))
    assert rejected.json()["stage"] == "rejected"


def test_lists_scope_roles_and_bad_input(api, auth, seeded, tickets_db, applicant):
    worker = auth("community_worker", COMMUNITY_A2)
    case = api.post(CASES, json={"kind": "minimum_allowance", "resident_id": applicant},
                    headers=worker).json()
    url = f"{CASES}/{case['id']}"
    listed = api.get(CASES, params={"community": COMMUNITY_A2, "stage": "investigation",
                                    "kind": "minimum_allowance"}, headers=worker).json()
    assert [c["id"] for c in listed["items"]] == [case["id"]]
    assert api.get(CASES, params={"stage": "approved"}, headers=worker).json()["items"] == []
    elsewhere = auth("community_worker", COMMUNITY_B1)
    assert api.get(CASES, headers=elsewhere).json()["items"] == []
    assert_problem(api.get(url, headers=elsewhere), 404, "id")
    assert_problem(api.get(CASES, params={"community": COMMUNITY_A2}, headers=elsewhere),
                   403, "community")
    before = snapshot(tickets_db)
    # one open case per resident and kind; unknown or out-of-scope residents
    assert_problem(api.post(CASES, json={"kind": "minimum_allowance", "resident_id": applicant},
                            headers=worker), 409, "resident_id")
    assert_problem(api.post(CASES, json={"kind": "medical_aid", "resident_id": 999999},
                            headers=worker), 404, "resident_id")
    assert_problem(api.post(CASES, json={"kind": "medical_aid", "resident_id": applicant},
                            headers=auth("community_worker", COMMUNITY_A1)), 404, "resident_id")
    assert_problem(api.post(CASES, json={"kind": "medical_aid", "resident_id": applicant},
                            headers=auth("auditor", DISTRICT)), 403)
    tomorrow = (today() + timedelta(days=1)).isoformat()
    for body, status, field in (
            ({"kind": "housing", "resident_id": applicant}, 422, "kind"),
            ({"kind": "medical_aid"}, 422, "resident_id"),
            ({"kind": "medical_aid", "resident_id": "1"}, 422, "resident_id"),
            ({"kind": "medical_aid", "resident_id": applicant, "applied_on": tomorrow}, 422,
             "applied_on"),
            ({"kind": "medical_aid", "resident_id": applicant, "notes": "x" * 1001}, 422,
             "notes"),
            ([1], 400, "body")):
        assert_problem(api.post(CASES, json=body, headers=worker), status, field)
    for body, status, field in (
            ({"action": "approve"}, 409, "action"),
            ({"action": "fly"}, 422, "action"),
            ({}, 422, "action"),
            ({"action": "reject"}, 422, "reason"),
            ({"action": "complete_investigation", "votes_for": -1}, 422, "votes_for"),
            ({"action": "complete_investigation", "comment": "\u0000"}, 422, "comment")):
        headers = auth("street_admin", STREET_A) if body.get("action") in (
            "approve", "reject") else worker
        assert_problem(api.post(url + "/transitions", json=body, headers=headers), status, field)
    assert_problem(api.post(url + "/transitions", json={"action": "complete_investigation"},
                            headers=elsewhere), 404, "id")
    assert_problem(api.post(url + "/objections", json={}, headers=worker), 422, "content")
    assert_problem(api.post(f"{CASES}/0/transitions", json={"action": "complete_review"},
                            headers=worker), 404, "id")
    for query, field in (({"stage": "x"}, "stage"), ({"kind": "x"}, "kind"),
                         ({"community": "x"}, "community"), ({"limit": "-1"}, "limit")):
        assert_problem(api.get(CASES, params=query, headers=worker), 422, field)
    assert snapshot(tickets_db) == before
