"""The tickets service: its database, and the entrypoints of each area, composed."""
from pathlib import Path

from services.tickets.entrypoints.assistance import AssistanceEntrypoints
from services.tickets.entrypoints.care import CareEntrypoints
from services.tickets.entrypoints.mediation import MediationOutcomeEntrypoints
from services.tickets.entrypoints.open311 import Open311Entrypoints
from services.tickets.entrypoints.sla import SlaEntrypoints
from services.tickets.entrypoints.tickets import TicketEntrypoints
from services.tickets.models import Base
from shared.context import Caller
from shared.db import Database
from shared.health import HealthMixin
from shared.rpc import ServiceRpc

MIGRATIONS = Path(__file__).parent / "migrations"


class TicketsService(AssistanceEntrypoints, CareEntrypoints, MediationOutcomeEntrypoints,
                     TicketEntrypoints, Open311Entrypoints, SlaEntrypoints,
                     HealthMixin):
    name = "tickets"

    db = Database(Base, MIGRATIONS)
    caller = Caller()
    membership = ServiceRpc("membership")
