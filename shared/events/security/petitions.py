"""Petition 信访 events: a petition registered and each step it takes after. They carry ids,
codes, the channel, the group flag and the petitioners count; never a name or a phone."""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

CODE = validate.Regexp(r"^\d{6,18}$")
CHANNEL = validate.OneOf(["visit", "letter", "phone", "online"])
STATUS = validate.OneOf(["registered", "accepted", "declined", "answered", "review_requested",
                         "reviewed", "closed"])


class PetitionStepSchema(Schema):
    petition_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE, metadata={
        "description": "the grid or community the petition concerns"})
    community_code = fields.String(required=True, validate=CODE)
    channel = fields.String(required=True, validate=CHANNEL)
    status = fields.String(required=True, validate=STATUS, metadata={
        "description": "the status after the step"})
    group = fields.Boolean(required=True, metadata={
        "description": "a group petition 集体访 (5 or more petitioners): the zero target"})
    petitioners = fields.Integer(required=True)
    on = fields.Date(required=True, metadata={"description": "the day of the step"})
    due_on = fields.Date(required=True, allow_none=True, metadata={
        "description": "the deadline of the step the petition now waits for (none: it waits "
                       "for none)"})


@event_type("security.petition_registered",
            "A petition 信访 was registered 登记 (visit, letter, phone or online); it must be "
            "accepted or declined by `due_on` (15 days).")
class PetitionRegistered(PetitionStepSchema):
    pass


@event_type("security.petition_accepted",
            "A petition was accepted 受理; it must be answered by `due_on` (60 days).")
class PetitionAccepted(PetitionStepSchema):
    pass


@event_type("security.petition_declined",
            "A petition was declined 不予受理 (with a reason, kept in the service).")
class PetitionDeclined(PetitionStepSchema):
    pass


@event_type("security.petition_extended",
            "A petition's answer deadline was extended once (at most 30 days) to `due_on`.")
class PetitionExtended(PetitionStepSchema):
    pass


@event_type("security.petition_answered",
            "A petition was answered 办理意见; the petitioner may ask for a review within 30 "
            "days.")
class PetitionAnswered(PetitionStepSchema):
    pass


@event_type("security.petition_review_requested",
            "The petitioner asked for a review 复查 of the answer; due by `due_on` (30 days).")
class PetitionReviewRequested(PetitionStepSchema):
    pass


@event_type("security.petition_reviewed", "A petition's review 复查 was given.")
class PetitionReviewed(PetitionStepSchema):
    pass


@event_type("security.petition_closed", "A petition was closed 办结.")
class PetitionClosed(PetitionStepSchema):
    pass
