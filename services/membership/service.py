"""The membership service: its database, and the entrypoints of each area, composed."""
from pathlib import Path

from services.membership.entrypoints.territory import TerritoryEntrypoints
from services.membership.models import Base
from shared.context import Caller
from shared.db import Database
from shared.health import HealthMixin

MIGRATIONS = Path(__file__).parent / "migrations"


class MembershipService(TerritoryEntrypoints, HealthMixin):
    name = "membership"

    db = Database(Base, MIGRATIONS)
    caller = Caller()
