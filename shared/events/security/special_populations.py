"""Special populations events: a supervision file opened, a visit recorded, a file closed, and a
floating resident's registration check. Restricted records: they carry ids and codes only,
never a name or an ID number; a consumer asks for what it may see."""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

CODE = validate.Regexp(r"^\d{6,18}$")
CATEGORY = validate.OneOf(["released_prisoner", "community_correction"])
RISK = validate.OneOf(["low", "medium", "high"])


@event_type("security.supervision_file_opened",
            "A supervision file (刑释解教 released prisoner / 社区矫正 community correction) was "
            "opened for a resident, with a one-to-one helper. Restricted: ids and codes only.")
class SupervisionFileOpened(Schema):
    supervision_file_id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    category = fields.String(required=True, validate=CATEGORY)
    risk_level = fields.String(required=True, validate=RISK)
    opened_on = fields.Date(required=True)


@event_type("security.supervision_visit_recorded",
            "A visit to a supervised person was recorded (`outcome`: stable, needs_help, "
            "concern, not_met). Restricted: ids and codes only.")
class SupervisionVisitRecorded(Schema):
    supervision_file_id = fields.Integer(required=True)
    visit_id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    visited_on = fields.Date(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(
        ["stable", "needs_help", "concern", "not_met"]))


@event_type("security.supervision_file_closed",
            "A supervision file was closed: reintegrated 顺利回归, moved_away, deceased or "
            "transferred. Restricted: ids and codes only.", consumers=("assessments",))
class SupervisionFileClosed(Schema):
    supervision_file_id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    reason = fields.String(required=True, validate=validate.OneOf(
        ["reintegrated", "moved_away", "deceased", "transferred"]))
    closed_on = fields.Date(required=True)


@event_type("security.floating_check_recorded",
            "A floating resident's (流动人口) registration was checked: registered, "
            "unregistered_now_registered, not_found or moved_away.")
class FloatingCheckRecorded(Schema):
    floating_check_id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    checked_on = fields.Date(required=True)
    result = fields.String(required=True, validate=validate.OneOf(
        ["registered", "unregistered_now_registered", "not_found", "moved_away"]))
