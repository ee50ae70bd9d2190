"""Scoring entrypoints: the events assessments listens to become points in the ledger; the
ledger is read and replayed."""


class ScoringEntrypoints:
    pass
