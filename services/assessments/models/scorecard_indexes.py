"""Indexes the scorecard reads need (no new tables): a ranking is one query over a scheme's
scorecards of one period in an area; a scorecard's explanation and the recomputation read the
ledger by scheme, subject and period; a correction chain is followed forward."""
from sqlalchemy import Index

from services.assessments.models.ledger import LedgerEntry, Scorecard

RANKING_INDEX = Index("ix_scorecards_scheme_period_org", Scorecard.scheme_id,
                      Scorecard.period_key, Scorecard.org_code)
EXPLANATION_INDEX = Index("ix_ledger_entries_scheme_subject_period", LedgerEntry.scheme_id,
                          LedgerEntry.subject_ref, LedgerEntry.period_key)
CORRECTION_INDEX = Index("ix_ledger_entries_corrects_entry_id", LedgerEntry.corrects_entry_id)
