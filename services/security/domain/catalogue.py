"""The security service's vocabularies and who may do what: one place for every area to import.

From DOMAIN.md section 4 (public security: order, safety, disputes).
"""
from __future__ import annotations

INCIDENT_KINDS = {
    "theft": "盗窃",
    "dispute": "纠纷",
    "fire_hazard": "火灾隐患",
    "illegal_construction": "违章搭建",
    "flood": "水浸",
    "sanitation_violation": "环境卫生违规",
    "mass_incident": "群体性事件",
    "group_petition": "集体上访",
    "other": "其他",
}
ZERO_TARGET_KINDS = ("mass_incident", "group_petition")
"""Counted for the zero-target indicators (the aim is none at all)."""
SEVERITIES = ("minor", "general", "serious", "major")
RESPONSE_LEVELS = {"red": 2, "yellow": 24, "blue": 72}
"""Response level → the default time limit in hours."""
REPORTER_KINDS = ("grid_worker", "patrol", "resident", "district_system")

# Who may do what (any role may read within its scope, except the restricted records).
SECURITY_ROLES = ("security_officer",)
"""The only role that sees special populations (released prisoners, community correction)."""
WORKER_ROLES = ("district_admin", "street_admin", "community_worker", "grid_worker",
                "security_officer")
"""Report and handle incidents, walk patrols, record checks."""
MANAGER_ROLES = ("district_admin", "street_admin", "community_worker", "security_officer")
"""Assign grid workers, form patrol teams and shifts, open mediation cases, register petitions."""
SUPERVISION_CATEGORIES = {"released_prisoner": "刑释解教", "community_correction": "社区矫正"}
RISK_LEVELS = ("low", "medium", "high")
VISIT_EVERY_DAYS = {"high": 7, "medium": 14, "low": 30}
"""Risk level → days between visits to a supervised person (a file may override it)."""
SCREENING_EVERY_DAYS = 90
HELPER_RELATIONS = ("worker", "volunteer", "family")
VISIT_OUTCOMES = ("stable", "needs_help", "concern", "not_met")
CLOSURE_REASONS = ("reintegrated", "moved_away", "deceased", "transferred")
FLOATING_CHECK_RESULTS = ("registered", "unregistered_now_registered", "not_found", "moved_away")
FLOATING_CHECK_TARGET = 1.0
"""Every floating resident checked in the period (100%)."""

# Mediation 人民调解
DISPUTE_TYPES = {"family": "家庭纠纷", "marriage": "婚姻纠纷", "neighbour": "邻里纠纷",
                 "property": "物业/财产纠纷"}
MEDIATOR_KINDS = {"peoples_mediator": "人民调解员", "worker": "社区工作者", "volunteer": "志愿者"}
MEDIATION_OUTCOMES = {"agreement": "调解成功（达成协议）", "failed": "调解不成",
                      "referred_to_court": "引导诉讼"}
PARTY_ROLES = ("applicant", "respondent")
SESSION_ROLES = MANAGER_ROLES + ("grid_worker",)
"""Record a mediation session (the grid worker often sits in)."""
PETITION_REGISTER_ROLES = MANAGER_ROLES + ("integration",)  # + the district petition system
PATROL_TEAM_KINDS = {
    "security_patrol": "治安巡逻队",
    "party_member_patrol": "党员志愿巡逻队",
    "volunteer_patrol": "志愿巡逻队",
}
PATROL_SHIFT_STATUSES = ("planned", "completed")
