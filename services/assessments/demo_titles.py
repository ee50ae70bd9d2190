"""Demo titles 荣誉称号 in 江南街道, one in every state: Xiguan 西关 a civilised community 文明社区
(district level, granted), Yongfeng 永丰 a safe community 平安社区 (city level, on public notice
now), a learning family 学习型家庭 and a top-ten volunteer 十佳志愿者 (granted), a top-ten good
neighbour 十佳好邻居 withdrawn after an upheld objection, and a top-ten party member 十佳党员
waiting for review.

Made through the same use cases as the API (history and events included: the granted ones reach
membership as honours), dated back from ``today``. Holders come from ``directory``
(``services.membership.demo.directory``); a household is taken from its ``households`` when it
has them (id, grid_code, representative name), and a title whose holder the directory lacks is
left out. Deterministic; a second run adds nothing.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists, select

from services.assessments import titles
from services.assessments.models.titles import Title
from shared.context import CallerContext
from shared.db import UnitOfWork

DEMO_PRINCIPAL = "demo-seed"
XIGUAN, YONGFENG = "350502001001", "350502001002"
COMMUNITY_NAMES = {XIGUAN: "西关社区", YONGFENG: "永丰社区"}


def _community(code: str) -> dict:
    return {"code": code, "name": COMMUNITY_NAMES[code], "level": "community",
            "status": "active"}


def _first(items: list[dict]) -> dict | None:
    return items[0] if items else None


def _holders(directory: dict) -> dict:
    """The demo's holders as membership would show them (None: the directory lacks one)."""
    xiguan, yongfeng = directory.get(XIGUAN) or {}, directory.get(YONGFENG) or {}
    volunteer_community = XIGUAN if xiguan.get("volunteers") else YONGFENG  # 永丰 has the teams
    volunteer = _first((directory.get(volunteer_community) or {}).get("volunteers") or [])
    neighbour = _first((yongfeng.get("residents") or [])[5:])
    members = [m | {"org_code": b["org_code"]} for b in xiguan.get("branches") or []
               for m in b["members"]]
    household = _first(yongfeng.get("households") or xiguan.get("households") or [])
    return {
        "xiguan": _community(XIGUAN), "yongfeng": _community(YONGFENG),
        "volunteer": volunteer and {"id": volunteer["id"], "name": volunteer["name"],
                                    "community_code": volunteer_community, "status": "active"},
        "neighbour": neighbour and {"id": neighbour["id"], "name": neighbour["name"],
                                    "grid_code": neighbour["grid_code"], "status": "active"},
        "party_member": _first(members) and {**_first(members), "status": "active"},
        "household": household and {
            "id": household["id"], "grid_code": household["grid_code"],
            "representative_id": 0, "members": [
                {"id": 0, "name": household.get("representative_name") or ""}]},
    }


# (holder, kind, level, nominated days ago, citation, steps: (step, days ago, payload))
TITLES = (
    ("xiguan", "civilised_community", "district", 60,
     "党建引领“五位一体”社区治理，居民满意度连续三年超过90%",
     (("review", 50, {"decision": "approve"}), ("grant", 40, {}))),
    ("yongfeng", "safe_community", "city", 6,
     "全年无刑事案件、无群体性事件，55个责任区网格化巡防全覆盖",
     (("review", 2, {"decision": "approve"}),)),
    ("household", "learning_family", "district", 45,
     "全家坚持每周共读，参加社区学校课程12门",
     (("review", 35, {"decision": "approve"}), ("grant", 25, {}))),
    ("volunteer", "top_ten_volunteer", "district", 50,
     "全年志愿服务超过300小时，组建助残志愿小分队",
     (("review", 42, {"decision": "approve"}), ("grant", 33, {}))),
    ("neighbour", "top_ten_good_neighbour", "district", 30,
     "常年照顾同楼独居老人",
     (("review", 25, {"decision": "approve"}),
      ("object", 22, {"text": "反映被推荐人近期与邻居发生纠纷，事迹与实际不符"}),
      ("decide", 18, {"upheld": True, "note": "经核实异议属实，撤销推荐"}))),
    ("party_member", "top_ten_party_member", "district", 3,
     "在职党员报到后认领邻里互助岗，结对帮扶困难户3户", ()),
)


def seed(uow: UnitOfWork, directory: dict, today: date) -> dict:
    """The demo titles; ``{}`` when the demo already made them."""
    if uow.session.scalar(select(exists().where(Title.created_by == DEMO_PRINCIPAL))):
        return {}
    caller, uow.caller = uow.caller, CallerContext(DEMO_PRINCIPAL, ("system",), "",
                                                   "assessments-titles-demo-seed")
    try:
        return _seed(uow, directory, today)
    finally:
        uow.caller = caller


def _seed(uow: UnitOfWork, directory: dict, today: date) -> dict:
    def day(days_ago: int) -> str:
        return (today - timedelta(days=days_ago)).isoformat()

    holders = _holders(directory)
    year = (today - timedelta(days=60)).year
    created = {"title": 0, "title_step": 0}
    for holder, kind, level, nominated, citation, steps in TITLES:
        if not holders[holder]:
            continue
        ref = holders[holder].get("code") or str(holders[holder]["id"])
        shown = titles.nominate(uow, {"kind": kind, "level": level, "year": year,
                                      "holder_ref": ref, "citation": citation,
                                      "on": day(nominated)}, holders[holder], today)
        created["title"] += 1
        created["title_step"] += 1
        for step, days_ago, extra in steps:
            payload = {"on": day(days_ago), **extra}
            if step == "review":
                shown = titles.review(uow, shown["id"], payload, today)
            elif step == "object":
                shown = titles.raise_objection(uow, shown["id"], payload, today)
            elif step == "decide":
                objection = shown["objections"][-1]["id"]
                shown = titles.decide_objection(uow, shown["id"], objection, payload, today)
            else:
                shown = titles.grant(uow, shown["id"], payload, today)
            created["title_step"] += 1
    return created
