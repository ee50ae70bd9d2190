"""Assistance case events (minimum allowance 低保, medical aid 医疗救助): one per step of the
procedure. None carries a name, a reason or the text of an objection (they may say much about
a household): consumers identify the resident by ``resident_id`` and ask for what they may see."""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

CODE = validate.Regexp(r"^\d{6,18}$")
COMMUNITY = validate.Regexp(r"^\d{12}$")
KIND = validate.OneOf(["minimum_allowance", "medical_aid"])
STAGE = validate.OneOf(["investigation", "document_review", "democratic_appraisal",
                        "public_notice", "approved", "rejected"])


class AssistanceCaseEvent(Schema):
    case_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=KIND)
    resident_id = fields.Integer(required=True)
    grid_code = fields.String(required=True, validate=CODE)
    community_code = fields.String(required=True, validate=COMMUNITY)
    stage = fields.String(required=True, validate=STAGE, metadata={
        "description": "the stage the case is in after this step"})
    on = fields.Date(required=True, metadata={"description": "the day of the step"})


@event_type("tickets.assistance_case_opened",
            "An application for assistance (minimum allowance 低保 or medical aid 医疗救助) was "
            "opened for a resident; the case starts with the home investigation 入户调查.")
class AssistanceCaseOpened(AssistanceCaseEvent):
    pass


@event_type("tickets.assistance_case_investigated",
            "The home investigation of an assistance case was completed; the documents are "
            "reviewed next.")
class AssistanceCaseInvestigated(AssistanceCaseEvent):
    pass


@event_type("tickets.assistance_case_reviewed",
            "The document review of an assistance case was completed (answering any objection "
            "that sent it back); the democratic appraisal 民主评议 is next.")
class AssistanceCaseReviewed(AssistanceCaseEvent):
    answered_objections = fields.Integer(required=True)


@event_type("tickets.assistance_case_appraised",
            "The democratic appraisal 民主评议 of an assistance case voted. Passed (more for "
            "than against): the public notice 公示 starts, ending on `notice_ends_on`. Not "
            "passed: the case stays in appraisal (to be appraised again or rejected).")
class AssistanceCaseAppraised(AssistanceCaseEvent):
    votes_for = fields.Integer(required=True)
    votes_against = fields.Integer(required=True)
    abstentions = fields.Integer(required=True)
    passed = fields.Boolean(required=True)
    notice_starts_on = fields.Date(allow_none=True, load_default=None)
    notice_ends_on = fields.Date(allow_none=True, load_default=None)


@event_type("tickets.assistance_case_notice_posted",
            "One of the three postings 三榜公示 of an assistance case's public notice was put up.")
class AssistanceCaseNoticePosted(AssistanceCaseEvent):
    number = fields.Integer(required=True, metadata={"description": "1, 2 or 3"})
    notice_ends_on = fields.Date(required=True)


@event_type("tickets.assistance_case_objected",
            "An objection 异议 was lodged during an assistance case's public notice; the case "
            "went back to document review.")
class AssistanceCaseObjected(AssistanceCaseEvent):
    objection_id = fields.Integer(required=True)


@event_type("tickets.assistance_case_approved",
            "An assistance case was approved after its notice period ended with no pending "
            "objection. A possible consumer: membership setting the resident's "
            "`minimum_allowance` flag when `kind` is minimum_allowance (not built).")
class AssistanceCaseApproved(AssistanceCaseEvent):
    pass


@event_type("tickets.assistance_case_rejected",
            "An assistance case was rejected (its reason stays in tickets); `from_stage` is "
            "where it was.")
class AssistanceCaseRejected(AssistanceCaseEvent):
    from_stage = fields.String(required=True, validate=STAGE)
