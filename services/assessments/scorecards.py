"""Scorecard use cases: scorecards and the entries that explain them, rankings, the
ledger → scorecards recomputation, and the human inputs: manual scores (inspections), survey
results (satisfaction) and corrections, each a ledger entry through ``ledger.append``.

Reading: a scorecard is scoped by where its subject lies (``org_code``); out of scope is 404.
A scheme is read from beneath as from above (``seen_from``: a community worker ranks on the
district's scheme covering their community). Writing: ``SCORER_ROLES`` score subjects lying in
their scope but never their own unit (a street's admin scores its communities, not the street).

Membership is asked by the entrypoint (the subject's territory node, the subjects lying in an
area); the use cases get plain dicts and lists. Two-phase calls (``*_plan`` then the use case)
let the entrypoint know what to ask before anything is written.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from sqlalchemy import func, select

from services.assessments import ledger
from services.assessments.domain import rankings as rules
from services.assessments.domain.catalogue import (
    LEDGER_REPLAY_ROLES,
    SATISFACTION_TARGET,
    SCORER_ROLES,
)
from services.assessments.domain.scoring import (
    PARENT_CODE_LENGTH,
    PERSON_SUBJECT_KINDS,
    Subject,
    china_day,
    covers,
    period_key,
    territory_subject,
    to_hundredths,
)
from services.assessments.models.ledger import (
    LedgerEntry,
    Scorecard,
    ScorecardLine,
    SurveyResult,
)
from services.assessments.models.schemes import Indicator, Scheme
from services.assessments.schemas.scorecards import (
    CorrectionSchema,
    EntryListQuerySchema,
    LedgerEntrySchema,
    ManualScoreSchema,
    RankingQuerySchema,
    RankingSchema,
    RecomputationQuerySchema,
    ScorecardDetailSchema,
    ScorecardListQuerySchema,
    ScorecardSchema,
    SurveyResultCreateSchema,
    SurveyResultListQuerySchema,
    SurveyResultSchema,
)
from services.assessments.schemes import actor_of, find_scheme, indicators_of
from shared.context import CallerContext, require_caller, require_role, require_scope
from shared.db import UnitOfWork
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.events.outbox import utcnow
from shared.lookup import find_by_id, lock_row
from shared.pagination import after_id, decode_cursor, page_of
from shared.validation import load

TERRITORY_LEVELS = {"street": "street", "community": "community", "grid_worker": "grid"}
"""The membership territory level a territory subject kind is."""

_scorecard_schema = ScorecardSchema()
_detail_schema = ScorecardDetailSchema()
_entry_schema = LedgerEntrySchema()
_ranking_schema = RankingSchema()
_survey_schema = SurveyResultSchema()


def _today(today: date | None) -> date:
    """Today in China (where the periods are counted) unless a caller (a test) says."""
    return today or china_day(utcnow())


def _indicators(uow: UnitOfWork, scheme_id: int) -> dict[int, Indicator]:
    return {indicator.id: indicator for indicator in indicators_of(uow, scheme_id)}


# --- scorecards -------------------------------------------------------------------------------

def _scorecard_fields(scorecard: Scorecard, thresholds: list) -> dict:
    return {
        "id": scorecard.id, "scheme_id": scorecard.scheme_id,
        "subject_kind": scorecard.subject_kind, "subject_ref": scorecard.subject_ref,
        "org_code": scorecard.org_code, "parent_code": scorecard.parent_code,
        "period_key": scorecard.period_key, "points": rules.points(scorecard.total_hundredths),
        "entry_count": scorecard.entry_count,
        "stars": rules.stars(scorecard.total_hundredths, thresholds),
        "updated_at": scorecard.updated_at}


def _render_scorecard(scorecard: Scorecard, thresholds: list) -> dict:
    return _scorecard_schema.dump(_scorecard_fields(scorecard, thresholds))


def _within(caller: CallerContext, within_code: str | None) -> str:
    """The area a list covers: the one asked for (in the caller's scope), else the scope."""
    require_scope(caller, caller.scope or "", "scope")
    if within_code is None:
        return caller.scope or ""
    require_scope(caller, within_code, "within_code")
    return within_code


def list_scorecards(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(ScorecardListQuerySchema, query_args)
    caller = require_caller(uow.caller)
    area = _within(caller, args["within_code"])
    query = select(Scorecard).where(Scorecard.org_code.startswith(area))
    for name in ("scheme_id", "period_key", "subject_ref"):
        if args[name] is not None:
            query = query.where(getattr(Scorecard, name) == args[name])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(Scorecard.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(Scorecard.id).limit(limit + 1)))
    thresholds = dict(uow.session.execute(select(Scheme.id, Scheme.star_thresholds).where(
        Scheme.id.in_({row.scheme_id for row in rows}))).all()) if rows else {}
    return page_of(rows, limit, key=lambda row: row.id,
                   render=lambda row: _render_scorecard(row, thresholds[row.scheme_id]))


def _visible_scorecard(uow: UnitOfWork, scorecard_id) -> Scorecard:
    require_caller(uow.caller)
    return find_by_id(uow, Scorecard, scorecard_id, code_column=Scorecard.org_code,
                      what="scorecard")


def _listable_area(caller: CallerContext, kind: str, code: str) -> str | None:
    """The area whose territory subjects membership is asked for (None: not a territory kind,
    or an area the caller cannot list)."""
    if kind not in TERRITORY_LEVELS or not caller.can_see(code):
        return None
    return code


def scorecard_plan(uow: UnitOfWork, scorecard_id) -> dict:
    """What the entrypoint asks membership before ``get_scorecard``: the subjects of the
    scorecard's parent (its rank counts the ones with no entries yet, as 0)."""
    scorecard = _visible_scorecard(uow, scorecard_id)
    area = _listable_area(require_caller(uow.caller), scorecard.subject_kind,
                          scorecard.parent_code)
    return {"area": area, "level": TERRITORY_LEVELS.get(scorecard.subject_kind)}


def get_scorecard(uow: UnitOfWork, scorecard_id, sibling_refs: list[str] | None = None) -> dict:
    """A scorecard: its total, its lines (each indicator's points and weighted points), its
    stars and its rank within its parent (``sibling_refs``: the parent's territory subjects
    membership lists, the ones without entries ranking with 0)."""
    scorecard = _visible_scorecard(uow, scorecard_id)
    scheme = uow.session.get(Scheme, scorecard.scheme_id)
    indicators = _indicators(uow, scheme.id)
    weighted = dict(uow.session.execute(
        select(LedgerEntry.indicator_id, func.sum(LedgerEntry.weighted_hundredths))
        .where(*_entries_of(scorecard)).group_by(LedgerEntry.indicator_id)).all())
    lines = []
    for line in uow.session.scalars(select(ScorecardLine).where(
            ScorecardLine.scorecard_id == scorecard.id).order_by(ScorecardLine.indicator_id)):
        indicator = indicators[line.indicator_id]
        lines.append({"indicator_id": indicator.id, "indicator": indicator.code,
                      "name": indicator.name, "source": indicator.source,
                      "weight": indicator.weight, "points": rules.points(line.hundredths),
                      "weighted_points": rules.points(weighted.get(line.indicator_id) or 0),
                      "entry_count": line.entry_count})
    standings = _standings(uow, scheme, scorecard.period_key, scorecard.parent_code, "parent",
                           sibling_refs or [])
    mine = next(s for s in standings if s.subject_ref == scorecard.subject_ref)
    shown = _scorecard_fields(scorecard, scheme.star_thresholds)
    shown.update(scheme_name=scheme.name, lines=lines, star_thresholds=scheme.star_thresholds,
                 standing={"rank": mine.rank, "group_code": mine.group_code,
                           "group_size": mine.group_size, "bottom": mine.bottom})
    return _detail_schema.dump(shown)


def _entries_of(scorecard: Scorecard) -> tuple:
    return (LedgerEntry.scheme_id == scorecard.scheme_id,
            LedgerEntry.subject_ref == scorecard.subject_ref,
            LedgerEntry.period_key == scorecard.period_key)


def render_entry(entry: LedgerEntry, indicator_codes: dict[int, str]) -> dict:
    return _entry_schema.dump({
        "id": entry.id, "scheme_id": entry.scheme_id,
        "indicator": indicator_codes.get(entry.indicator_id, ""), "source": entry.source,
        "subject_kind": entry.subject_kind, "subject_ref": entry.subject_ref,
        "org_code": entry.org_code, "period_key": entry.period_key,
        "points": rules.points(entry.hundredths),
        "weighted_points": rules.points(entry.weighted_hundredths), "rule_id": entry.rule_id,
        "event_id": entry.event_id, "event_type": entry.event_type, "revision": entry.revision,
        "corrects_entry_id": entry.corrects_entry_id, "reason": entry.reason,
        "actor": entry.actor, "occurred_at": entry.occurred_at,
        "recorded_at": entry.recorded_at})


def indicator_codes(uow: UnitOfWork, scheme_id: int) -> dict[int, str]:
    return dict(uow.session.execute(select(Indicator.id, Indicator.code).where(
        Indicator.scheme_id == scheme_id)).all())


def scorecard_entries(uow: UnitOfWork, scorecard_id, query_args: dict) -> dict:
    """The ledger entries that make a scorecard, oldest first: its explanation, entry by entry."""
    args = load(EntryListQuerySchema, query_args)
    scorecard = _visible_scorecard(uow, scorecard_id)
    query = select(LedgerEntry).where(*_entries_of(scorecard))
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(LedgerEntry.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(LedgerEntry.id).limit(limit + 1)))
    codes = indicator_codes(uow, scorecard.scheme_id)
    return page_of(rows, limit, key=lambda row: row.id,
                   render=lambda row: render_entry(row, codes))


# --- rankings ---------------------------------------------------------------------------------

def _group_area(kind: str, within: str, group: str) -> str:
    """The area whose subjects a ranking compares: ``within`` itself, or for a ranking within
    parents asked below the parents' level, the parent holding ``within`` (a community's rank
    is among its street's communities)."""
    parent_length = PARENT_CODE_LENGTH.get(kind, len(within))
    if group == "parent" and len(within) > parent_length:
        return within[:parent_length]
    return within


def _ranking_scope(uow: UnitOfWork, args: dict, today: date | None) -> tuple[Scheme, str, str]:
    """The scheme, the period and the area a ranking lists (the one asked for, the caller's
    scope, narrowed to the scheme's area)."""
    caller = require_caller(uow.caller)
    scheme = find_scheme(uow, args["scheme_id"], "scheme_id")
    within = _within(caller, args["within_code"])
    if scheme.org_code.startswith(within):
        within = scheme.org_code
    elif not within.startswith(scheme.org_code):
        raise InvalidInput(f"within_code: {within} lies outside the scheme's area "
                           f"{scheme.org_code}", field="within_code")
    key = args["period_key"] or period_key(scheme.period, _today(today))
    rules.check_period_key(scheme.period, key, scheme.counts_from, scheme.counts_until)
    return scheme, key, within


def ranking_plan(uow: UnitOfWork, query_args: dict, today: date | None = None) -> dict:
    """What the entrypoint asks membership before ``ranking``: the territory subjects lying in
    the area compared, or when that is beyond the caller (a community worker ranked within its
    street) in the area listed; None when the subjects are people."""
    args = load(RankingQuerySchema, query_args)
    scheme, _, within = _ranking_scope(uow, args, today)
    caller = require_caller(uow.caller)
    area = _group_area(scheme.subject_kind, within, args["group"])
    listed = area if caller.can_see(area) else within  # a community worker: its own community
    return {"area": _listable_area(caller, scheme.subject_kind, listed),
            "level": TERRITORY_LEVELS.get(scheme.subject_kind)}


def _standings(uow: UnitOfWork, scheme: Scheme, key: str, area: str, group: str,
               territory_refs: list[str]) -> list[rules.Standing]:
    """Every subject of ``area`` ranked (one indexed query over the scorecards; the territory
    subjects membership listed without a scorecard rank with 0)."""
    rows = uow.session.execute(
        select(Scorecard.id, Scorecard.subject_ref, Scorecard.parent_code,
               Scorecard.total_hundredths)
        .where(Scorecard.scheme_id == scheme.id, Scorecard.period_key == key,
               Scorecard.org_code.startswith(area))).all()

    def group_of(parent_code: str) -> str:
        return parent_code if group == "parent" else area

    entrants = [rules.Entrant(group_of(row.parent_code), row.subject_ref,
                              row.total_hundredths, row.id) for row in rows]
    if scheme.subject_kind not in PERSON_SUBJECT_KINDS:
        refs = [ref for ref in territory_refs if ref.startswith(area)]
        entrants = rules.with_zero_subjects(entrants, refs, lambda ref: group_of(
            territory_subject(scheme.subject_kind, ref).parent_code))
    return rules.rank(entrants, scheme.star_thresholds, scheme.bottom_n)


def _after_standing(cursor: str | None) -> tuple[str, int, str] | None:
    after = decode_cursor(cursor)
    if after is None:
        return None
    parts = str(after).split(":")
    if len(parts) != 3 or not parts[1].isdigit():
        raise InvalidInput("cursor: not a cursor this API gave out", field="cursor")
    return parts[0], int(parts[1]), parts[2]


def ranking(uow: UnitOfWork, query_args: dict, territory_nodes: list[dict] | None = None,
            today: date | None = None) -> dict:
    """The subjects lying in ``within_code`` ranked by total, within their parent (or all
    together), with stars and the bottom N flagged; ``territory_nodes`` are the territory
    subjects membership lists in the area compared, ``{"code", "name"}`` (those without entries
    rank with 0; the names label the ranking)."""
    args = load(RankingQuerySchema, query_args)
    territory_refs = [node["code"] for node in territory_nodes or []]
    names = {node["code"]: node.get("name") for node in territory_nodes or []}
    scheme, key, within = _ranking_scope(uow, args, today)
    area = _group_area(scheme.subject_kind, within, args["group"])
    standings = [standing for standing in _standings(uow, scheme, key, area, args["group"],
                                                     territory_refs or [])
                 if _lies_in(standing, scheme, within, area)]
    after = _after_standing(args["cursor"])
    if after is not None:
        standings = [standing for standing in standings if rules.standing_key(standing) > after]
    limit = args["limit"]
    page = page_of(standings, limit, key=lambda s: ":".join(map(str, rules.standing_key(s))),
                   render=lambda s: _render_standing(s, scheme.subject_kind, names))
    return _ranking_schema.dump({
        "scheme_id": scheme.id, "scheme_name": scheme.name, "subject_kind": scheme.subject_kind,
        "period_key": key, "within_code": within, "group": args["group"],
        "star_thresholds": scheme.star_thresholds, "bottom_n": scheme.bottom_n, **page})


def _lies_in(standing: rules.Standing, scheme: Scheme, within: str, area: str) -> bool:
    """The standing's subject lies in ``within`` (``area`` holds it, the area compared)."""
    if scheme.subject_kind in PERSON_SUBJECT_KINDS:
        # a person lies in a community: in ``within`` when the area compared is not wider
        # (a grid holds none of its community's people)
        return area == within
    return standing.subject_ref.startswith(within)


def _render_standing(standing: rules.Standing, kind: str, names: dict) -> dict:
    return {"subject_kind": kind, "subject_ref": standing.subject_ref,
            "subject_name": names.get(standing.subject_ref),
            "scorecard_id": standing.scorecard_id, "group_code": standing.group_code,
            "rank": standing.rank, "group_size": standing.group_size,
            "points": rules.points(standing.total_hundredths), "stars": standing.stars,
            "bottom": standing.bottom}


# --- recomputation ----------------------------------------------------------------------------

def recompute(uow: UnitOfWork, query_args: dict) -> dict:
    """Every scorecard of the scheme (in the caller's scope) recomputed from its ledger entries
    (Σ grouped in SQL) and compared with the incrementally kept figures: the total and each
    line. ``differences`` is empty when they agree."""
    args = load(RecomputationQuerySchema, query_args)
    caller = require_caller(uow.caller)
    require_role(caller, *LEDGER_REPLAY_ROLES)
    scheme = find_scheme(uow, args["scheme_id"], "scheme_id")
    area = caller.scope or ""
    session = uow.session
    summed = session.execute(
        select(LedgerEntry.subject_ref, LedgerEntry.period_key, LedgerEntry.indicator_id,
               func.sum(LedgerEntry.hundredths), func.sum(LedgerEntry.weighted_hundredths),
               func.count())
        .where(LedgerEntry.scheme_id == scheme.id, LedgerEntry.org_code.startswith(area))
        .group_by(LedgerEntry.subject_ref, LedgerEntry.period_key,
                  LedgerEntry.indicator_id)).all()
    recomputed_lines = {(ref, key, indicator): hundredths
                        for ref, key, indicator, hundredths, _, _ in summed}
    recomputed_totals: dict[tuple[str, str], int] = {}
    entries = 0
    for ref, key, _, _, weighted, count in summed:
        recomputed_totals[(ref, key)] = recomputed_totals.get((ref, key), 0) + weighted
        entries += count
    kept = session.execute(
        select(Scorecard.id, Scorecard.subject_ref, Scorecard.period_key,
               Scorecard.total_hundredths)
        .where(Scorecard.scheme_id == scheme.id, Scorecard.org_code.startswith(area))).all()
    kept_lines = {(ref, key, indicator): hundredths
                  for ref, key, indicator, hundredths in session.execute(
                      select(Scorecard.subject_ref, Scorecard.period_key,
                             ScorecardLine.indicator_id, ScorecardLine.hundredths)
                      .join(ScorecardLine, ScorecardLine.scorecard_id == Scorecard.id)
                      .where(Scorecard.scheme_id == scheme.id,
                             Scorecard.org_code.startswith(area)))}
    scorecard_ids = {(row.subject_ref, row.period_key): row.id for row in kept}
    differences = []

    def differ(ref, key, indicator, kept_value, recomputed_value):
        differences.append({"scorecard_id": scorecard_ids.get((ref, key)), "subject_ref": ref,
                            "period_key": key, "indicator_id": indicator,
                            "kept_hundredths": kept_value,
                            "recomputed_hundredths": recomputed_value})

    kept_totals = {(row.subject_ref, row.period_key): row.total_hundredths for row in kept}
    for pair in sorted(set(kept_totals) | set(recomputed_totals)):
        if kept_totals.get(pair) != recomputed_totals.get(pair):
            differ(*pair, None, kept_totals.get(pair), recomputed_totals.get(pair))
    for triple in sorted(set(kept_lines) | set(recomputed_lines)):
        if kept_lines.get(triple) != recomputed_lines.get(triple):
            differ(*triple, kept_lines.get(triple), recomputed_lines.get(triple))
    return {"scheme_id": scheme.id, "scorecards_compared": len(kept), "entries": entries,
            "differences": differences}


# --- the human inputs: manual scores, survey results, corrections ------------------------------

def _active_scheme_for_writing(uow: UnitOfWork, scheme_id, field: str,
                               lock: bool = True) -> Scheme:
    """The active scheme a scorer writes on; locked first (the scheme's row lock) so that its
    status is checked, and a chain of corrections or surveys worked out, one writer at a time.
    The plan before asking membership does not lock (no lock is held across an RPC)."""
    require_role(require_caller(uow.caller), *SCORER_ROLES)
    scheme = find_scheme(uow, scheme_id, field)
    if lock:
        lock_row(uow, scheme)
    if scheme.status != "active":
        raise Conflict(f"status: the scheme is {scheme.status}; only an active scheme takes "
                       "scores", field="status")
    return scheme


def _subject_plan(uow: UnitOfWork, scheme: Scheme, data: dict) -> dict:
    """What to ask membership about: the territory node (the subject's own code, or the
    person's community) and, for a person, the person (``person_kind``: who must exist);
    a code outside the caller's scope is refused before asking."""
    plan = {"code": data["subject_ref"], "field": "subject_ref", "person_kind": None}
    if scheme.subject_kind in PERSON_SUBJECT_KINDS:
        if data["community_code"] is None:
            raise InvalidInput(f"community_code: a {scheme.subject_kind} is scored in a "
                               "community; name it", field="community_code")
        plan = {"code": data["community_code"], "field": "community_code",
                "person_kind": scheme.subject_kind, "person_ref": data["subject_ref"]}
    require_scope(uow.caller, plan["code"], plan["field"])
    return plan


def _subject(uow: UnitOfWork, scheme: Scheme, data: dict, node: dict) -> Subject:
    """The subject scored: of the scheme's kind, in its area, in the caller's scope and below
    the caller's own unit. ``node`` is membership's territory node the plan named."""
    caller = require_caller(uow.caller)
    kind = scheme.subject_kind
    if kind in PERSON_SUBJECT_KINDS:
        if node.get("level") != "community":
            raise InvalidInput(f"community_code: {data['community_code']} is not a community",
                               field="community_code")
        subject = Subject(kind, data["subject_ref"], node["code"], node["code"])
        field = "community_code"
    else:
        level = TERRITORY_LEVELS[kind]
        if node.get("level") != level or node.get("code") != data["subject_ref"]:
            raise InvalidInput(f"subject_ref: {data['subject_ref']} is not a {level} "
                               f"(the scheme assesses {kind} subjects)", field="subject_ref")
        subject = territory_subject(kind, node["code"])
        field = "subject_ref"
    if not covers(scheme, subject):
        raise InvalidInput(f"{field}: {subject.org_code} lies outside the scheme's area "
                           f"{scheme.org_code}", field=field)
    require_scope(caller, subject.org_code, field)
    if kind not in PERSON_SUBJECT_KINDS and subject.ref == caller.scope:
        raise Forbidden(f"{field}: {subject.ref} is your own unit; it is scored from above",
                        field=field)
    return subject


def _indicator(uow: UnitOfWork, scheme: Scheme, code: str, source: str) -> Indicator:
    indicator = uow.session.scalar(select(Indicator).where(
        Indicator.scheme_id == scheme.id, Indicator.code == code))
    if indicator is None:
        raise InvalidInput(f"indicator: the scheme has no indicator {code}", field="indicator")
    if indicator.source != source:
        raise InvalidInput(f"indicator: {code} is scored from {indicator.source}, not {source}",
                           field="indicator")
    return indicator


def _occurred_at(last_day: date) -> datetime:
    """When what a manual score or survey scores happened: now, or the period's last moment
    when the period is over (an inspection of October entered in November)."""
    now = utcnow()
    end = datetime.combine(last_day, time(23, 59, 59), tzinfo=timezone.utc)
    return min(now, end)


def _emit_input(uow: UnitOfWork, event: str, entry: LedgerEntry, indicator: Indicator,
                **extra) -> None:
    """The event of a human input: the entry made and the scorecard it moved (ids, codes)."""
    uow.emit(f"assessments.{event}", {
        "entry_id": entry.id, "scheme_id": entry.scheme_id, "indicator": indicator.code,
        "subject_kind": entry.subject_kind, "subject_ref": entry.subject_ref,
        "org_code": entry.org_code, "period_key": entry.period_key,
        "points": rules.points(entry.hundredths),
        "weighted_points": rules.points(entry.weighted_hundredths), **extra},
        org_code=entry.org_code)


def manual_score_plan(uow: UnitOfWork, payload: dict) -> dict:
    data = load(ManualScoreSchema, payload)
    scheme = _active_scheme_for_writing(uow, data["scheme_id"], "scheme_id", lock=False)
    return _subject_plan(uow, scheme, data)


def enter_manual_score(uow: UnitOfWork, payload: dict, node: dict) -> dict:
    """A manual score (an inspection): points on a manual indicator, with the reason."""
    data = load(ManualScoreSchema, payload)
    scheme = _active_scheme_for_writing(uow, data["scheme_id"], "scheme_id")
    indicator = _indicator(uow, scheme, data["indicator"], "manual")
    _, last_day = rules.check_period_key(scheme.period, data["period_key"], scheme.counts_from,
                                         scheme.counts_until)
    subject = _subject(uow, scheme, data, node)
    reason = rules.check_reason(data["reason"])
    entry = ledger.append(uow, scheme=scheme, indicator=indicator, subject=subject,
                          period_key=data["period_key"],
                          hundredths=to_hundredths(data["points"]), source="manual",
                          occurred_at=_occurred_at(last_day), actor=actor_of(uow), reason=reason)
    uow.session.flush()
    _emit_input(uow, "manual_score_entered", entry, indicator)
    return render_entry(entry, {indicator.id: indicator.code})


def _chain(uow: UnitOfWork, entry: LedgerEntry) -> list[LedgerEntry]:
    """The entry's original and every correction of it (of its corrections...), by id."""
    session = uow.session
    while entry.corrects_entry_id is not None:
        entry = session.get(LedgerEntry, entry.corrects_entry_id)
    chain, frontier = [entry], [entry.id]
    while frontier:
        found = list(session.scalars(select(LedgerEntry).where(
            LedgerEntry.corrects_entry_id.in_(frontier))))
        chain += found
        frontier = [row.id for row in found]
    return sorted(chain, key=lambda row: row.id)


def _append_correction(uow: UnitOfWork, scheme: Scheme, indicator: Indicator,
                       chain: list[LedgerEntry], new_hundredths: int, reason: str,
                       refuse_nothing: bool = True) -> LedgerEntry:
    latest = chain[-1]
    current = sum(row.hundredths for row in chain)
    difference = (rules.correction_hundredths(current, new_hundredths) if refuse_nothing
                  else new_hundredths - current)
    subject = Subject(latest.subject_kind, latest.subject_ref, latest.org_code,
                      latest.parent_code)
    return ledger.append(uow, scheme=scheme, indicator=indicator, subject=subject,
                         period_key=latest.period_key, hundredths=difference,
                         source="correction", occurred_at=latest.occurred_at,
                         actor=actor_of(uow), reason=reason,
                         revision=max(row.revision for row in chain) + 1,
                         corrects_entry_id=latest.id)


def correct_entry(uow: UnitOfWork, entry_id, payload: dict) -> dict:
    """Correct a ledger entry: a new entry (source ``correction``, the next revision,
    ``corrects_entry_id`` the latest of its chain) adding what brings it to ``points``; the
    original stays. Correcting an entry already corrected corrects the chain's latest."""
    data = load(CorrectionSchema, payload)
    caller = require_caller(uow.caller)
    require_role(caller, *SCORER_ROLES)
    entry = find_by_id(uow, LedgerEntry, entry_id, code_column=LedgerEntry.org_code,
                       what="ledger entry")
    scheme = _active_scheme_for_writing(uow, entry.scheme_id, "id")
    if entry.subject_kind not in PERSON_SUBJECT_KINDS and entry.subject_ref == caller.scope:
        raise Forbidden(f"id: entry {entry.id} scores your own unit; it is corrected from above",
                        field="id")
    reason = rules.check_reason(data["reason"])
    indicator = uow.session.get(Indicator, entry.indicator_id)
    correction = _append_correction(uow, scheme, indicator, _chain(uow, entry),
                                    to_hundredths(data["points"]), reason)
    uow.session.flush()
    _emit_input(uow, "points_corrected", correction, indicator,
                corrects_entry_id=correction.corrects_entry_id, revision=correction.revision)
    return render_entry(correction, {indicator.id: indicator.code})


def survey_plan(uow: UnitOfWork, scheme_id, payload: dict) -> dict:
    data = load(SurveyResultCreateSchema, payload)
    scheme = _active_scheme_for_writing(uow, scheme_id, "id", lock=False)
    return _subject_plan(uow, scheme, data)


def _render_survey(result: SurveyResult, indicator: Indicator, current: bool) -> dict:
    rate = rules.satisfaction_rate(result.satisfied, result.respondents)
    return _survey_schema.dump({
        "id": result.id, "scheme_id": result.scheme_id, "indicator": indicator.code,
        "subject_ref": result.subject_ref, "period_key": result.period_key,
        "respondents": result.respondents, "satisfied": result.satisfied,
        "satisfaction_rate": rate, "target": SATISFACTION_TARGET,
        "meets_target": rate >= SATISFACTION_TARGET,
        "points": rules.points(rules.survey_hundredths(indicator.full_marks, result.satisfied,
                                                       result.respondents)),
        "current": current, "ledger_entry_id": result.ledger_entry_id,
        "note": (result.details or {}).get("note", ""), "recorded_by": result.recorded_by,
        "recorded_at": result.recorded_at})


def record_survey(uow: UnitOfWork, scheme_id, payload: dict, node: dict) -> dict:
    """A satisfaction survey's result: full marks × satisfied ÷ respondents into the ledger
    (source ``survey``). A later result for the same subject, period and indicator replaces the
    earlier by a correction entry (the difference), never an edit."""
    data = load(SurveyResultCreateSchema, payload)
    scheme = _active_scheme_for_writing(uow, scheme_id, "id")
    indicator = _indicator(uow, scheme, data["indicator"], "survey")
    _, last_day = rules.check_period_key(scheme.period, data["period_key"], scheme.counts_from,
                                         scheme.counts_until)
    rules.check_survey_counts(data["respondents"], data["satisfied"])
    subject = _subject(uow, scheme, data, node)
    hundredths = rules.survey_hundredths(indicator.full_marks, data["satisfied"],
                                         data["respondents"])
    earlier = uow.session.scalar(
        select(SurveyResult).where(
            SurveyResult.scheme_id == scheme.id, SurveyResult.indicator_id == indicator.id,
            SurveyResult.subject_ref == subject.ref,
            SurveyResult.period_key == data["period_key"])
        .order_by(SurveyResult.id.desc()).limit(1))
    reason = (f"满意度调查 satisfaction survey: {data['satisfied']}/{data['respondents']} "
              "satisfied")
    if earlier is None:
        entry = ledger.append(uow, scheme=scheme, indicator=indicator, subject=subject,
                              period_key=data["period_key"], hundredths=hundredths,
                              source="survey", occurred_at=_occurred_at(last_day),
                              actor=actor_of(uow), reason=reason)
    else:
        chain = _chain(uow, uow.session.get(LedgerEntry, earlier.ledger_entry_id))
        entry = _append_correction(uow, scheme, indicator, chain, hundredths,
                                   f"{reason} (replaces survey result {earlier.id})",
                                   refuse_nothing=False)
    result = SurveyResult(scheme_id=scheme.id, indicator_id=indicator.id,
                          subject_ref=subject.ref, period_key=data["period_key"],
                          respondents=data["respondents"], satisfied=data["satisfied"],
                          details={"note": data["note"].strip()}, ledger_entry_id=entry.id,
                          recorded_by=actor_of(uow), recorded_at=utcnow())
    uow.session.add(result)
    uow.session.flush()
    shown = _render_survey(result, indicator, current=True)
    _emit_input(uow, "survey_result_recorded", entry, indicator, survey_result_id=result.id,
                respondents=result.respondents, satisfied=result.satisfied,
                satisfaction_rate=shown["satisfaction_rate"], meets_target=shown["meets_target"])
    return shown


def list_surveys(uow: UnitOfWork, scheme_id, query_args: dict) -> dict:
    """A scheme's survey results in the caller's scope, oldest first, each with its
    satisfaction rate against the target and whether a later result replaced it."""
    args = load(SurveyResultListQuerySchema, query_args)
    caller = require_caller(uow.caller)
    scheme = find_scheme(uow, scheme_id, "id")
    require_scope(caller, caller.scope or "", "scope")
    query = (select(SurveyResult)
             .join(LedgerEntry, LedgerEntry.id == SurveyResult.ledger_entry_id)
             .where(SurveyResult.scheme_id == scheme.id,
                    LedgerEntry.org_code.startswith(caller.scope)))
    for name in ("period_key", "subject_ref"):
        if args[name] is not None:
            query = query.where(getattr(SurveyResult, name) == args[name])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(SurveyResult.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(SurveyResult.id).limit(limit + 1)))
    latest = set(uow.session.scalars(
        select(func.max(SurveyResult.id)).where(SurveyResult.scheme_id == scheme.id)
        .group_by(SurveyResult.indicator_id, SurveyResult.subject_ref,
                  SurveyResult.period_key)))
    indicators = _indicators(uow, scheme.id)
    return page_of(rows, limit, key=lambda row: row.id, render=lambda row: _render_survey(
        row, indicators[row.indicator_id], row.id in latest))

