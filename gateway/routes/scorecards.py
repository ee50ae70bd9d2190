"""Scoring routes: scorecards, rankings, the points ledger.

Each route names its roles and schemas, then makes one RPC. Nothing else.
"""


class ScorecardRoutes:
    pass
