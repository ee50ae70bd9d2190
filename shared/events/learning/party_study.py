"""Party study events: a branch's study session held (its attendance first recorded), and a
party member meeting both yearly study quotas. Neither carries a name: consumers identify the
member by ``party_member_id`` (membership's) and ask for what they may see."""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

CODE = validate.Regexp(r"^\d{6,18}$")
KIND = validate.OneOf(["study_day", "branch_meeting", "committee_meeting", "group_meeting",
                       "party_lesson"])


@event_type("learning.study_session_held",
            "A party branch's study session (the weekly study day, or one of 三会一课: branch "
            "meeting, committee meeting, group meeting, party lesson) was held: its attendance "
            "was recorded for the first time. `present` counts members present or late; "
            "`recorded` every sign-in record. Once per session.")
class StudySessionHeld(Schema):
    study_session_id = fields.Integer(required=True)
    branch_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    kind = fields.String(required=True, validate=KIND)
    held_on = fields.Date(required=True)
    present = fields.Integer(required=True)
    recorded = fields.Integer(required=True)


@event_type("learning.study_quota_met",
            "A party member met both yearly study quotas of `year` (at least `min_study_days` "
            "distinct study days and `min_sessions` sessions attended, present or late). Exactly "
            "once per (party_member_id, year), whatever attendance is re-posted later.",
            consumers=("assessments",))
class StudyQuotaMet(Schema):
    party_member_id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    branch_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    study_days_attended = fields.Integer(required=True)
    sessions_attended = fields.Integer(required=True)
    min_study_days = fields.Integer(required=True)
    min_sessions = fields.Integer(required=True)
    met_on = fields.Date(required=True, metadata={
        "description": "the day of the session whose sign-in met the quotas"})
