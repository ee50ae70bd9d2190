"""School, venue and teacher use cases: create, change, read, list.

Load, apply the rules in ``domain.courses``, store. Writes need one of the manager roles and stay
within the caller's scope; any role reads within its scope. A row outside the scope is answered
exactly like one that does not exist (404), so ids cannot be probed. What membership knows (a
territory node, a volunteer) is asked by the entrypoint and passed in as a plain dict.
"""
from __future__ import annotations

from sqlalchemy import or_, select

from services.learning.domain import courses as rules
from services.learning.models import Course, CourseSession, School, Teacher, Venue
from services.learning.schemas.schools import (
    SchoolCreateSchema,
    SchoolListQuerySchema,
    SchoolSchema,
    SchoolUpdateSchema,
    TeacherCreateSchema,
    TeacherListQuerySchema,
    TeacherSchema,
    VenueCreateSchema,
    VenueListQuerySchema,
    VenueSchema,
    VenueUpdateSchema,
)
from shared.context import CallerContext, require_caller, require_community_filter, require_scope
from shared.db import UnitOfWork
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.outbox import utcnow
from shared.lookup import find_by_id, is_row_id
from shared.pagination import after_id, page_of
from shared.validation import load

_school_schema = SchoolSchema()
_venue_schema = VenueSchema()
_teacher_schema = TeacherSchema()


def actor_of(uow: UnitOfWork) -> str:
    return uow.caller.actor if uow.caller else "system"


def seen_from(caller: CallerContext, org_code: str) -> bool:
    """Schools, their venues, teachers and courses serve their area and everyone in it: the
    caller sees those of their territory and those of the street or district holding it (a
    community worker enrols residents on the street school's courses). Writes stay within the
    caller's own scope."""
    return caller.can_see(org_code) or caller.lies_within(org_code)


def areas_above(scope: str) -> list[str]:
    """The codes of the district and street (and community) holding ``scope``."""
    return [scope[:length] for length in (6, 9, 12, 15) if length < len(scope)]


def find_readable(uow: UnitOfWork, model, row_id, what: str, field: str = "id"):
    """A school, venue or teacher the caller may read (``seen_from``); else 404."""
    caller = require_caller(uow.caller)
    row = uow.session.get(model, row_id) if is_row_id(row_id) else None
    if row is None or not seen_from(caller, row.org_code):
        raise NotFound(f"{field}: no {what} {row_id} in your scope", field=field)
    return row


def scoped_page(uow: UnitOfWork, query, model, code_column, args: dict, render) -> dict:
    """One page of ``query`` as the caller sees it (``seen_from``; and the ``code`` prefix
    asked for), ordered by id."""
    caller = require_caller(uow.caller)
    require_scope(caller, caller.scope or "", "scope")
    query = query.where(or_(code_column.like(f"{caller.scope}%"),
                            code_column.in_(areas_above(caller.scope or ""))))
    if args.get("code"):
        require_community_filter(caller, args["code"], "code")
        query = query.where(code_column.like(f"{args['code']}%"))
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(model.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(model.id).limit(limit + 1)))
    return page_of(rows, limit, key=lambda row: row.id, render=render)


def _changes(schema, payload: dict) -> dict:
    data = load(schema, payload)
    if not data:
        raise InvalidInput("body: name at least one field to change", field="body")
    return data


def _clean(text: str | None, field: str, required: bool = False) -> str | None:
    cleaned = (text or "").strip() or None
    if required and cleaned is None:
        raise InvalidInput(f"{field}: must not be blank", field=field)
    return cleaned


# --- schools ----------------------------------------------------------------------------------

def render_school(school: School) -> dict:
    return _school_schema.dump(school)


def find_school(uow: UnitOfWork, school_id, field: str = "id", for_update: bool = False) -> School:
    return find_by_id(uow, School, school_id, code_column=School.org_code, what="school",
                      field=field, for_update=for_update)


def check_new_school(uow: UnitOfWork, payload: dict) -> dict:
    """The school to create, loaded, from a manager of its area; refused before membership is
    asked anything."""
    data = load(SchoolCreateSchema, payload)
    caller = require_caller(uow.caller)
    rules.require_manager(caller)
    require_scope(caller, data["org_code"], "org_code")
    return data


def create_school(uow: UnitOfWork, payload: dict, area: dict) -> dict:
    """``area`` is membership's territory node of ``org_code`` (a street or a community)."""
    data = check_new_school(uow, payload)
    if area.get("level") not in ("street", "community"):
        raise InvalidInput(f"org_code: a school serves a street or a community, not a "
                           f"{area.get('level')}", field="org_code")
    org_code = area["code"]
    parent = find_school(uow, data["parent_id"], "parent_id") if data["parent_id"] else None
    rules.check_school_parent(data["kind"], org_code, parent.kind if parent else None,
                              parent.org_code if parent else None)
    name = _clean(data["name"], "name", required=True)
    if uow.session.scalar(select(School.id).where(School.org_code == org_code,
                                                  School.name == name)):
        raise Conflict(f"name: {org_code} already has a school named {name}", field="name")
    school = School(org_code=org_code, name=name, kind=data["kind"],
                    parent_id=parent.id if parent else None,
                    address=_clean(data["address"], "address", required=True),
                    founded_on=data["founded_on"],
                    opening_hours=_clean(data["opening_hours"], "opening_hours"),
                    created_by=actor_of(uow))
    uow.session.add(school)
    uow.session.flush()
    return render_school(school)


def get_school(uow: UnitOfWork, school_id: int) -> dict:
    return render_school(find_readable(uow, School, school_id, "school"))


def update_school(uow: UnitOfWork, school_id: int, payload: dict) -> dict:
    data = _changes(SchoolUpdateSchema, payload)
    rules.require_manager(uow.caller)
    school = find_school(uow, school_id, for_update=True)
    if "name" in data:
        name = _clean(data["name"], "name", required=True)
        if name != school.name and uow.session.scalar(select(School.id).where(
                School.org_code == school.org_code, School.name == name)):
            raise Conflict(f"name: {school.org_code} already has a school named {name}",
                           field="name")
        school.name = name
    if "address" in data:
        school.address = _clean(data["address"], "address", required=True)
    if "founded_on" in data:
        school.founded_on = data["founded_on"]
    if "opening_hours" in data:
        school.opening_hours = _clean(data["opening_hours"], "opening_hours")
    school.updated_at = utcnow()
    uow.session.flush()
    return render_school(school)


def list_schools(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(SchoolListQuerySchema, query_args)
    query = select(School)
    if args["kind"]:
        query = query.where(School.kind == args["kind"])
    return scoped_page(uow, query, School, School.org_code, args, render_school)


# --- venues -----------------------------------------------------------------------------------

def render_venue(venue: Venue) -> dict:
    return _venue_schema.dump(venue)


def find_venue(uow: UnitOfWork, venue_id, field: str = "id", for_update: bool = False) -> Venue:
    return find_by_id(uow, Venue, venue_id, code_column=Venue.org_code, what="venue",
                      field=field, for_update=for_update)


def check_new_venue(uow: UnitOfWork, payload: dict) -> dict:
    data = load(VenueCreateSchema, payload)
    caller = require_caller(uow.caller)
    rules.require_manager(caller)
    if data["org_code"] is None and data["school_id"] is None:
        raise InvalidInput("org_code: where is the venue? name org_code or school_id",
                           field="org_code")
    if data["org_code"] is not None:
        require_scope(caller, data["org_code"], "org_code")
    return data


def create_venue(uow: UnitOfWork, payload: dict, area: dict | None) -> dict:
    """``area`` is membership's node of ``org_code`` when one was given."""
    data = check_new_venue(uow, payload)
    school = find_school(uow, data["school_id"], "school_id") if data["school_id"] else None
    if area is not None and area.get("level") not in ("street", "community"):
        raise InvalidInput(f"org_code: a venue is in a street or a community, not a "
                           f"{area.get('level')}", field="org_code")
    org_code = area["code"] if area is not None else school.org_code
    if school is not None:
        rules.check_within(org_code, school.org_code, "org_code", f"school {school.id}")
    name = _clean(data["name"], "name", required=True)
    if uow.session.scalar(select(Venue.id).where(Venue.org_code == org_code, Venue.name == name)):
        raise Conflict(f"name: {org_code} already has a venue named {name}", field="name")
    venue = Venue(org_code=org_code, school_id=school.id if school else None, name=name,
                  address=_clean(data["address"], "address", required=True),
                  capacity=data["capacity"], created_by=actor_of(uow))
    uow.session.add(venue)
    uow.session.flush()
    return render_venue(venue)


def get_venue(uow: UnitOfWork, venue_id: int) -> dict:
    return render_venue(find_readable(uow, Venue, venue_id, "venue"))


def update_venue(uow: UnitOfWork, venue_id: int, payload: dict) -> dict:
    """Rename, readdress or resize a venue; it cannot shrink below a course with sessions still
    scheduled in it."""
    data = _changes(VenueUpdateSchema, payload)
    rules.require_manager(uow.caller)
    venue = find_venue(uow, venue_id, for_update=True)
    if "name" in data:
        name = _clean(data["name"], "name", required=True)
        if name != venue.name and uow.session.scalar(select(Venue.id).where(
                Venue.org_code == venue.org_code, Venue.name == name)):
            raise Conflict(f"name: {venue.org_code} already has a venue named {name}",
                           field="name")
        venue.name = name
    if "address" in data:
        venue.address = _clean(data["address"], "address", required=True)
    if "capacity" in data:
        if data["capacity"] < venue.capacity:
            largest = uow.session.execute(
                select(Course.id, Course.title, Course.capacity)
                .join(CourseSession, CourseSession.course_id == Course.id)
                .where(CourseSession.venue_id == venue.id, CourseSession.status == "scheduled")
                .order_by(Course.capacity.desc(), Course.id).limit(1)).first()
            if largest:
                rules.check_venue_shrink(data["capacity"], *largest)
        venue.capacity = data["capacity"]
    venue.updated_at = utcnow()
    uow.session.flush()
    return render_venue(venue)


def list_venues(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(VenueListQuerySchema, query_args)
    query = select(Venue)
    if args["school_id"]:
        query = query.where(Venue.school_id == args["school_id"])
    return scoped_page(uow, query, Venue, Venue.org_code, args, render_venue)


# --- teachers ---------------------------------------------------------------------------------

def render_teacher(teacher: Teacher) -> dict:
    return _teacher_schema.dump(teacher)


def teacher_view(teacher: Teacher) -> dict:
    """A teacher as a course or a session shows it."""
    return {"id": teacher.id, "kind": teacher.kind, "name": teacher.name,
            "volunteer_id": teacher.volunteer_id}


def find_teacher(uow: UnitOfWork, teacher_id, field: str = "id") -> Teacher:
    return find_by_id(uow, Teacher, teacher_id, code_column=Teacher.org_code, what="teacher",
                      field=field)


def check_new_teacher(uow: UnitOfWork, payload: dict) -> dict:
    """The teacher to add, loaded and checked as far as can be without membership."""
    data = load(TeacherCreateSchema, payload)
    caller = require_caller(uow.caller)
    rules.require_manager(caller)
    if data["kind"] == "volunteer":
        if data["volunteer_id"] is None:
            raise InvalidInput("volunteer_id: a volunteer teacher names the volunteer",
                               field="volunteer_id")
        for other in ("name", "org_code"):
            if data[other] is not None:
                raise InvalidInput(f"{other}: a volunteer teacher takes the volunteer's",
                                   field=other)
        taken = uow.session.scalar(select(Teacher.id).where(
            Teacher.volunteer_id == data["volunteer_id"]))
        if taken:
            raise Conflict(f"volunteer_id: volunteer {data['volunteer_id']} already teaches as "
                           f"teacher {taken}", field="volunteer_id")
    else:
        if data["volunteer_id"] is not None:
            raise InvalidInput("volunteer_id: a hired teacher is not a volunteer",
                               field="volunteer_id")
        _clean(data["name"], "name", required=True)
        if data["org_code"] is None:  # where the caller works
            data["org_code"] = caller.scope or ""
        else:  # the schema's pattern lets a final newline through ("$" matches before it)
            rules.check_school_area(data["org_code"])
        require_scope(caller, data["org_code"], "org_code")
    return data


def create_teacher(uow: UnitOfWork, payload: dict, volunteer: dict | None) -> dict:
    """``volunteer`` is membership's volunteer (``{id, name, community_code, status}``) for a
    volunteer teacher, already found in the caller's scope."""
    data = check_new_teacher(uow, payload)
    if data["kind"] == "volunteer":
        if volunteer is None or volunteer.get("id") != data["volunteer_id"]:
            raise NotFound(f"volunteer_id: no volunteer {data['volunteer_id']} in your scope",
                           field="volunteer_id")
        if volunteer.get("status") != "active":
            raise Conflict(f"volunteer_id: volunteer {volunteer['id']} is "
                           f"{volunteer.get('status')}", field="volunteer_id")
        require_scope(uow.caller, volunteer["community_code"], "volunteer_id")
        teacher = Teacher(org_code=volunteer["community_code"], kind="volunteer",
                          volunteer_id=volunteer["id"], name=volunteer["name"][:100])
    else:
        teacher = Teacher(org_code=data["org_code"], kind="hired",
                          name=_clean(data["name"], "name", required=True))
    uow.session.add(teacher)
    uow.session.flush()
    return render_teacher(teacher)


def get_teacher(uow: UnitOfWork, teacher_id: int) -> dict:
    return render_teacher(find_readable(uow, Teacher, teacher_id, "teacher"))


def list_teachers(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(TeacherListQuerySchema, query_args)
    query = select(Teacher)
    if args["kind"]:
        query = query.where(Teacher.kind == args["kind"])
    return scoped_page(uow, query, Teacher, Teacher.org_code, args, render_teacher)
