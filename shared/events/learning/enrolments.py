"""Enrolment events: a seat taken, a place on the waitlist, a seat offered from it, confirmed,
let lapse, withdrawn; and a targeted course offer to a laid-off resident. None carries a name:
consumers identify the resident by ``resident_id`` and ask membership for what they may see."""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

CODE = validate.Regexp(r"^\d{6,18}$")
STATUS = validate.OneOf(["enrolled", "waitlisted", "offered"])


class EnrolmentEvent(Schema):
    enrolment_id = fields.Integer(required=True)
    course_id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    grid_code = fields.String(required=True, validate=CODE,
                              metadata={"description": "the resident's grid"})
    course_org_code = fields.String(required=True, validate=CODE,
                                    metadata={"description": "the school's territory node"})


@event_type("learning.enrolled",
            "A resident took a seat on a course (a seat was free on enrolling, `source` self or "
            "offer — a targeted offer accepted).")
class Enrolled(EnrolmentEvent):
    source = fields.String(required=True, validate=validate.OneOf(["self", "offer"]))


@event_type("learning.waitlisted",
            "A resident enrolled on a full course and joined its waitlist at `position` "
            "(seats are offered strictly in `queue_no` order).")
class Waitlisted(EnrolmentEvent):
    source = fields.String(required=True, validate=validate.OneOf(["self", "offer"]))
    queue_no = fields.Integer(required=True)
    position = fields.Integer(required=True)


@event_type("learning.seat_offered",
            "A seat freed and the first on the waitlist was offered it: it is held for them "
            "until `confirm_by` (the course's confirm_hours); unconfirmed by then it lapses "
            "(`learning.seat_offer_expired`) and goes to the next in line.")
class SeatOffered(EnrolmentEvent):
    queue_no = fields.Integer(required=True)
    confirm_by = fields.AwareDateTime(required=True)


@event_type("learning.enrolment_confirmed",
            "A resident offered a seat from the waitlist confirmed it in time: now enrolled.")
class EnrolmentConfirmed(EnrolmentEvent):
    pass


@event_type("learning.enrolment_withdrawn",
            "A resident left a course or its waitlist (`from_status`); `seat_freed` when they "
            "held a seat, which then goes to the first on the waitlist.")
class EnrolmentWithdrawn(EnrolmentEvent):
    from_status = fields.String(required=True, validate=STATUS)
    seat_freed = fields.Boolean(required=True)


@event_type("learning.seat_offer_expired",
            "A seat offered from the waitlist was not confirmed by `confirm_by`: the offer "
            "lapsed (status expired) and the seat goes to the next in line.")
class SeatOfferExpired(EnrolmentEvent):
    confirm_by = fields.AwareDateTime(required=True)


@event_type("learning.course_offered",
            "A resident flagged laid_off in membership (`membership.resident_flagged`) was "
            "offered the next re-employment course 再就业培训 serving their community; a worker "
            "accepts (enrols them) or declines it for them. One offer per (resident, course).")
class CourseOffered(Schema):
    offer_id = fields.Integer(required=True)
    course_id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    grid_code = fields.String(required=True, validate=CODE)
    course_org_code = fields.String(required=True, validate=CODE)
    reason = fields.String(required=True, metadata={"description": "the flag: laid_off"})
