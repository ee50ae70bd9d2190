"""How an event becomes points: the subject it names, whether a rule's conditions hold, how many
points, on which day and so in which period. Pure: no database, no nameko.

Events arrive as JSON: dates and datetimes are ISO strings, numbers are numbers. A field may be
a dotted path into a nested object (``assignee.ref``). Points are integers in hundredths.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from marshmallow import fields as mm_fields

from services.assessments.domain.catalogue import SCORABLE_EVENTS, TERRITORY_SUBJECT_LENGTH
from shared.events.registry import REGISTRY

CHINA_TIME = timezone(timedelta(hours=8), "Asia/Shanghai")
"""China keeps one time, UTC+8, without summer time: an event's day is its day there."""
COMMUNITY_CODE_LENGTH = 12
PARENT_CODE_LENGTH = {"street": 6, "community": 9, "grid_worker": 12}
"""What a territory subject is ranked within: the district, the street, the community."""
PERSON_SUBJECT_KINDS = ("party_member", "household", "volunteer")
NUMERIC_FIELDS = (mm_fields.Integer, mm_fields.Float, mm_fields.Decimal)


@dataclass(frozen=True)
class Subject:
    """Who a ledger entry scores: ``ref`` is a territory code or a membership id; ``org_code``
    is where it lies (scope); ``parent_code`` is what it is ranked within."""

    kind: str
    ref: str
    org_code: str
    parent_code: str


def period_key(period: str, day: date) -> str:
    """The period a day falls in: "2026-11" (month), "2026-Q4" (quarter), "2026" (year)."""
    if period == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if period == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    if period == "year":
        return f"{day.year:04d}"
    raise ValueError(f"unknown period {period!r}")


def china_day(moment: datetime) -> date:
    """The day a moment falls on in China (a naive datetime is taken as UTC, as stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(CHINA_TIME).date()


def _when(value) -> date | datetime | None:
    """A JSON date ("2026-11-30") or datetime (ISO 8601; naive is UTC) read; None if neither."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return value if isinstance(value, date) else None


def day_of(value) -> date | None:
    """The day a JSON date or datetime names (a datetime's day in China); None if it names none."""
    when = _when(value)
    return china_day(when) if isinstance(when, datetime) else when


def event_day(event_type: str, data: dict, occurred_at) -> date:
    """The day an event happened: the field catalogue.SCORABLE_EVENTS names for its type, else
    (no such field, or not a date) the envelope's ``occurred_at``."""
    dating_field = SCORABLE_EVENTS.get(event_type)
    day = day_of(field_value(data, dating_field)) if dating_field else None
    if day is None:
        day = day_of(occurred_at)
    if day is None:
        raise ValueError(f"{event_type}: no day in {dating_field!r} nor in occurred_at")
    return day


def territory_subject(kind: str, code: str) -> Subject:
    """The street, community or grid (a grid worker is assessed through their grid) that a code
    lies in: the code cut to its kind's length; ranked within the next level up.
    A code too short to name one (a street's code for a community) is a ValueError."""
    length = TERRITORY_SUBJECT_LENGTH[kind]
    if not isinstance(code, str) or len(code) < length or not code.isdigit():
        raise ValueError(f"{code!r} does not name a {kind}")
    ref = code[:length]
    return Subject(kind, ref, ref, ref[:PARENT_CODE_LENGTH[kind]])


def community_of(data: dict, org_code: str = "") -> str:
    """The community an event names: its ``community_code``, else its org code (the data's, else
    the envelope's) cut to a community when it is that deep, else as it is."""
    community = data.get("community_code")
    if isinstance(community, str) and community:
        return community[:COMMUNITY_CODE_LENGTH]
    code = data.get("org_code") or org_code or ""
    return code[:COMMUNITY_CODE_LENGTH] if len(code) >= COMMUNITY_CODE_LENGTH else code


def person_subject(kind: str, ref, data: dict, org_code: str = "") -> Subject:
    """A party member, household or volunteer (a membership id), placed in the community the
    event names: its scope and what it is ranked within."""
    community = community_of(data, org_code)
    return Subject(kind, str(ref), community, community)


def subject_for(kind: str, value, data: dict, org_code: str = "") -> Subject | None:
    """The subject one value of a rule's subject field names, or None when it names none (an
    empty value, a code above the subject's level)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if kind in TERRITORY_SUBJECT_LENGTH:
        try:
            return territory_subject(kind, value)
        except ValueError:
            return None
    if kind in PERSON_SUBJECT_KINDS:
        if not isinstance(value, (int, str)) or len(str(value)) > 40:
            return None
        return person_subject(kind, value, data, org_code)
    raise ValueError(f"unknown subject kind {kind!r}")


def field_value(data: dict, path: str):
    """The value at a field path (``a.b`` reads a nested object); None when absent."""
    value = data
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same(left, right) -> bool:
    # True == 1 in Python: a boolean only equals a boolean
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if _is_number(left) and _is_number(right):
        return left == right
    return type(left) is type(right) and left == right


def _ordered(left, right) -> bool:
    return (_is_number(left) and _is_number(right)) or (
        isinstance(left, str) and isinstance(right, str))


def condition_holds(condition: dict, data: dict) -> bool:
    """One condition ``{"field", "op", "value"}`` on the event's data. A missing field meets only
    ``ne``; values of different types are never equal nor ordered."""
    actual = field_value(data, condition["field"])
    expected = condition.get("value")
    op = condition["op"]
    if op == "eq":
        return _same(actual, expected)
    if op == "ne":
        return not _same(actual, expected)
    if op == "in":
        return isinstance(expected, list) and any(_same(actual, item) for item in expected)
    if op in ("gte", "lte"):
        if not _ordered(actual, expected):
            return False
        return actual >= expected if op == "gte" else actual <= expected
    raise ValueError(f"unknown condition op {op!r}")


def matches(conditions: list, data: dict) -> bool:
    return all(condition_holds(condition, data) for condition in conditions or ())


def to_hundredths(points) -> int:
    """Points as integer hundredths, rounded half away from zero (2.345 → 235, −2.345 → −235)."""
    return int(Decimal(str(points)).scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def rule_hundredths(rule, data: dict) -> int | None:
    """The hundredths one matching event is worth: ``points``, times the number in ``per_field``
    when the rule names one (None if that field holds no number)."""
    if not rule.per_field:
        return to_hundredths(rule.points)
    factor = field_value(data, rule.per_field)
    if not _is_number(factor):
        return None
    try:
        return to_hundredths(Decimal(str(rule.points)) * Decimal(str(factor)))
    except InvalidOperation:
        return None


def subject_values(rule, data: dict) -> list:
    """The value(s) the rule's subject field holds: each item of a list field, else the value."""
    value = field_value(data, rule.subject_field)
    if isinstance(value, list):
        return [item for item in value if item is not None]
    return [] if value is None else [value]


def rule_points(rule, data: dict) -> list[tuple[object, int]]:
    """What an event is worth under one rule: ``[(subject_value, hundredths), ...]`` — one pair
    per subject it names (each id of a list field), none when a condition fails."""
    if not matches(rule.conditions, data):
        return []
    hundredths = rule_hundredths(rule, data)
    if hundredths is None:
        return []
    seen, points = set(), []
    for value in subject_values(rule, data):
        key = str(value)
        if key not in seen:  # a list naming someone twice scores them once
            seen.add(key)
            points.append((value, hundredths))
    return points


def score_event(rule, subject_kind: str, data: dict,
                org_code: str = "") -> list[tuple[Subject, int]]:
    """What an event is worth under one rule, per subject: ``[(Subject, hundredths), ...]``.
    Values that name no subject of the kind (a street's code for a community) are skipped;
    two values naming the same subject (two grids of one community) count once."""
    scored, seen = [], set()
    for value, hundredths in rule_points(rule, data):
        subject = subject_for(subject_kind, value, data, org_code)
        if subject is not None and subject.ref not in seen:
            seen.add(subject.ref)
            scored.append((subject, hundredths))
    return scored


def in_window(scheme, day: date) -> bool:
    """The day lies within the scheme's [counts_from, counts_until] (open when no end)."""
    return scheme.counts_from <= day and (scheme.counts_until is None or day <= scheme.counts_until)


def counts_on(scheme, day: date) -> bool:
    """The scheme is active and the day lies within its window."""
    return scheme.status == "active" and in_window(scheme, day)


def covers(scheme, subject: Subject) -> bool:
    """The subject lies within the scheme's area."""
    where = subject.org_code if subject.kind in PERSON_SUBJECT_KINDS else subject.ref
    return where.startswith(scheme.org_code)


def scheme_counts(scheme, day: date, subject: Subject) -> bool:
    """Whether a scheme counts an event of this day for this subject."""
    return counts_on(scheme, day) and covers(scheme, subject)


def event_moment(event_type: str, data: dict, occurred_at: datetime) -> datetime:
    """When what an event reports happened (UTC): its dating field when that is a datetime, the
    start of the day in China when it is a date, else the envelope's ``occurred_at``."""
    dating_field = SCORABLE_EVENTS.get(event_type)
    when = _when(field_value(data, dating_field)) if dating_field else None
    if isinstance(when, datetime):
        return when.astimezone(timezone.utc)
    if isinstance(when, date):
        return datetime.combine(when, datetime.min.time(), CHINA_TIME).astimezone(timezone.utc)
    return occurred_at


def event_scores(scheme, rule, event_type: str, data: dict, occurred_at,
                 org_code: str = "") -> list[tuple[Subject, str, int]]:
    """What an event is worth in a scheme under one of its rules, as the scheme stands:
    ``[(Subject, period_key, hundredths), ...]`` — none unless the scheme is active, the event's
    day lies in its window and the subject within its area."""
    if rule.event_type != event_type:
        return []
    day = event_day(event_type, data, occurred_at)
    if not counts_on(scheme, day):
        return []
    key = period_key(scheme.period, day)
    return [(subject, key, hundredths)
            for subject, hundredths in score_event(rule, scheme.subject_kind, data, org_code)
            if covers(scheme, subject)]


# --- validating rules against the registered event schemas --------------------------------


def event_field(event_type: str, path: str):
    """The marshmallow field a path names in the event type's registered schema (None if none)."""
    schema = REGISTRY[event_type].checker
    field = None
    for part in path.split("."):
        if schema is None:
            return None
        field = schema.fields.get(part)
        if field is None:
            return None
        schema = field.schema if isinstance(field, mm_fields.Nested) else None
    return field


def field_problems(event_type: str, rule_fields: dict) -> dict[str, str]:
    """What is wrong with the event fields a rule names: ``rule_fields`` maps the rule's input
    (``subject_field``, ``per_field``, ``conditions.0.field``...) to the event field path it
    names (None or "" for none). Returns ``{input: message}``; empty when all is well.
    An event type assessments does not listen to is a problem of ``event_type``.
    ``per_field`` must name a number."""
    if event_type not in SCORABLE_EVENTS or event_type not in REGISTRY:
        return {"event_type": f"{event_type!r} is not an event assessments scores "
                              f"(one of: {', '.join(sorted(SCORABLE_EVENTS))})"}
    problems = {}
    for name, path in rule_fields.items():
        if not path:
            continue
        field = event_field(event_type, path) if isinstance(path, str) else None
        if field is None or isinstance(field, mm_fields.Nested):
            problems[name] = f"{event_type} has no field {path!r}"
        elif name == "per_field" and not isinstance(field, NUMERIC_FIELDS):
            problems[name] = f"{event_type}.{path} is not a number"
    return problems

