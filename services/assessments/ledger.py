"""The points ledger: entries are appended, never edited, and move their scorecard with them.

``append`` is the one way points enter: it inserts the entry and adds it to its scorecard and
scorecard line by SQL increments, in the caller's transaction. Two workers scoring the same
scorecard at once both land: the increments are atomic, and a missing scorecard is created by an
insert that ignores a conflict (the other worker's row) before the increment.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import make_transient_to_detached

from services.assessments.domain.scoring import Subject, event_moment, event_scores
from services.assessments.models.ledger import LedgerEntry, ReceivedEvent, Scorecard, ScorecardLine
from services.assessments.models.schemes import Indicator, Scheme, ScoringRule
from shared.events.outbox import utcnow

_INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}
_ENTRIES, _CARDS, _LINES = LedgerEntry.__table__, Scorecard.__table__, ScorecardLine.__table__

# Built once: an append runs for every event scored, and building a statement costs more than
# running it.
_INSERT_ENTRIES = insert(_ENTRIES).returning(_ENTRIES.c.id, sort_by_parameter_order=True)
_BUMP_CARD = (
    update(_CARDS)
    .where(_CARDS.c.scheme_id == bindparam("at_scheme"),
           _CARDS.c.subject_ref == bindparam("at_subject"),
           _CARDS.c.period_key == bindparam("at_period"))
    .values(total_hundredths=_CARDS.c.total_hundredths + bindparam("by_weighted"),
            entry_count=_CARDS.c.entry_count + bindparam("by_count"),
            updated_at=bindparam("now", type_=_CARDS.c.updated_at.type))
    .returning(_CARDS.c.id))
_BUMP_LINE = (
    update(_LINES)
    .where(_LINES.c.scorecard_id == bindparam("at_card"),
           _LINES.c.indicator_id == bindparam("at_indicator"))
    .values(hundredths=_LINES.c.hundredths + bindparam("by_hundredths"),
            entry_count=_LINES.c.entry_count + bindparam("by_count")))


def weighted(weight: float, hundredths: int) -> int:
    """What an entry adds to its scorecard's total: weight × hundredths, rounded half away from
    zero."""
    return int((Decimal(str(weight)) * hundredths).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@functools.cache
def _insert_unless_present(dialect: str, table):
    """INSERT … ON CONFLICT DO NOTHING: the row exists afterwards, whoever created it."""
    return _INSERTS[dialect](table).on_conflict_do_nothing()


def _bump_scorecard(connection, card: tuple, weighted_sum: int, count: int) -> int:
    """Add to a scorecard (created first when missing); its id."""
    scheme_id, subject, period = card
    now = utcnow()
    where = {"at_scheme": scheme_id, "at_subject": subject.ref, "at_period": period,
             "by_weighted": weighted_sum, "by_count": count, "now": now}
    scorecard_id = connection.execute(_BUMP_CARD, where).scalar()
    if scorecard_id is None:
        connection.execute(_insert_unless_present(connection.dialect.name, _CARDS), {
            "scheme_id": scheme_id, "subject_kind": subject.kind, "subject_ref": subject.ref,
            "org_code": subject.org_code, "parent_code": subject.parent_code,
            "period_key": period, "total_hundredths": 0, "entry_count": 0, "updated_at": now})
        scorecard_id = connection.execute(_BUMP_CARD, where).scalar_one()
    return scorecard_id


def _bump_line(connection, scorecard_id: int, indicator_id: int, hundredths: int,
               count: int) -> None:
    """Add to a scorecard's line (created first when missing)."""
    where = {"at_card": scorecard_id, "at_indicator": indicator_id, "by_hundredths": hundredths,
             "by_count": count}
    if connection.execute(_BUMP_LINE, where).rowcount == 0:
        connection.execute(_insert_unless_present(connection.dialect.name, _LINES), {
            "scorecard_id": scorecard_id, "indicator_id": indicator_id, "hundredths": 0,
            "entry_count": 0})
        connection.execute(_BUMP_LINE, where)


def _insert(session, rows: list[dict]) -> list[int]:
    """Insert entries (each its columns) and move their scorecards and lines, each by the sum
    of its entries, in one order (scheme, subject, period) so that two workers never wait on
    each other in a circle. The entries' ids, in order."""
    if not rows:
        return []
    session.flush()  # what the caller has pending (the scheme, a rule) comes first
    connection = session.connection()
    ids = list(connection.execute(_INSERT_ENTRIES, rows).scalars())
    cards: dict = defaultdict(lambda: [0, 0, defaultdict(lambda: [0, 0])])
    for row in rows:
        subject = Subject(row["subject_kind"], row["subject_ref"], row["org_code"],
                          row["parent_code"])
        card = cards[(row["scheme_id"], subject, row["period_key"])]
        card[0] += row["weighted_hundredths"]
        card[1] += 1
        line = card[2][row["indicator_id"]]
        line[0] += row["hundredths"]
        line[1] += 1
    for key in sorted(cards, key=lambda key: (key[0], key[1].ref, key[2])):
        weighted_sum, count, lines = cards[key]
        scorecard_id = _bump_scorecard(connection, key, weighted_sum, count)
        for indicator_id in sorted(lines):
            _bump_line(connection, scorecard_id, indicator_id, *lines[indicator_id])
    return ids


def entry_row(*, scheme, indicator, subject: Subject, period_key: str, hundredths: int,
              source: str, occurred_at: datetime, actor: str, reason: str = "",
              rule_id: int | None = None, event_id: str | None = None,
              event_type: str | None = None, revision: int = 0,
              corrects_entry_id: int | None = None,
              weighted_hundredths: int | None = None) -> dict:
    """An entry's columns, from ``append``'s arguments: a row for ``append_many``."""
    if weighted_hundredths is None:
        weighted_hundredths = weighted(indicator.weight, hundredths)
    return {"scheme_id": scheme.id, "indicator_id": indicator.id, "rule_id": rule_id,
            "subject_kind": subject.kind, "subject_ref": subject.ref,
            "org_code": subject.org_code, "parent_code": subject.parent_code,
            "period_key": period_key, "hundredths": hundredths,
            "weighted_hundredths": weighted_hundredths, "source": source, "event_id": event_id,
            "event_type": event_type, "revision": revision,
            "corrects_entry_id": corrects_entry_id, "reason": reason, "actor": actor,
            "occurred_at": occurred_at, "recorded_at": utcnow()}


def append(uow, *, scheme, indicator, subject: Subject, period_key: str, hundredths: int,
           source: str, occurred_at: datetime, actor: str, reason: str = "",
           rule_id: int | None = None, event_id: str | None = None, event_type: str | None = None,
           revision: int = 0, corrects_entry_id: int | None = None,
           weighted_hundredths: int | None = None) -> LedgerEntry:
    """Append one entry and move its scorecard (Σ weighted hundredths, entry count) and its
    scorecard line (Σ hundredths on the indicator), creating them when missing — all in the
    caller's transaction, safe when workers append to the same scorecard at once. A second
    entry with the same (rule, event, subject, revision) is an IntegrityError: the same event
    never counts twice.

    ``weighted_hundredths`` is the indicator's weight × ``hundredths`` unless given (a rescoring
    correction gives it, so that a key's weighted sum is exactly what its points now weigh).
    Returns the entry, persistent in the session. The scorecard moves by SQL: a Scorecard
    already loaded in the session is stale afterwards (read it again with
    ``populate_existing`` or in a new session)."""
    row = entry_row(
        scheme=scheme, indicator=indicator, subject=subject, period_key=period_key,
        hundredths=hundredths, source=source, occurred_at=occurred_at, actor=actor, reason=reason,
        rule_id=rule_id, event_id=event_id, event_type=event_type, revision=revision,
        corrects_entry_id=corrects_entry_id, weighted_hundredths=weighted_hundredths)
    (entry_id,) = _insert(uow.session, [row])
    entry = LedgerEntry(id=entry_id, **row)
    make_transient_to_detached(entry)  # as if loaded: the session holds it, inserts nothing
    uow.session.add(entry)
    return entry


def append_many(uow, rows: list[dict]) -> list[int]:
    """``append`` for many entries at once (each made by ``entry_row``): one insert, and each
    scorecard and line moved once by the sum of its entries. Their ids, in order."""
    return _insert(uow.session, rows)


# --- scoring received events under a scheme's current rules ---------------------------------

BATCH = 500
"""Received events read at a time by a rescoring or a replay (memory stays bounded)."""
SYSTEM_ACTOR = "system"


@dataclass
class _Key:
    """What the ledger holds for one (rule, event, subject): its net per (indicator, period)."""

    subject: Subject | None = None
    nets: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    latest_id: int | None = None
    latest_revision: int = -1


SCORING_LOCK_KEY = 7_111_846_511_430_041_609
"""The PostgreSQL advisory lock between scoring an arriving event and rescoring a scheme."""


def hold_scoring_rules(uow, *, exclusive_of: int | None = None) -> None:
    """Keep the schemes' rules and statuses still while this transaction scores by them; with
    ``exclusive_of`` (a scheme id), keep every scoring out until this transaction ends.

    An event arriving while a scheme is approved (or a rule changed) must be scored by one of
    the two: the arrival reads the rules after keeping the event, the rescoring reads the events
    after changing the rules, and neither sees the other's uncommitted work. So on PostgreSQL an
    arrival holds a shared advisory lock while it reads the rules, and a rescoring (or a replay,
    which must see the ledger still) an exclusive one: whichever comes second sees what the
    first committed. SQLite's writers take turns: a transaction that has written holds them all
    off, so the exclusive holder writes first (the scheme's row, unchanged).
    """
    if uow.session.get_bind().dialect.name == "postgresql":
        lock = "pg_advisory_xact_lock_shared" if exclusive_of is None else "pg_advisory_xact_lock"
        uow.session.execute(text(f"SELECT {lock}(:key)"), {"key": SCORING_LOCK_KEY})
    elif exclusive_of is not None:
        uow.session.execute(update(Scheme).where(Scheme.id == exclusive_of)
                            .values(lock_version=Scheme.lock_version)
                            .execution_options(synchronize_session=False))


def _scheme_parts(uow, scheme_id: int):
    session = uow.session
    scheme = session.get(Scheme, scheme_id)
    if scheme is None:
        raise LookupError(f"no scheme {scheme_id}")
    indicators = {i.id: i for i in session.scalars(
        select(Indicator).where(Indicator.scheme_id == scheme_id))}
    rules = list(session.scalars(select(ScoringRule).where(ScoringRule.scheme_id == scheme_id)
                                 .order_by(ScoringRule.id)))
    rules_by_type: dict[str, list[ScoringRule]] = defaultdict(list)
    for rule in rules:
        rules_by_type[rule.event_type].append(rule)
    return scheme, indicators, rules_by_type


def _received_batches(uow, event_types):
    """The received events of these types, BATCH at a time, in the order they were received."""
    last_id = 0
    columns = (ReceivedEvent.id, ReceivedEvent.event_id, ReceivedEvent.type,
               ReceivedEvent.occurred_at, ReceivedEvent.org_code, ReceivedEvent.data)
    while event_types:
        batch = uow.session.execute(
            select(*columns).where(ReceivedEvent.type.in_(sorted(event_types)),
                                   ReceivedEvent.id > last_id)
            .order_by(ReceivedEvent.id).limit(BATCH)).all()
        if not batch:
            return
        yield batch
        last_id = batch[-1].id


def _desired(scheme, indicators, rules_by_type, event):
    """What the current rules give for one received event: {(rule_id, subject_ref):
    (rule, subject, {(indicator_id, period_key): (hundredths, weighted)})}."""
    wanted = {}
    for rule in rules_by_type.get(event.type, ()):
        for subject, key, hundredths in event_scores(scheme, rule, event.type, event.data,
                                                     event.occurred_at, event.org_code):
            if hundredths:
                weight = indicators[rule.indicator_id].weight
                wanted[(rule.id, subject.ref)] = (
                    rule, subject, {(rule.indicator_id, key): (hundredths, weighted(weight, hundredths))})
    return wanted


def _held(uow, scheme_id: int, event_ids: list[str]) -> dict:
    """What the ledger holds for the rule entries of these events:
    {event_id: {(rule_id, subject_ref): _Key}}."""
    held: dict = defaultdict(lambda: defaultdict(_Key))
    rows = uow.session.execute(
        select(LedgerEntry.id, LedgerEntry.rule_id, LedgerEntry.event_id, LedgerEntry.subject_kind,
               LedgerEntry.subject_ref, LedgerEntry.org_code, LedgerEntry.parent_code,
               LedgerEntry.indicator_id, LedgerEntry.period_key, LedgerEntry.hundredths,
               LedgerEntry.weighted_hundredths, LedgerEntry.revision)
        .where(LedgerEntry.scheme_id == scheme_id, LedgerEntry.event_id.in_(event_ids),
               LedgerEntry.rule_id.is_not(None)))
    for row in rows:
        key = held[row.event_id][(row.rule_id, row.subject_ref)]
        net = key.nets[(row.indicator_id, row.period_key)]
        net[0] += row.hundredths
        net[1] += row.weighted_hundredths
        if row.revision > key.latest_revision:
            key.latest_revision, key.latest_id = row.revision, row.id
            key.subject = Subject(row.subject_kind, row.subject_ref, row.org_code, row.parent_code)
    return held


def _points(hundredths: int) -> str:
    return f"{hundredths / 100:+.2f}"


def rescore_scheme(uow, scheme_id: int) -> dict:
    """Apply the scheme's current rules to every received event of their types: append what is
    missing (revision 0, source "event") and, for what the ledger holds but the rules now score
    differently (points, conditions, per field, window, indicator weight), a correction: the next
    revision of the key, source "correction", correcting the key's latest entry before this
    rescoring, its reason saying what the rule now gives. Nothing for a scheme that is not
    active. A second call appends nothing. Returns the counts. Reads BATCH events at a time
    and appends each batch's entries together."""
    hold_scoring_rules(uow, exclusive_of=scheme_id)
    scheme, indicators, rules_by_type = _scheme_parts(uow, scheme_id)
    counts = {"events_examined": 0, "entries_appended": 0, "corrections_appended": 0}
    if scheme.status != "active":
        return counts
    for batch in _received_batches(uow, set(rules_by_type)):
        counts["events_examined"] += len(batch)
        held = _held(uow, scheme.id, [event.event_id for event in batch])
        plan = []
        for event in batch:
            wanted = _desired(scheme, indicators, rules_by_type, event)
            holding = held.get(event.event_id, {})
            for rule_id, subject_ref in sorted(set(wanted) | set(holding)):
                plan += _differences(event, rule_id, wanted.get((rule_id, subject_ref)),
                                     holding.get((rule_id, subject_ref)))
        rows = []
        for step in plan:
            key = step.pop("key")
            key.latest_revision += 1
            source = "event" if key.latest_revision == 0 else "correction"
            rows.append(entry_row(
                scheme=scheme, indicator=indicators[step.pop("indicator_id")], source=source,
                actor=SYSTEM_ACTOR, revision=key.latest_revision,
                corrects_entry_id=key.latest_id, **step))
            counts["entries_appended" if source == "event" else "corrections_appended"] += 1
        append_many(uow, rows)
    return counts


def _differences(event, rule_id: int, wanted, key: _Key | None) -> list[dict]:
    """The entries that bring the ledger's nets for one key to what the rule now gives."""
    key = key or _Key()
    rule, subject, desired = wanted if wanted else (None, key.subject, {})
    steps = []
    for indicator_id, period in sorted(set(desired) | set(key.nets)):
        hundredths, weighted_now = desired.get((indicator_id, period), (0, 0))
        held_hundredths, held_weighted = key.nets.get((indicator_id, period), (0, 0))
        if (hundredths, weighted_now) == (held_hundredths, held_weighted):
            continue
        if key.latest_id is None:
            reason = (rule.description or f"{event.type} under rule {rule_id}")[:500]
        elif hundredths != held_hundredths:
            reason = (f"rule {rule_id} as it now stands gives {_points(hundredths)} "
                      f"(was {_points(held_hundredths)})")
        else:
            reason = f"indicator {indicator_id}'s weight changed: weighted {held_weighted} → {weighted_now}"
        steps.append(dict(
            key=key, indicator_id=indicator_id, subject=subject, period_key=period,
            hundredths=hundredths - held_hundredths,
            weighted_hundredths=weighted_now - held_weighted, reason=reason, rule_id=rule_id,
            event_id=event.event_id, event_type=event.type,
            occurred_at=event_moment(event.type, event.data, event.occurred_at)))
    return steps


# --- replaying a scheme from scratch ---------------------------------------------------------


def _card(figures: dict, subject_ref: str, period: str) -> dict:
    return figures.setdefault((subject_ref, period), {"total": 0, "count": 0, "lines": defaultdict(int)})


def _from_events(uow, scheme, indicators, rules_by_type) -> tuple[dict, int]:
    figures: dict = {}
    replayed = 0
    for batch in _received_batches(uow, set(rules_by_type)):
        replayed += len(batch)
        for event in batch:
            for _rule, subject, desired in _desired(scheme, indicators, rules_by_type,
                                                    event).values():
                for (indicator_id, period), (hundredths, weighted_now) in desired.items():
                    card = _card(figures, subject.ref, period)
                    card["total"] += weighted_now
                    card["lines"][indicator_id] += hundredths
    # what no event causes: manual scores, survey results, and the corrections of those
    _add_ledger(uow, figures, scheme.id, LedgerEntry.rule_id.is_(None))
    return figures, replayed


def _add_ledger(uow, figures: dict, scheme_id: int, *where) -> None:
    rows = uow.session.execute(
        select(LedgerEntry.subject_ref, LedgerEntry.period_key, LedgerEntry.indicator_id,
               func.sum(LedgerEntry.hundredths), func.sum(LedgerEntry.weighted_hundredths),
               func.count())
        .where(LedgerEntry.scheme_id == scheme_id, *where)
        .group_by(LedgerEntry.subject_ref, LedgerEntry.period_key, LedgerEntry.indicator_id))
    for subject_ref, period, indicator_id, hundredths, weighted_sum, count in rows:
        card = _card(figures, subject_ref, period)
        card["total"] += int(weighted_sum)
        card["count"] += count
        card["lines"][indicator_id] += int(hundredths)


def _stored(uow, scheme_id: int) -> dict:
    figures: dict = {}
    cards = uow.session.execute(
        select(Scorecard.id, Scorecard.subject_ref, Scorecard.period_key,
               Scorecard.total_hundredths, Scorecard.entry_count)
        .where(Scorecard.scheme_id == scheme_id)).all()
    by_id = {}
    for card_id, subject_ref, period, total, count in cards:
        by_id[card_id] = card = _card(figures, subject_ref, period)
        card["total"], card["count"] = total, count
    lines = uow.session.execute(
        select(ScorecardLine.scorecard_id, ScorecardLine.indicator_id, ScorecardLine.hundredths)
        .join(Scorecard, Scorecard.id == ScorecardLine.scorecard_id)
        .where(Scorecard.scheme_id == scheme_id))
    for card_id, indicator_id, hundredths in lines:
        by_id[card_id]["lines"][indicator_id] += hundredths
    return figures


def replay_check(uow, scheme_id: int) -> dict:
    """Recompute every scorecard of the scheme from scratch, twice — from the received events
    under the current rules (plus the entries no event causes: manual, survey, their
    corrections), and from the ledger entries — and compare both with the stored scorecards,
    total by total and line by line. ``differences`` is empty when all agree. The events are
    replayed only for an active scheme (another counts nothing now): ``from_events`` is then
    None. No event is scored meanwhile (``hold_scoring_rules``): the figures are of one moment."""
    hold_scoring_rules(uow, exclusive_of=scheme_id)
    scheme, indicators, rules_by_type = _scheme_parts(uow, scheme_id)
    stored = _stored(uow, scheme.id)
    from_ledger: dict = {}
    _add_ledger(uow, from_ledger, scheme.id)
    from_events, replayed = (_from_events(uow, scheme, indicators, rules_by_type)
                             if scheme.status == "active" else (None, 0))
    differences = []
    cards = set(stored) | set(from_ledger) | set(from_events or ())
    empty = {"total": 0, "count": 0, "lines": {}}
    for subject_ref, period in sorted(cards):
        mine = stored.get((subject_ref, period), empty)
        ledgered = from_ledger.get((subject_ref, period), empty)
        replayed_card = None if from_events is None else from_events.get((subject_ref, period), empty)
        figures = [("total_hundredths", None, mine["total"], ledgered["total"],
                    None if replayed_card is None else replayed_card["total"]),
                   ("entry_count", None, mine["count"], ledgered["count"], None)]
        indicator_ids = set(mine["lines"]) | set(ledgered["lines"]) | set(
            replayed_card["lines"] if replayed_card else ())
        for indicator_id in sorted(indicator_ids):
            figures.append(("hundredths", indicator_id, mine["lines"].get(indicator_id, 0),
                            ledgered["lines"].get(indicator_id, 0),
                            None if replayed_card is None
                            else replayed_card["lines"].get(indicator_id, 0)))
        for figure, indicator_id, held, ledger_value, events_value in figures:
            if held != ledger_value or (events_value is not None and held != events_value):
                differences.append({
                    "subject_ref": subject_ref, "period_key": period, "figure": figure,
                    "indicator_id": indicator_id, "stored": held, "from_ledger": ledger_value,
                    "from_events": events_value})
    return {"scheme_id": scheme.id, "events_replayed": replayed,
            "scorecards_compared": len(cards), "differences": differences}
