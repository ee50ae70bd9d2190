"""Assistance case use cases: open, move through the procedure, take objections, list.

Load, apply the rules in ``domain.assistance``, store, emit. A case outside the caller's scope is
answered exactly like one that does not exist (404). Every step is one ``AssistanceStep`` row and
one ``tickets.assistance_case_*`` event. "Today" is the UTC date unless a caller (the demo, a
test) says otherwise.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import func, select

from services.tickets.domain import assistance as rules
from services.tickets.models.assistance import (
    AssistanceCase,
    AssistanceObjection,
    AssistancePosting,
    AssistanceStep,
)
from services.tickets.schemas.assistance import (
    AssistanceCaseCreateSchema,
    AssistanceCaseDetailSchema,
    AssistanceCaseListQuerySchema,
    AssistanceCaseSchema,
    AssistanceObjectionCreateSchema,
    AssistanceTransitionSchema,
)
from shared.context import require_caller, require_community_filter, require_scope
from shared.db import UnitOfWork
from shared.errors import Conflict, InvalidInput
from shared.events.outbox import utcnow
from shared.lookup import find_by_id
from shared.pagination import after_id, page_of
from shared.territory import refile_codes
from shared.validation import load

_case_schema = AssistanceCaseSchema()
_detail_schema = AssistanceCaseDetailSchema()

# a resident as membership shows it: {"id", "grid_code", "status"}
ResidentLookup = Callable[[int], dict]

_EVENT_OF_ACTION = {
    "complete_investigation": "tickets.assistance_case_investigated",
    "complete_review": "tickets.assistance_case_reviewed",
    "record_appraisal": "tickets.assistance_case_appraised",
    "post_notice": "tickets.assistance_case_notice_posted",
    "approve": "tickets.assistance_case_approved",
    "reject": "tickets.assistance_case_rejected",
}


def _today(today: date | None) -> date:
    return today or utcnow().date()
# --- rendering --------------------------------------------------------------------------------

def _postings_count(uow: UnitOfWork, cases: list[AssistanceCase]) -> dict[int, int]:
    counts = {case.id: 0 for case in cases}
    rounds = {case.id: case.notice_round for case in cases if case.notice_round}
    if rounds:
        for case_id, notice_round, n in uow.session.execute(
                select(AssistancePosting.case_id, AssistancePosting.notice_round, func.count())
                .where(AssistancePosting.case_id.in_(list(rounds)))
                .group_by(AssistancePosting.case_id, AssistancePosting.notice_round)):
            if rounds[case_id] == notice_round:
                counts[case_id] = n
    return counts


def _pending_count(uow: UnitOfWork, case_ids: list[int]) -> dict[int, int]:
    counts = dict.fromkeys(case_ids, 0)
    if case_ids:
        counts.update(uow.session.execute(
            select(AssistanceObjection.case_id, func.count())
            .where(AssistanceObjection.case_id.in_(case_ids),
                   AssistanceObjection.status == "pending")
            .group_by(AssistanceObjection.case_id)).all())
    return counts


def _summary(case: AssistanceCase, postings: int, pending: int) -> dict:
    appraisal = None
    if case.votes_for is not None:
        appraisal = {"votes_for": case.votes_for, "votes_against": case.votes_against,
                     "abstentions": case.abstentions or 0, "on": case.appraised_on,
                     "passed": rules.appraisal_passes(case.votes_for, case.votes_against)}
    notice = None
    if case.notice_round:
        notice = {"round": case.notice_round, "starts_on": case.notice_starts_on,
                  "ends_on": case.notice_ends_on, "postings": postings,
                  "approvable_from": case.notice_ends_on + timedelta(days=1)}
    return {
        "id": case.id, "kind": case.kind, "resident_id": case.resident_id,
        "grid_code": case.grid_code, "community_code": case.community_code,
        "stage": case.stage, "next_actions": rules.next_actions(case.stage),
        "applied_on": case.applied_on, "notes": case.notes, "appraisal": appraisal,
        "notice": notice, "pending_objections": pending, "decided_on": case.decided_on,
        "decision_reason": case.decision_reason, "created_by": case.created_by,
        "created_at": case.created_at, "updated_at": case.updated_at}


def render_cases(uow: UnitOfWork, cases: list[AssistanceCase]) -> list[dict]:
    postings = _postings_count(uow, cases)
    pending = _pending_count(uow, [case.id for case in cases])
    return [_case_schema.dump(_summary(case, postings[case.id], pending[case.id]))
            for case in cases]


def render_detail(uow: UnitOfWork, case: AssistanceCase) -> dict:
    session = uow.session
    steps = session.scalars(select(AssistanceStep).where(AssistanceStep.case_id == case.id)
                            .order_by(AssistanceStep.seq))
    postings = session.scalars(select(AssistancePosting)
                               .where(AssistancePosting.case_id == case.id)
                               .order_by(AssistancePosting.id))
    objections = session.scalars(select(AssistanceObjection)
                                 .where(AssistanceObjection.case_id == case.id)
                                 .order_by(AssistanceObjection.id))
    summary = _summary(case, _postings_count(uow, [case])[case.id],
                       _pending_count(uow, [case.id])[case.id])
    return _detail_schema.dump({
        **summary,
        "steps": [{"seq": s.seq, "action": s.action, "from_stage": s.from_stage,
                   "to_stage": s.to_stage, "actor": s.actor, "comment": s.comment,
                   "details": s.details, "on": s.acted_on, "at": s.at} for s in steps],
        "postings": [{"notice_round": p.notice_round, "number": p.number,
                      "posted_on": p.posted_on, "location": p.location,
                      "posted_by": p.posted_by} for p in postings],
        "objections": [{"id": o.id, "notice_round": o.notice_round, "lodged_on": o.lodged_on,
                        "objector": o.objector, "content": o.content, "status": o.status,
                        "answer": o.answer, "answered_on": o.answered_on,
                        "lodged_by": o.lodged_by} for o in objections]})


# --- steps and events -------------------------------------------------------------------------

def _append_step(uow: UnitOfWork, case: AssistanceCase, action: str, to_stage: str, on: date,
                 comment: str | None = None, details: dict | None = None,
                 from_stage: str | None = None) -> AssistanceStep:
    last = uow.session.scalar(select(func.max(AssistanceStep.seq))
                              .where(AssistanceStep.case_id == case.id))
    step = AssistanceStep(case_id=case.id, seq=(last or 0) + 1, action=action,
                          from_stage=from_stage if last else None, to_stage=to_stage,
                          actor=uow.caller.actor if uow.caller else "system", comment=comment,
                          details=details or {}, acted_on=on, at=utcnow())
    case.stage = to_stage
    case.updated_at = utcnow()
    uow.session.add(step)
    uow.session.flush()
    return step


def _emit(uow: UnitOfWork, event_type: str, case: AssistanceCase, on: date, **extra) -> None:
    uow.emit(event_type, {
        "case_id": case.id, "kind": case.kind, "resident_id": case.resident_id,
        "grid_code": case.grid_code, "community_code": case.community_code,
        "stage": case.stage, "on": on.isoformat(), **extra}, org_code=case.grid_code)


def _visible_case(uow: UnitOfWork, case_id, for_update: bool = False) -> AssistanceCase:
    require_caller(uow.caller)
    return find_by_id(uow, AssistanceCase, case_id, code_column=AssistanceCase.grid_code,
                      what="assistance case", for_update=for_update)


def _state(uow: UnitOfWork, case: AssistanceCase) -> rules.CaseState:
    return rules.CaseState(case.stage, case.notice_ends_on,
                           _postings_count(uow, [case])[case.id],
                           _pending_count(uow, [case.id])[case.id])


# --- use cases --------------------------------------------------------------------------------

def open_case(uow: UnitOfWork, payload: dict, find_resident: ResidentLookup,
              today: date | None = None) -> dict:
    """Open an application; ``find_resident`` asks membership (in the caller's scope)."""
    data = load(AssistanceCaseCreateSchema, payload)
    caller = require_caller(uow.caller)
    rules.require_writer(caller)
    today = _today(today)
    applied_on = data["applied_on"] or today
    if applied_on > today:
        raise InvalidInput(f"applied_on: {applied_on} is in the future", field="applied_on")
    notes = rules.clean_text(data["notes"], "notes")
    resident = find_resident(data["resident_id"])
    require_scope(caller, resident["grid_code"], "resident_id")
    if resident.get("status", "active") != "active":
        raise Conflict(f"resident_id: resident {resident['id']} has moved out",
                       field="resident_id")
    open_key = f"{resident['id']}:{data['kind']}"
    existing = uow.session.scalar(select(AssistanceCase.id)
                                  .where(AssistanceCase.open_key == open_key))
    if existing is not None:
        raise Conflict(f"resident_id: case {existing} for {data['kind']} is still open",
                       field="resident_id")
    case = AssistanceCase(kind=data["kind"], resident_id=resident["id"],
                          grid_code=resident["grid_code"],
                          community_code=rules.community_of(resident["grid_code"]),
                          stage="investigation", open_key=open_key, applied_on=applied_on,
                          notes=notes, notice_round=0, created_by=caller.actor)
    uow.session.add(case)
    uow.session.flush()
    _append_step(uow, case, "open", "investigation", applied_on)
    _emit(uow, "tickets.assistance_case_opened", case, applied_on)
    return render_detail(uow, case)


def get_case(uow: UnitOfWork, case_id: int) -> dict:
    return render_detail(uow, _visible_case(uow, case_id))



def list_cases(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(AssistanceCaseListQuerySchema, query_args)
    caller = require_caller(uow.caller)
    require_scope(caller, caller.scope or "", "scope")
    query = select(AssistanceCase).where(AssistanceCase.grid_code.like(f"{caller.scope}%"))
    if args["community"]:
        require_community_filter(caller, args["community"])
        query = query.where(AssistanceCase.community_code == args["community"])
    if args["stage"]:
        query = query.where(AssistanceCase.stage == args["stage"])
    if args["kind"]:
        query = query.where(AssistanceCase.kind == args["kind"])
    if args["resident_id"]:
        query = query.where(AssistanceCase.resident_id == args["resident_id"])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(AssistanceCase.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(AssistanceCase.id).limit(limit + 1)))
    page = page_of(rows, limit, key=lambda case: case.id, render=lambda case: case)
    page["items"] = render_cases(uow, page["items"])
    return page


def transition(uow: UnitOfWork, case_id: int, payload: dict, today: date | None = None) -> dict:
    data = load(AssistanceTransitionSchema, payload)
    action = data["action"]
    rules.require_writer(require_caller(uow.caller), action)
    today = _today(today)
    comment = rules.clean_text(data["comment"], "comment")
    reason = rules.clean_text(data["reason"], "reason")
    rules.check_reason(action, reason)
    case = _visible_case(uow, case_id, for_update=True)
    state = _state(uow, case)
    target = rules.target_stage(action, state, today)
    from_stage = case.stage
    details: dict = {}
    extra: dict = {}
    if action == "complete_review":
        rules.check_review(state.pending_objections, comment)
        pending = list(uow.session.scalars(select(AssistanceObjection).where(
            AssistanceObjection.case_id == case.id, AssistanceObjection.status == "pending")))
        for objection in pending:
            objection.status, objection.answer, objection.answered_on = "answered", comment, today
        details["answered_objections"] = [o.id for o in pending]
        extra["answered_objections"] = len(pending)
    elif action == "record_appraisal":
        rules.check_votes(data["votes_for"], data["votes_against"], data["abstentions"])
        case.votes_for, case.votes_against = data["votes_for"], data["votes_against"]
        case.abstentions, case.appraised_on = data["abstentions"], today
        passed = rules.appraisal_passes(data["votes_for"], data["votes_against"])
        details = {"votes_for": data["votes_for"], "votes_against": data["votes_against"],
                   "abstentions": data["abstentions"], "passed": passed}
        if passed:
            starts, ends = rules.notice_period(today, data["notice_days"])
            case.notice_round += 1
            case.notice_starts_on, case.notice_ends_on = starts, ends
            details.update(notice_starts_on=starts.isoformat(), notice_ends_on=ends.isoformat())
        else:
            target = case.stage
        extra = {**{k: details[k] for k in ("votes_for", "votes_against", "abstentions",
                                            "passed")},
                 "notice_starts_on": details.get("notice_starts_on"),
                 "notice_ends_on": details.get("notice_ends_on")}
    elif action == "post_notice":
        location = rules.clean_text(data["location"], "location", required=True)
        posted_on = data["posted_on"] or today
        rules.check_posting_day(posted_on, case.notice_starts_on, case.notice_ends_on, today)
        number = state.postings + 1
        uow.session.add(AssistancePosting(case_id=case.id, notice_round=case.notice_round,
                                          number=number, posted_on=posted_on, location=location,
                                          posted_by=uow.caller.actor))
        details = {"number": number, "posted_on": posted_on.isoformat(), "location": location}
        extra = {"number": number, "notice_ends_on": case.notice_ends_on.isoformat()}
    elif action in ("approve", "reject"):
        case.decided_on, case.decision_reason, case.open_key = today, reason, None
        if action == "reject":
            details["reason"] = reason
            extra["from_stage"] = from_stage
    _append_step(uow, case, action, target, today, comment, details, from_stage)
    _emit(uow, _EVENT_OF_ACTION[action], case, today, **extra)
    return render_detail(uow, case)


def lodge_objection(uow: UnitOfWork, case_id: int, payload: dict,
                    today: date | None = None) -> dict:
    """An objection 异议 during the notice period: recorded, and the case back to review."""
    data = load(AssistanceObjectionCreateSchema, payload)
    caller = require_caller(uow.caller)
    rules.require_objection_taker(caller)
    today = _today(today)
    content = rules.clean_text(data["content"], "content", required=True)
    objector = rules.clean_text(data["objector"], "objector")
    case = _visible_case(uow, case_id, for_update=True)
    rules.check_objection(case.stage, case.notice_ends_on, today)
    objection = AssistanceObjection(case_id=case.id, notice_round=case.notice_round,
                                    lodged_on=today, objector=objector, content=content,
                                    status="pending", lodged_by=caller.actor)
    uow.session.add(objection)
    uow.session.flush()
    _append_step(uow, case, "objection_lodged", "document_review", today,
                 details={"objection_id": objection.id}, from_stage=case.stage)
    _emit(uow, "tickets.assistance_case_objected", case, today, objection_id=objection.id)
    return render_detail(uow, case)


def follow_merge(uow: UnitOfWork, data: dict) -> dict:
    """Apply ``membership.communities_merged``: cases in the absorbed community's grids take the
    grids' new codes. (A resident moving keeps the case where it was applied for.)"""
    return refile_codes(uow, [AssistanceCase.grid_code, AssistanceCase.community_code], data["moves"])
