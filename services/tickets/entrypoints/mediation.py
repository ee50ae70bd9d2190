"""Mediation entrypoints: the outcome of a dispute ticket's mediation case reaches the ticket."""
from services.tickets import mediation
from shared.entrypoints import handles


class MediationOutcomeEntrypoints:
    @handles("security.mediation_closed")
    def ticket_on_mediation_closed(self, event: dict) -> dict:
        return mediation.record_outcome(self.db, event)
