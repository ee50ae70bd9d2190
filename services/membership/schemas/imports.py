"""Schemas of the bulk import RPC payloads and results (the gateway documents them)."""
from marshmallow import Schema, fields, validate

from services.membership.domain.imports import FORMATS, STATUSES
from shared.pagination import PageRequestSchema, page_schema


class ImportCreateSchema(Schema):
    format = fields.String(required=True, validate=validate.OneOf(FORMATS))
    text = fields.String(required=True)


class ImportSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES),
                           metadata={"description": "queued, running, done, or failed (a "
                                     "batch kept failing and was set aside: see failure)"})
    format = fields.String(required=True)
    scope = fields.String(required=True, metadata={"description": "the importer's scope: "
                                                                  "every row's grid lies in it"})
    total = fields.Integer(required=True, metadata={"description": "rows in the file"})
    processed = fields.Integer(required=True)
    applied = fields.Integer(required=True, metadata={"description": "residents registered"})
    rejected = fields.Integer(required=True, metadata={"description": "rows refused (see "
                                                                     "/errors)"})
    progress = fields.Float(required=True, metadata={"description": "percent processed"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    failure = fields.String(allow_none=True, metadata={
        "description": "why a failed import stopped; the rows already judged stay, and an "
                       "operator's `linli dlq replay` resumes it at the first pending row"})


class ImportErrorSchema(Schema):
    line = fields.Integer(required=True, metadata={"description": "the row's line in the file "
                                                                  "(the CSV header is line 1)"})
    field = fields.String(allow_none=True, required=True)
    reason = fields.String(required=True, metadata={"description": "never repeats an ID "
                                                                   "number"})


class ImportErrorQuerySchema(PageRequestSchema):
    pass


ImportErrorPageSchema = page_schema(ImportErrorSchema, "ImportErrorPage")
