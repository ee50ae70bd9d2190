"""Enrolment through the real gateway, with membership and learning behind it: a course fills,
the next resident waits, a withdrawal offers the seat to the first in line who confirms it;
twenty enrolments at once never overbook; bad input is a problem naming the field and changes
nothing; another street sees nothing; a laid_off flag set through membership's API becomes a
course offer through the broker, accepted into an enrolment."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from services.learning.models import Course, CourseOffer, Enrolment, OutboxMessage
from shared.events.outbox import utcnow
from tests.e2e.conftest import (
    COMMUNITY_A1,
    COMMUNITY_A2,
    COMMUNITY_B1,
    DISTRICT,
    STREET_A,
    STREET_B,
    assert_problem,
)
from tests.e2e.test_volunteers_api import add_resident
from tests.learning_support import make_course, make_school
from tests.support import BrokerTap, wait_for

pytestmark = pytest.mark.broker

GRID = f"{COMMUNITY_A1}001"
ENROLMENTS = "/api/v1/enrolments"
OFFERS = "/api/v1/course-offers"


def course_on(learning_db, org_code=COMMUNITY_A1, **values) -> int:
    with learning_db.transaction("learning") as uow:
        school = make_school(uow, org_code=org_code, name=f"社区学校 {uuid.uuid4().hex[:6]}")
        return make_course(uow, school=school, **values).id


def enrolments_url(course_id) -> str:
    return f"/api/v1/courses/{course_id}/enrolments"


def counts(learning_db) -> dict:
    with learning_db.session_factory() as session:
        return {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                for m in (Enrolment, CourseOffer, OutboxMessage)} | {
            "seats": session.scalar(select(func.sum(Course.seats_taken))),
            "statuses": sorted(session.scalars(select(Enrolment.status)))}


def learning_events(learning_db, event_type) -> list[dict]:
    with learning_db.session_factory() as session:
        return list(session.scalars(select(OutboxMessage.envelope).where(
            OutboxMessage.event_type == event_type).order_by(OutboxMessage.id)))


@pytest.fixture
def platform_config(platform_config):
    """Learning's offer clock ticking every 0.2 s (60 s by default), to see it work here."""
    return {**platform_config, "LEARNING_OFFER_CLOCK": {"interval_seconds": 0.2}}


@pytest.fixture
def worker(auth):
    return auth("community_worker", COMMUNITY_A1)


def test_enrol_fill_wait_withdraw_offer_confirm(api, auth, seeded, learning_db, worker):
    course_id = course_on(learning_db, capacity=2, confirm_hours=24)
    residents = [add_resident(seeded, GRID, name=f"学员{n}") for n in range(4)]
    made = []
    for resident_id in residents:
        response = api.post(enrolments_url(course_id), json={"resident_id": resident_id},
                            headers=worker)
        assert response.status_code == 201, response.text
        assert response.headers["Location"] == f"{ENROLMENTS}/{response.json()['id']}"
        made.append(response.json())
    assert [e["status"] for e in made] == ["enrolled", "enrolled", "waitlisted", "waitlisted"]
    assert [e["position"] for e in made] == [None, None, 1, 2]
    assert made[0]["resident_name"] == "学员0" and made[0]["grid_code"] == GRID

    waitlist = api.get(enrolments_url(course_id), params={"status": "waitlisted"},
                       headers=auth("auditor", STREET_A)).json()
    assert [(e["resident_id"], e["position"]) for e in waitlist["items"]] == [
        (residents[2], 1), (residents[3], 2)]

    withdrawn = api.post(f"{ENROLMENTS}/{made[0]['id']}/withdrawal", headers=worker)
    assert withdrawn.status_code == 200, withdrawn.text
    body = withdrawn.json()
    assert body["enrolment"]["status"] == "withdrawn"
    (offered,) = body["promoted"]
    assert (offered["resident_id"], offered["status"]) == (residents[2], "offered")
    assert offered["confirm_by"]
    assert api.get(f"{ENROLMENTS}/{made[3]['id']}", headers=worker).json()["position"] == 1

    confirmed = api.post(f"{ENROLMENTS}/{offered['id']}/confirmation", headers=worker)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "enrolled"
    assert_problem(api.post(f"{ENROLMENTS}/{offered['id']}/confirmation", headers=worker),
                   409, "status")
    assert_problem(api.post(f"{ENROLMENTS}/{made[0]['id']}/withdrawal", headers=worker),
                   409, "status")
    # the withdrawn resident may come back: the end of the queue
    again = api.post(enrolments_url(course_id), json={"resident_id": residents[0]},
                     headers=worker).json()
    assert (again["id"], again["status"], again["position"]) == (made[0]["id"], "waitlisted", 2)

    mine = api.get(ENROLMENTS, params={"resident_id": residents[2]}, headers=worker).json()
    assert [(e["course_id"], e["status"]) for e in mine["items"]] == [(course_id, "enrolled")]
    page = api.get(enrolments_url(course_id), params={"limit": 2}, headers=worker).json()
    rest = api.get(enrolments_url(course_id), params={"cursor": page["next_cursor"]},
                   headers=worker).json()
    assert len(page["items"]) == 2 and len(rest["items"]) == 2 and rest["next_cursor"] is None
    with learning_db.session_factory() as session:
        assert session.get(Course, course_id).seats_taken == 2
    assert len(learning_events(learning_db, "learning.seat_offered")) == 1
    assert len(learning_events(learning_db, "learning.enrolment_confirmed")) == 1


def test_twenty_enrolments_at_once_never_overbook(api, auth, seeded, learning_db):
    course_id = course_on(learning_db, capacity=5)
    residents = [add_resident(seeded, GRID, name=f"学员{n}") for n in range(20)]
    headers = auth("community_worker", COMMUNITY_A1)
    url = api.base_url + enrolments_url(course_id)

    def enrol(resident_id):
        return requests.post(url, json={"resident_id": resident_id}, headers=headers, timeout=60)

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(enrol, residents))
    assert [r.status_code for r in responses] == [201] * 20, [r.text for r in responses]
    statuses = [r.json()["status"] for r in responses]
    assert statuses.count("enrolled") == 5 and statuses.count("waitlisted") == 15
    positions = sorted(r.json()["position"] for r in responses if r.json()["position"])
    assert positions == list(range(1, 16))
    with learning_db.session_factory() as session:
        course = session.get(Course, course_id)
        holders = session.scalar(select(func.count()).select_from(Enrolment).where(
            Enrolment.course_id == course_id, Enrolment.status.in_(("enrolled", "offered"))))
        assert course.seats_taken == holders == 5


def test_bad_input_is_a_problem_naming_the_field_and_changes_nothing(api, auth, seeded,
                                                                     learning_db, worker):
    now = utcnow()
    open_id = course_on(learning_db, capacity=1)
    elderly_only = course_on(learning_db, eligibility={"age_min": 60, "age_max": 80})
    party_only = course_on(learning_db, eligibility={"party_member": True})
    laid_off_only = course_on(learning_db, eligibility={"laid_off": True})
    a2_only = course_on(learning_db, org_code=STREET_A,
                        eligibility={"community_code": COMMUNITY_A2})
    not_yet = course_on(learning_db, enrol_opens_at=now + timedelta(days=2))
    closed = course_on(learning_db, enrol_opens_at=now - timedelta(days=9),
                       enrol_closes_at=now - timedelta(days=1))
    cancelled = course_on(learning_db, status="cancelled")
    finished = course_on(learning_db, status="finished")
    resident = add_resident(seeded, GRID)  # born 1955: in the 60–80 band
    enrolled = api.post(enrolments_url(open_id), json={"resident_id": resident}, headers=worker)
    assert enrolled.status_code == 201, enrolled.text
    assert api.post(enrolments_url(elderly_only), json={"resident_id": resident},
                    headers=worker).status_code == 201
    before = counts(learning_db)

    good = {"resident_id": resident}
    for course_id, body, status, field, words in (
            (open_id, {}, 422, "resident_id", None),
            (open_id, {"resident_id": "1"}, 422, "resident_id", None),
            (open_id, {"resident_id": 0}, 422, "resident_id", None),
            (open_id, {"resident_id": 2**40}, 422, "resident_id", None),
            (open_id, {"resident_id": None}, 422, "resident_id", None),
            (open_id, {**good, "extra": 1}, 422, "extra", None),
            (open_id, {"resident_id": 999999}, 404, "resident_id", None),
            (open_id, good, 409, "resident_id", "already enrolled"),
            (elderly_only, good, 409, "resident_id", "already enrolled"),
            (party_only, good, 422, "resident_id", "party member"),
            (laid_off_only, good, 422, "resident_id", "laid-off"),
            (a2_only, good, 422, "resident_id", "community"),
            (not_yet, good, 409, "enrolment_window", "opens"),
            (closed, good, 409, "enrolment_window", "closed"),
            (cancelled, good, 409, "course", "cancelled"),
            (finished, good, 409, "course", "finished"),
            (999999, good, 404, "id", None)):
        problem = assert_problem(api.post(enrolments_url(course_id), json=body, headers=worker),
                                 status, field)
        if words:
            assert words in problem["detail"], problem
    assert_problem(api.post(enrolments_url(open_id), json=[], headers=worker), 400, "body")
    assert_problem(api.post(enrolments_url(open_id), data="{", headers={
        **worker, "Content-Type": "application/json"}), 400, "body")
    assert_problem(api.post(enrolments_url(open_id), json=good,
                            headers=auth("auditor", DISTRICT)), 403)
    assert_problem(api.post(enrolments_url(open_id), json=good), 401)
    for url, query, field in (
            (enrolments_url(open_id), {"status": "gone"}, "status"),
            (enrolments_url(open_id), {"limit": "0"}, "limit"),
            (enrolments_url(open_id), {"cursor": "%%%"}, "cursor"),
            (ENROLMENTS, {"resident_id": "x"}, "resident_id"),
            (ENROLMENTS, {"course_id": "-3"}, "course_id"),
            (OFFERS, {"status": "maybe"}, "status")):
        assert_problem(api.get(url, params=query, headers=worker), 422, field)
    for url in (f"{ENROLMENTS}/999999", f"{ENROLMENTS}/999999/withdrawal",
                f"{OFFERS}/999999/acceptance"):
        method = api.get if url.endswith("999999") else api.post
        assert_problem(method(url, headers=worker), 404, "id")
    assert counts(learning_db) == before


def test_another_street_sees_nothing(api, auth, seeded, learning_db, worker):
    course_id = course_on(learning_db, org_code=STREET_A)
    resident = add_resident(seeded, GRID)
    made = api.post(enrolments_url(course_id), json={"resident_id": resident},
                    headers=worker).json()
    before = counts(learning_db)
    for headers in (auth("street_admin", STREET_B), auth("community_worker", COMMUNITY_B1)):
        assert_problem(api.get(enrolments_url(course_id), headers=headers), 404, "id")
        assert_problem(api.get(f"{ENROLMENTS}/{made['id']}", headers=headers), 404, "id")
        for action in ("withdrawal", "confirmation"):
            assert_problem(api.post(f"{ENROLMENTS}/{made['id']}/{action}", headers=headers),
                           404, "id")
        assert_problem(api.post(enrolments_url(course_id), json={"resident_id": resident},
                                headers=headers), 404, "id")
        assert api.get(ENROLMENTS, headers=headers).json()["items"] == []
        assert api.get(OFFERS, headers=headers).json()["items"] == []
    # a street-B course: a street-A resident cannot be enrolled from street B's side either
    b_course = course_on(learning_db, org_code=STREET_B)
    assert_problem(api.post(enrolments_url(b_course), json={"resident_id": resident},
                            headers=auth("street_admin", STREET_B)), 404, "resident_id")
    # a community worker beside the resident's community sees the street course, not them
    beside = auth("community_worker", COMMUNITY_A2)
    assert api.get(enrolments_url(course_id), headers=beside).json()["items"] == []
    assert_problem(api.get(f"{ENROLMENTS}/{made['id']}", headers=beside), 404, "id")
    assert counts(learning_db) == before


def test_a_laid_off_flag_brings_a_course_offer_through_the_broker(api, auth, seeded,
                                                                  learning_db, worker,
                                                                  platform_config):
    course_id = course_on(learning_db, org_code=STREET_A, category="re_employment",
                          title="再就业·家政服务实训", eligibility={"laid_off": True})
    resident = add_resident(seeded, GRID, name="林师傅")
    tap = BrokerTap(platform_config["AMQP_URI"], exchange="learning.events",
                    routing_key="learning.#")
    try:
        flagged = api.post(f"/api/v1/residents/{resident}/flags",
                           json={"flag": "laid_off", "reason": "企业裁员"}, headers=worker)
        assert flagged.status_code in (200, 201), flagged.text
        (offer,) = wait_for(lambda: api.get(OFFERS, params={"resident_id": resident},
                                            headers=worker).json()["items"])
        assert (offer["course_id"], offer["status"], offer["reason"]) == (
            course_id, "offered", "laid_off")
        assert offer["course_title"] == "再就业·家政服务实训"
        published = wait_for(lambda: [e for e in tap.drain()
                                      if e["type"] == "learning.course_offered"])
        assert published[0]["data"]["resident_id"] == resident
        assert published[0]["org_code"] == GRID
    finally:
        tap.close()
    assert api.get(f"{OFFERS}/{offer['id']}", headers=worker).json()["id"] == offer["id"]
    assert_problem(api.get(f"{OFFERS}/{offer['id']}", headers=auth("street_admin", STREET_B)),
                   404, "id")
    accepted = api.post(f"{OFFERS}/{offer['id']}/acceptance", headers=worker)
    assert accepted.status_code == 201, accepted.text
    body = accepted.json()
    assert body["offer"]["status"] == "accepted"
    assert (body["enrolment"]["status"], body["enrolment"]["source"]) == ("enrolled", "offer")
    assert body["offer"]["enrolment_id"] == body["enrolment"]["id"]
    assert_problem(api.post(f"{OFFERS}/{offer['id']}/declination", headers=worker), 409, "status")
    assert api.get(OFFERS, params={"status": "offered"}, headers=worker).json()["items"] == []



def test_the_offer_clock_lets_a_lapsed_offer_go_to_the_next_in_line(api, auth, seeded,
                                                                   learning_db, worker):
    course_id = course_on(learning_db, capacity=1, confirm_hours=48)
    residents = [add_resident(seeded, GRID, name=f"学员{n}") for n in range(3)]
    made = [api.post(enrolments_url(course_id), json={"resident_id": r}, headers=worker).json()
            for r in residents]
    (offered,) = api.post(f"{ENROLMENTS}/{made[0]['id']}/withdrawal",
                          headers=worker).json()["promoted"]
    assert offered["id"] == made[1]["id"]
    with learning_db.session_factory.begin() as session:  # the deadline passed an hour ago
        session.get(Enrolment, offered["id"]).confirm_by = utcnow() - timedelta(hours=1)

    def shown(enrolment_id):
        return api.get(f"{ENROLMENTS}/{enrolment_id}", headers=worker).json()

    wait_for(lambda: shown(offered["id"])["status"] == "expired")
    wait_for(lambda: shown(made[2]["id"])["status"] == "offered")
    nxt = shown(made[2]["id"])
    assert nxt["confirm_by"] and nxt["position"] is None
    assert_problem(api.post(f"{ENROLMENTS}/{offered['id']}/confirmation", headers=worker),
                   409, "status")
    (lapsed,) = learning_events(learning_db, "learning.seat_offer_expired")
    assert lapsed["data"]["enrolment_id"] == offered["id"]
    with learning_db.session_factory() as session:
        assert session.get(Course, course_id).seats_taken == 1
