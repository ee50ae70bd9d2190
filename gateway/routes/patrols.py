"""patrols routes: each names its roles and schemas, then makes one RPC. Nothing else."""


class PatrolRoutes:
    pass
