"""Points ledger routes: the entries, each with what caused it, and the replay check.

Each route names its roles and schemas, then makes one RPC. Nothing else.
"""


class PointsLedgerRoutes:
    pass
