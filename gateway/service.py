"""The gateway: its dependencies, and the routes of each area, composed."""
from nameko.dependency_providers import Config

from gateway.routes.operations import OperationsRoutes
from gateway.routes.territory import TerritoryRoutes
from shared.context import Caller
from shared.rpc import ServiceRpc


class GatewayService(OperationsRoutes, TerritoryRoutes):
    name = "gateway"

    config = Config()
    caller = Caller()
    membership = ServiceRpc("membership")
