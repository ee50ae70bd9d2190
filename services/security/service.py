"""The public security service: its database, and the entrypoints of each area, composed."""
from pathlib import Path

from services.security.entrypoints.grids import GridEntrypoints
from services.security.entrypoints.incidents import IncidentEntrypoints
from services.security.entrypoints.mediation import MediationEntrypoints
from services.security.entrypoints.patrols import PatrolEntrypoints
from services.security.entrypoints.petitions import PetitionEntrypoints
from services.security.entrypoints.special_populations import SpecialPopulationEntrypoints
from services.security.models import Base
from shared.context import Caller
from shared.db import Database
from shared.health import HealthMixin
from shared.rpc import ServiceRpc

MIGRATIONS = Path(__file__).parent / "migrations"


class SecurityService(GridEntrypoints, IncidentEntrypoints, PatrolEntrypoints,
                      MediationEntrypoints, SpecialPopulationEntrypoints, PetitionEntrypoints,
                      HealthMixin):
    name = "security"

    db = Database(Base, MIGRATIONS)
    caller = Caller()
    membership = ServiceRpc("membership")
