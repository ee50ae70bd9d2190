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
