"""The learning service's vocabularies and who may do what: one place for every area to import.

From DOMAIN.md section 2 (Yuyuan street's schools, Xiguan and Yongfeng's study): school kinds,
course categories, target groups and formats, attendance statuses and their default weights.
"""
from __future__ import annotations

SCHOOL_KINDS = {
    "community_school": "社区学校",
    "citizens_school": "市民学校",
    "party_school": "党校",
    "branch_school": "分校 (a residents' area's branch of a school)",
}
CATEGORIES = {
    "arts": "文艺 (dance, singing, opera, yoga, flower arranging)",
    "health": "健康",
    "computing": "电脑",
    "spoken_english": "英语口语",
    "law": "法律",
    "housekeeping": "家政",
    "re_employment": "再就业培训",
    "party_study": "党课 / 政治学习",
}
TARGET_GROUPS = {
    "elderly": "老年人 (60 and over)",
    "working_age": "在职青年 26–35",
    "youth": "青少年 (under 18)",
    "laid_off": "下岗失业人员",
    "floating": "流动人口",
}
FORMATS = {
    "long_course": "长期班 (8 weeks)",
    "lecture": "讲座 (1–2 sessions)",
    "hands_on": "实训",
}
TEACHER_KINDS = ("volunteer", "hired")
COURSE_STATUSES = ("open", "cancelled", "finished")
SESSION_STATUSES = ("scheduled", "held", "cancelled")
ENROLMENT_STATUSES = ("enrolled", "waitlisted", "offered", "withdrawn", "expired", "completed")
HOLDS_A_SEAT = ("enrolled", "offered", "completed")

ATTENDANCE_STATUSES = ("present", "late", "excused", "absent")
DEFAULT_ATTENDANCE_WEIGHTS = {"present": 1.0, "late": 0.75, "excused": 0.5, "absent": 0.0}
DEFAULT_COMPLETION_THRESHOLD = 0.75
DEFAULT_CONFIRM_HOURS = 48

# Who may do what (any role may read within its scope).
MANAGER_ROLES = ("district_admin", "street_admin", "community_worker")
"""Create and change schools, venues, teachers, courses and sessions; take attendance."""
ENROLLER_ROLES = (*MANAGER_ROLES, "grid_worker", "integration")
"""Enrol a resident, confirm or withdraw an enrolment (a worker or a district system on the
resident's behalf)."""

# Party study 学习型党组织: the kinds of study session (三会一课 and the weekly study day), the
# yearly quotas of each member and the shortest study note (characters, whitespace not counted).
STUDY_SESSION_KINDS = {"study_day": "集中学习日 (weekly)", "branch_meeting": "支部党员大会 (monthly)",
                       "committee_meeting": "支委会 (monthly)", "group_meeting": "党小组会 (monthly)",
                       "party_lesson": "党课 (quarterly)"}
DEFAULT_MIN_STUDY_DAYS, DEFAULT_MIN_STUDY_SESSIONS, DEFAULT_NOTE_MIN_CHARS = 12, 24, 300
SIGNS_IN = ("enrolled", "completed")  # who can be signed in to a course's sessions (attendance)
