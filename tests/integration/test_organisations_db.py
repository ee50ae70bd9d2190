"""Organisation use cases on SQLite and PostgreSQL: the party organisation tree, civil
organisations and their filing, units and co-building agreements, cultural teams — stored,
scoped, paginated, each change with its event in the same transaction."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from services.membership import organisations as orgs
from services.membership import territory
from services.membership.models import OutboxMessage
from services.membership.models.organisations import CivilOrganisation, PartyOrganisation
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, OutOfScope

DISTRICT, STREET_A, STREET_B = "350502", "350502001", "350502002"
A1, A2, B1 = "350502001001", "350502001002", "350502002001"
DISTRICT_ADMIN = CallerContext("dora", ("district_admin",), DISTRICT)
STREET_ADMIN = CallerContext("alice", ("street_admin",), STREET_A)
WORKER_A1 = CallerContext("wang", ("community_worker",), A1)
AUDITOR_B = CallerContext("bo", ("auditor",), STREET_B)


@pytest.fixture
def db(service_db):
    nodes = [("district", DISTRICT, None), ("street", STREET_A, DISTRICT),
             ("street", STREET_B, DISTRICT), ("community", A1, STREET_A),
             ("community", A2, STREET_A), ("community", B1, STREET_B),
             ("grid", A1 + "001", A1), ("grid", A1 + "002", A1), ("grid", A2 + "001", A2)]
    with service_db.transaction("membership") as uow:
        for level, code, parent in nodes:
            territory.create_node(uow, {"level": level, "code": code, "name": f"n{code}",
                                        "parent_code": parent})
    return service_db


def run(db, caller, use_case, *args):
    with db.transaction("membership", caller) as uow:
        return use_case(uow, *args)


def events(db, event_type):
    with db.session_factory() as session:
        return list(session.scalars(select(OutboxMessage.envelope).where(
            OutboxMessage.event_type == event_type).order_by(OutboxMessage.id)))


def count(db, model):
    with db.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def party(db, caller, kind, code, parent_id=None, name=None, founded="2010-07-01"):
    return run(db, caller, orgs.create_party_org, {
        "kind": kind, "name": name or f"{kind} {code}", "org_code": code,
        "parent_id": parent_id, "founded_on": founded})


def build_tree(db):
    committee = party(db, STREET_ADMIN, "street_working_committee", STREET_A, name="江南街道党工委")
    community = party(db, STREET_ADMIN, "community_party_committee", A1, committee["id"],
                      name="西关社区党委")
    branches = [party(db, STREET_ADMIN, "branch", code, community["id"], name=f"第{n}党支部")
                for n, code in enumerate((A1, A1 + "001", A1 + "002"), start=1)]
    group = party(db, STREET_ADMIN, "group", A1 + "001", branches[1]["id"], name="第一党小组")
    return committee, community, branches, group


def test_the_party_tree_is_built_read_and_listed(db):
    committee, community, branches, group = build_tree(db)
    assert committee["org_code"] == STREET_A and committee["parent_id"] is None
    assert group["parent_id"] == branches[1]["id"] and group["status"] == "active"
    assert group["founded_on"] == "2010-07-01"
    ids = [committee["id"], community["id"], *(b["id"] for b in branches), group["id"]]
    assert ids == sorted(ids) and len(set(ids)) == 6  # stable integer ids

    assert run(db, WORKER_A1, orgs.get_party_org, str(group["id"])) == group
    children = run(db, AUDITOR_B.__class__("x", ("auditor",), STREET_A),
                   orgs.list_party_children, community["id"], {"limit": 2})
    assert [c["id"] for c in children["items"]] == [b["id"] for b in branches[:2]]
    rest = run(db, STREET_ADMIN, orgs.list_party_children, community["id"],
               {"limit": 2, "cursor": children["next_cursor"]})
    assert [c["id"] for c in rest["items"]] == [branches[2]["id"]]
    assert rest["next_cursor"] is None

    # by territory prefix: the grid holds a branch and a group; the worker sees their community
    in_grid = run(db, DISTRICT_ADMIN, orgs.list_party_orgs, {"code": A1 + "001"})
    assert [o["id"] for o in in_grid["items"]] == [branches[1]["id"], group["id"]]
    worker = run(db, WORKER_A1, orgs.list_party_orgs, {})
    assert len(worker["items"]) == 5  # not the street's committee
    branches_only = run(db, DISTRICT_ADMIN, orgs.list_party_orgs, {"kind": "branch"})
    assert len(branches_only["items"]) == 3
    assert run(db, AUDITOR_B, orgs.list_party_orgs, {})["items"] == []

    created = events(db, "membership.party_organisation_created")
    assert [e["data"]["id"] for e in created] == ids
    assert created[-1]["org_code"] == A1 + "001" and created[-1]["actor"] == "alice"
    assert created[-1]["data"]["parent_id"] == branches[1]["id"]


def test_the_tree_rules_are_enforced_with_the_database(db):
    committee, community, branches, group = build_tree(db)
    before = count(db, PartyOrganisation), count(db, OutboxMessage)
    cases = [
        (InvalidInput, "parent_id", {"kind": "branch", "org_code": A1, "parent_id": group["id"]}),
        (InvalidInput, "org_code", {"kind": "branch", "org_code": A2,
                                    "parent_id": community["id"]}),
        (InvalidInput, "org_code", {"kind": "community_party_committee", "org_code": A1 + "001",
                                    "parent_id": committee["id"]}),
        (NotFound, "parent_id", {"kind": "branch", "org_code": A1, "parent_id": 999999}),
        (NotFound, "org_code", {"kind": "branch", "org_code": "350502001009",
                                "parent_id": community["id"]}),
        (OutOfScope, "org_code", {"kind": "branch", "org_code": B1,
                                  "parent_id": community["id"]}),
        (InvalidInput, "founded_on", {"kind": "group", "org_code": A1,
                                      "parent_id": branches[0]["id"],
                                      "founded_on": (date.today() + timedelta(days=2)).isoformat()}),
        (Conflict, "name", {"kind": "branch", "org_code": A1, "parent_id": community["id"],
                            "name": "第1党支部"}),
        (InvalidInput, "kind", {"kind": "cell", "org_code": A1}),
        (InvalidInput, "parent_id", {"kind": "branch", "org_code": A1, "parent_id": "1"}),
    ]
    for error, field, payload in cases:
        payload = {"name": "新支部", "founded_on": "2020-01-01", **payload}
        with pytest.raises(error) as caught:
            run(db, STREET_ADMIN, orgs.create_party_org, payload)
        assert caught.value.field == field, (payload, caught.value.detail)
    for caller in (WORKER_A1, CallerContext("k", ("integration",), DISTRICT)):
        with pytest.raises(Forbidden):
            party(db, caller, "branch", A1, community["id"])
    assert (count(db, PartyOrganisation), count(db, OutboxMessage)) == before


def test_rename_and_dissolve_keep_the_record(db):
    committee, community, branches, group = build_tree(db)
    renamed = run(db, STREET_ADMIN, orgs.rename_party_org, group["id"], {"name": " 先锋党小组 "})
    assert renamed["name"] == "先锋党小组"
    run(db, STREET_ADMIN, orgs.rename_party_org, group["id"], {"name": "先锋党小组"})  # no-op
    assert [e["data"] for e in events(db, "membership.party_organisation_renamed")] == [
        {"id": group["id"], "kind": "group", "org_code": A1 + "001",
         "old_name": "第一党小组", "new_name": "先锋党小组"}]

    with pytest.raises(Conflict) as caught:  # a branch with a live group under it
        run(db, STREET_ADMIN, orgs.dissolve_party_org, branches[1]["id"], {})
    assert caught.value.field == "id"
    gone = run(db, STREET_ADMIN, orgs.dissolve_party_org, group["id"],
               {"dissolved_on": "2025-06-30", "reason": "merged into branch 1"})
    assert gone["status"] == "dissolved" and gone["dissolved_on"] == "2025-06-30"
    assert run(db, WORKER_A1, orgs.get_party_org, group["id"])["status"] == "dissolved"
    dissolved_branch = run(db, STREET_ADMIN, orgs.dissolve_party_org, branches[1]["id"], {})
    assert dissolved_branch["dissolved_on"] == date.today().isoformat()
    for use_case, args, field in ((orgs.dissolve_party_org, ({},), "status"),
                                  (orgs.rename_party_org, ({"name": "x"},), "status")):
        with pytest.raises(Conflict) as caught:
            run(db, STREET_ADMIN, use_case, group["id"], *args)
        assert caught.value.field == field
    with pytest.raises(Conflict) as caught:
        party(db, STREET_ADMIN, "group", A1 + "001", branches[1]["id"])
    assert caught.value.field == "parent_id"

    listed = run(db, STREET_ADMIN, orgs.list_party_orgs, {"code": A1})
    assert group["id"] not in [o["id"] for o in listed["items"]]
    everything = run(db, STREET_ADMIN, orgs.list_party_orgs,
                     {"code": A1, "include_dissolved": "true"})
    assert group["id"] in [o["id"] for o in everything["items"]]
    dissolved = events(db, "membership.party_organisation_dissolved")
    assert [e["data"]["id"] for e in dissolved] == [group["id"], branches[1]["id"]]
    assert dissolved[0]["data"]["reason"] == "merged into branch 1"


def test_records_beside_the_callers_territory_are_not_found(db):
    _, community, _, _ = build_tree(db)
    other = CallerContext("w2", ("community_worker",), A2)
    for use_case in (orgs.get_party_org, orgs.list_party_children):
        args = (community["id"],) if use_case is orgs.get_party_org else (community["id"], {})
        with pytest.raises(NotFound) as caught:
            run(db, other, use_case, *args)
        assert caught.value.field == "id"
    with pytest.raises(OutOfScope):
        run(db, other, orgs.list_party_orgs, {"code": A1})
    with pytest.raises(InvalidInput) as caught:
        run(db, other, orgs.get_party_org, "1; drop table")
    assert caught.value.field == "id"


def civil(db, caller=WORKER_A1, code=A1, name="西关合唱协会", phone="13812345678",
          category="cultural"):
    return run(db, caller, orgs.register_civil_org, {
        "name": name, "category": category, "org_code": code, "contact_name": "李梅",
        "contact_phone": phone})


def test_civil_organisations_are_filed_then_revoked_one_step_at_a_time(db):
    org = civil(db)
    assert org["filing_status"] == "unfiled" and org["contact_phone"] == "13812345678"
    with pytest.raises(Conflict) as caught:
        run(db, WORKER_A1, orgs.change_filing, org["id"], {"status": "revoked", "reason": "x"})
    assert caught.value.field == "status"
    for payload, field in (({"status": "filed", "filed_on": "2026-03-01"}, "filing_number"),
                           ({"status": "filed", "filing_number": "LC-1"}, "filed_on"),
                           ({"status": "unfiled"}, "status")):
        with pytest.raises(InvalidInput) as caught:
            run(db, WORKER_A1, orgs.change_filing, org["id"], payload)
        assert caught.value.field == field
    filed = run(db, WORKER_A1, orgs.change_filing, org["id"],
                {"status": "filed", "filed_on": "2026-03-01", "filing_number": "LC-2026-001"})
    assert filed["filing_status"] == "filed" and filed["filing_number"] == "LC-2026-001"

    second = civil(db, name="西关太极协会", category="sports")
    with pytest.raises(Conflict) as caught:
        run(db, WORKER_A1, orgs.change_filing, second["id"],
            {"status": "filed", "filed_on": "2026-03-01", "filing_number": "LC-2026-001"})
    assert caught.value.field == "filing_number"
    with pytest.raises(Conflict) as caught:
        run(db, WORKER_A1, orgs.change_filing, org["id"],
            {"status": "filed", "filed_on": "2026-03-01", "filing_number": "LC-2026-009"})
    assert caught.value.field == "status"
    with pytest.raises(InvalidInput) as caught:
        run(db, WORKER_A1, orgs.change_filing, org["id"], {"status": "revoked"})
    assert caught.value.field == "reason"
    revoked = run(db, WORKER_A1, orgs.change_filing, org["id"],
                  {"status": "revoked", "revoked_on": "2026-06-01", "reason": "停止活动"})
    assert revoked["filing_status"] == "revoked" and revoked["revoked_reason"] == "停止活动"
    with pytest.raises(Conflict) as caught:
        run(db, WORKER_A1, orgs.change_filing, org["id"], {"status": "filed", "filed_on":
                                                           "2026-07-01", "filing_number": "x"})
    assert caught.value.field == "status"
    changes = [e["data"] for e in events(db, "membership.civil_organisation_filing_changed")]
    assert [(c["old_status"], c["new_status"], c["on"]) for c in changes] == [
        ("unfiled", "filed", "2026-03-01"), ("filed", "revoked", "2026-06-01")]
    registered = events(db, "membership.civil_organisation_registered")
    assert len(registered) == 2
    assert "13812345678" not in str(registered + changes)


def test_civil_lists_mask_phones_filter_and_count_against_the_target(db):
    made = []
    for n, code in enumerate([A1] * 4 + [A2] * 3 + [B1] * 2):
        made.append(civil(db, DISTRICT_ADMIN, code, name=f"组织{n}", phone=f"1391234{n:04d}"))
    for org in made[:3] + made[4:6] + made[7:8]:
        run(db, DISTRICT_ADMIN, orgs.change_filing, org["id"],
            {"status": "filed", "filed_on": "2026-01-15", "filing_number": f"N{org['id']}"})
    run(db, DISTRICT_ADMIN, orgs.change_filing, made[0]["id"],
        {"status": "revoked", "reason": "解散"})

    page = run(db, STREET_ADMIN, orgs.list_civil_orgs, {"limit": 3})
    assert [o["id"] for o in page["items"]] == [m["id"] for m in made[:3]]
    assert page["items"][0]["contact_phone"] == "139****0000"
    everything = page["items"]
    while page["next_cursor"]:
        page = run(db, STREET_ADMIN, orgs.list_civil_orgs, {"limit": 3,
                                                            "cursor": page["next_cursor"]})
        everything += page["items"]
    assert [o["id"] for o in everything] == [m["id"] for m in made[:7]]
    assert all("****" in o["contact_phone"] for o in everything)
    filed = run(db, STREET_ADMIN, orgs.list_civil_orgs, {"status": "filed"})
    assert [o["id"] for o in filed["items"]] == [made[i]["id"] for i in (1, 2, 4, 5)]

    summary = run(db, AUDITOR_B.__class__("x", ("auditor",), DISTRICT), orgs.civil_summary,
                  {"code": DISTRICT})
    assert summary["counts"] == {"unfiled": 3, "filed": 5, "revoked": 1, "total": 9}
    assert summary["target"] == {"year": date.today().year, "target": 30, "filed": 5,
                                 "remaining": 25, "progress": round(5 / 30, 4), "met": False}
    assert [(a["code"], a["counts"]["filed"], a["counts"]["total"]) for a in summary["areas"]] \
        == [(STREET_A, 4, 7), (STREET_B, 1, 2)]
    street = run(db, STREET_ADMIN, orgs.civil_summary, {})
    assert street["code"] == STREET_A and street["target"] is None
    assert [(a["code"], a["counts"]) for a in street["areas"]] == [
        (A1, {"unfiled": 1, "filed": 2, "revoked": 1, "total": 4}),
        (A2, {"unfiled": 1, "filed": 2, "revoked": 0, "total": 3})]
    community = run(db, WORKER_A1, orgs.civil_summary, {"code": A1})
    assert community["areas"] == [] and community["counts"]["total"] == 4
    with pytest.raises(OutOfScope):
        run(db, STREET_ADMIN, orgs.civil_summary, {"code": DISTRICT})
    with pytest.raises(InvalidInput) as caught:
        run(db, STREET_ADMIN, orgs.civil_summary, {"code": A1 + "001"})
    assert caught.value.field == "code"
    with pytest.raises(InvalidInput) as caught:
        run(db, STREET_ADMIN, orgs.list_civil_orgs, {"status": "pending"})
    assert caught.value.field == "status"
    assert count(db, CivilOrganisation) == 9


def test_units_sign_agreements_that_end_once(db):
    unit = run(db, STREET_ADMIN, orgs.register_unit, {
        "name": "鲤城区第一医院", "kind": "hospital", "address": "中山路1号", "org_code": A1})
    with pytest.raises(Conflict) as caught:
        run(db, STREET_ADMIN, orgs.register_unit, {
            "name": "鲤城区第一医院", "kind": "hospital", "address": "x", "org_code": A1})
    assert caught.value.field == "name"
    signed = [run(db, WORKER_A1, orgs.sign_agreement, unit["id"], {
        "signed_on": f"2024-{n // 28 + 1:02d}-{n % 28 + 1:02d}", "term_end": "2025-12-31",
        "summary": f"共建项目{n}"}) for n in range(34)]
    assert signed[0]["org_code"] == A1 and signed[0]["unit_name"] == "鲤城区第一医院"
    other = run(db, STREET_ADMIN, orgs.sign_agreement, unit["id"], {
        "org_code": A2, "signed_on": "2024-01-01", "term_end": "2030-01-01", "summary": "义诊"})
    assert other["org_code"] == A2

    walked, cursor = [], None
    while True:
        page = run(db, WORKER_A1, orgs.list_agreements,
                   {"code": A1, "limit": 10, **({"cursor": cursor} if cursor else {})})
        walked += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [a["id"] for a in walked] == [a["id"] for a in signed]
    # the worker of A1 sees the unit's agreements with A1 only
    assert len(run(db, WORKER_A1, orgs.list_unit_agreements, unit["id"],
                   {"limit": 200})["items"]) == 34
    assert len(run(db, STREET_ADMIN, orgs.list_unit_agreements, unit["id"],
                   {"limit": 200})["items"]) == 35

    with pytest.raises(Conflict) as caught:  # its term runs until 2030
        run(db, STREET_ADMIN, orgs.end_agreement, other["id"], {"status": "expired"})
    assert caught.value.field == "status"
    ended = run(db, STREET_ADMIN, orgs.end_agreement, other["id"],
                {"status": "terminated", "reason": "单位搬迁"})
    assert ended["status"] == "terminated" and ended["end_reason"] == "单位搬迁"
    expired = run(db, WORKER_A1, orgs.end_agreement, signed[0]["id"], {"status": "expired"})
    assert expired["status"] == "expired"
    with pytest.raises(Conflict):
        run(db, WORKER_A1, orgs.end_agreement, signed[0]["id"], {"status": "terminated"})
    active = run(db, WORKER_A1, orgs.list_agreements, {"status": "active", "limit": 200})
    assert len(active["items"]) == 33
    with pytest.raises(NotFound):
        run(db, WORKER_A1, orgs.end_agreement, other["id"], {"status": "terminated"})
    with pytest.raises(InvalidInput) as caught:
        run(db, WORKER_A1, orgs.sign_agreement, unit["id"], {
            "signed_on": "2024-01-01", "term_end": "2023-01-01", "summary": "x"})
    assert caught.value.field == "term_end"
    assert len(events(db, "membership.co_building_agreement_signed")) == 35
    assert [e["data"]["status"] for e in events(db, "membership.co_building_agreement_ended")] \
        == ["terminated", "expired"]
    assert len(events(db, "membership.area_unit_registered")) == 1


def test_cultural_teams(db):
    team = run(db, WORKER_A1, orgs.create_team, {
        "name": "西关腰鼓队", "kind": "waist_drum", "org_code": A1, "leader_name": "陈红",
        "member_count": 24, "founded_on": "2015-05-01"})
    assert team["member_count"] == 24
    updated = run(db, WORKER_A1, orgs.update_team, team["id"],
                  {"member_count": 30, "leader_name": "陈红"})
    assert updated["member_count"] == 30
    run(db, STREET_ADMIN, orgs.create_team, {
        "name": "永丰太极队", "kind": "tai_chi", "org_code": A2, "leader_name": "林",
        "member_count": 12, "founded_on": "2018-01-01"})
    assert [t["name"] for t in run(db, STREET_ADMIN, orgs.list_teams, {})["items"]] == [
        "西关腰鼓队", "永丰太极队"]
    assert [t["kind"] for t in run(db, STREET_ADMIN, orgs.list_teams,
                                   {"kind": "tai_chi"})["items"]] == ["tai_chi"]
    assert len(run(db, WORKER_A1, orgs.list_teams, {})["items"]) == 1
    with pytest.raises(InvalidInput) as caught:
        run(db, WORKER_A1, orgs.update_team, team["id"], {})
    assert caught.value.field == "body"
    with pytest.raises(InvalidInput) as caught:
        run(db, WORKER_A1, orgs.update_team, team["id"], {"member_count": 0})
    assert caught.value.field == "member_count"
    with pytest.raises(Forbidden):
        run(db, AUDITOR_B.__class__("x", ("auditor",), A1), orgs.update_team, team["id"],
            {"member_count": 3})
    assert [e["data"]["changes"] for e in events(db, "membership.cultural_team_updated")] == [
        ["member_count"]]
    assert len(events(db, "membership.cultural_team_created")) == 2


def test_the_migration_matches_the_models(service_db):
    """What 0004 creates is what the models declare (columns, types, nullability, indexes)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from services.membership.models import Base

    tables = {"party_organisations", "civil_organisations", "area_units",
              "co_building_agreements", "cultural_teams"}

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


def test_organisations_follow_their_grids_through_a_community_merge(db):
    committee = party(db, STREET_ADMIN, "street_working_committee", STREET_A)
    absorbed = party(db, STREET_ADMIN, "community_party_committee", A2, committee["id"])
    branch = party(db, STREET_ADMIN, "branch", A2 + "001", absorbed["id"])
    team = run(db, WORKER_A1.__class__("w", ("community_worker",), A2), orgs.create_team, {
        "name": "永丰舞蹈队", "kind": "dance", "org_code": A2, "leader_name": "林",
        "member_count": 9, "founded_on": "2019-01-01"})
    with db.transaction("membership", STREET_ADMIN) as uow:
        result = territory.merge_communities(uow, {"surviving_code": A1, "absorbed_code": A2})
    with db.transaction("membership") as uow:
        moved = orgs.follow_merge(uow, result["moves"])
    assert moved["party_organisations"] == 2 and moved["cultural_teams"] == 1
    new_grid = dict((m["old_code"], m["new_code"]) for m in result["moves"])[A2 + "001"]
    assert run(db, WORKER_A1, orgs.get_party_org, branch["id"])["org_code"] == new_grid
    assert run(db, WORKER_A1, orgs.get_party_org, absorbed["id"])["org_code"] == A1
    assert run(db, WORKER_A1, orgs.get_team, team["id"])["org_code"] == A1
    with db.transaction("membership") as uow:  # applying it again changes nothing
        assert set(orgs.follow_merge(uow, result["moves"]).values()) == {0}
