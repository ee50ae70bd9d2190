"""Title 荣誉称号 use cases: nominate, review, raise and decide objections during the public
notice 公示, grant, withdraw; read one with its history, list, and the public notices.

Load, apply the rules in ``domain.titles``, store a step row, emit ``assessments.title_*`` (ids
and codes only). A title is scoped by where its holder lies (``org_code``): out of scope is
answered exactly like missing (404). Membership is asked by the entrypoint (the holder); the use
case gets it as a plain dict. "Today" is the UTC date unless a caller (a test, the demo) says
otherwise.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.assessments.domain import titles as rules
from services.assessments.domain.catalogue import (
    TITLE_KINDS,
    TITLE_NOMINATOR_ROLES,
    TITLE_NOTICE_DAYS,
    TITLE_REVIEWER_ROLES,
)
from services.assessments.models.titles import Title, TitleObjection, TitleStep
from services.assessments.schemas.titles import (
    TitleGrantSchema,
    TitleListQuerySchema,
    TitleNominateSchema,
    TitleNoticeListQuerySchema,
    TitleNoticeSchema,
    TitleObjectionCreateSchema,
    TitleObjectionDecisionSchema,
    TitleReviewSchema,
    TitleSchema,
    TitleWithdrawalSchema,
)
from shared.context import require_caller, require_role, require_scope
from shared.db import UnitOfWork
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.outbox import utcnow
from shared.lookup import find_by_id, is_row_id, lock_row
from shared.pagination import after_id, page_of
from shared.validation import load

_title_schema = TitleSchema()
_notice_schema = TitleNoticeSchema()
COMMUNITY_CODE_LENGTH = 12


def _today(today: date | None) -> date:
    return today or utcnow().date()


def _actor(uow: UnitOfWork) -> str:
    return uow.caller.actor if uow.caller else "system"


def kinds() -> dict:
    """The title kinds: who holds each and at which levels it is awarded."""
    return {"items": [{"kind": kind, "name": name, "holder_kind": holder, "levels": list(levels)}
                      for kind, (name, holder, levels) in TITLE_KINDS.items()],
            "notice_days": TITLE_NOTICE_DAYS}


# --- the holder, as membership showed it -------------------------------------------------------

def holder_of(holder_kind: str, found: dict) -> dict:
    """What a title keeps of the holder membership returned: its reference, the name a notice
    shows, where it lies (scope), and whether it can still be honoured."""
    if holder_kind == "community":
        if found.get("level") != "community":
            raise InvalidInput(f"holder_ref: {found.get('code')} is a {found.get('level')}, not a "
                               "community", field="holder_ref")
        return {"ref": found["code"], "name": found["name"], "org_code": found["code"],
                "active": found.get("status") == "active"}
    if holder_kind == "household":
        members = found.get("members") or []
        named = [m for m in members if m["id"] == found.get("representative_id")] or members
        return {"ref": str(found["id"]), "name": named[0]["name"] if named else "",
                "org_code": found["grid_code"], "active": True}
    org_code = found.get("grid_code") or found.get("community_code") or found.get("org_code")
    return {"ref": str(found["id"]), "name": found.get("name") or "", "org_code": org_code,
            "active": found.get("status", "active") == "active"}


# --- rendering ---------------------------------------------------------------------------------

def progress_of(title: Title, pending_objections: int) -> rules.Progress:
    return rules.Progress(status=title.status, last_step_on=title.last_step_on,
                          notice_from=title.notice_from, notice_until=title.notice_until,
                          pending_objections=pending_objections)


def _pending_counts(uow: UnitOfWork, title_ids: list[int]) -> dict[int, int]:
    if not title_ids:
        return {}
    return dict(uow.session.execute(
        select(TitleObjection.title_id, func.count())
        .where(TitleObjection.title_id.in_(title_ids), TitleObjection.decision.is_(None))
        .group_by(TitleObjection.title_id)).all())


def render(title: Title, today: date, pending: int, *, history: list[TitleStep] | None = None,
           objections: list[TitleObjection] | None = None) -> dict:
    shown = {
        "id": title.id, "kind": title.kind, "kind_name": rules.kind_name(title.kind),
        "level": title.level, "year": title.year, "holder_kind": title.holder_kind,
        "holder_ref": title.holder_ref, "holder_name": title.holder_name,
        "org_code": title.org_code, "citation": title.citation, "status": title.status,
        "nominated_on": title.nominated_on, "reviewed_on": title.reviewed_on,
        "notice_from": title.notice_from, "notice_until": title.notice_until,
        "granted_on": title.granted_on, "withdrawn_on": title.withdrawn_on,
        "withdrawal_reason": title.withdrawal_reason,
        "allowed_actions": progress_of(title, pending).allowed_actions(today),
        "created_by": title.created_by, "created_at": title.created_at,
        "updated_at": title.updated_at}
    if history is not None:
        shown["history"] = [
            {"id": s.id, "step": s.step, "status_from": s.status_from, "status_to": s.status_to,
             "on": s.happened_on, "note": s.note, "actor": s.actor, "created_at": s.created_at}
            for s in history]
    if objections is not None:
        shown["objections"] = [
            {"id": o.id, "text": o.text, "raised_on": o.raised_on, "decision": o.decision,
             "decided_on": o.decided_on, "decision_note": o.decision_note} for o in objections]
    return _title_schema.dump(shown)


def _objections(uow: UnitOfWork, title_id: int) -> list[TitleObjection]:
    return list(uow.session.scalars(select(TitleObjection).where(
        TitleObjection.title_id == title_id).order_by(TitleObjection.id)))


def render_one(uow: UnitOfWork, title: Title, today: date) -> dict:
    history = list(uow.session.scalars(select(TitleStep).where(
        TitleStep.title_id == title.id).order_by(TitleStep.id)))
    objections = _objections(uow, title.id)
    pending = sum(1 for o in objections if o.decision is None)
    return render(title, today, pending, history=history, objections=objections)


def _record(uow: UnitOfWork, title: Title, step: str, status_from: str | None, on: date,
            note: str | None, event: str | None = None, **extra) -> None:
    """The history row of one step, and its event when the step is one the platform hears of."""
    uow.session.add(TitleStep(title_id=title.id, step=step, status_from=status_from,
                              status_to=title.status, happened_on=on, note=note,
                              actor=_actor(uow)))
    if event:
        uow.emit(f"assessments.title_{event}", {
            "title_id": title.id, "kind": title.kind, "level": title.level, "year": title.year,
            "holder_kind": title.holder_kind, "holder_ref": title.holder_ref,
            "org_code": title.org_code, "on": on.isoformat(), **extra}, org_code=title.org_code)


# --- nominating --------------------------------------------------------------------------------

def check_nomination(uow: UnitOfWork, payload: dict) -> dict:
    """The nomination, loaded, from a caller who may nominate; refused before membership is
    asked about the holder (a community outside the caller's scope is refused here)."""
    data = load(TitleNominateSchema, payload)
    caller = require_caller(uow.caller)
    require_role(caller, *TITLE_NOMINATOR_ROLES)
    rules.check_level(data["kind"], data["level"])
    holder_kind = rules.holder_kind_of(data["kind"])
    if holder_kind == "community":
        if len(data["holder_ref"]) != COMMUNITY_CODE_LENGTH:
            raise InvalidInput(f"holder_ref: a {data['kind']} title is held by a community "
                               "(a 12-digit code)", field="holder_ref")
        require_scope(caller, data["holder_ref"], "holder_ref")
    elif not is_row_id(int(data["holder_ref"])):
        raise NotFound(f"holder_ref: no {holder_kind} {data['holder_ref']} in your scope",
                       field="holder_ref")
    return {**data, "holder_kind": holder_kind}


def nominate(uow: UnitOfWork, payload: dict, holder: dict, today: date | None = None) -> dict:
    """Nominate ``holder`` (membership's answer for the kind's holder, a plain dict) for a
    title; one live title per holder, kind, level and year (409);
    ``assessments.title_nominated``."""
    data = check_nomination(uow, payload)
    today = _today(today)
    held = holder_of(data["holder_kind"], holder)
    require_scope(uow.caller, held["org_code"], "holder_ref")
    if not held["active"]:
        raise Conflict(f"holder_ref: the {data['holder_kind']} {held['ref']} is no longer "
                       "active", field="holder_ref")
    on = data["on"] or today
    if on > today:
        raise InvalidInput(f"on: {on} is in the future", field="on")
    rules.check_year(data["year"], on)
    key = rules.live_key(data["kind"], data["level"], data["year"], data["holder_kind"],
                         held["ref"])
    live = uow.session.scalar(select(Title).where(Title.live_key == key))
    if live is not None:
        raise _already_live(data, live.id, live.status)
    title = Title(kind=data["kind"], level=data["level"], year=data["year"],
                  holder_kind=data["holder_kind"], holder_ref=held["ref"],
                  holder_name=held["name"][:100], org_code=held["org_code"],
                  citation=rules.required_text(data["citation"], "citation"),
                  status=rules.NOMINATED, nominated_on=on, last_step_on=on, live_key=key,
                  lock_version=0, created_by=_actor(uow))
    uow.session.add(title)
    try:
        uow.session.flush()
    except IntegrityError:  # a concurrent nomination of the same holder won
        raise _already_live(data, None, "nominated (just now)") from None
    _record(uow, title, "nominated", None, on, None, "nominated")
    uow.session.flush()
    return render_one(uow, title, today)


def _already_live(data: dict, title_id: int | None, status: str) -> Conflict:
    which = f"title {title_id}" if title_id else "a title"
    return Conflict(f"holder_ref: {which} {data['kind']} ({data['level']}, {data['year']}) of "
                    f"this holder is already {status}", field="holder_ref")


# --- steps -------------------------------------------------------------------------------------

def _visible(uow: UnitOfWork, title_id) -> Title:
    require_caller(uow.caller)
    return find_by_id(uow, Title, title_id, code_column=Title.org_code, what="title")


def _locked(uow: UnitOfWork, title_id, *roles: str) -> Title:
    """The title, for a caller with one of ``roles`` who can see it, locked: bump the lock
    version first (the write lock on SQLite, the row lock on PostgreSQL) so two steps on one
    title are checked one after the other."""
    require_role(require_caller(uow.caller), *roles)
    title = _visible(uow, title_id)
    lock_row(uow, title)
    return title


def _begin_step(uow: UnitOfWork, title: Title, action: str, on: date | None,
                today: date) -> tuple[date, list[TitleObjection]]:
    objections = _objections(uow, title.id)
    progress = progress_of(title, sum(1 for o in objections if o.decision is None))
    on = on or today
    rules.check_step_day(progress, on, today)
    rules.check_action(progress, action, on)
    return on, objections


def _withdraw(uow: UnitOfWork, title: Title, on: date, reason: str, step: str) -> None:
    status_from = title.status
    was_granted = title.status == rules.GRANTED
    title.status, title.withdrawn_on = rules.WITHDRAWN, on
    title.withdrawal_reason = reason[:500]  # the step's note keeps it whole
    title.live_key = None  # the holder may be nominated again
    _finish(uow, title, step, status_from, on, reason, "withdrawn", was_granted=was_granted)


def _finish(uow: UnitOfWork, title: Title, step: str, status_from: str, on: date,
            note: str | None, event: str | None = None, **extra) -> None:
    title.last_step_on = on
    title.updated_at = utcnow()
    uow.session.flush()
    _record(uow, title, step, status_from, on, note, event, **extra)
    uow.session.flush()


def review(uow: UnitOfWork, title_id, payload: dict, today: date | None = None) -> dict:
    """Approve (the public notice starts that day: ``assessments.title_noticed``) or reject
    (withdrawn, with the reason: ``assessments.title_withdrawn``)."""
    data = load(TitleReviewSchema, payload)
    today = _today(today)
    title = _locked(uow, title_id, *TITLE_REVIEWER_ROLES)
    on, _ = _begin_step(uow, title, rules.REVIEW, data["on"], today)
    title.reviewed_on = on
    if data["decision"] == rules.REJECT:
        _withdraw(uow, title, on, rules.required_text(data["reason"], "reason"), "rejected")
    else:
        title.notice_from, title.notice_until = rules.notice_window(on)
        title.status = rules.IN_NOTICE
        _finish(uow, title, "noticed", rules.NOMINATED, on, (data["reason"] or "").strip() or None,
                "noticed", notice_from=title.notice_from.isoformat(),
                notice_until=title.notice_until.isoformat())
    return render_one(uow, title, today)


def raise_objection(uow: UnitOfWork, title_id, payload: dict, today: date | None = None) -> dict:
    """An objection 异议 raised during the public notice; the title waits for its decision."""
    data = load(TitleObjectionCreateSchema, payload)
    today = _today(today)
    title = _locked(uow, title_id, *TITLE_NOMINATOR_ROLES)
    on, _ = _begin_step(uow, title, rules.OBJECT, data["on"], today)
    text = rules.required_text(data["text"], "text")
    uow.session.add(TitleObjection(title_id=title.id, text=text, raised_on=on,
                                   raised_by=_actor(uow)))
    _finish(uow, title, "objected", title.status, on, None)
    return render_one(uow, title, today)


def decide_objection(uow: UnitOfWork, title_id, objection_id, payload: dict,
                     today: date | None = None) -> dict:
    """Uphold an objection (the title is withdrawn) or dismiss it (the notice goes on)."""
    data = load(TitleObjectionDecisionSchema, payload)
    today = _today(today)
    title = _locked(uow, title_id, *TITLE_REVIEWER_ROLES)
    on, objections = _begin_step(uow, title, rules.DECIDE_OBJECTION, data["on"], today)
    objection = next((o for o in objections if o.id == objection_id), None)
    if objection is None:
        raise NotFound(f"objection_id: title {title.id} has no objection {objection_id}",
                       field="objection_id")
    if objection.decision is not None:
        raise Conflict(f"objection_id: already {objection.decision} on {objection.decided_on}",
                       field="objection_id")
    note = rules.required_text(data["note"], "note")
    objection.decision = "upheld" if data["upheld"] else "dismissed"
    objection.decided_on, objection.decided_by, objection.decision_note = on, _actor(uow), note
    if data["upheld"]:
        _withdraw(uow, title, on, f"objection {objection.id} upheld: {note}", "objection_upheld")
    else:
        _finish(uow, title, "objection_dismissed", title.status, on, note)
    return render_one(uow, title, today)


def grant(uow: UnitOfWork, title_id, payload: dict, today: date | None = None) -> dict:
    """Grant the title once its public notice is over and no objection waits;
    ``assessments.title_granted`` (membership shows it on the holder)."""
    data = load(TitleGrantSchema, payload)
    today = _today(today)
    title = _locked(uow, title_id, *TITLE_REVIEWER_ROLES)
    on, _ = _begin_step(uow, title, rules.GRANT, data["on"], today)
    title.status, title.granted_on = rules.GRANTED, on
    _finish(uow, title, "granted", rules.IN_NOTICE, on, None, "granted")
    return render_one(uow, title, today)


def withdraw(uow: UnitOfWork, title_id, payload: dict, today: date | None = None) -> dict:
    """Withdraw a live title, a granted one included (revocation 撤销), with the reason;
    ``assessments.title_withdrawn`` (``was_granted``)."""
    data = load(TitleWithdrawalSchema, payload)
    today = _today(today)
    title = _locked(uow, title_id, *TITLE_REVIEWER_ROLES)
    on, _ = _begin_step(uow, title, rules.WITHDRAW, data["on"], today)
    _withdraw(uow, title, on, rules.required_text(data["reason"], "reason"), "withdrawn")
    return render_one(uow, title, today)


# --- reading -----------------------------------------------------------------------------------

def get_title(uow: UnitOfWork, title_id, today: date | None = None) -> dict:
    return render_one(uow, _visible(uow, title_id), _today(today))


def list_titles(uow: UnitOfWork, query_args: dict, today: date | None = None) -> dict:
    args = load(TitleListQuerySchema, query_args)
    today = _today(today)
    caller = require_caller(uow.caller)
    require_scope(caller, caller.scope or "", "scope")
    query = select(Title).where(Title.org_code.startswith(caller.scope))
    if args["code"]:
        require_scope(caller, args["code"], "code")
        query = query.where(Title.org_code.startswith(args["code"]))
    for name in ("kind", "level", "status", "year", "holder_kind", "holder_ref"):
        if args[name] is not None:
            query = query.where(getattr(Title, name) == args[name])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(Title.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(Title.id).limit(limit + 1)))
    pending = _pending_counts(uow, [t.id for t in rows[:limit]])
    return page_of(rows, limit, key=lambda t: t.id,
                   render=lambda t: render(t, today, pending.get(t.id, 0)))


def public_notices(uow: UnitOfWork, query_args: dict, today: date | None = None) -> dict:
    """The titles on public notice 公示 today, for anyone (no caller needed): what, for whom
    (a community by name, people masked), why, and until when. Never an ID number or a phone."""
    args = load(TitleNoticeListQuerySchema, query_args)
    today = _today(today)
    query = select(Title).where(Title.status == rules.IN_NOTICE, Title.notice_from <= today,
                                Title.notice_until >= today)
    if args["area"]:
        query = query.where(Title.org_code.startswith(args["area"]))
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(Title.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(Title.id).limit(limit + 1)))
    return page_of(rows, limit, key=lambda t: t.id, render=lambda t: _notice_schema.dump({
        "id": t.id, "kind": t.kind, "kind_name": rules.kind_name(t.kind), "level": t.level,
        "year": t.year, "holder_kind": t.holder_kind,
        "holder": rules.public_holder_name(t.holder_kind, t.holder_name),
        "area_code": t.org_code[:COMMUNITY_CODE_LENGTH], "citation": t.citation,
        "notice_from": t.notice_from, "notice_until": t.notice_until}))
