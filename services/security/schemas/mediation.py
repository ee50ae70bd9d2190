"""Mediation 人民调解: RPC payloads and results (the gateway documents them)."""
from datetime import date

from marshmallow import Schema, fields, validate

from services.security.domain import mediation as rules
from services.security.domain.catalogue import (
    DISPUTE_TYPES,
    MEDIATION_OUTCOMES,
    MEDIATOR_KINDS,
    PARTY_ROLES,
)
from shared.pagination import PageRequestSchema, page_schema

ID = validate.Range(min=1, max=2**31 - 1, error="must be a positive id")
CODE = validate.Regexp(r"^\d{6,15}$", error="must be a territory code of 6 to 15 digits")
COMMUNITY = validate.Regexp(r"^\d{12}$", error="must be a community code of 12 digits")
GRID = validate.Regexp(r"^\d{15}$", error="must be a grid code of 15 digits")
PHONE = validate.Regexp(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$",
                        error="must be a mobile (11 digits) or landline number")
DAY = validate.Range(min=date(2000, 1, 1), max=date(2100, 12, 31),
                     error="must be a date from 2000 to 2100")
NAME = validate.Length(min=1, max=100)
MAX_PARTIES, MAX_ATTENDEES = 20, 50


class PartyInSchema(Schema):
    name = fields.String(required=True, validate=NAME)
    role = fields.String(required=True, validate=validate.OneOf(PARTY_ROLES))
    resident_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID,
                                 metadata={"description": "membership's resident, if known"})
    phone = fields.String(load_default=None, allow_none=True, validate=PHONE,
                          metadata={"description": "shown masked"})


class MediatorSchema(Schema):
    name = fields.String(required=True, validate=NAME)
    kind = fields.String(required=True, validate=validate.OneOf(tuple(MEDIATOR_KINDS)), metadata={
        "description": "peoples_mediator 人民调解员, worker 社区工作者, volunteer 志愿者"})


class MediationCaseCreateSchema(Schema):
    community_code = fields.String(load_default=None, allow_none=True, validate=COMMUNITY)
    grid_code = fields.String(load_default=None, allow_none=True, validate=GRID, metadata={
        "description": "the grid, if known (its community is then implied)"})
    dispute_type = fields.String(required=True, validate=validate.OneOf(tuple(DISPUTE_TYPES)),
                                 metadata={"description": "family, marriage, neighbour, property"})
    summary = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    parties = fields.List(fields.Nested(PartyInSchema), required=True,
                          validate=validate.Length(min=2, max=MAX_PARTIES), metadata={
        "description": "at least one applicant and one respondent"})
    mediator = fields.Nested(MediatorSchema, load_default=None, allow_none=True)
    opened_on = fields.Date(load_default=None, allow_none=True, validate=DAY,
                            metadata={"description": "default: today"})


class MediationSessionCreateSchema(Schema):
    held_on = fields.Date(required=True, validate=DAY)
    notes = fields.String(required=True, validate=validate.Length(min=1, max=8000))
    attendees = fields.List(fields.String(validate=NAME), load_default=list,
                            validate=validate.Length(max=MAX_ATTENDEES))


class MediationOutcomeSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(tuple(MEDIATION_OUTCOMES)),
                            metadata={"description": "agreement, failed, referred_to_court"})
    agreement_text = fields.String(load_default=None, allow_none=True,
                                   validate=validate.Length(max=8000), metadata={
        "description": "required with an agreement, refused otherwise"})
    closed_on = fields.Date(required=True, validate=DAY)


class MediationCaseListQuerySchema(PageRequestSchema):
    code = fields.String(load_default=None, validate=CODE,
                         metadata={"description": "a street, community or grid in your scope"})
    status = fields.String(load_default=None, validate=validate.OneOf(rules.STATUSES))
    dispute_type = fields.String(load_default=None, validate=validate.OneOf(tuple(DISPUTE_TYPES)))
    outcome = fields.String(load_default=None,
                            validate=validate.OneOf(tuple(MEDIATION_OUTCOMES)))
    ticket_id = fields.Integer(load_default=None, validate=ID)


class PartySchema(Schema):
    id = fields.Integer()
    name = fields.String(allow_none=True)
    role = fields.String()
    resident_id = fields.Integer(allow_none=True)
    phone = fields.String(allow_none=True, metadata={"description": "masked: 138****5678"})


class MediationSessionSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    held_on = fields.Date()
    notes = fields.String()
    attendees = fields.List(fields.String())
    recorded_by = fields.String()
    created_at = fields.DateTime()


class MediationCaseSchema(Schema):
    id = fields.Integer()
    ticket_id = fields.Integer(allow_none=True, metadata={
        "description": "the dispute ticket it came from, if any"})
    community_code = fields.String()
    grid_code = fields.String(allow_none=True)
    dispute_type = fields.String()
    summary = fields.String()
    mediator = fields.Nested(MediatorSchema, allow_none=True)
    status = fields.String()
    outcome = fields.String(allow_none=True)
    agreement_text = fields.String(allow_none=True)
    opened_on = fields.Date()
    closed_on = fields.Date(allow_none=True)
    parties = fields.List(fields.Nested(PartySchema))
    sessions = fields.List(fields.Nested(MediationSessionSchema))
    session_count = fields.Integer()
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class MediationCaseSummarySchema(Schema):
    id = fields.Integer()
    ticket_id = fields.Integer(allow_none=True)
    community_code = fields.String()
    grid_code = fields.String(allow_none=True)
    dispute_type = fields.String()
    summary = fields.String()
    status = fields.String()
    outcome = fields.String(allow_none=True)
    opened_on = fields.Date()
    closed_on = fields.Date(allow_none=True)
    session_count = fields.Integer()


MediationCasePageSchema = page_schema(MediationCaseSummarySchema, "MediationCasePage")
