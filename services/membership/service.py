"""The membership service: its database, and the entrypoints of each area, composed."""
from pathlib import Path

from services.membership.entrypoints.follow_ups import FollowUpEntrypoints
from services.membership.entrypoints.honours import HonourEntrypoints
from services.membership.entrypoints.imports import ImportEntrypoints
from services.membership.entrypoints.organisations import OrganisationEntrypoints
from services.membership.entrypoints.party_members import PartyMemberEntrypoints
from services.membership.entrypoints.residents import ResidentEntrypoints
from services.membership.entrypoints.territory import TerritoryEntrypoints
from services.membership.entrypoints.volunteers import VolunteerEntrypoints
from services.membership.models import Base
from shared.context import Caller
from shared.db import Database
from shared.health import HealthMixin

MIGRATIONS = Path(__file__).parent / "migrations"


class MembershipService(ImportEntrypoints, PartyMemberEntrypoints,
                        OrganisationEntrypoints, ResidentEntrypoints, TerritoryEntrypoints,
                        VolunteerEntrypoints, FollowUpEntrypoints, HonourEntrypoints, HealthMixin):
    name = "membership"

    db = Database(Base, MIGRATIONS)
    caller = Caller()
