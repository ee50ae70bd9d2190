"""The membership service's tables: one module per area, all on one declarative ``Base``.

Importing this package imports every area, so ``Base.metadata`` is whole (Alembic and the
Database provider rely on that).
"""
from services.membership.models.base import Base, InboxEntry, OutboxMessage
from services.membership.models.follow_ups import FollowUp  # noqa: F401
from services.membership.models.honours import Honour  # noqa: F401
from services.membership.models.imports import ResidentImport  # noqa: F401  (and its rows)
from services.membership.models.organisations import PartyOrganisation  # noqa: F401  (and the area's other tables)
from services.membership.models.party_members import PartyMember  # noqa: F401  (and the area's other tables)
from services.membership.models.residents import Household, Resident, ResidentFlag, ResidentMove  # noqa: F401
from services.membership.models.territory import TerritoryCodeAlias, TerritoryNode
from services.membership.models.volunteers import Volunteer  # noqa: F401  (and the area's other tables)

__all__ = ["Base", "InboxEntry", "OutboxMessage", "TerritoryCodeAlias", "TerritoryNode"]
