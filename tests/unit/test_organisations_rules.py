"""Organisation rules without a broker or database: where party organisations may hang, the
filing workflow, agreements, phone masking and ids."""
from datetime import date

import pytest

from services.membership.domain import organisations as rules
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput

TODAY = date(2026, 11, 23)
STREET, COMMUNITY, GRID = "350502001", "350502001001", "350502001001001"


def org(kind, code, status="active", id=1, founded=date(2020, 1, 1)):
    return rules.PartyOrg(id, kind, code, status, founded)


def refused(error, field, call, *args):
    with pytest.raises(error) as caught:
        call(*args)
    assert caught.value.field == field, caught.value.detail
    return caught.value


@pytest.mark.parametrize("kind, level, code, parent", [
    ("street_working_committee", "street", STREET, None),
    ("community_party_committee", "community", COMMUNITY, org("street_working_committee", STREET)),
    ("general_branch", "community", COMMUNITY, org("street_working_committee", STREET)),
    ("general_branch", "community", COMMUNITY, org("community_party_committee", COMMUNITY)),
    ("branch", "community", COMMUNITY, org("community_party_committee", COMMUNITY)),
    ("branch", "grid", GRID, org("general_branch", COMMUNITY)),
    ("group", "grid", GRID, org("branch", COMMUNITY)),
    ("group", "grid", GRID, org("branch", GRID)),
])
def test_the_tree_accepts_each_kind_in_its_place(kind, level, code, parent):
    rules.check_party_placement(kind, level, code, parent)


@pytest.mark.parametrize("kind, level, code, parent, field", [
    ("street_working_committee", "community", COMMUNITY, None, "org_code"),
    ("street_working_committee", "street", STREET, org("street_working_committee", "350502"),
     "parent_id"),
    ("community_party_committee", "street", STREET, org("street_working_committee", STREET),
     "org_code"),
    ("community_party_committee", "community", COMMUNITY, None, "parent_id"),
    ("branch", "street", STREET, org("community_party_committee", COMMUNITY), "org_code"),
    ("branch", "community", COMMUNITY, org("street_working_committee", STREET), "parent_id"),
    ("branch", "community", COMMUNITY, org("branch", COMMUNITY), "parent_id"),
    ("group", "grid", GRID, org("community_party_committee", COMMUNITY), "parent_id"),
    ("group", "grid", GRID, None, "parent_id"),
    # a branch's node lies within its parent's node
    ("branch", "community", "350502001002", org("community_party_committee", COMMUNITY),
     "org_code"),
    ("group", "grid", "350502001001002", org("branch", GRID), "org_code"),
])
def test_the_tree_refuses_a_kind_out_of_place(kind, level, code, parent, field):
    refused(InvalidInput, field, rules.check_party_placement, kind, level, code, parent)


def test_a_dissolved_parent_takes_no_new_organisations():
    parent = org("community_party_committee", COMMUNITY, status="dissolved")
    refused(Conflict, "parent_id", rules.check_party_placement, "branch", "community",
            COMMUNITY, parent)


def test_dissolution_rules():
    branch = org("branch", COMMUNITY)
    rules.check_dissolution(branch, 0, TODAY, TODAY)
    refused(Conflict, "id", rules.check_dissolution, branch, 2, TODAY, TODAY)
    refused(Conflict, "status", rules.check_dissolution, org("branch", COMMUNITY, "dissolved"),
            0, TODAY, TODAY)
    refused(InvalidInput, "dissolved_on", rules.check_dissolution, branch, 0,
            date(2026, 11, 24), TODAY)
    refused(InvalidInput, "dissolved_on", rules.check_dissolution, branch, 0,
            date(2019, 12, 31), TODAY)
    refused(Conflict, "status", rules.check_renamable, org("group", GRID, "dissolved"))


@pytest.mark.parametrize("current, wanted", [("unfiled", "filed"), ("filed", "revoked")])
def test_filing_moves_one_step_forward(current, wanted):
    rules.check_filing_step(current, wanted)


@pytest.mark.parametrize("current, wanted", [
    ("unfiled", "revoked"),   # skipped
    ("unfiled", "unfiled"),
    ("filed", "filed"),
    ("filed", "unfiled"),     # backward
    ("revoked", "filed"),
    ("revoked", "unfiled"),
    ("revoked", "revoked"),
])
def test_filing_refuses_skipped_repeated_and_backward_steps(current, wanted):
    refused(Conflict, "status", rules.check_filing_step, current, wanted)


def test_the_district_filing_target():
    assert rules.target_progress(12) == {"target": 30, "filed": 12, "remaining": 18,
                                         "progress": 0.4, "met": False}
    assert rules.target_progress(31)["met"] is True
    assert rules.target_progress(31)["progress"] == 1.0
    assert rules.target_progress(31)["remaining"] == 0


def test_agreement_terms_and_ending():
    rules.check_agreement_terms(date(2024, 1, 1), date(2026, 12, 31), TODAY)
    refused(InvalidInput, "term_end", rules.check_agreement_terms, date(2024, 1, 1),
            date(2024, 1, 1), TODAY)
    refused(InvalidInput, "signed_on", rules.check_agreement_terms, date(2027, 1, 1),
            date(2028, 1, 1), TODAY)
    rules.check_agreement_end("active", "terminated", date(2027, 1, 1), TODAY)
    rules.check_agreement_end("active", "expired", date(2026, 11, 23), TODAY)
    refused(Conflict, "status", rules.check_agreement_end, "active", "expired",
            date(2026, 11, 24), TODAY)
    refused(Conflict, "status", rules.check_agreement_end, "expired", "terminated",
            date(2025, 1, 1), TODAY)
    refused(Conflict, "status", rules.check_agreement_end, "terminated", "active",
            date(2027, 1, 1), TODAY)


@pytest.mark.parametrize("value, expected", [("1", 1), ("2147483647", 2147483647), (7, 7)])
def test_ids(value, expected):
    assert rules.parse_id(value) == expected


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", "2147483648", "99999999999",
                                   "", "١٢", True, None, 0, 2 ** 40])
def test_not_ids(value):
    refused(InvalidInput, "id", rules.parse_id, value)


def test_party_tree_changes_are_for_street_and_district_admins_only():
    rules.require_party_editor(CallerContext("a", ("street_admin",), STREET))
    rules.require_party_editor(CallerContext("a", ("district_admin",), "350502"))
    for role in ("community_worker", "integration", "auditor", "grid_worker"):
        with pytest.raises(Forbidden):
            rules.require_party_editor(CallerContext("a", (role,), STREET))
    rules.require_editor(CallerContext("a", ("community_worker",), COMMUNITY))
    with pytest.raises(Forbidden):
        rules.require_editor(CallerContext("a", ("auditor",), COMMUNITY))
