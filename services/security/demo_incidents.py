"""Demo incidents and grid workers in 西关 and 永丰 (district 350502): a grid worker for each grid,
and about forty incidents across the grids in every status of the closed loop — some overdue,
one major mass incident escalated at once, one closure disputed by its reporter, a serious one
left unhandled past its due time (escalated by the clock's rule).

Made with the use cases, back-dated from ``today``; deterministic; a second run adds nothing.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import exists, select

from services.security import grids, incidents
from services.security.models.incidents import GridWorkerAssignment
from shared.context import CallerContext
from shared.db import UnitOfWork

DEMO_PRINCIPAL = "demo-seed"
COMMUNITIES = {"350502001001": "西关", "350502001002": "永丰"}
GRID_SUFFIXES = ("001", "002", "003")
KINDS = ("theft", "dispute", "fire_hazard", "illegal_construction", "flood",
         "sanitation_violation", "other")
SEVERITIES = ("minor", "general", "general", "serious")
STAGES = ("reported", "filed", "dispatched", "in_progress", "handled", "fed_back", "verified",
          "closed", "evaluated", "dismissed")
LOOP = (("file", {}), ("dispatch", {"assignee": {"kind": "unit", "ref": "鲤城区综合执法队"}}),
        ("start", {}), ("handled", {"result": "已到场处置完毕"}), ("feedback", {}),
        ("verify", {}), ("close", {}), ("evaluate", {"rating": 4}))
HANDLER_ACTIONS = ("start", "handled", "feedback")
INCIDENT_COUNT = 40


def _as(uow: UnitOfWork, principal: str) -> None:
    uow.caller = CallerContext(principal, ("system",), "", "security-demo-seed")


def _grids() -> list[str]:
    return [community + suffix for community in COMMUNITIES for suffix in GRID_SUFFIXES]


def _worker(grid_code: str) -> str:
    return f"gw-{grid_code}"


def _node(grid_code: str) -> dict:
    return {"code": grid_code, "level": "grid"}


def _steps_for(stage: str) -> list[tuple[str, dict]]:
    if stage == "dismissed":
        return [("dismiss", {"comment": "经核实不属实"})]
    done = {"reported": 0, "filed": 1, "dispatched": 2, "in_progress": 3, "handled": 4,
            "fed_back": 5, "verified": 6, "closed": 7, "evaluated": 8}[stage]
    return list(LOOP[:done])


def _take(uow: UnitOfWork, incident_id: int, action: str, extra: dict, at: datetime,
          reporter: str) -> None:
    principal = ("demo-unit-zhifa" if action in HANDLER_ACTIONS
                 else reporter if action == "dispute" else DEMO_PRINCIPAL)
    _as(uow, principal)
    incidents.take_step(uow, incident_id, {"action": action, **extra}, at=at)


def _residents(directory: dict, community: str) -> list[dict]:
    return (directory.get(community) or {}).get("residents") or []


def seed(uow: UnitOfWork, directory: dict, today: date) -> dict:
    if uow.session.scalar(select(exists().where(
            GridWorkerAssignment.created_by == DEMO_PRINCIPAL))):
        return {}
    caller = uow.caller
    try:
        return _seed(uow, directory, today)
    finally:
        uow.caller = caller


def _seed(uow: UnitOfWork, directory: dict, today: date) -> dict:
    midnight = datetime.combine(today, time.min, tzinfo=timezone.utc)
    all_grids = _grids()
    _as(uow, DEMO_PRINCIPAL)
    for n, grid_code in enumerate(all_grids):
        name = f"{COMMUNITIES[grid_code[:12]]}网格员{n % 3 + 1}"
        grids.assign(uow, grid_code, {
            "worker_id": _worker(grid_code), "name": name, "phone": f"1385950{1001 + n}",
            "since": (today - timedelta(days=365)).isoformat()}, _node(grid_code))
    made = 0
    for i in range(INCIDENT_COUNT):
        grid_code = all_grids[i % len(all_grids)]
        community = grid_code[:12]
        stage = STAGES[i % len(STAGES)]
        severity, kind = SEVERITIES[i % len(SEVERITIES)], KINDS[i % len(KINDS)]
        reporter_kind, reporter_ref = "grid_worker", None
        residents = _residents(directory, community)
        if i % 5 == 2 and residents:
            reporter_kind, reporter_ref = "resident", f"resident:{residents[i % len(residents)]['id']}"
        elif i % 7 == 3:
            reporter_kind = "district_system"
        if i == INCIDENT_COUNT - 2:  # the major one: goes to the street at once
            kind, severity, stage = "mass_incident", "major", "dispatched"
            grid_code, community = "350502001002001", "350502001002"
        disputed = i == INCIDENT_COUNT - 1
        if disputed:
            stage = "closed"
        reported_at = midnight - timedelta(days=(INCIDENT_COUNT - i) % 12 + 1, hours=i % 9)
        reporter = _worker(grid_code)
        _as(uow, reporter)
        incident = incidents.open_incident(uow, {
            "kind": kind, "severity": severity, "grid_code": grid_code,
            "description": f"{COMMUNITIES[community]}{incidents_text(kind)}",
            "address": f"{COMMUNITIES[community]}社区{i % 9 + 1}号楼附近",
            "reporter_kind": reporter_kind, "reporter_ref": reporter_ref,
            "occurred_at": reported_at - timedelta(minutes=30)}, at=reported_at)
        at = reported_at
        for action, extra in _steps_for(stage):
            at += timedelta(hours=1)
            _take(uow, incident["id"], action, extra, at, reporter)
        if disputed:
            at += timedelta(hours=2)
            _take(uow, incident["id"], "dispute", {"comment": "问题仍未解决"}, at, reporter)
        made += 1
    _as(uow, DEMO_PRINCIPAL)
    escalated = incidents.escalate_overdue(uow, midnight)
    return {"grid_workers": len(all_grids), "incidents": made, "escalated_overdue": escalated}


def incidents_text(kind: str) -> str:
    return {"theft": "居民电动车被盗", "dispute": "邻里因停车发生纠纷",
            "fire_hazard": "楼道堆放杂物存在火灾隐患", "illegal_construction": "屋顶违章搭建",
            "flood": "暴雨后路段水浸", "sanitation_violation": "垃圾乱堆放",
            "mass_incident": "数十人聚集", "other": "其他需处置事项"}[kind]
