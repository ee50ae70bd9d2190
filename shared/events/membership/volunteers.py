"""Volunteer events: enrolment, skills and status, teams and their members."""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

COMMUNITY = validate.Regexp(r"^\d{12}$")
STATUS = validate.OneOf(["active", "inactive"])


@event_type("membership.volunteer_enrolled",
            "A resident was enrolled as a volunteer 志愿者 of a community. `volunteer_id` is the "
            "id other services name when they report the volunteer's work "
            "(`*.volunteer_hours_earned`).")
class VolunteerEnrolled(Schema):
    volunteer_id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    community_code = fields.String(required=True, validate=COMMUNITY)
    skills = fields.List(fields.String(), required=True)


@event_type("membership.volunteer_updated",
            "A volunteer's skills or status (active / inactive) changed; the payload is the "
            "new state and what was added or removed.")
class VolunteerUpdated(Schema):
    volunteer_id = fields.Integer(required=True)
    community_code = fields.String(required=True, validate=COMMUNITY)
    status = fields.String(required=True, validate=STATUS)
    skills = fields.List(fields.String(), required=True)
    added_skills = fields.List(fields.String(), required=True)
    removed_skills = fields.List(fields.String(), required=True)
    old_status = fields.String(required=True, validate=STATUS)


@event_type("membership.volunteer_team_created",
            "A volunteer team (patrol team, help-the-disabled, culture…) was set up in a "
            "community.")
class VolunteerTeamCreated(Schema):
    team_id = fields.Integer(required=True)
    community_code = fields.String(required=True, validate=COMMUNITY)
    name = fields.String(required=True)
    kind = fields.String(required=True)


@event_type("membership.volunteer_joined_team", "A volunteer joined a volunteer team.")
class VolunteerJoinedTeam(Schema):
    team_id = fields.Integer(required=True)
    volunteer_id = fields.Integer(required=True)
    community_code = fields.String(required=True, validate=COMMUNITY,
                                   metadata={"description": "the team's community"})


@event_type("membership.volunteer_left_team", "A volunteer left a volunteer team.")
class VolunteerLeftTeam(Schema):
    team_id = fields.Integer(required=True)
    volunteer_id = fields.Integer(required=True)
    community_code = fields.String(required=True, validate=COMMUNITY,
                                   metadata={"description": "the team's community"})


@event_type("membership.volunteer_hours_recorded",
            "A transaction of the service-hours ledger 服务储蓄 touched a volunteer's account: "
            "hours credited for work (from a `*.volunteer_hours_earned` event or by staff), "
            "redeemed for a service (`debit`), or a reversal of an earlier transaction. "
            "`hours` is the change to the volunteer's balance (negative for a debit).")
class VolunteerHoursRecorded(Schema):
    transaction_id = fields.Integer(required=True)
    volunteer_id = fields.Integer(required=True)
    community_code = fields.String(required=True, validate=COMMUNITY,
                                   metadata={"description": "the volunteer's community"})
    kind = fields.String(required=True, validate=validate.OneOf(["credit", "debit", "reversal"]))
    hours = fields.Float(required=True)
    balance_hours = fields.Float(required=True, metadata={"description": "after this transaction"})
    source_type = fields.String(required=True)
    source_id = fields.String(required=True)
    activity_date = fields.Date(allow_none=True, load_default=None)
    reverses_transaction_id = fields.Integer(allow_none=True, load_default=None)
