"""Scoring use cases: the events assessments listens to become points in the ledger; the ledger
is read (every entry explained by the rule and the event that caused it) and replayed.

An event is kept as received (``ReceivedEvent``), then scored under every active scheme with a
rule for its type — whatever the order events and approvals arrive in: a scheme approved later
scores the events already kept (``ledger.rescore_scheme``). The same event never counts twice:
the inbox stops a redelivery, and (rule, event, subject, revision) is unique in the ledger.

Reading: an entry is scoped by where its subject lies (``org_code``); out of scope is 404.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import bindparam, func, select

from services.assessments import ledger
from services.assessments.domain.catalogue import (
    INGESTION_STATUS_ROLES,
    LEDGER_REPLAY_ROLES,
    SCORABLE_EVENTS,
)
from services.assessments.domain.scoring import event_moment, event_scores
from services.assessments.models.ledger import LedgerEntry, ReceivedEvent
from services.assessments.models.schemes import Indicator, Scheme, ScoringRule
from services.assessments.schemas.ledger import (
    IndicatorRefSchema,
    IngestionStatusSchema,
    LedgerListQuerySchema,
    ReceivedEventSchema,
    ReplayCheckRequestSchema,
    ReplayCheckSchema,
)
from services.assessments.schemes import find_scheme, render_rule
from services.assessments.scorecards import indicator_codes, render_entry
from shared.context import require_caller, require_role, require_scope
from shared.db import UnitOfWork
from shared.errors import OutOfScope
from shared.lookup import find_by_id
from shared.pagination import after_id, page_of
from shared.validation import load

LIST_FILTERS = ("scheme_id", "subject_ref", "period_key", "source", "event_id", "event_type")

_indicator_schema = IndicatorRefSchema()
_event_schema = ReceivedEventSchema()
_replay_schema = ReplayCheckSchema()
_status_schema = IngestionStatusSchema()


# --- ingestion ------------------------------------------------------------------------------

# Built once: they run for every event received.
_COUNTING_RULES = (select(ScoringRule, Scheme, Indicator)
                   .join(Scheme, Scheme.id == ScoringRule.scheme_id)
                   .join(Indicator, Indicator.id == ScoringRule.indicator_id)
                   .where(ScoringRule.event_type == bindparam("event_type"),
                          Scheme.status == "active"))


def receive(uow: UnitOfWork, envelope: dict) -> dict:
    """Keep an event as received, then score it under every active scheme with a rule for its
    type. Returns what it did: ``{"event_id", "entries"}``."""
    event = ReceivedEvent(
        event_id=str(envelope["event_id"]), type=envelope["type"],
        occurred_at=_moment(envelope["occurred_at"]), org_code=envelope["org_code"],
        data=envelope["data"])
    uow.session.add(event)
    uow.session.flush()
    return {"event_id": event.event_id, "entries": score(uow, event)}


def _moment(value) -> datetime:
    """The envelope's ``occurred_at`` (read_envelope checked it; without a zone it is UTC)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def score(uow: UnitOfWork, event: ReceivedEvent) -> int:
    """Append what the event is worth under each active scheme's rules for its type (revision 0,
    source "event"). The event is new to the ledger: a rescoring sees it only once this
    transaction has committed, and then sees its entries too. Returns the entries appended."""
    ledger.hold_scoring_rules(uow)
    found = uow.session.execute(_COUNTING_RULES, {"event_type": event.type}).all()
    planned = []
    for rule, scheme, indicator in found:
        for subject, period, hundredths in event_scores(scheme, rule, event.type, event.data,
                                                        event.occurred_at, event.org_code):
            if hundredths:
                planned.append((scheme, period, subject, indicator, rule, hundredths))
    moment = event_moment(event.type, event.data, event.occurred_at)
    rows = [ledger.entry_row(
        scheme=scheme, indicator=indicator, subject=subject, period_key=period,
        hundredths=hundredths, source="event", occurred_at=moment, actor=ledger.SYSTEM_ACTOR,
        reason=(rule.description or f"{event.type} under rule {rule.id}")[:500],
        rule_id=rule.id, event_id=event.event_id, event_type=event.type)
        for scheme, period, subject, indicator, rule, hundredths in planned]
    return len(ledger.append_many(uow, rows))


# --- reading the ledger ---------------------------------------------------------------------

def list_entries(uow: UnitOfWork, query_args: dict) -> dict:
    """Ledger entries of subjects lying in the caller's scope, oldest first, filtered."""
    args = load(LedgerListQuerySchema, query_args)
    caller = require_caller(uow.caller)
    require_scope(caller, caller.scope or "", "scope")
    query = select(LedgerEntry).where(LedgerEntry.org_code.startswith(caller.scope))
    if args["code"]:
        require_scope(caller, args["code"], "code")
        query = query.where(LedgerEntry.org_code.startswith(args["code"]))
    for name in LIST_FILTERS:
        if args[name] is not None:
            query = query.where(getattr(LedgerEntry, name) == args[name])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(LedgerEntry.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(LedgerEntry.id).limit(limit + 1)))
    codes: dict[int, str] = {}
    for scheme_id in {row.scheme_id for row in rows}:
        codes.update(indicator_codes(uow, scheme_id))
    return page_of(rows, limit, key=lambda row: row.id, render=lambda row: render_entry(row, codes))


def get_entry(uow: UnitOfWork, entry_id) -> dict:
    """One entry with what explains it: its indicator, the rule and the event as received, and
    the entries correcting it."""
    entry = find_by_id(uow, LedgerEntry, entry_id, code_column=LedgerEntry.org_code,
                       what="ledger entry")
    indicator = uow.session.get(Indicator, entry.indicator_id)
    rule = uow.session.get(ScoringRule, entry.rule_id) if entry.rule_id else None
    event = (uow.session.scalar(select(ReceivedEvent).where(ReceivedEvent.event_id == entry.event_id))
             if entry.event_id else None)
    corrected_by = list(uow.session.scalars(
        select(LedgerEntry.id).where(LedgerEntry.corrects_entry_id == entry.id)
        .order_by(LedgerEntry.id)))
    return {
        **render_entry(entry, {indicator.id: indicator.code}),
        "indicator_detail": _indicator_schema.dump(indicator),
        "rule": render_rule(uow, rule) if rule else None,
        "event": _event_schema.dump(event) if event else None,
        "corrected_by": corrected_by}


def replay_check(uow: UnitOfWork, payload: dict) -> dict:
    """``ledger.replay_check`` of a scheme lying within the caller's scope."""
    require_role(uow.caller, *LEDGER_REPLAY_ROLES)
    data = load(ReplayCheckRequestSchema, payload)
    scheme = find_scheme(uow, data["scheme_id"], field="scheme_id")
    if not uow.caller.can_see(scheme.org_code):
        raise OutOfScope(f"scheme_id: scheme {scheme.id} covers {scheme.org_code}, beyond your "
                         f"scope {uow.caller.scope}: its replay is the wider area's to ask",
                         field="scheme_id")
    return _replay_schema.dump(ledger.replay_check(uow, scheme.id))


def ingestion_status(uow: UnitOfWork) -> dict:
    """How many events of each scored type have been received, and when the last came."""
    require_role(uow.caller, *INGESTION_STATUS_ROLES)
    counts = {type_: (count, last) for type_, count, last in uow.session.execute(
        select(ReceivedEvent.type, func.count(), func.max(ReceivedEvent.received_at))
        .group_by(ReceivedEvent.type))}
    types = [{"type": type_, "received": counts.get(type_, (0, None))[0],
              "last_received_at": counts.get(type_, (0, None))[1]}
             for type_ in sorted(set(SCORABLE_EVENTS) | set(counts))]
    lasts = [row["last_received_at"] for row in types if row["last_received_at"] is not None]
    return _status_schema.dump({
        "received": sum(row["received"] for row in types),
        "entries": uow.session.scalar(select(func.count()).select_from(LedgerEntry)),
        "last_received_at": max(lasts) if lasts else None, "types": types})
