"""Course and session use cases: create, change, cancel, finish, schedule, hold; read and list.

Load, apply the rules in ``domain.courses``, store, emit. Writes need a manager role and a course
within the caller's scope. A course is *read* by callers in its school's territory and by those
beneath it (a community worker sees the street school's courses, to enrol residents on them);
anything else is answered like an id that does not exist (404).

Booking a venue and a teacher cannot race: before looking for clashes a booking takes the
venue's row lock, then the teacher's (an UPDATE of ``lock_version``, in that fixed order and by
ascending id, portable to SQLite — where it takes the database's write lock — and PostgreSQL),
so of two overlapping bookings the second sees the first.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import and_, func, or_, select, update

from services.learning.domain import courses as rules
from services.learning.models import Course, CourseSession, Enrolment, School, Teacher, Venue
from services.learning.schemas.courses import (
    CourseCancelSchema,
    CourseCreateSchema,
    CourseListQuerySchema,
    CourseSchema,
    CourseUpdateSchema,
    SessionBatchSchema,
    SessionCancelSchema,
    SessionCreateSchema,
    SessionListQuerySchema,
    SessionSchema,
    SessionUpdateSchema,
)
from services.learning.schools import (
    actor_of,
    areas_above,
    find_school,
    find_teacher,
    find_venue,
    seen_from,
    teacher_view,
)
from shared.context import require_caller, require_scope
from shared.db import UnitOfWork
from shared.errors import Conflict, DomainError, InvalidInput, NotFound
from shared.events.outbox import utcnow
from shared.lookup import is_row_id
from shared.pagination import MAX_ROW_ID, after_id, decode_cursor, encode_cursor
from shared.validation import load

_course_schema = CourseSchema()
_session_schema = SessionSchema()
WAITLISTED = "waitlisted"


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


# --- seeing and locking a course --------------------------------------------------------------

def find_course(uow: UnitOfWork, course_id, field: str = "id", *, writing: bool = False) -> Course:
    """The course with this id as the caller may see it (``writing``: within their scope)."""
    caller = require_caller(uow.caller)
    missing = NotFound(f"{field}: no course {course_id} in your scope", field=field)
    if not is_row_id(course_id):
        raise missing
    course = uow.session.get(Course, course_id)
    if course is None or not seen_from(caller, course.org_code):
        raise missing
    if writing:
        rules.require_manager(caller)
        if not caller.can_see(course.org_code):
            raise missing
    return course


def lock_course(uow: UnitOfWork, course_id: int, *, take_queue_no: bool = False) -> Course:
    """Take the course row's lock, held until the unit of work ends, and return the course as
    it is now. Everything that changes who holds a seat, signs a class in or changes the course
    takes it first, by an UPDATE: PostgreSQL locks the row, SQLite takes its write lock, so the
    reads after it see every earlier commit. ``take_queue_no``: the same UPDATE hands out the
    next waitlist number (the course's ``next_queue_no`` before the bump). ``updated_at`` is
    kept: taking the lock is not a change to the course."""
    bump = Course.next_queue_no + 1 if take_queue_no else Course.next_queue_no
    done = uow.session.execute(update(Course).where(Course.id == course_id)
                               .values(next_queue_no=bump, updated_at=Course.updated_at)
                               .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise NotFound(f"id: no course {course_id}", field="id")
    return uow.session.scalar(select(Course).where(Course.id == course_id)
                              .execution_options(populate_existing=True))


# --- rendering --------------------------------------------------------------------------------

def _counts(uow: UnitOfWork, column, where, ids: list[int]) -> dict[int, int]:
    counts = dict.fromkeys(ids, 0)
    if ids:
        counts.update(uow.session.execute(
            select(column, func.count()).where(column.in_(ids), where).group_by(column)).all())
    return counts


def _by_id(uow: UnitOfWork, model, ids) -> dict:
    ids = set(ids)
    if not ids:
        return {}
    return {row.id: row for row in uow.session.scalars(select(model).where(model.id.in_(ids)))}


def render_courses(uow: UnitOfWork, courses: list[Course], now: datetime | None = None) -> list[dict]:
    """Courses as the API shows them (one query per kind of related row, not per course)."""
    now = _now(now)
    ids = [course.id for course in courses]
    schools = _by_id(uow, School, (course.school_id for course in courses))
    teachers = _by_id(uow, Teacher, (course.teacher_id for course in courses))
    waiting = _counts(uow, Enrolment.course_id, Enrolment.status == WAITLISTED, ids)
    sessions = _counts(uow, CourseSession.course_id, CourseSession.status != "cancelled", ids)
    return [_course_schema.dump({
        "id": course.id, "school_id": course.school_id,
        "school_name": schools[course.school_id].name, "org_code": course.org_code,
        "title": course.title, "description": course.description, "category": course.category,
        "target_group": course.target_group, "eligibility": course.eligibility or {},
        "format": course.format, "teacher": teacher_view(teachers[course.teacher_id]),
        "capacity": course.capacity, "seats_taken": course.seats_taken,
        "seats_left": max(course.capacity - course.seats_taken, 0),
        "waitlist_length": waiting[course.id], "session_count": sessions[course.id],
        "enrol_opens_at": course.enrol_opens_at, "enrol_closes_at": course.enrol_closes_at,
        "enrolment_open": rules.enrolment_open(course.status, course.enrol_opens_at,
                                               course.enrol_closes_at, now),
        "confirm_hours": course.confirm_hours,
        "completion_threshold": course.completion_threshold,
        "attendance_weights": rules.effective_weights(course.attendance_weights),
        "permanent": course.permanent, "brand": course.brand, "status": course.status,
        "created_by": course.created_by, "created_at": course.created_at,
        "updated_at": course.updated_at}) for course in courses]


def render_course(uow: UnitOfWork, course: Course, now: datetime | None = None) -> dict:
    return render_courses(uow, [course], now)[0]


def render_sessions(uow: UnitOfWork, sessions: list[CourseSession]) -> list[dict]:
    courses = _by_id(uow, Course, (s.course_id for s in sessions))
    venues = _by_id(uow, Venue, (s.venue_id for s in sessions))
    teachers = _by_id(uow, Teacher, (s.teacher_id for s in sessions))
    return [_session_schema.dump({
        "id": s.id, "course_id": s.course_id, "course_title": courses[s.course_id].title,
        "org_code": courses[s.course_id].org_code,
        "venue": {"id": s.venue_id, "name": venues[s.venue_id].name,
                  "address": venues[s.venue_id].address},
        "teacher": teacher_view(teachers[s.teacher_id]), "starts_at": s.starts_at,
        "ends_at": s.ends_at, "hours": rules.volunteer_hours(s.starts_at, s.ends_at),
        "topic": s.topic, "status": s.status, "held_at": s.held_at, "created_by": s.created_by,
        "created_at": s.created_at, "updated_at": s.updated_at}) for s in sessions]


def render_session(uow: UnitOfWork, session: CourseSession) -> dict:
    return render_sessions(uow, [session])[0]


# --- courses ----------------------------------------------------------------------------------

def create_course(uow: UnitOfWork, payload: dict, now: datetime | None = None) -> dict:
    data = load(CourseCreateSchema, payload)
    caller = require_caller(uow.caller)
    rules.require_manager(caller)
    school = find_school(uow, data["school_id"], "school_id")
    teacher = find_teacher(uow, data["teacher_id"], "teacher_id")
    title = (data["title"] or "").strip()
    if not title:
        raise InvalidInput("title: must not be blank", field="title")
    eligibility = rules.check_eligibility(data["eligibility"] or {}, school.org_code)
    if "community_code" in eligibility:
        require_scope(caller, eligibility["community_code"], "eligibility.community_code")
    rules.check_enrolment_window(data["enrol_opens_at"], data["enrol_closes_at"])
    weights = rules.attendance_weights(data["attendance_weights"])
    course = Course(
        school_id=school.id, org_code=school.org_code, title=title,
        description=(data["description"] or "").strip() or None, category=data["category"],
        target_group=data["target_group"], eligibility=eligibility, format=data["format"],
        teacher_id=teacher.id, capacity=data["capacity"],
        enrol_opens_at=data["enrol_opens_at"], enrol_closes_at=data["enrol_closes_at"],
        confirm_hours=data["confirm_hours"], completion_threshold=data["completion_threshold"],
        attendance_weights=weights, permanent=data["permanent"], brand=data["brand"],
        status="open", seats_taken=0, next_queue_no=1, created_by=actor_of(uow))
    uow.session.add(course)
    uow.session.flush()
    uow.emit("learning.course_created", {
        "course_id": course.id, "school_id": school.id, "org_code": course.org_code,
        "title": course.title, "category": course.category,
        "target_group": course.target_group, "format": course.format,
        "teacher_id": teacher.id, "capacity": course.capacity,
        "enrol_opens_at": course.enrol_opens_at.isoformat(),
        "enrol_closes_at": course.enrol_closes_at.isoformat()}, org_code=course.org_code)
    return render_course(uow, course, now)


def get_course(uow: UnitOfWork, course_id: int, now: datetime | None = None) -> dict:
    return render_course(uow, find_course(uow, course_id), now)


def on_capacity_raised(uow: UnitOfWork, course: Course, now: datetime | None = None) -> list:
    """Seats freed by a larger capacity go to the waitlist, in order (the enrolment area's
    ``promote_waitlist``; nothing when that area is not installed)."""
    try:
        from services.learning.enrolments import promote_waitlist
    except ImportError:
        return []
    return promote_waitlist(uow, course, _now(now))


def update_course(uow: UnitOfWork, course_id: int, payload: dict,
                  now: datetime | None = None) -> dict:
    data = load(CourseUpdateSchema, payload)
    if not data:
        raise InvalidInput("body: name at least one field to change", field="body")
    now = _now(now)
    course = lock_course(uow, find_course(uow, course_id, writing=True).id)
    rules.check_course_status(course.status, "change it")
    if "title" in data:
        course.title = data["title"].strip()
        if not course.title:
            raise InvalidInput("title: must not be blank", field="title")
    if "description" in data:
        course.description = (data["description"] or "").strip() or None
    raised = False
    if "capacity" in data:
        rules.check_capacity_change(data["capacity"], course.seats_taken)
        raised = data["capacity"] > course.capacity
        if raised:
            smallest = uow.session.execute(
                select(Venue.id, Venue.name, Venue.capacity)
                .join(CourseSession, CourseSession.venue_id == Venue.id)
                .where(CourseSession.course_id == course.id,
                       CourseSession.status == "scheduled")
                .order_by(Venue.capacity, Venue.id).limit(1)).first()
            if smallest:
                rules.check_room_for(data["capacity"], *smallest)
        course.capacity = data["capacity"]
    course.updated_at = now
    uow.session.flush()
    if raised:
        on_capacity_raised(uow, course, now)
    return render_course(uow, course, now)


def cancel_course(uow: UnitOfWork, course_id: int, payload: dict,
                  now: datetime | None = None) -> dict:
    """Cancel a course and its sessions still scheduled (their venues and teachers free)."""
    data = load(CourseCancelSchema, payload)
    reason = data["reason"].strip()
    if not reason:
        raise InvalidInput("reason: must not be blank", field="reason")
    now = _now(now)
    course = lock_course(uow, find_course(uow, course_id, writing=True).id)
    rules.check_course_status(course.status, "cancel it")
    scheduled = list(uow.session.scalars(select(CourseSession).where(
        CourseSession.course_id == course.id, CourseSession.status == "scheduled")
        .order_by(CourseSession.id)))
    for session in scheduled:
        session.status, session.updated_at = "cancelled", now
    course.status, course.updated_at = "cancelled", now
    uow.session.flush()
    uow.emit("learning.course_cancelled", {
        "course_id": course.id, "school_id": course.school_id, "org_code": course.org_code,
        "title": course.title, "reason": reason,
        "cancelled_session_ids": [session.id for session in scheduled]}, org_code=course.org_code)
    return render_course(uow, course, now)


def finish_course(uow: UnitOfWork, course_id: int, now: datetime | None = None) -> dict:
    """Close a course that has run: refused while a session of it is still to come."""
    now = _now(now)
    course = lock_course(uow, find_course(uow, course_id, writing=True).id)
    rules.check_course_status(course.status, "finish it")
    upcoming = uow.session.scalar(select(func.count()).select_from(CourseSession).where(
        CourseSession.course_id == course.id, CourseSession.status == "scheduled",
        CourseSession.starts_at > now))
    if upcoming:
        raise Conflict(f"status: {upcoming} sessions are still to come; hold or cancel "
                             f"them first", field="status")
    course.status, course.updated_at = "finished", now
    uow.session.flush()
    return render_course(uow, course, now)


def list_courses(uow: UnitOfWork, query_args: dict, now: datetime | None = None) -> dict:
    args = load(CourseListQuerySchema, query_args)
    caller = require_caller(uow.caller)
    require_scope(caller, caller.scope or "", "scope")
    now = _now(now)
    scope = caller.scope or ""
    query = select(Course).where(or_(Course.org_code.like(f"{scope}%"),
                                     Course.org_code.in_(areas_above(scope))))
    if args["code"]:
        if not seen_from(caller, args["code"]):
            require_scope(caller, args["code"], "code")
        query = query.where(Course.org_code.like(f"{args['code']}%"))
    for name in ("category", "target_group", "format", "school_id", "status"):
        if args[name] is not None:
            query = query.where(getattr(Course, name) == args[name])
    if args["open_for_enrolment"] is not None:
        is_open = and_(Course.status == "open", Course.enrol_opens_at <= now,
                       Course.enrol_closes_at > now)
        query = query.where(is_open if args["open_for_enrolment"] else ~is_open)
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(Course.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(Course.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": render_courses(uow, rows, now),
            "next_cursor": encode_cursor(rows[-1].id) if more and rows else None}


# --- sessions: booking a venue and a teacher ---------------------------------------------------

def lock_bookings(uow: UnitOfWork, venue_ids, teacher_ids) -> None:
    """The rows whose lock a booking holds while it checks for clashes: venues, then teachers,
    each by ascending id (one order for every booking, so two cannot deadlock)."""
    for model, ids in ((Venue, venue_ids), (Teacher, teacher_ids)):
        for row_id in sorted(set(ids)):
            uow.session.execute(update(model).where(model.id == row_id)
                                .values(lock_version=model.lock_version + 1)
                                .execution_options(synchronize_session=False))


def _first_booking(uow: UnitOfWork, column, row_id: int, starts_at: datetime, ends_at: datetime,
                   exclude_id: int | None) -> rules.BookedSession | None:
    query = (select(CourseSession.id, Course.title, CourseSession.starts_at,
                    CourseSession.ends_at)
             .join(Course, Course.id == CourseSession.course_id)
             .where(column == row_id, CourseSession.status != "cancelled",
                    CourseSession.starts_at < ends_at, CourseSession.ends_at > starts_at))
    if exclude_id is not None:
        query = query.where(CourseSession.id != exclude_id)
    found = uow.session.execute(query.order_by(CourseSession.starts_at, CourseSession.id)
                                .limit(1)).first()
    return rules.BookedSession(*found) if found else None


def check_clashes(uow: UnitOfWork, venue: Venue, teacher: Teacher, starts_at: datetime,
                  ends_at: datetime, exclude_id: int | None = None) -> None:
    """Refuse (409) a booking of a venue or a teacher already holding an overlapping session.
    The caller holds both rows' locks (``lock_bookings``)."""
    booked = _first_booking(uow, CourseSession.venue_id, venue.id, starts_at, ends_at, exclude_id)
    if booked:
        raise rules.clash("venue_id", f"venue {venue.id} ({venue.name})", booked)
    booked = _first_booking(uow, CourseSession.teacher_id, teacher.id, starts_at, ends_at,
                            exclude_id)
    if booked:
        raise rules.clash("teacher", f"teacher {teacher.id} ({teacher.name})", booked)


def _session_facts(session: CourseSession, course: Course, teacher: Teacher) -> dict:
    return {"course_id": course.id, "session_id": session.id, "org_code": course.org_code,
            "venue_id": session.venue_id, "teacher_id": teacher.id,
            "teacher_kind": teacher.kind, "volunteer_id": teacher.volunteer_id,
            "starts_at": session.starts_at.isoformat(), "ends_at": session.ends_at.isoformat()}


def _in_batch(index: int | None, error: DomainError) -> DomainError:
    """An error of the ``index``-th session of a batch, naming ``sessions.<index>.<field>``."""
    if index is None:
        return error
    prefix = f"sessions.{index}."
    return type(error)(prefix + error.detail, field=prefix + (error.field or "body"),
                       errors=error.errors)


def _planned(uow: UnitOfWork, course: Course, item: dict) -> tuple[Venue, Teacher]:
    """The venue and teacher of a session to book, found and checked (before any lock)."""
    rules.check_session_times(item["starts_at"], item["ends_at"])
    venue = find_venue(uow, item["venue_id"], "venue_id")
    rules.check_venue_fits(venue.capacity, course.capacity)
    teacher_id = item.get("teacher_id") or course.teacher_id
    teacher = (find_teacher(uow, teacher_id, "teacher_id") if item.get("teacher_id")
               else uow.session.get(Teacher, teacher_id))
    return venue, teacher


def schedule_sessions(uow: UnitOfWork, course_id: int, payload: dict) -> dict:
    """One session, or ``{"sessions": [...]}`` (up to 60) booked all or none."""
    batch = isinstance(payload, dict) and "sessions" in payload
    data = load(SessionBatchSchema if batch else SessionCreateSchema, payload)
    items = data["sessions"] if batch else [data]
    course = find_course(uow, course_id, writing=True)
    rules.check_course_status(course.status, "schedule sessions")
    planned = []
    for index, item in enumerate(items):
        try:
            planned.append((item, *_planned(uow, course, item)))
        except DomainError as error:
            raise _in_batch(index if batch else None, error) from None
    lock_bookings(uow, [venue.id for _, venue, _ in planned],
                  [teacher.id for _, _, teacher in planned])
    actor = actor_of(uow)
    booked = []
    for index, (item, venue, teacher) in enumerate(planned):
        try:
            check_clashes(uow, venue, teacher, item["starts_at"], item["ends_at"])
        except DomainError as error:
            raise _in_batch(index if batch else None, error) from None
        session = CourseSession(course_id=course.id, venue_id=venue.id, teacher_id=teacher.id,
                                starts_at=item["starts_at"], ends_at=item["ends_at"],
                                topic=(item["topic"] or "").strip() or None,
                                status="scheduled", created_by=actor)
        uow.session.add(session)
        uow.session.flush()  # the next of the batch sees it
        booked.append((session, teacher))
    for session, teacher in booked:
        uow.emit("learning.session_scheduled", {
            **_session_facts(session, course, teacher), "topic": session.topic,
            "rescheduled": False}, org_code=course.org_code)
    rendered = render_sessions(uow, [session for session, _ in booked])
    return {"items": rendered} if batch else rendered[0]


def find_session(uow: UnitOfWork, session_id, field: str = "id", *,
                 writing: bool = False) -> tuple[CourseSession, Course]:
    """The session and its course, as the caller may see it (``writing``: within scope)."""
    caller = require_caller(uow.caller)
    missing = NotFound(f"{field}: no session {session_id} in your scope", field=field)
    if not is_row_id(session_id):
        raise missing
    session = uow.session.get(CourseSession, session_id)
    course = uow.session.get(Course, session.course_id) if session else None
    if course is None or not seen_from(caller, course.org_code):
        raise missing
    if writing:
        rules.require_manager(caller)
        if not caller.can_see(course.org_code):
            raise missing
    return session, course


def get_session(uow: UnitOfWork, session_id: int) -> dict:
    session, _course = find_session(uow, session_id)
    return render_session(uow, session)


def _session_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """A sessions page resumes after (starts_at, id) of the last session it showed."""
    last = decode_cursor(cursor)
    if last is None:
        return None
    try:
        starts_at, session_id = str(last).rsplit("|", 1)
        starts_at, session_id = datetime.fromisoformat(starts_at), int(session_id)
        if starts_at.tzinfo is None or not 0 <= session_id <= MAX_ROW_ID:
            raise ValueError(last)
        # in UTC here: a forged time at the edge of year 1 or 9999 fails now, not when bound
        return starts_at.astimezone(timezone.utc), session_id
    except (ValueError, OverflowError):
        raise InvalidInput("cursor: not a cursor this API gave out", field="cursor") from None


def list_sessions(uow: UnitOfWork, course_id: int, query_args: dict) -> dict:
    """A course's sessions in time order."""
    args = load(SessionListQuerySchema, query_args)
    course = find_course(uow, course_id)
    query = select(CourseSession).where(CourseSession.course_id == course.id)
    if args["status"]:
        query = query.where(CourseSession.status == args["status"])
    after = _session_cursor(args["cursor"])
    if after is not None:
        starts_at, last_id = after
        query = query.where(or_(CourseSession.starts_at > starts_at,
                                and_(CourseSession.starts_at == starts_at,
                                     CourseSession.id > last_id)))
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(CourseSession.starts_at, CourseSession.id)
                                    .limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows else None
    return {"items": render_sessions(uow, rows),
            "next_cursor": encode_cursor(f"{last.starts_at.isoformat()}|{last.id}")
            if more and last else None}


def reschedule_session(uow: UnitOfWork, session_id: int, payload: dict) -> dict:
    """Move a scheduled session (time, venue, teacher) or retitle it; a move is checked for
    clashes as a new booking is."""
    data = load(SessionUpdateSchema, payload)
    if not data:
        raise InvalidInput("body: name at least one field to change", field="body")
    session, course = find_session(uow, session_id, writing=True)
    rules.check_session_status(session.status, "reschedule it")
    rules.check_course_status(course.status, "reschedule its sessions")
    starts_at = data.get("starts_at", session.starts_at)
    ends_at = data.get("ends_at", session.ends_at)
    rules.check_session_times(starts_at, ends_at, "ends_at" if "ends_at" in data else "starts_at")
    venue = (find_venue(uow, data["venue_id"], "venue_id") if "venue_id" in data
             else uow.session.get(Venue, session.venue_id))
    if "venue_id" in data:
        rules.check_venue_fits(venue.capacity, course.capacity)
    teacher = (find_teacher(uow, data["teacher_id"], "teacher_id") if "teacher_id" in data
               else uow.session.get(Teacher, session.teacher_id))
    moved = (starts_at, ends_at, venue.id, teacher.id) != (
        session.starts_at, session.ends_at, session.venue_id, session.teacher_id)
    if moved:
        lock_bookings(uow, [venue.id], [teacher.id])
        check_clashes(uow, venue, teacher, starts_at, ends_at, exclude_id=session.id)
        session.starts_at, session.ends_at = starts_at, ends_at
        session.venue_id, session.teacher_id = venue.id, teacher.id
    if "topic" in data:
        session.topic = (data["topic"] or "").strip() or None
    session.updated_at = utcnow()
    uow.session.flush()
    if moved:
        uow.emit("learning.session_scheduled", {
            **_session_facts(session, course, teacher), "topic": session.topic,
            "rescheduled": True}, org_code=course.org_code)
    return render_session(uow, session)


def cancel_session(uow: UnitOfWork, session_id: int, payload: dict) -> dict:
    data = load(SessionCancelSchema, payload)
    reason = data["reason"].strip()
    if not reason:
        raise InvalidInput("reason: must not be blank", field="reason")
    session, course = find_session(uow, session_id, writing=True)
    # the conditional UPDATE makes two cancellations at once cancel it once
    done = uow.session.execute(update(CourseSession).where(
        CourseSession.id == session.id, CourseSession.status == "scheduled")
        .values(status="cancelled", updated_at=utcnow())
        .execution_options(synchronize_session=False))
    uow.session.refresh(session)
    if done.rowcount != 1:
        rules.check_session_status(session.status, "cancel it")
    teacher = uow.session.get(Teacher, session.teacher_id)
    uow.emit("learning.session_cancelled", {
        **_session_facts(session, course, teacher), "reason": reason}, org_code=course.org_code)
    return render_session(uow, session)


# --- a session held ---------------------------------------------------------------------------

def mark_session_held(uow: UnitOfWork, session: CourseSession, course: Course,
                      when: datetime) -> bool:
    """The session took place (attendance was first taken): mark it held and emit
    ``learning.session_held`` — and, when a volunteer taught it,
    ``learning.volunteer_hours_earned`` for membership to credit. Only the first call does
    anything (True); a session already held is left as it is (False). A cancelled session
    cannot be held (409)."""
    done = uow.session.execute(update(CourseSession).where(
        CourseSession.id == session.id, CourseSession.status == "scheduled")
        .values(status="held", held_at=when, updated_at=when)
        .execution_options(synchronize_session=False))
    uow.session.refresh(session)
    if done.rowcount != 1:
        if session.status == "held":
            return False
        rules.check_session_status(session.status, "hold it")
    teacher = uow.session.get(Teacher, session.teacher_id)
    hours = rules.volunteer_hours(session.starts_at, session.ends_at)
    uow.emit("learning.session_held", {
        **_session_facts(session, course, teacher), "held_at": session.held_at.isoformat(),
        "hours": hours}, org_code=course.org_code)
    if teacher.kind == "volunteer" and teacher.volunteer_id and hours > 0:
        uow.emit("learning.volunteer_hours_earned", {
            "volunteer_id": teacher.volunteer_id, "hours": hours,
            "activity_date": session.starts_at.date().isoformat(), "source_type": "class",
            "source_id": str(session.id), "org_code": course.org_code,
            "description": f"授课：{course.title}"[:200]}, org_code=course.org_code)
    return True
