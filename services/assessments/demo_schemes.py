"""Demo assessment schemes 考核方案 in 江南街道 (350502001), one in every status:

- 社区治理月度考核: the street's monthly scheme over its communities (tickets resolved on time,
  SLA breaches, volunteer hours, mediation agreements, mass incidents, courses completed; an
  inspection and a satisfaction survey), approved by the district: active;
- 党员学习年度考核: party members meeting the study quota, approved: active;
- 志愿服务季度积分: volunteers' hours and patrol shifts, approved: active;
- 街道平安建设季度考核: the district's scheme over its streets: active at submission (no gate);
- 网格员履职月度考核: grid workers, submitted and waiting for the district;
- 文明家庭积分: households, rejected by the district;
- 社区治理月度考核（试行）: the trial the current scheme replaced: retired;
- 社区治理月度考核（修订稿）: its next revision, still a draft.

Made through the same use cases as the API (validation, events, re-scoring), counting from a
year before ``today``. Deterministic; a second run adds nothing.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists, select

from services.assessments import schemes
from services.assessments.models.schemes import Scheme
from shared.context import CallerContext
from shared.db import UnitOfWork

DEMO_PRINCIPAL = "demo-seed"
DISTRICT, STREET = "350502", "350502001"
LEVELS = {6: "district", 9: "street"}
VOLUNTEER_HOURS = ("tickets.volunteer_hours_earned", "learning.volunteer_hours_earned",
                   "security.volunteer_hours_earned")


def _rule(indicator, event_type, subject_field, points, description, conditions=(),
          per_field=None) -> dict:
    return {"indicator": indicator, "event_type": event_type, "subject_field": subject_field,
            "points": points, "description": description, "per_field": per_field,
            "conditions": [{"field": field, "op": op, "value": value}
                           for field, op, value in conditions]}


def _events(code: str, name: str, weight: float = 1.0) -> dict:
    return {"code": code, "name": name, "source": "events", "weight": weight}


COMMUNITY_GOVERNANCE = {
    "name": "社区治理月度考核", "department": "江南街道办事处", "subject_kind": "community",
    "period": "month", "org_code": STREET, "star_thresholds": [10, 30, 60], "bottom_n": 1,
    "description": "每月对辖区社区的工单办理、平安建设、志愿服务、居民学习进行量化考核，"
                   "结合街道检查和居民满意度测评。",
    "indicators": [
        _events("service", "为民服务（工单）"), _events("safety", "平安建设"),
        _events("volunteering", "志愿服务", 0.5), _events("learning", "居民学习"),
        {"code": "inspection", "name": "街道日常检查", "source": "manual", "weight": 1},
        {"code": "satisfaction", "name": "居民满意度测评", "source": "survey", "weight": 1,
         "full_marks": 20}],
    "rules": [
        _rule("service", "tickets.ticket_resolved", "community_code", 2, "工单按时办结 +2",
              [("on_time", "eq", True)]),
        _rule("service", "tickets.ticket_sla_breached", "community_code", -5, "工单超时 −5"),
        *(_rule("volunteering", event_type, "org_code", 1, "志愿服务每小时 +1",
                per_field="hours") for event_type in VOLUNTEER_HOURS),
        _rule("safety", "security.mediation_closed", "community_code", 3, "调解成功 +3",
              [("outcome", "eq", "agreement")]),
        _rule("safety", "security.incident_reported", "community_code", -10, "群体性事件 −10",
              [("kind", "eq", "mass_incident")]),
        _rule("learning", "learning.course_completed", "community_code", 2, "居民结业一门课程 +2"),
    ],
}
PARTY_STUDY = {
    "name": "党员学习年度考核", "department": "江南街道党工委", "subject_kind": "party_member",
    "period": "year", "org_code": STREET, "star_thresholds": [10], "bottom_n": 0,
    "description": "党员年度学习达标情况。",
    "indicators": [_events("study", "学习达标")],
    "rules": [_rule("study", "learning.study_quota_met", "party_member_id", 10,
                    "年度学习达标 +10")],
}
VOLUNTEERING = {
    "name": "志愿服务季度积分", "department": "江南街道志愿服务站", "subject_kind": "volunteer",
    "period": "quarter", "org_code": STREET, "star_thresholds": [10, 30, 60], "bottom_n": 0,
    "description": "志愿者服务时长和巡逻出勤积分。",
    "indicators": [_events("hours", "服务时长"), _events("patrols", "巡逻出勤")],
    "rules": [
        *(_rule("hours", event_type, "volunteer_id", 1, "服务每小时 +1", per_field="hours")
          for event_type in VOLUNTEER_HOURS),
        _rule("patrols", "security.patrol_shift_completed", "volunteer_ids", 2,
              "完成一次巡逻 +2"),
    ],
}
STREET_SAFETY = {
    "name": "街道平安建设季度考核", "department": "区委政法委", "subject_kind": "street",
    "period": "quarter", "org_code": DISTRICT, "star_thresholds": [0, 20], "bottom_n": 1,
    "description": "街道平安建设：群体性事件、集体访零目标，工单按时办结。",
    "indicators": [_events("safety", "平安建设"), _events("service", "为民服务")],
    "rules": [
        _rule("safety", "security.incident_reported", "community_code", -10, "群体性事件 −10",
              [("kind", "eq", "mass_incident")]),
        _rule("safety", "security.petition_registered", "community_code", -5, "集体访 −5",
              [("group", "eq", True)]),
        _rule("service", "tickets.ticket_resolved", "street_code", 1, "工单按时办结 +1",
              [("on_time", "eq", True)]),
    ],
}
GRID_WORKERS = {
    "name": "网格员履职月度考核", "department": "江南街道综治中心", "subject_kind": "grid_worker",
    "period": "month", "org_code": STREET, "star_thresholds": [5, 15], "bottom_n": 2,
    "description": "网格员工单办结、流动人口核查。",
    "indicators": [_events("service", "工单办结"), _events("checks", "流动人口核查")],
    "rules": [
        _rule("service", "tickets.ticket_resolved", "grid_code", 1, "网格工单按时办结 +1",
              [("on_time", "eq", True)]),
        _rule("checks", "security.floating_check_recorded", "org_code", 0.5, "核查一人次 +0.5"),
    ],
}
HOUSEHOLDS = {
    "name": "文明家庭积分", "department": "江南街道妇联", "subject_kind": "household",
    "period": "year", "org_code": STREET, "star_thresholds": [5], "bottom_n": 0,
    "description": "以户为单位的学习积分。",
    "indicators": [_events("learning", "家庭学习")],
    "rules": [_rule("learning", "learning.course_completed", "resident_id", 1, "结业一门课程 +1")],
}
TRIAL = {**COMMUNITY_GOVERNANCE, "name": "社区治理月度考核（试行）",
         "description": "试行版，已由正式版替代。", "indicators": COMMUNITY_GOVERNANCE["indicators"][:1],
         "rules": COMMUNITY_GOVERNANCE["rules"][:2]}
REVISION = {**COMMUNITY_GOVERNANCE, "name": "社区治理月度考核（修订稿）",
            "description": "拟增加矛盾纠纷排查指标，征求意见中。"}
REJECTION_NOTE = "以户为单位计分须先完成户籍与家庭成员核对，请调整计分对象后再报。"


def seed(uow: UnitOfWork, directory: dict, today: date) -> dict:
    """The eight schemes; ``{}`` when the demo already made them. ``directory`` is not needed:
    rules name event fields, not people."""
    if uow.session.scalar(select(exists().where(Scheme.created_by == DEMO_PRINCIPAL))):
        return {}
    caller, uow.caller = uow.caller, CallerContext(DEMO_PRINCIPAL, ("system",), "",
                                                   "assessments-schemes-demo-seed")
    try:
        return _seed(uow, today)
    finally:
        uow.caller = caller


def _seed(uow: UnitOfWork, today: date) -> dict:
    counts_from = (today - timedelta(days=365)).isoformat()
    created = {"assessment_scheme": 0, "scoring_rule": 0}

    def draft(scheme: dict) -> int:
        area = {"code": scheme["org_code"], "level": LEVELS[len(scheme["org_code"])]}
        shown = schemes.create_scheme(uow, {**scheme, "counts_from": counts_from}, area)
        created["assessment_scheme"] += 1
        created["scoring_rule"] += len(shown["rules"])
        return shown["id"]

    for scheme in (COMMUNITY_GOVERNANCE, PARTY_STUDY, VOLUNTEERING):
        scheme_id = draft(scheme)
        schemes.submit(uow, scheme_id)
        schemes.approve(uow, scheme_id, {"note": "区考核工作领导小组审议通过"})
    schemes.submit(uow, draft(STREET_SAFETY))  # a street scheme: active at once
    schemes.submit(uow, draft(GRID_WORKERS))  # waits for the district
    rejected = draft(HOUSEHOLDS)
    schemes.submit(uow, rejected)
    schemes.reject(uow, rejected, {"note": REJECTION_NOTE})
    trial = draft(TRIAL)
    schemes.submit(uow, trial)
    schemes.approve(uow, trial, {})
    schemes.retire(uow, trial)
    draft(REVISION)
    return created
