"""Patrol events: a shift planned, a check-in at a point, a finding (which opened an incident)
and a shift completed. None carries a name: volunteers are named by the ids membership gave
them. The hours a completed shift earns go out separately as ``security.volunteer_hours_earned``
(shared/events/volunteer_hours.py), one per member."""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

CODE = validate.Regexp(r"^\d{6,18}$")


@event_type("security.patrol_shift_planned",
            "A patrol shift of a team (治安巡逻队, party-member or volunteer patrol) was planned: "
            "its time, the members who walk it and the points on its route.")
class PatrolShiftPlanned(Schema):
    shift_id = fields.Integer(required=True)
    team_id = fields.Integer(required=True)
    team_kind = fields.String(required=True)
    org_code = fields.String(required=True, validate=CODE)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    volunteer_ids = fields.List(fields.Integer(), required=True)
    point_ids = fields.List(fields.Integer(), required=True)


@event_type("security.patrol_checked_in",
            "A patrol checked in at one of its team's points during a shift (by a member, "
            "`volunteer_id`, or by the team as a whole, null).")
class PatrolCheckedIn(Schema):
    check_in_id = fields.Integer(required=True)
    shift_id = fields.Integer(required=True)
    team_id = fields.Integer(required=True)
    point_id = fields.Integer(required=True)
    grid_code = fields.String(required=True, validate=CODE)
    volunteer_id = fields.Integer(required=True, allow_none=True)
    at = fields.AwareDateTime(required=True)
    org_code = fields.String(required=True, validate=CODE)


@event_type("security.patrol_finding_reported",
            "A patrol reported a finding on its shift; it opened the incident `incident_id` "
            "(reported by a patrol; null when the incidents area is not installed).")
class PatrolFindingReported(Schema):
    finding_id = fields.Integer(required=True)
    shift_id = fields.Integer(required=True)
    team_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    severity = fields.String(required=True)
    grid_code = fields.String(required=True, validate=CODE)
    point_id = fields.Integer(required=True, allow_none=True)
    incident_id = fields.Integer(required=True, allow_none=True)
    org_code = fields.String(required=True, validate=CODE)


@event_type("security.patrol_shift_completed",
            "A patrol shift was completed (once): the hours credited to each member (walked "
            "from the first check-in to the last, or the planned length), its check-ins and "
            "findings. Each member's hours follow as `security.volunteer_hours_earned`.")
class PatrolShiftCompleted(Schema):
    shift_id = fields.Integer(required=True)
    team_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    completed_at = fields.AwareDateTime(required=True)
    hours = fields.Float(required=True)
    volunteer_ids = fields.List(fields.Integer(), required=True)
    check_in_count = fields.Integer(required=True)
    finding_count = fields.Integer(required=True)
