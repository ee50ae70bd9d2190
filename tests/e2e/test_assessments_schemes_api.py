"""Assessment schemes 考核方案 through the real gateway: a street drafts a community scheme, submits
it, the district approves it (the admission gate 准入) with ``assessments.scheme_*`` on the broker;
a street admin cannot approve, a community worker cannot draft but reads the schemes above;
bad rules are 422 naming the field with nothing changed; another street gets 404; lists page."""
import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import COMMUNITY_A1, DISTRICT, STREET_A, STREET_B, assert_problem
from tests.support import BrokerTap, wait_for

pytestmark = pytest.mark.broker

SCHEMES = "/api/v1/assessment-schemes"
SCHEME = {
    "name": "社区治理月度考核", "department": "江南街道办事处", "subject_kind": "community",
    "period": "month", "org_code": STREET_A, "counts_from": "2026-01-01",
    "star_thresholds": [10, 30, 60],
    "indicators": [
        {"code": "service", "name": "为民服务", "source": "events"},
        {"code": "volunteering", "name": "志愿服务", "source": "events", "weight": 0.5},
        {"code": "satisfaction", "name": "满意度", "source": "survey", "full_marks": 20}],
    "rules": [
        {"indicator": "service", "event_type": "tickets.ticket_resolved",
         "subject_field": "community_code", "points": 2,
         "conditions": [{"field": "on_time", "op": "eq", "value": True}]},
        {"indicator": "service", "event_type": "tickets.ticket_sla_breached",
         "subject_field": "community_code", "points": -5},
        {"indicator": "volunteering", "event_type": "security.volunteer_hours_earned",
         "subject_field": "org_code", "points": 1, "per_field": "hours"}],
}


def counts(assessments_db) -> dict:
    from services.assessments.models import OutboxMessage
    from services.assessments.models.schemes import Indicator, Scheme, ScoringRule

    with assessments_db.session_factory() as session:
        return {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                for m in (Scheme, Indicator, ScoringRule, OutboxMessage)}


def post(api, url, body, headers, status=200) -> dict:
    response = api.post(url, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def street(auth):
    return auth("street_admin", STREET_A)


@pytest.fixture
def district(auth):
    return auth("district_admin", DISTRICT)


def test_a_scheme_is_drafted_submitted_and_admitted_by_the_district(
        api, auth, seeded, assessments_container, platform_config, street, district):
    tap = BrokerTap(platform_config["AMQP_URI"], exchange="assessments.events",
                    routing_key="assessments.#")
    try:
        response = api.post(SCHEMES, json=SCHEME, headers=street)
        assert response.status_code == 201, response.text
        scheme = response.json()
        assert response.headers["Location"] == f"{SCHEMES}/{scheme['id']}"
        assert (scheme["status"], scheme["needs_approval"]) == ("draft", True)
        assert [r["indicator"] for r in scheme["rules"]] == ["service", "service",
                                                             "volunteering"]
        url = f"{SCHEMES}/{scheme['id']}"
        assert post(api, url + "/submission", None, street)["status"] == "pending_approval"
        assert_problem(api.post(url + "/approval", headers=street), 403)
        assert_problem(api.post(url + "/rejection", json={}, headers=district), 422, "note")
        approved = post(api, url + "/approval", {"note": "区考核领导小组审议通过"}, district)
        assert (approved["status"], approved["decision_note"]) == ("active", "区考核领导小组审议通过")
        assert approved["allowed_actions"] == ["edit_rules", "retire"]
        assert approved["rescored"]["events_examined"] == 0
        assert_problem(api.post(url + "/approval", headers=district), 409, "status")
        rule_id = scheme["rules"][0]["id"]
        changed = api.patch(f"{url}/rules/{rule_id}", json={"points": 3}, headers=street)
        assert changed.status_code == 200, changed.text
        assert changed.json()["rescored"] is not None
        indicator_id = scheme["indicators"][0]["id"]
        assert_problem(api.patch(f"{url}/indicators/{indicator_id}", json={"weight": 2},
                                 headers=street), 409, "status")
        wait_for(lambda: len(tap.drain()) >= 4)
        seen = [(e["type"], e["data"]["scheme_id"]) for e in tap.drain(0.3)]
        assert seen == [(f"assessments.{step}", scheme["id"]) for step in (
            "scheme_submitted", "scheme_approved", "scheme_activated", "scoring_rule_changed")]
        for envelope in tap.seen:
            assert envelope["org_code"] == STREET_A
            assert "name" not in envelope["data"]
    finally:
        tap.close()


def test_a_street_scheme_is_active_at_submission(api, auth, seeded, assessments_container,
                                                 district):
    scheme = post(api, SCHEMES, {**SCHEME, "subject_kind": "street", "org_code": DISTRICT,
                                 "rules": [{**SCHEME["rules"][0],
                                            "subject_field": "street_code"},
                                           {**SCHEME["rules"][2],
                                            "subject_field": "org_code"}]},
                  district, 201)
    assert scheme["needs_approval"] is False
    active = post(api, f"{SCHEMES}/{scheme['id']}/submission", None, district)
    assert active["status"] == "active"
    retired = post(api, f"{SCHEMES}/{scheme['id']}/retirement", None, district)
    assert retired["status"] == "retired" and retired["allowed_actions"] == []


def test_who_may_draft_and_who_sees(api, auth, seeded, assessments_container, street):
    worker = auth("community_worker", COMMUNITY_A1)
    assert_problem(api.post(SCHEMES, json=SCHEME, headers=worker), 403)
    assert_problem(api.post(SCHEMES, json={**SCHEME, "org_code": STREET_B}, headers=street),
                   403, "org_code")
    scheme = post(api, SCHEMES, SCHEME, street, 201)
    url = f"{SCHEMES}/{scheme['id']}"
    assert api.get(url, headers=worker).json()["id"] == scheme["id"]  # read from beneath
    assert [s["id"] for s in api.get(SCHEMES, headers=worker).json()["items"]] == [
        scheme["id"]]
    other = auth("street_admin", STREET_B)
    assert_problem(api.get(url, headers=other), 404, "id")
    assert_problem(api.post(url + "/submission", headers=other), 404, "id")
    assert_problem(api.patch(url, json={"name": "改名"}, headers=other), 404, "id")
    assert api.get(SCHEMES, headers=other).json()["items"] == []
    assert_problem(api.patch(url, json={"name": "改名"}, headers=worker), 403)


@pytest.mark.parametrize("rules, field", [
    ([{**SCHEME["rules"][0], "event_type": "tickets.ticket_created"}], "rules.0.event_type"),
    ([{**SCHEME["rules"][0], "event_type": "membership.resident_registered"}],
     "rules.0.event_type"),
    ([SCHEME["rules"][1], {**SCHEME["rules"][0], "conditions": [
        {"field": "on_time", "op": "eq", "value": True},
        {"field": "colour", "op": "eq", "value": "red"}]}], "rules.1.conditions.1.field"),
    ([{**SCHEME["rules"][0], "subject_field": "street_code"}], "rules.0.subject_field"),
    ([{**SCHEME["rules"][2], "subject_field": "volunteer_id"}], "rules.0.subject_field"),
    ([{**SCHEME["rules"][2], "per_field": "source_type"}], "rules.0.per_field"),
    ([{**SCHEME["rules"][0], "conditions": [{"field": "on_time", "op": "in", "value": True}]}],
     "rules.0.conditions.0.value"),
    ([{**SCHEME["rules"][0], "conditions": [{"field": "on_time", "op": "like", "value": 1}]}],
     "rules.0.conditions.0.op"),
    ([{**SCHEME["rules"][0], "points": 0}], "rules.0.points"),
    ([{**SCHEME["rules"][0], "indicator": "satisfaction"}], "rules.0.indicator"),
])
def test_a_bad_rule_is_422_naming_it_and_changes_nothing(api, auth, seeded,
                                                          assessments_container,
                                                          assessments_db, street, rules, field):
    before = counts(assessments_db)
    body = assert_problem(api.post(SCHEMES, json={**SCHEME, "rules": rules}, headers=street),
                          422, field)
    if field.endswith("event_type"):
        assert "learning.study_quota_met" in body["detail"]  # what assessments listens to
    assert counts(assessments_db) == before


def test_bad_requests_on_a_scheme_change_nothing(api, auth, seeded, assessments_container,
                                                 assessments_db, street):
    scheme = post(api, SCHEMES, SCHEME, street, 201)
    url = f"{SCHEMES}/{scheme['id']}"
    before = counts(assessments_db)
    assert_problem(api.post(url + "/rules", json={**SCHEME["rules"][0], "subject_field": "x"},
                            headers=street), 422, "subject_field")
    assert_problem(api.patch(url, json={"subject_kind": "street"}, headers=street), 422,
                   "subject_kind")
    assert_problem(api.patch(url, json={"counts_until": "2025-01-01"}, headers=street), 422,
                   "counts_until")
    assert_problem(api.post(url + "/indicators", json={"code": "service", "name": "重复",
                                                       "source": "manual"}, headers=street),
                   409, "code")
    assert_problem(api.delete(f"{url}/rules/999999", headers=street), 404, "rule_id")
    assert_problem(api.post(SCHEMES, json={**SCHEME, "org_code": "350502009"},
                            headers=auth("district_admin", DISTRICT)), 422, "org_code")
    assert_problem(api.post(SCHEMES, json={**SCHEME, "org_code": COMMUNITY_A1}, headers=street),
                   422, "org_code")  # a community holds no communities
    assert_problem(api.post(SCHEMES, data="{", headers={**street,
                                                       "Content-Type": "application/json"}),
                   400, "body")
    assert_problem(api.get(SCHEMES, params={"status": "open"}, headers=street), 422, "status")
    assert_problem(api.get(f"{SCHEMES}/999999", headers=street), 404, "id")
    assert counts(assessments_db) == before


def test_the_list_pages_and_filters(api, auth, seeded, assessments_container, street,
                                    district):
    ids = [post(api, SCHEMES, {**SCHEME, "name": f"考核{n}"}, street, 201)["id"]
           for n in range(3)]
    volunteers = post(api, SCHEMES, {
        **SCHEME, "name": "志愿服务积分", "subject_kind": "volunteer",
        "rules": [{**SCHEME["rules"][2], "subject_field": "volunteer_id"}],
        "indicators": SCHEME["indicators"][1:2]}, street, 201)["id"]
    post(api, f"{SCHEMES}/{ids[0]}/submission", None, street)
    seen, cursor = [], None
    while True:
        page = api.get(SCHEMES, params={"limit": 2, **({"cursor": cursor} if cursor else {})},
                       headers=district).json()
        seen += [s["id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [*ids, volunteers]
    by = lambda **query: [s["id"] for s in api.get(SCHEMES, params=query,  # noqa: E731
                                                   headers=district).json()["items"]]
    assert by(status="pending_approval") == [ids[0]]
    assert by(subject_kind="volunteer") == [volunteers]
    assert by(org_code=COMMUNITY_A1) == [*ids, volunteers]
    assert by(org_code=STREET_B) == []
