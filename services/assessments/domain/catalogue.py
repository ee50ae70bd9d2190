"""The assessments service's vocabularies and who may do what: one place for every area to import.

From DOMAIN.md section 5 (assessments: scoring, ranking, titles).
"""
from __future__ import annotations

SUBJECT_KINDS = {
    "community": "社区",
    "street": "街道",
    "grid_worker": "网格员 (assessed through their grid: the subject is the grid's code)",
    "party_member": "党员",
    "household": "家庭/户",
    "volunteer": "志愿者",
}
TERRITORY_SUBJECT_LENGTH = {"street": 9, "community": 12, "grid_worker": 15}
"""A territory subject's code is this many digits of any deeper code an event names."""
PERIODS = ("month", "quarter", "year")
SCHEME_STATUSES = ("draft", "pending_approval", "active", "rejected", "retired")
GATED_SUBJECT_KINDS = ("community", "grid_worker", "party_member", "household", "volunteer")
"""Schemes over these subjects are imposed on communities: they wait for the district leading
group's approval (the admission gate 准入) before they count. A street scheme does not."""
INDICATOR_SOURCES = ("events", "manual", "survey")
ENTRY_SOURCES = ("event", "manual", "survey", "correction")
CONDITION_OPS = ("eq", "ne", "gte", "lte", "in")
DEFAULT_BOTTOM_N = 3  # one county docks the bottom three each month
SATISFACTION_TARGET = 0.8

SCORABLE_EVENTS = {
    # event type: the field saying when it happened (its period), or None for the envelope's
    # occurred_at. Assessments listens to exactly these; a rule naming another type is refused.
    "tickets.ticket_resolved": "at",
    "tickets.ticket_sla_breached": "breached_at",
    "tickets.ticket_rated": "at",
    "tickets.volunteer_hours_earned": "activity_date",
    "learning.course_completed": "completed_on",
    "learning.study_quota_met": "met_on",
    "learning.volunteer_hours_earned": "activity_date",
    "security.mediation_closed": "closed_on",
    "security.incident_reported": "at",
    "security.incident_closed": "at",
    "security.patrol_shift_completed": "completed_at",
    "security.volunteer_hours_earned": "activity_date",
    "security.floating_check_recorded": "checked_on",
    "security.petition_registered": "on",
}

# Who may do what (any role may read within its scope).
SCHEME_AUTHOR_ROLES = ("district_admin", "street_admin")
"""Draft schemes, their indicators and rules (a department at the district or a street)."""
SCHEME_APPROVER_ROLES = ("district_admin",)
"""The district leading group: the admission gate."""
SCORER_ROLES = ("district_admin", "street_admin")
"""Enter manual scores (inspections), survey results and corrections, for subjects below them."""
APPRAISAL_ROLES = ("district_admin", "street_admin", "community_worker")
"""Run democratic appraisals, rate branches, keep commitment cards."""
TITLE_NOMINATOR_ROLES = ("district_admin", "street_admin", "community_worker")
TITLE_REVIEWER_ROLES = ("district_admin", "street_admin")

TITLE_HOLDER_KINDS = {
    "community": "a community 社区: holder_ref is its territory code",
    "household": "a household 户: holder_ref is membership's household id",
    "resident": "a resident 居民: holder_ref is membership's resident id",
    "volunteer": "a volunteer 志愿者: holder_ref is membership's volunteer id",
    "party_member": "a party member 党员: holder_ref is membership's party-member id",
}
TITLE_LEVELS = ("district", "city", "province")
TITLE_KINDS = {
    # kind: (name, holder kind, the levels it is awarded at)
    "civilised_community": ("文明社区", "community", ("district", "city", "province")),
    "safe_community": ("平安社区", "community", ("district", "city", "province")),
    "learning_family": ("学习型家庭", "household", ("district", "city")),
    "civilised_family": ("文明家庭", "household", ("district", "city", "province")),
    "top_ten_volunteer": ("十佳志愿者", "volunteer", ("district", "city")),
    "top_ten_party_member": ("十佳党员", "party_member", ("district", "city")),
    "top_ten_good_neighbour": ("十佳好邻居", "resident", ("district",)),
}
TITLE_STATUSES = ("nominated", "in_notice", "granted", "withdrawn")
TITLE_NOTICE_DAYS = 7
"""A public notice 公示 runs seven calendar days, the first day included (7 days rather than 5
working days: no holiday calendar is needed, and 7 days always covers 5 working days)."""
LEDGER_REPLAY_ROLES = ("district_admin", "street_admin", "auditor")  # replay a scheme in scope
INGESTION_STATUS_ROLES = ("district_admin", "street_admin", "auditor", "integration")
