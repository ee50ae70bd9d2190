"""Assessment scheme routes: schemes, indicators, rules, the admission gate, manual scores, surveys.

Each route names its roles and schemas, then makes one RPC. Nothing else.
"""


class AssessmentSchemeRoutes:
    pass
