"""party_study routes: each names its roles and schemas, then makes one RPC. Nothing else.

The quotas are also drawn as an SVG bar chart, as ``ticket_sla.rates_svg`` draws the ticket rates
(plain SVG text, no plotting library).
"""
import re
from html import escape

from werkzeug.wrappers import Response

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
QUOTA_BARS = (("study_days_attended", "min_study_days", "study_days", "学习日 study days"),
              ("sessions_attended", "min_sessions", "sessions", "参学 sessions"))
STANDING_COLOURS = {"behind": "#e15759", "met": "#59a14f", "on track": "#4e79a7"}
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value) -> str:
    """``value`` escaped for SVG text; a character XML cannot carry (a control character in a
    name) is shown as U+FFFD instead of breaking the document."""
    return escape(NOT_XML.sub("\ufffd", str(value)))


def quotas_svg(report: dict) -> str:
    """Per member of the page: their name, then a bar per quota (study days, sessions) whose scale
    ends at the quota (more than the quota stops at the end; the figure says how many), with the
    pro-rata ``expected_so_far`` as a dashed line; behind in red (labelled), met in green, blue
    otherwise. The summary in the title is over every member, not only this page."""
    width, x0, name_width, column, scale, bar_height = 900, 10, 160, 340, 240.0, 14
    area = report["code"] if report["branch_id"] is None else f"branch {report['branch_id']}"
    summary = report["summary"]
    title = (f"党员学习 yearly study quotas — {area} — {report['year']} (as of {report['as_of']}) — "
             f"{summary['members']} members, {summary['met']} met, {summary['behind']} behind")
    parts = [f'<text x="{x0}" y="20" font-weight="bold" font-size="14">{_text(title)}</text>']
    top = y = 58
    for row in report["items"]:
        standing = "met" if row["met"] else "behind" if row["behind"] else "on track"
        colour = STANDING_COLOURS[standing]
        parts.append(f'<text x="{x0}" y="{y + 11}">{_text(row["name"])}</text>')
        for n, (attended_key, quota_key, _, _) in enumerate(QUOTA_BARS):
            bar_x, attended, quota = x0 + name_width + n * column, row[attended_key], report[quota_key]
            length = scale * min(attended, quota) / quota
            parts.append(f'<rect x="{bar_x}" y="{y}" width="{length:.1f}" height="{bar_height}" '
                         f'fill="{colour}"/><text x="{bar_x + length + 4:.1f}" y="{y + 11}">'
                         f'{attended}/{quota}</text>')
        parts.append(f'<text x="{x0 + name_width + 2 * column}" y="{y + 11}" fill="{colour}">'
                     f'{standing}</text>')
        y += bar_height + 8
    if not report["items"]:
        parts.append(f'<text x="{x0}" y="{y + 11}" fill="#777">no members on this page</text>')
        y += bar_height + 8
    for n, (_, quota_key, expected_key, label) in enumerate(QUOTA_BARS):
        bar_x, quota = x0 + name_width + n * column, report[quota_key]
        expected_x = bar_x + scale * report["expected_so_far"][expected_key] / quota
        parts.append(f'<text x="{bar_x}" y="{top - 22}" font-weight="bold">{_text(label)} '
                     f'(attended / quota {quota})</text>')
        for axis_x, figure in ((bar_x, 0), (bar_x + scale, quota)):  # the scale: 0 and the quota
            parts.append(f'<line x1="{axis_x:.1f}" y1="{top - 4}" x2="{axis_x:.1f}" y2="{y}" '
                         f'stroke="#bbb"/><text x="{axis_x - 4:.1f}" y="{top - 6}" '
                         f'fill="#777">{figure}</text>')
        parts.append(f'<line x1="{expected_x:.1f}" y1="{top - 4}" x2="{expected_x:.1f}" y2="{y}" '
                     f'stroke="#e15759" stroke-dasharray="4 3"/><text x="{expected_x + 3:.1f}" '
                     f'y="{y + 12}" fill="#e15759">expected so far '
                     f'{report["expected_so_far"][expected_key]}</text>')
    if report.get("next_cursor"):
        parts.append(f'<text x="{x0}" y="{y + 28}" fill="#777">more rows: pass cursor='
                     f'{_text(report["next_cursor"])}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y + 40}" '
            f'font-family="sans-serif" font-size="11"><rect width="100%" height="100%" '
            f'fill="white"/>{"".join(parts)}</svg>\n')


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

    @route("GET", STUDY_QUOTAS + ".svg", query=StudyQuotaQuerySchema, tag=TAG,
           summary="The same quotas as an SVG bar chart (image/svg+xml): per member of the page, "
                   "study days and sessions against the quotas, the pro-rata expectation dashed, "
                   "behind in red")
    def study_quotas_chart(self, request):
        report = self.learning.study_quotas(query_args(request))
        return Response(quotas_svg(report), status=200, content_type="image/svg+xml; charset=utf-8")
