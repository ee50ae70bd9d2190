"""Scorecard entrypoints: scorecards and what explains them, rankings, manual scores, survey
results and corrections."""


class ScorecardEntrypoints:
    pass
