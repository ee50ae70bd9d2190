"""Party study through the real gateway: a branch and its members made through membership's
routes, a year of Thursday study days planned (twice: nothing added), sign-in, study notes held
to their minimum length, the quotas view showing who is behind, ``learning.study_quota_met`` on
the broker once, another street seeing none of it, and the quotas drawn as an SVG chart."""
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import (
    COMMUNITY_A1,
    COMMUNITY_B1,
    DISTRICT,
    STREET_A,
    STREET_B,
    assert_problem,
)
from tests.e2e.test_volunteers_api import add_resident
from tests.support import BrokerTap, wait_for

pytestmark = pytest.mark.broker

PARTY = "/api/v1/organisations/party"
MEMBERS = "/api/v1/party-members"
SESSIONS = "/api/v1/study-sessions"
PLANS = "/api/v1/study-plans"
QUOTAS = "/api/v1/study-quotas"
SVG = "{http://www.w3.org/2000/svg}"
NOTE = "深入学习党的创新理论，联系社区工作实际，" * 20  # 400 characters


def post(api, url, body, headers, status=201):
    response = api.post(url, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def learning_counts(learning_db) -> dict:
    from services.learning.models import OutboxMessage
    from services.learning.models.party_study import StudyAttendance, StudyNote, StudySession

    with learning_db.session_factory() as session:
        return {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                for m in (StudySession, StudyAttendance, StudyNote, OutboxMessage)}


@pytest.fixture
def branch(api, auth, seeded):
    """Street A's working committee, Xiguan's party committee and its first branch, with three
    full members; and a branch of street B."""
    admin = auth("street_admin", STREET_A)
    committee = post(api, PARTY, {"kind": "street_working_committee", "name": "江南街道党工委",
                                  "org_code": STREET_A, "founded_on": "2003-07-01"}, admin)
    a1 = post(api, PARTY, {"kind": "community_party_committee", "name": "西关社区党委",
                           "org_code": COMMUNITY_A1, "parent_id": committee["id"],
                           "founded_on": "2008-07-01"}, admin)
    branch_a = post(api, PARTY, {"kind": "branch", "name": "西关第一党支部",
                                 "org_code": COMMUNITY_A1, "parent_id": a1["id"],
                                 "founded_on": "2009-03-01"}, admin)
    admin_b = auth("street_admin", STREET_B)
    committee_b = post(api, PARTY, {"kind": "street_working_committee", "name": "浮桥街道党工委",
                                    "org_code": STREET_B, "founded_on": "2003-07-01"}, admin_b)
    b1 = post(api, PARTY, {"kind": "community_party_committee", "name": "浮桥社区党委",
                           "org_code": COMMUNITY_B1, "parent_id": committee_b["id"],
                           "founded_on": "2008-07-01"}, admin_b)
    worker = auth("community_worker", COMMUNITY_A1)
    members = []
    for n, name in enumerate(("林党员", "黄党员", "郑党员"), start=1):
        resident_id = add_resident(seeded, f"{COMMUNITY_A1}00{1 + n % 2}", name=name)
        members.append(post(api, MEMBERS, {
            "resident_id": resident_id, "branch_id": branch_a["id"], "category": "resident",
            "stage": "full", "stage_since": "2001-07-01"}, worker)["id"])
    return {"id": branch_a["id"], "committee": a1["id"], "committee_b": b1["id"],
            "members": members}


def test_a_year_of_study_days_sign_in_quotas_and_the_quota_met_event(
        api, auth, branch, learning_db, platform_config):
    worker = auth("community_worker", COMMUNITY_A1)
    m1, m2, m3 = branch["members"]
    plan = {"branch_id": branch["id"], "kind": "study_day", "from": "2025-01-01",
            "to": "2025-12-31", "weekday": "thursday", "venue": "西关社区党群服务中心",
            "starts_at": "19:30"}
    planned = post(api, PLANS, plan, worker)
    assert len(planned["created"]) == 52 and planned["existing"] == []
    first = planned["created"][0]
    assert (first["held_on"], first["org_code"], first["topic"], first["starts_at"]) == (
        "2025-01-02", COMMUNITY_A1, "集中学习日", "19:30:00")
    again = post(api, PLANS, plan, worker)
    assert again["created"] == [] and len(again["existing"]) == 52
    lessons = post(api, PLANS, {"branch_id": branch["id"], "kind": "party_lesson",
                                "from": "2025-01-01", "to": "2025-12-31",
                                "topic": "专题党课"}, worker)
    assert [s["held_on"][5:7] for s in lessons["created"]] == ["01", "04", "07", "10"]

    tap = BrokerTap(platform_config["AMQP_URI"], exchange="learning.events",
                    routing_key="learning.study_quota_met")
    try:
        for n, session in enumerate(planned["created"][:24]):
            records = [{"party_member_id": m1, "status": "present"}]
            if n < 10:
                records.append({"party_member_id": m2, "status": "late"})
            sheet = post(api, f"{SESSIONS}/{session['id']}/attendance", {"records": records},
                         worker, status=200)
            assert sheet["session"]["status"] == "held"
        assert sheet["quota_met"] == [m1] and sheet["not_recorded"] == [m2, m3]
        # the last sheet posted again changes nothing
        post(api, f"{SESSIONS}/{session['id']}/attendance",
             {"records": [{"party_member_id": m1, "status": "present"}]}, worker, status=200)
        seen = wait_for(lambda: tap.drain())
        tap.drain(quiet_seconds=1.0)
    finally:
        tap.close()
    assert [(e["type"], e["data"]["party_member_id"], e["data"]["year"]) for e in seen] == [
        ("learning.study_quota_met", m1, 2025)]

    roster = api.get(f"{SESSIONS}/{first['id']}/attendance", headers=auth("auditor", DISTRICT))
    assert roster.status_code == 200, roster.text
    assert [(line["party_member_id"], line["member_name"], line["status"])
            for line in roster.json()["items"]] == [(m1, "林党员", "present"),
                                                    (m2, "黄党员", "late")]

    quotas = api.get(QUOTAS, params={"branch_id": branch["id"], "year": 2025},
                     headers=auth("grid_worker", COMMUNITY_A1 + "001"))
    assert_problem(quotas, 404, field="branch_id")  # the branch sits above a grid worker
    quotas = api.get(QUOTAS, params={"branch_id": branch["id"], "year": 2025},
                     headers=auth("auditor", STREET_A))
    assert quotas.status_code == 200, quotas.text
    report = quotas.json()
    assert report["summary"] == {"members": 3, "met": 1, "behind": 2}
    rows = {row["party_member_id"]: row for row in report["items"]}
    assert (rows[m1]["study_days_attended"], rows[m1]["sessions_attended"], rows[m1]["met"]) == (
        24, 24, True)
    assert rows[m2]["shortfall"] == {"study_days": 2, "sessions": 14} and rows[m2]["behind"]
    assert rows[m3]["name"] == "郑党员" and "id_number" not in rows[m3]
    behind = api.get(QUOTAS, params={"code": STREET_A, "year": 2025, "behind": "true"},
                     headers=auth("street_admin", STREET_A)).json()
    assert [row["party_member_id"] for row in behind["items"]] == [m2, m3]

    listed = api.get(SESSIONS, params={"branch_id": branch["id"], "kind": "study_day",
                                       "from": "2025-06-01", "to": "2025-06-30", "limit": 2},
                     headers=worker).json()
    assert [s["held_on"] for s in listed["items"]] == ["2025-06-05", "2025-06-12"]
    rest = api.get(SESSIONS, params={"branch_id": branch["id"], "kind": "study_day",
                                     "from": "2025-06-01", "to": "2025-06-30",
                                     "cursor": listed["next_cursor"]}, headers=worker).json()
    assert [s["held_on"] for s in rest["items"]] == ["2025-06-19", "2025-06-26"]
    assert rest["next_cursor"] is None


def test_study_notes_have_a_minimum_length_and_come_once(api, auth, branch, learning_db):
    worker = auth("community_worker", COMMUNITY_A1)
    m1 = branch["members"][0]
    session = post(api, SESSIONS, {"branch_id": branch["id"], "kind": "branch_meeting",
                                   "held_on": "2025-05-08", "topic": "支部党员大会：学习党章",
                                   "speaker": "支部书记"}, worker)
    url = f"{SESSIONS}/{session['id']}/notes"
    before = learning_counts(learning_db)
    short = api.post(url, json={"party_member_id": m1, "text": "学习党章，" * 50}, headers=worker)
    detail = assert_problem(short, 422, field="text")["detail"]
    assert "300" in detail and "250" in detail
    stranger = api.post(url, json={"party_member_id": 999999, "text": NOTE}, headers=worker)
    assert_problem(stranger, 422, field="party_member_id")
    assert learning_counts(learning_db) == before
    note = post(api, url, {"party_member_id": m1, "text": NOTE,
                           "reflection": "把学习成果转化为服务群众的实效"}, worker)
    assert (note["length"], note["member_name"]) == (400, "林党员")
    assert_problem(api.post(url, json={"party_member_id": m1, "text": NOTE}, headers=worker),
                   409, field="party_member_id")
    notes = api.get(url, headers=auth("auditor", DISTRICT)).json()
    assert [n["party_member_id"] for n in notes["items"]] == [m1]
    shown = api.get(f"{SESSIONS}/{session['id']}", headers=worker).json()
    assert shown["notes"] == 1 and shown["kind"] == "branch_meeting"
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert {SESSIONS, f"{SESSIONS}/{{id}}", f"{SESSIONS}/{{id}}/attendance",
            f"{SESSIONS}/{{id}}/notes", PLANS, QUOTAS} <= set(paths)


def test_scope_roles_and_bad_input(api, auth, branch, learning_db):
    worker = auth("community_worker", COMMUNITY_A1)
    admin_b = auth("street_admin", STREET_B)
    m1 = branch["members"][0]
    session = post(api, SESSIONS, {"branch_id": branch["id"], "kind": "study_day",
                                   "held_on": "2025-01-02", "topic": "学习新修订的党章"}, worker)
    url = f"{SESSIONS}/{session['id']}"
    location = api.get(url, headers=auth("auditor", STREET_A))
    assert location.status_code == 200
    # street B: the session, its lists and its writes are all "not found"; lists exclude it
    for response in (api.get(url, headers=admin_b),
                     api.get(url + "/attendance", headers=admin_b),
                     api.get(url + "/notes", headers=admin_b),
                     api.patch(url, json={"status": "cancelled"}, headers=admin_b),
                     api.post(url + "/attendance", headers=admin_b, json={
                         "records": [{"party_member_id": m1, "status": "present"}]})):
        assert_problem(response, 404)
    assert api.get(SESSIONS, headers=admin_b).json()["items"] == []
    assert [s["id"] for s in api.get(SESSIONS, params={"code": STREET_A},
                                     headers=auth("auditor", DISTRICT)).json()["items"]] == [
        session["id"]]
    assert_problem(api.get(SESSIONS, params={"code": STREET_A}, headers=admin_b), 403,
                   field="code")
    assert_problem(api.get(QUOTAS, params={"code": STREET_A}, headers=admin_b), 403,
                   field="code")
    assert_problem(api.get(QUOTAS, params={"branch_id": branch["id"]}, headers=admin_b), 404,
                   field="branch_id")
    assert_problem(api.post(SESSIONS, json={"branch_id": branch["id"], "kind": "study_day",
                                            "held_on": "2025-01-09", "topic": "x"},
                            headers=admin_b), 404, field="branch_id")

    before = learning_counts(learning_db)
    for body, status, field in (
            ({"records": [{"party_member_id": m1, "status": "present"},
                          {"party_member_id": 999999, "status": "present"}]}, 422,
             "records.1.party_member_id"),
            ({"records": [{"party_member_id": m1, "status": "dozing"}]}, 422, "records.0.status"),
            ({"records": []}, 422, "records")):
        assert_problem(api.post(url + "/attendance", json=body, headers=worker), status,
                       field=field)
    assert_problem(api.post(url + "/attendance", headers=auth("auditor", STREET_A), json={
        "records": [{"party_member_id": m1, "status": "present"}]}), 403)
    assert_problem(api.post(PLANS, json={"branch_id": branch["committee"], "kind": "study_day",
                                         "from": "2025-01-01", "to": "2025-03-01"},
                            headers=worker), 422, field="branch_id")
    assert_problem(api.post(PLANS, json={"branch_id": branch["id"], "kind": "study_day",
                                         "from": "2025-01-01", "to": "2026-03-01"},
                            headers=worker), 422, field="to")
    assert_problem(api.post(PLANS, json={"branch_id": branch["id"], "kind": "picnic",
                                         "from": "2025-01-01", "to": "2025-03-01"},
                            headers=worker), 422, field="kind")
    assert_problem(api.post(SESSIONS, json={"branch_id": branch["id"], "kind": "study_day",
                                            "held_on": "2025-01-02", "topic": "again"},
                            headers=worker), 409, field="held_on")
    assert_problem(api.get(QUOTAS, headers=worker), 422, field="branch_id")
    assert_problem(api.get(SESSIONS, params={"from": "2025-02-01", "to": "2025-01-01"},
                           headers=worker), 422, field="to")
    assert learning_counts(learning_db) == before
    cancelled = api.patch(url, json={"status": "cancelled", "cancel_reason": "台风"},
                          headers=worker)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert_problem(api.post(url + "/attendance", headers=worker, json={
        "records": [{"party_member_id": m1, "status": "present"}]}), 409, field="status")


def test_the_quotas_as_a_picture(api, auth, branch, seeded):
    """The quotas' SVG: a row per member of the page (the met one green, the behind ones red
    and labelled), the same refusals as the JSON."""
    worker = auth("community_worker", COMMUNITY_A1)
    m1, m2, _ = branch["members"]
    odd_name = "陈<小&>\x0b党员"  # markup is escaped; a control character can't break the XML
    resident_id = add_resident(seeded, f"{COMMUNITY_A1}001", name=odd_name)
    post(api, MEMBERS, {"resident_id": resident_id, "branch_id": branch["id"],
                        "category": "resident", "stage": "full", "stage_since": "2001-07-01"},
         worker)
    for n, day in enumerate(("2025-03-06", "2025-03-13")):
        session = post(api, SESSIONS, {"branch_id": branch["id"], "kind": "study_day",
                                       "held_on": day, "topic": "学习党章"}, worker)
        records = [{"party_member_id": m1, "status": "present"}]
        if n == 0:
            records.append({"party_member_id": m2, "status": "late"})
        post(api, f"{SESSIONS}/{session['id']}/attendance", {"records": records}, worker,
             status=200)
    auditor = auth("auditor", STREET_A)
    # 2025 is over, so the expectation is the whole quota: m1 met it, the others are behind
    query = {"branch_id": branch["id"], "year": 2025, "min_study_days": 2, "min_sessions": 2,
             "limit": 2}
    report = api.get(QUOTAS, params=query, headers=auditor).json()
    assert report["summary"] == {"members": 4, "met": 1, "behind": 3}

    chart = api.get(QUOTAS + ".svg", params=query, headers=auditor)
    assert chart.status_code == 200, chart.text
    assert chart.headers["Content-Type"] == "image/svg+xml; charset=utf-8"
    svg = ET.fromstring(chart.content)
    assert svg.tag == SVG + "svg"
    texts = [t.text or "" for t in svg.iter(SVG + "text")]
    assert f"branch {branch['id']} — 2025" in texts[0]
    assert "4 members, 1 met, 3 behind" in texts[0]
    # a member's row: the name, study days attended/quota, sessions attended/quota, the standing
    at = texts.index("林党员")
    assert texts[at:at + 4] == ["林党员", "2/2", "2/2", "met"]
    at = texts.index("黄党员")
    assert texts[at:at + 4] == ["黄党员", "1/2", "1/2", "behind"]
    assert "郑党员" not in texts  # the next page's
    assert f"more rows: pass cursor={report['next_cursor']}" in texts
    assert "expected so far 2" in texts
    fills = [rect.get("fill") for rect in svg.iter(SVG + "rect")]
    assert fills == ["white", "#59a14f", "#59a14f", "#e15759", "#e15759"]

    rest = api.get(QUOTAS + ".svg", params={**query, "cursor": report["next_cursor"]},
                   headers=auditor)
    texts = [t.text or "" for t in ET.fromstring(rest.content).iter(SVG + "text")]
    at = texts.index("郑党员")
    assert texts[at:at + 4] == ["郑党员", "0/2", "0/2", "behind"]
    assert "陈<小&>\ufffd党员" in texts
    assert not any(text.startswith("more rows") for text in texts)

    assert_problem(api.get(QUOTAS + ".svg", params={**query, "year": "abc"}, headers=auditor),
                   422, field="year")
    admin_b = auth("street_admin", STREET_B)
    for params, status, field in (({"branch_id": branch["id"]}, 404, "branch_id"),
                                  ({"code": STREET_A}, 403, "code")):
        as_json = assert_problem(api.get(QUOTAS, params=params, headers=admin_b), status,
                                 field=field)
        as_svg = assert_problem(api.get(QUOTAS + ".svg", params=params, headers=admin_b),
                                status, field=field)
        assert {k: v for k, v in as_svg.items() if k not in ("instance", "correlation_id")} == {
            k: v for k, v in as_json.items() if k not in ("instance", "correlation_id")}
    assert QUOTAS + ".svg" in api.get("/api/v1/openapi.json").json()["paths"]
