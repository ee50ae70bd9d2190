"""Demo care plans and assistance cases in the demo district 350502 (run by ``linli seed`` after
the tickets demo).

Care plans: one for every care flag membership's demo sets on the people of Xiguan 西关 and
Yongfeng 永丰 (about 1,200 plans). Membership's demo plans its people from a seeded random
generator and registers them in order, so the resident ids and flags are known here without
reading membership's database: on a fresh platform the n-th planned person is resident n (the
same plans the ``membership.resident_flagged`` consumer would open; when it later sees those
events, it finds the plans and does nothing). The first plans have two months of visit history,
and a handful of them a missed visit. Assistance cases: thirteen in Yongfeng, in every stage
(three in public notice, one sent back by an objection).

Idempotent: plans that exist are left alone (and get no visits), and the assistance cases are
made only when none of the demo's exist.
"""
from __future__ import annotations

import functools
import random
from collections.abc import Iterator
from datetime import date, timedelta

from sqlalchemy import func, select

from services.tickets import assistance
from services.tickets.domain import care as care_rules
from services.tickets.models.assistance import AssistanceCase
from services.tickets.models.care import CarePlan, CareScheduleLine, CareVisit
from shared.context import CallerContext
from shared.db import UnitOfWork
from shared.events.outbox import utcnow

DEMO_PRINCIPAL = "demo-care"
HISTORY_PLANS = 120  # plans with two months of visits
HISTORY_DAYS = 60
MISSED_EVERY = 10  # one in ten of those has a missed visit
VISIT_NOTES = {"needs_help": "反映行动不便，需协助购买生活用品",
               "not_reached": "电话无人接听，改日再访"}
VISITORS = ("网格员 林晓燕", "社区干部 陈志明", "志愿者 黄丽华", "邻居 王阿姨", "楼长 蔡国栋")


@functools.cache
def _demo_people() -> tuple[tuple[int, str, str, tuple[str, ...], date], ...]:
    """(resident_id, community_code, grid_code, flags, birth_date) of membership's demo people,
    in the order its seed registers them."""
    from services.membership import demo as membership_demo

    nodes = list(membership_demo.demo_nodes())
    people, resident_id = [], 0
    for plan in membership_demo.COMMUNITIES:
        grids = sorted(code for level, code, _name, parent in nodes
                       if level == "grid" and parent == plan.code)
        for household in membership_demo._Planner(plan, grids).households():
            for person in household.members:
                resident_id += 1
                people.append((resident_id, plan.code, household.grid_code,
                               tuple(person.flags), person.birth_date))
    return tuple(people)


def demo_flagged_residents() -> Iterator[tuple[int, str, str, date]]:
    """(resident_id, grid_code, flag, flagged_on) of every care flag in membership's demo."""
    for resident_id, _community, grid_code, flags, birth_date in _demo_people():
        for flag in flags:
            if care_rules.is_care_flag(flag):
                yield resident_id, grid_code, flag, max(birth_date, date(2020, 1, 1))


def _as_demo(uow: UnitOfWork):
    caller = uow.caller
    uow.caller = CallerContext(DEMO_PRINCIPAL, ("system",), "",
                               caller.correlation_id if caller else "demo-care")
    return caller


def seed(uow: UnitOfWork, today: date | None = None) -> dict:
    """Care plans, their visits and assistance cases; returns what was created."""
    today = today or utcnow().date()
    caller = _as_demo(uow)
    try:
        created = seed_care_plans(uow, today)
        created.update(seed_assistance_cases(uow, today))
        return {kind: count for kind, count in created.items() if count}
    finally:
        uow.caller = caller


def seed_care_plans(uow: UnitOfWork, today: date) -> dict:
    """Written in bulk (a dozen statements, not thousands) with the same rules and events as
    the consumer and the visits route."""
    session, rng = uow.session, random.Random(350502001)
    existing = set(session.execute(select(CarePlan.resident_id, CarePlan.flag)).all())
    new = []
    for number, (resident_id, grid_code, flag, flagged_on) in enumerate(
            demo_flagged_residents()):
        if (resident_id, flag) in existing:
            continue
        starts_on = today - timedelta(days=HISTORY_DAYS if number < HISTORY_PLANS
                                      else number % 6)
        plan = CarePlan(resident_id=resident_id, flag=flag, grid_code=grid_code,
                        community_code=care_rules.community_of(grid_code), status="open",
                        flagged_on=flagged_on, starts_on=starts_on, opened_by=DEMO_PRINCIPAL)
        new.append((number, plan))
    session.add_all(plan for _, plan in new)
    session.flush()
    visits = []
    for number, plan in new:
        lines = []
        for kind, every in care_rules.cadences_for(plan.flag).items():
            line = CareScheduleLine(plan_id=plan.id, kind=kind, every_days=every,
                                    last_visited_on=None,
                                    next_due_on=care_rules.next_due(plan.starts_on, None, every))
            if number < HISTORY_PLANS:
                missed = number % MISSED_EVERY == MISSED_EVERY - 1 and kind == "phone_call"
                visits += _visit_history(plan, line, rng, today, missed)
            lines.append(line)
        session.add_all(lines)
        uow.emit("tickets.care_plan_opened", {
            "care_plan_id": plan.id, "resident_id": plan.resident_id, "flag": plan.flag,
            "grid_code": plan.grid_code, "community_code": plan.community_code,
            "starts_on": plan.starts_on.isoformat(), "reopened": False,
            "schedule": [{"kind": line.kind, "every_days": line.every_days,
                          "next_due_on": line.next_due_on.isoformat()} for line in lines]},
            org_code=plan.grid_code)
    session.add_all(visit for visit, _plan, _line in visits)
    session.flush()
    for visit, plan, next_due_on in visits:
        uow.emit("tickets.care_visit_recorded", {
            "care_plan_id": plan.id, "resident_id": plan.resident_id, "flag": plan.flag,
            "grid_code": plan.grid_code, "community_code": plan.community_code,
            "visit_id": visit.id, "kind": visit.kind, "visited_on": visit.visited_on.isoformat(),
            "outcome": visit.outcome, "counted": care_rules.counts_for_schedule(visit.outcome),
            "next_due_on": next_due_on.isoformat()}, org_code=plan.grid_code)
    session.flush()
    return {"care_plan": len(new), "care_visit": len(visits)}


def _visit_history(plan: CarePlan, line: CareScheduleLine, rng: random.Random, today: date,
                   missed: bool) -> list:
    """Visits of one kind on its cadence, a day or two early, up to today; ``missed``: they
    stopped a while ago, so the next one is overdue. Moves ``line`` as each visit would."""
    visits = []
    day = plan.starts_on
    stop = today - timedelta(days=line.every_days + 5) if missed else today
    while True:
        day += timedelta(days=max(1, line.every_days - rng.randrange(0, 3)))
        if day > stop:
            break
        outcome = rng.choices(("well", "needs_help", "not_reached"), (85, 10, 5))[0]
        care_rules.check_visit(plan.status, plan.starts_on, day, today)
        line.last_visited_on = care_rules.after_visit(line.last_visited_on, day, outcome)
        line.next_due_on = care_rules.next_due(plan.starts_on, line.last_visited_on,
                                               line.every_days)
        visits.append((CareVisit(plan_id=plan.id, kind=line.kind, visited_on=day,
                                 visitor=rng.choice(VISITORS), outcome=outcome,
                                 notes=VISIT_NOTES.get(outcome), recorded_by=DEMO_PRINCIPAL),
                       plan, line.next_due_on))
    return visits


# --- assistance cases -------------------------------------------------------------------------

YONGFENG = "350502001002"
# (kind, the stages to go through) — every stage, three in public notice, one objected to
CASE_PLANS = (
    ("minimum_allowance", "investigation"),
    ("medical_aid", "investigation"),
    ("minimum_allowance", "document_review"),
    ("medical_aid", "document_review"),
    ("minimum_allowance", "democratic_appraisal"),
    ("minimum_allowance", "appraisal_failed"),
    ("minimum_allowance", "notice_new"),
    ("medical_aid", "notice_posted"),
    ("minimum_allowance", "notice_over"),
    ("minimum_allowance", "objected"),
    ("minimum_allowance", "approved"),
    ("medical_aid", "approved"),
    ("minimum_allowance", "rejected"),
)


def _applicants(count: int) -> list[tuple[int, str]]:
    """Yongfeng residents without the minimum allowance, one every 97th (deterministic)."""
    return [(resident_id, grid_code) for resident_id, community, grid_code, flags, _born
            in _demo_people() if community == YONGFENG and "minimum_allowance" not in flags
            and resident_id % 97 == 0][:count]


def seed_assistance_cases(uow: UnitOfWork, today: date) -> dict:
    if uow.session.scalar(select(func.count()).select_from(AssistanceCase)
                          .where(AssistanceCase.created_by == DEMO_PRINCIPAL)):
        return {}
    applicants = _applicants(len(CASE_PLANS))
    for (kind, goal), (resident_id, grid_code) in zip(CASE_PLANS, applicants, strict=False):
        _walk(uow, kind, goal, resident_id, grid_code, today)
    return {"assistance_case": min(len(CASE_PLANS), len(applicants))}


def _walk(uow: UnitOfWork, kind: str, goal: str, resident_id: int, grid_code: str,
          today: date) -> None:
    # most cases started 40 days ago; two later, so that their notice period runs now
    start = today - timedelta(days={"notice_new": 12, "notice_posted": 15}.get(goal, 40))

    def lookup(_resident_id):
        return {"id": resident_id, "grid_code": grid_code, "status": "active"}

    def on(days_after_start: int) -> date:
        return start + timedelta(days=days_after_start)

    def act(day: date, action: str, **payload) -> None:
        assistance.transition(uow, case_id, {"action": action, **payload}, day)

    case_id = assistance.open_case(uow, {"kind": kind, "resident_id": resident_id,
                                         "notes": "本人申请，社区受理"}, lookup, on(0))["id"]
    if goal == "investigation":
        return
    act(on(4), "complete_investigation", comment="入户调查：家庭收入、财产情况与申请相符")
    if goal == "document_review":
        return
    act(on(9), "complete_review", comment="户口簿、收入证明、病历等材料齐全")
    if goal == "democratic_appraisal":
        return
    if goal == "appraisal_failed":
        act(on(14), "record_appraisal", votes_for=4, votes_against=7, abstentions=1)
        return
    act(on(12), "record_appraisal", votes_for=9, votes_against=2, abstentions=1)
    places = ("社区公示栏", "小区出入口", "街道便民服务中心")
    if goal == "notice_new":
        act(on(12), "post_notice", location=places[0])
        return
    for n, place in enumerate(places[:2 if goal == "notice_posted" else 3]):
        act(on(12 + 2 * n), "post_notice", location=place)
    if goal in ("notice_posted", "notice_over"):
        return
    if goal == "objected":
        assistance.lodge_objection(uow, case_id, {
            "content": "有居民反映申请人家中有出租房屋收入", "objector": None}, on(15))
        return
    if goal == "rejected":
        act(on(20), "reject", reason="经核查家庭人均收入高于当地最低生活保障标准")
        return
    act(on(20), "approve", comment="公示期满无异议，同意")
