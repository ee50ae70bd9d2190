"""The rules of a ticket: the transition table, who may act where, the category catalogue."""
from datetime import datetime, timedelta, timezone

import pytest

from services.tickets.domain import categories as category_rules
from services.tickets.domain import tickets as rules
from shared.errors import InvalidInput
from shared.events.registry import REGISTRY
from shared.events.tickets.tickets import ACTION_EVENTS

LEGAL = {(action, status) for action, (sources, _) in rules.TRANSITIONS.items()
         for status in sources}
ILLEGAL = sorted({(action, status) for action in rules.ACTIONS for status in rules.STATUSES}
                 - LEGAL)


def test_the_closed_loop_in_order():
    status = "submitted"
    for action, expected in [("accept", "accepted"), ("dispatch", "dispatched"),
                             ("sign_for", "signed_for"), ("start", "in_progress"),
                             ("remind", "in_progress"), ("request_extension", "in_progress"),
                             ("approve_extension", "in_progress"), ("resolve", "resolved"),
                             ("close", "closed"), ("reopen", "accepted")]:
        status = rules.target_status(action, status)
        assert status == expected, action


def test_side_paths_return_escalate_reject():
    assert rules.target_status("return", "signed_for") == "accepted"
    assert rules.target_status("return", "dispatched") == "accepted"
    assert rules.target_status("escalate", "in_progress") == "accepted"
    assert rules.target_status("reject", "submitted") == "rejected"
    assert rules.target_status("reject", "accepted") == "rejected"
    assert rules.target_status("reopen", "resolved") == "accepted"


@pytest.mark.parametrize(("action", "status"), ILLEGAL)
def test_every_illegal_pair_is_refused_naming_what_is_allowed(action, status):
    with pytest.raises(rules.IllegalTransition) as refused:
        rules.target_status(action, status)
    assert refused.value.allowed == rules.allowed_actions(status)
    assert action not in refused.value.allowed
    assert str(refused.value).startswith(f"action: {action} is not allowed on a {status} ticket")


def test_the_table_is_whole():
    assert len(ILLEGAL) + len(LEGAL) == len(rules.ACTIONS) * len(rules.STATUSES)
    assert rules.allowed_actions("rejected") == []  # final
    assert rules.allowed_actions("closed") == ["reopen"]
    assert set(rules.ACTIONS) == set(rules.ACTION_ROLES)
    for _, target in rules.TRANSITIONS.values():
        assert target is None or target in rules.STATUSES
    # every action (and the creation and the callback) has its event type, registered
    assert set(ACTION_EVENTS) == set(rules.ACTIONS) | set(rules.INTERNAL_ACTIONS)
    assert all(name in REGISTRY for name in ACTION_EVENTS.values())
    assert "tickets.ticket_resolved" in REGISTRY and "tickets.dispute_reported" in REGISTRY
    for role in ("auditor", "security_officer"):
        assert not any(role in roles for roles in rules.ACTION_ROLES.values())
        assert role not in rules.CREATOR_ROLES and role not in rules.RATER_ROLES


def test_an_unknown_action_is_illegal():
    with pytest.raises(rules.IllegalTransition):
        rules.target_status("teleport", "accepted")


def test_satisfied_from_four():
    assert [rules.is_satisfied(r) for r in range(1, 6)] == [False, False, False, True, True]


def test_escalation_climbs_to_the_district_and_stops():
    grid = "350502001002003"
    assert rules.next_level("community") == "street"
    assert rules.next_level("street") == "district"
    assert rules.next_level("district") is None
    assert [rules.responsible_code_at(level, grid) for level in rules.LEVELS] == [
        "350502001002", "350502001", "350502"]


def test_who_may_act_where_the_ticket_is_handled():
    grid = "350502001002003"
    # handled by the community: anyone seeing the grid
    assert rules.may_act("350502001002003", "start", "community", "350502001002", grid)
    assert rules.may_act("350502001002", "dispatch", "community", "350502001002", grid)
    assert not rules.may_act("350502001001", "dispatch", "community", "350502001002", grid)
    # escalated to the street: the street and above, not the community below
    assert not rules.may_act("350502001002", "dispatch", "street", "350502001", grid)
    assert rules.may_act("350502001", "dispatch", "street", "350502001", grid)
    assert rules.may_act("350502", "dispatch", "street", "350502001", grid)
    assert not rules.may_act("350502002", "dispatch", "street", "350502001", grid)
    # reminders and reopening come from anyone who sees the grid
    assert rules.may_act("350502001002", "remind", "district", "350502", grid)
    assert rules.may_act("350502001002", "reopen", "street", "350502001", grid)
    assert not rules.may_act(None, "remind", "community", "350502001002", grid)


def test_the_reopen_window_counts_from_closure_or_resolution():
    resolved = datetime(2026, 11, 1, 10, tzinfo=timezone.utc)
    closed = resolved + timedelta(days=2)
    assert rules.reopen_deadline("resolved", resolved, None) == resolved + timedelta(days=7)
    assert rules.reopen_deadline("closed", resolved, closed) == closed + timedelta(days=7)
    assert rules.on_time(closed, resolved) and not rules.on_time(resolved, closed)


# --- the catalogue ------------------------------------------------------------------------------

def test_the_shipped_categories():
    codes = [c["code"] for c in category_rules.DEFAULT_CATEGORIES]
    assert len(codes) == len(set(codes)) >= 12
    assert {"sewer_overflow", "broken_road", "certificate_stamping", "minimum_allowance",
            "neighbour_dispute", "home_visit", "complaint", "elderly_care"} <= set(codes)
    disputes = [c["code"] for c in category_rules.DEFAULT_CATEGORIES if c.get("is_dispute")]
    assert disputes == ["neighbour_dispute"]
    import re
    for category in category_rules.DEFAULT_CATEGORIES:
        assert re.fullmatch(category_rules.CODE_PATTERN, category["code"])
        assert 0 < category["response_hours"] <= category["sla_hours"]
        assert category_rules.check_definitions(category.get("attributes", [])) is not None
    sewer = next(c for c in category_rules.DEFAULT_CATEGORIES if c["code"] == "sewer_overflow")
    assert sewer["attributes"][0]["code"] == "severity"
    assert sewer["attributes"][0]["datatype"] == "singlevaluelist"


def _definition(**overrides):
    return {"code": "kind", "description": "Which?", "datatype": "singlevaluelist",
            "required": True, "values": [{"key": "a", "name": "A"}, {"key": "b", "name": "B"}],
            **overrides}


@pytest.mark.parametrize(("definitions", "field"), [
    ([_definition(values=[])], "attributes.0.values"),
    ([_definition(datatype="multivaluelist", values=[])], "attributes.0.values"),
    ([_definition(datatype="colour")], "attributes.0.datatype"),
    ([_definition(datatype="string")], "attributes.0.values"),
    ([_definition(), _definition()], "attributes.1.code"),
    ([_definition(values=[{"key": "a", "name": "A"}, {"key": "a", "name": "B"}])],
     "attributes.0.values"),
])
def test_bad_attribute_definitions_are_refused_naming_the_entry(definitions, field):
    with pytest.raises(InvalidInput) as refused:
        category_rules.check_definitions(definitions)
    assert refused.value.field == field


def test_answers_are_checked_against_the_definitions():
    definitions = category_rules.check_definitions([
        _definition(),
        _definition(code="many", datatype="multivaluelist", required=False),
        {"code": "count", "description": "How many", "datatype": "number"},
        {"code": "when", "description": "When", "datatype": "datetime"},
        {"code": "note", "description": "Note", "datatype": "text"},
    ])
    assert category_rules.check_answers(definitions, {"kind": "a", "many": ["a", "b", "a"],
                                                      "count": "3", "when": "2026-11-23",
                                                      "note": "x"}) == {
        "kind": "a", "many": ["a", "b"], "count": 3.0, "when": "2026-11-23", "note": "x"}
    assert category_rules.check_answers(definitions, {"kind": "b", "many": "a"})["many"] == ["a"]
    for answers, field in [({}, "attributes.kind"), ({"kind": "c"}, "attributes.kind"),
                           ({"kind": "a", "many": ["z"]}, "attributes.many"),
                           ({"kind": "a", "count": "three"}, "attributes.count"),
                           ({"kind": "a", "count": True}, "attributes.count"),
                           ({"kind": "a", "when": "yesterday"}, "attributes.when"),
                           ({"kind": "a", "note": 5}, "attributes.note"),
                           ({"kind": "a", "colour": "red"}, "attributes.colour")]:
        with pytest.raises(InvalidInput) as refused:
            category_rules.check_answers(definitions, answers)
        assert refused.value.field == field, answers
