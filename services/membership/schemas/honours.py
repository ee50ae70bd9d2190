"""Honours 荣誉: the titles granted by assessments, on the holder's record."""
from marshmallow import Schema, fields, validate

from shared.pagination import PageRequestSchema, page_schema

HOLDER_KINDS = ("community", "household", "resident", "volunteer", "party_member")


class HonourSchema(Schema):
    id = fields.Integer(required=True)
    title_id = fields.Integer(required=True, metadata={"description": "assessments' title"})
    kind = fields.String(required=True, metadata={
        "description": "the title's kind (civilised_community, learning_family, "
                       "top_ten_volunteer...: GET /api/v1/titles/kinds names them)"})
    level = fields.String(required=True)
    year = fields.Integer(required=True)
    holder_kind = fields.String(required=True)
    holder_ref = fields.String(required=True)
    granted_on = fields.Date(allow_none=True)
    revoked_on = fields.Date(allow_none=True, metadata={"description": "null: current"})


class HonourListQuerySchema(PageRequestSchema):
    holder_kind = fields.String(required=True, validate=validate.OneOf(HOLDER_KINDS))
    holder_ref = fields.String(required=True, validate=validate.Regexp(
        r"^\d{1,15}$", error="must be a community's code or an id (digits)"), metadata={
        "description": "a community's code, or a household / resident / volunteer / party-member "
                       "id; a resident's list includes the honours of their volunteer and party "
                       "records"})


HonourPageSchema = page_schema(HonourSchema, "HonourPage")
