"""Scorecard events: the human inputs to the points ledger — a manual score (an inspection), a
satisfaction survey's result, a correction of an entry. Each names the ledger entry it made and
the scorecard it moved; ids, codes and figures only (a person subject is a membership id)."""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

CODE = validate.Regexp(r"^\d{6,18}$")
SUBJECT_KIND = validate.OneOf(["community", "street", "grid_worker", "party_member", "household",
                               "volunteer"])


class LedgerInputSchema(Schema):
    entry_id = fields.Integer(required=True, metadata={"description": "the ledger entry made"})
    scheme_id = fields.Integer(required=True)
    indicator = fields.String(required=True, metadata={"description": "the indicator's code"})
    subject_kind = fields.String(required=True, validate=SUBJECT_KIND)
    subject_ref = fields.String(required=True, metadata={
        "description": "a territory code, or a membership id for a person"})
    org_code = fields.String(required=True, validate=CODE, metadata={
        "description": "where the subject lies"})
    period_key = fields.String(required=True)
    points = fields.Float(required=True, metadata={"description": "what the entry adds"})
    weighted_points = fields.Float(required=True, metadata={
        "description": "what it adds to the scorecard's total"})


@event_type("assessments.manual_score_entered",
            "A manual score (an inspection 检查) was entered on a subject's scorecard, with "
            "its reason (kept in the ledger).")
class ManualScoreEntered(LedgerInputSchema):
    pass


@event_type("assessments.survey_result_recorded",
            "A satisfaction survey's result was recorded: its points (full marks × satisfied "
            "÷ respondents) entered, or, for a survey done again, the difference entered as a "
            "correction.")
class SurveyResultRecorded(LedgerInputSchema):
    survey_result_id = fields.Integer(required=True)
    respondents = fields.Integer(required=True)
    satisfied = fields.Integer(required=True)
    satisfaction_rate = fields.Float(required=True)
    meets_target = fields.Boolean(required=True, metadata={"description": "rate ≥ 80%"})


@event_type("assessments.points_corrected",
            "A ledger entry was corrected: a new entry (the next revision) adds the difference; "
            "the original stays.")
class PointsCorrected(LedgerInputSchema):
    corrects_entry_id = fields.Integer(required=True)
    revision = fields.Integer(required=True)
