"""Points ledger routes: the entries, each with what caused it, and the replay check.

Each route names its roles and schemas, then makes one RPC. Nothing else.
"""
from gateway.http import query_args, read_json, route
from services.assessments.domain.catalogue import INGESTION_STATUS_ROLES, LEDGER_REPLAY_ROLES
from services.assessments.schemas.ledger import (
    IngestionStatusSchema,
    LedgerEntryDetailSchema,
    LedgerListQuerySchema,
    ReplayCheckRequestSchema,
    ReplayCheckSchema,
)
from services.assessments.schemas.scorecards import LedgerEntryPageSchema

POINTS_LEDGER = "/api/v1/points-ledger"
TAG = "points-ledger"


class PointsLedgerRoutes:
    @route("GET", POINTS_LEDGER, query=LedgerListQuerySchema, response=LedgerEntryPageSchema,
           tag=TAG, summary="Points ledger 积分 entries of subjects in your scope, oldest first "
                            "(filter by scheme, subject, period, source, event); append-only: "
                            "a correction is a new entry")
    def list_ledger_entries(self, request):
        return self.assessments.points_ledger_list(query_args(request))

    @route("GET", POINTS_LEDGER + "/status", roles=INGESTION_STATUS_ROLES, response=IngestionStatusSchema,
           tag=TAG, summary="Ingestion status: events received per scored type, the last "
                            "received, ledger entries in all")
    def ledger_ingestion_status(self, request):
        return self.assessments.points_ledger_status()

    @route("GET", POINTS_LEDGER + "/<int:id>", response=LedgerEntryDetailSchema, tag=TAG,
           summary="One entry explained: its indicator, the rule and the event (type, time, "
                   "data) that caused it, and the entries correcting it")
    def get_ledger_entry(self, request, id):
        return self.assessments.points_ledger_get(id)

    @route("POST", POINTS_LEDGER + "/replay-checks", roles=LEDGER_REPLAY_ROLES,
           body=ReplayCheckRequestSchema, response=ReplayCheckSchema, tag=TAG,
           summary="Replay a scheme from scratch (the received events under its current rules, "
                   "plus manual and survey entries; and the ledger) and compare with the kept "
                   "scorecards: differences is empty when they agree")
    def ledger_replay_check(self, request):
        return self.assessments.points_ledger_replay_check(read_json(request))
