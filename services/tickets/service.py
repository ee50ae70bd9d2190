"""The tickets service: its database, and the entrypoints of each area, composed."""
from pathlib import Path

from services.tickets.models import Base
from shared.context import Caller
from shared.db import Database
from shared.health import HealthMixin
from shared.rpc import ServiceRpc

MIGRATIONS = Path(__file__).parent / "migrations"


class TicketsService(HealthMixin):
    name = "tickets"

    db = Database(Base, MIGRATIONS)
    caller = Caller()
    membership = ServiceRpc("membership")
