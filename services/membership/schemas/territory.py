"""Marshmallow schemas of membership's RPC payloads and results (the gateway documents them)."""
from marshmallow import Schema, fields, validate

from services.membership.schemas.honours import HonourSchema
from shared.pagination import PageRequestSchema, page_schema

CODE = validate.Regexp(r"^\d{6,15}$", error="must be a territory code of 6 to 15 digits")
LEVEL = validate.OneOf(["district", "street", "community", "grid"])
NAME = validate.Length(min=1, max=100)


class NodeCreateSchema(Schema):
    level = fields.String(required=True, validate=LEVEL)
    name = fields.String(required=True, validate=NAME)
    parent_code = fields.String(load_default=None, allow_none=True, validate=CODE,
                                metadata={"description": "required except for a district"})
    code = fields.String(load_default=None, allow_none=True, validate=CODE,
                         metadata={"description": "statistical code; omitted: the next free one"})


class NodeRenameSchema(Schema):
    name = fields.String(required=True, validate=NAME)


class NodeSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.String(required=True, validate=LEVEL)
    parent_code = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(["active", "merged"]))
    merged_into = fields.String(allow_none=True)
    honours = fields.List(fields.Nested(HonourSchema), metadata={
        "description": "one community only: its current honours (titles granted, not revoked)"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class NodeListQuerySchema(PageRequestSchema):
    level = fields.String(load_default=None, validate=LEVEL)
    parent_code = fields.String(load_default=None, validate=CODE)
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=50),
                      metadata={"description": "part of the name"})
    include_merged = fields.Boolean(load_default=False)


class DescendantsQuerySchema(PageRequestSchema):
    level = fields.String(load_default=None, validate=LEVEL)
    include_merged = fields.Boolean(load_default=False)


class MergeSchema(Schema):
    surviving_code = fields.String(required=True, validate=CODE)
    absorbed_code = fields.String(required=True, validate=CODE)


class CodeMoveSchema(Schema):
    old_code = fields.String(required=True)
    new_code = fields.String(required=True)


class MergeResultSchema(Schema):
    surviving = fields.Nested(NodeSchema, required=True)
    absorbed = fields.Nested(NodeSchema, required=True)
    moves = fields.List(fields.Nested(CodeMoveSchema), required=True)


NodePageSchema = page_schema(NodeSchema, "NodePage")
