"""Party member use cases on SQLite and PostgreSQL: registration (once per resident) in a branch
and group, the pipeline's steps with their dated history, lists with filters and cursors,
scope, every change with its event in the same transaction, and the migration."""
from datetime import date, timedelta
from itertools import count

import pytest
from sqlalchemy import func, select

from services.membership import organisations as orgs
from services.membership import party_members as pm
from services.membership import territory
from services.membership.models import OutboxMessage
from services.membership.models.party_members import PartyMember, PartyMemberStep
from services.membership.models.residents import Resident
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, OutOfScope
from tests.e2e.conftest import COMMUNITY_A1, COMMUNITY_A2, COMMUNITY_B1, STREET_A, seed_territory

STREET_ADMIN = CallerContext("alice", ("street_admin",), STREET_A)
WORKER_A1 = CallerContext("wang", ("community_worker",), COMMUNITY_A1)
WORKER_A2 = CallerContext("li", ("community_worker",), COMMUNITY_A2)
AUDITOR_A = CallerContext("audit", ("auditor",), STREET_A)
GRID_A1 = COMMUNITY_A1 + "001"
_numbers = count(1)


def add_resident(database, grid_code, name="党员甲", status="active") -> int:
    """A resident row written directly (the residents' use cases are another area's)."""
    number = next(_numbers)
    with database.transaction("membership") as uow:
        resident = Resident(
            name=name, gender="male", birth_date=date(1970, 5, 1),
            id_number_hash=f"{number:064d}", id_number_sealed="sealed",
            id_number_masked="3505**********0012", phone="13912345678", address="西关路1号",
            grid_code=grid_code, household_id=None, residence="registered", status=status)
        uow.session.add(resident)
        uow.session.flush()
        return resident.id


def call(database, caller, fn, *args):
    with database.transaction("membership", caller) as uow:
        return fn(uow, *args)


def events(database, event_type):
    with database.session_factory() as session:
        return list(session.scalars(select(OutboxMessage.envelope)
                                    .where(OutboxMessage.event_type == event_type)
                                    .order_by(OutboxMessage.id)))


def count_rows(database, model):
    with database.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def party(database, kind, code, parent_id=None, name=None):
    return call(database, STREET_ADMIN, orgs.create_party_org, {
        "kind": kind, "name": name or f"{kind} {code} {next(_numbers)}", "org_code": code,
        "parent_id": parent_id, "founded_on": "2010-07-01"})["id"]


@pytest.fixture
def db(service_db):
    seed_territory(service_db)
    committee = party(service_db, "street_working_committee", STREET_A)
    a1 = party(service_db, "community_party_committee", COMMUNITY_A1, committee)
    a2 = party(service_db, "community_party_committee", COMMUNITY_A2, committee)
    service_db.tree = {
        "committee": a1,
        "branch": party(service_db, "branch", GRID_A1, a1),
        "branch2": party(service_db, "branch", COMMUNITY_A1, a1),
        "branch_a2": party(service_db, "branch", COMMUNITY_A2, a2)}
    service_db.tree["group"] = party(service_db, "group", GRID_A1, service_db.tree["branch"])
    return service_db


def register(db, resident_id, caller=WORKER_A1, **extra):
    payload = {"resident_id": resident_id, "branch_id": db.tree["branch"],
               "category": "resident", "stage_since": "2020-03-01", **extra}
    return call(db, caller, pm.register_member, payload)


def test_register_a_new_applicant_and_walk_the_pipeline_with_its_history(db):
    resident = add_resident(db, GRID_A1, name="陈建国")
    member = register(db, resident, group_id=db.tree["group"])
    assert member == {**member, "resident_id": resident, "name": "陈建国",
                      "id_number": "3505**********0012", "branch_id": db.tree["branch"],
                      "group_id": db.tree["group"], "org_code": GRID_A1, "stage": "applicant",
                      "stage_since": "2020-03-01", "status": "active", "category": "resident"}
    assert "phone" not in member
    assert [h["step"] for h in member["history"]] == ["register"]
    for step, on in (("activist", "2020-09-01"), ("development_target", "2021-09-01"),
                     ("probationary", "2022-07-01")):
        member = call(db, WORKER_A1, pm.take_step, member["id"], {"step": step, "on": on})
        assert member["stage"] == step and member["stage_since"] == on
    member = call(db, WORKER_A1, pm.take_step, member["id"],
                  {"step": "convert", "on": "2023-07-01", "note": "支部大会通过"})
    assert (member["stage"], member["stage_since"]) == ("full", "2023-07-01")
    assert [(h["step"], h["from_stage"], h["to_stage"], h["on"]) for h in member["history"]] == [
        ("register", None, "applicant", "2020-03-01"),
        ("activist", "applicant", "activist", "2020-09-01"),
        ("development_target", "activist", "development_target", "2021-09-01"),
        ("probationary", "development_target", "probationary", "2022-07-01"),
        ("convert", "probationary", "full", "2023-07-01")]
    assert member["history"][-1]["note"] == "支部大会通过"
    assert member["history"][-1]["recorded_by"] == "wang"
    registered = events(db, "membership.party_member_registered")
    assert [e["data"]["stage"] for e in registered] == ["applicant"]
    changed = [e["data"] for e in events(db, "membership.party_member_stage_changed")]
    assert [(c["step"], c["to_stage"]) for c in changed][-1] == ("convert", "full")
    assert registered[0]["org_code"] == GRID_A1
    assert "id_number" not in str(registered) + str(changed)


def test_an_existing_member_is_registered_at_any_stage_once_per_resident(db):
    resident = add_resident(db, GRID_A1)
    member = register(db, resident, stage="full", stage_since="1998-07-01", category="retired")
    assert (member["stage"], member["category"]) == ("full", "retired")
    with pytest.raises(Conflict) as twice:
        register(db, resident)
    assert twice.value.field == "resident_id"
    with pytest.raises(Conflict) as no_step:
        call(db, WORKER_A1, pm.take_step, member["id"], {"step": "activist"})
    assert no_step.value.field == "stage"
    assert count_rows(db, PartyMember) == 1 and count_rows(db, PartyMemberStep) == 1


def test_skipped_and_backward_steps_and_bad_dates_change_nothing(db):
    member = register(db, add_resident(db, GRID_A1))
    before = len(events(db, "membership.party_member_stage_changed"))
    for step in ("development_target", "probationary", "convert", "extend"):
        with pytest.raises(Conflict) as refused:
            call(db, WORKER_A1, pm.take_step, member["id"], {"step": step})
        assert refused.value.field == "stage"
    with pytest.raises(InvalidInput) as early:
        call(db, WORKER_A1, pm.take_step, member["id"], {"step": "activist", "on": "2019-01-01"})
    assert early.value.field == "on"
    future = (date.today() + timedelta(days=2)).isoformat()
    with pytest.raises(InvalidInput):
        call(db, WORKER_A1, pm.take_step, member["id"], {"step": "activist", "on": future})
    with pytest.raises(InvalidInput) as unknown:
        call(db, WORKER_A1, pm.take_step, member["id"], {"step": "full"})
    assert unknown.value.field == "step"
    assert call(db, AUDITOR_A, pm.get_member, member["id"])["stage"] == "applicant"
    assert len(events(db, "membership.party_member_stage_changed")) == before
    assert count_rows(db, PartyMemberStep) == 1


def test_probationary_outcomes_extend_once_then_convert_or_reject(db):
    extended = register(db, add_resident(db, GRID_A1), stage="probationary",
                        stage_since="2024-07-01")
    extended = call(db, WORKER_A1, pm.take_step, extended["id"],
                    {"step": "extend", "on": "2025-07-01"})
    assert (extended["stage"], extended["stage_since"]) == ("probationary", "2024-07-01")
    with pytest.raises(Conflict):
        call(db, WORKER_A1, pm.take_step, extended["id"], {"step": "extend"})
    assert call(db, WORKER_A1, pm.take_step, extended["id"], {"step": "convert"})["stage"] == "full"
    rejected = register(db, add_resident(db, GRID_A1), stage="probationary",
                        stage_since="2024-07-01")
    rejected = call(db, WORKER_A1, pm.take_step, rejected["id"], {"step": "reject"})
    assert (rejected["stage"], rejected["status"]) == ("probationary", "rejected")
    with pytest.raises(Conflict):
        call(db, WORKER_A1, pm.take_step, rejected["id"], {"step": "convert"})


def test_branch_and_group_are_checked_on_registration_and_change(db):
    resident = add_resident(db, GRID_A1)
    for extra, field, error in (
            ({"branch_id": db.tree["group"]}, "branch_id", InvalidInput),
            ({"branch_id": db.tree["committee"]}, "branch_id", InvalidInput),
            ({"group_id": db.tree["committee"]}, "group_id", InvalidInput),
            ({"branch_id": db.tree["branch2"], "group_id": db.tree["group"]}, "group_id",
             InvalidInput),
            ({"branch_id": db.tree["branch_a2"]}, "branch_id", NotFound),
            ({"branch_id": 999999}, "branch_id", NotFound),
            ({"stage_since": (date.today() + timedelta(days=3)).isoformat()}, "stage_since",
             InvalidInput),
            ({"category": "honorary"}, "category", InvalidInput)):
        with pytest.raises(error) as refused:
            register(db, resident, **extra)
        assert refused.value.field == field, extra
    assert count_rows(db, PartyMember) == 0
    member = register(db, resident, group_id=db.tree["group"])
    moved = call(db, WORKER_A1, pm.update_member, member["id"],
                 {"branch_id": db.tree["branch2"], "category": "in_service"})
    assert (moved["branch_id"], moved["group_id"], moved["org_code"], moved["category"]) == (
        db.tree["branch2"], None, COMMUNITY_A1, "in_service")
    updated = events(db, "membership.party_member_updated")
    assert updated[-1]["data"]["changes"] == ["branch_id", "category", "group_id", "org_code"]
    with pytest.raises(InvalidInput):
        call(db, WORKER_A1, pm.update_member, member["id"], {"group_id": db.tree["group"]})
    with pytest.raises(InvalidInput) as empty:
        call(db, WORKER_A1, pm.update_member, member["id"], {})
    assert empty.value.field == "body"
    call(db, WORKER_A1, pm.update_member, member["id"], {"category": "in_service"})
    assert len(events(db, "membership.party_member_updated")) == 1  # no change, no event


def test_roles_and_scope(db):
    resident = add_resident(db, GRID_A1)
    with pytest.raises(Forbidden):
        register(db, resident, caller=AUDITOR_A)
    with pytest.raises(NotFound) as hidden:
        register(db, resident, caller=WORKER_A2, branch_id=db.tree["branch_a2"])
    assert hidden.value.field == "resident_id"
    member = register(db, resident)
    assert call(db, AUDITOR_A, pm.get_member, member["id"])["id"] == member["id"]
    for bad in (member["id"], "abc", 0, 2**40):
        with pytest.raises(NotFound):
            call(db, WORKER_A2, pm.get_member, bad)
    with pytest.raises(Forbidden):
        call(db, AUDITOR_A, pm.take_step, member["id"], {"step": "activist"})
    with pytest.raises(OutOfScope):
        call(db, WORKER_A2, pm.list_members, {"code": COMMUNITY_A1})
    assert call(db, WORKER_A2, pm.list_members, {})["items"] == []
    with pytest.raises(NotFound):
        register(db, add_resident(db, COMMUNITY_B1 + "001"), caller=STREET_ADMIN)


def test_lists_filter_and_page(db):
    ids = []
    for n in range(5):
        member = register(db, add_resident(db, GRID_A1, name=f"党员{n}"),
                          stage="full" if n % 2 else "applicant",
                          category="retired" if n == 4 else "resident",
                          branch_id=db.tree["branch"] if n < 3 else db.tree["branch2"])
        ids.append(member["id"])
    a2 = register(db, add_resident(db, COMMUNITY_A2 + "001"), caller=WORKER_A2,
                  branch_id=db.tree["branch_a2"])

    def walk(caller, **query):
        seen, cursor = [], None
        while True:
            page = call(db, caller, pm.list_members, dict(query, limit=2, cursor=cursor))
            seen += [m["id"] for m in page["items"]]
            assert all("history" not in m for m in page["items"])
            cursor = page["next_cursor"]
            if not cursor:
                return seen

    assert walk(STREET_ADMIN) == ids + [a2["id"]]
    assert walk(WORKER_A1) == ids
    assert walk(STREET_ADMIN, code=COMMUNITY_A2) == [a2["id"]]
    assert walk(STREET_ADMIN, code=GRID_A1) == ids[:3]
    assert walk(AUDITOR_A, branch_id=db.tree["branch2"]) == ids[3:]
    assert walk(AUDITOR_A, stage="full") == [ids[1], ids[3]]
    assert walk(AUDITOR_A, category="retired") == [ids[4]]
    assert walk(AUDITOR_A, stage="applicant", branch_id=db.tree["branch"]) == [ids[0], ids[2]]
    with pytest.raises(InvalidInput) as cursor:
        call(db, AUDITOR_A, pm.list_members, {"cursor": "nonsense"})
    assert cursor.value.field == "cursor"
    with pytest.raises(InvalidInput):
        call(db, AUDITOR_A, pm.list_members, {"stage": "leader"})


def test_members_follow_their_branch_through_a_community_merge(db):
    member = register(db, add_resident(db, COMMUNITY_A2 + "001"), caller=WORKER_A2,
                      branch_id=db.tree["branch_a2"])
    with db.transaction("membership", STREET_ADMIN) as uow:
        result = territory.merge_communities(uow, {"surviving_code": COMMUNITY_A1,
                                                   "absorbed_code": COMMUNITY_A2})
    with db.transaction("membership") as uow:
        moved = pm.follow_merge(uow, result["moves"])
    assert moved["party_members"] == 1
    assert call(db, WORKER_A1, pm.get_member, member["id"])["org_code"] == COMMUNITY_A1


def test_the_migration_matches_the_models(service_db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from services.membership.models import Base

    tables = {"party_members", "party_member_steps", "party_member_transfers",
              "party_member_registrations", "party_post_claims", "party_quota_items",
              "party_mobile_records"}

    def ours(diff):
        item = diff[0] if isinstance(diff, list) else diff
        for part in item:
            table = getattr(part, "table", None)
            name = getattr(part, "name", None) if table is None else table.name
            if name in tables or part in tables:
                return True
        return False

    with service_db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, Base.metadata) if ours(d)]
    assert diffs == []


def test_transfer_between_communities_and_the_observation_rule(db):
    member = register(db, add_resident(db, GRID_A1), stage="probationary",
                      stage_since="2024-01-10")
    out_on = (date.today() - timedelta(days=100)).isoformat()
    in_on = (date.today() - timedelta(days=90))
    with pytest.raises(InvalidInput) as nowhere:
        call(db, WORKER_A1, pm.transfer, member["id"], {"direction": "out"})
    assert nowhere.value.field == "destination"
    with pytest.raises(NotFound) as unknown:
        call(db, WORKER_A1, pm.transfer, member["id"], {"direction": "out",
                                                        "to_code": STREET_A + "099"})
    assert unknown.value.field == "to_code"
    with pytest.raises(InvalidInput) as not_community:
        call(db, WORKER_A1, pm.transfer, member["id"], {"direction": "out", "to_code": GRID_A1})
    assert not_community.value.field == "to_code"
    with pytest.raises(NotFound):  # not visible to the receiving community before it is sent
        call(db, WORKER_A2, pm.get_member, member["id"])
    sent = call(db, WORKER_A1, pm.transfer, member["id"],
                {"direction": "out", "to_code": COMMUNITY_A2, "on": out_on})
    assert (sent["status"], sent["pending_to_code"]) == ("transferred_out", COMMUNITY_A2)
    with pytest.raises(Conflict) as no_step:
        call(db, WORKER_A1, pm.take_step, member["id"], {"step": "convert"})
    assert no_step.value.field == "stage"
    with pytest.raises(Conflict) as twice:
        call(db, WORKER_A1, pm.transfer, member["id"], {"direction": "out", "destination": "x"})
    assert twice.value.field == "status"
    incoming = call(db, WORKER_A2, pm.list_members, {"incoming": True})["items"]
    assert [m["id"] for m in incoming] == [member["id"]]
    assert call(db, WORKER_A2, pm.list_members, {})["items"] == []
    with pytest.raises(InvalidInput) as no_branch:
        call(db, WORKER_A2, pm.transfer, member["id"], {"direction": "in"})
    assert no_branch.value.field == "branch_id"
    with pytest.raises(InvalidInput) as before_sent:
        call(db, WORKER_A2, pm.transfer, member["id"],
             {"direction": "in", "branch_id": db.tree["branch_a2"], "on": "2024-01-01"})
    assert before_sent.value.field == "on"
    received = call(db, WORKER_A2, pm.transfer, member["id"],
                    {"direction": "in", "branch_id": db.tree["branch_a2"],
                     "on": in_on.isoformat()})
    assert (received["status"], received["org_code"], received["observed_since"],
            received["pending_to_code"]) == ("active", COMMUNITY_A2, in_on.isoformat(), None)
    assert [(t["direction"], t["from_code"], t["to_code"]) for t in received["transfers"]] == [
        ("out", COMMUNITY_A1, COMMUNITY_A2), ("in", COMMUNITY_A1, COMMUNITY_A2)]
    with pytest.raises(NotFound):  # the sending community no longer sees them
        call(db, WORKER_A1, pm.get_member, member["id"])
    with pytest.raises(Conflict) as observed:
        call(db, WORKER_A2, pm.take_step, member["id"], {"step": "convert"})
    possible = (in_on + timedelta(days=182)).isoformat()
    assert observed.value.field == "stage" and possible in str(observed.value)
    assert call(db, WORKER_A2, pm.get_member, member["id"])["stage"] == "probationary"
    out_events = events(db, "membership.party_member_transferred_out")
    in_events = events(db, "membership.party_member_transferred_in")
    assert out_events[0]["data"]["to_code"] == COMMUNITY_A2
    assert in_events[0]["data"]["from_code"] == COMMUNITY_A1
    assert in_events[0]["data"]["on"] == in_on.isoformat()


def test_transfers_outside_the_platform_and_back(db):
    member = register(db, add_resident(db, GRID_A1), stage="probationary",
                      stage_since="2023-01-10")
    received_on = date.today() - timedelta(days=200)
    arrived = call(db, WORKER_A1, pm.transfer, member["id"],
                   {"direction": "in", "origin": "泉州市丰泽区东湖社区",
                    "on": received_on.isoformat()})
    assert arrived["observed_since"] == received_on.isoformat()
    assert arrived["transfers"][0]["place"] == "泉州市丰泽区东湖社区"
    full = call(db, WORKER_A1, pm.take_step, member["id"], {"step": "convert"})
    assert full["stage"] == "full"  # observed more than 182 days
    left = call(db, WORKER_A1, pm.transfer, member["id"],
                {"direction": "out", "destination": "厦门市思明区某社区"})
    assert (left["status"], left["pending_to_code"]) == ("transferred_out", None)
    with pytest.raises(Conflict) as placed:
        call(db, WORKER_A1, pm.update_member, member["id"], {"category": "mobile"})
    assert placed.value.field == "status"
    with pytest.raises(Forbidden):
        call(db, AUDITOR_A, pm.transfer, member["id"], {"direction": "in", "origin": "x"})


def test_in_service_members_register_claim_one_post_a_year_and_keep_the_four_ones(db):
    from services.membership.models.party_members import PartyPostClaim

    worker = CallerContext("zhao", ("community_worker",), STREET_A)  # sees both communities
    in_service = register(db, add_resident(db, GRID_A1, name="林工"), category="in_service",
                          stage="full", stage_since="2010-07-01")
    retired = register(db, add_resident(db, GRID_A1), category="retired", stage="full",
                       stage_since="1990-07-01")
    with pytest.raises(Conflict) as unregistered:
        call(db, worker, pm.claim_post, in_service["id"], {"post": "mediation"})
    assert unregistered.value.field == "registration"
    with pytest.raises(Conflict) as not_in_service:
        call(db, worker, pm.register_with_community, retired["id"],
             {"community_code": COMMUNITY_A2, "workplace": "x"})
    assert not_in_service.value.field == "category"
    with pytest.raises(OutOfScope):
        call(db, WORKER_A1, pm.register_with_community, in_service["id"],
             {"community_code": COMMUNITY_A2, "workplace": "市税务局"})
    registered = call(db, worker, pm.register_with_community, in_service["id"],
                      {"community_code": COMMUNITY_A2, "registered_on": "2026-03-01",
                       "workplace": "市税务局"})
    assert registered["registration"] == {"community_code": COMMUNITY_A2,
                                          "registered_on": "2026-03-01", "workplace": "市税务局"}
    with pytest.raises(Conflict) as again:
        call(db, worker, pm.register_with_community, in_service["id"],
             {"community_code": COMMUNITY_A2, "workplace": "市税务局"})
    assert again.value.field == "community_code"
    claim = call(db, worker, pm.claim_post, in_service["id"],
                 {"post": "mediation", "year": 2026, "claimed_on": "2026-03-02"})
    assert (claim["community_code"], claim["post"], claim["name"]) == (
        COMMUNITY_A2, "mediation", "林工")
    with pytest.raises(Conflict) as second:
        call(db, worker, pm.claim_post, in_service["id"], {"post": "security_patrol",
                                                           "year": 2026})
    assert second.value.field == "post"
    call(db, worker, pm.claim_post, in_service["id"], {"post": "security_patrol", "year": 2025,
                                                       "claimed_on": "2025-05-01"})
    with pytest.raises(InvalidInput) as bad_post:
        call(db, worker, pm.claim_post, in_service["id"], {"post": "cooking", "year": 2024})
    assert bad_post.value.field == "post"
    assert count_rows(db, PartyPostClaim) == 2
    page = call(db, WORKER_A2, pm.list_post_claims, {"year": 2026})
    assert [c["post"] for c in page["items"]] == ["mediation"]
    assert call(db, WORKER_A1, pm.list_post_claims, {})["items"] == []  # claimed in A2
    assert len(call(db, AUDITOR_A, pm.list_post_claims, {"post": "security_patrol"})["items"]) == 1
    first = call(db, AUDITOR_A, pm.list_post_claims, {"limit": 1})
    rest = call(db, AUDITOR_A, pm.list_post_claims, {"limit": 1, "cursor": first["next_cursor"]})
    assert [first["items"][0]["year"], rest["items"][0]["year"]] == [2026, 2025]
    assert events(db, "membership.party_member_post_claimed")[0]["data"]["post"] == "mediation"

    report = call(db, AUDITOR_A, pm.quota_report, in_service["id"], {"year": 2026})
    assert report["met"] == dict.fromkeys(("activity", "care", "good_deed", "suggestion"), False)
    for kind in ("activity", "care", "good_deed"):
        report = call(db, WORKER_A1, pm.record_quota_item, in_service["id"],
                      {"kind": kind, "on": "2026-04-01", "text": f"{kind} 记录"})
    call(db, WORKER_A1, pm.record_quota_item, in_service["id"],
         {"kind": "suggestion", "on": "2025-04-01", "text": "去年的建议"})
    report = call(db, AUDITOR_A, pm.quota_report, in_service["id"], {"year": 2026})
    assert report["met"] == {"activity": True, "care": True, "good_deed": True,
                             "suggestion": False}
    assert report["all_met"] is False and len(report["items"]) == 3
    assert call(db, AUDITOR_A, pm.quota_report, in_service["id"], {"year": 2025})["counts"][
        "suggestion"] == 1
    with pytest.raises(InvalidInput) as blank:
        call(db, WORKER_A1, pm.record_quota_item, in_service["id"], {"kind": "care", "text": " "})
    assert blank.value.field == "text"
    with pytest.raises(Forbidden):
        call(db, AUDITOR_A, pm.record_quota_item, in_service["id"], {"kind": "care", "text": "x"})


def test_the_mobile_ledger_with_one_to_one_contacts(db):
    mobile = register(db, add_resident(db, GRID_A1, name="外出务工"), category="mobile",
                      stage="full", stage_since="2005-07-01")
    other_mobile = register(db, add_resident(db, GRID_A1), category="mobile", stage="full",
                            stage_since="2005-07-01")
    contact = register(db, add_resident(db, GRID_A1, name="联系人"), stage="full",
                       stage_since="2000-07-01", branch_id=db.tree["branch2"])
    stay_home = register(db, add_resident(db, GRID_A1), stage="full", stage_since="2000-07-01")
    elsewhere = register(db, add_resident(db, COMMUNITY_A2 + "001"), caller=WORKER_A2,
                         branch_id=db.tree["branch_a2"], stage="full", stage_since="2000-07-01")
    line = {"location": "深圳市南山区某科技公司", "since": "2025-03-01",
            "contact_id": contact["id"]}
    recorded = call(db, WORKER_A1, pm.record_mobile, mobile["id"], line)
    assert recorded["mobile"] == {**line, "contact_name": "联系人"}
    for bad, error, field in (
            ({**line, "contact_id": contact["id"]}, Conflict, "contact_id"),  # one-to-one
            ({**line, "contact_id": other_mobile["id"]}, InvalidInput, "contact_id"),
            ({**line, "contact_id": elsewhere["id"]}, NotFound, "contact_id"),
            ({**line, "contact_id": stay_home["id"], "location": " "}, InvalidInput,
             "location"),
            ({**line, "since": (date.today() + timedelta(days=1)).isoformat(),
              "contact_id": stay_home["id"]}, InvalidInput, "since")):
        with pytest.raises(error) as refused:
            call(db, WORKER_A1, pm.record_mobile, other_mobile["id"], bad)
        assert refused.value.field == field
    with pytest.raises(InvalidInput) as cross:
        call(db, STREET_ADMIN, pm.record_mobile, other_mobile["id"],
             {**line, "contact_id": elsewhere["id"]})
    assert cross.value.field == "contact_id"
    with pytest.raises(Conflict) as not_mobile:
        call(db, WORKER_A1, pm.record_mobile, stay_home["id"], line)
    assert not_mobile.value.field == "category"
    moved = call(db, WORKER_A1, pm.record_mobile, mobile["id"],
                 {**line, "location": "广州市天河区"})  # the same contact again: a new line
    assert moved["mobile"]["location"] == "广州市天河区"
    call(db, WORKER_A1, pm.record_mobile, other_mobile["id"],
         {**line, "contact_id": stay_home["id"]})
    ledger = call(db, AUDITOR_A, pm.list_members, {"category": "mobile", "code": COMMUNITY_A1,
                                                    "limit": 1})
    assert ledger["items"][0]["mobile"]["location"] == "广州市天河区"
    rest = call(db, AUDITOR_A, pm.list_members, {"category": "mobile", "code": COMMUNITY_A1,
                                                  "cursor": ledger["next_cursor"]})
    assert rest["items"][0]["mobile"]["contact_id"] == stay_home["id"]
    assert len(events(db, "membership.party_member_mobile_recorded")) == 3
