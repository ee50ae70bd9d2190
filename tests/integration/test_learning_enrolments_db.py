"""Enrolment use cases on SQLite and PostgreSQL: no overbooking under many concurrent
enrolments, the waitlist promoted strictly in order (withdrawals, lapsed offers through the
clock, capacity raised), refusals that change nothing, scope, and targeted offers from
membership's laid_off flag (applied twice: one offer)."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import eventlet
import pytest
from sqlalchemy import func, select

from services.learning import enrolments, offers
from services.learning.models import Course, CourseOffer, Enrolment, OutboxMessage
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.learning_support import COMMUNITY, GRID, make_course, make_school, make_session, make_venue

STREET_A, STREET_B = "350502001", "350502002"
WORKER = CallerContext("wang", ("community_worker",), COMMUNITY)
STREET_ADMIN = CallerContext("alice", ("street_admin",), STREET_A)
OTHER_STREET = CallerContext("bob", ("street_admin",), STREET_B)
AUDITOR = CallerContext("audit", ("auditor",), STREET_A)
NOW = datetime.now(timezone.utc)


def resident(resident_id: int, grid_code: str = GRID, birth_date=date(1970, 1, 1),
             flags=(), status="active") -> dict:
    """A resident as the entrypoint hands it over from membership's answer."""
    return enrolments.resident_facts({
        "id": resident_id, "name": f"居民{resident_id}", "grid_code": grid_code,
        "birth_date": birth_date.isoformat(), "status": status,
        "flags": [{"flag": f, "since": "2026-01-01", "reason": None} for f in flags]})


def call(db, caller, fn, *args, **kwargs):
    with db.transaction("learning", caller) as uow:
        return fn(uow, *args, **kwargs)


def enrol(db, course_id, resident_id, caller=WORKER, now=None, party_member=None, **facts):
    return call(db, caller, enrolments.enrol, course_id, {"resident_id": resident_id},
                resident(resident_id, **facts), party_member, now=now)


def course(db, **values) -> int:
    """A course of a school of its own (school names are unique in a community)."""
    with db.transaction("learning") as uow:
        school = make_school(uow, name=f"社区学校 {uuid.uuid4().hex[:6]}")
        return make_course(uow, school=school, **values).id


def state(db, course_id) -> dict:
    with db.session_factory() as session:
        course = session.get(Course, course_id)
        rows = list(session.scalars(select(Enrolment).where(Enrolment.course_id == course_id)
                                    .order_by(Enrolment.queue_no)))
    return {"seats_taken": course.seats_taken, "capacity": course.capacity,
            "by_status": {s: [r.resident_id for r in rows if r.status == s]
                          for s in {r.status for r in rows}},
            "rows": rows}


def events(db, event_type=None) -> list[dict]:
    query = select(OutboxMessage.envelope).order_by(OutboxMessage.id)
    if event_type:
        query = query.where(OutboxMessage.event_type == event_type)
    with db.session_factory() as session:
        return list(session.scalars(query))


def counts(db) -> dict:
    with db.session_factory() as session:
        return {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                for m in (Enrolment, CourseOffer, OutboxMessage)} | {
            "seats": session.scalar(select(func.sum(Course.seats_taken))),
            "queue": session.scalar(select(func.sum(Course.next_queue_no)))}


@pytest.fixture
def db(learning_service_db):
    return learning_service_db


# --- concurrency ------------------------------------------------------------------------------

def test_thirty_concurrent_enrolments_on_five_seats_never_overbook(db):
    """Green threads (as nameko's workers), each its own transaction; on PostgreSQL they truly
    interleave (pg8000 yields on every round trip)."""
    course_id = course(db, capacity=5)
    results, errors = {}, []

    def one(resident_id):
        try:
            results[resident_id] = enrol(db, course_id, resident_id)
        except Exception as exc:  # noqa: BLE001 — any failure fails the test below
            errors.append(exc)

    pool = eventlet.GreenPool(30)
    for resident_id in range(1, 31):
        pool.spawn(one, resident_id)
    pool.waitall()
    assert errors == []
    found = state(db, course_id)
    assert len(found["by_status"]["enrolled"]) == 5
    assert len(found["by_status"]["waitlisted"]) == 25
    assert found["seats_taken"] == 5 == sum(r.status in ("enrolled", "offered")
                                            for r in found["rows"])
    queue = [r.queue_no for r in found["rows"]]
    assert sorted(queue) == list(range(1, 31))  # each its own number, none lost
    # the first five to get the lock took the seats; the rest queue in arrival order
    assert {r.status for r in found["rows"][:5]} == {"enrolled"}
    waitlisted = [r for r in found["rows"] if r.status == "waitlisted"]
    assert [results[r.resident_id]["position"] for r in waitlisted] == list(range(1, 26))
    page = call(db, WORKER, enrolments.list_course_enrolments, course_id,
                {"status": "waitlisted", "limit": "10"})
    assert [e["position"] for e in page["items"]] == list(range(1, 11))
    second = call(db, WORKER, enrolments.list_course_enrolments, course_id,
                  {"status": "waitlisted", "limit": "10", "cursor": page["next_cursor"]})
    assert [e["position"] for e in second["items"]] == list(range(11, 21))
    assert len(events(db, "learning.enrolled")) == 5
    assert len(events(db, "learning.waitlisted")) == 25


def test_concurrent_withdrawals_and_enrolments_keep_the_count_true(db):
    course_id = course(db, capacity=3)
    ids = [enrol(db, course_id, r)["id"] for r in range(1, 9)]  # 3 seats, 5 waiting
    errors = []

    def guarded(fn, *args):
        try:
            call(db, WORKER, fn, *args)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    pool = eventlet.GreenPool(12)
    for enrolment_id in ids[:3]:
        pool.spawn(guarded, enrolments.withdraw, enrolment_id)
    for resident_id in range(9, 13):
        pool.spawn(guarded, enrolments.enrol, course_id, {"resident_id": resident_id},
                   resident(resident_id), None)
    pool.waitall()
    assert errors == []
    found = state(db, course_id)
    holders = [r for r in found["rows"] if r.status in ("enrolled", "offered")]
    assert found["seats_taken"] == len(holders) == 3
    # the three seats went to the first three of the waitlist, whoever arrived meanwhile
    assert sorted(r.resident_id for r in holders) == [4, 5, 6]
    assert {r.status for r in holders} == {"offered"}


# --- the waitlist, strictly in order ----------------------------------------------------------

def test_withdrawals_offer_the_seat_to_the_first_in_line_then_the_next(db):
    course_id = course(db, capacity=2, confirm_hours=24)
    made = {r: enrol(db, course_id, r) for r in range(1, 6)}
    assert [made[r]["status"] for r in range(1, 6)] == ["enrolled", "enrolled", "waitlisted",
                                                        "waitlisted", "waitlisted"]
    assert [made[r]["position"] for r in (3, 4, 5)] == [1, 2, 3]
    assert made[1]["position"] is None and made[1]["resident_name"] == "居民1"

    first = call(db, WORKER, enrolments.withdraw, made[1]["id"], now=NOW)
    assert first["enrolment"]["status"] == "withdrawn"
    (offered,) = first["promoted"]
    assert (offered["resident_id"], offered["status"]) == (3, "offered")
    assert offered["confirm_by"].startswith((NOW + timedelta(hours=24)).date().isoformat())
    assert call(db, WORKER, enrolments.get_enrolment, made[4]["id"])["position"] == 1

    second = call(db, WORKER, enrolments.withdraw, made[2]["id"], now=NOW)
    assert [p["resident_id"] for p in second["promoted"]] == [4]
    assert call(db, WORKER, enrolments.get_enrolment, made[5]["id"])["position"] == 1
    # withdrawing from the waitlist frees no seat and promotes nobody
    last = call(db, WORKER, enrolments.withdraw, made[5]["id"], now=NOW)
    assert last["promoted"] == [] and last["enrolment"]["status"] == "withdrawn"

    confirmed = call(db, WORKER, enrolments.confirm, offered["id"], now=NOW + timedelta(hours=1))
    assert confirmed["status"] == "enrolled" and confirmed["confirm_by"] is not None
    with pytest.raises(Conflict) as refused:
        call(db, WORKER, enrolments.confirm, offered["id"])
    assert refused.value.field == "status"
    with pytest.raises(Conflict) as refused:  # the other offer, after its deadline
        call(db, WORKER, enrolments.confirm, second["promoted"][0]["id"],
             now=NOW + timedelta(hours=25))
    assert refused.value.field == "confirm_by"
    found = state(db, course_id)
    assert found["seats_taken"] == 2 and found["by_status"]["offered"] == [4]
    kinds = [e["type"] for e in events(db) if e["type"] != "learning.enrolled"
             and e["type"] != "learning.waitlisted"]
    assert kinds == ["learning.enrolment_withdrawn", "learning.seat_offered",
                     "learning.enrolment_withdrawn", "learning.seat_offered",
                     "learning.enrolment_withdrawn", "learning.enrolment_confirmed"]
    withdrawn = events(db, "learning.enrolment_withdrawn")
    assert [(e["data"]["from_status"], e["data"]["seat_freed"]) for e in withdrawn] == [
        ("enrolled", True), ("enrolled", True), ("waitlisted", False)]


def test_the_clock_expires_lapsed_offers_and_offers_the_seat_to_the_next(db):
    course_id = course(db, capacity=1, confirm_hours=48)
    made = [enrol(db, course_id, r) for r in (1, 2, 3)]
    call(db, WORKER, enrolments.withdraw, made[0]["id"], now=NOW)
    assert state(db, course_id)["by_status"]["offered"] == [2]

    def transaction():  # as the clock's worker has it: a fresh unit of work per call
        return db.transaction("learning")

    assert enrolments.run_offer_clock(transaction, now=NOW + timedelta(hours=47)) == {
        "expired": [], "offered": []}
    later = NOW + timedelta(hours=49)
    done = enrolments.run_offer_clock(transaction, now=later)
    assert done == {"expired": [made[1]["id"]], "offered": [made[2]["id"]]}
    found = state(db, course_id)
    assert found["by_status"] == {"withdrawn": [1], "expired": [2], "offered": [3]}
    assert found["seats_taken"] == 1
    # a second instance ticking at the same moment finds nothing left to do
    pool = eventlet.GreenPool(2)
    ticks = [pool.spawn(enrolments.run_offer_clock, transaction, later) for _ in range(2)]
    assert [t.wait() for t in ticks] == [{"expired": [], "offered": []}] * 2
    (lapsed,) = events(db, "learning.seat_offer_expired")
    assert lapsed["data"]["resident_id"] == 2 and lapsed["org_code"] == GRID
    assert [e["data"]["resident_id"] for e in events(db, "learning.seat_offered")] == [2, 3]
    # the resident whose offer lapsed may enrol again, at the end of the queue
    again = enrol(db, course_id, 2)
    assert (again["id"], again["status"], again["position"]) == (made[1]["id"], "waitlisted", 1)
    assert again["queue_no"] > made[2]["queue_no"]


def test_capacity_raised_promotes_the_waitlist_in_order(db):
    course_id = course(db, capacity=1)
    for r in (1, 2, 3, 4):
        enrol(db, course_id, r)
    with db.transaction("learning", STREET_ADMIN) as uow:
        row = uow.session.get(Course, course_id)
        row.capacity = 3
        promoted = enrolments.promote_waitlist(uow, row, NOW)
        assert [e.resident_id for e in promoted] == [2, 3]
    found = state(db, course_id)
    assert found["seats_taken"] == 3 and found["by_status"]["waitlisted"] == [4]
    # a newcomer never overtakes someone waiting, even with a seat free
    with db.transaction("learning") as uow:
        uow.session.get(Course, course_id).capacity = 4
    assert enrol(db, course_id, 5)["status"] == "waitlisted"
    assert state(db, course_id)["by_status"]["offered"] == [2, 3, 4]


# --- refusals ---------------------------------------------------------------------------------

def test_refusals_name_the_field_and_change_nothing(db):
    open_id = course(db, capacity=5, eligibility={"age_min": 60, "laid_off": True,
                                                  "community_code": COMMUNITY})
    early = course(db, enrol_opens_at=NOW + timedelta(days=1))
    late = course(db, enrol_opens_at=NOW - timedelta(days=9), enrol_closes_at=NOW - timedelta(days=1))
    cancelled = course(db, status="cancelled")
    full = course(db, capacity=1)
    enrol(db, full, 7)
    before = counts(db)
    old, young = date(1950, 1, 1), date(1990, 1, 1)
    for course_id, facts, error, field, words in (
            (early, {}, Conflict, "enrolment_window", "opens"),
            (late, {}, Conflict, "enrolment_window", "closed"),
            (cancelled, {}, Conflict, "course", "cancelled"),
            (open_id, {"birth_date": young, "flags": ["laid_off"]}, InvalidInput, "resident_id",
             "age band"),
            (open_id, {"birth_date": old}, InvalidInput, "resident_id", "laid-off"),
            (full, {}, Conflict, "resident_id", "already enrolled"),
            (full, {"status": "moved_out"}, Conflict, "resident_id", "moved_out"),
            (999999, {}, NotFound, "id", "no course")):
        resident_id = 7 if course_id == full else 8
        with pytest.raises(error) as refused:
            enrol(db, course_id, resident_id, **facts)
        assert refused.value.field == field, (course_id, refused.value.detail)
        assert words in refused.value.detail
    with pytest.raises(InvalidInput) as refused:
        call(db, WORKER, enrolments.enrol, open_id, {"resident_id": "8"}, resident(8), None)
    assert refused.value.field == "resident_id"
    with pytest.raises(InvalidInput) as refused:
        call(db, WORKER, enrolments.enrol, open_id, {"resident_id": 8, "x": 1}, resident(8), None)
    assert refused.value.field == "x"
    with pytest.raises(Forbidden):
        enrol(db, open_id, 8, caller=AUDITOR)
    assert counts(db) == before
    # a party-member course asks membership; an eligible resident passes every rule
    party = course(db, eligibility={"party_member": True})
    with pytest.raises(InvalidInput) as refused:
        enrol(db, party, 8, party_member=False)
    assert "party member" in refused.value.detail
    assert enrol(db, party, 8, party_member=True)["status"] == "enrolled"
    assert enrol(db, open_id, 8, birth_date=old, flags=["laid_off"])["status"] == "enrolled"


def test_scope_an_enrolment_elsewhere_is_not_found(db):
    with db.transaction("learning") as uow:
        school_b = make_school(uow, org_code=STREET_B + "001", name="浮桥社区学校")
        course_b = make_course(uow, school=school_b).id
    street_course = course(db)  # the community's school
    made = enrol(db, street_course, 1)
    for fn, args in ((enrolments.get_enrolment, (made["id"],)),
                     (enrolments.withdraw, (made["id"],)),
                     (enrolments.list_course_enrolments, (street_course, {}))):
        with pytest.raises(NotFound):
            call(db, OTHER_STREET, fn, *args)
    assert call(db, OTHER_STREET, enrolments.list_enrolments, {})["items"] == []
    with pytest.raises(NotFound) as refused:  # a course of another street
        enrol(db, course_b, 2)
    assert refused.value.field == "id"
    with pytest.raises(NotFound) as refused:  # a resident outside the caller's scope
        call(db, WORKER, enrolments.enrol, street_course, {"resident_id": 3},
             resident(3, grid_code=STREET_B + "001001"), None)
    assert refused.value.field == "resident_id"
    mine = call(db, STREET_ADMIN, enrolments.list_enrolments, {"resident_id": "1"})
    assert [e["id"] for e in mine["items"]] == [made["id"]]
    assert mine["items"][0]["course_title"] == "太极拳入门"


# --- targeted offers --------------------------------------------------------------------------

def flagged(resident_id, flag="laid_off", grid_code=GRID) -> dict:
    return {"event_id": str(uuid.uuid4()), "type": "membership.resident_flagged",
            "data": {"resident_id": resident_id, "grid_code": grid_code, "flag": flag,
                     "restricted": False, "on": NOW.date().isoformat(), "reason": "下岗"}}


def test_a_laid_off_flag_offers_the_next_re_employment_course_once(db):
    with db.transaction("learning") as uow:
        school = make_school(uow, org_code=STREET_A, name="江南街道社区学校")
        later = make_course(uow, school=school, category="re_employment", title="家政服务实训")
        room = make_venue(uow, school)
        make_session(uow, later, room, starts_in_hours=24 * 10)
        sooner = make_course(uow, school=school, category="re_employment", title="电脑操作")
        make_session(uow, sooner, room, starts_in_hours=24 * 3)
        make_course(uow, school=school, category="computing", title="not re-employment")
        make_course(uow, school=school, category="re_employment", title="closed",
                    enrol_closes_at=NOW - timedelta(hours=1))
        make_course(uow, school=school, category="re_employment", title="cancelled",
                    status="cancelled")
        other = make_school(uow, org_code=STREET_B, name="浮桥街道社区学校")
        make_course(uow, school=other, category="re_employment", title="another street")
        sooner_id, later_id = sooner.id, later.id
    event = flagged(1)
    first = call(db, WORKER, offers.offer_from_event, event)
    again = call(db, WORKER, offers.offer_from_event, {**event, "event_id": str(uuid.uuid4())})
    assert first["action"] == "offer" and again == {"offer_id": None, "action": "none"}
    assert call(db, WORKER, offers.offer_from_event, flagged(1, "veteran"))["action"] == "ignore"
    (offer,) = call(db, WORKER, offers.list_offers, {})["items"]
    assert (offer["course_id"], offer["resident_id"], offer["status"]) == (sooner_id, 1, "offered")
    (announced,) = events(db, "learning.course_offered")
    assert announced["data"]["course_id"] == sooner_id and announced["org_code"] == GRID
    assert call(db, OTHER_STREET, offers.list_offers, {})["items"] == []
    with pytest.raises(NotFound):
        call(db, OTHER_STREET, offers.get_offer, offer["id"])

    # declined: the next flag event offers the next course; no course left: nothing
    assert call(db, WORKER, offers.decline, offer["id"])["status"] == "declined"
    with pytest.raises(Conflict):
        call(db, WORKER, offers.decline, offer["id"])
    assert call(db, WORKER, offers.offer_from_event, flagged(1))["action"] == "offer"
    (second,) = call(db, WORKER, offers.list_offers, {"status": "offered"})["items"]
    assert second["course_id"] == later_id
    accepted = call(db, WORKER, offers.accept, second["id"], resident(1, flags=["laid_off"]),
                    None)
    assert accepted["offer"]["status"] == "accepted"
    assert accepted["enrolment"]["source"] == "offer"
    assert accepted["enrolment"]["status"] == "enrolled"
    assert accepted["offer"]["enrolment_id"] == accepted["enrolment"]["id"]
    assert call(db, WORKER, offers.offer_from_event, flagged(1))["action"] == "none"
    # a resident of a grid no re-employment course serves: nothing recorded
    nowhere = flagged(2, grid_code="350502003001001")
    assert call(db, WORKER, offers.offer_from_event, nowhere)["action"] == "none"
    assert len(events(db, "learning.course_offered")) == 2


def test_a_community_merge_refiles_enrolments_and_offers(db):
    with db.transaction("learning") as uow:
        school = make_school(uow, org_code=STREET_A, name="江南街道社区学校")
        make_course(uow, school=school, category="re_employment")
    course_id = course(db)
    made = enrol(db, course_id, 1)
    call(db, WORKER, offers.offer_from_event, flagged(1))
    new_grid = "350502001002003"
    moved = call(db, WORKER, enrolments.follow_merge, {"moves": [
        {"old_code": COMMUNITY, "new_code": "350502001002"},
        {"old_code": GRID, "new_code": new_grid}]})
    assert moved == {"enrolments": 1, "course_offers": 1}
    assert call(db, STREET_ADMIN, enrolments.get_enrolment, made["id"])["grid_code"] == new_grid
    (offer,) = call(db, STREET_ADMIN, offers.list_offers, {})["items"]
    assert offer["grid_code"] == new_grid
    assert call(db, WORKER, offers.list_offers, {})["items"] == []  # no longer its resident


# --- membership: is this resident a party member? ---------------------------------------------

def test_membership_lists_one_residents_party_member_record(service_db):
    from services.membership import organisations as orgs
    from services.membership import party_members as pm
    from tests.e2e.conftest import seed_territory
    from tests.integration.test_party_members_db import add_resident

    seed_territory(service_db)
    parent = None
    for kind, code in (("street_working_committee", STREET_A),
                       ("community_party_committee", COMMUNITY), ("branch", COMMUNITY)):
        with service_db.transaction("membership", STREET_ADMIN) as uow:
            parent = orgs.create_party_org(uow, {
                "kind": kind, "name": f"{kind} {code}", "org_code": code,
                "parent_id": parent["id"] if parent else None, "founded_on": "2010-07-01"})
    branch = parent
    member, other = add_resident(service_db, GRID), add_resident(service_db, GRID)
    for resident_id in (member, other):
        with service_db.transaction("membership", WORKER) as uow:
            pm.register_member(uow, {"resident_id": resident_id, "branch_id": branch["id"],
                                     "category": "resident", "stage": "full",
                                     "stage_since": "2020-03-01"})
    with service_db.transaction("membership", WORKER) as uow:
        found = pm.list_members(uow, {"resident_id": str(member)})["items"]
        assert [m["resident_id"] for m in found] == [member]
        assert pm.list_members(uow, {"resident_id": "999999"})["items"] == []
    with pytest.raises(InvalidInput) as refused, \
            service_db.transaction("membership", WORKER) as uow:
        pm.list_members(uow, {"resident_id": "0"})
    assert refused.value.field == "resident_id"
