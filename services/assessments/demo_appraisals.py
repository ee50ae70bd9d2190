"""Demo appraisals in Xiguan 西关 and Yongfeng 永丰: last year's democratic appraisal 民主评议党员
of Xiguan's first two branches, voted by every member and five residents' representatives and
counted (bands spread: a few excellent within the cap, most qualified, two basically qualified,
one member unqualified — membership opens a follow-up on them once the event is delivered);
last year's five goods 五个好 rating of every branch of both communities (every band); and this
year's commitment cards 承诺卡 of Xiguan's third branch, two in each stage.

Made through the same use cases as the API (so the events are there), from ``directory``
(membership's branches and members; names are not used). Deterministic; a second run adds
nothing.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select

from services.assessments import appraisals
from services.assessments.domain.appraisals import CRITERIA
from services.assessments.models.appraisals import AppraisalRound
from shared.context import CallerContext
from shared.db import UnitOfWork

DEMO_PRINCIPAL = "demo-seed"
XIGUAN, YONGFENG = "350502001001", "350502001002"
REPRESENTATIVES = 5
STARS = 4  # the first members on a roll most voters rate excellent
# five goods scores (好班子, 好队伍, 好机制, 好业绩, 好反映), taken in turn by the branches
BRANCH_SCORES = (
    (18, 17, 16, 19, 17),  # five goods
    (17, 15, 14, 16, 15),  # good
    (19, 18, 17, 18, 18),  # five goods
    (13, 12, 11, 13, 12),  # fair
    (15, 14, 13, 15, 14),  # good
    (10, 9, 7, 11, 10),    # weak
)
CARD_ITEMS = (("每月走访一户困难家庭", "参加两次社区志愿服务"),
              ("带头做好垃圾分类", "调解一起邻里纠纷"),
              ("认领一个服务岗位", "每季度讲一次党课"))
CARD_STAGES = ("pledged", "published", "peer_rated", "assessed")
CARD_OUTCOMES = ("fulfilled", "partly")


def seed(uow: UnitOfWork, directory: dict, today: date) -> dict:
    """The appraisals, ratings and cards; ``{}`` when the demo already made them."""
    if uow.session.scalar(select(exists().where(AppraisalRound.created_by == DEMO_PRINCIPAL))):
        return {}
    caller, uow.caller = uow.caller, CallerContext(DEMO_PRINCIPAL, ("system",), "",
                                                   "assessments-appraisals-demo-seed")
    try:
        return _seed(uow, directory, today)
    finally:
        uow.caller = caller


def _branches(directory: dict, community: str) -> list[dict]:
    return [b for b in (directory.get(community) or {}).get("branches") or [] if b["members"]]


def _seed(uow: UnitOfWork, directory: dict, today: date) -> dict:
    created = {"appraisal_round": 0, "appraisal_ballot": 0, "branch_rating": 0,
               "commitment_card": 0, "commitment_rating": 0}
    held = min(date(today.year, 1, 20), today)  # appraisals are held early in the next year
    xiguan = _branches(directory, XIGUAN)
    for n, branch in enumerate(xiguan[:2]):
        _appraisal(uow, branch, today.year - 1, held, with_unqualified=n == 0, created=created)
    for n, branch in enumerate(xiguan + _branches(directory, YONGFENG)):
        scores = dict(zip(CRITERIA, BRANCH_SCORES[n % len(BRANCH_SCORES)],
                          strict=True))
        appraisals.rate_branch(uow, {"branch_id": branch["id"], "year": today.year - 1,
                                     "scores": scores, "note": "年度党支部五个好评定"}, branch)
        created["branch_rating"] += 1
    if len(xiguan) > 2:
        _cards(uow, xiguan[2], today, created)
    return created


def _rating(position: int, roll: int, voter: int, with_unqualified: bool) -> str:
    """What voter ``voter`` thinks of the member at ``position`` on a roll of ``roll``."""
    share = voter % 10
    if position < STARS:
        return "excellent" if share < 7 else "qualified"
    if with_unqualified and position == roll - 1:
        return "unqualified" if share < 5 else "qualified"
    if position in (roll - 2, roll - 3):
        return "basically_qualified" if share < 4 else "qualified"
    return "excellent" if share == 0 else "qualified"


def _appraisal(uow: UnitOfWork, branch: dict, year: int, held: date, with_unqualified: bool,
               created: dict) -> None:
    members = branch["members"]
    appraisal = appraisals.open_round(uow, {"branch_id": branch["id"], "year": year}, branch,
                                      members)
    roll = appraisal["member_ids"]
    appraisals.start_voting(uow, appraisal["id"], held)
    voters = [("member", str(member_id)) for member_id in roll] + [
        ("representative", f"REP-{branch['id']}-{n + 1:02d}") for n in range(REPRESENTATIVES)]
    for voter_number, (kind, ref) in enumerate(voters):
        appraisals.cast_ballot(uow, appraisal["id"], {
            "voter_kind": kind, "voter_ref": ref,
            "ratings": {str(member_id): _rating(position, len(roll), voter_number,
                                                with_unqualified)
                        for position, member_id in enumerate(roll)}})
        created["appraisal_ballot"] += 1
    appraisals.count(uow, appraisal["id"], held)
    created["appraisal_round"] += 1


def _cards(uow: UnitOfWork, branch: dict, today: date, created: dict) -> None:
    """Two cards in each stage, for the branch's first members."""
    members = branch["members"]
    peers = [str(m["id"]) for m in members] + [f"PEER-{branch['id']}-{n}" for n in (1, 2, 3)]
    for n, member in enumerate(members[:2 * len(CARD_STAGES)]):
        stage = CARD_STAGES[n // 2]
        card = appraisals.create_card(uow, {
            "party_member_id": member["id"], "year": today.year,
            "items": list(CARD_ITEMS[n % len(CARD_ITEMS)]), "text": "亮身份、践承诺、作表率"},
            {"id": member["id"], "branch_id": branch["id"], "org_code": branch["org_code"],
             "status": "active"})
        created["commitment_card"] += 1
        if stage == "pledged":
            continue
        appraisals.publish_card(uow, card["id"], {}, today)
        if stage == "published":
            continue
        for k, rater in enumerate(p for p in peers if p != str(member["id"])):
            if k == 3:
                break
            appraisals.rate_card(uow, card["id"], {"rater_ref": rater, "score": 5 - (n + k) % 3})
            created["commitment_rating"] += 1
        if stage == "assessed":
            appraisals.assess_card(uow, card["id"], {"outcome": CARD_OUTCOMES[n % 2]}, today)
