"""special_populations routes: each names its roles and schemas, then makes one RPC. Nothing else.

Supervision files are restricted: every route names only the security officer, so any other
role is refused (403) before the service is asked; the service refuses them again.
"""
from gateway.http import json_response, query_args, read_json, route
from services.security.domain.catalogue import SECURITY_ROLES, WORKER_ROLES
from services.security.schemas.special_populations import (
    FloatingCheckCreateSchema,
    FloatingCheckListQuerySchema,
    FloatingCheckPageSchema,
    FloatingCheckSchema,
    FloatingRateQuerySchema,
    FloatingRateReportSchema,
    SupervisionClosureSchema,
    SupervisionFileCreateSchema,
    SupervisionFileListQuerySchema,
    SupervisionFilePageSchema,
    SupervisionFileSchema,
    SupervisionFileUpdateSchema,
    SupervisionHistoryQuerySchema,
    SupervisionScreeningCreateSchema,
    SupervisionScreeningPageSchema,
    SupervisionScreeningResultSchema,
    SupervisionSummaryQuerySchema,
    SupervisionSummarySchema,
    SupervisionVisitCreateSchema,
    SupervisionVisitPageSchema,
    SupervisionVisitResultSchema,
)

FILES = "/api/v1/supervision-files"
FLOATING = "/api/v1/floating-checks"
TAG = "special populations"


class SpecialPopulationRoutes:
    @route("GET", FILES, roles=SECURITY_ROLES, query=SupervisionFileListQuerySchema,
           response=SupervisionFilePageSchema, tag=TAG,
           summary="Supervision files 刑释解教 / 社区矫正 in your scope (security officers only; "
                   "filter by code, status, overdue_visit, overdue_screening, category, risk)")
    def list_supervision_files(self, request):
        return self.security.supervision_files_list(query_args(request))

    @route("POST", FILES, roles=SECURITY_ROLES, body=SupervisionFileCreateSchema,
           response=SupervisionFileSchema, status=201, tag=TAG,
           summary="Open a resident's supervision file with a one-to-one helper (security "
                   "officers only)")
    def open_supervision_file(self, request):
        opened = self.security.supervision_files_create(read_json(request))
        return json_response(opened, status=201, headers={"Location": f"{FILES}/{opened['id']}"})

    @route("GET", FILES + "/summary", roles=SECURITY_ROLES, query=SupervisionSummaryQuerySchema,
           response=SupervisionSummarySchema, tag=TAG,
           summary="Per community: open files, overdue, reintegrated this year (security "
                   "officers only)")
    def supervision_summary(self, request):
        return self.security.supervision_files_summary(query_args(request))

    @route("GET", FILES + "/<int:id>", roles=SECURITY_ROLES, response=SupervisionFileSchema,
           tag=TAG, summary="One supervision file (security officers only)")
    def get_supervision_file(self, request, id):
        return self.security.supervision_files_get(id)

    @route("PATCH", FILES + "/<int:id>", roles=SECURITY_ROLES, body=SupervisionFileUpdateSchema,
           response=SupervisionFileSchema, tag=TAG,
           summary="Change a file's supervision end, helper or visit cadence")
    def update_supervision_file(self, request, id):
        return self.security.supervision_files_update(id, read_json(request))

    @route("POST", FILES + "/<int:id>/visits", roles=SECURITY_ROLES,
           body=SupervisionVisitCreateSchema, response=SupervisionVisitResultSchema, status=201,
           tag=TAG, summary="Record a visit to the supervised person")
    def record_supervision_visit(self, request, id):
        return self.security.supervision_files_record_visit(id, read_json(request))

    @route("POST", FILES + "/<int:id>/screenings", roles=SECURITY_ROLES,
           body=SupervisionScreeningCreateSchema, response=SupervisionScreeningResultSchema,
           status=201, tag=TAG,
           summary="Record a re-screening (every 90 days); it may change the risk level and so "
                   "the visit cadence")
    def record_supervision_screening(self, request, id):
        return self.security.supervision_files_record_screening(id, read_json(request))

    @route("GET", FILES + "/<int:id>/visits", roles=SECURITY_ROLES,
           query=SupervisionHistoryQuerySchema, response=SupervisionVisitPageSchema, tag=TAG,
           summary="A file's visits, in the order recorded")
    def list_supervision_visits(self, request, id):
        return self.security.supervision_files_visits(id, query_args(request))

    @route("GET", FILES + "/<int:id>/screenings", roles=SECURITY_ROLES,
           query=SupervisionHistoryQuerySchema, response=SupervisionScreeningPageSchema, tag=TAG,
           summary="A file's re-screenings, in the order recorded")
    def list_supervision_screenings(self, request, id):
        return self.security.supervision_files_screenings(id, query_args(request))

    @route("POST", FILES + "/<int:id>/closure", roles=SECURITY_ROLES,
           body=SupervisionClosureSchema, response=SupervisionFileSchema, tag=TAG,
           summary="Close a file: reintegrated, moved_away, deceased or transferred")
    def close_supervision_file(self, request, id):
        return self.security.supervision_files_close(id, read_json(request))

    @route("GET", FLOATING, query=FloatingCheckListQuerySchema, response=FloatingCheckPageSchema,
           tag=TAG, summary="Floating-population registration checks in your scope")
    def list_floating_checks(self, request):
        return self.security.floating_checks_list(query_args(request))

    @route("POST", FLOATING, roles=WORKER_ROLES, body=FloatingCheckCreateSchema,
           response=FloatingCheckSchema, status=201, tag=TAG,
           summary="Record a registration check of a floating resident 流动人口")
    def record_floating_check(self, request):
        return self.security.floating_checks_create(read_json(request))

    @route("GET", FLOATING + "/rates", query=FloatingRateQuerySchema,
           response=FloatingRateReportSchema, tag=TAG,
           summary="Check rate per community in a period: floating residents, distinct checked, "
                   "rate against the 100% target")
    def floating_check_rates(self, request):
        return self.security.floating_checks_rates(query_args(request))
