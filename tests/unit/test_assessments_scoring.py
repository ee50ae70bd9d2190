"""The scoring domain: subjects, periods in China time, conditions, points in hundredths."""
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest

from services.assessments.domain import scoring
from services.assessments.domain.scoring import Subject

COMMUNITY = "350502001001"
GRID = COMMUNITY + "002"


def rule(**overrides):
    values = dict(event_type="tickets.ticket_resolved", subject_field="community_code",
                  conditions=[], points=2.0, per_field=None)
    values.update(overrides)
    return SimpleNamespace(**values)


def scheme(**overrides):
    values = dict(status="active", counts_from=date(2026, 1, 1), counts_until=date(2026, 12, 31),
                  org_code="350502001", period="month", subject_kind="community")
    values.update(overrides)
    return SimpleNamespace(**values)


@pytest.mark.parametrize(("period", "day", "key"), [
    ("month", date(2026, 11, 30), "2026-11"),
    ("month", date(2026, 1, 1), "2026-01"),
    ("quarter", date(2026, 1, 1), "2026-Q1"),
    ("quarter", date(2026, 3, 31), "2026-Q1"),
    ("quarter", date(2026, 4, 1), "2026-Q2"),
    ("quarter", date(2026, 12, 31), "2026-Q4"),
    ("year", date(2026, 7, 4), "2026"),
])
def test_period_keys(period, day, key):
    assert scoring.period_key(period, day) == key


def test_an_unknown_period_is_refused():
    with pytest.raises(ValueError):
        scoring.period_key("week", date(2026, 1, 1))


@pytest.mark.parametrize(("moment", "day"), [
    ("2026-11-30T15:59:59+00:00", date(2026, 11, 30)),  # 23:59:59 in China
    ("2026-11-30T16:00:00+00:00", date(2026, 12, 1)),  # midnight in China: the next day
    ("2026-12-31T16:00:00Z", date(2027, 1, 1)),  # and the next year
    ("2026-12-01T00:30:00+08:00", date(2026, 12, 1)),
    ("2026-11-30T16:00:00", date(2026, 12, 1)),  # naive: UTC, as stored
    ("2026-11-30", date(2026, 11, 30)),  # a date is the day
])
def test_a_datetime_is_dated_by_its_day_in_china(moment, day):
    assert scoring.day_of(moment) == day


def test_an_events_day_comes_from_its_dating_field_else_the_envelope():
    resolved = {"at": "2026-03-31T16:30:00+00:00"}
    assert scoring.event_day("tickets.ticket_resolved", resolved,
                             "2026-01-01T00:00:00+00:00") == date(2026, 4, 1)
    hours = {"activity_date": "2026-03-31"}
    assert scoring.event_day("security.volunteer_hours_earned", hours,
                             "2026-05-01T00:00:00+00:00") == date(2026, 3, 31)
    assert scoring.event_day("tickets.ticket_resolved", {},
                             datetime(2026, 6, 30, 16, tzinfo=timezone.utc)) == date(2026, 7, 1)
    with pytest.raises(ValueError):
        scoring.event_day("tickets.ticket_resolved", {"at": "soon"}, "never")


@pytest.mark.parametrize(("kind", "code", "subject"), [
    ("street", GRID, Subject("street", "350502001", "350502001", "350502")),
    ("community", GRID, Subject("community", COMMUNITY, COMMUNITY, "350502001")),
    ("community", COMMUNITY, Subject("community", COMMUNITY, COMMUNITY, "350502001")),
    ("grid_worker", GRID, Subject("grid_worker", GRID, GRID, COMMUNITY)),
])
def test_a_territory_subject_is_the_code_cut_to_its_kind(kind, code, subject):
    assert scoring.territory_subject(kind, code) == subject


@pytest.mark.parametrize(("kind", "code"), [
    ("community", "350502001"), ("grid_worker", COMMUNITY), ("street", "350502"),
    ("street", "35050200x001")])
def test_a_code_above_the_subjects_level_names_none(kind, code):
    with pytest.raises(ValueError):
        scoring.territory_subject(kind, code)
    assert scoring.subject_for(kind, code, {}) is None


def test_a_person_lies_in_the_community_the_event_names():
    assert scoring.subject_for("volunteer", 7, {"community_code": COMMUNITY}) == Subject(
        "volunteer", "7", COMMUNITY, COMMUNITY)
    # else the org code, cut to a community when it is that deep
    assert scoring.subject_for("volunteer", 7, {"org_code": GRID}).org_code == COMMUNITY
    assert scoring.subject_for("volunteer", 7, {"org_code": "350502001"}).org_code == "350502001"
    # else the envelope's org code
    assert scoring.subject_for("party_member", "9", {}, org_code=GRID).parent_code == COMMUNITY
    assert scoring.subject_for("volunteer", None, {}) is None
    assert scoring.subject_for("volunteer", True, {}) is None


def test_each_id_of_a_list_field_is_a_subject():
    shift = {"volunteer_ids": [3, 5, 3], "org_code": GRID, "hours": 2.5}
    patrol = rule(event_type="security.patrol_shift_completed", subject_field="volunteer_ids",
                  points=1, per_field="hours")
    assert scoring.rule_points(patrol, shift) == [(3, 250), (5, 250)]
    assert scoring.score_event(patrol, "volunteer", shift) == [
        (Subject("volunteer", "3", COMMUNITY, COMMUNITY), 250),
        (Subject("volunteer", "5", COMMUNITY, COMMUNITY), 250)]
    assert scoring.rule_points(patrol, {"volunteer_ids": [], "hours": 1}) == []


def test_a_subject_named_twice_through_its_codes_counts_once():
    twice = rule(subject_field="codes")
    data = {"codes": [GRID, COMMUNITY + "003", "350502001"]}
    assert scoring.score_event(twice, "community", data) == [
        (Subject("community", COMMUNITY, COMMUNITY, "350502001"), 200)]


def test_a_nested_field_is_read_by_its_path():
    assignee = rule(subject_field="assignee.ref",
                    conditions=[{"field": "assignee.kind", "op": "eq", "value": "volunteer"}])
    data = {"assignee": {"kind": "volunteer", "ref": "12"}, "community_code": COMMUNITY}
    assert scoring.score_event(assignee, "volunteer", data)[0][0].ref == "12"
    assert scoring.rule_points(assignee, {"assignee": None}) == []


@pytest.mark.parametrize(("condition", "holds"), [
    ({"field": "on_time", "op": "eq", "value": True}, True),
    ({"field": "on_time", "op": "eq", "value": 1}, False),  # a boolean is not a number
    ({"field": "on_time", "op": "ne", "value": False}, True),
    ({"field": "level", "op": "eq", "value": "community"}, True),
    ({"field": "level", "op": "ne", "value": "community"}, False),
    ({"field": "level", "op": "in", "value": ["street", "community"]}, True),
    ({"field": "level", "op": "in", "value": ["street"]}, False),
    ({"field": "level", "op": "in", "value": "community"}, False),
    ({"field": "rating", "op": "gte", "value": 4}, True),
    ({"field": "rating", "op": "gte", "value": 4.5}, False),
    ({"field": "rating", "op": "lte", "value": 4}, True),
    ({"field": "rating", "op": "lte", "value": 3}, False),
    ({"field": "rating", "op": "gte", "value": "4"}, False),  # never ordered across types
    ({"field": "level", "op": "gte", "value": "c"}, True),
    ({"field": "missing", "op": "eq", "value": None}, True),
    ({"field": "missing", "op": "ne", "value": 1}, True),
    ({"field": "missing", "op": "gte", "value": 1}, False),
    ({"field": "missing", "op": "in", "value": [1]}, False),
])
def test_conditions(condition, holds):
    data = {"on_time": True, "level": "community", "rating": 4}
    assert scoring.condition_holds(condition, data) is holds


def test_every_condition_must_hold():
    on_time = rule(conditions=[{"field": "on_time", "op": "eq", "value": True},
                               {"field": "level", "op": "eq", "value": "community"}])
    assert scoring.rule_points(on_time, {"on_time": True, "level": "community",
                                         "community_code": COMMUNITY}) == [(COMMUNITY, 200)]
    assert scoring.rule_points(on_time, {"on_time": False, "level": "community",
                                         "community_code": COMMUNITY}) == []


@pytest.mark.parametrize(("points", "per", "hundredths"), [
    (2, None, 200), (-5, None, -500), (0.015, None, 2), (-0.015, None, -2), (1.005, None, 101),
    (1, 2.5, 250), (0.5, 0.25, 13), (-0.5, 0.25, -13), (0.1, 3, 30), (-10, 1, -1000),
    (1, 0, 0),
])
def test_points_in_hundredths_round_half_away_from_zero(points, per, hundredths):
    per_field = None if per is None else "hours"
    scored = rule(points=points, per_field=per_field)
    data = {"community_code": COMMUNITY, "hours": per}
    assert scoring.rule_points(scored, data) == [(COMMUNITY, hundredths)]


def test_a_per_field_without_a_number_scores_nothing():
    for value in (None, "3", True):
        scored = rule(per_field="hours")
        assert scoring.rule_points(scored, {"community_code": COMMUNITY, "hours": value}) == []


def test_to_hundredths():
    assert scoring.to_hundredths(2.345) == 235
    assert scoring.to_hundredths(-2.345) == -235
    assert scoring.to_hundredths(0.1 + 0.2) == 30


def test_a_scheme_counts_an_active_days_events_for_its_subjects():
    community = scoring.territory_subject("community", COMMUNITY)
    elsewhere = scoring.territory_subject("community", "350502002001")
    assert scoring.scheme_counts(scheme(), date(2026, 1, 1), community)
    assert scoring.scheme_counts(scheme(), date(2026, 12, 31), community)
    assert not scoring.scheme_counts(scheme(), date(2025, 12, 31), community)
    assert not scoring.scheme_counts(scheme(), date(2027, 1, 1), community)
    assert scoring.scheme_counts(scheme(counts_until=None), date(2030, 1, 1), community)
    assert not scoring.scheme_counts(scheme(status="pending_approval"), date(2026, 5, 1), community)
    assert not scoring.scheme_counts(scheme(), date(2026, 5, 1), elsewhere)
    volunteer = scoring.person_subject("volunteer", 35050200, {"community_code": "350502002001"})
    assert not scoring.covers(scheme(), volunteer)  # its id is no place
    assert scoring.covers(scheme(), scoring.person_subject("volunteer", 1, {"org_code": GRID}))


def test_field_problems_name_the_rule_input_at_fault():
    assert scoring.field_problems("tickets.ticket_resolved", {
        "subject_field": "community_code", "per_field": None,
        "conditions.0.field": "on_time", "conditions.1.field": "assignee.kind"}) == {}
    problems = scoring.field_problems("tickets.ticket_resolved", {
        "subject_field": "community", "per_field": "category_code",
        "conditions.0.field": "assignee", "conditions.1.field": "assignee.nope"})
    assert set(problems) == {"subject_field", "per_field", "conditions.0.field",
                             "conditions.1.field"}
    assert "not a number" in problems["per_field"]
    assert scoring.field_problems("security.patrol_shift_completed", {"per_field": "hours"}) == {}
    assert scoring.field_problems("security.volunteer_hours_earned", {"per_field": "hours"}) == {}
    assert set(scoring.field_problems("tickets.ticket_submitted", {})) == {"event_type"}
    assert set(scoring.field_problems("nobody.nothing", {"subject_field": "x"})) == {"event_type"}


def test_every_scorable_event_type_is_registered_with_its_dating_field():
    for event_type, dating_field in scoring.SCORABLE_EVENTS.items():
        if dating_field:
            assert scoring.field_problems(event_type, {"dating": dating_field}) == {}, event_type


def test_an_events_moment_is_its_dating_field_in_utc():
    fallback = datetime(2026, 5, 1, tzinfo=timezone.utc)
    assert scoring.event_moment("tickets.ticket_resolved", {"at": "2026-11-30T23:30:00+08:00"},
                                fallback) == datetime(2026, 11, 30, 15, 30, tzinfo=timezone.utc)
    # a date: the start of that day in China
    assert scoring.event_moment("security.volunteer_hours_earned",
                                {"activity_date": "2026-11-30"}, fallback) == datetime(
        2026, 11, 29, 16, tzinfo=timezone.utc)
    assert scoring.event_moment("tickets.ticket_resolved", {}, fallback) == fallback
    assert scoring.event_moment("tickets.ticket_resolved", {"at": datetime(2026, 11, 30, 16)},
                                fallback) == datetime(2026, 11, 30, 16, tzinfo=timezone.utc)
    assert scoring.day_of(datetime(2026, 11, 30, 16)) == date(2026, 12, 1)
    assert scoring.day_of(20261130) is None
    assert scoring.event_moment("tickets.ticket_resolved", {"at": "soon"}, fallback) == fallback


def test_event_scores_apply_the_scheme_as_it_stands():
    data = {"community_code": COMMUNITY, "on_time": True, "at": "2026-03-31T16:30:00+00:00"}
    monthly = scheme(period="month")
    assert scoring.event_scores(monthly, rule(), "tickets.ticket_resolved", data, None) == [
        (Subject("community", COMMUNITY, COMMUNITY, "350502001"), "2026-04", 200)]
    assert scoring.event_scores(scheme(period="quarter", subject_kind="community"), rule(),
                                "tickets.ticket_resolved", data, None)[0][1] == "2026-Q2"
    for not_counting in (scheme(status="draft"), scheme(org_code="350502002"),
                         scheme(counts_from=date(2026, 4, 2))):
        assert scoring.event_scores(not_counting, rule(), "tickets.ticket_resolved", data,
                                    None) == []
    # a rule of another type scores nothing
    assert scoring.event_scores(monthly, rule(event_type="tickets.ticket_rated"),
                                "tickets.ticket_resolved", data, None) == []
