"""party_study routes: each names its roles and schemas, then makes one RPC. Nothing else."""
from gateway.http import json_response, query_args, read_json, route
from services.learning.domain.catalogue import MANAGER_ROLES
from services.learning.schemas.party_study import (
    StudyAttendanceListQuerySchema,
    StudyAttendancePageSchema,
    StudyAttendanceResultSchema,
    StudyAttendanceSheetSchema,
    StudyNoteCreateSchema,
    StudyNoteListQuerySchema,
    StudyNotePageSchema,
    StudyNoteSchema,
    StudyPlanCreateSchema,
    StudyPlanResultSchema,
    StudyQuotaQuerySchema,
    StudyQuotaReportSchema,
    StudySessionCreateSchema,
    StudySessionListQuerySchema,
    StudySessionPageSchema,
    StudySessionSchema,
    StudySessionUpdateSchema,
)

STUDY_SESSIONS = "/api/v1/study-sessions"
STUDY_PLANS = "/api/v1/study-plans"
STUDY_QUOTAS = "/api/v1/study-quotas"
TAG = "party study"


class PartyStudyRoutes:
    @route("GET", STUDY_SESSIONS, query=StudySessionListQuerySchema,
           response=StudySessionPageSchema, tag=TAG,
           summary="Party branches' study sessions in your scope (filter by code, branch, kind, "
                   "status, from/to)")
    def list_study_sessions(self, request):
        return self.learning.study_sessions_list(query_args(request))

    @route("POST", STUDY_SESSIONS, roles=MANAGER_ROLES, body=StudySessionCreateSchema,
           response=StudySessionSchema, status=201, tag=TAG,
           summary="Schedule one study session of a branch (study day, 三会一课 meeting or lesson)")
    def create_study_session(self, request):
        session = self.learning.study_sessions_create(read_json(request))
        return json_response(session, status=201,
                             headers={"Location": f"{STUDY_SESSIONS}/{session['id']}"})

    @route("POST", STUDY_PLANS, roles=MANAGER_ROLES, body=StudyPlanCreateSchema,
           response=StudyPlanResultSchema, status=201, tag=TAG,
           summary="Plan a branch's sessions on a cadence from `from` to `to` (weekly study "
                   "days, monthly meetings, quarterly lessons); dates already planned are kept")
    def plan_study_sessions(self, request):
        return self.learning.study_plans_create(read_json(request))

    @route("GET", STUDY_SESSIONS + "/<int:id>", response=StudySessionSchema, tag=TAG,
           summary="One study session, with its attendance counts and notes written")
    def get_study_session(self, request, id):
        return self.learning.study_sessions_get(id)

    @route("PATCH", STUDY_SESSIONS + "/<int:id>", roles=MANAGER_ROLES,
           body=StudySessionUpdateSchema, response=StudySessionSchema, tag=TAG,
           summary="Change a study session's topic, time, venue or speaker, or cancel it")
    def update_study_session(self, request, id):
        return self.learning.study_sessions_update(id, read_json(request))

    @route("POST", STUDY_SESSIONS + "/<int:id>/attendance", roles=MANAGER_ROLES,
           body=StudyAttendanceSheetSchema, response=StudyAttendanceResultSchema, tag=TAG,
           summary="Sign in the branch's members (bulk; all rows or none): present / late / "
                   "excused / absent; posting a member again changes their status")
    def record_study_attendance(self, request, id):
        return self.learning.study_sessions_record_attendance(id, read_json(request))

    @route("GET", STUDY_SESSIONS + "/<int:id>/attendance", query=StudyAttendanceListQuerySchema,
           response=StudyAttendancePageSchema, tag=TAG, summary="A study session's sign-in roster")
    def study_attendance_roster(self, request, id):
        return self.learning.study_sessions_attendance(id, query_args(request))

    @route("POST", STUDY_SESSIONS + "/<int:id>/notes", roles=MANAGER_ROLES,
           body=StudyNoteCreateSchema, response=StudyNoteSchema, status=201, tag=TAG,
           summary="A member's study notes (at least the session's minimum length) and "
                   "reflection; one per member and session")
    def write_study_note(self, request, id):
        return self.learning.study_sessions_write_note(id, read_json(request))

    @route("GET", STUDY_SESSIONS + "/<int:id>/notes", query=StudyNoteListQuerySchema,
           response=StudyNotePageSchema, tag=TAG, summary="A study session's notes")
    def list_study_notes(self, request, id):
        return self.learning.study_sessions_notes(id, query_args(request))

    @route("GET", STUDY_QUOTAS, query=StudyQuotaQuerySchema, response=StudyQuotaReportSchema,
           tag=TAG, summary="Yearly study quotas per member of a branch (or of the branches "
                            "under `code`): attended, met, behind pro rata, shortfall")
    def study_quotas(self, request):
        return self.learning.study_quotas(query_args(request))
