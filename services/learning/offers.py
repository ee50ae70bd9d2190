"""Targeted course offers: a resident flagged laid_off in membership is offered the next
re-employment course 再就业培训 serving their community; a worker accepts it for them (which
enrols them, as any enrolment) or declines it.

One offer per (resident, course): the inbox drops a redelivered event, the unique constraint a
second event racing the first, and a resident who still has an open offer is not offered
another. When no course fits, nothing is recorded (the next flag event looks again).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from services.learning import enrolments
from services.learning.domain import catalogue
from services.learning.domain import enrolments as rules
from services.learning.models import Course, CourseOffer, CourseSession, Enrolment
from services.learning.schemas.enrolments import CourseOfferListQuerySchema, CourseOfferSchema
from shared.context import require_caller, require_role, require_scope
from shared.db import UnitOfWork
from shared.errors import NotFound
from shared.events.outbox import utcnow
from shared.lookup import find_by_id
from shared.pagination import after_id, page_of
from shared.validation import load

_schema = CourseOfferSchema()


def _codes_above(grid_code: str) -> list[str]:
    """Every code a school covering this grid may have (its prefixes, from a district's)."""
    return [grid_code[:n] for n in range(1, len(grid_code) + 1)]


def _candidates(uow: UnitOfWork, grid_code: str, now: datetime) -> list[rules.Candidate]:
    courses = list(uow.session.scalars(select(Course).where(
        Course.category == rules.OFFER_CATEGORY, Course.status == "open",
        Course.enrol_closes_at > now, Course.org_code.in_(_codes_above(grid_code)))))
    if not courses:
        return []
    first_sessions = dict(uow.session.execute(
        select(CourseSession.course_id, func.min(CourseSession.starts_at)).where(
            CourseSession.course_id.in_([c.id for c in courses]),
            CourseSession.status == "scheduled", CourseSession.starts_at >= now)
        .group_by(CourseSession.course_id)).all())
    return [rules.Candidate(c.id, c.org_code, c.eligibility or {}, c.enrol_closes_at,
                            first_sessions.get(c.id)) for c in courses]


def offer_course(uow: UnitOfWork, resident_id: int, grid_code: str, source_event_id: str,
                 now: datetime | None = None) -> CourseOffer | None:
    """Record (and announce) the next re-employment course for a laid-off resident, or None."""
    now = now or utcnow()
    offers = list(uow.session.scalars(select(CourseOffer).where(
        CourseOffer.resident_id == resident_id)))
    if any(offer.status == "offered" for offer in offers):
        return None
    on_courses = set(uow.session.scalars(select(Enrolment.course_id).where(
        Enrolment.resident_id == resident_id, Enrolment.status.not_in(rules.ENDED))))
    chosen = rules.choose_offer_course(_candidates(uow, grid_code, now), grid_code,
                                       {offer.course_id for offer in offers} | on_courses)
    if chosen is None:
        return None
    offer = CourseOffer(resident_id=resident_id, grid_code=grid_code, course_id=chosen.course_id,
                        status="offered", reason=rules.OFFER_FLAG,
                        source_event_id=source_event_id, created_at=now, updated_at=now)
    uow.session.add(offer)
    uow.session.flush()
    uow.emit("learning.course_offered", {
        "offer_id": offer.id, "course_id": chosen.course_id, "resident_id": resident_id,
        "grid_code": grid_code, "course_org_code": chosen.org_code, "reason": rules.OFFER_FLAG},
        org_code=grid_code)
    return offer


def offer_from_event(uow: UnitOfWork, envelope: dict, now: datetime | None = None) -> dict:
    """Apply ``membership.resident_flagged``: only the laid_off flag leads to an offer."""
    data = envelope["data"]
    if data["flag"] != rules.OFFER_FLAG:
        return {"offer_id": None, "action": "ignore"}
    offer = offer_course(uow, data["resident_id"], data["grid_code"], str(envelope["event_id"]),
                         now)
    return {"offer_id": offer.id if offer else None, "action": "offer" if offer else "none"}


# --- reading ----------------------------------------------------------------------------------

def visible_offer(uow: UnitOfWork, offer_id, for_update: bool = False) -> CourseOffer:
    require_caller(uow.caller)
    return find_by_id(uow, CourseOffer, offer_id, code_column=CourseOffer.grid_code,
                      what="course offer", for_update=for_update)


def render_offers(uow: UnitOfWork, offers: list[CourseOffer]) -> list[dict]:
    course_ids = {offer.course_id for offer in offers}
    titles = dict(uow.session.execute(select(Course.id, Course.title).where(
        Course.id.in_(course_ids))).all()) if course_ids else {}
    return [_schema.dump({
        "id": o.id, "resident_id": o.resident_id, "grid_code": o.grid_code,
        "course_id": o.course_id, "course_title": titles.get(o.course_id, ""),
        "status": o.status, "reason": o.reason, "enrolment_id": o.enrolment_id,
        "responded_at": o.responded_at, "responded_by": o.responded_by,
        "created_at": o.created_at}) for o in offers]


def get_offer(uow: UnitOfWork, offer_id) -> dict:
    return render_offers(uow, [visible_offer(uow, offer_id)])[0]


def list_offers(uow: UnitOfWork, query_args: dict) -> dict:
    args = load(CourseOfferListQuerySchema, query_args)
    caller = require_caller(uow.caller)
    require_scope(caller, caller.scope or "", "scope")
    query = select(CourseOffer).where(CourseOffer.grid_code.like(f"{caller.scope}%"))
    for field in ("status", "resident_id", "course_id"):
        if args[field] is not None:
            query = query.where(getattr(CourseOffer, field) == args[field])
    after = after_id(args["cursor"])
    if after is not None:
        query = query.where(CourseOffer.id > after)
    limit = args["limit"]
    rows = list(uow.session.scalars(query.order_by(CourseOffer.id).limit(limit + 1)))
    page = page_of(rows, limit, key=lambda row: row.id, render=lambda row: row)
    page["items"] = render_offers(uow, page["items"])
    return page


# --- answering an offer -----------------------------------------------------------------------

def check_answer(uow: UnitOfWork, offer_id) -> tuple[int, bool]:
    """An open offer the caller may answer; returns its resident and whether its course
    requires party members (for the entrypoint to ask membership)."""
    require_role(require_caller(uow.caller), *catalogue.ENROLLER_ROLES)
    offer = visible_offer(uow, offer_id)
    rules.check_offer_open(offer.status)
    course = uow.session.get(Course, offer.course_id)
    return offer.resident_id, rules.requires_party_membership(course.eligibility)


def _answered(uow: UnitOfWork, offer: CourseOffer, status: str, now: datetime) -> None:
    offer.status = status
    offer.responded_at = offer.updated_at = now
    offer.responded_by = uow.caller.actor if uow.caller else "system"


def accept(uow: UnitOfWork, offer_id, resident: dict, party_member: bool | None,
           now: datetime | None = None) -> dict:
    """Accept the offer for the resident: they are enrolled on the course as by any enrolment
    (a seat, or the waitlist; refused as any enrolment would be), ``source`` offer."""
    now = now or utcnow()
    check_answer(uow, offer_id)
    offer = visible_offer(uow, offer_id, for_update=True)
    rules.check_offer_open(offer.status)
    course = enrolments.visible_course(uow, offer.course_id, field="course_id")
    if resident["id"] != offer.resident_id:
        raise NotFound(f"resident_id: no resident {offer.resident_id} in your scope",
                       field="resident_id")
    enrolment = enrolments.enrol_resident(uow, course, resident, party_member, now,
                                          source="offer")
    _answered(uow, offer, "accepted", now)
    offer.enrolment_id = enrolment.id
    uow.session.flush()
    return {"offer": render_offers(uow, [offer])[0],
            "enrolment": enrolments.render_enrolment(uow, enrolment)}


def decline(uow: UnitOfWork, offer_id, now: datetime | None = None) -> dict:
    check_answer(uow, offer_id)
    offer = visible_offer(uow, offer_id, for_update=True)
    rules.check_offer_open(offer.status)
    _answered(uow, offer, "declined", now or utcnow())
    uow.session.flush()
    return render_offers(uow, [offer])[0]
