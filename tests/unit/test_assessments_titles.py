"""Titles: the stage machine, the public notice's days, levels and years, what a public notice
shows of a holder — pure rules, no database."""
from datetime import date

import pytest

from services.assessments import titles
from services.assessments.domain import titles as rules
from services.assessments.domain.catalogue import TITLE_KINDS, TITLE_LEVELS, TITLE_NOTICE_DAYS
from shared import membership as asked_membership
from shared.errors import Conflict, InvalidInput, NotFound

REVIEWED = date(2026, 11, 2)
NOTICE_FROM, NOTICE_UNTIL = rules.notice_window(REVIEWED)


def in_notice(pending: int = 0) -> rules.Progress:
    return rules.Progress(rules.IN_NOTICE, REVIEWED, NOTICE_FROM, NOTICE_UNTIL, pending)


def test_the_public_notice_runs_seven_days_from_the_review_both_ends_included():
    assert TITLE_NOTICE_DAYS == 7
    assert rules.notice_window(date(2026, 11, 2)) == (date(2026, 11, 2), date(2026, 11, 8))
    assert rules.notice_window(date(2026, 12, 28)) == (date(2026, 12, 28), date(2027, 1, 3))


def test_a_nomination_is_reviewed_or_withdrawn_and_nothing_else():
    nominated = rules.Progress(rules.NOMINATED, REVIEWED)
    assert nominated.allowed_actions(REVIEWED) == ["review", "withdraw"]
    for action in ("grant", "object", "decide_objection"):
        with pytest.raises(Conflict) as refused:
            rules.check_action(nominated, action, REVIEWED)
        assert refused.value.field == "action" and "review, withdraw" in refused.value.detail


def test_objections_are_raised_only_during_the_notice_and_granting_waits_for_its_end():
    progress = in_notice()
    assert progress.allowed_actions(NOTICE_FROM) == ["object", "withdraw"]
    assert progress.allowed_actions(NOTICE_UNTIL) == ["object", "withdraw"]
    day_after = date(2026, 11, 9)
    assert progress.allowed_actions(day_after) == ["grant", "withdraw"]
    with pytest.raises(Conflict) as early:
        rules.check_action(progress, "grant", NOTICE_UNTIL)
    assert "until 2026-11-08" in early.value.detail
    with pytest.raises(Conflict) as late:
        rules.check_action(progress, "object", day_after)
    assert "2026-11-02 to 2026-11-08" in late.value.detail
    rules.check_action(progress, "grant", day_after)


def test_a_pending_objection_holds_the_grant_until_it_is_decided():
    progress = in_notice(pending=1)
    day_after = date(2026, 11, 9)
    assert progress.allowed_actions(day_after) == ["decide_objection", "withdraw"]
    with pytest.raises(Conflict) as held:
        rules.check_action(progress, "grant", day_after)
    assert "1 objection(s) wait" in held.value.detail
    assert progress.allowed_actions(NOTICE_FROM) == ["object", "decide_objection", "withdraw"]


def test_a_granted_title_can_only_be_revoked_and_a_withdrawn_one_takes_no_step():
    assert rules.Progress(rules.GRANTED, REVIEWED).allowed_actions(REVIEWED) == ["withdraw"]
    withdrawn = rules.Progress(rules.WITHDRAWN, REVIEWED)
    assert withdrawn.allowed_actions(REVIEWED) == []
    with pytest.raises(Conflict) as refused:
        rules.check_action(withdrawn, "withdraw", REVIEWED)
    assert "allowed now: nothing" in refused.value.detail


def test_a_step_is_dated_today_or_before_but_not_before_the_last_step():
    progress = in_notice()
    rules.check_step_day(progress, REVIEWED, date(2026, 11, 20))
    with pytest.raises(InvalidInput) as future:
        rules.check_step_day(progress, date(2026, 11, 21), date(2026, 11, 20))
    assert future.value.field == "on"
    with pytest.raises(InvalidInput) as earlier:
        rules.check_step_day(progress, date(2026, 11, 1), date(2026, 11, 20))
    assert earlier.value.field == "on" and "2026-11-02" in earlier.value.detail


def test_each_kind_names_its_holder_and_the_levels_it_is_awarded_at():
    assert {holder for _, holder, _ in TITLE_KINDS.values()} == {
        "community", "household", "resident", "volunteer", "party_member"}
    for kind, (_, _, levels) in TITLE_KINDS.items():
        assert set(levels) <= set(TITLE_LEVELS), kind
    rules.check_level("civilised_community", "province")
    with pytest.raises(InvalidInput) as refused:
        rules.check_level("top_ten_good_neighbour", "city")
    assert refused.value.field == "level" and "district" in refused.value.detail


def test_a_title_honours_a_year_that_has_begun():
    rules.check_year(2026, date(2026, 1, 1))
    rules.check_year(2025, date(2026, 3, 1))
    with pytest.raises(InvalidInput) as refused:
        rules.check_year(2027, date(2026, 12, 31))
    assert refused.value.field == "year"


def test_the_live_key_tells_holders_kinds_levels_and_years_apart():
    key = rules.live_key("civilised_family", "district", 2026, "household", "12")
    assert key != rules.live_key("civilised_family", "city", 2026, "household", "12")
    assert key != rules.live_key("civilised_family", "district", 2025, "household", "12")
    assert key != rules.live_key("civilised_family", "district", 2026, "household", "1")
    assert key != rules.live_key("learning_family", "district", 2026, "household", "12")


@pytest.mark.parametrize("holder_kind, name, shown", [
    ("community", "西关社区", "西关社区"),
    ("resident", "张三明", "张*明"),
    ("volunteer", "欧阳娜娜", "欧**娜"),
    ("party_member", "王五", "王*"),
    ("household", "李四海", "李*海家庭"),
    ("household", "", "家庭"),
])
def test_a_public_notice_names_communities_and_masks_people(holder_kind, name, shown):
    assert rules.public_holder_name(holder_kind, name) == shown


class FakeMembership:
    """Answers like membership's RPCs for the ids it knows; NotFound for the others."""

    def __init__(self):
        self.asked = []

    def _answer(self, what, key, known):
        self.asked.append((what, key))
        if key not in known:
            raise NotFound(f"id: no {what} {key}", field="id")
        return known[key]

    def territory_get_node(self, code):
        return self._answer("node", code, {"350502001001": {"code": "350502001001",
                                                            "level": "community"}})

    def residents_get(self, resident_id):
        return self._answer("resident", resident_id, {7: {"id": 7}})

    def volunteers_get(self, volunteer_id):
        return self._answer("volunteer", volunteer_id, {3: {"id": 3}})

    def party_members_get(self, member_id):
        return self._answer("party_member", member_id, {9: {"id": 9}})

    def households_get(self, household_id):
        return self._answer("household", household_id, {4: {"id": 4}})


@pytest.mark.parametrize("holder_kind, ref, asked", [
    ("community", "350502001001", ("node", "350502001001")),
    ("resident", "7", ("resident", 7)),
    ("volunteer", "3", ("volunteer", 3)),
    ("party_member", "9", ("party_member", 9)),
    ("household", "4", ("household", 4)),
])
def test_membership_is_asked_for_the_holder_its_kind_names(holder_kind, ref, asked):
    membership = FakeMembership()
    assert asked_membership.title_holder(membership, holder_kind, ref)
    assert membership.asked == [asked]
    missing = "350502001009" if holder_kind == "community" else "8"
    with pytest.raises((NotFound, InvalidInput)) as refused:
        asked_membership.title_holder(membership, holder_kind, missing)
    assert refused.value.field == "holder_ref"


@pytest.mark.parametrize("found, expected", [
    ({"code": "350502001001", "name": "西关社区", "level": "community", "status": "active"},
     {"ref": "350502001001", "name": "西关社区", "org_code": "350502001001", "active": True}),
    ({"id": 4, "grid_code": "350502001001002", "representative_id": 12,
      "members": [{"id": 11, "name": "王五"}, {"id": 12, "name": "李四海"}]},
     {"ref": "4", "name": "李四海", "org_code": "350502001001002", "active": True}),
    ({"id": 7, "name": "林秀英", "grid_code": "350502001001001", "status": "moved_out"},
     {"ref": "7", "name": "林秀英", "org_code": "350502001001001", "active": False}),
    ({"id": 3, "name": "陈美玲", "community_code": "350502001001", "status": "active"},
     {"ref": "3", "name": "陈美玲", "org_code": "350502001001", "active": True}),
])
def test_a_title_keeps_what_it_needs_of_the_holder(found, expected):
    holder_kind = "community" if "code" in found else "household" if "members" in found \
        else "resident"
    assert titles.holder_of(holder_kind, found) == expected
