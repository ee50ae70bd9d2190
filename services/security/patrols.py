"""Patrol use cases: teams and their members and points, shifts, check-ins, findings, completion.

Load, apply the rules in ``domain.patrols``, store, emit. Membership is asked by the entrypoints
(a volunteer, a grid) and its answers arrive here as plain dicts.

A team serves its area and everyone in it: a caller reads the teams, points and shifts of their
territory and those of the street holding it (a grid worker walks the street's patrol). Forming
teams and planning shifts needs a manager role and the team within the caller's own scope;
check-ins, findings and completion need a worker role and a team the caller reads. Anything
else is answered like an id that does not exist (404).

Completing a shift moves its status by a conditional UPDATE, so of two completions only one
credits the members' hours (the other is a 409).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, or_, select, update

from services.security.domain import patrols as rules
from services.security.domain.catalogue import PATROL_TEAM_KINDS
from services.security.models.patrols import (
    PatrolCheckIn,
    PatrolFinding,
    PatrolPoint,
    PatrolShift,
    PatrolShiftMember,
    PatrolShiftPoint,
    PatrolTeam,
    PatrolTeamMember,
)
from services.security.schemas.patrols import (
    PatrolCheckInCreateSchema,
    PatrolCheckInSchema,
    PatrolCompletionSchema,
    PatrolFindingCreateSchema,
    PatrolFindingSchema,
    PatrolPointCreateSchema,
    PatrolPointSchema,
    PatrolShiftCreateSchema,
    PatrolShiftDetailSchema,
    PatrolShiftListQuerySchema,
    PatrolShiftSchema,
    PatrolTeamCreateSchema,
    PatrolTeamListQuerySchema,
    PatrolTeamMemberAddSchema,
    PatrolTeamMemberSchema,
    PatrolTeamSchema,
)
from shared.context import CallerContext, require_caller, require_scope
from shared.db import UnitOfWork
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.outbox import utcnow
from shared.lookup import is_row_id
from shared.pagination import PageRequestSchema, after_id, page_of
from shared.validation import load

LOCAL_TIME = timezone(timedelta(hours=8), "CST")  # the day a patrol was walked, in Quanzhou
_team_schema = PatrolTeamSchema()
_member_schema = PatrolTeamMemberSchema()
_point_schema = PatrolPointSchema()
_shift_schema = PatrolShiftSchema()
_detail_schema = PatrolShiftDetailSchema()
_check_in_schema = PatrolCheckInSchema()
_finding_schema = PatrolFindingSchema()


def _actor(uow: UnitOfWork) -> str:
    return uow.caller.actor if uow.caller else "system"


def _reads(caller: CallerContext, org_code: str) -> bool:
    """The team's area holds the caller or lies beneath their scope."""
    return caller.can_see(org_code) or caller.lies_within(org_code)


def _areas_above(scope: str) -> list[str]:
    return [scope[:length] for length in (9, 12) if length < len(scope)]


# --- finding rows -------------------------------------------------------------------------------

def find_team(uow: UnitOfWork, team_id, field: str = "id", *, managing: bool = False,
              working: bool = False) -> PatrolTeam:
    """The team as the caller may see it; ``managing``: a manager within whose scope it lies;
    ``working``: a worker who reads it."""
    caller = require_caller(uow.caller)
    missing = NotFound(f"{field}: no patrol team {team_id} in your scope", field=field)
    team = uow.session.get(PatrolTeam, team_id) if is_row_id(team_id) else None
    if team is None or not _reads(caller, team.org_code):
        raise missing
    if managing:
        rules.require_manager(caller)
        if not caller.can_see(team.org_code):
            raise missing
    if working:
        rules.require_worker(caller)
    return team


def find_shift(uow: UnitOfWork, shift_id, field: str = "id", *, working: bool = False
               ) -> tuple[PatrolShift, PatrolTeam]:
    caller = require_caller(uow.caller)
    missing = NotFound(f"{field}: no patrol shift {shift_id} in your scope", field=field)
    shift = uow.session.get(PatrolShift, shift_id) if is_row_id(shift_id) else None
    if shift is None or not _reads(caller, shift.org_code):
        raise missing
    if working:
        rules.require_worker(caller)
    return shift, uow.session.get(PatrolTeam, shift.team_id)


def _team_point(uow: UnitOfWork, team: PatrolTeam, point_id, field: str = "point_id"
                ) -> PatrolPoint:
    point = uow.session.get(PatrolPoint, point_id) if is_row_id(point_id) else None
    if point is None or point.team_id != team.id:
        raise InvalidInput(f"{field}: {point_id} is not a patrol point of team {team.id}",
                           field=field)
    return point


# --- rendering ----------------------------------------------------------------------------------

def _counts(uow: UnitOfWork, column, ids: list[int]) -> dict[int, int]:
    counts = dict.fromkeys(ids, 0)
    if ids:
        counts.update(uow.session.execute(select(column, func.count()).where(column.in_(ids))
                                           .group_by(column)).all())
    return counts


def render_teams(uow: UnitOfWork, teams: list[PatrolTeam]) -> list[dict]:
    ids = [team.id for team in teams]
    members = _counts(uow, PatrolTeamMember.team_id, ids)
    points = _counts(uow, PatrolPoint.team_id, ids)
    return [_team_schema.dump({
        "id": t.id, "org_code": t.org_code, "name": t.name, "kind": t.kind,
        "kind_name": PATROL_TEAM_KINDS[t.kind], "member_count": members[t.id],
        "point_count": points[t.id], "created_by": t.created_by, "created_at": t.created_at,
        "updated_at": t.updated_at}) for t in teams]


def _member_view(member: PatrolTeamMember) -> dict:
    return _member_schema.dump({
        "team_id": member.team_id, "volunteer_id": member.volunteer_id, "name": member.name,
        "community_code": member.community_code, "added_at": member.added_at})


def _point_view(point: PatrolPoint) -> dict:
    return _point_schema.dump(_point_fields(point))


def _point_fields(point: PatrolPoint) -> dict:
    return ({
        "id": point.id, "team_id": point.team_id, "name": point.name,
        "grid_code": point.grid_code, "address": point.address, "created_at": point.created_at})


def _check_in_view(check_in: PatrolCheckIn, point: PatrolPoint) -> dict:
    return _check_in_schema.dump(_check_in_fields(check_in, point))


def _check_in_fields(check_in: PatrolCheckIn, point: PatrolPoint) -> dict:
    return ({
        "id": check_in.id, "shift_id": check_in.shift_id, "point_id": point.id,
        "point_name": point.name, "grid_code": point.grid_code,
        "volunteer_id": check_in.volunteer_id, "at": check_in.at, "note": check_in.note,
        "recorded_by": check_in.recorded_by})


def _finding_view(finding: PatrolFinding) -> dict:
    return _finding_schema.dump(_finding_fields(finding))


def _finding_fields(finding: PatrolFinding) -> dict:
    return ({
        "id": finding.id, "shift_id": finding.shift_id, "kind": finding.kind,
        "severity": finding.severity, "description": finding.description,
        "point_id": finding.point_id, "grid_code": finding.grid_code,
        "incident_id": finding.incident_id, "reported_by": finding.reported_by,
        "created_at": finding.created_at})


def render_shifts(uow: UnitOfWork, shifts: list[PatrolShift], *, detail: bool = False
                  ) -> list[dict]:
    ids = [shift.id for shift in shifts]
    teams = {t.id: t for t in uow.session.scalars(
        select(PatrolTeam).where(PatrolTeam.id.in_({s.team_id for s in shifts})))} if ids else {}
    members: dict[int, list] = {i: [] for i in ids}
    points: dict[int, list] = {i: [] for i in ids}
    if ids:
        for member in uow.session.scalars(select(PatrolShiftMember).where(
                PatrolShiftMember.shift_id.in_(ids)).order_by(PatrolShiftMember.id)):
            members[member.shift_id].append(member)
        for planned, point in uow.session.execute(
                select(PatrolShiftPoint, PatrolPoint)
                .join(PatrolPoint, PatrolPoint.id == PatrolShiftPoint.point_id)
                .where(PatrolShiftPoint.shift_id.in_(ids)).order_by(PatrolShiftPoint.position)):
            points[planned.shift_id].append(point)
    check_ins = _counts(uow, PatrolCheckIn.shift_id, ids)
    findings = _counts(uow, PatrolFinding.shift_id, ids)
    rendered = []
    for s in shifts:
        view = {
            "id": s.id, "team_id": s.team_id, "team_name": teams[s.team_id].name,
            "org_code": s.org_code, "starts_at": s.starts_at, "ends_at": s.ends_at,
            "route": s.route, "status": s.status,
            "planned_hours": rules.planned_hours(s.starts_at, s.ends_at), "hours": s.hours,
            "completed_at": s.completed_at,
            "members": [{"volunteer_id": m.volunteer_id, "name": m.name, "hours": s.hours}
                        for m in members[s.id]],
            "points": [_point_fields(p) for p in points[s.id]],
            "check_in_count": check_ins[s.id], "finding_count": findings[s.id],
            "created_by": s.created_by, "created_at": s.created_at, "updated_at": s.updated_at}
        if detail:
            view["check_ins"] = [_check_in_fields(c, p) for c, p in uow.session.execute(
                select(PatrolCheckIn, PatrolPoint)
                .join(PatrolPoint, PatrolPoint.id == PatrolCheckIn.point_id)
                .where(PatrolCheckIn.shift_id == s.id)
                .order_by(PatrolCheckIn.at, PatrolCheckIn.id))]
            view["findings"] = [_finding_fields(f) for f in uow.session.scalars(
                select(PatrolFinding).where(PatrolFinding.shift_id == s.id)
                .order_by(PatrolFinding.id))]
        rendered.append((_detail_schema if detail else _shift_schema).dump(view))
    return rendered


def render_shift(uow: UnitOfWork, shift: PatrolShift) -> dict:
    return render_shifts(uow, [shift], detail=True)[0]


# --- teams --------------------------------------------------------------------------------------

def create_team(uow: UnitOfWork, payload: dict) -> dict:
    data = load(PatrolTeamCreateSchema, payload)
    caller = require_caller(uow.caller)
    rules.require_manager(caller)
    rules.check_team_area(data["org_code"])
    require_scope(caller, data["org_code"], "org_code")
    name = data["name"].strip()
    if not name:
        raise InvalidInput("name: must not be blank", field="name")
    if uow.session.scalar(select(PatrolTeam.id).where(PatrolTeam.org_code == data["org_code"],
                                                      PatrolTeam.name == name)):
        raise Conflict(f"name: {data['org_code']} already has a patrol team named {name}",
                       field="name")
    team = PatrolTeam(org_code=data["org_code"], name=name, kind=data["kind"],
                      created_by=_actor(uow))
    uow.session.add(team)
    uow.session.flush()
    return render_teams(uow, [team])[0]


def get_team(uow: UnitOfWork, team_id: int) -> dict:
    return render_teams(uow, [find_team(uow, team_id)])[0]


def list_teams(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(PatrolTeamListQuerySchema, query_args)
    caller = require_caller(uow.caller)
    scope = caller.scope or ""
    query = select(PatrolTeam).where(or_(PatrolTeam.org_code.like(f"{scope}%"),
                                         PatrolTeam.org_code.in_(_areas_above(scope))))
    if args["code"]:
        if not _reads(caller, args["code"]):
            require_scope(caller, args["code"], "code")
        query = query.where(PatrolTeam.org_code.like(f"{args['code']}%"))
    if args["kind"]:
        query = query.where(PatrolTeam.kind == args["kind"])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(PatrolTeam.id > after)
    rows = list(uow.session.scalars(query.order_by(PatrolTeam.id).limit(args["limit"] + 1)))
    page = page_of(rows, args["limit"], lambda t: t.id, lambda t: t)
    page["items"] = render_teams(uow, page["items"])
    return page


def check_member_add(uow: UnitOfWork, team_id: int, payload: dict) -> dict:
    """The payload, loaded, for a team the caller manages (before membership is asked)."""
    data = load(PatrolTeamMemberAddSchema, payload)
    find_team(uow, team_id, managing=True)
    return data


def add_member(uow: UnitOfWork, team_id: int, payload: dict, volunteer: dict) -> dict:
    """Put a volunteer (as membership answered for them) on the team."""
    data = load(PatrolTeamMemberAddSchema, payload)
    team = find_team(uow, team_id, managing=True)
    if volunteer.get("status") != "active":
        raise Conflict(f"volunteer_id: volunteer {data['volunteer_id']} is "
                       f"{volunteer.get('status')}, not active", field="volunteer_id")
    community = volunteer.get("community_code") or ""
    if not (community.startswith(team.org_code) or team.org_code.startswith(community)):
        raise InvalidInput(f"volunteer_id: volunteer {data['volunteer_id']} lives in {community}, "
                           f"outside the team's area {team.org_code}", field="volunteer_id")
    if uow.session.scalar(select(PatrolTeamMember.id).where(
            PatrolTeamMember.team_id == team.id,
            PatrolTeamMember.volunteer_id == data["volunteer_id"])):
        raise Conflict(f"volunteer_id: volunteer {data['volunteer_id']} is already on the team",
                       field="volunteer_id")
    member = PatrolTeamMember(team_id=team.id, volunteer_id=data["volunteer_id"],
                              name=volunteer.get("name") or f"志愿者{data['volunteer_id']}",
                              community_code=community, added_by=_actor(uow))
    uow.session.add(member)
    team.updated_at = utcnow()
    uow.session.flush()
    return _member_view(member)


def list_members(uow: UnitOfWork, team_id: int, query_args: dict) -> dict:
    args = load(PageRequestSchema, query_args)
    team = find_team(uow, team_id)
    query = select(PatrolTeamMember).where(PatrolTeamMember.team_id == team.id)
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(PatrolTeamMember.id > after)
    rows = list(uow.session.scalars(query.order_by(PatrolTeamMember.id).limit(args["limit"] + 1)))
    return page_of(rows, args["limit"], lambda m: m.id, _member_view)


def remove_member(uow: UnitOfWork, team_id: int, volunteer_id) -> dict:
    """Take a volunteer off the team (shifts already planned keep them)."""
    team = find_team(uow, team_id, managing=True)
    member = uow.session.scalar(select(PatrolTeamMember).where(
        PatrolTeamMember.team_id == team.id, PatrolTeamMember.volunteer_id == volunteer_id)
    ) if is_row_id(volunteer_id) else None
    if member is None:
        raise NotFound(f"volunteer_id: volunteer {volunteer_id} is not on team {team.id}",
                       field="volunteer_id")
    shown = _member_view(member)
    uow.session.execute(delete(PatrolTeamMember).where(PatrolTeamMember.id == member.id))
    team.updated_at = utcnow()
    return shown


def check_point_create(uow: UnitOfWork, team_id: int, payload: dict) -> dict:
    data = load(PatrolPointCreateSchema, payload)
    team = find_team(uow, team_id, managing=True)
    rules.check_point_grid(data["grid_code"], team.org_code)
    return data


def add_point(uow: UnitOfWork, team_id: int, payload: dict, grid: dict) -> dict:
    """A patrol point of the team, in a grid membership knows (``grid``)."""
    data = check_point_create(uow, team_id, payload)
    team = find_team(uow, team_id, managing=True)
    if grid.get("level") not in (None, "grid"):
        raise InvalidInput(f"grid_code: {data['grid_code']} is not a grid", field="grid_code")
    name = data["name"].strip()
    if not name:
        raise InvalidInput("name: must not be blank", field="name")
    if uow.session.scalar(select(PatrolPoint.id).where(PatrolPoint.team_id == team.id,
                                                       PatrolPoint.name == name)):
        raise Conflict(f"name: the team already has a point named {name}", field="name")
    point = PatrolPoint(team_id=team.id, name=name, grid_code=data["grid_code"],
                        address=(data["address"] or "").strip() or None, created_by=_actor(uow))
    uow.session.add(point)
    team.updated_at = utcnow()
    uow.session.flush()
    return _point_view(point)


def list_points(uow: UnitOfWork, team_id: int, query_args: dict) -> dict:
    args = load(PageRequestSchema, query_args)
    team = find_team(uow, team_id)
    query = select(PatrolPoint).where(PatrolPoint.team_id == team.id)
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(PatrolPoint.id > after)
    rows = list(uow.session.scalars(query.order_by(PatrolPoint.id).limit(args["limit"] + 1)))
    return page_of(rows, args["limit"], lambda p: p.id, _point_view)


# --- shifts -------------------------------------------------------------------------------------

def plan_shift(uow: UnitOfWork, payload: dict) -> dict:
    data = load(PatrolShiftCreateSchema, payload)
    team = find_team(uow, data["team_id"], "team_id", managing=True)
    rules.check_shift_times(data["starts_at"], data["ends_at"])
    points = []
    for index, point_id in enumerate(data["point_ids"]):
        if point_id in data["point_ids"][:index]:
            raise InvalidInput(f"point_ids.{index}: point {point_id} is planned twice",
                               field=f"point_ids.{index}")
        points.append(_team_point(uow, team, point_id, f"point_ids.{index}"))
    roster = {m.volunteer_id: m for m in uow.session.scalars(
        select(PatrolTeamMember).where(PatrolTeamMember.team_id == team.id)
        .order_by(PatrolTeamMember.id))}
    wanted = data["volunteer_ids"] if data["volunteer_ids"] is not None else list(roster)
    if not wanted:
        raise InvalidInput("volunteer_ids: the team has no members to walk the shift",
                           field="volunteer_ids")
    for index, volunteer_id in enumerate(wanted):
        if volunteer_id not in roster or volunteer_id in wanted[:index]:
            raise InvalidInput(f"volunteer_ids.{index}: volunteer {volunteer_id} is not a member "
                               f"of team {team.id} (or is named twice)",
                               field=f"volunteer_ids.{index}")
    shift = PatrolShift(team_id=team.id, org_code=team.org_code, starts_at=data["starts_at"],
                        ends_at=data["ends_at"], route=(data["route"] or "").strip() or None,
                        status=rules.PLANNED, created_by=_actor(uow))
    uow.session.add(shift)
    uow.session.flush()
    for volunteer_id in wanted:
        uow.session.add(PatrolShiftMember(shift_id=shift.id, volunteer_id=volunteer_id,
                                          name=roster[volunteer_id].name))
    for position, point in enumerate(points):
        uow.session.add(PatrolShiftPoint(shift_id=shift.id, point_id=point.id, position=position))
    uow.session.flush()
    uow.emit("security.patrol_shift_planned", {
        "shift_id": shift.id, "team_id": team.id, "team_kind": team.kind,
        "org_code": team.org_code, "starts_at": shift.starts_at.isoformat(),
        "ends_at": shift.ends_at.isoformat(), "volunteer_ids": wanted,
        "point_ids": [p.id for p in points]}, org_code=team.org_code)
    return render_shift(uow, shift)


def get_shift(uow: UnitOfWork, shift_id: int) -> dict:
    shift, _team = find_shift(uow, shift_id)
    return render_shift(uow, shift)


def list_shifts(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(PatrolShiftListQuerySchema, query_args)
    caller = require_caller(uow.caller)
    scope = caller.scope or ""
    query = select(PatrolShift).where(or_(PatrolShift.org_code.like(f"{scope}%"),
                                          PatrolShift.org_code.in_(_areas_above(scope))))
    if args["code"]:
        if not _reads(caller, args["code"]):
            require_scope(caller, args["code"], "code")
        query = query.where(PatrolShift.org_code.like(f"{args['code']}%"))
    if args["team_id"] is not None:
        query = query.where(PatrolShift.team_id == args["team_id"])
    if args["status"]:
        query = query.where(PatrolShift.status == args["status"])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(PatrolShift.id > after)
    rows = list(uow.session.scalars(query.order_by(PatrolShift.id).limit(args["limit"] + 1)))
    page = page_of(rows, args["limit"], lambda s: s.id, lambda s: s)
    page["items"] = render_shifts(uow, page["items"])
    return page


def check_in(uow: UnitOfWork, shift_id: int, payload: dict, now: datetime | None = None) -> dict:
    data = load(PatrolCheckInCreateSchema, payload)
    shift, team = find_shift(uow, shift_id, working=True)
    rules.check_open(shift.status, "check in")
    point = _team_point(uow, team, data["point_id"])
    if data["volunteer_id"] is not None and not uow.session.scalar(
            select(PatrolShiftMember.id).where(PatrolShiftMember.shift_id == shift.id,
                                               PatrolShiftMember.volunteer_id
                                               == data["volunteer_id"])):
        raise InvalidInput(f"volunteer_id: volunteer {data['volunteer_id']} does not walk this "
                           f"shift", field="volunteer_id")
    at = data["at"] or now or utcnow()
    rules.check_in_window(shift.starts_at, shift.ends_at, at)
    entry = PatrolCheckIn(shift_id=shift.id, point_id=point.id, volunteer_id=data["volunteer_id"],
                          at=at, note=(data["note"] or "").strip() or None,
                          recorded_by=_actor(uow))
    uow.session.add(entry)
    shift.updated_at = utcnow()
    uow.session.flush()
    uow.emit("security.patrol_checked_in", {
        "check_in_id": entry.id, "shift_id": shift.id, "team_id": team.id,
        "point_id": point.id, "grid_code": point.grid_code,
        "volunteer_id": entry.volunteer_id, "at": entry.at.isoformat(),
        "org_code": team.org_code}, org_code=team.org_code)
    return _check_in_view(entry, point)


def check_finding(uow: UnitOfWork, shift_id: int, payload: dict) -> dict:
    """The finding, loaded and checked as far as it can be before membership is asked about its
    grid: ``grid_code`` is the grid to ask about (None when a point names it)."""
    data = load(PatrolFindingCreateSchema, payload)
    shift, team = find_shift(uow, shift_id, working=True)
    rules.check_open(shift.status, "report a finding")
    if (data["point_id"] is None) == (data["grid_code"] is None):
        raise InvalidInput("point_id: name where it was found: a point_id or a grid_code "
                           "(one of them)", field="point_id")
    if data["point_id"] is not None:
        _team_point(uow, team, data["point_id"])
    else:
        rules.check_point_grid(data["grid_code"], team.org_code)
    if not data["description"].strip():
        raise InvalidInput("description: must not be blank", field="description")
    return data


def report_finding(uow: UnitOfWork, shift_id: int, payload: dict, now: datetime | None = None
                   ) -> dict:
    """Record what the patrol found and open an incident for it (reported by a patrol)."""
    data = check_finding(uow, shift_id, payload)
    shift, team = find_shift(uow, shift_id, working=True)
    point = _team_point(uow, team, data["point_id"]) if data["point_id"] is not None else None
    grid_code = point.grid_code if point else data["grid_code"]
    finding = PatrolFinding(shift_id=shift.id, kind=data["kind"], severity=data["severity"],
                            description=data["description"].strip(),
                            point_id=point.id if point else None, grid_code=grid_code,
                            reported_by=_actor(uow), created_at=now or utcnow())
    uow.session.add(finding)
    uow.session.flush()
    finding.incident_id = _open_incident(uow, finding, point, now)
    shift.updated_at = utcnow()
    uow.session.flush()
    uow.emit("security.patrol_finding_reported", {
        "finding_id": finding.id, "shift_id": shift.id, "team_id": team.id,
        "kind": finding.kind, "severity": finding.severity, "grid_code": grid_code,
        "point_id": finding.point_id, "incident_id": finding.incident_id,
        "org_code": team.org_code}, org_code=team.org_code)
    return _finding_view(finding)


def _open_incident(uow: UnitOfWork, finding: PatrolFinding, point: PatrolPoint | None,
                   now: datetime | None) -> int | None:
    """The incident the finding opens (the incidents area's ``open_incident``; none when that
    area is not installed)."""
    try:
        from services.security.incidents import open_incident
    except ImportError:
        return None
    address = " ".join(part for part in (point.name, point.address) if part) if point else None
    incident = open_incident(uow, {
        "kind": finding.kind, "severity": finding.severity, "description": finding.description,
        "grid_code": finding.grid_code, "address": address, "reporter_kind": "patrol",
        "reporter_ref": f"patrol shift {finding.shift_id}"},
        source_type="patrol", source_id=str(finding.id), at=now)
    return incident.get("id") if isinstance(incident, dict) else getattr(incident, "id", None)


def complete_shift(uow: UnitOfWork, shift_id: int, payload: dict | None = None,
                   now: datetime | None = None) -> dict:
    """Complete the shift: fix each member's hours and credit them in membership (one
    ``security.volunteer_hours_earned`` per member). A second completion is a 409."""
    load(PatrolCompletionSchema, payload or {})
    now = now or utcnow()
    shift, team = find_shift(uow, shift_id, working=True)
    rules.check_open(shift.status, "complete it")
    times = list(uow.session.scalars(select(PatrolCheckIn.at).where(
        PatrolCheckIn.shift_id == shift.id)))
    rules.check_completable(shift.starts_at, now, len(times))
    hours = rules.shift_hours(shift.starts_at, shift.ends_at, times)
    done = uow.session.execute(update(PatrolShift).where(
        PatrolShift.id == shift.id, PatrolShift.status == rules.PLANNED)
        .values(status=rules.COMPLETED, hours=hours, completed_at=now, updated_at=now)
        .execution_options(synchronize_session=False))
    uow.session.refresh(shift)
    if done.rowcount != 1:
        rules.check_open(shift.status, "complete it")
    members = list(uow.session.scalars(select(PatrolShiftMember.volunteer_id).where(
        PatrolShiftMember.shift_id == shift.id).order_by(PatrolShiftMember.id)))
    findings = uow.session.scalar(select(func.count()).where(PatrolFinding.shift_id == shift.id))
    uow.emit("security.patrol_shift_completed", {
        "shift_id": shift.id, "team_id": team.id, "org_code": team.org_code,
        "completed_at": now.isoformat(), "hours": hours, "volunteer_ids": members,
        "check_in_count": len(times), "finding_count": findings}, org_code=team.org_code)
    activity_date = shift.starts_at.astimezone(LOCAL_TIME).date().isoformat()
    for volunteer_id in members:
        uow.emit("security.volunteer_hours_earned", {
            "volunteer_id": volunteer_id, "hours": hours, "activity_date": activity_date,
            "source_type": "patrol", "source_id": str(shift.id), "org_code": team.org_code,
            "description": f"巡逻：{team.name}"[:200]}, org_code=team.org_code)
    return render_shift(uow, shift)
