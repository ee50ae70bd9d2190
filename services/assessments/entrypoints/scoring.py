"""Scoring entrypoints: the events that become points, the ledger, scorecards and rankings."""


class ScoringEntrypoints:
    pass
