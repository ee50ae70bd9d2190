"""Appraisal rules: a member's band from the ballots, the excellent cap, the five goods band, and
a commitment card's stages."""
import pytest

from services.assessments.domain import appraisals as rules
from shared.errors import Conflict


def ballots_for(member_votes: dict[int, list[str]], blank: int = 0) -> list[dict[int, str]]:
    """Ballots in which member m got votes[i] on ballot i (and ``blank`` ballots rating nobody)."""
    size = max(len(votes) for votes in member_votes.values())
    ballots = [{} for _ in range(size + blank)]
    for member, votes in member_votes.items():
        for ballot, vote in zip(ballots, votes, strict=False):
            ballot[member] = vote
    return ballots


def band_of(votes: list[str], ballots: int | None = None) -> str:
    ballots = ballots or len(votes)
    tallies = rules.tally([1], ballots_for({1: votes}, blank=ballots - len(votes)))
    return rules.bands(tallies, ballots)[1]


E, Q, B, U = "excellent", "qualified", "basically_qualified", "unqualified"


@pytest.mark.parametrize("votes, band", [
    ([U, U, Q, Q, Q], "unqualified"),                 # 2 of 5 > a third
    ([U, Q, Q, Q, Q, Q], "qualified"),                # 1 of 6 is not
    ([U, U, Q, Q, Q, Q], "qualified"),                # 2 of 6: exactly a third is not more
    ([U, B, Q, Q, Q], "basically_qualified"),         # unfavourable 2 of 5
    ([B, B, B, U, U, U, U, U, U], "unqualified"),     # unqualified wins over basically
    ([E, E, Q, Q], "excellent"),                      # exactly half
    ([E, E, Q, Q, Q], "qualified"),                   # under half
    ([E, E, E, U, U], "unqualified"),                 # unqualified before excellent
    ([E, E, E, B, B], "basically_qualified"),
])
def test_a_members_band_follows_the_thresholds(votes, band):
    assert band_of(votes) == band


def test_an_abstention_still_counts_in_the_ballots():
    # 2 excellent of 5 ballots (3 left the member blank): not half
    assert band_of([E, E], ballots=5) == "qualified"
    assert band_of([E, E, E], ballots=5) == "excellent"
    assert band_of([U, U], ballots=5) == "unqualified"


@pytest.mark.parametrize("members, cap", [(0, 0), (1, 1), (3, 1), (4, 1), (7, 1), (8, 2),
                                          (12, 3), (193, 48)])
def test_the_excellent_cap_is_a_quarter_of_the_roll_and_at_least_one(members, cap):
    assert rules.excellent_cap(members) == cap


def test_excellent_beyond_the_cap_falls_to_qualified_most_votes_first():
    # 8 members: cap 2. Members 1-4 all reach half; 3 has most, then 1 and 4 tie on excellent
    # votes and 4 has fewer unfavourable votes.
    votes = {1: [E, E, E, Q, B, Q], 2: [E, E, E, Q, Q, Q], 3: [E, E, E, E, E, Q],
             4: [E, E, E, E, Q, Q], 5: [Q] * 6, 6: [Q] * 6, 7: [U, U, U, Q, Q, Q], 8: [Q] * 6}
    tallies = rules.tally(list(votes), ballots_for(votes))
    found = rules.bands(tallies, 6)
    assert [m for m, band in found.items() if band == "excellent"] == [3, 4]
    assert found[1] == found[2] == "qualified"
    assert found[7] == "unqualified"


def test_a_tie_at_the_cap_breaks_on_unfavourable_votes_then_the_lower_id():
    votes = {5: [E, E, Q, B], 2: [E, E, Q, Q], 9: [E, E, Q, Q], 4: [Q] * 4}
    found = rules.bands(rules.tally(list(votes), ballots_for(votes)), 4)
    assert [m for m, band in found.items() if band == "excellent"] == [2]


def test_an_override_to_excellent_respects_the_cap():
    rules.check_override("excellent", 1, 8)
    with pytest.raises(Conflict):
        rules.check_override("excellent", 2, 8)
    rules.check_override("qualified", 5, 8)


def test_a_round_goes_open_voting_counted():
    rules.check_round_step("open", "voting")
    rules.check_round_step("voting", "ballot")
    rules.check_round_step("voting", "counted")
    for status, step in [("open", "ballot"), ("open", "counted"), ("voting", "voting"),
                         ("counted", "ballot"), ("counted", "counted")]:
        with pytest.raises(Conflict):
            rules.check_round_step(status, step)


def scores(*values):
    return dict(zip(rules.CRITERIA, values, strict=True))


@pytest.mark.parametrize("given, band", [
    (scores(16, 16, 16, 16, 16), "five_goods"),
    (scores(20, 20, 20, 20, 15), "good"),          # one under 16: not five goods
    (scores(14, 14, 14, 14, 14), "good"),          # 70, none under 12
    (scores(20, 20, 20, 11, 11), "fair"),          # 82 but a criterion under 12
    (scores(12, 12, 12, 12, 12), "fair"),          # 60
    (scores(12, 12, 12, 12, 11), "weak"),          # 59
    (scores(20, 20, 20, 20, 7), "weak"),           # 87 but a criterion under 8
])
def test_the_five_goods_band(given, band):
    assert rules.branch_band(given) == band


def test_a_card_takes_its_stages_in_order():
    stage = "pledged"
    assert rules.card_steps_allowed(stage) == ["publish"]
    stage = rules.card_step(stage, "publish")
    assert stage == "published"
    stage = rules.card_step(stage, "rate")
    assert stage == "peer_rated"
    assert rules.card_step(stage, "rate") == "peer_rated"   # several peers
    assert rules.card_steps_allowed(stage) == ["rate", "assess"]
    stage = rules.card_step(stage, "assess")
    assert stage == "assessed"
    assert rules.card_steps_allowed(stage) == []


@pytest.mark.parametrize("stage, step", [
    ("pledged", "rate"), ("pledged", "assess"), ("published", "publish"),
    ("published", "assess"), ("peer_rated", "publish"), ("assessed", "rate"),
    ("assessed", "assess"), ("assessed", "publish")])
def test_a_step_the_card_cannot_take_now_is_a_conflict(stage, step):
    with pytest.raises(Conflict) as refused:
        rules.card_step(stage, step)
    assert refused.value.field == "stage"


def test_the_peer_average():
    assert rules.peer_average([]) is None
    assert rules.peer_average([5, 4, 4]) == 4.33
