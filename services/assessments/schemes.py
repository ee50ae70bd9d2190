"""Assessment scheme 考核方案 use cases: create, change, read, list; indicators and scoring rules;
the admission gate 准入 (submit, approve, reject) and retirement.

Load, apply the rules in ``domain.schemes``, store, emit ``assessments.<step>``. A scheme covers
an area and is read from beneath (a community worker sees the district's and street's schemes
that cover their community); writes stay within the caller's own scope. Out of sight is 404.
Every change locks the scheme row first (``lock_version``), so two steps on one scheme are
checked one after the other. When a scheme starts counting, or a rule of an active one changes,
``ledger.rescore_scheme`` applies its current rules to the events already received.
"""
from __future__ import annotations

from sqlalchemy import delete, or_, select

from services.assessments import ledger
from services.assessments.domain import schemes as rules
from services.assessments.domain.catalogue import SCHEME_APPROVER_ROLES, SCHEME_AUTHOR_ROLES
from services.assessments.models.schemes import Indicator, Scheme, ScoringRule
from services.assessments.schemas.schemes import (
    DecisionSchema,
    IndicatorCreateSchema,
    IndicatorUpdateSchema,
    RejectionSchema,
    RuleCreateSchema,
    RuleSchema,
    RuleUpdateSchema,
    SchemeCreateSchema,
    SchemeListQuerySchema,
    SchemeSchema,
    SchemeUpdateSchema,
)
from shared.context import (
    CallerContext,
    require_caller,
    require_community_filter,
    require_role,
    require_scope,
)
from shared.db import UnitOfWork
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.outbox import utcnow
from shared.lookup import is_row_id, lock_row
from shared.pagination import after_id, page_of
from shared.validation import load

_scheme_schema = SchemeSchema()
_rule_schema = RuleSchema()
RULE_FIELDS = ("event_type", "subject_field", "conditions", "points", "per_field", "description")


def actor_of(uow: UnitOfWork) -> str:
    return uow.caller.actor if uow.caller else "system"


def seen_from(caller: CallerContext, org_code: str) -> bool:
    """A scheme bears on its area and everything in it: the caller sees those of their territory
    and those covering it from above (a community is assessed by the street's scheme)."""
    return caller.can_see(org_code) or caller.lies_within(org_code)


def areas_above(code: str) -> list[str]:
    """The district, street and community codes holding ``code``."""
    return [code[:length] for length in (6, 9, 12) if length < len(code)]


def bearing_on(column, code: str):
    """Schemes whose area holds ``code`` or lies within it."""
    return or_(column.like(f"{code}%"), column.in_(areas_above(code)))


# --- finding and rendering --------------------------------------------------------------------

def find_scheme(uow: UnitOfWork, scheme_id, field: str = "id") -> Scheme:
    """A scheme the caller may read (``seen_from``); else 404, as if it did not exist."""
    caller = require_caller(uow.caller)
    scheme = uow.session.get(Scheme, scheme_id) if is_row_id(scheme_id) else None
    if scheme is None or not seen_from(caller, scheme.org_code):
        raise NotFound(f"{field}: no assessment scheme {scheme_id} in your scope", field=field)
    return scheme


def indicators_of(uow: UnitOfWork, scheme_id: int) -> list[Indicator]:
    return list(uow.session.scalars(select(Indicator).where(Indicator.scheme_id == scheme_id)
                                    .order_by(Indicator.id)))


def rules_of(uow: UnitOfWork, scheme_id: int) -> list[ScoringRule]:
    return list(uow.session.scalars(select(ScoringRule).where(ScoringRule.scheme_id == scheme_id)
                                    .order_by(ScoringRule.id)))


def _rule_view(rule: ScoringRule, codes: dict[int, str]) -> dict:
    return {"id": rule.id, "indicator": codes.get(rule.indicator_id, ""),
            "indicator_id": rule.indicator_id, "event_type": rule.event_type,
            "subject_field": rule.subject_field, "conditions": rule.conditions or [],
            "points": rule.points, "per_field": rule.per_field, "description": rule.description,
            "updated_at": rule.updated_at}


def _scheme_view(scheme: Scheme) -> dict:
    return {
        "id": scheme.id, "name": scheme.name, "department": scheme.department,
        "subject_kind": scheme.subject_kind, "period": scheme.period,
        "org_code": scheme.org_code, "status": scheme.status,
        "needs_approval": rules.needs_approval(scheme.subject_kind),
        "counts_from": scheme.counts_from, "counts_until": scheme.counts_until,
        "star_thresholds": scheme.star_thresholds or [], "bottom_n": scheme.bottom_n,
        "description": scheme.description, "submitted_at": scheme.submitted_at,
        "decided_by": scheme.decided_by, "decided_at": scheme.decided_at,
        "decision_note": scheme.decision_note,
        "allowed_actions": rules.allowed_actions(scheme.status),
        "created_by": scheme.created_by, "created_at": scheme.created_at,
        "updated_at": scheme.updated_at}


def render(uow: UnitOfWork, scheme: Scheme, rescored: dict | None = None) -> dict:
    """One scheme with its indicators and rules (and what re-scoring did, after a step)."""
    indicators = indicators_of(uow, scheme.id)
    codes = {indicator.id: indicator.code for indicator in indicators}
    shown = {**_scheme_view(scheme),
             "indicators": [{"id": i.id, "code": i.code, "name": i.name, "source": i.source,
                             "weight": i.weight, "full_marks": i.full_marks} for i in indicators],
             "rules": [_rule_view(rule, codes) for rule in rules_of(uow, scheme.id)]}
    if rescored is not None:
        shown["rescored"] = rescored
    return _scheme_schema.dump(shown)


def render_rule(uow: UnitOfWork, rule: ScoringRule) -> dict:
    indicator = uow.session.get(Indicator, rule.indicator_id)
    return _rule_schema.dump(_rule_view(rule, {indicator.id: indicator.code}))


def _changed_rule(uow: UnitOfWork, rule: ScoringRule, rescored: dict | None) -> dict:
    """A rule as added or changed, with what re-scoring appended (None: the scheme is not
    counting yet)."""
    return {**render_rule(uow, rule), "rescored": rescored}


# --- changing ---------------------------------------------------------------------------------

def _for_change(uow: UnitOfWork, scheme_id, action: str, roles=SCHEME_AUTHOR_ROLES) -> Scheme:
    """The scheme, locked, from a caller of ``roles`` whose own scope holds it, in a status
    where ``action`` may be taken (else 409)."""
    caller = require_caller(uow.caller)
    require_role(caller, *roles)
    scheme = find_scheme(uow, scheme_id)
    require_scope(caller, scheme.org_code, "id")
    lock_row(uow, scheme)
    rules.check_action(scheme.status, action)
    return scheme


def _changes(schema, payload: dict) -> dict:
    data = load(schema, payload)
    if not data:
        raise InvalidInput("body: name at least one field to change", field="body")
    return data


def _text(value: str, field: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise InvalidInput(f"{field}: must not be blank", field=field)
    return cleaned


def _emit_step(uow: UnitOfWork, scheme: Scheme, step: str) -> None:
    uow.emit(f"assessments.scheme_{step}", {
        "scheme_id": scheme.id, "org_code": scheme.org_code,
        "subject_kind": scheme.subject_kind, "period": scheme.period, "status": scheme.status,
        "counts_from": scheme.counts_from.isoformat(),
        "counts_until": scheme.counts_until.isoformat() if scheme.counts_until else None},
        org_code=scheme.org_code)


def _touch(scheme: Scheme) -> None:
    scheme.updated_at = utcnow()


def _sources(uow: UnitOfWork, scheme_id: int) -> dict[str, str]:
    return {indicator.code: indicator.source for indicator in indicators_of(uow, scheme_id)}


def _new_rule(scheme: Scheme, indicator_ids: dict[str, int], rule: dict) -> ScoringRule:
    return ScoringRule(scheme_id=scheme.id, indicator_id=indicator_ids[rule["indicator"]],
                       event_type=rule["event_type"], subject_field=rule["subject_field"],
                       conditions=rule["conditions"], points=rule["points"],
                       per_field=rule["per_field"], description=rule["description"].strip(),
                       lock_version=0)


def check_create(uow: UnitOfWork, payload: dict) -> dict:
    """The scheme to draft, loaded, from an author whose scope holds its area; refused before
    membership is asked about the area."""
    data = load(SchemeCreateSchema, payload)
    caller = require_caller(uow.caller)
    require_role(caller, *SCHEME_AUTHOR_ROLES)
    require_scope(caller, data["org_code"], "org_code")
    rules.check_area(data["subject_kind"], data["org_code"])
    return data


def create_scheme(uow: UnitOfWork, payload: dict, area: dict) -> dict:
    """A draft scheme with its indicators and rules, every rule checked against the schema of
    the event it names. ``area`` is membership's territory node of ``org_code``."""
    data = check_create(uow, payload)
    data["org_code"] = rules.area_code(area, data["org_code"])
    require_scope(uow.caller, data["org_code"], "org_code")
    rules.check_area(data["subject_kind"], data["org_code"])
    rules.check_thresholds(data["star_thresholds"])
    rules.check_unique_codes(data["indicators"])
    for index, indicator in enumerate(data["indicators"]):
        rules.check_indicator(indicator["source"], indicator["full_marks"],
                              f"indicators.{index}.full_marks")
    sources = {indicator["code"]: indicator["source"] for indicator in data["indicators"]}
    rules.refuse(rules.rules_problems(data["rules"], sources, data["subject_kind"]))
    names = [_text(item["name"], f"indicators.{index}.name")
             for index, item in enumerate(data["indicators"])]
    scheme = Scheme(
        name=_text(data["name"], "name"), department=_text(data["department"], "department"),
        subject_kind=data["subject_kind"], period=data["period"], org_code=data["org_code"],
        status=rules.DRAFT, counts_from=data["counts_from"], counts_until=data["counts_until"],
        star_thresholds=data["star_thresholds"], bottom_n=data["bottom_n"],
        description=data["description"].strip(), lock_version=0, created_by=actor_of(uow))
    uow.session.add(scheme)
    uow.session.flush()
    indicator_ids = {}
    for item, name in zip(data["indicators"], names, strict=True):
        indicator = Indicator(scheme_id=scheme.id, code=item["code"], name=name,
                              source=item["source"],
                              weight=item["weight"], full_marks=item["full_marks"])
        uow.session.add(indicator)
        uow.session.flush()
        indicator_ids[indicator.code] = indicator.id
    for rule in data["rules"]:
        uow.session.add(_new_rule(scheme, indicator_ids, rule))
    uow.session.flush()
    return render(uow, scheme)


def get_scheme(uow: UnitOfWork, scheme_id) -> dict:
    return render(uow, find_scheme(uow, scheme_id))


def list_schemes(uow: UnitOfWork, query_args: dict) -> dict:
    """The schemes bearing on the caller's territory (and on ``org_code`` when asked), by id."""
    args = load(SchemeListQuerySchema, query_args)
    caller = require_caller(uow.caller)
    require_scope(caller, caller.scope or "", "scope")
    query = select(Scheme).where(bearing_on(Scheme.org_code, caller.scope or ""))
    if args["org_code"]:
        require_community_filter(caller, args["org_code"], "org_code")
        query = query.where(bearing_on(Scheme.org_code, args["org_code"]))
    for name in ("status", "subject_kind"):
        if args[name]:
            query = query.where(getattr(Scheme, name) == args[name])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(Scheme.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(Scheme.id).limit(limit + 1)))
    return page_of(rows, limit, key=lambda row: row.id,
                   render=lambda row: _scheme_schema.dump(_scheme_view(row)))


def update_scheme(uow: UnitOfWork, scheme_id, payload: dict) -> dict:
    """Change a draft or rejected scheme's fields (not its subject kind nor its area)."""
    data = _changes(SchemeUpdateSchema, payload)
    scheme = _for_change(uow, scheme_id, rules.UPDATE)
    rules.check_window(data.get("counts_from", scheme.counts_from),
                       data.get("counts_until", scheme.counts_until))
    if "star_thresholds" in data:
        rules.check_thresholds(data["star_thresholds"])
    for name in ("name", "department"):
        if name in data:
            data[name] = _text(data[name], name)
    if "description" in data:
        data["description"] = data["description"].strip()
    for name, value in data.items():
        setattr(scheme, name, value)
    _touch(scheme)
    uow.session.flush()
    return render(uow, scheme)


# --- indicators -------------------------------------------------------------------------------

def add_indicator(uow: UnitOfWork, scheme_id, payload: dict) -> dict:
    """A new indicator of a draft or rejected scheme; the scheme with it."""
    data = load(IndicatorCreateSchema, payload)
    scheme = _for_change(uow, scheme_id, rules.EDIT_INDICATORS)
    rules.check_indicator(data["source"], data["full_marks"])
    if data["code"] in _sources(uow, scheme.id):
        raise Conflict(f"code: scheme {scheme.id} already has an indicator {data['code']}",
                       field="code")
    uow.session.add(Indicator(scheme_id=scheme.id, code=data["code"],
                              name=_text(data["name"], "name"), source=data["source"],
                              weight=data["weight"], full_marks=data["full_marks"]))
    _touch(scheme)
    uow.session.flush()
    return render(uow, scheme)


def update_indicator(uow: UnitOfWork, scheme_id, indicator_id, payload: dict) -> dict:
    """Rename an indicator, change its weight or full marks (draft or rejected: weights are
    fixed once the scheme counts)."""
    data = _changes(IndicatorUpdateSchema, payload)
    scheme = _for_change(uow, scheme_id, rules.EDIT_INDICATORS)
    indicator = uow.session.get(Indicator, indicator_id) if is_row_id(indicator_id) else None
    if indicator is None or indicator.scheme_id != scheme.id:
        raise NotFound(f"indicator_id: scheme {scheme.id} has no indicator {indicator_id}",
                       field="indicator_id")
    if "full_marks" in data:
        rules.check_indicator(indicator.source, data["full_marks"])
    if "name" in data:
        indicator.name = _text(data["name"], "name")
    for name in ("weight", "full_marks"):
        if name in data:
            setattr(indicator, name, data[name])
    _touch(scheme)
    uow.session.flush()
    return render(uow, scheme)


# --- scoring rules ----------------------------------------------------------------------------

def _rescore_if_counting(uow: UnitOfWork, scheme: Scheme) -> dict | None:
    if scheme.status != rules.ACTIVE:
        return None
    return ledger.rescore_scheme(uow, scheme.id)


def _rule_changed(uow: UnitOfWork, scheme: Scheme, rule_id: int, event_type: str, change: str,
                  rescored: dict | None) -> None:
    uow.emit("assessments.scoring_rule_changed", {
        "scheme_id": scheme.id, "rule_id": rule_id, "org_code": scheme.org_code,
        "change": change, "event_type": event_type, "scheme_status": scheme.status,
        "rescored": rescored is not None}, org_code=scheme.org_code)


def _find_rule(uow: UnitOfWork, scheme: Scheme, rule_id) -> ScoringRule:
    rule = uow.session.get(ScoringRule, rule_id) if is_row_id(rule_id) else None
    if rule is None or rule.scheme_id != scheme.id:
        raise NotFound(f"rule_id: scheme {scheme.id} has no rule {rule_id}", field="rule_id")
    return rule


def add_rule(uow: UnitOfWork, scheme_id, payload: dict) -> dict:
    """A new rule, checked against its event's schema; on an active scheme the events already
    received are scored by it at once."""
    data = load(RuleCreateSchema, payload)
    scheme = _for_change(uow, scheme_id, rules.EDIT_RULES)
    indicators = indicators_of(uow, scheme.id)
    rules.refuse(rules.scheme_rule_problems(
        data, {i.code: i.source for i in indicators}, scheme.subject_kind))
    rule = _new_rule(scheme, {i.code: i.id for i in indicators}, data)
    uow.session.add(rule)
    _touch(scheme)
    uow.session.flush()
    rescored = _rescore_if_counting(uow, scheme)
    _rule_changed(uow, scheme, rule.id, rule.event_type, "added", rescored)
    return _changed_rule(uow, rule, rescored)


def update_rule(uow: UnitOfWork, scheme_id, rule_id, payload: dict) -> dict:
    """Change a rule's points, conditions, per field or description; on an active scheme the
    change is applied back over the events already counted (corrections, never edits)."""
    data = _changes(RuleUpdateSchema, payload)
    scheme = _for_change(uow, scheme_id, rules.EDIT_RULES)
    rule = _find_rule(uow, scheme, rule_id)
    indicator = uow.session.get(Indicator, rule.indicator_id)
    changed = {"indicator": indicator.code,
               **{name: getattr(rule, name) for name in RULE_FIELDS}, **data}
    rules.refuse(rules.scheme_rule_problems(changed, {indicator.code: indicator.source},
                                            scheme.subject_kind))
    for name, value in data.items():
        setattr(rule, name, value.strip() if name == "description" else value)
    rule.lock_version += 1
    rule.updated_at = utcnow()
    _touch(scheme)
    uow.session.flush()
    rescored = _rescore_if_counting(uow, scheme)
    _rule_changed(uow, scheme, rule.id, rule.event_type, "changed", rescored)
    return _changed_rule(uow, rule, rescored)


def remove_rule(uow: UnitOfWork, scheme_id, rule_id) -> dict:
    """Remove a rule of a draft or rejected scheme (an active scheme's rules are changed, not
    removed: its ledger entries name them); the scheme without it."""
    scheme = _for_change(uow, scheme_id, rules.REMOVE_RULES)
    rule = _find_rule(uow, scheme, rule_id)
    uow.session.execute(delete(ScoringRule).where(ScoringRule.id == rule.id))
    uow.session.expunge(rule)
    _touch(scheme)
    uow.session.flush()
    _rule_changed(uow, scheme, rule.id, rule.event_type, "removed", None)
    return render(uow, scheme)


# --- the admission gate -----------------------------------------------------------------------

def _activate(uow: UnitOfWork, scheme: Scheme) -> dict:
    """The scheme counts from now on; the events already received in its window are scored."""
    scheme.status = rules.ACTIVE
    uow.session.flush()
    _emit_step(uow, scheme, "activated")
    return ledger.rescore_scheme(uow, scheme.id)


def submit(uow: UnitOfWork, scheme_id) -> dict:
    """Submit a draft or rejected scheme: one imposed on communities waits for the district's
    approval; a street scheme is active at once."""
    scheme = _for_change(uow, scheme_id, rules.SUBMIT)
    rules.check_submittable(_sources(uow, scheme.id), {
        code for code in uow.session.scalars(
            select(Indicator.code).join(ScoringRule, ScoringRule.indicator_id == Indicator.id)
            .where(ScoringRule.scheme_id == scheme.id))})
    scheme.status = rules.status_after_submission(scheme.subject_kind)
    scheme.submitted_at = utcnow()
    scheme.decided_by = scheme.decided_at = scheme.decision_note = None
    _touch(scheme)
    uow.session.flush()
    _emit_step(uow, scheme, "submitted")
    rescored = _activate(uow, scheme) if scheme.status == rules.ACTIVE else None
    return render(uow, scheme, rescored)


def _decide(uow: UnitOfWork, scheme: Scheme, status: str, note: str | None) -> None:
    scheme.status = status
    scheme.decided_by = actor_of(uow)
    scheme.decided_at = utcnow()
    scheme.decision_note = note.strip() if note and note.strip() else None
    _touch(scheme)
    uow.session.flush()


def approve(uow: UnitOfWork, scheme_id, payload: dict | None = None) -> dict:
    """The district leading group admits the scheme 准入: it is active, and the events already
    received in its window count."""
    data = load(DecisionSchema, payload or {})
    scheme = _for_change(uow, scheme_id, rules.APPROVE, roles=SCHEME_APPROVER_ROLES)
    _decide(uow, scheme, rules.ACTIVE, data["note"])
    _emit_step(uow, scheme, "approved")
    return render(uow, scheme, _activate(uow, scheme))


def reject(uow: UnitOfWork, scheme_id, payload: dict) -> dict:
    """Send the scheme back with a note: its authors may change it and submit it again."""
    data = load(RejectionSchema, payload)
    note = _text(data["note"], "note")
    scheme = _for_change(uow, scheme_id, rules.REJECT, roles=SCHEME_APPROVER_ROLES)
    _decide(uow, scheme, rules.REJECTED, note)
    _emit_step(uow, scheme, "rejected")
    return render(uow, scheme)


def retire(uow: UnitOfWork, scheme_id) -> dict:
    """The scheme counts nothing new; its scorecards stay."""
    scheme = _for_change(uow, scheme_id, rules.RETIRE)
    scheme.status = rules.RETIRED
    _touch(scheme)
    uow.session.flush()
    _emit_step(uow, scheme, "retired")
    return render(uow, scheme)
