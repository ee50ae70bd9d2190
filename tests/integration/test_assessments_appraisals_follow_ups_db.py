"""Membership's follow-ups 组织处置 of a party member rated unqualified, on SQLite and
PostgreSQL: opened once per (member, round) however often the event arrives, listed and closed
within the member's scope, and the migration."""
from datetime import date

import pytest
from sqlalchemy import func, select

from services.membership import follow_ups
from services.membership import organisations as orgs
from services.membership import party_members as pm
from services.membership.models.follow_ups import FollowUp
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events.registry import make_envelope
from tests.e2e.conftest import COMMUNITY_A1, COMMUNITY_A2, STREET_A, seed_territory
from tests.integration.test_party_members_db import add_resident

STREET_ADMIN = CallerContext("alice", ("street_admin",), STREET_A)
WORKER_A1 = CallerContext("wang", ("community_worker",), COMMUNITY_A1)
WORKER_A2 = CallerContext("li", ("community_worker",), COMMUNITY_A2)
AUDITOR_A = CallerContext("audit", ("auditor",), STREET_A)
GRID_A1 = COMMUNITY_A1 + "001"
CONSUMER = "membership.follow_ups_open_for_unqualified"


def call(db, caller, fn, *args, **kwargs):
    with db.transaction("membership", caller) as uow:
        return fn(uow, *args, **kwargs)


@pytest.fixture
def member(service_db):
    seed_territory(service_db)
    top = call(service_db, STREET_ADMIN, orgs.create_party_org, {
        "kind": "street_working_committee", "name": "江南街道党工委", "org_code": STREET_A,
        "founded_on": "2003-07-01"})
    committee = call(service_db, STREET_ADMIN, orgs.create_party_org, {
        "kind": "community_party_committee", "name": "西关社区党委", "org_code": COMMUNITY_A1,
        "parent_id": top["id"], "founded_on": "2008-07-01"})
    branch = call(service_db, STREET_ADMIN, orgs.create_party_org, {
        "kind": "branch", "name": "西关第一党支部", "org_code": GRID_A1,
        "parent_id": committee["id"], "founded_on": "2009-03-01"})
    resident = add_resident(service_db, GRID_A1)
    return call(service_db, WORKER_A1, pm.register_member, {
        "resident_id": resident, "branch_id": branch["id"], "category": "resident",
        "stage": "full", "stage_since": "2001-07-01"})


def unqualified(member_id, round_id=7):
    return make_envelope("assessments.member_rated_unqualified", {
        "round_id": round_id, "branch_id": 1, "org_code": GRID_A1, "year": 2025,
        "party_member_id": member_id, "unqualified_votes": 4, "ballots": 9,
        "overridden": False}, GRID_A1, "wang")


def deliver(db, envelope):
    """What the handler does on each delivery: the inbox first, then the use case."""
    with db.transaction("membership") as uow:
        if uow.first_delivery(envelope, CONSUMER):
            return follow_ups.open_for_unqualified(uow, envelope)
        return None


def follow_up_count(db):
    with db.session_factory() as session:
        return session.scalar(select(func.count()).select_from(FollowUp))


def test_a_redelivered_event_opens_one_follow_up(service_db, member):
    envelope = unqualified(member["id"])
    opened = deliver(service_db, envelope)
    assert opened == {**opened, "party_member_id": member["id"], "status": "open",
                      "source": "democratic_appraisal", "source_ref": "7", "year": 2025}
    assert deliver(service_db, envelope) is None              # the same event again
    assert deliver(service_db, unqualified(member["id"])) is None  # re-sent under a new id
    assert follow_up_count(service_db) == 1
    deliver(service_db, unqualified(member["id"], round_id=8))    # another year's round
    assert follow_up_count(service_db) == 2
    assert deliver(service_db, unqualified(999999)) is None  # a member unknown here
    assert follow_up_count(service_db) == 2


def test_list_and_close_within_the_members_scope(service_db, member):
    opened = deliver(service_db, unqualified(member["id"]))
    page = call(service_db, AUDITOR_A, follow_ups.list_for_member, member["id"], {})
    assert [f["id"] for f in page["items"]] == [opened["id"]] and page["next_cursor"] is None
    with pytest.raises(NotFound):
        call(service_db, WORKER_A2, follow_ups.list_for_member, member["id"], {})
    with pytest.raises(NotFound):
        call(service_db, WORKER_A2, follow_ups.close, opened["id"], {"outcome": "correction"})
    with pytest.raises(Forbidden):
        call(service_db, AUDITOR_A, follow_ups.close, opened["id"], {"outcome": "correction"})
    with pytest.raises(InvalidInput):
        call(service_db, WORKER_A1, follow_ups.close, opened["id"], {"outcome": "expelled"})
    with pytest.raises(InvalidInput):
        call(service_db, WORKER_A1, follow_ups.close, opened["id"],
             {"outcome": "correction", "on": "2000-01-01"})
    closed = call(service_db, WORKER_A1, follow_ups.close, opened["id"],
                  {"outcome": "correction", "note": "限期三个月改正"})
    assert closed == {**closed, "status": "closed", "outcome": "correction",
                      "outcome_note": "限期三个月改正", "closed_by": "wang",
                      "closed_on": date.today().isoformat()}
    with pytest.raises(Conflict):
        call(service_db, WORKER_A1, follow_ups.close, opened["id"], {"outcome": "removed"})
    assert call(service_db, WORKER_A1, follow_ups.list_for_member, member["id"],
                {"status": "open"})["items"] == []
    with pytest.raises(NotFound):
        call(service_db, WORKER_A1, follow_ups.close, 424242, {"outcome": "removed"})


def test_the_follow_up_migration_matches_the_model(service_db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from services.membership.models import Base

    def ours(diff):
        item = diff[0] if isinstance(diff, list) else diff
        return any(getattr(getattr(part, "table", part), "name", part) == "party_follow_ups"
                   or part == "party_follow_ups" for part in item)

    with service_db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert [d for d in compare_metadata(context, Base.metadata) if ours(d)] == []
