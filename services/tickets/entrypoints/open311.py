"""Open311 GeoReport v2 entrypoints: call the use case, return. Nothing else."""
from services.tickets import open311
from shared.entrypoints import rpc


class Open311Entrypoints:
    @rpc
    def open311_services(self, query: dict) -> list:
        return open311.list_services(self.db, query)

    @rpc
    def open311_changeset(self) -> str:
        return open311.changeset(self.db)

    @rpc
    def open311_service_definition(self, service_code: str, query: dict) -> dict:
        return open311.service_definition(self.db, service_code, query)

    @rpc
    def open311_requests(self, query: dict) -> dict:
        return open311.list_requests(self.db, query)

    @rpc
    def open311_request(self, service_request_id: int, query: dict) -> list:
        return open311.get_request(self.db, service_request_id, query)

    @rpc
    def open311_token(self, token: str, query: dict) -> list:
        return open311.request_id_from_token(self.db, token, query)

    @rpc
    def open311_updates(self, query: dict) -> dict:
        return open311.list_updates(self.db, query)

    @rpc
    def open311_ticket_payload(self, form: dict) -> dict:
        return open311.ticket_payload(self.db, form)
