"""The assessments service's tables: one module per area, all on one declarative ``Base``.

Importing this package imports every area, so ``Base.metadata`` is whole (Alembic and the
Database provider rely on that).
"""
from services.assessments.models import (
    appraisals,  # noqa: F401,E402
    ledger,  # noqa: F401,E402
    schemes,  # noqa: F401,E402
    scorecard_indexes,  # noqa: F401,E402
    titles,  # noqa: F401,E402
)
from services.assessments.models.base import Base, InboxEntry, OutboxMessage

__all__ = ["Base", "InboxEntry", "OutboxMessage"]
