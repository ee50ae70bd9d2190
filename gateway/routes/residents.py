"""Resident, household and export routes: each names its roles and schemas, then makes its RPC."""
import csv
import io

from werkzeug.wrappers import Response

from gateway.http import json_response, query_args, read_json, route
from services.membership.domain import residents as resident_rules
from services.membership.schemas.residents import (
    ExportQuerySchema,
    FlagClearSchema,
    FlagSetSchema,
    HouseholdCreateSchema,
    HouseholdListQuerySchema,
    HouseholdPageSchema,
    HouseholdSchema,
    HouseholdUpdateSchema,
    MemberAddSchema,
    MoveSchema,
    ResidentCreateSchema,
    ResidentListQuerySchema,
    ResidentPageSchema,
    ResidentSchema,
    ResidentUpdateSchema,
)

# The gateway turns away roles that can never write; the service decides the finer rules
# (scope, and that restricted flags are kept by security officers only).
WRITERS = resident_rules.WRITER_ROLES
FLAG_EDITORS = (*resident_rules.WRITER_ROLES, resident_rules.SECURITY_ROLE)
RESIDENTS = "/api/v1/residents"
HOUSEHOLDS = "/api/v1/households"
RESIDENT = RESIDENTS + "/<int:id>"
HOUSEHOLD = HOUSEHOLDS + "/<int:id>"
EXPORT_COLUMNS = ("id", "name", "gender", "birth_date", "id_number", "phone", "address",
                  "grid_code", "household_id", "residence", "status", "moved_out_on", "flags")
EXPORT_PAGE = 1000


def _cell(value) -> str:
    """A CSV cell; text a spreadsheet would run as a formula is quoted with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _body_or_query(request) -> dict:
    """A DELETE may carry its reason as a JSON body or as query parameters."""
    if request.content_length or request.headers.get("Transfer-Encoding"):
        return read_json(request)
    return query_args(request)


class ResidentRoutes:
    @route("GET", RESIDENTS, query=ResidentListQuerySchema, response=ResidentPageSchema,
           tag="residents", summary="Residents in your scope (by name, territory code, flag, "
                                    "age band, registered/floating); phones masked")
    def residents_list(self, request):
        return self.membership.residents_list(query_args(request))

    @route("POST", RESIDENTS, roles=WRITERS, body=ResidentCreateSchema, response=ResidentSchema,
           status=201, tag="residents", summary="Register a resident in a grid of your scope")
    def residents_register(self, request):
        resident = self.membership.residents_register(read_json(request))
        return json_response(resident, status=201,
                             headers={"Location": f"{RESIDENTS}/{resident['id']}"})

    @route("GET", RESIDENT, response=ResidentSchema, tag="residents",
           summary="One resident (ID number masked, phone whole, flag history)")
    def residents_get(self, request, id):
        return self.membership.residents_get(id)

    @route("PATCH", RESIDENT, roles=WRITERS, body=ResidentUpdateSchema, response=ResidentSchema,
           tag="residents", summary="Correct or complete a resident's record")
    def residents_update(self, request, id):
        return self.membership.residents_update(id, read_json(request))

    @route("POST", RESIDENT + "/moves", roles=WRITERS, body=MoveSchema, response=ResidentSchema,
           tag="residents", summary="Move a resident to another grid, or out of the territory")
    def residents_move(self, request, id):
        return self.membership.residents_move(id, read_json(request))

    @route("POST", RESIDENT + "/flags", roles=FLAG_EDITORS, body=FlagSetSchema,
           response=ResidentSchema, tag="residents",
           summary="Set a flag with a reason and a date (restricted flags: security officers)")
    def residents_set_flag(self, request, id):
        return self.membership.residents_set_flag(id, read_json(request))

    @route("DELETE", RESIDENT + "/flags/<flag>", roles=FLAG_EDITORS, body=FlagClearSchema,
           response=ResidentSchema, tag="residents",
           summary="Clear a flag with a reason (JSON body, or query parameters); history kept")
    def residents_clear_flag(self, request, id, flag):
        return self.membership.residents_clear_flag(id, flag, _body_or_query(request))

    @route("GET", HOUSEHOLDS, query=HouseholdListQuerySchema, response=HouseholdPageSchema,
           tag="households", summary="Households in your scope")
    def households_list(self, request):
        return self.membership.households_list(query_args(request))

    @route("POST", HOUSEHOLDS, roles=WRITERS, body=HouseholdCreateSchema,
           response=HouseholdSchema, status=201, tag="households",
           summary="Record a household in a grid of your scope")
    def households_create(self, request):
        household = self.membership.households_create(read_json(request))
        return json_response(household, status=201,
                             headers={"Location": f"{HOUSEHOLDS}/{household['id']}"})

    @route("GET", HOUSEHOLD, response=HouseholdSchema, tag="households",
           summary="One household with its members")
    def households_get(self, request, id):
        return self.membership.households_get(id)

    @route("PATCH", HOUSEHOLD, roles=WRITERS, body=HouseholdUpdateSchema,
           response=HouseholdSchema, tag="households",
           summary="Change the address, the representative (a member) or the designations")
    def households_update(self, request, id):
        return self.membership.households_update(id, read_json(request))

    @route("POST", HOUSEHOLD + "/members", roles=WRITERS, body=MemberAddSchema,
           response=HouseholdSchema, tag="households", summary="Add a resident to a household")
    def households_add_member(self, request, id):
        return self.membership.households_add_member(id, read_json(request))

    @route("DELETE", HOUSEHOLD + "/members/<int:resident_id>", roles=WRITERS,
           response=HouseholdSchema, tag="households",
           summary="Take a resident out of a household")
    def households_remove_member(self, request, id, resident_id):
        return self.membership.households_remove_member(id, resident_id)

    @route("GET", "/api/v1/exports/residents", query=ExportQuerySchema, tag="residents",
           summary="A community's residents as CSV (UTF-8 with BOM; ID numbers and phones "
                   "masked; restricted flags only for security officers)")
    def residents_export(self, request):
        args = query_args(request)
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        cursor = None
        while True:
            page = self.membership.residents_export_page(
                {**args, "limit": EXPORT_PAGE, **({"cursor": cursor} if cursor else {})})
            for row in page["items"]:
                flags = ";".join(flag["flag"] for flag in row["flags"])
                writer.writerow([_cell(row[column]) for column in EXPORT_COLUMNS[:-1]]
                                + [flags])
            cursor = page["next_cursor"]
            if not cursor:
                break
        name = f"residents-{args.get('community', '')}.csv"
        return Response(out.getvalue().encode("utf-8"), status=200,
                        content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
