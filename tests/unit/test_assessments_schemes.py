"""Assessment schemes, the pure rules: the lifecycle and the admission gate, what may change
when, and a scoring rule checked against the schema its event type registered."""
from datetime import date

import pytest

import shared.events  # noqa: F401  (registers the event types the rules name)
from services.assessments.domain import schemes as rules
from services.assessments.domain.catalogue import SCHEME_STATUSES, SCORABLE_EVENTS
from services.assessments.schemas.schemes import RuleCreateSchema, SchemeCreateSchema
from shared.errors import Conflict, InvalidInput
from shared.events.registry import REGISTRY
from shared.validation import load


def rule(event_type="tickets.ticket_resolved", subject_field="community_code", conditions=(),
         per_field=None, indicator="service") -> dict:
    return {"indicator": indicator, "event_type": event_type, "subject_field": subject_field,
            "conditions": [dict(zip(("field", "op", "value"), c, strict=True))
                           for c in conditions],
            "points": 2, "per_field": per_field, "description": ""}


# --- lifecycle --------------------------------------------------------------------------------

@pytest.mark.parametrize("status, allowed", [
    ("draft", ["update", "edit_indicators", "edit_rules", "remove_rules", "submit", "retire"]),
    ("pending_approval", ["approve", "reject"]),
    ("active", ["edit_rules", "retire"]),
    ("rejected", ["update", "edit_indicators", "edit_rules", "remove_rules", "submit",
                  "retire"]),
    ("retired", []),
])
def test_each_status_allows_its_steps_only(status, allowed):
    assert rules.allowed_actions(status) == allowed
    for action in rules.STEPS:
        if action in allowed:
            rules.check_action(status, action)
        else:
            with pytest.raises(Conflict) as refused:
                rules.check_action(status, action)
            assert refused.value.field == "status"
            assert status in refused.value.detail


def test_every_status_of_the_catalogue_is_known_to_the_lifecycle():
    assert {s for statuses in rules.STEPS.values() for s in statuses} | {"retired"} \
        == set(SCHEME_STATUSES)


@pytest.mark.parametrize("kind, after", [
    ("community", "pending_approval"), ("grid_worker", "pending_approval"),
    ("party_member", "pending_approval"), ("household", "pending_approval"),
    ("volunteer", "pending_approval"), ("street", "active"),
])
def test_schemes_imposed_on_communities_wait_for_the_district_a_street_scheme_does_not(kind,
                                                                                       after):
    assert rules.status_after_submission(kind) == after
    assert rules.needs_approval(kind) is (after == "pending_approval")


def test_weights_are_fixed_once_active_but_rules_stay_editable():
    assert "edit_indicators" not in rules.allowed_actions("active")
    assert "update" not in rules.allowed_actions("active")
    assert "edit_rules" in rules.allowed_actions("active")
    assert "remove_rules" not in rules.allowed_actions("active")


@pytest.mark.parametrize("kind, code, ok", [
    ("community", "350502001", True), ("community", "350502", True),
    ("community", "350502001001", False), ("street", "350502", True),
    ("street", "350502001", False), ("grid_worker", "350502001001", True),
    ("volunteer", "350502001001", True), ("party_member", "350502", True),
    ("community", "3505020", False),
])
def test_the_area_must_hold_subjects_of_the_kind(kind, code, ok):
    if ok:
        rules.check_area(kind, code)
    else:
        with pytest.raises(InvalidInput) as refused:
            rules.check_area(kind, code)
        assert refused.value.field == "org_code"


def test_the_area_is_an_active_district_street_or_community_of_membership():
    assert rules.area_code({"code": "350502001", "level": "street", "status": "active"},
                           "350502001") == "350502001"
    assert rules.area_code({"code": "350502003", "level": "street", "status": "active"},
                           "350502009") == "350502003"  # a merged-away code: where it went
    for node in ({"code": "350502001001001", "level": "grid", "status": "active"},
                 {"code": "350502001", "level": "street", "status": "merged"}, {}):
        with pytest.raises(InvalidInput) as refused:
            rules.area_code(node, "350502001")
        assert refused.value.field == "org_code"


def test_star_thresholds_rise_and_the_window_is_in_order():
    rules.check_thresholds([10, 20.5, 30])
    with pytest.raises(InvalidInput) as refused:
        rules.check_thresholds([10, 30, 30])
    assert refused.value.field == "star_thresholds.2"
    rules.check_window(date(2026, 1, 1), None)
    with pytest.raises(InvalidInput) as refused:
        rules.check_window(date(2026, 1, 2), date(2026, 1, 1))
    assert refused.value.field == "counts_until"


def test_only_a_survey_indicator_has_full_marks_and_it_must():
    rules.check_indicator("survey", 20)
    rules.check_indicator("manual", None)
    with pytest.raises(InvalidInput):
        rules.check_indicator("survey", None)
    with pytest.raises(InvalidInput) as refused:
        rules.check_indicator("events", 5, "indicators.1.full_marks")
    assert refused.value.field == "indicators.1.full_marks"


def test_a_scheme_is_submitted_only_when_a_rule_feeds_every_event_indicator():
    sources = {"service": "events", "safety": "events", "inspection": "manual"}
    rules.check_submittable(sources, {"service", "safety"})
    with pytest.raises(InvalidInput) as refused:
        rules.check_submittable(sources, {"service"})
    assert refused.value.field == "rules" and "safety" in refused.value.detail


# --- rule validation --------------------------------------------------------------------------

def test_the_rules_of_the_issue_are_accepted():
    good = [
        (rule(conditions=[("on_time", "eq", True)]), "community"),
        (rule("tickets.ticket_sla_breached"), "community"),
        (rule("tickets.volunteer_hours_earned", "org_code", per_field="hours"), "community"),
        (rule("security.mediation_closed", conditions=[("outcome", "eq", "agreement")]),
         "community"),
        (rule("security.incident_reported", conditions=[("kind", "in", ["mass_incident"])]),
         "community"),
        (rule("learning.study_quota_met", "party_member_id"), "party_member"),
        (rule("security.patrol_shift_completed", "volunteer_ids",
              conditions=[("hours", "gte", 2)]), "volunteer"),
        (rule("security.volunteer_hours_earned", "volunteer_id", per_field="hours"),
         "volunteer"),
        (rule(subject_field="grid_code"), "grid_worker"),
        (rule(subject_field="street_code"), "street"),
    ]
    for each, kind in good:
        assert rules.rule_problems(each, kind) == {}, each


def test_every_scorable_event_is_registered():
    assert set(SCORABLE_EVENTS) <= set(REGISTRY)


@pytest.mark.parametrize("event_type", ["tickets.ticket_created", "membership.resident_registered",
                                        "nobody.nothing"])
def test_an_event_assessments_does_not_listen_to_is_refused_naming_what_it_listens_to(event_type):
    assert event_type not in SCORABLE_EVENTS
    problems = rules.rule_problems(rule(event_type), "community")
    assert list(problems) == ["event_type"]
    assert "learning.study_quota_met" in problems["event_type"]


def test_unknown_fields_are_refused_by_their_place_in_the_rule():
    problems = rules.rule_problems(rule(subject_field="nope", per_field="also_nope",
                                        conditions=[("on_time", "eq", True),
                                                    ("colour", "eq", "red")]), "community")
    assert set(problems) == {"subject_field", "per_field", "conditions.1.field"}


@pytest.mark.parametrize("kind, event_type, field", [
    ("community", "tickets.ticket_resolved", "street_code"),  # too short to name a community
    ("community", "tickets.ticket_resolved", "ticket_id"),  # not a place
    ("community", "tickets.ticket_resolved", "category_code"),  # a code, not a place
    ("grid_worker", "tickets.ticket_resolved", "community_code"),
    ("volunteer", "tickets.volunteer_hours_earned", "org_code"),  # a person needs an id
    ("party_member", "learning.study_quota_met", "year"),  # an integer, not an id
    ("volunteer", "tickets.volunteer_hours_earned", "hours"),
])
def test_the_subject_field_must_suit_the_subject_kind(kind, event_type, field):
    assert "subject_field" in rules.rule_problems(rule(event_type, field), kind)


@pytest.mark.parametrize("per_field", ["community_code", "on_time", "at"])
def test_per_field_must_be_a_number(per_field):
    problems = rules.rule_problems(rule(per_field=per_field), "community")
    assert list(problems) == ["per_field"]


@pytest.mark.parametrize("condition", [
    ("on_time", "eq", "yes"),  # a boolean field
    ("on_time", "gte", True),  # booleans are not ordered
    ("reopen_count", "lte", "3"),  # a number field
    ("reopen_count", "eq", True),  # a boolean is not a number
    ("level", "eq", 3),  # a string field
    ("level", "in", "community"),  # in takes a list
    ("level", "in", []),
    ("level", "in", ["community", 2]),
])
def test_a_condition_value_must_suit_its_op_and_field(condition):
    problems = rules.rule_problems(rule(conditions=[condition]), "community")
    assert list(problems) == ["conditions.0.value"], problems


def test_a_bad_op_is_refused_by_the_schema_and_by_the_rule_check():
    problems = rules.rule_problems(rule(conditions=[("level", "like", "x")]), "community")
    assert list(problems) == ["conditions.0.op"]
    with pytest.raises(InvalidInput) as refused:
        load(RuleCreateSchema, {**rule(conditions=[("level", "like", "x")]), "points": 1})
    assert refused.value.field == "conditions.0.op"


def test_a_rule_feeds_an_event_indicator_of_its_scheme():
    sources = {"service": "events", "inspection": "manual"}
    problems = rules.rules_problems([rule(), rule(indicator="inspection"),
                                     rule(indicator="missing", subject_field="nope")],
                                    sources, "community")
    assert set(problems) == {"rules.1.indicator", "rules.2.indicator", "rules.2.subject_field"}


def test_refuse_names_the_first_problem_and_carries_all():
    with pytest.raises(InvalidInput) as refused:
        rules.refuse({"rules.0.conditions.1.field": "no such field", "rules.1.per_field": "x"})
    assert refused.value.field == "rules.0.conditions.1.field"
    assert set(refused.value.errors) == {"rules.0.conditions.1.field", "rules.1.per_field"}
    rules.refuse({})


# --- the payload ------------------------------------------------------------------------------

def scheme_payload(**changes) -> dict:
    return {"name": "社区治理月度考核", "department": "江南街道办事处",
            "subject_kind": "community", "period": "month", "org_code": "350502001",
            "counts_from": "2026-01-01",
            "indicators": [{"code": "service", "name": "为民服务", "source": "events"}],
            "rules": [{**rule(), "points": 2}], **changes}


@pytest.mark.parametrize("changes, field", [
    ({"points": 0}, "rules.0.points"),
    ({"points": "2"}, "rules.0.points"),
    ({"points": 1.234}, "rules.0.points"),
    ({"points": True}, "rules.0.points"),
    ({"event_type": "Tickets resolved"}, "rules.0.event_type"),
])
def test_rule_points_and_names_are_checked_on_load(changes, field):
    payload = scheme_payload(rules=[{**rule(), "points": 2, **changes}])
    with pytest.raises(InvalidInput) as refused:
        load(SchemeCreateSchema, payload)
    assert refused.value.field == field


@pytest.mark.parametrize("changes, field", [
    ({"indicators": []}, "indicators"),
    ({"star_thresholds": [-1]}, "star_thresholds.0"),
    ({"star_thresholds": list(range(11))}, "star_thresholds"),
    ({"subject_kind": "cat"}, "subject_kind"),
    ({"period": "week"}, "period"),
    ({"org_code": "35050200"}, "org_code"),
    ({"counts_until": "2025-12-31"}, "counts_until"),
    ({"indicators": [{"code": "service", "name": "x", "source": "events", "weight": 0}]},
     "indicators.0.weight"),
])
def test_scheme_fields_are_checked_on_load(changes, field):
    with pytest.raises(InvalidInput) as refused:
        load(SchemeCreateSchema, scheme_payload(**changes))
    assert refused.value.field == field
