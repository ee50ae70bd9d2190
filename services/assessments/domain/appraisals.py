"""Appraisal rules, pure: the democratic appraisal of party members 民主评议党员 (the round's steps
and how ballots become a result band), the "five goods" 五个好 branch rating, and the stages of a
commitment card 承诺卡.

Democratic appraisal — a ballot rates each member of the branch excellent 优秀 / qualified 合格 /
basically qualified 基本合格 / unqualified 不合格 (or leaves a member blank: an abstention, which
still counts in the number of ballots). With ``B`` ballots cast in the round, a member's band is:

1. unqualified when their unqualified votes are more than a third of B;
2. else basically qualified when their unqualified + basically qualified votes are more than a
   third of B;
3. else excellent when their excellent votes are at least half of B — but a branch names at
   most ``excellent_cap(members)`` excellent members (a quarter of the members on the roll,
   rounded down, and at least one): the candidates with the most excellent votes keep the band
   (ties: fewer unfavourable votes first, then the lower member id), the others are qualified;
4. else qualified.

The branch committee may override a counted band with a reason; an override to excellent still
respects the cap.
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.errors import Conflict

# --- democratic appraisal ---------------------------------------------------------------------

EXCELLENT, QUALIFIED, BASICALLY_QUALIFIED, UNQUALIFIED = (
    "excellent", "qualified", "basically_qualified", "unqualified")
BANDS = {
    EXCELLENT: "优秀",
    QUALIFIED: "合格",
    BASICALLY_QUALIFIED: "基本合格",
    UNQUALIFIED: "不合格",
}
RATINGS = tuple(BANDS)  # a ballot rates a member with one of the bands
EXCELLENT_SHARE_PERCENT = 25
"""At most this share of the members on the roll may be excellent (practice: 20-30%)."""

OPEN, VOTING, COUNTED = "open", "voting", "counted"
ROUND_STATUSES = (OPEN, VOTING, COUNTED)
VOTER_KINDS = {"member": "党员 (voter_ref is their party member id)",
               "representative": "群众代表 (voter_ref is a code the branch gives out)"}


def excellent_cap(members: int) -> int:
    """How many members of a roll of ``members`` may be excellent: a quarter, at least one."""
    if members <= 0:
        return 0
    return max(1, members * EXCELLENT_SHARE_PERCENT // 100)


@dataclass(frozen=True)
class Tally:
    """One member's votes in a round."""

    member_id: int
    excellent: int = 0
    qualified: int = 0
    basically_qualified: int = 0
    unqualified: int = 0

    @property
    def unfavourable(self) -> int:
        return self.unqualified + self.basically_qualified


def tally(member_ids: list[int], ballots: list[dict[int, str]]) -> list[Tally]:
    """Each member's votes from the ballots (member id → rating; a missing member abstains)."""
    counts = {member_id: dict.fromkeys(RATINGS, 0) for member_id in member_ids}
    for ballot in ballots:
        for member_id, rating in ballot.items():
            if member_id in counts:
                counts[member_id][rating] += 1
    return [Tally(member_id, **counts[member_id]) for member_id in member_ids]


def _threshold_band(votes: Tally, ballots: int) -> str:
    if votes.unqualified * 3 > ballots:
        return UNQUALIFIED
    if votes.unfavourable * 3 > ballots:
        return BASICALLY_QUALIFIED
    if votes.excellent * 2 >= ballots:
        return EXCELLENT
    return QUALIFIED


def bands(tallies: list[Tally], ballots: int) -> dict[int, str]:
    """Member id → band by the rules above (``ballots``: how many were cast, at least one)."""
    found = {votes.member_id: _threshold_band(votes, ballots) for votes in tallies}
    candidates = sorted((votes for votes in tallies if found[votes.member_id] == EXCELLENT),
                        key=lambda v: (-v.excellent, v.unfavourable, v.member_id))
    for votes in candidates[excellent_cap(len(tallies)):]:
        found[votes.member_id] = QUALIFIED
    return found


def check_round_step(status: str, wanted: str) -> None:
    """A round goes open → voting → counted; ballots are cast while voting."""
    allowed = {VOTING: OPEN, COUNTED: VOTING, "ballot": VOTING}
    if status != allowed[wanted]:
        doing = {VOTING: "start voting in", COUNTED: "count", "ballot": "cast a ballot in"}[wanted]
        raise Conflict(f"status: cannot {doing} a round that is {status}", field="status")


def check_override(band: str, current_excellent: int, roll: int) -> None:
    """An override to excellent may not take the branch past the excellent cap."""
    if band == EXCELLENT and current_excellent >= excellent_cap(roll):
        raise Conflict(f"band: the branch already has {current_excellent} excellent members, "
                       f"the most its roll of {roll} allows", field="band")


# --- five goods branch rating -----------------------------------------------------------------

CRITERIA = {
    "good_leadership": "好班子",
    "good_team": "好队伍",
    "good_mechanism": "好机制",
    "good_performance": "好业绩",
    "good_reputation": "好反映",
}
CRITERION_MAX = 20  # each criterion scores 0-20, the total 0-100
FIVE_GOODS_EACH = 16
GOOD_TOTAL, GOOD_EACH = 70, 12
FAIR_TOTAL = 60
WEAK_EACH = 8
BRANCH_BANDS = {
    "five_goods": "五好党支部: every criterion at least 16",
    "good": "较好: total at least 70 and every criterion at least 12",
    "fair": "一般: total at least 60 and every criterion at least 8",
    "weak": "后进 (软弱涣散, to be rectified): total under 60 or a criterion under 8",
}


def branch_band(scores: dict[str, int]) -> str:
    lowest, total = min(scores.values()), sum(scores.values())
    if lowest >= FIVE_GOODS_EACH:
        return "five_goods"
    if total >= GOOD_TOTAL and lowest >= GOOD_EACH:
        return "good"
    if total >= FAIR_TOTAL and lowest >= WEAK_EACH:
        return "fair"
    return "weak"


# --- commitment cards -------------------------------------------------------------------------

PLEDGED, PUBLISHED, PEER_RATED, ASSESSED = "pledged", "published", "peer_rated", "assessed"
CARD_STAGES = (PLEDGED, PUBLISHED, PEER_RATED, ASSESSED)
CARD_OUTCOMES = {"fulfilled": "已兑现", "partly": "部分兑现", "not_fulfilled": "未兑现"}
PEER_SCORE_MIN, PEER_SCORE_MAX = 1, 5
PUBLISH, RATE, ASSESS = "publish", "rate", "assess"
_CARD_STEPS = {
    PUBLISH: ((PLEDGED,), PUBLISHED),
    RATE: ((PUBLISHED, PEER_RATED), PEER_RATED),  # several peers; one rating each
    ASSESS: ((PEER_RATED,), ASSESSED),
}


def card_step(stage: str, step: str) -> str:
    """The stage after ``step``; a step the card cannot take now is 409 naming the ones it can.
    A card is pledged 承诺, published 公示 to the masses, rated by peers 互评 (one or more), then
    assessed 评议 by the branch."""
    sources, target = _CARD_STEPS[step]
    if stage not in sources:
        allowed = card_steps_allowed(stage)
        raise Conflict(f"stage: a {stage} card cannot {step}; allowed now: "
                       f"{', '.join(allowed) or 'nothing'}", field="stage")
    return target


def card_steps_allowed(stage: str) -> list[str]:
    return [step for step, (sources, _) in _CARD_STEPS.items() if stage in sources]


def peer_average(scores: list[int]) -> float | None:
    return round(sum(scores) / len(scores), 2) if scores else None
