"""Patrols: RPC payloads and results (the gateway documents them)."""
from datetime import datetime, timezone

from marshmallow import Schema, fields, validate

from services.security.domain.catalogue import (
    INCIDENT_KINDS,
    PATROL_SHIFT_STATUSES,
    PATROL_TEAM_KINDS,
    SEVERITIES,
)
from shared.pagination import PageRequestSchema, page_schema

ID = validate.Range(min=1, max=2**31 - 1, error="must be a positive id")
AREA = validate.Regexp(r"^(\d{9}|\d{12})$", error="must be a street (9 digits) or a community "
                                                  "(12 digits) code")
CODE_PREFIX = validate.Regexp(r"^\d{6,15}$", error="must be a territory code of 6 to 15 digits")
GRID = validate.Regexp(r"^\d{15}$", error="must be a grid code of 15 digits")
MOMENT = validate.Range(min=datetime(2000, 1, 1, tzinfo=timezone.utc),
                        max=datetime(2101, 1, 1, tzinfo=timezone.utc), max_inclusive=False,
                        error="must be a time from 2000 to 2100")
NAME = validate.Length(min=1, max=100)
MAX_SHIFT_MEMBERS = 50
MAX_SHIFT_POINTS = 50


def _moment(required: bool, description: str):
    if required:
        return fields.AwareDateTime(required=True, validate=MOMENT,
                                    metadata={"description": description})
    return fields.AwareDateTime(load_default=None, allow_none=True, validate=MOMENT,
                                metadata={"description": description})


# --- requests -----------------------------------------------------------------------------------

class PatrolTeamCreateSchema(Schema):
    org_code = fields.String(required=True, validate=AREA, metadata={
        "description": "the street or community the team patrols"})
    name = fields.String(required=True, validate=NAME)
    kind = fields.String(required=True, validate=validate.OneOf(list(PATROL_TEAM_KINDS)), metadata={
        "description": " / ".join(f"{k} {v}" for k, v in PATROL_TEAM_KINDS.items())})


class PatrolTeamListQuerySchema(PageRequestSchema):
    code = fields.String(load_default=None, validate=CODE_PREFIX,
                         metadata={"description": "teams of this area and beneath it"})
    kind = fields.String(load_default=None, validate=validate.OneOf(list(PATROL_TEAM_KINDS)))


class PatrolTeamMemberAddSchema(Schema):
    volunteer_id = fields.Integer(required=True, strict=True, validate=ID, metadata={
        "description": "a volunteer of membership, active, living in the team's area"})


class PatrolPointCreateSchema(Schema):
    name = fields.String(required=True, validate=NAME)
    grid_code = fields.String(required=True, validate=GRID,
                              metadata={"description": "a grid of the team's area"})
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class PatrolShiftCreateSchema(Schema):
    team_id = fields.Integer(required=True, strict=True, validate=ID)
    starts_at = _moment(True, "ISO 8601 with a UTC offset")
    ends_at = _moment(True, "after starts_at, at most 12 hours later")
    route = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    point_ids = fields.List(fields.Integer(strict=True, validate=ID), load_default=list,
                            validate=validate.Length(max=MAX_SHIFT_POINTS), metadata={
        "description": "the team's points planned on the route, in order (default none)"})
    volunteer_ids = fields.List(fields.Integer(strict=True, validate=ID), load_default=None,
                                allow_none=True,
                                validate=validate.Length(min=1, max=MAX_SHIFT_MEMBERS), metadata={
        "description": "members of the team who walk it (default: every member of the team)"})


class PatrolShiftListQuerySchema(PageRequestSchema):
    code = fields.String(load_default=None, validate=CODE_PREFIX)
    team_id = fields.Integer(load_default=None, validate=ID)
    status = fields.String(load_default=None, validate=validate.OneOf(PATROL_SHIFT_STATUSES))


class PatrolCheckInCreateSchema(Schema):
    point_id = fields.Integer(required=True, strict=True, validate=ID,
                              metadata={"description": "a point of the shift's team"})
    volunteer_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID,
                                  metadata={"description": "a member of the shift (default: "
                                                           "the team as a whole)"})
    at = _moment(False, "default now; within the shift's time, give or take 30 minutes")
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class PatrolFindingCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(list(INCIDENT_KINDS)))
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    description = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    point_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID,
                              metadata={"description": "where (a point of the team), or"})
    grid_code = fields.String(load_default=None, allow_none=True, validate=GRID,
                              metadata={"description": "the grid of the team's area it was "
                                                       "found in"})


class PatrolCompletionSchema(Schema):
    pass


# --- results ------------------------------------------------------------------------------------

class PatrolTeamSchema(Schema):
    id = fields.Integer()
    org_code = fields.String()
    name = fields.String()
    kind = fields.String()
    kind_name = fields.String()
    member_count = fields.Integer()
    point_count = fields.Integer()
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class PatrolTeamMemberSchema(Schema):
    team_id = fields.Integer()
    volunteer_id = fields.Integer()
    name = fields.String()
    community_code = fields.String()
    added_at = fields.DateTime()


class PatrolPointSchema(Schema):
    id = fields.Integer()
    team_id = fields.Integer()
    name = fields.String()
    grid_code = fields.String()
    address = fields.String(allow_none=True)
    created_at = fields.DateTime()


class PatrolShiftMemberSchema(Schema):
    volunteer_id = fields.Integer()
    name = fields.String()
    hours = fields.Float(allow_none=True)


class PatrolCheckInSchema(Schema):
    id = fields.Integer()
    shift_id = fields.Integer()
    point_id = fields.Integer()
    point_name = fields.String()
    grid_code = fields.String()
    volunteer_id = fields.Integer(allow_none=True)
    at = fields.DateTime()
    note = fields.String(allow_none=True)
    recorded_by = fields.String()


class PatrolFindingSchema(Schema):
    id = fields.Integer()
    shift_id = fields.Integer()
    kind = fields.String()
    severity = fields.String()
    description = fields.String()
    point_id = fields.Integer(allow_none=True)
    grid_code = fields.String()
    incident_id = fields.Integer(allow_none=True)
    reported_by = fields.String()
    created_at = fields.DateTime()


class PatrolShiftSchema(Schema):
    id = fields.Integer()
    team_id = fields.Integer()
    team_name = fields.String()
    org_code = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    route = fields.String(allow_none=True)
    status = fields.String()
    planned_hours = fields.Float()
    hours = fields.Float(allow_none=True, metadata={"description": "credited to each member "
                                                                   "on completion"})
    completed_at = fields.DateTime(allow_none=True)
    members = fields.List(fields.Nested(PatrolShiftMemberSchema))
    points = fields.List(fields.Nested(PatrolPointSchema))
    check_in_count = fields.Integer()
    finding_count = fields.Integer()
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class PatrolShiftDetailSchema(PatrolShiftSchema):
    check_ins = fields.List(fields.Nested(PatrolCheckInSchema))
    findings = fields.List(fields.Nested(PatrolFindingSchema))


PatrolTeamPageSchema = page_schema(PatrolTeamSchema, "PatrolTeamPage")
PatrolTeamMemberPageSchema = page_schema(PatrolTeamMemberSchema, "PatrolTeamMemberPage")
PatrolPointPageSchema = page_schema(PatrolPointSchema, "PatrolPointPage")
PatrolShiftPageSchema = page_schema(PatrolShiftSchema, "PatrolShiftPage")
