"""Schemas of the residents and households RPC payloads and results (the gateway documents them)."""
from marshmallow import Schema, fields, validate

from services.membership.domain.residents import (
    AGE_BANDS,
    DESIGNATIONS,
    FLAGS,
    GENDERS,
    MOVE_KINDS,
    RESIDENCES,
    STATUSES,
)
from services.membership.schemas.honours import HonourSchema
from shared.pagination import PageRequestSchema, page_schema

CODE = validate.Regexp(r"^\d{6,15}$", error="must be a territory code of 6 to 15 digits")
GRID_CODE = validate.Regexp(r"^\d{15}$", error="must be a grid code of 15 digits")
COMMUNITY_CODE = validate.Regexp(r"^\d{12}$", error="must be a community code of 12 digits")
NAME = validate.Length(min=1, max=100)
ADDRESS = validate.Length(min=1, max=200)
REASON = validate.Length(min=1, max=500)
ROW_ID = validate.Range(min=1, max=2 ** 31 - 1)
ID_NUMBER_DOC = {"description": "18-character PRC ID number (checked, then stored hashed and "
                                 "encrypted); every answer shows it masked"}


def _id_number(**kwargs):
    return fields.String(validate=validate.Length(min=1, max=40), metadata=ID_NUMBER_DOC,
                         **kwargs)


class ResidentCreateSchema(Schema):
    name = fields.String(required=True, validate=NAME)
    id_number = _id_number(required=True)
    gender = fields.String(load_default=None, validate=validate.OneOf(GENDERS),
                           metadata={"description": "omitted: read from the ID number"})
    birth_date = fields.Date(load_default=None,
                             metadata={"description": "omitted: read from the ID number"})
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    address = fields.String(required=True, validate=ADDRESS)
    grid_code = fields.String(required=True, validate=GRID_CODE)
    household_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                  validate=ROW_ID)
    residence = fields.String(required=True, validate=validate.OneOf(RESIDENCES),
                              metadata={"description": "registered 户籍 or floating 流动人口"})


class ResidentUpdateSchema(Schema):
    name = fields.String(validate=NAME)
    id_number = _id_number()
    gender = fields.String(validate=validate.OneOf(GENDERS))
    birth_date = fields.Date()
    phone = fields.String(allow_none=True, validate=validate.Length(max=20))
    address = fields.String(validate=ADDRESS)
    residence = fields.String(validate=validate.OneOf(RESIDENCES))


class MoveSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(MOVE_KINDS),
                         metadata={"description": "within: to another grid; out: leaves"})
    to_grid_code = fields.String(load_default=None, allow_none=True, validate=GRID_CODE)
    address = fields.String(load_default=None, allow_none=True, validate=ADDRESS,
                            metadata={"description": "the new address (a move within)"})
    moved_on = fields.Date(load_default=None, metadata={"description": "omitted: today"})
    reason = fields.String(load_default=None, allow_none=True, validate=REASON)


class FlagSetSchema(Schema):
    flag = fields.String(required=True, validate=validate.OneOf(list(FLAGS)))
    reason = fields.String(required=True, validate=REASON)
    on = fields.Date(load_default=None, metadata={"description": "omitted: today"})


class FlagClearSchema(Schema):
    reason = fields.String(required=True, validate=REASON)
    on = fields.Date(load_default=None, metadata={"description": "omitted: today"})


class FlagSchema(Schema):
    flag = fields.String(required=True)
    since = fields.Date(required=True)
    reason = fields.String(required=True)


class FlagPeriodSchema(Schema):
    flag = fields.String(required=True)
    set_on = fields.Date(required=True)
    set_reason = fields.String(required=True)
    set_by = fields.String(required=True)
    cleared_on = fields.Date(allow_none=True)
    cleared_reason = fields.String(allow_none=True)
    cleared_by = fields.String(allow_none=True)


class ResidentSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    gender = fields.String(required=True)
    birth_date = fields.Date(required=True)
    age_band = fields.String(required=True)
    id_number = fields.String(required=True, metadata={"description": "masked: 3505**********1234"})
    phone = fields.String(allow_none=True,
                          metadata={"description": "in full for one resident, masked in lists"})
    address = fields.String(required=True)
    grid_code = fields.String(required=True)
    household_id = fields.Integer(allow_none=True)
    residence = fields.String(required=True, validate=validate.OneOf(RESIDENCES))
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    moved_out_on = fields.Date(allow_none=True)
    flags = fields.List(fields.Nested(FlagSchema), required=True,
                        metadata={"description": "current flags (restricted ones only for "
                                                 "security officers)"})
    flag_history = fields.List(fields.Nested(FlagPeriodSchema),
                               metadata={"description": "one resident only"})
    honours = fields.List(fields.Nested(HonourSchema), metadata={
        "description": "one resident only: its current honours (titles granted, not revoked)"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ResidentListQuerySchema(PageRequestSchema):
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=50),
                      metadata={"description": "part of the name"})
    code = fields.String(load_default=None, validate=CODE,
                         metadata={"description": "a grid, or any territory code (prefix)"})
    flag = fields.String(load_default=None, validate=validate.OneOf(list(FLAGS)))
    age_band = fields.String(load_default=None, validate=validate.OneOf(list(AGE_BANDS)))
    residence = fields.String(load_default=None, validate=validate.OneOf(RESIDENCES))
    status = fields.String(load_default="active",
                           validate=validate.OneOf([*STATUSES, "all"]))
    household_id = fields.Integer(load_default=None, validate=ROW_ID)


class ExportQuerySchema(Schema):
    community = fields.String(required=True, validate=COMMUNITY_CODE)


class ExportPageQuerySchema(ExportQuerySchema):
    cursor = fields.String(load_default=None)
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=1000))


class HouseholdCreateSchema(Schema):
    address = fields.String(required=True, validate=ADDRESS)
    grid_code = fields.String(required=True, validate=GRID_CODE)
    designations = fields.List(fields.String(validate=validate.OneOf(list(DESIGNATIONS))),
                               load_default=list,
                               metadata={"description": "learning_family 学习型家庭, "
                                                        "civilised_family 文明家庭"})


class HouseholdUpdateSchema(Schema):
    address = fields.String(validate=ADDRESS)
    representative_id = fields.Integer(allow_none=True, strict=True, validate=ROW_ID,
                                       metadata={"description": "a member's resident id"})
    designations = fields.List(fields.String(validate=validate.OneOf(list(DESIGNATIONS))))


class MemberAddSchema(Schema):
    resident_id = fields.Integer(required=True, strict=True, validate=ROW_ID)


class MemberSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    gender = fields.String(required=True)
    age_band = fields.String(required=True)


class HouseholdSchema(Schema):
    id = fields.Integer(required=True)
    address = fields.String(required=True)
    grid_code = fields.String(required=True)
    representative_id = fields.Integer(allow_none=True)
    designations = fields.List(fields.String(), required=True)
    member_count = fields.Integer(required=True)
    members = fields.List(fields.Nested(MemberSchema), metadata={"description": "one household only"})
    honours = fields.List(fields.Nested(HonourSchema), metadata={
        "description": "one household only: its current honours (titles granted, not revoked)"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class HouseholdListQuerySchema(PageRequestSchema):
    code = fields.String(load_default=None, validate=CODE,
                         metadata={"description": "a grid, or any territory code (prefix)"})
    designation = fields.String(load_default=None, validate=validate.OneOf(list(DESIGNATIONS)))


ResidentPageSchema = page_schema(ResidentSchema, "ResidentPage")
HouseholdPageSchema = page_schema(HouseholdSchema, "HouseholdPage")
