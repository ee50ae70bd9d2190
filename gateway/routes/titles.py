"""Title routes: nomination, review, public notice, granted or withdrawn.

Each route names its roles and schemas, then makes one RPC. Nothing else.
"""


class TitleRoutes:
    pass
