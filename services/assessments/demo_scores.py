"""Demo manual scores and satisfaction surveys on the street's community scheme 社区治理月度考核
(made by ``demo_schemes``; without it nothing is seeded): for Xiguan 西关 and Yongfeng 永丰, the
street's monthly inspection 日常检查 and a residents' satisfaction survey 满意度测评 for each of
the last three months; one survey done again (the second replaces the first by a correction),
and one inspection score corrected on review.

Made through the same use cases as the API (so the ledger, the scorecards and the explanation
are there), for the months holding ``today``. Deterministic; a second run adds nothing.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select

from services.assessments import scorecards
from services.assessments.domain.scoring import period_key
from services.assessments.models.ledger import LedgerEntry
from services.assessments.models.schemes import Scheme
from shared.context import CallerContext
from shared.db import UnitOfWork

DEMO_PRINCIPAL = "demo-scores-seed"
SCHEME_NAME = "社区治理月度考核"
XIGUAN, YONGFENG = "350502001001", "350502001002"

# (community, months ago, inspection points, reason, respondents, satisfied)
MONTHS = (
    (XIGUAN, 2, 8, "环境卫生、台账资料检查良好", 60, 52),
    (YONGFENG, 2, 6, "楼道堆物未及时清理，扣分", 60, 45),
    (XIGUAN, 1, 9, "消防通道畅通，网格巡查记录完整", 80, 71),
    (YONGFENG, 1, 7.5, "垃圾分类督导到位", 80, 60),
    (XIGUAN, 0, 8.5, "老旧小区改造宣传到位", 50, 44),
    (YONGFENG, 0, 5, "居民议事会记录缺失，扣分", 50, 36),
)
RESURVEY = (YONGFENG, 1, 80, 66)  # the survey done again: replaces the first
CORRECTION = (YONGFENG, 2, 6.5, "复核：楼道堆物已于检查当日清理，补回0.5分")


def _month_ago(today: date, months: int) -> date:
    month = today.month - months
    year = today.year + (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1)


def seed(uow: UnitOfWork, directory: dict, today: date) -> dict:
    """The scores and surveys; ``{}`` when already made or when the scheme is not there.
    ``directory`` is not needed: the subjects are the two communities."""
    scheme = uow.session.scalar(select(Scheme).where(Scheme.name == SCHEME_NAME,
                                                     Scheme.status == "active"))
    if scheme is None or uow.session.scalar(select(exists().where(
            LedgerEntry.scheme_id == scheme.id, LedgerEntry.actor == DEMO_PRINCIPAL))):
        return {}
    caller, uow.caller = uow.caller, CallerContext(DEMO_PRINCIPAL, ("system",), "",
                                                   "assessments-scores-demo-seed")
    try:
        return _seed(uow, scheme, today)
    finally:
        uow.caller = caller


def _seed(uow: UnitOfWork, scheme: Scheme, today: date) -> dict:
    created = {"manual_score": 0, "survey_result": 0, "ledger_correction": 0}

    def key(months_ago: int) -> str:
        return period_key(scheme.period, _month_ago(today, months_ago))

    def survey(community: str, months_ago: int, respondents: int, satisfied: int) -> None:
        scorecards.record_survey(uow, scheme.id, {
            "indicator": "satisfaction", "subject_ref": community, "period_key": key(months_ago),
            "respondents": respondents, "satisfied": satisfied, "note": "入户及线上问卷"},
            {"code": community, "level": "community"})
        created["survey_result"] += 1

    inspections = {}
    for community, months_ago, points, reason, respondents, satisfied in MONTHS:
        if _month_ago(today, months_ago) < date(scheme.counts_from.year,
                                                 scheme.counts_from.month, 1):
            continue
        entry = scorecards.enter_manual_score(uow, {
            "scheme_id": scheme.id, "indicator": "inspection", "subject_ref": community,
            "period_key": key(months_ago), "points": points, "reason": reason},
            {"code": community, "level": "community"})
        inspections[(community, months_ago)] = entry["id"]
        created["manual_score"] += 1
        survey(community, months_ago, respondents, satisfied)
    if (RESURVEY[0], RESURVEY[1]) in inspections:
        survey(*RESURVEY)
    community, months_ago, points, reason = CORRECTION
    if (community, months_ago) in inspections:
        scorecards.correct_entry(uow, inspections[(community, months_ago)],
                                 {"points": points, "reason": reason})
        created["ledger_correction"] += 1
    return created
