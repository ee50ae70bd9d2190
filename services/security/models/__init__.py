"""The security service's tables: one module per area, all on one declarative ``Base``.

Importing this package imports every area, so ``Base.metadata`` is whole (Alembic and the
Database provider rely on that).
"""
from services.security.models import (
    incidents,  # noqa: F401,E402
    mediation,  # noqa: F401,E402
    patrols,  # noqa: F401,E402
    petitions,  # noqa: F401,E402
    special_populations,  # noqa: F401,E402
)
from services.security.models.base import Base, InboxEntry, OutboxMessage

__all__ = ["Base", "InboxEntry", "OutboxMessage"]
