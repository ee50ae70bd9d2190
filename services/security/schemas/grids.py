"""Grid workers: RPC payloads and results (the gateway documents them)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.security.schemas.incidents import DAY
from shared.pagination import PageRequestSchema, page_schema

WORKER_ID = validate.Regexp(r"^[^\s/]{1,100}$",
                            error="must be a principal identifier (1 to 100 characters, no "
                                  "spaces or slashes)")


class GridWorkerAssignSchema(Schema):
    worker_id = fields.String(required=True, validate=WORKER_ID, metadata={
        "description": "the worker's principal, as their token carries it in `sub`"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20),
                          metadata={"description": "stored; shown masked (138****5678)"})
    since = fields.Date(required=True, validate=DAY)
    until = fields.Date(load_default=None, allow_none=True, validate=DAY)

    @validates_schema
    def ordered(self, data, **kwargs):
        if data.get("until") and data.get("since") and data["until"] < data["since"]:
            raise ValidationError(f"{data['until']} is before since {data['since']}", "until")


class GridWorkerUntilSchema(Schema):
    until = fields.Date(load_default=None, allow_none=True, validate=DAY, metadata={
        "description": "the last day (exclusive) the worker holds the grid; default today"})


class GridWorkerListQuerySchema(PageRequestSchema):
    current = fields.Boolean(load_default=None, metadata={
        "description": "true: only those holding the grid today; false: only former ones"})


class GridWorkerSchema(Schema):
    id = fields.Integer()
    grid_code = fields.String()
    worker_id = fields.String()
    name = fields.String()
    phone = fields.String(allow_none=True, metadata={"description": "masked"})
    since = fields.Date()
    until = fields.Date(allow_none=True)
    current = fields.Boolean()
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


GridWorkerPageSchema = page_schema(GridWorkerSchema, "GridWorkerPage")
