"""Petition 信访 use cases: register, take a step (accept, decline, extend, answer, request a
review, review, close), read one with its history and deadlines, list, and the statistics (with
the group-petition count the zero-target indicator uses).

Load, apply the rules in ``domain.petitions``, store a history row, emit
``security.petition_<step>`` (ids, codes, group flag and petitioners count; never a name or a
phone). A petition is scoped by its grid or community code: out of scope is answered exactly
like missing (404). Membership is asked by the entrypoint (the grid or community); the use case
gets its node as a plain dict. "Today" is the UTC date unless a caller (a test) says otherwise.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Select, func, or_, select, update

from services.security.domain import petitions as rules
from services.security.domain.catalogue import MANAGER_ROLES, PETITION_REGISTER_ROLES
from services.security.models.petitions import Petition, PetitionStep
from services.security.schemas.petitions import (
    PetitionCreateSchema,
    PetitionListQuerySchema,
    PetitionSchema,
    PetitionStatsQuerySchema,
    PetitionTransitionSchema,
)
from shared.context import require_caller, require_role, require_scope
from shared.db import UnitOfWork
from shared.errors import InvalidInput
from shared.events.outbox import utcnow
from shared.lookup import find_by_id
from shared.pagination import after_id, page_of
from shared.personal_data import check_phone, mask_phone
from shared.validation import load

_petition_schema = PetitionSchema()
PLACE_LEVELS = ("community", "grid")
COMMUNITY_CODE_LENGTH = 12


def _today(today: date | None) -> date:
    return today or utcnow().date()


def _actor(uow: UnitOfWork) -> str:
    return uow.caller.actor if uow.caller else "system"


def progress_of(petition: Petition) -> rules.Progress:
    return rules.Progress(
        status=petition.status, registered_on=petition.registered_on,
        accepted_on=petition.accepted_on, extended_until=petition.extended_until,
        answered_on=petition.answered_on, review_requested_on=petition.review_requested_on,
        last_step_on=petition.last_step_on)


# --- rendering --------------------------------------------------------------------------------

def _render_step(step: PetitionStep) -> dict:
    return {"id": step.id, "step": step.step, "status_from": step.status_from,
            "status_to": step.status_to, "on": step.happened_on, "note": step.note,
            "actor": step.actor, "created_at": step.created_at}


def render(petition: Petition, today: date, history: list[PetitionStep] | None = None) -> dict:
    progress = progress_of(petition)
    shown = {
        "id": petition.id, "org_code": petition.org_code,
        "community_code": petition.community_code, "channel": petition.channel,
        "petitioners": petition.petitioners, "group": petition.is_group,
        "subject": petition.subject, "petitioner_name": petition.petitioner_name,
        "petitioner_phone": mask_phone(petition.petitioner_phone), "status": petition.status,
        "registered_on": petition.registered_on, "accepted_on": petition.accepted_on,
        "declined_on": petition.declined_on, "decline_reason": petition.decline_reason,
        "extended_until": petition.extended_until,
        "extension_reason": petition.extension_reason, "answered_on": petition.answered_on,
        "answer_text": petition.answer_text, "answered_on_time": progress.answered_on_time(),
        "review_requested_on": petition.review_requested_on,
        "reviewed_on": petition.reviewed_on, "review_text": petition.review_text,
        "closed_on": petition.closed_on,
        "deadlines": {**progress.deadlines(), "current": progress.current_deadline(),
                      "overdue": progress.overdue(today)},
        "allowed_actions": progress.allowed_actions(today),
        "created_by": petition.created_by, "created_at": petition.created_at,
        "updated_at": petition.updated_at}
    if history is not None:
        shown["history"] = [_render_step(step) for step in history]
    return _petition_schema.dump(shown)


def _history(uow: UnitOfWork, petition_id: int) -> list[PetitionStep]:
    return list(uow.session.scalars(select(PetitionStep).where(
        PetitionStep.petition_id == petition_id).order_by(PetitionStep.id)))


def _record(uow: UnitOfWork, petition: Petition, step: str, status_from: str | None,
            on: date, note: str | None) -> None:
    """The history row and the event of one step."""
    uow.session.add(PetitionStep(petition_id=petition.id, step=step, status_from=status_from,
                                 status_to=petition.status, happened_on=on, note=note,
                                 actor=_actor(uow)))
    uow.emit(f"security.petition_{step}", {
        "petition_id": petition.id, "org_code": petition.org_code,
        "community_code": petition.community_code, "channel": petition.channel,
        "status": petition.status, "group": petition.is_group,
        "petitioners": petition.petitioners, "on": on.isoformat(),
        "due_on": petition.due_on.isoformat() if petition.due_on else None},
        org_code=petition.org_code)


# --- registering ------------------------------------------------------------------------------

def check_create(uow: UnitOfWork, payload: dict) -> dict:
    """The petition to register, loaded, from a caller who may register one; refused before
    membership is asked about the place."""
    data = load(PetitionCreateSchema, payload)
    require_role(require_caller(uow.caller), *PETITION_REGISTER_ROLES)
    return data


def register(uow: UnitOfWork, payload: dict, place: dict, today: date | None = None) -> dict:
    """Register a petition at ``place`` (membership's grid or community node for
    ``org_code``); a group petition when 5 or more people; ``security.petition_registered``."""
    data = check_create(uow, payload)
    today = _today(today)
    caller = require_caller(uow.caller)
    code = place.get("code") or ""
    if place.get("level") not in PLACE_LEVELS:
        raise InvalidInput(f"org_code: {data['org_code']} is a {place.get('level')}, not a "
                           "community or a grid", field="org_code")
    require_scope(caller, code, "org_code")
    subject = rules.required_text(data["subject"], "subject")
    name = rules.required_text(data["petitioner_name"], "petitioner_name")
    phone = rules.clean_text(data["petitioner_phone"])
    if phone is not None:
        phone = check_phone(phone, "petitioner_phone")
    registered_on = data["registered_on"] or today
    rules.check_registered_on(registered_on, today)
    petition = Petition(
        org_code=code, community_code=code[:COMMUNITY_CODE_LENGTH], channel=data["channel"],
        petitioners=data["petitioners"], is_group=rules.is_group(data["petitioners"]),
        subject=subject, petitioner_name=name, petitioner_phone=phone,
        status=rules.REGISTERED, registered_on=registered_on, last_step_on=registered_on,
        due_on=rules.accept_by(registered_on), lock_version=0, created_by=_actor(uow))
    uow.session.add(petition)
    uow.session.flush()
    _record(uow, petition, "registered", None, registered_on, None)
    uow.session.flush()
    return render(petition, today, _history(uow, petition.id))


# --- steps ------------------------------------------------------------------------------------

def _visible(uow: UnitOfWork, petition_id) -> Petition:
    require_caller(uow.caller)
    return find_by_id(uow, Petition, petition_id, code_column=Petition.org_code,
                      what="petition")


def _lock(uow: UnitOfWork, petition: Petition) -> None:
    """Bump the lock version first: on SQLite that takes the write lock, on PostgreSQL the row
    lock, so two steps on one petition are checked one after the other."""
    uow.session.execute(update(Petition).where(Petition.id == petition.id)
                        .values(lock_version=Petition.lock_version + 1)
                        .execution_options(synchronize_session=False))
    uow.session.refresh(petition)


def transition(uow: UnitOfWork, petition_id, payload: dict, today: date | None = None) -> dict:
    """Take one step; a step the petition cannot take now is 409 naming the ones it can."""
    data = load(PetitionTransitionSchema, payload)
    require_role(require_caller(uow.caller), *MANAGER_ROLES)
    today = _today(today)
    petition = _visible(uow, petition_id)
    _lock(uow, petition)
    progress = progress_of(petition)
    action = data["action"]
    on = data["on"] or today
    rules.check_action(progress, action, on)  # as things stood on the day of the step
    rules.check_step_day(progress, on, today)
    status_from = petition.status
    status_to, step = rules.STEPS[action]
    note = None
    if action == rules.ACCEPT:
        petition.accepted_on = on
        note = rules.clean_text(data["reason"])
    elif action == rules.DECLINE:
        petition.declined_on = on
        petition.decline_reason = note = rules.required_text(data["reason"], "reason")
    elif action == rules.EXTEND:
        rules.check_extension(progress, data["until"], on)
        petition.extended_until = data["until"]
        petition.extension_reason = rules.required_text(data["reason"], "reason")
        note = f"{data['until'].isoformat()}: {petition.extension_reason}"
    elif action == rules.ANSWER:
        petition.answered_on = on
        petition.answer_text = note = rules.required_text(data["text"], "text")
    elif action == rules.REQUEST_REVIEW:
        petition.review_requested_on = on
        note = rules.clean_text(data["reason"])
    elif action == rules.REVIEW:
        petition.reviewed_on = on
        petition.review_text = note = rules.required_text(data["text"], "text")
    else:
        petition.closed_on = on
        note = rules.clean_text(data["reason"])
    petition.status = status_to
    petition.last_step_on = on
    petition.due_on = progress_of(petition).current_deadline()
    petition.updated_at = utcnow()
    uow.session.flush()
    _record(uow, petition, step, status_from, on, note)
    uow.session.flush()
    return render(petition, today, _history(uow, petition.id))


# --- reading ----------------------------------------------------------------------------------

def get_petition(uow: UnitOfWork, petition_id, today: date | None = None) -> dict:
    petition = _visible(uow, petition_id)
    return render(petition, _today(today), _history(uow, petition.id))


def _overdue(query: Select, overdue: bool, today: date) -> Select:
    if overdue:
        return query.where(Petition.due_on < today)
    return query.where(or_(Petition.due_on.is_(None), Petition.due_on >= today))


def list_petitions(uow: UnitOfWork, query_args: dict, today: date | None = None) -> dict:
    args = load(PetitionListQuerySchema, query_args)
    today = _today(today)
    caller = require_caller(uow.caller)
    require_scope(caller, caller.scope or "", "scope")
    query = select(Petition).where(Petition.org_code.startswith(caller.scope))
    if args["code"]:
        require_scope(caller, args["code"], "code")
        query = query.where(Petition.org_code.startswith(args["code"]))
    for name in ("status", "channel"):
        if args[name] is not None:
            query = query.where(getattr(Petition, name) == args[name])
    if args["group"] is not None:
        query = query.where(Petition.is_group.is_(args["group"]))
    if args["overdue"] is not None:
        query = _overdue(query, args["overdue"], today)
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(Petition.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(Petition.id).limit(limit + 1)))
    return page_of(rows, limit, key=lambda p: p.id, render=lambda p: render(p, today))


# --- statistics -------------------------------------------------------------------------------

def _registered_within(area: str, start: date, end: date):
    return (Petition.org_code.startswith(area), Petition.registered_on >= start,
            Petition.registered_on <= end)


def group_petitions_by_community(uow: UnitOfWork, area: str, start: date, end: date
                                 ) -> dict[str, int]:
    """Group petitions 集体访 registered at or beneath ``area`` from ``start`` to ``end``, per
    community (the zero-target indicator: the aim is none). The caller's scope is the asking
    use case's business."""
    return dict(uow.session.execute(
        select(Petition.community_code, func.count())
        .where(*_registered_within(area, start, end), Petition.is_group.is_(True))
        .group_by(Petition.community_code)).all())


def group_petition_count(uow: UnitOfWork, area: str, start: date, end: date) -> int:
    return sum(group_petitions_by_community(uow, area, start, end).values())


def stats(uow: UnitOfWork, query_args: dict, today: date | None = None) -> dict:
    """Petitions registered at or beneath ``area`` from ``from`` to ``to``: how many, accepted,
    declined, answered on time and late, overdue now, group petitions (target 0), on-time rate."""
    args = load(PetitionStatsQuerySchema, query_args)
    today = _today(today)
    caller = require_caller(uow.caller)
    area = args["area"] or caller.scope or ""
    require_scope(caller, area, "area")
    start, end = args["from_"] or date(today.year, 1, 1), args["to"] or today
    if end < start:
        raise InvalidInput(f"to: {end} is before from {start}", field="to")
    counts = {"registered": 0, "accepted": 0, "declined": 0, "answered_on_time": 0,
              "answered_late": 0, "overdue_now": 0}
    rows = uow.session.execute(select(
        Petition.status, Petition.registered_on, Petition.accepted_on, Petition.declined_on,
        Petition.extended_until, Petition.answered_on, Petition.review_requested_on,
        Petition.last_step_on).where(*_registered_within(area, start, end)))
    for row in rows:
        progress = rules.Progress(row.status, row.registered_on, row.accepted_on,
                                  row.extended_until, row.answered_on, row.review_requested_on,
                                  row.last_step_on)
        counts["registered"] += 1
        counts["accepted"] += row.accepted_on is not None
        counts["declined"] += row.declined_on is not None
        on_time = progress.answered_on_time()
        if on_time is not None:
            counts["answered_on_time" if on_time else "answered_late"] += 1
        counts["overdue_now"] += progress.overdue(today)
    return {"area": area, "from": start.isoformat(), "to": end.isoformat(),
            "as_of": today.isoformat(), **counts,
            "group_petitions": group_petition_count(uow, area, start, end),
            "group_petitions_target": 0,
            "on_time_rate": rules.on_time_rate(counts["answered_on_time"],
                                               counts["answered_late"])}
