"""Party study use cases: a branch's study sessions (one at a time, or a cadence planned over a
range), sign-in, study notes, and the yearly quotas with who is behind.

Load, apply the rules in ``domain.party_study``, store, emit. A session is scoped by its branch's
territory code: out of scope is answered exactly like missing (404). Membership is asked by the
entrypoints (the branch, its active members); the use cases get plain dicts. "Today" is the UTC
date unless a caller (a test) says otherwise.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, update

from services.learning.domain import party_study as rules
from services.learning.domain.catalogue import (
    ATTENDANCE_STATUSES,
    DEFAULT_MIN_STUDY_DAYS,
    DEFAULT_MIN_STUDY_SESSIONS,
    MANAGER_ROLES,
    STUDY_SESSION_KINDS,
)
from services.learning.models.party_study import (
    StudyAttendance,
    StudyNote,
    StudyQuotaMark,
    StudySession,
)
from services.learning.schemas.party_study import (
    StudyAttendanceLineSchema,
    StudyAttendanceListQuerySchema,
    StudyAttendanceSheetSchema,
    StudyNoteCreateSchema,
    StudyNoteListQuerySchema,
    StudyNoteSchema,
    StudyPlanCreateSchema,
    StudyQuotaQuerySchema,
    StudySessionCreateSchema,
    StudySessionListQuerySchema,
    StudySessionSchema,
    StudySessionUpdateSchema,
)
from shared.context import require_caller, require_role, require_scope
from shared.db import UnitOfWork
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.outbox import utcnow
from shared.lookup import find_by_id
from shared.pagination import after_id, page_of
from shared.validation import load

_session_schema = StudySessionSchema()
_line_schema = StudyAttendanceLineSchema()
_note_schema = StudyNoteSchema()
IN_CHUNK = 500  # ids per IN (...) list


def _today(today: date | None) -> date:
    return today or utcnow().date()


def _actor(uow: UnitOfWork) -> str:
    return uow.caller.actor if uow.caller else "system"


def _chunks(ids: list[int]):
    for start in range(0, len(ids), IN_CHUNK):
        yield ids[start:start + IN_CHUNK]


# --- rendering --------------------------------------------------------------------------------

def _attendance_counts(uow: UnitOfWork, session_ids: list[int]) -> dict[int, dict]:
    counts = {i: dict.fromkeys(ATTENDANCE_STATUSES, 0) for i in session_ids}
    for chunk in _chunks(session_ids):
        for session_id, status, count in uow.session.execute(
                select(StudyAttendance.session_id, StudyAttendance.status, func.count())
                .where(StudyAttendance.session_id.in_(chunk))
                .group_by(StudyAttendance.session_id, StudyAttendance.status)):
            counts[session_id][status] = count
    return counts


def _note_counts(uow: UnitOfWork, session_ids: list[int]) -> dict[int, int]:
    counts = dict.fromkeys(session_ids, 0)
    for chunk in _chunks(session_ids):
        counts.update(uow.session.execute(
            select(StudyNote.session_id, func.count()).where(StudyNote.session_id.in_(chunk))
            .group_by(StudyNote.session_id)).all())
    return counts


def render_sessions(uow: UnitOfWork, sessions: list[StudySession]) -> list[dict]:
    ids = [s.id for s in sessions]
    attendance, notes = _attendance_counts(uow, ids), _note_counts(uow, ids)
    return [_session_schema.dump({
        "id": s.id, "branch_id": s.branch_id, "branch_name": s.branch_name,
        "org_code": s.org_code, "kind": s.kind, "held_on": s.held_on, "starts_at": s.starts_at,
        "topic": s.topic, "venue": s.venue, "speaker": s.speaker,
        "note_min_chars": s.note_min_chars, "status": s.status, "held_at": s.held_at,
        "cancel_reason": s.cancel_reason, "attendance": attendance[s.id], "notes": notes[s.id],
        "created_by": s.created_by, "created_at": s.created_at, "updated_at": s.updated_at})
        for s in sessions]


def _render_line(line: StudyAttendance) -> dict:
    return _line_schema.dump({
        "id": line.id, "study_session_id": line.session_id,
        "party_member_id": line.party_member_id, "member_name": line.member_name,
        "status": line.status, "recorded_by": line.recorded_by,
        "recorded_at": line.recorded_at, "updated_at": line.updated_at})


def _render_note(note: StudyNote) -> dict:
    return _note_schema.dump({
        "id": note.id, "study_session_id": note.session_id,
        "party_member_id": note.party_member_id, "member_name": note.member_name,
        "text": note.text, "length": note.length, "reflection": note.reflection,
        "written_by": note.written_by, "created_at": note.created_at})


# --- sessions ---------------------------------------------------------------------------------

def _visible_session(uow: UnitOfWork, session_id, for_update: bool = False) -> StudySession:
    require_caller(uow.caller)
    return find_by_id(uow, StudySession, session_id, code_column=StudySession.org_code,
                      what="study session", for_update=for_update)


def _check_branch(uow: UnitOfWork, branch: dict, branch_id: int) -> None:
    """``branch`` is membership's answer for ``branch_id`` (it shows only what the caller sees)."""
    if branch.get("id") != branch_id or not require_caller(uow.caller).can_see(
            branch.get("org_code") or "-"):
        raise NotFound(f"branch_id: no party organisation {branch_id} in your scope",
                       field="branch_id")
    rules.check_branch(branch)


def check_session_create(uow: UnitOfWork, payload: dict) -> dict:
    """The session to create, loaded, from a caller who may create one; refused before
    membership is asked about the branch."""
    data = load(StudySessionCreateSchema, payload)
    require_role(require_caller(uow.caller), *MANAGER_ROLES)
    return data


def _new_session(uow: UnitOfWork, data: dict, branch: dict, held_on: date,
                 topic: str) -> StudySession:
    return StudySession(
        branch_id=branch["id"], branch_name=branch["name"][:100], org_code=branch["org_code"],
        kind=data["kind"], held_on=held_on, starts_at=data["starts_at"], topic=topic,
        venue=rules.clean_text(data["venue"]), speaker=rules.clean_text(data["speaker"]),
        note_min_chars=data["note_min_chars"], status=rules.SCHEDULED, lock_version=0,
        created_by=_actor(uow))


def _existing_days(uow: UnitOfWork, branch_id: int, kind: str, days: list[date]) -> set[date]:
    if not days:
        return set()
    return set(uow.session.scalars(select(StudySession.held_on).where(
        StudySession.branch_id == branch_id, StudySession.kind == kind,
        StudySession.held_on >= min(days), StudySession.held_on <= max(days))))


def create_session(uow: UnitOfWork, payload: dict, branch: dict) -> dict:
    data = check_session_create(uow, payload)
    _check_branch(uow, branch, data["branch_id"])
    topic = rules.clean_text(data["topic"])
    if topic is None:
        raise InvalidInput("topic: must not be blank", field="topic")
    if _existing_days(uow, branch["id"], data["kind"], [data["held_on"]]):
        raise Conflict(f"held_on: branch {branch['id']} already has a {data['kind']} on "
                       f"{data['held_on']}", field="held_on")
    session = _new_session(uow, data, branch, data["held_on"], topic)
    uow.session.add(session)
    uow.session.flush()
    return render_sessions(uow, [session])[0]


def check_plan(uow: UnitOfWork, payload: dict) -> dict:
    data = load(StudyPlanCreateSchema, payload)
    require_role(require_caller(uow.caller), *MANAGER_ROLES)
    rules.check_plan_range(data["from_"], data["to"])
    return data


def plan_sessions(uow: UnitOfWork, payload: dict, branch: dict) -> dict:
    """The sessions a cadence gives from ``from`` to ``to``; a date that already has a session
    of that kind for the branch (even a cancelled one) is left as it is, so planning twice adds
    nothing. The unique (branch, kind, day) makes a concurrent second plan fail its commit."""
    data = check_plan(uow, payload)
    _check_branch(uow, branch, data["branch_id"])
    days = rules.cadence_dates(data["kind"], data["from_"], data["to"], data["weekday"],
                               data["nth"])
    existing = _existing_days(uow, branch["id"], data["kind"], days)
    topic = rules.clean_text(data["topic"]) or STUDY_SESSION_KINDS[data["kind"]].split(" ")[0]
    created = [_new_session(uow, data, branch, day, topic) for day in days if day not in existing]
    uow.session.add_all(created)
    uow.session.flush()
    return {"branch_id": branch["id"], "kind": data["kind"], "from": data["from_"].isoformat(),
            "to": data["to"].isoformat(), "dates": [day.isoformat() for day in days],
            "created": render_sessions(uow, created),
            "existing": [day.isoformat() for day in sorted(existing & set(days))]}


def get_session(uow: UnitOfWork, session_id) -> dict:
    return render_sessions(uow, [_visible_session(uow, session_id)])[0]


def list_sessions(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(StudySessionListQuerySchema, query_args)
    caller = require_caller(uow.caller)
    require_scope(caller, caller.scope or "", "scope")
    query = select(StudySession).where(StudySession.org_code.startswith(caller.scope))
    if args["code"]:
        require_scope(caller, args["code"], "code")
        query = query.where(StudySession.org_code.startswith(args["code"]))
    for name in ("branch_id", "kind", "status"):
        if args[name] is not None:
            query = query.where(getattr(StudySession, name) == args[name])
    if args["from_"]:
        query = query.where(StudySession.held_on >= args["from_"])
    if args["to"]:
        query = query.where(StudySession.held_on <= args["to"])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(StudySession.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(StudySession.id).limit(limit + 1)))
    page = page_of(rows, limit, key=lambda s: s.id, render=lambda s: s)
    page["items"] = render_sessions(uow, page["items"])
    return page


def update_session(uow: UnitOfWork, session_id, payload: dict) -> dict:
    """Change a session's topic, time, venue or speaker, or cancel it (not once held)."""
    data = load(StudySessionUpdateSchema, payload)
    require_role(require_caller(uow.caller), *MANAGER_ROLES)
    session = _visible_session(uow, session_id, for_update=True)
    if session.status == rules.CANCELLED:
        raise Conflict("status: the study session was cancelled", field="status")
    if "topic" in data:
        topic = rules.clean_text(data["topic"])
        if topic is None:
            raise InvalidInput("topic: must not be blank", field="topic")
        session.topic = topic
    if "starts_at" in data:
        session.starts_at = data["starts_at"]
    for name in ("venue", "speaker"):
        if name in data:
            setattr(session, name, rules.clean_text(data[name]))
    if data.get("status") == rules.CANCELLED:
        rules.check_cancellable(session.status)
        session.status = rules.CANCELLED
        session.cancel_reason = rules.clean_text(data["cancel_reason"])
    session.updated_at = utcnow()
    uow.session.flush()
    return render_sessions(uow, [session])[0]


# --- attendance (sign-in) ---------------------------------------------------------------------

def check_attendance(uow: UnitOfWork, session_id, payload: dict) -> int:
    """The branch whose members to ask membership for: the sheet loads, the caller may take
    attendance and sees the session."""
    load(StudyAttendanceSheetSchema, payload)
    require_role(require_caller(uow.caller), *MANAGER_ROLES)
    return _visible_session(uow, session_id).branch_id


def _lock(uow: UnitOfWork, session: StudySession) -> None:
    """Bump the session's lock version first: on SQLite that takes the write lock, on
    PostgreSQL the row lock, so two sheets for one session are applied one after the other."""
    uow.session.execute(update(StudySession).where(StudySession.id == session.id)
                        .values(lock_version=StudySession.lock_version + 1)
                        .execution_options(synchronize_session=False))
    uow.session.refresh(session)


def _members_by_id(members: list[dict], branch_id: int) -> dict[int, dict]:
    return {m["id"]: m for m in members
            if m.get("branch_id") == branch_id and m.get("status", "active") == "active"}


def _check_members(records: list[dict], members: dict[int, dict], branch_id: int,
                   list_name: str = "records") -> None:
    seen: set[int] = set()
    for index, record in enumerate(records):
        field = f"{list_name}.{index}.party_member_id"
        member_id = record["party_member_id"]
        if member_id in seen:
            raise InvalidInput(f"{field}: party member {member_id} is given twice", field=field)
        seen.add(member_id)
        if member_id not in members:
            raise InvalidInput(f"{field}: {member_id} is not an active member of branch "
                               f"{branch_id}", field=field)


def record_attendance(uow: UnitOfWork, session_id, payload: dict, members: list[dict],
                      today: date | None = None) -> dict:
    """Sign-in for a session: every record is stored or none. ``members`` are the branch's
    active members (membership's). The first sheet marks the session held
    (``learning.study_session_held``); a member whose sign-in meets both yearly quotas raises
    ``learning.study_quota_met``, once per (member, year)."""
    data = load(StudyAttendanceSheetSchema, payload)
    require_role(require_caller(uow.caller), *MANAGER_ROLES)
    session = _visible_session(uow, session_id)
    _lock(uow, session)
    rules.check_recordable(session.status, session.held_on, _today(today))
    by_id = _members_by_id(members, session.branch_id)
    _check_members(data["records"], by_id, session.branch_id)
    existing = {line.party_member_id: line for line in uow.session.scalars(
        select(StudyAttendance).where(StudyAttendance.session_id == session.id))}
    actor = _actor(uow)
    for record in data["records"]:
        line = existing.get(record["party_member_id"])
        if line is None:
            line = StudyAttendance(session_id=session.id, party_member_id=record["party_member_id"],
                                   member_name=by_id[record["party_member_id"]]["name"][:100],
                                   status=record["status"], recorded_by=actor)
            uow.session.add(line)
            existing[line.party_member_id] = line
        elif line.status != record["status"]:
            line.status, line.recorded_by, line.updated_at = record["status"], actor, utcnow()
    uow.session.flush()
    if session.status == rules.SCHEDULED:
        session.status, session.held_at = rules.HELD, utcnow()
        uow.session.flush()
        statuses = [line.status for line in existing.values()]
        uow.emit("learning.study_session_held", {
            "study_session_id": session.id, "branch_id": session.branch_id,
            "org_code": session.org_code, "kind": session.kind,
            "held_on": session.held_on.isoformat(),
            "present": sum(1 for s in statuses if s in rules.ATTENDED),
            "recorded": len(statuses)}, org_code=session.org_code)
    attended = [r["party_member_id"] for r in data["records"] if r["status"] in rules.ATTENDED]
    met = _mark_quotas_met(uow, session, attended)
    return {"session": render_sessions(uow, [session])[0], "recorded": len(data["records"]),
            "not_recorded": sorted(set(by_id) - set(existing)), "quota_met": met}


def attended_counts(uow: UnitOfWork, member_ids: list[int], year: int) -> dict[int, dict]:
    """Per member: distinct study days and sessions attended (present or late) in ``year``,
    sessions not cancelled, whichever branch held them."""
    counts = {i: {"study_days": 0, "sessions": 0} for i in member_ids}
    in_year = (StudySession.held_on >= date(year, 1, 1),
               StudySession.held_on <= date(year, 12, 31),
               StudySession.status != rules.CANCELLED)
    for chunk in _chunks(member_ids):
        base = (select(StudyAttendance.party_member_id)
                .join(StudySession, StudySession.id == StudyAttendance.session_id)
                .where(StudyAttendance.party_member_id.in_(chunk),
                       StudyAttendance.status.in_(rules.ATTENDED), *in_year)
                .group_by(StudyAttendance.party_member_id))
        for member_id, n in uow.session.execute(base.add_columns(func.count(StudySession.id))):
            counts[member_id]["sessions"] = n
        for member_id, n in uow.session.execute(
                base.where(StudySession.kind == rules.STUDY_DAY)
                .add_columns(func.count(func.distinct(StudySession.held_on)))):
            counts[member_id]["study_days"] = n
    return counts


def notes_written(uow: UnitOfWork, member_ids: list[int], year: int) -> dict[int, int]:
    counts = dict.fromkeys(member_ids, 0)
    for chunk in _chunks(member_ids):
        counts.update(uow.session.execute(
            select(StudyNote.party_member_id, func.count())
            .join(StudySession, StudySession.id == StudyNote.session_id)
            .where(StudyNote.party_member_id.in_(chunk),
                   StudySession.held_on >= date(year, 1, 1),
                   StudySession.held_on <= date(year, 12, 31))
            .group_by(StudyNote.party_member_id)).all())
    return counts


def _mark_quotas_met(uow: UnitOfWork, session: StudySession, member_ids: list[int]) -> list[int]:
    """Mark and announce the members of ``member_ids`` who now meet the default quotas of the
    session's year and were not marked before. Two sheets for different sessions of one member
    at the same moment may both try: the unique (member, year) lets one commit."""
    year = session.held_on.year
    if not member_ids:
        return []
    marked = set(uow.session.scalars(select(StudyQuotaMark.party_member_id).where(
        StudyQuotaMark.party_member_id.in_(member_ids), StudyQuotaMark.year == year)))
    candidates = [i for i in member_ids if i not in marked]
    counts = attended_counts(uow, candidates, year)
    met = []
    for member_id in candidates:
        days, sessions = counts[member_id]["study_days"], counts[member_id]["sessions"]
        if not rules.DEFAULT_QUOTA.met(days, sessions):
            continue
        uow.session.add(StudyQuotaMark(
            party_member_id=member_id, year=year, branch_id=session.branch_id,
            org_code=session.org_code, study_days_attended=days, sessions_attended=sessions,
            session_id=session.id))
        uow.emit("learning.study_quota_met", {
            "party_member_id": member_id, "year": year, "branch_id": session.branch_id,
            "org_code": session.org_code, "study_days_attended": days,
            "sessions_attended": sessions, "min_study_days": DEFAULT_MIN_STUDY_DAYS,
            "min_sessions": DEFAULT_MIN_STUDY_SESSIONS,
            "met_on": session.held_on.isoformat()}, org_code=session.org_code)
        met.append(member_id)
    uow.session.flush()
    return met


def list_attendance(uow: UnitOfWork, session_id, query_args: dict) -> dict:
    """A session's roster: who signed in, how."""
    args = load(StudyAttendanceListQuerySchema, query_args)
    session = _visible_session(uow, session_id)
    query = select(StudyAttendance).where(StudyAttendance.session_id == session.id)
    if args["status"]:
        query = query.where(StudyAttendance.status == args["status"])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(StudyAttendance.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(StudyAttendance.id).limit(limit + 1)))
    return page_of(rows, limit, key=lambda line: line.id, render=_render_line)


# --- study notes ------------------------------------------------------------------------------

def check_note(uow: UnitOfWork, session_id, payload: dict) -> int:
    """The branch whose members to ask membership for (as ``check_attendance``)."""
    load(StudyNoteCreateSchema, payload)
    require_role(require_caller(uow.caller), *MANAGER_ROLES)
    return _visible_session(uow, session_id).branch_id


def write_note(uow: UnitOfWork, session_id, payload: dict, members: list[dict],
               today: date | None = None) -> dict:
    """A member's study notes for a session: at least the session's minimum length, one per
    member and session (a second is 409: notes are a record, not a draft)."""
    data = load(StudyNoteCreateSchema, payload)
    require_role(require_caller(uow.caller), *MANAGER_ROLES)
    session = _visible_session(uow, session_id)
    rules.check_recordable(session.status, session.held_on, _today(today))
    member_id = data["party_member_id"]
    by_id = _members_by_id(members, session.branch_id)
    if member_id not in by_id:
        raise InvalidInput(f"party_member_id: {member_id} is not an active member of branch "
                           f"{session.branch_id}", field="party_member_id")
    text = data["text"].strip()
    length = rules.check_note(text, session.note_min_chars)
    if uow.session.scalar(select(StudyNote.id).where(StudyNote.session_id == session.id,
                                                     StudyNote.party_member_id == member_id)):
        raise Conflict(f"party_member_id: member {member_id} already wrote notes for session "
                       f"{session.id}", field="party_member_id")
    note = StudyNote(session_id=session.id, party_member_id=member_id,
                     member_name=by_id[member_id]["name"][:100], text=text, length=length,
                     reflection=(data["reflection"] or "").strip() or None,
                     written_by=_actor(uow))
    uow.session.add(note)
    uow.session.flush()
    return _render_note(note)


def list_notes(uow: UnitOfWork, session_id, query_args: dict) -> dict:
    args = load(StudyNoteListQuerySchema, query_args)
    session = _visible_session(uow, session_id)
    query = select(StudyNote).where(StudyNote.session_id == session.id)
    if args["party_member_id"]:
        query = query.where(StudyNote.party_member_id == args["party_member_id"])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(StudyNote.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(StudyNote.id).limit(limit + 1)))
    return page_of(rows, limit, key=lambda note: note.id, render=_render_note)


# --- yearly quotas ----------------------------------------------------------------------------

def check_quota_query(uow: UnitOfWork, query_args: dict) -> dict:
    """The query, loaded; a ``code`` outside the caller's scope is refused before membership is
    asked for its members."""
    args = load(StudyQuotaQuerySchema, query_args)
    caller = require_caller(uow.caller)
    if args["code"]:
        require_scope(caller, args["code"], "code")
    return args


def quota_report(uow: UnitOfWork, query_args: dict, members: list[dict],
                 branch: dict | None = None, today: date | None = None) -> dict:
    """Per active member (of the branch, or of the branches under ``code``): study days and
    sessions attended in the year, notes written, met, behind pro rata, shortfall; summary
    counts over every member; paginated by member id (``behind`` filters the page)."""
    args = check_quota_query(uow, query_args)
    today = _today(today)
    caller = require_caller(uow.caller)
    if args["branch_id"] is not None:
        if branch is None:
            raise NotFound(f"branch_id: no party organisation {args['branch_id']} in your "
                           "scope", field="branch_id")
        _check_branch_for_reading(uow, branch, args["branch_id"])
        members = [m for m in members if m.get("branch_id") == args["branch_id"]]
    members = sorted((m for m in members if caller.can_see(m.get("org_code") or "-")),
                     key=lambda m: m["id"])
    year = args["year"] or today.year
    quota = rules.Quota(args["min_study_days"], args["min_sessions"])
    ids = [m["id"] for m in members]
    counts, notes = attended_counts(uow, ids, year), notes_written(uow, ids, year)
    rows = []
    for member in members:
        days, sessions = counts[member["id"]]["study_days"], counts[member["id"]]["sessions"]
        rows.append({
            "party_member_id": member["id"], "resident_id": member.get("resident_id"),
            "name": member.get("name") or "", "branch_id": member.get("branch_id"),
            "org_code": member.get("org_code"), "stage": member.get("stage"),
            "study_days_attended": days, "sessions_attended": sessions,
            "notes_written": notes[member["id"]],
            **quota.standing(days, sessions, year, today)})
    summary = {"members": len(rows), "met": sum(r["met"] for r in rows),
               "behind": sum(r["behind"] for r in rows)}
    if args["behind"] is not None:
        rows = [r for r in rows if r["behind"] is args["behind"]]
    after = after_id(args["cursor"])
    if after is not None:
        rows = [r for r in rows if r["party_member_id"] > after]
    page = page_of(rows[:args["limit"] + 1], args["limit"], key=lambda r: r["party_member_id"],
                   render=lambda r: r)
    return {"year": year, "as_of": today.isoformat(), "branch_id": args["branch_id"],
            "code": args["code"], "min_study_days": quota.min_study_days,
            "min_sessions": quota.min_sessions, "expected_so_far": quota.expected(year, today),
            "summary": summary, **page}


def _check_branch_for_reading(uow: UnitOfWork, branch: dict, branch_id: int) -> None:
    if branch.get("id") != branch_id or not require_caller(uow.caller).can_see(
            branch.get("org_code") or "-"):
        raise NotFound(f"branch_id: no party organisation {branch_id} in your scope",
                       field="branch_id")
    if branch.get("kind") != rules.BRANCH_KIND:
        raise InvalidInput(f"branch_id: {branch_id} is a {branch.get('kind')}, not a branch",
                           field="branch_id")
