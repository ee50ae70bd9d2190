"""Bulk import events. They carry counts only: no row, no name, no ID number."""
from marshmallow import Schema, fields

from shared.events.registry import event_type


@event_type("membership.resident_import_queued",
            "A file of residents was accepted for import; membership works through it in "
            "batches (each batch is the next `membership.resident_import_progressed`).")
class ResidentImportQueued(Schema):
    import_id = fields.Integer(required=True)
    total = fields.Integer(required=True)


@event_type("membership.resident_import_progressed",
            "A batch of an import's rows was applied or rejected; more rows remain.")
class ResidentImportProgressed(Schema):
    import_id = fields.Integer(required=True)
    processed = fields.Integer(required=True)
    total = fields.Integer(required=True)


@event_type("membership.resident_import_failed",
            "A batch of an import kept failing and was set aside in the dead letters; the job "
            "stops as failed with the rows judged so far (replaying the dead letter resumes it).")
class ResidentImportFailed(Schema):
    import_id = fields.Integer(required=True)
    processed = fields.Integer(required=True)
    total = fields.Integer(required=True)


@event_type("membership.resident_import_finished",
            "Every row of an import was applied or rejected (the residents registered have "
            "their own `membership.resident_registered` events).")
class ResidentImportFinished(Schema):
    import_id = fields.Integer(required=True)
    total = fields.Integer(required=True)
    applied = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
