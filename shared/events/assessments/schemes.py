"""Assessment scheme 考核方案 events: the admission gate 准入 (submitted, approved, rejected), a
scheme starting and ceasing to count, and a scoring rule changed. Ids, codes and kinds only."""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

CODE = validate.Regexp(r"^\d{6,18}$")
SUBJECT_KIND = validate.OneOf(["community", "street", "grid_worker", "party_member", "household",
                               "volunteer"])
PERIOD = validate.OneOf(["month", "quarter", "year"])
STATUS = validate.OneOf(["draft", "pending_approval", "active", "rejected", "retired"])


class SchemeStepSchema(Schema):
    scheme_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE, metadata={
        "description": "the area whose subjects the scheme assesses"})
    subject_kind = fields.String(required=True, validate=SUBJECT_KIND)
    period = fields.String(required=True, validate=PERIOD)
    status = fields.String(required=True, validate=STATUS, metadata={
        "description": "the status after the step"})
    counts_from = fields.Date(required=True)
    counts_until = fields.Date(required=True, allow_none=True)


@event_type("assessments.scheme_submitted",
            "A scheme was submitted: one imposed on communities now waits for the district's "
            "approval (`status` pending_approval); a street scheme is active at once (and "
            "`assessments.scheme_activated` follows).")
class SchemeSubmitted(SchemeStepSchema):
    pass


@event_type("assessments.scheme_approved",
            "The district leading group approved a scheme imposed on communities 准入; it is "
            "active (`assessments.scheme_activated` follows).")
class SchemeApproved(SchemeStepSchema):
    pass


@event_type("assessments.scheme_rejected",
            "The district leading group rejected a scheme; its authors may change it and "
            "submit it again.")
class SchemeRejected(SchemeStepSchema):
    pass


@event_type("assessments.scheme_activated",
            "A scheme started counting: events in its window are scored from now on, and "
            "those already received have been scored. Follows an approval, or the submission "
            "of a scheme that needs none.")
class SchemeActivated(SchemeStepSchema):
    pass


@event_type("assessments.scheme_retired",
            "A scheme was retired: it counts nothing new; its scorecards stay.")
class SchemeRetired(SchemeStepSchema):
    pass


@event_type("assessments.scoring_rule_changed",
            "A scoring rule of a scheme was added, changed or removed; on an active scheme the "
            "events already counted were scored again (corrections in the ledger).")
class ScoringRuleChanged(Schema):
    scheme_id = fields.Integer(required=True)
    rule_id = fields.Integer(required=True)
    org_code = fields.String(required=True, validate=CODE)
    change = fields.String(required=True, validate=validate.OneOf(["added", "changed",
                                                                   "removed"]))
    event_type = fields.String(required=True, metadata={"description": "the rule's event type"})
    scheme_status = fields.String(required=True, validate=STATUS)
    rescored = fields.Boolean(required=True, metadata={
        "description": "the scheme is active: the events already counted were scored again"})
