"""The points ledger: RPC payloads and results (the gateway documents them).

An entry renders as the scorecards area renders it (``LedgerEntrySchema``); its detail adds what
caused it: the rule and the event as received."""
from marshmallow import Schema, fields, validate

from services.assessments.domain.catalogue import ENTRY_SOURCES, SCORABLE_EVENTS
from services.assessments.schemas.schemes import RuleSchema
from services.assessments.schemas.scorecards import (
    AREA,
    PERIOD_KEY,
    ROW_ID,
    SUBJECT_REF,
    LedgerEntrySchema,
)
from shared.pagination import PageRequestSchema

EVENT_ID = validate.Regexp(r"^[0-9a-fA-F-]{36}$", error="an event id (a UUID)")


class LedgerListQuerySchema(PageRequestSchema):
    scheme_id = fields.Integer(load_default=None, validate=ROW_ID)
    subject_ref = fields.String(load_default=None, validate=SUBJECT_REF)
    period_key = fields.String(load_default=None, validate=PERIOD_KEY)
    source = fields.String(load_default=None, validate=validate.OneOf(ENTRY_SOURCES))
    event_id = fields.String(load_default=None, validate=EVENT_ID, metadata={
        "description": "the entries an event caused (and their corrections)"})
    event_type = fields.String(load_default=None, validate=validate.OneOf(tuple(SCORABLE_EVENTS)))
    code = fields.String(load_default=None, validate=AREA, metadata={
        "description": "entries of subjects lying in this area (default: your scope)"})


class ReplayCheckRequestSchema(Schema):
    scheme_id = fields.Integer(required=True, strict=True, validate=ROW_ID)


class IndicatorRefSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    weight = fields.Float()


class ReceivedEventSchema(Schema):
    event_id = fields.String()
    type = fields.String()
    occurred_at = fields.DateTime()
    org_code = fields.String()
    data = fields.Dict(metadata={"description": "the event's data as its producer sent it"})
    received_at = fields.DateTime()


class LedgerEntryDetailSchema(LedgerEntrySchema):
    indicator_detail = fields.Nested(IndicatorRefSchema)
    rule = fields.Nested(RuleSchema, allow_none=True, metadata={
        "description": "the rule as it stands now (a correction's reason says what changed)"})
    event = fields.Nested(ReceivedEventSchema, allow_none=True, metadata={
        "description": "the event that caused the entry, as received; null for manual and "
                       "survey entries"})
    corrected_by = fields.List(fields.Integer(), metadata={
        "description": "the entries correcting this one"})


class ReplayDifferenceSchema(Schema):
    subject_ref = fields.String()
    period_key = fields.String()
    figure = fields.String(metadata={"enum": ["total_hundredths", "entry_count", "hundredths"]})
    indicator_id = fields.Integer(allow_none=True, metadata={"description": "a line's indicator"})
    stored = fields.Integer(metadata={"description": "the scorecard as kept"})
    from_ledger = fields.Integer(metadata={"description": "Σ of the ledger's entries"})
    from_events = fields.Integer(allow_none=True, metadata={
        "description": "replayed from the received events (null: not replayed)"})


class ReplayCheckSchema(Schema):
    scheme_id = fields.Integer()
    events_replayed = fields.Integer()
    scorecards_compared = fields.Integer()
    differences = fields.List(fields.Nested(ReplayDifferenceSchema), metadata={
        "description": "empty: the scorecards equal both recomputations"})


class IngestedTypeSchema(Schema):
    type = fields.String()
    received = fields.Integer()
    last_received_at = fields.DateTime(allow_none=True)


class IngestionStatusSchema(Schema):
    received = fields.Integer(metadata={"description": "events received in all"})
    entries = fields.Integer(metadata={"description": "ledger entries in all"})
    last_received_at = fields.DateTime(allow_none=True)
    types = fields.List(fields.Nested(IngestedTypeSchema), metadata={
        "description": "each event type assessments listens to"})
