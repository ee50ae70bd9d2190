"""Demo patrols in 江南街道 (350502001): Xiguan's 治安巡逻队 and Yongfeng's party-member volunteer
patrol (its members Yongfeng's volunteers), three patrol points each in the community's grids,
a dozen evening shifts of the last two weeks walked and completed — their check-ins kept and each
member's hours credited (``security.volunteer_hours_earned``) —, two findings that opened
incidents, and a shift of each team planned for the coming evenings.

Made through the same use cases as the API, back-dated with their ``now``, so every step emits
its event. Volunteers come from membership's demo as ``linli seed`` hands them over
(``services.membership.demo.directory``). Deterministic; a second run adds nothing.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import exists, select

from services.security import patrols
from services.security.models.patrols import PatrolTeam
from shared.context import CallerContext
from shared.db import UnitOfWork

DEMO_PRINCIPAL = "demo-seed"
XIGUAN = "350502001001"
YONGFENG = "350502001002"
CHINA = timezone(timedelta(hours=8))
TEAMS = (  # community, name, kind, volunteers taken, points (name, grid suffix, address)
    (XIGUAN, "西关社区治安巡逻队", "security_patrol", 4,
     (("西关菜市场", "001", "西街1号"), ("象峰巷口", "002", "象峰巷12号"),
      ("打锡巷小区门口", "003", "打锡巷3号"))),
    (YONGFENG, "永丰社区党员志愿巡逻队", "party_member_patrol", 6,
     (("永丰路公交站", "001", "永丰路949号"), ("永丰小学门口", "002", "永丰路120号"),
      ("老旧小区车棚", "003", "永丰新村5栋"))),
)
PAST_SHIFTS = 12  # alternate evenings of the two teams, the latest yesterday
CHECK_INS = ((19, 10), (20, 15), (21, 40))  # one at each point: walked 2.5 h of the 3 planned
FINDINGS = {  # the n-th past shift (0 = the latest): what its patrol found at its second point
    1: ("fire_hazard", "general", "楼道堆放纸箱杂物，堵塞消防通道"),
    4: ("sanitation_violation", "minor", "车棚旁垃圾长期堆放未清运"),
}


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), CHINA).astimezone(timezone.utc)


def seed(uow: UnitOfWork, directory: dict, today: date) -> dict:
    if uow.session.scalar(select(exists().where(PatrolTeam.name == TEAMS[0][1]))):
        return {}
    caller, uow.caller = uow.caller, CallerContext(DEMO_PRINCIPAL, ("system",), "",
                                                   "demo-seed-patrols")
    try:
        return _seed(uow, directory, today)
    finally:
        uow.caller = caller


def _seed(uow: UnitOfWork, directory: dict, today: date) -> dict:
    created = {"patrol_team": 0, "patrol_member": 0, "patrol_point": 0, "patrol_shift": 0,
               "patrol_check_in": 0, "patrol_finding": 0, "patrol_shift_completed": 0}
    teams = []
    for community, name, kind, taken, points in TEAMS:
        team = patrols.create_team(uow, {"org_code": community, "name": name, "kind": kind})
        created["patrol_team"] += 1
        volunteers = (directory.get(community) or {}).get("volunteers", [])[:taken]
        for volunteer in volunteers:
            patrols.add_member(uow, team["id"], {"volunteer_id": volunteer["id"]}, {
                **volunteer, "community_code": community, "status": "active"})
            created["patrol_member"] += 1
        point_ids = []
        for point_name, grid, address in points:
            grid_code = community + grid
            point = patrols.add_point(uow, team["id"], {
                "name": point_name, "grid_code": grid_code, "address": address},
                {"code": grid_code, "level": "grid"})
            point_ids.append(point["id"])
            created["patrol_point"] += 1
        if volunteers:  # a team nobody joined walks no shifts
            teams.append((team, point_ids))
    if not teams:
        return created
    for n in range(PAST_SHIFTS):
        team, point_ids = teams[n % len(teams)]
        day = today - timedelta(days=n + 1)
        shift = _plan(uow, team, point_ids, day)
        created["patrol_shift"] += 1
        for point_id, (hour, minute) in zip(point_ids, CHECK_INS, strict=True):
            patrols.check_in(uow, shift["id"], {
                "point_id": point_id, "at": _local(day, hour, minute).isoformat(),
                "volunteer_id": shift["members"][0]["volunteer_id"], "note": "巡查正常"})
            created["patrol_check_in"] += 1
        if n in FINDINGS:
            kind, severity, description = FINDINGS[n]
            patrols.report_finding(uow, shift["id"], {
                "kind": kind, "severity": severity, "description": description,
                "point_id": point_ids[1]}, now=_local(day, 20, 20))
            created["patrol_finding"] += 1
        patrols.complete_shift(uow, shift["id"], {}, now=_local(day, 22, 10))
        created["patrol_shift_completed"] += 1
    for n, (team, point_ids) in enumerate(teams):
        _plan(uow, team, point_ids, today + timedelta(days=n + 1))
        created["patrol_shift"] += 1
    return created


def _plan(uow: UnitOfWork, team: dict, point_ids: list[int], day: date) -> dict:
    """An evening shift, 19:00–22:00, of every member of the team."""
    return patrols.plan_shift(uow, {
        "team_id": team["id"], "starts_at": _local(day, 19).isoformat(),
        "ends_at": _local(day, 22).isoformat(), "route": "沿巡逻点位顺序巡查，夜间重点看车棚楼道",
        "point_ids": point_ids})
