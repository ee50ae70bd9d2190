"""Scoring entrypoints: the events assessments listens to become points in the ledger; the
ledger is read and replayed.

One handler per type in ``catalogue.SCORABLE_EVENTS``, made below in a loop: nameko finds an
entrypoint as an attribute of the service class, and ``handles`` keeps each one's inbox by its
function's name (``on_tickets_ticket_resolved``...).
"""
from services.assessments import scoring
from services.assessments.domain.catalogue import SCORABLE_EVENTS
from shared.entrypoints import handles, rpc


class ScoringEntrypoints:
    @rpc
    def points_ledger_list(self, query: dict) -> dict:
        return scoring.list_entries(self.db, query)

    @rpc
    def points_ledger_get(self, entry_id: int) -> dict:
        return scoring.get_entry(self.db, entry_id)

    @rpc
    def points_ledger_replay_check(self, payload: dict) -> dict:
        return scoring.replay_check(self.db, payload)

    @rpc
    def points_ledger_status(self) -> dict:
        return scoring.ingestion_status(self.db)


def handler_name(event_type: str) -> str:
    return "on_" + event_type.replace(".", "_")


def _scoring_handler(event_type: str):
    def receive(self, envelope: dict) -> dict:
        return scoring.receive(self.db, envelope)

    receive.__name__ = receive.__qualname__ = handler_name(event_type)
    return handles(event_type)(receive)


for _event_type in SCORABLE_EVENTS:
    setattr(ScoringEntrypoints, handler_name(_event_type), _scoring_handler(_event_type))
