"""Demo data: a few hundred tickets 工单 in the demo district 鲤城区 (350502), in every status.

Most are in Xiguan 西关 (350502001001) and Yongfeng 永丰 (350502001002), the rest in other
communities of the six streets. Each ticket is created and moved along its lifecycle through the
same use cases as the API (so every step is a history row and an event), back-dated over the
last 45 days: some are still open and overdue, some were escalated, reopened or rejected, and
most resolved ones had their callback (about 80 % satisfied, the districts' target). The grid
codes are the demo territory's (services/membership/demo.py: every demo community has grids
001–003); no call to membership is made. Deterministic, and a second run adds nothing.
"""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select

from services.tickets import categories, tickets
from services.tickets.models import Ticket
from shared.context import CallerContext
from shared.db import UnitOfWork
from shared.errors import DomainError
from shared.events.outbox import utcnow

DEMO_PRINCIPAL = "demo-seed"
COMMUNITIES = (
    [("350502001001", 110), ("350502001002", 110)]
    + [(f"35050200{street}{community:03d}", 9)
       for street, community in ((1, 3), (1, 4), (1, 5), (2, 1), (2, 2), (3, 1), (3, 7),
                                 (4, 1), (5, 1), (6, 1), (6, 2))]
)
DAYS_BACK = 45
CHANNEL_WEIGHTS = {"hotline": 40, "walk_in": 20, "grid_worker": 20, "app": 12,
                   "district_system": 5, "visit": 3}
CATEGORY_WEIGHTS = {"home_services": 10, "medical": 6, "legal_aid": 4, "minimum_allowance": 5,
                    "sewer_overflow": 12, "broken_road": 12, "certificate_stamping": 16,
                    "re_employment": 5, "elderly_care": 10, "complaint": 8,
                    "neighbour_dispute": 7, "home_visit": 5}
ANSWERS = {
    "sewer_overflow": lambda rng: {"severity": rng.choice(["minor", "overflow", "flooding"])},
    "broken_road": lambda rng: {"hazard": rng.sample(["pothole", "paving", "manhole", "light"], 2)},
    "certificate_stamping": lambda rng: {"certificate_kind": rng.choice(
        ["residence", "family_relation", "hardship", "unemployment", "elderly_card"])},
    "neighbour_dispute": lambda rng: {"dispute_kind": rng.choice(["noise", "leak", "space"]),
                                      "parties": rng.choice([2, 2, 3])},
}
DESCRIPTIONS = {
    "home_services": "家里水管漏水，需要上门维修", "medical": "独居老人需要陪同就医",
    "legal_aid": "咨询劳动合同纠纷如何维权", "minimum_allowance": "申请低保，家庭收入低于标准",
    "sewer_overflow": "小区门口下水道堵塞，污水外溢", "broken_road": "巷口路面坑洼，夜间路灯不亮",
    "certificate_stamping": "需要开具证明并盖章", "re_employment": "下岗后希望参加再就业培训",
    "elderly_care": "老人需要助餐服务", "complaint": "投诉物业服务不到位",
    "neighbour_dispute": "楼上漏水与邻居协商不成", "home_visit": "住院老人出院后需要上门走访",
}
SURNAMES = "陈林黄张李王吴刘蔡杨许郑谢洪郭邱曾廖"
# the end states, with weights: every status appears, most tickets are closed
ENDINGS = {"submitted": 4, "accepted": 5, "dispatched": 6, "signed_for": 4, "in_progress": 9,
           "resolved": 10, "closed_verified": 6, "rated": 40, "rejected": 4, "escalated": 6,
           "reopened": 4, "extension": 2}


def _weighted(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _plan(rng: random.Random, ending: str) -> list[tuple[float, dict]]:
    """(hours after the previous step, transition payload) up to ``ending``."""
    worker = {"kind": rng.choice(["community_worker", "grid_worker", "party_post"]),
              "ref": rng.choice(["xg-worker-01", "xg-worker-02", "yf-grid-03", "post-mediation",
                                 "post-sanitation", "yf-worker-05"])}
    accept = [(rng.uniform(0.2, 6), {"action": "accept", "comment": "已受理"})]
    dispatch = [(rng.uniform(0.5, 4), {"action": "dispatch", "assignee": worker})]
    handle = [(rng.uniform(0.5, 8), {"action": "sign_for"}),
              (rng.uniform(1, 12), {"action": "start"})]
    resolve = [(rng.uniform(4, 60), {"action": "resolve", "comment": "已办结"})]
    if ending == "submitted":
        return []
    if ending == "rejected":
        return [(rng.uniform(0.5, 6), {"action": "reject", "reason": "不属于社区受理范围，已告知来电人"})]
    steps = list(accept)
    if ending == "accepted":
        return steps
    if ending == "escalated":
        steps += dispatch + [(rng.uniform(2, 24), {"action": "return",
                                                   "reason": "非本单位职责"}),
                             (rng.uniform(1, 12), {"action": "escalate",
                                                   "comment": "涉及多个社区，提交街道协调"})]
        if rng.random() < 0.25:  # beyond the street: the district takes it
            return steps + [(rng.uniform(4, 48), {"action": "escalate",
                                                  "comment": "街道无法解决，提交区级部门"})]
        if rng.random() < 0.6:
            steps += [(rng.uniform(1, 12), {"action": "dispatch", "assignee": {
                "kind": "community_worker", "ref": "street-office-urban"}})] + handle + resolve
        return steps
    steps += dispatch
    if ending == "dispatched":
        return steps
    steps += handle[:1]
    if ending == "signed_for":
        return steps
    steps += handle[1:]
    if rng.random() < 0.2:
        steps.append((rng.uniform(1, 24), {"action": "remind", "comment": "请加快办理"}))
    if ending == "in_progress":
        return steps
    if ending == "extension":
        return steps + [(rng.uniform(1, 12), {"action": "request_extension", "comment": "需协调物业"}),
                        (rng.uniform(1, 12), {"action": "approve_extension"})]
    steps += resolve
    if ending == "resolved":
        return steps
    if ending == "closed_verified":
        return steps + [(rng.uniform(2, 48), {"action": "close", "comment": "核查结案"})]
    if ending == "reopened":
        return steps + [(rng.uniform(24, 96), {"action": "reopen", "comment": "问题复发，居民要求重新处理"})]
    return steps + [(rng.uniform(4, 72), {"rate": _rating(rng)})]


def _rating(rng: random.Random) -> int:
    return rng.choices([5, 4, 3, 2, 1], weights=[45, 27, 14, 8, 6])[0]


def seed(uow: UnitOfWork) -> dict:
    """Create the demo tickets unless they exist; returns what was created."""
    session = uow.session
    categories.install_defaults(session)
    if session.scalar(select(func.count()).select_from(Ticket)
                      .where(Ticket.created_by == DEMO_PRINCIPAL)):
        return {}
    demo = CallerContext(DEMO_PRINCIPAL, ("system",), "", uow.caller.correlation_id
                         if uow.caller else "demo-seed")
    caller, uow.caller = uow.caller, demo
    try:
        return _seed(uow)
    finally:
        uow.caller = caller


def _seed(uow: UnitOfWork) -> dict:
    rng = random.Random(350502)
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    created = {"tickets": 0, "ticket_transitions": 0}
    for community, count in COMMUNITIES:
        for _ in range(count):
            grid_code = f"{community}{rng.randint(1, 3):03d}"
            category = _weighted(rng, CATEGORY_WEIGHTS)
            ending = _weighted(rng, ENDINGS)
            plan = _plan(rng, ending)
            if plan and plan[-1][1].get("rate") is not None and plan[-1][1]["rate"] < 4 \
                    and rng.random() < 0.5:  # the unsatisfied callback, then done again
                plan += [(rng.uniform(1, 8), {"action": "dispatch", "assignee": {
                    "kind": "community_worker", "ref": "xg-worker-01"}}),
                    (2, {"action": "sign_for"}), (3, {"action": "start"}),
                    (rng.uniform(4, 24), {"action": "resolve"}), (24, {"rate": 5})]
            span = sum(hours for hours, _ in plan)
            age = timedelta(hours=rng.uniform(span + 1, span + 24) if ending != "submitted"
                            and rng.random() < 0.5 else rng.uniform(1, DAYS_BACK * 24))
            at = now - age
            anonymous = rng.random() < 0.1
            payload = {
                "category_code": category, "description": DESCRIPTIONS[category],
                "channel": _weighted(rng, CHANNEL_WEIGHTS),
                "priority": rng.choices(["low", "normal", "high", "urgent"], [10, 70, 15, 5])[0],
                "anonymous": anonymous,
                "reporter": None if anonymous else {
                    "name": rng.choice(SURNAMES) + rng.choice(["先生", "女士", "阿姨", "大爷"]),
                    "phone": f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"},
                "location": {"grid_code": grid_code,
                             "address": f"{rng.randint(1, 180)}号{rng.randint(1, 12)}栋"},
                "attributes": ANSWERS.get(category, lambda _: {})(rng),
            }
            grid = {"code": grid_code, "level": "grid", "parent_code": community,
                    "status": "active"}
            ticket = tickets.add_ticket(uow, payload, grid, now=at)
            created["tickets"] += 1
            for hours, step in plan:
                at += timedelta(hours=hours)
                if at > now:
                    break
                try:
                    if "rate" in step:
                        tickets.apply_rating(uow, ticket.id, {"rating": step["rate"]}, now=at)
                    else:
                        tickets.apply_transition(uow, ticket.id, step, now=at)
                except DomainError:  # a step the rules refuse (e.g. the reopen window) ends it
                    break
                created["ticket_transitions"] += 1
    return created

