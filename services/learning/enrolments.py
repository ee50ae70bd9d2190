"""Enrolment use cases: enrol (a seat or the waitlist), withdraw, confirm an offered seat, the
offer clock, and the lists.

Every change to who holds a seat happens under the course row's lock, taken first by an UPDATE
of the course (portable: on PostgreSQL the UPDATE locks the row until commit, on SQLite it takes
the database's write lock), then the course and its enrolments are read again and the rules of
``domain.enrolments`` decide. So concurrent enrolments on one course are decided one after the
other: ``seats_taken`` never exceeds the capacity and ``queue_no`` follows the order in which
they got the lock.

Refusals raise before anything is stored, and the unit of work is rolled back, so a refused
request changes nothing.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, datetime

from sqlalchemy import func, or_, select

from services.learning.courses import find_course, lock_course
from services.learning.domain import catalogue
from services.learning.domain import enrolments as rules
from services.learning.models import Course, CourseOffer, Enrolment
from services.learning.schemas.enrolments import (
    CourseEnrolmentListQuerySchema,
    EnrolmentCreateSchema,
    EnrolmentListQuerySchema,
    EnrolmentSchema,
)
from shared.context import require_caller, require_role, require_scope
from shared.db import UnitOfWork
from shared.errors import Conflict, NotFound
from shared.events.outbox import utcnow
from shared.lookup import is_row_id
from shared.pagination import after_id, page_of
from shared.territory import refile_codes
from shared.validation import load

_schema = EnrolmentSchema()
Transaction = Callable[[], AbstractContextManager[UnitOfWork]]


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


def _actor(uow: UnitOfWork) -> str:
    return uow.caller.actor if uow.caller else "system"


# --- the course: seeing it, locking it --------------------------------------------------------

def visible_course(uow: UnitOfWork, course_id, field: str = "id") -> Course:
    """The course with this id, 404 when absent or out of the caller's sight (seen from the
    school's territory and from beneath it: a community worker enrols residents on the street
    school's courses)."""
    return find_course(uow, course_id, field)


# --- rendering --------------------------------------------------------------------------------

def _positions(uow: UnitOfWork, course_ids: set[int]) -> dict[tuple[int, int], int]:
    """(course_id, queue_no) → place in the line, for every waitlisted enrolment of these courses."""
    if not course_ids:
        return {}
    by_course: dict[int, list[int]] = {}
    for course_id, queue_no in uow.session.execute(
            select(Enrolment.course_id, Enrolment.queue_no).where(
                Enrolment.course_id.in_(course_ids), Enrolment.status == rules.WAITLISTED)):
        by_course.setdefault(course_id, []).append(queue_no)
    return {(course_id, queue_no): place for course_id, queue_nos in by_course.items()
            for queue_no, place in rules.positions(queue_nos).items()}


def render_enrolments(uow: UnitOfWork, rows: list[Enrolment]) -> list[dict]:
    course_ids = {row.course_id for row in rows}
    titles = dict(uow.session.execute(select(Course.id, Course.title).where(
        Course.id.in_(course_ids))).all()) if course_ids else {}
    places = _positions(uow, {row.course_id for row in rows if row.status == rules.WAITLISTED})
    return [_schema.dump({
        "id": row.id, "course_id": row.course_id, "course_title": titles.get(row.course_id, ""),
        "resident_id": row.resident_id, "resident_name": row.resident_name,
        "grid_code": row.grid_code, "status": row.status, "queue_no": row.queue_no,
        "position": places.get((row.course_id, row.queue_no)) if row.status == rules.WAITLISTED
        else None,
        "source": row.source, "offered_at": row.offered_at, "confirm_by": row.confirm_by,
        "withdrawn_at": row.withdrawn_at, "completed_at": row.completed_at,
        "created_by": row.created_by, "created_at": row.created_at,
        "updated_at": row.updated_at}) for row in rows]


def render_enrolment(uow: UnitOfWork, row: Enrolment) -> dict:
    return render_enrolments(uow, [row])[0]


def _event(enrolment: Enrolment, course: Course, **extra) -> dict:
    return {"enrolment_id": enrolment.id, "course_id": course.id,
            "resident_id": enrolment.resident_id, "grid_code": enrolment.grid_code,
            "course_org_code": course.org_code, **extra}


# --- the resident, as membership answered -----------------------------------------------------

def resident_facts(answer: dict) -> dict:
    """What enrolment needs of membership's resident record (nothing else is kept)."""
    birth = answer.get("birth_date")
    return {"id": answer["id"], "name": answer["name"], "grid_code": answer["grid_code"],
            "status": answer.get("status", "active"),
            "birth_date": date.fromisoformat(birth) if isinstance(birth, str) else birth,
            "flags": [f["flag"] for f in answer.get("flags") or []]}


# --- enrolling --------------------------------------------------------------------------------

def check_enrolment(uow: UnitOfWork, course_id, payload: dict) -> tuple[dict, bool]:
    """The payload loaded, from a caller who may enrol on a course they see; refused before
    membership is asked anything. Returns it and whether the course requires party members."""
    data = load(EnrolmentCreateSchema, payload)
    require_role(require_caller(uow.caller), *catalogue.ENROLLER_ROLES)
    course = visible_course(uow, course_id)
    return data, rules.requires_party_membership(course.eligibility)


def promote_waitlist(uow: UnitOfWork, course: Course, now: datetime | None = None) -> list[Enrolment]:
    """Offer every free seat of the course to the first on its waitlist (lowest ``queue_no``),
    each held until ``now + confirm_hours``. Takes the course's lock itself. Returns the
    enrolments offered a seat."""
    return _offer_free_seats(uow, lock_course(uow, course.id), _now(now))


def _offer_free_seats(uow: UnitOfWork, course: Course, now: datetime) -> list[Enrolment]:
    """``promote_waitlist`` for a caller already holding the course's lock."""
    free = rules.seats_free(course.capacity, course.seats_taken)
    if free == 0 or course.status != "open":
        return []
    waiting = list(uow.session.scalars(
        select(Enrolment).where(Enrolment.course_id == course.id,
                                Enrolment.status == rules.WAITLISTED)
        .order_by(Enrolment.queue_no).limit(free)
        .execution_options(populate_existing=True)))
    chosen = {w.enrolment_id for w in rules.to_promote(
        course.capacity, course.seats_taken, course.status,
        [rules.Waiting(e.id, e.queue_no) for e in waiting])}
    promoted = []
    for enrolment in waiting:
        if enrolment.id not in chosen:
            continue
        enrolment.status = rules.OFFERED
        enrolment.offered_at = now
        enrolment.confirm_by = rules.confirm_deadline(now, course.confirm_hours)
        enrolment.updated_at = now
        course.seats_taken += 1
        promoted.append(enrolment)
    uow.session.flush()
    for enrolment in promoted:
        uow.emit("learning.seat_offered", _event(
            enrolment, course, queue_no=enrolment.queue_no,
            confirm_by=enrolment.confirm_by.isoformat()), org_code=enrolment.grid_code)
    return promoted


def enrol_resident(uow: UnitOfWork, course: Course, resident: dict, party_member: bool | None,
                   now: datetime | None = None, source: str = "self") -> Enrolment:
    """Enrol the resident (``resident_facts``) on the course: a seat if one is free, else the
    end of the waitlist. The caller has checked roles and that it sees the course."""
    now = _now(now)
    if not require_caller(uow.caller).can_see(resident["grid_code"]):
        raise NotFound(f"resident_id: no resident {resident['id']} in your scope",
                       field="resident_id")
    if resident["status"] != "active":
        raise Conflict(f"resident_id: the resident is {resident['status']}", field="resident_id")
    # cheap refusals first, then again under the lock (the course may have changed meanwhile)
    for locked in (False, True):
        if locked:
            course = lock_course(uow, course.id, take_queue_no=True)
        rules.check_course_open(course.status)
        rules.check_window(course.enrol_opens_at, course.enrol_closes_at, now)
        rules.check_eligible(course.eligibility, birth_date=resident["birth_date"],
                             flags=resident["flags"], grid_code=resident["grid_code"],
                             party_member=party_member, today=now.date())
    queue_no = course.next_queue_no - 1
    existing = uow.session.scalar(
        select(Enrolment).where(Enrolment.course_id == course.id,
                                Enrolment.resident_id == resident["id"])
        .execution_options(populate_existing=True))
    rules.check_can_enrol(existing.status if existing else None)
    _offer_free_seats(uow, course, now)  # nobody waiting may be overtaken by a free seat
    waiting = uow.session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.course_id == course.id, Enrolment.status == rules.WAITLISTED))
    status = rules.status_for_new(course.capacity, course.seats_taken, waiting)
    enrolment = existing or Enrolment(course_id=course.id, resident_id=resident["id"],
                                      created_at=now)
    enrolment.resident_name = resident["name"][:100]
    enrolment.grid_code = resident["grid_code"]
    enrolment.status, enrolment.queue_no, enrolment.source = status, queue_no, source
    enrolment.offered_at = enrolment.confirm_by = enrolment.withdrawn_at = None
    enrolment.created_by = _actor(uow)
    enrolment.updated_at = now
    if existing is None:
        uow.session.add(enrolment)
    if rules.holds_a_seat(status):
        course.seats_taken += 1
    uow.session.flush()
    if status == rules.ENROLLED:
        uow.emit("learning.enrolled", _event(enrolment, course, source=source),
                 org_code=enrolment.grid_code)
    else:
        uow.emit("learning.waitlisted", _event(enrolment, course, source=source,
                                               queue_no=queue_no, position=waiting + 1),
                 org_code=enrolment.grid_code)
    return enrolment


def enrol(uow: UnitOfWork, course_id, payload: dict, resident: dict, party_member: bool | None,
          now: datetime | None = None) -> dict:
    """``resident`` is membership's answer for the payload's resident (``resident_facts``);
    ``party_member`` whether they are one, asked only when the course requires it."""
    data, _ = check_enrolment(uow, course_id, payload)
    if resident["id"] != data["resident_id"]:
        raise NotFound(f"resident_id: no resident {data['resident_id']} in your scope",
                       field="resident_id")
    course = visible_course(uow, course_id)
    return render_enrolment(uow, enrol_resident(uow, course, resident, party_member, now))


# --- one enrolment: reading, withdrawing, confirming ------------------------------------------

def visible_enrolment(uow: UnitOfWork, enrolment_id, field: str = "id") -> Enrolment:
    """An enrolment is seen by callers whose territory holds the resident's grid or the
    course's school."""
    caller = require_caller(uow.caller)
    missing = NotFound(f"{field}: no enrolment {enrolment_id} in your scope", field=field)
    if not is_row_id(enrolment_id):
        raise missing
    row = uow.session.execute(select(Enrolment, Course.org_code).join(
        Course, Course.id == Enrolment.course_id).where(Enrolment.id == enrolment_id)).first()
    if row is None or not (caller.can_see(row[0].grid_code) or caller.can_see(row[1])):
        raise missing
    return row[0]


def get_enrolment(uow: UnitOfWork, enrolment_id) -> dict:
    return render_enrolment(uow, visible_enrolment(uow, enrolment_id))


def _locked_enrolment(uow: UnitOfWork, enrolment_id) -> tuple[Enrolment, Course]:
    require_role(require_caller(uow.caller), *catalogue.ENROLLER_ROLES)
    enrolment = visible_enrolment(uow, enrolment_id)
    course = lock_course(uow, enrolment.course_id)
    enrolment = uow.session.scalar(select(Enrolment).where(Enrolment.id == enrolment.id)
                                   .execution_options(populate_existing=True))
    return enrolment, course


def withdraw(uow: UnitOfWork, enrolment_id, now: datetime | None = None) -> dict:
    """The resident leaves the course (or its waitlist); a seat they held is offered to the
    first on the waitlist."""
    now = _now(now)
    enrolment, course = _locked_enrolment(uow, enrolment_id)
    rules.check_can_withdraw(enrolment.status)
    from_status = enrolment.status
    seat_freed = rules.holds_a_seat(from_status)
    enrolment.status = rules.WITHDRAWN
    enrolment.withdrawn_at = enrolment.updated_at = now
    enrolment.confirm_by = None
    if seat_freed:
        course.seats_taken -= 1
    uow.session.flush()
    uow.emit("learning.enrolment_withdrawn", _event(
        enrolment, course, from_status=from_status, seat_freed=seat_freed),
        org_code=enrolment.grid_code)
    promoted = _offer_free_seats(uow, course, now) if seat_freed else []
    return {"enrolment": render_enrolment(uow, enrolment),
            "promoted": render_enrolments(uow, promoted)}


def confirm(uow: UnitOfWork, enrolment_id, now: datetime | None = None) -> dict:
    """An offered seat confirmed before its deadline: enrolled."""
    now = _now(now)
    enrolment, course = _locked_enrolment(uow, enrolment_id)
    rules.check_can_confirm(enrolment.status, enrolment.confirm_by, now)
    rules.check_course_open(course.status)
    enrolment.status = rules.ENROLLED
    enrolment.updated_at = now
    uow.session.flush()
    uow.emit("learning.enrolment_confirmed", _event(enrolment, course),
             org_code=enrolment.grid_code)
    return render_enrolment(uow, enrolment)


# --- the offer clock --------------------------------------------------------------------------

def expire_course_offers(uow: UnitOfWork, course_id: int, now: datetime) -> dict:
    """Under the course's lock: its offers past their deadline expire, the seats go to the next
    in line. Another instance that did it first leaves nothing to do here."""
    course = lock_course(uow, course_id)
    lapsed = list(uow.session.scalars(
        select(Enrolment).where(Enrolment.course_id == course_id,
                                Enrolment.status == rules.OFFERED, Enrolment.confirm_by < now)
        .order_by(Enrolment.queue_no).execution_options(populate_existing=True)))
    for enrolment in lapsed:
        enrolment.status = rules.EXPIRED
        enrolment.updated_at = now
        course.seats_taken -= 1
    uow.session.flush()
    for enrolment in lapsed:
        uow.emit("learning.seat_offer_expired", _event(
            enrolment, course, confirm_by=enrolment.confirm_by.isoformat()),
            org_code=enrolment.grid_code)
    promoted = _offer_free_seats(uow, course, now) if lapsed else []
    return {"expired": [e.id for e in lapsed], "offered": [e.id for e in promoted]}


def run_offer_clock(transaction: Transaction, now: datetime | None = None,
                    batch_size: int = 100) -> dict:
    """One tick: every course with an offer past its deadline is handled in a transaction of its
    own (``transaction()`` opens one). Safe with any number of instances ticking at once."""
    now = _now(now)
    expired: list[int] = []
    offered: list[int] = []
    after = 0
    while True:
        with transaction() as uow:
            course_ids = list(uow.session.scalars(
                select(Enrolment.course_id).where(Enrolment.status == rules.OFFERED,
                                                  Enrolment.confirm_by < now,
                                                  Enrolment.course_id > after)
                .group_by(Enrolment.course_id).order_by(Enrolment.course_id).limit(batch_size)))
        for course_id in course_ids:
            with transaction() as uow:
                done = expire_course_offers(uow, course_id, now)
            expired += done["expired"]
            offered += done["offered"]
        if len(course_ids) < batch_size:
            return {"expired": expired, "offered": offered}
        after = course_ids[-1]


# --- lists ------------------------------------------------------------------------------------

def list_course_enrolments(uow: UnitOfWork, course_id, query_args: dict) -> dict:
    """A course's enrolments: the school's territory sees all, a caller beneath it those of its
    own residents. Waitlisted ones come in waitlist order."""
    args = load(CourseEnrolmentListQuerySchema, query_args)
    caller = require_caller(uow.caller)
    course = visible_course(uow, course_id)
    query = select(Enrolment).where(Enrolment.course_id == course.id)
    if not caller.can_see(course.org_code):
        query = query.where(Enrolment.grid_code.like(f"{caller.scope}%"))
    if args["status"]:
        query = query.where(Enrolment.status == args["status"])
    # the waitlist in its order (queue numbers are unique on a course), anything else by id
    key = Enrolment.queue_no if args["status"] == rules.WAITLISTED else Enrolment.id
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(key > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(key).limit(limit + 1)))
    page = page_of(rows, limit, key=lambda row: getattr(row, key.key), render=lambda row: row)
    page["items"] = render_enrolments(uow, page["items"])
    return page


def list_enrolments(uow: UnitOfWork, query_args: dict) -> dict:
    """Enrolments of residents in the caller's territory, or on its schools' courses."""
    args = load(EnrolmentListQuerySchema, query_args)
    caller = require_caller(uow.caller)
    require_scope(caller, caller.scope or "", "scope")
    query = select(Enrolment).join(Course, Course.id == Enrolment.course_id).where(or_(
        Enrolment.grid_code.like(f"{caller.scope}%"), Course.org_code.like(f"{caller.scope}%")))
    for field in ("resident_id", "course_id", "status"):
        if args[field] is not None:
            query = query.where(getattr(Enrolment, field) == args[field])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(Enrolment.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(Enrolment.id).limit(limit + 1)))
    page = page_of(rows, limit, key=lambda row: row.id, render=lambda row: row)
    page["items"] = render_enrolments(uow, page["items"])
    return page


# --- the territory changes beneath them -------------------------------------------------------

def follow_merge(uow: UnitOfWork, data: dict) -> dict:
    """Apply ``membership.communities_merged``: enrolments and course offers of residents in the
    absorbed community's grids take the grids' new codes (so scope keeps finding them)."""
    return refile_codes(uow, [Enrolment.grid_code, CourseOffer.grid_code], data["moves"])
