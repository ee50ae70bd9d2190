"""Schools, venues and teachers: RPC payloads and results (the gateway documents them)."""
from marshmallow import Schema, fields, validate

from services.learning.domain.catalogue import SCHOOL_KINDS, TEACHER_KINDS
from shared.pagination import PageRequestSchema, page_schema

ID = validate.Range(min=1, max=2**31 - 1, error="must be a positive id")
AREA = validate.Regexp(r"^(\d{9}|\d{12})$",
                       error="must be a street (9 digits) or a community (12 digits) code")
CODE_PREFIX = validate.Regexp(r"^\d{6,18}$", error="must be a territory code of 6 to 18 digits")
NAME = validate.Length(min=1, max=100)
ADDRESS = validate.Length(min=1, max=200)
CAPACITY = validate.Range(min=1, max=10_000)


class SchoolCreateSchema(Schema):
    org_code = fields.String(required=True, validate=AREA, metadata={
        "description": "the street or community the school serves (within your scope)"})
    name = fields.String(required=True, validate=NAME)
    kind = fields.String(required=True, validate=validate.OneOf(SCHOOL_KINDS), metadata={
        "description": " / ".join(SCHOOL_KINDS)})
    parent_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID,
                               metadata={"description": "a branch school's school (required "
                                         "for branch_school, refused for any other kind)"})
    address = fields.String(required=True, validate=ADDRESS)
    founded_on = fields.Date(load_default=None, allow_none=True)
    opening_hours = fields.String(load_default=None, allow_none=True,
                                  validate=validate.Length(max=200),
                                  metadata={"description": "e.g. 周末上课，活动中心工作日开放"})


class SchoolUpdateSchema(Schema):
    name = fields.String(validate=NAME)
    address = fields.String(validate=ADDRESS)
    founded_on = fields.Date(allow_none=True)
    opening_hours = fields.String(allow_none=True, validate=validate.Length(max=200))


class SchoolSchema(Schema):
    id = fields.Integer(required=True)
    org_code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    parent_id = fields.Integer(allow_none=True)
    address = fields.String(required=True)
    founded_on = fields.Date(allow_none=True)
    opening_hours = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SchoolListQuerySchema(PageRequestSchema):
    kind = fields.String(load_default=None, validate=validate.OneOf(SCHOOL_KINDS))
    code = fields.String(load_default=None, validate=CODE_PREFIX, metadata={
        "description": "only schools of this part of the territory (a code prefix)"})


class VenueCreateSchema(Schema):
    org_code = fields.String(load_default=None, validate=AREA, metadata={
        "description": "where the venue is; omitted with a school_id: the school's"})
    school_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID)
    name = fields.String(required=True, validate=NAME)
    address = fields.String(required=True, validate=ADDRESS)
    capacity = fields.Integer(required=True, strict=True, validate=CAPACITY,
                              metadata={"description": "seats, at least 1"})


class VenueUpdateSchema(Schema):
    name = fields.String(validate=NAME)
    address = fields.String(validate=ADDRESS)
    capacity = fields.Integer(strict=True, validate=CAPACITY)


class VenueSchema(Schema):
    id = fields.Integer(required=True)
    org_code = fields.String(required=True)
    school_id = fields.Integer(allow_none=True)
    name = fields.String(required=True)
    address = fields.String(required=True)
    capacity = fields.Integer(required=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class VenueListQuerySchema(PageRequestSchema):
    school_id = fields.Integer(load_default=None, validate=ID)
    code = fields.String(load_default=None, validate=CODE_PREFIX)


class TeacherCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(TEACHER_KINDS), metadata={
        "description": "volunteer (a membership volunteer: volunteer_id) or hired (name, "
                       "org_code)"})
    volunteer_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID,
                                  metadata={"description": "kind volunteer: the volunteer in "
                                            "your scope; the teacher takes their name"})
    name = fields.String(load_default=None, allow_none=True, validate=NAME,
                         metadata={"description": "kind hired: the teacher's name"})
    org_code = fields.String(load_default=None, allow_none=True, validate=AREA, metadata={
        "description": "kind hired: the street or community the teacher works for (omitted: "
                       "your scope; a volunteer teacher belongs to the volunteer's community)"})


class TeacherSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    name = fields.String(required=True)
    volunteer_id = fields.Integer(allow_none=True)
    org_code = fields.String(required=True)
    created_at = fields.DateTime()


class TeacherListQuerySchema(PageRequestSchema):
    kind = fields.String(load_default=None, validate=validate.OneOf(TEACHER_KINDS))
    code = fields.String(load_default=None, validate=CODE_PREFIX)


SchoolPageSchema = page_schema(SchoolSchema, "SchoolPage")
VenuePageSchema = page_schema(VenueSchema, "VenuePage")
TeacherPageSchema = page_schema(TeacherSchema, "TeacherPage")
