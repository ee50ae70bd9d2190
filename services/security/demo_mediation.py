"""Demo mediation 人民调解: ten cases in Xiguan 西关 and Yongfeng 永丰 over the last three
months, of every dispute type (family, marriage, neighbour, property) and every outcome
(agreement, failed, referred to court), four still open with their sessions so far.

Made through the same use cases as the API (so the events are there), dated back from
``today``; parties are membership's residents where ``directory`` has them. Deterministic; a
second run adds nothing. (Cases from dispute tickets come from tickets' own demo tickets, through
their events, when the services run.)
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists, select

from services.security import mediation
from services.security.models.mediation import MediationCase
from shared.context import CallerContext
from shared.db import UnitOfWork

DEMO_PRINCIPAL = "demo-seed"
XIGUAN, YONGFENG = "350502001001", "350502001002"
FALLBACK_NAMES = ("林秀英", "黄志明", "陈美玲", "郑国强", "王丽华", "蔡建平", "吴淑芬", "李文辉")
MEDIATORS = ({"name": "黄春梅", "kind": "peoples_mediator"}, {"name": "陈建国", "kind": "worker"},
             {"name": "郑老伯", "kind": "volunteer"})

# (community, grid 1-3, dispute type, summary, opened days ago, sessions (days ago),
#  outcome (kind, days ago, agreement text) or None while open)
CASES = (
    (XIGUAN, 1, "neighbour", "楼上卫生间漏水渗到楼下天花板", 80, (75, 68),
     ("agreement", 66, "楼上住户10日内修复防水层，赔偿楼下修缮费1200元")),
    (XIGUAN, 2, "neighbour", "夜间练琴噪音扰民", 40, (36,),
     ("agreement", 36, "每晚九点后不再练琴，周末上午可练")),
    (YONGFENG, 1, "neighbour", "楼道公共空间堆放杂物占用", 12, (8,), None),
    (XIGUAN, 3, "family", "老人赡养费用分担兄妹争执", 70, (65, 50, 42),
     ("agreement", 42, "三兄妹按月各负担赡养费800元，轮流陪护")),
    (YONGFENG, 2, "family", "父子因房屋装修矛盾激化", 20, (15, 6), None),
    (YONGFENG, 3, "marriage", "夫妻感情不和，女方要求离婚", 90, (85, 70),
     ("referred_to_court", 60, None)),
    (XIGUAN, 1, "marriage", "婚后彩礼返还争议", 30, (25,), ("failed", 18, None)),
    (YONGFENG, 1, "property", "物业公司与业主停车费纠纷", 60, (55, 48),
     ("failed", 45, None)),
    (XIGUAN, 2, "property", "祖屋继承份额分歧", 50, (44, 30),
     ("referred_to_court", 28, None)),
    (XIGUAN, 3, "property", "相邻围墙界址争议", 5, (), None),
)


def _names(directory: dict, community: str) -> list[str]:
    residents = (directory.get(community) or {}).get("residents") or []
    return [r["name"] for r in residents[:10]] or list(FALLBACK_NAMES)


def seed(uow: UnitOfWork, directory: dict, today: date) -> dict:
    """The ten cases; ``{}`` when the demo already made them."""
    if uow.session.scalar(select(exists().where(MediationCase.created_by == DEMO_PRINCIPAL))):
        return {}
    caller, uow.caller = uow.caller, CallerContext(DEMO_PRINCIPAL, ("system",), "",
                                                   "security-mediation-demo-seed")
    try:
        return _seed(uow, directory, today)
    finally:
        uow.caller = caller


def _seed(uow: UnitOfWork, directory: dict, today: date) -> dict:
    def day(days_ago: int) -> str:
        return (today - timedelta(days=days_ago)).isoformat()

    created = {"mediation_case": 0, "mediation_session": 0, "mediation_closed": 0}
    for n, (community, grid, dispute_type, summary, opened, sessions, outcome) in enumerate(CASES):
        names = _names(directory, community)
        place = f"{community}{grid:03d}"
        applicant, respondent = names[(2 * n) % len(names)], names[(2 * n + 1) % len(names)]
        case = mediation.create_case(uow, {
            "grid_code": place, "dispute_type": dispute_type, "summary": summary,
            "parties": [{"name": applicant, "role": "applicant",
                         "phone": f"1375950{2000 + n * 41:04d}"},
                        {"name": respondent, "role": "respondent"}],
            "mediator": MEDIATORS[n % len(MEDIATORS)], "opened_on": day(opened)},
            {"code": place, "level": "grid", "status": "active"}, today)
        created["mediation_case"] += 1
        for number, days_ago in enumerate(sessions, start=1):
            mediation.record_session(uow, case["id"], {
                "held_on": day(days_ago), "notes": f"第{number}次调解：听取双方陈述，释法说理",
                "attendees": [applicant, respondent, MEDIATORS[n % len(MEDIATORS)]["name"]]},
                today)
            created["mediation_session"] += 1
        if outcome:
            kind, days_ago, text = outcome
            mediation.record_outcome(uow, case["id"], {
                "outcome": kind, "agreement_text": text, "closed_on": day(days_ago)}, today)
            created["mediation_closed"] += 1
    return created
