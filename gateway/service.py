"""The gateway: its dependencies, and the routes of each area, composed."""
from nameko.dependency_providers import Config

from gateway.routes.imports import ImportRoutes
from gateway.routes.operations import OperationsRoutes
from gateway.routes.organisations import OrganisationRoutes
from gateway.routes.party_members import PartyMemberRoutes
from gateway.routes.residents import ResidentRoutes
from gateway.routes.territory import TerritoryRoutes
from gateway.routes.volunteers import VolunteerRoutes
from shared.context import Caller
from shared.rpc import ServiceRpc


class GatewayService(ImportRoutes, PartyMemberRoutes,
                     OperationsRoutes, OrganisationRoutes, ResidentRoutes, TerritoryRoutes, VolunteerRoutes):
    name = "gateway"

    config = Config()
    caller = Caller()
    membership = ServiceRpc("membership")
    tickets = ServiceRpc("tickets")
