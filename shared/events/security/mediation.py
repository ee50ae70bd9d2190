"""Mediation 人民调解 events: a case opened (by hand or from a dispute ticket), a session held,
a case closed with its outcome. None carries a name or a phone: ids and codes only."""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

COMMUNITY = validate.Regexp(r"^\d{12}$")
GRID = validate.Regexp(r"^\d{15}$")
DISPUTE_TYPE = validate.OneOf(["family", "marriage", "neighbour", "property"])
OUTCOME = validate.OneOf(["agreement", "failed", "referred_to_court"])


class MediationCaseRef(Schema):
    case_id = fields.Integer(required=True)
    ticket_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "the dispute ticket the case came from; null when opened by hand"})
    dispute_type = fields.String(required=True, validate=DISPUTE_TYPE)
    community_code = fields.String(required=True, validate=COMMUNITY)
    grid_code = fields.String(required=True, allow_none=True, validate=GRID)


@event_type("security.mediation_case_opened",
            "A mediation case 人民调解 was opened: by hand, or from a dispute ticket "
            "(`tickets.dispute_reported`, once per `ticket_id`).")
class MediationCaseOpened(MediationCaseRef):
    opened_on = fields.Date(required=True)
    parties = fields.Integer(required=True, metadata={"description": "how many parties"})


@event_type("security.mediation_session_held",
            "A mediation session of an open case was recorded. `session_no`: the case's n-th.")
class MediationSessionHeld(MediationCaseRef):
    session_id = fields.Integer(required=True)
    session_no = fields.Integer(required=True)
    held_on = fields.Date(required=True)


@event_type("security.mediation_closed",
            "A mediation case was closed with its outcome: agreement 调解成功, failed 调解不成 or "
            "referred_to_court 引导诉讼. Once per case. Tickets records the outcome on the "
            "originating ticket (`ticket_id`); assessments count it.",
            consumers=("tickets", "assessments"))
class MediationClosed(MediationCaseRef):
    outcome = fields.String(required=True, validate=OUTCOME)
    closed_on = fields.Date(required=True)
    sessions = fields.Integer(required=True, metadata={"description": "sessions held"})
