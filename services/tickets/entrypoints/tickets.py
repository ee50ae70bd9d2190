"""Ticket and category entrypoints: look up what membership knows (the grid, the reporter, a
volunteer), call the use case, return. Nothing else."""
from services.tickets import categories, tickets
from shared import membership as asked
from shared.entrypoints import rpc
from shared.errors import Forbidden, NotFound


class TicketEntrypoints:
    @rpc
    def ticket_categories_list(self, query: dict) -> dict:
        return categories.list_categories(self.db, query)

    @rpc
    def ticket_categories_get(self, code: str) -> dict:
        return categories.get_category(self.db, code)

    @rpc
    def ticket_categories_create(self, payload: dict) -> dict:
        return categories.create_category(self.db, payload)

    @rpc
    def ticket_categories_update(self, code: str, payload: dict) -> dict:
        return categories.update_category(self.db, code, payload)

    @rpc
    def tickets_create(self, payload: dict) -> dict:
        data = tickets.check_create(self.db, payload)
        grid = asked.grid(self.membership, data["location"]["grid_code"], "location.grid_code")
        resident = None
        resident_id = (data["reporter"] or {}).get("resident_id")
        if resident_id is not None and not data["anonymous"]:
            resident = asked.resident(self.membership, resident_id, "reporter.resident_id")
        return tickets.create_ticket(self.db, payload, grid, resident)

    @rpc
    def tickets_get(self, ticket_id: int) -> dict:
        return tickets.get_ticket(self.db, ticket_id)

    @rpc
    def tickets_list(self, query: dict) -> dict:
        return tickets.list_tickets(self.db, query)

    @rpc
    def tickets_transitions(self, ticket_id: int, query: dict) -> dict:
        return tickets.list_transitions(self.db, ticket_id, query)

    @rpc
    def tickets_transition(self, ticket_id: int, payload: dict) -> dict:
        data = tickets.check_transition(self.db, payload)
        volunteer = None
        assignee = data["assignee"]
        if data["action"] == "dispatch" and assignee and assignee["kind"] == "volunteer" \
                and assignee["ref"].isdigit() and 0 < int(assignee["ref"]) < 2**31:
            tickets.get_ticket(self.db, ticket_id)  # a ticket out of reach is a 404 first
            try:
                volunteer = self.membership.volunteers_get(int(assignee["ref"]))
            except (NotFound, Forbidden):
                volunteer = None  # the use case names assignee.ref
        return tickets.transition(self.db, ticket_id, payload, volunteer=volunteer)

    @rpc
    def tickets_rate(self, ticket_id: int, payload: dict) -> dict:
        return tickets.rate(self.db, ticket_id, payload)
