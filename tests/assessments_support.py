"""Producing the events assessments scores, the way the platform produces them: through the
gateway, as the workers who do the work would (a ticket resolved, a patrol walked, a course
completed, a mediation closed, an incident reported). Each helper returns what it made.

Only two things are done behind the API, because no request can do them: residents are rows
written into membership (as the other e2e tests do), and a ticket's due time is moved into the
past so that the SLA clock (the tickets service's own timer) finds it breached without the test
waiting a whole SLA.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from kombu import Connection, Exchange
from sqlalchemy import update

from tests.e2e.test_volunteers_api import add_resident

TICKETS = "/api/v1/tickets"
MEDIATION_CASES = "/api/v1/mediation-cases"
INCIDENTS = "/api/v1/incidents"
PATROL_TEAMS, PATROL_SHIFTS = "/api/v1/patrol-teams", "/api/v1/patrol-shifts"
PRODUCER_EXCHANGES = ("tickets.events", "security.events", "learning.events")


def sent(response, status: int = 201) -> dict:
    assert response.status_code == status, (response.request.method, response.request.url,
                                            response.status_code, response.text)
    return response.json()


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


# --- tickets ----------------------------------------------------------------------------------

def file_ticket(api, auth, community: str, description: str = "小区门口下水道外溢") -> dict:
    """A sewer-overflow ticket (24 h SLA) filed by the community's worker in its first grid."""
    return sent(api.post(TICKETS, headers=auth("community_worker", community), json={
        "category_code": "sewer_overflow", "description": description, "channel": "hotline",
        "reporter": {"name": "陈阿姨", "phone": "13812345678"},
        "location": {"grid_code": f"{community}001", "address": "西关路1号"},
        "attributes": {"severity": "overflow"}}))


def work_ticket_to_resolved(api, auth, ticket: dict) -> dict:
    """Accept, dispatch to a grid worker, sign for, start, resolve: ``tickets.ticket_resolved``
    (``on_time`` as the ticket's due time says)."""
    worker = auth("community_worker", ticket["location"]["community_code"])
    url = f"{TICKETS}/{ticket['id']}/transitions"
    for step in ({"action": "accept"},
                 {"action": "dispatch", "assignee": {"kind": "grid_worker", "ref": "gw-li"}},
                 {"action": "sign_for"}, {"action": "start"},
                 {"action": "resolve", "comment": "已疏通"}):
        ticket = sent(api.post(url, json=step, headers=worker), 200)
    assert ticket["status"] == "resolved", ticket
    return ticket


def resolve_tickets_on_time(api, auth, community: str, count: int) -> list[dict]:
    return [work_ticket_to_resolved(api, auth, file_ticket(api, auth, community))
            for _ in range(count)]


def make_overdue(tickets_db, ticket_id: int) -> None:
    """Move a ticket's due time an hour into the past (behind the API: time cannot be asked
    to pass); the tickets service's SLA clock then marks the breach and emits
    ``tickets.ticket_sla_breached`` itself."""
    from services.tickets.models import Ticket

    with tickets_db.transaction("tickets") as uow:
        uow.session.execute(update(Ticket).where(Ticket.id == ticket_id).values(
            due_at=now_utc() - timedelta(hours=1)))


def breached(api, auth, ticket: dict) -> bool:
    """The SLA clock has marked this ticket (its history shows ``sla_breached``)."""
    worker = auth("community_worker", ticket["location"]["community_code"])
    history = sent(api.get(f"{TICKETS}/{ticket['id']}/transitions", headers=worker), 200)
    return any(step["action"] == "sla_breached" for step in history["items"])


# --- patrols ----------------------------------------------------------------------------------

def complete_patrol_shift(api, auth, membership_db, community: str, walked_hours: float = 0.35,
                          volunteer_names=("王巡逻", "李巡逻")) -> dict:
    """A security patrol team of the community with these volunteers and two points, and a shift
    that began a little before ``walked_hours`` ago, walked (check-ins then and now) and
    completed: one ``security.volunteer_hours_earned`` of ``walked_hours`` per member. (A short
    walk keeps the shift on today's date: its hours are dated by the day it began.)"""
    manager = auth("community_worker", community)
    grid = f"{community}001"
    volunteers = [sent(api.post("/api/v1/volunteers", headers=manager, json={
        "resident_id": add_resident(membership_db, grid, name), "skills": ["巡逻"]}))
        for name in volunteer_names]
    team = sent(api.post(PATROL_TEAMS, headers=manager, json={
        "org_code": community, "name": f"治安巡逻队{community[-3:]}", "kind": "security_patrol"}))
    for volunteer in volunteers:
        sent(api.post(f"{PATROL_TEAMS}/{team['id']}/members", headers=manager,
                      json={"volunteer_id": volunteer["id"]}))
    points = [sent(api.post(f"{PATROL_TEAMS}/{team['id']}/points", headers=manager, json={
        "name": name, "grid_code": grid, "address": address}))
        for name, address in (("菜市场", "西街1号"), ("巷口", "象峰巷12号"))]
    now = now_utc()
    began = now - timedelta(hours=walked_hours)
    shift = sent(api.post(PATROL_SHIFTS, headers=manager, json={
        "team_id": team["id"], "starts_at": (began - timedelta(minutes=3)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
        "point_ids": [point["id"] for point in points]}))
    grid_worker = auth("grid_worker", grid)
    for point, at in zip(points, (began, now), strict=True):
        sent(api.post(f"{PATROL_SHIFTS}/{shift['id']}/check-ins", headers=grid_worker,
                      json={"point_id": point["id"], "at": at.isoformat()}))
    done = sent(api.post(f"{PATROL_SHIFTS}/{shift['id']}/completion", headers=grid_worker,
                         json={}), 200)
    assert done["status"] == "completed" and done["hours"] == walked_hours, done
    assert len(done["members"]) == len(volunteers), done
    return done


# --- learning ---------------------------------------------------------------------------------

def complete_course(api, auth, membership_db, community: str,
                    names=("张三明", "欧阳娜娜")) -> list[dict]:
    """A community school's one-session course, these residents of the community enrolled and
    present: each completes (``learning.course_completed`` with the resident's community)."""
    worker = auth("community_worker", community)
    school = sent(api.post("/api/v1/schools", headers=worker, json={
        "org_code": community, "name": f"社区学校{community[-3:]}", "kind": "community_school",
        "address": "三牌楼路58号"}))
    teacher = sent(api.post("/api/v1/teachers", headers=worker, json={
        "kind": "hired", "name": "林老师", "org_code": community}))
    venue = sent(api.post("/api/v1/venues", headers=worker, json={
        "school_id": school["id"], "name": "电脑教室", "address": "三牌楼路58号",
        "capacity": 30}))
    now = now_utc()
    course = sent(api.post("/api/v1/courses", headers=worker, json={
        "school_id": school["id"], "title": "老年人智能手机班", "category": "computing",
        "format": "long_course", "teacher_id": teacher["id"], "capacity": 20,
        "enrol_opens_at": (now - timedelta(days=30)).isoformat(),
        "enrol_closes_at": (now + timedelta(days=5)).isoformat()}))
    starts = now - timedelta(hours=2)
    session = sent(api.post(f"/api/v1/courses/{course['id']}/sessions", headers=worker, json={
        "venue_id": venue["id"], "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(), "topic": "第1课"}))
    residents = [add_resident(membership_db, f"{community}001", name) for name in names]
    for resident in residents:
        sent(api.post(f"/api/v1/courses/{course['id']}/enrolments", headers=worker,
                      json={"resident_id": resident}))
    sheet = sent(api.post(f"/api/v1/sessions/{session['id']}/attendance", headers=worker, json={
        "records": [{"resident_id": resident, "status": "present"} for resident in residents]}),
        200)
    assert sorted(done["resident_id"] for done in sheet["completed"]) == sorted(residents), sheet
    return sheet["completed"]


# --- security: mediation and incidents --------------------------------------------------------

def close_mediation(api, auth, community: str, outcome: str = "agreement") -> dict:
    """A family dispute mediated by hand in the community and closed with ``outcome``:
    ``security.mediation_closed``."""
    worker = auth("community_worker", community)
    case = sent(api.post(MEDIATION_CASES, headers=worker, json={
        "community_code": community, "dispute_type": "family", "summary": "兄弟分家产生矛盾",
        "parties": [{"name": "李大哥", "role": "applicant"}, {"name": "李二弟", "role": "respondent"}],
        "mediator": {"name": "黄调解员", "kind": "peoples_mediator"}}))
    body = {"outcome": outcome, "closed_on": china_today().isoformat()}
    if outcome == "agreement":
        body["agreement_text"] = "房产按份额分割，双方签字"
    closed = sent(api.post(f"{MEDIATION_CASES}/{case['id']}/outcome", headers=worker, json=body),
                  200)
    assert (closed["status"], closed["outcome"]) == ("closed", outcome), closed
    return closed


def report_incident(api, auth, community: str, kind: str = "mass_incident",
                    severity: str = "major") -> dict:
    """An incident reported by the community's worker in its first grid:
    ``security.incident_reported``."""
    return sent(api.post(INCIDENTS, headers=auth("community_worker", community), json={
        "kind": kind, "severity": severity, "grid_code": f"{community}001",
        "description": "数十人聚集", "address": "3号楼", "reporter_kind": "resident"}))


# --- the broker -------------------------------------------------------------------------------

def china_today():
    from services.assessments.domain.scoring import china_day

    return china_day(now_utc())


def republish(amqp_uri: str, envelopes: list[dict]) -> None:
    """Publish envelopes again onto their producers' exchanges, as the producers would (the
    broker redelivering them)."""
    with Connection(amqp_uri) as connection:
        producer = connection.Producer()
        for envelope in envelopes:
            exchange = Exchange(f"{envelope['type'].split('.')[0]}.events", type="topic",
                                durable=True)
            producer.publish(envelope, exchange=exchange, routing_key=envelope["type"],
                             declare=[exchange], serializer="json", delivery_mode=2)
