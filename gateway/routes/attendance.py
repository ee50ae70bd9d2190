"""Attendance routes: each names its roles and schemas, then makes one RPC. Nothing else."""
from gateway.http import query_args, read_json, route
from services.learning.domain.catalogue import MANAGER_ROLES
from services.learning.schemas.attendance import (
    AttendanceResultSchema,
    AttendanceSheetSchema,
    CertificateListQuerySchema,
    CertificatePageSchema,
    CertificateVerificationSchema,
    RosterPageSchema,
    RosterQuerySchema,
)

SESSIONS = "/api/v1/sessions"
CERTIFICATES = "/api/v1/certificates"


class AttendanceRoutes:
    @route("POST", SESSIONS + "/<int:id>/attendance", roles=MANAGER_ROLES,
           body=AttendanceSheetSchema, response=AttendanceResultSchema, tag="attendance",
           summary="Sign in a class (bulk; all rows or none): present / late / excused / absent; "
                   "posting a resident again corrects them; completes who met the threshold")
    def record_attendance(self, request, id):
        return self.learning.attendance_record(id, read_json(request))

    @route("GET", SESSIONS + "/<int:id>/attendance", query=RosterQuerySchema,
           response=RosterPageSchema, tag="attendance",
           summary="A session's roster: every resident holding a seat, with their status or null")
    def attendance_roster(self, request, id):
        return self.learning.attendance_roster(id, query_args(request))

    @route("GET", CERTIFICATES, query=CertificateListQuerySchema, response=CertificatePageSchema,
           tag="attendance", summary="Certificates of the courses in your scope "
                                     "(filter by resident_id, course_id)")
    def list_certificates(self, request):
        return self.learning.certificates_list(query_args(request))

    @route("GET", CERTIFICATES + "/<number>", public=True, response=CertificateVerificationSchema,
           tag="attendance", summary="Verify a certificate by its number (public, no sign-in): "
                                     "course, school, the holder's name masked, valid or not")
    def verify_certificate(self, request, number):
        return self.learning.certificates_verify(number)
