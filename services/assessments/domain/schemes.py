"""Assessment schemes 考核方案: their lifecycle, what may change when, and the checks a scoring
rule must pass before it is stored.

Pure rules: no database, no nameko. A rule is data (an event type, the field naming the subject,
conditions, points); it is checked against the schema the producer registered for that event
type (``shared.events.registry.REGISTRY``), so a rule can only name fields the event carries.
"""
from __future__ import annotations

from datetime import date

from marshmallow import fields

from services.assessments.domain.catalogue import (
    CONDITION_OPS,
    GATED_SUBJECT_KINDS,
    TERRITORY_SUBJECT_LENGTH,
)
from services.assessments.domain.scoring import NUMERIC_FIELDS, event_field, field_problems
from shared.errors import Conflict, InvalidInput

DRAFT, PENDING, ACTIVE, REJECTED, RETIRED = (
    "draft", "pending_approval", "active", "rejected", "retired")
EDITABLE = (DRAFT, REJECTED)
"""A scheme's fields, indicators and weights change only before it counts (or after a refusal):
scorecards' totals are weighted as entries append, so a weight is fixed once active."""
RULES_EDITABLE = (DRAFT, REJECTED, ACTIVE)
"""Rules stay editable on an active scheme: the change is applied back over the events
already counted (corrections in the ledger, never edits)."""

UPDATE, SUBMIT, APPROVE, REJECT, RETIRE = "update", "submit", "approve", "reject", "retire"
EDIT_INDICATORS, EDIT_RULES, REMOVE_RULES = "edit_indicators", "edit_rules", "remove_rules"
STEPS = {  # action: the statuses it may be taken from
    UPDATE: EDITABLE,
    EDIT_INDICATORS: EDITABLE,
    EDIT_RULES: RULES_EDITABLE,
    REMOVE_RULES: EDITABLE,  # an active scheme's ledger entries name its rules
    SUBMIT: EDITABLE,
    APPROVE: (PENDING,),
    REJECT: (PENDING,),
    RETIRE: (DRAFT, REJECTED, ACTIVE),
}

TERRITORY_KINDS = tuple(TERRITORY_SUBJECT_LENGTH)
PERSON_KINDS = ("party_member", "volunteer", "household")
TERRITORY_CODE_FIELDS = {
    # an event's field naming a place: the depth of the code it holds (None: it varies)
    "street_code": 9, "community_code": 12, "grid_code": 15,
    "org_code": None, "responsible_code": None, "accountable_code": None,
}
AREA_LENGTHS = (6, 9, 12)  # a scheme covers a district, a street or a community
AREA_LEVELS = ("district", "street", "community")
TEXT_FIELDS = (fields.String, fields.Date, fields.DateTime)  # compared as ISO text
MAX_IN_VALUES = 50


# --- lifecycle --------------------------------------------------------------------------------

def allowed_actions(status: str) -> list[str]:
    return [action for action, statuses in STEPS.items() if status in statuses]


def check_action(status: str, action: str) -> None:
    """A step the scheme cannot take now is 409 naming the ones it can."""
    if status not in STEPS[action]:
        allowed = ", ".join(allowed_actions(status)) or "nothing"
        raise Conflict(f"status: a {status} scheme cannot {action.replace('_', ' ')}; "
                       f"allowed now: {allowed}", field="status")


def needs_approval(subject_kind: str) -> bool:
    """A scheme imposed on communities waits for the district (the admission gate 准入)."""
    return subject_kind in GATED_SUBJECT_KINDS


def status_after_submission(subject_kind: str) -> str:
    return PENDING if needs_approval(subject_kind) else ACTIVE


def check_area(subject_kind: str, org_code: str) -> None:
    """The area holds subjects of the kind: a district holds streets, a street communities..."""
    if len(org_code) not in AREA_LENGTHS:
        raise InvalidInput(f"org_code: {org_code} is not a district (6 digits), street (9) or "
                           "community (12) code", field="org_code")
    depth = TERRITORY_SUBJECT_LENGTH.get(subject_kind)
    if depth is not None and len(org_code) >= depth:
        raise InvalidInput(f"org_code: {org_code} holds no {subject_kind} subjects (a "
                           f"{subject_kind} scheme covers an area above them)", field="org_code")


def area_code(area: dict, asked: str) -> str:
    """The code of the district, street or community membership knows as ``asked`` (an old,
    merged-away code answers with the node it now belongs to)."""
    if area.get("level") not in AREA_LEVELS or area.get("status", "active") != "active":
        raise InvalidInput(f"org_code: {asked} is not an active district, street or community",
                           field="org_code")
    return area["code"]


def check_window(counts_from: date, counts_until: date | None) -> None:
    if counts_until is not None and counts_until < counts_from:
        raise InvalidInput(f"counts_until: {counts_until} is before counts_from {counts_from}",
                           field="counts_until")


def check_thresholds(thresholds: list) -> None:
    for index in range(1, len(thresholds)):
        if thresholds[index] <= thresholds[index - 1]:
            raise InvalidInput(f"star_thresholds.{index}: thresholds rise (1★ first): "
                               f"{thresholds[index]} is not above {thresholds[index - 1]}",
                               field=f"star_thresholds.{index}")


def check_indicator(source: str, full_marks: float | None, field: str = "full_marks") -> None:
    if source == "survey" and full_marks is None:
        raise InvalidInput(f"{field}: a survey indicator names what a 100% result is worth",
                           field=field)
    if source != "survey" and full_marks is not None:
        raise InvalidInput(f"{field}: only a survey indicator has full marks", field=field)


def check_unique_codes(indicators: list[dict]) -> None:
    seen: set[str] = set()
    for index, indicator in enumerate(indicators):
        if indicator["code"] in seen:
            raise InvalidInput(f"indicators.{index}.code: {indicator['code']} appears twice",
                               field=f"indicators.{index}.code")
        seen.add(indicator["code"])


def unscored_indicators(indicator_sources: dict[str, str], rule_indicators: set[str]) -> list[str]:
    """The event indicators no rule feeds: a scheme with one would score it nothing."""
    return [code for code, source in indicator_sources.items()
            if source == "events" and code not in rule_indicators]


def check_submittable(indicator_sources: dict[str, str], rule_indicators: set[str]) -> None:
    if not indicator_sources:
        raise InvalidInput("indicators: a scheme needs at least one indicator",
                           field="indicators")
    idle = unscored_indicators(indicator_sources, rule_indicators)
    if idle:
        raise InvalidInput(f"rules: no rule feeds the event indicator(s) {', '.join(idle)}",
                           field="rules")


# --- scoring rules ----------------------------------------------------------------------------

def is_numeric(field: fields.Field) -> bool:
    return isinstance(field, NUMERIC_FIELDS)


def _is_id_list(field: fields.Field) -> bool:
    return isinstance(field, fields.List) and isinstance(field.inner, fields.Integer)


def subject_field_problem(subject_kind: str, path: str, field: fields.Field) -> str | None:
    """Why this event field cannot name a subject of the kind (None: it can)."""
    name = path.rsplit(".", 1)[-1]
    if subject_kind in TERRITORY_KINDS:
        if not isinstance(field, fields.String) or name not in TERRITORY_CODE_FIELDS:
            return (f"a {subject_kind} is named by a territory code field "
                    f"({', '.join(TERRITORY_CODE_FIELDS)}), not {path}")
        depth = TERRITORY_CODE_FIELDS[name]
        if depth is not None and depth < TERRITORY_SUBJECT_LENGTH[subject_kind]:
            return f"{path} holds a {depth}-digit code, too short to name a {subject_kind}"
        return None
    if isinstance(field, fields.Integer) and name.endswith("_id") or _is_id_list(field):
        return None
    return f"a {subject_kind} is named by an id field (or a list of ids), not {path}"


def value_problem(op: str, field: fields.Field, value) -> str | None:
    """Why ``value`` cannot be compared with the event field by ``op`` (None: it can)."""
    if op == "in":
        if not isinstance(value, list) or not 1 <= len(value) <= MAX_IN_VALUES:
            return f"'in' takes a list of 1 to {MAX_IN_VALUES} values"
        for item in value:
            problem = value_problem("eq", field, item)
            if problem:
                return problem
        return None
    if isinstance(field, fields.Boolean):
        if op in ("gte", "lte"):
            return f"a true/false field takes eq or ne, not {op}"
        return None if isinstance(value, bool) else "must be true or false"
    if is_numeric(field):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else "must be a number"
    if isinstance(field, TEXT_FIELDS):
        return None if isinstance(value, str) else "must be a string"
    return "a list cannot be compared with one value"


def rule_problems(rule: dict, subject_kind: str) -> dict[str, str]:
    """Every problem of one rule, by the input at fault (relative to the rule): the event type
    and the fields it names checked against the schema the producer registered
    (``scoring.field_problems``), then whether the subject field suits the scheme's subject
    kind and each condition's value its op and field. ``{}``: the rule can be stored."""
    event_type = rule.get("event_type")
    conditions = rule.get("conditions") or []
    named = {"subject_field": rule.get("subject_field"), "per_field": rule.get("per_field")}
    for index, condition in enumerate(conditions):
        named[f"conditions.{index}.field"] = condition.get("field")
    problems = field_problems(event_type, named)
    if "event_type" in problems:
        return problems
    if "subject_field" not in problems:
        problem = subject_field_problem(subject_kind, named["subject_field"],
                                        event_field(event_type, named["subject_field"]))
        if problem:
            problems["subject_field"] = problem
    for index, condition in enumerate(conditions):
        if f"conditions.{index}.field" in problems:
            continue
        op = condition.get("op")
        if op not in CONDITION_OPS:
            problems[f"conditions.{index}.op"] = f"must be one of: {', '.join(CONDITION_OPS)}"
            continue
        problem = value_problem(op, event_field(event_type, condition["field"]),
                                condition.get("value"))
        if problem:
            problems[f"conditions.{index}.value"] = f"{condition['field']} {op}: {problem}"
    return problems


def scheme_rule_problems(rule: dict, indicator_sources: dict[str, str],
                         subject_kind: str) -> dict[str, str]:
    """``rule_problems``, and the indicator it feeds: one of the scheme's (code: source)
    scored by events."""
    problems: dict[str, str] = {}
    indicator = rule.get("indicator")
    if indicator not in indicator_sources:
        problems["indicator"] = (f"the scheme has no indicator {indicator}; it has "
                                 f"{', '.join(indicator_sources) or 'none'}")
    elif indicator_sources[indicator] != "events":
        problems["indicator"] = (f"{indicator} is scored from {indicator_sources[indicator]}, "
                                 "not by events")
    return {**problems, **rule_problems(rule, subject_kind)}


def rules_problems(rules: list[dict], indicator_sources: dict[str, str],
                   subject_kind: str) -> dict[str, str]:
    """Every problem of a scheme's rules, by their full path (``rules.0.conditions.1.field``)."""
    return {f"rules.{index}.{field}": message
            for index, rule in enumerate(rules)
            for field, message in scheme_rule_problems(rule, indicator_sources,
                                                       subject_kind).items()}


def refuse(problems: dict[str, str]) -> None:
    """422 naming the first field at fault, with every problem attached."""
    if problems:
        field, message = next(iter(problems.items()))
        raise InvalidInput(f"{field}: {message}", field=field, errors=problems)
