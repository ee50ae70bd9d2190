"""Demo petitions 信访: fifteen in Xiguan 西关 and Yongfeng 永丰 over the last five months, in
every status — waiting to be accepted (one overdue), accepted (one overdue, one extended),
declined, answered (one late), a review asked for and given, closed — and one group petition
集体访 (eight people) for the zero-target indicator.

Made through the same use cases as the API (so the history and the events are there), dated
back from ``today``; petitioners are membership's residents where ``directory`` has them.
Deterministic; a second run adds nothing.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists, select

from services.security import petitions
from services.security.models.petitions import Petition
from shared.context import CallerContext
from shared.db import UnitOfWork

DEMO_PRINCIPAL = "demo-seed"
XIGUAN, YONGFENG = "350502001001", "350502001002"
FALLBACK_NAMES = ("林秀英", "黄志明", "陈美玲", "郑国强", "王丽华", "蔡建平", "吴淑芬", "李文辉")

# (community, grid 1-3, channel, petitioners, subject, registered days ago,
#  steps: (action, days ago, extra payload))
PETITIONS = (
    (XIGUAN, 1, "visit", 1, "楼道堆放杂物存在消防隐患", 3, ()),
    (YONGFENG, 2, "letter", 1, "小区停车位分配不公", 20, ()),  # overdue: not accepted in 15 days
    (XIGUAN, 2, "phone", 2, "夜间施工噪音扰民", 40, (("accept", 35, {}),)),
    (XIGUAN, 3, "visit", 1, "老旧小区雨水管堵塞", 80, (("accept", 75, {}),)),  # overdue answer
    (YONGFENG, 1, "online", 1, "要求追讨民间借贷欠款", 30,
     (("decline", 25, {"reason": "属民事纠纷，已告知通过诉讼途径解决"}),)),
    (XIGUAN, 3, "visit", 1, "低保申请审核进度", 50,
     (("accept", 45, {}), ("answer", 10, {"text": "已核实家庭收入，纳入低保，次月发放"}))),
    (YONGFENG, 3, "letter", 1, "房屋漏水邻里纠纷", 90,
     (("accept", 85, {}), ("answer", 40, {"text": "已组织双方协商，楼上住户负责维修"}),
      ("request_review", 20, {"reason": "维修未落实"}))),
    (YONGFENG, 2, "visit", 1, "征收补偿标准异议", 120,
     (("accept", 115, {}), ("answer", 70, {"text": "补偿标准符合现行政策"}),
      ("request_review", 50, {}), ("review", 30, {"text": "复查：维持原办理意见"}))),
    (XIGUAN, 1, "visit", 8, "加装电梯意见分歧（集体访）", 60,
     (("accept", 58, {}), ("answer", 30, {"text": "召开居民议事会，形成加装方案"}),
      ("close", 5, {}))),
    (XIGUAN, 2, "phone", 1, "反映邻居饲养犬只扰民", 100,
     (("decline", 95, {"reason": "已转城管部门依职责处理"}), ("close", 90, {}))),
    (YONGFENG, 1, "letter", 3, "菜市场周边占道经营", 150,
     (("accept", 145, {}),
      ("extend", 100, {"until": 70, "reason": "涉及市场监管、城管多部门会商"}),
      ("answer", 75, {"text": "划定临时疏导点，占道经营已清理"}), ("close", 40, {}))),
    (XIGUAN, 3, "online", 1, "小区监控设施损坏", 70,
     (("accept", 65, {}), ("extend", 10, {"until": -20, "reason": "待物业维修资金审批"}))),
    (YONGFENG, 3, "visit", 2, "物业服务费上涨", 130,
     (("accept", 125, {}), ("answer", 60, {"text": "物业费调整程序已规范，重新公示"}),
      ("close", 25, {}))),  # answered late
    (YONGFENG, 2, "online", 1, "公共绿地被占用种菜", 45,
     (("accept", 44, {}), ("answer", 20, {"text": "已恢复绿化"}), ("close", 2, {}))),
    (YONGFENG, 1, "phone", 1, "路灯长期不亮", 25,
     (("accept", 20, {}), ("answer", 3, {"text": "已协调供电所修复"}))),
)


def _petitioners(directory: dict, community: str) -> list[str]:
    residents = (directory.get(community) or {}).get("residents") or []
    return [r["name"] for r in residents[:8]] or list(FALLBACK_NAMES)


def seed(uow: UnitOfWork, directory: dict, today: date) -> dict:
    """The fifteen petitions; ``{}`` when the demo already made them."""
    if uow.session.scalar(select(exists().where(Petition.created_by == DEMO_PRINCIPAL))):
        return {}
    caller, uow.caller = uow.caller, CallerContext(DEMO_PRINCIPAL, ("system",), "",
                                                   "security-petitions-demo-seed")
    try:
        return _seed(uow, directory, today)
    finally:
        uow.caller = caller


def _seed(uow: UnitOfWork, directory: dict, today: date) -> dict:
    def day(days_ago: int) -> str:
        return (today - timedelta(days=days_ago)).isoformat()

    created = {"petition": 0, "petition_step": 0}
    for n, (community, grid, channel, people, subject, registered, steps) in enumerate(PETITIONS):
        names = _petitioners(directory, community)
        place = f"{community}{grid:03d}"
        shown = petitions.register(uow, {
            "org_code": place, "channel": channel, "petitioners": people, "subject": subject,
            "petitioner_name": names[n % len(names)],
            "petitioner_phone": f"1385950{1000 + n * 37:04d}",
            "registered_on": day(registered)}, {"code": place, "level": "grid"}, today)
        created["petition"] += 1
        created["petition_step"] += 1
        for action, days_ago, extra in steps:
            payload = {"action": action, "on": day(days_ago), **extra}
            if "until" in extra:
                payload["until"] = day(extra["until"])
            petitions.transition(uow, shown["id"], payload, today)
            created["petition_step"] += 1
    return created
