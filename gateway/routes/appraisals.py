"""Appraisal routes: democratic appraisal, five goods branch ratings, commitment cards.

Each route names its roles and schemas, then makes one RPC. Nothing else.
"""


class AppraisalRoutes:
    pass
