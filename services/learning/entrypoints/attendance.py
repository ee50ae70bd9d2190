"""Attendance entrypoints: a class's sign-in (completion and certificates follow), the roster,
and certificates (verified by anyone, listed within scope)."""
from services.learning import attendance, certificates
from shared.entrypoints import rpc


class AttendanceEntrypoints:
    @rpc
    def attendance_record(self, session_id: int, payload: dict) -> dict:
        return attendance.record_attendance(self.db, session_id, payload)

    @rpc
    def attendance_roster(self, session_id: int, query: dict) -> dict:
        return attendance.roster(self.db, session_id, query)

    @rpc
    def certificates_verify(self, number: str) -> dict:
        return certificates.verify(self.db, number)

    @rpc
    def certificates_list(self, query: dict) -> dict:
        return certificates.list_certificates(self.db, query)
