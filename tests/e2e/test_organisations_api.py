"""Organisations through the real gateway: the party organisation tree, civil organisations and
their filing, units based in the area with co-building agreements, cultural teams — roles,
scope, pagination, events, and bad input refused without a change."""
import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import (
    COMMUNITY_A1,
    COMMUNITY_A2,
    COMMUNITY_B1,
    DISTRICT,
    STREET_A,
    STREET_B,
    assert_problem,
    outbox_events,
)

pytestmark = pytest.mark.broker

ORGS = "/api/v1/organisations"
PARTY, CIVIL, UNITS = f"{ORGS}/party", f"{ORGS}/civil", f"{ORGS}/units"
AGREEMENTS, TEAMS = f"{ORGS}/agreements", f"{ORGS}/cultural-teams"
GRID_A1 = COMMUNITY_A1 + "001"


def org_snapshot(membership_db) -> dict:
    """Every organisation row and the outbox size: "unchanged" means all of it."""
    from services.membership.models import OutboxMessage
    from services.membership.models.organisations import (
        AreaUnit,
        CivilOrganisation,
        CoBuildingAgreement,
        CulturalTeam,
        PartyOrganisation,
    )

    snapshot = {}
    with membership_db.session_factory() as session:
        snapshot["outbox"] = session.scalar(select(func.count()).select_from(OutboxMessage))
        for model in (PartyOrganisation, CivilOrganisation, AreaUnit, CoBuildingAgreement,
                      CulturalTeam):
            columns = [c for c in model.__table__.columns if c.name not in ("updated_at",)]
            snapshot[model.__tablename__] = sorted(
                tuple(str(v) for v in row) for row in session.execute(select(*columns)))
    return snapshot


def post(api, url, body, headers, status=201):
    response = api.post(url, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def walk(api, url, headers, **params):
    items, cursor = [], None
    while True:
        response = api.get(url, params=dict(params, **({"cursor": cursor} if cursor else {})),
                           headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"items", "next_cursor"}
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def build_tree(api, headers):
    committee = post(api, PARTY, {"kind": "street_working_committee", "name": "江南街道党工委",
                                  "org_code": STREET_A, "founded_on": "2003-07-01"}, headers)
    community = post(api, PARTY, {"kind": "community_party_committee", "name": "西关社区党委",
                                  "org_code": COMMUNITY_A1, "parent_id": committee["id"],
                                  "secretary_name": "黄志明", "founded_on": "2008-07-01"},
                     headers)
    branches = [post(api, PARTY, {"kind": "branch", "name": f"西关第{n}党支部",
                                  "org_code": GRID_A1 if n == 1 else COMMUNITY_A1,
                                  "parent_id": community["id"], "founded_on": "2009-03-01"},
                     headers) for n in range(1, 6)]
    group = post(api, PARTY, {"kind": "group", "name": "第一党小组", "org_code": GRID_A1,
                              "parent_id": branches[0]["id"], "founded_on": "2012-05-04"},
                 headers)
    return committee, community, branches, group


def test_a_street_admin_builds_renames_and_dissolves_the_party_tree(api, auth, seeded):
    admin = auth("street_admin", STREET_A)
    response = api.post(PARTY, json={"kind": "street_working_committee", "name": "江南街道党工委",
                                     "org_code": STREET_A, "founded_on": "2003-07-01"},
                        headers=admin)
    assert response.status_code == 201, response.text
    committee = response.json()
    assert response.headers["Location"] == f"{PARTY}/{committee['id']}"
    assert isinstance(committee["id"], int)
    assert committee == {**committee, "kind": "street_working_committee", "parent_id": None,
                         "org_code": STREET_A, "status": "active", "secretary_name": None}
    community = post(api, PARTY, {"kind": "community_party_committee", "name": "西关社区党委",
                                  "org_code": COMMUNITY_A1, "parent_id": committee["id"],
                                  "secretary_name": "黄志明", "founded_on": "2008-07-01"}, admin)
    branches = [post(api, PARTY, {"kind": "branch", "name": f"西关第{n}党支部",
                                  "org_code": GRID_A1 if n == 1 else COMMUNITY_A1,
                                  "parent_id": community["id"], "founded_on": "2009-03-01"},
                     admin) for n in range(1, 6)]
    group = post(api, PARTY, {"kind": "group", "name": "第一党小组", "org_code": GRID_A1,
                              "parent_id": branches[0]["id"], "founded_on": "2012-05-04"}, admin)

    auditor = auth("auditor", DISTRICT)
    assert api.get(f"{PARTY}/{group['id']}", headers=auditor).json() == group
    children = walk(api, f"{PARTY}/{community['id']}/children", auditor, limit=2)
    assert [c["id"] for c in children] == [b["id"] for b in branches]
    in_grid = walk(api, PARTY, auditor, code=GRID_A1)
    assert [o["id"] for o in in_grid] == [branches[0]["id"], group["id"]]
    assert len(walk(api, PARTY, auditor, kind="branch", limit=3)) == 5

    # kind rules: a group under a community committee, a branch outside its parent's node
    assert_problem(api.post(PARTY, json={"kind": "group", "name": "x", "org_code": COMMUNITY_A1,
                                         "parent_id": community["id"],
                                         "founded_on": "2020-01-01"}, headers=admin),
                   422, field="parent_id")
    assert_problem(api.post(PARTY, json={"kind": "branch", "name": "x", "org_code": COMMUNITY_A2,
                                         "parent_id": community["id"],
                                         "founded_on": "2020-01-01"}, headers=admin),
                   422, field="org_code")

    renamed = api.patch(f"{PARTY}/{branches[4]['id']}", json={"name": "西关老干部党支部"},
                        headers=admin)
    assert renamed.status_code == 200 and renamed.json()["name"] == "西关老干部党支部"
    busy = api.post(f"{PARTY}/{branches[0]['id']}/dissolve", json={}, headers=admin)
    assert_problem(busy, 409, field="id")
    gone = api.post(f"{PARTY}/{branches[4]['id']}/dissolve",
                    json={"dissolved_on": "2025-12-31", "reason": "并入第二支部"}, headers=admin)
    assert gone.status_code == 200, gone.text
    assert gone.json()["status"] == "dissolved" and gone.json()["dissolved_on"] == "2025-12-31"
    assert_problem(api.post(f"{PARTY}/{branches[4]['id']}/dissolve", json={}, headers=admin),
                   409, field="status")
    assert api.get(f"{PARTY}/{branches[4]['id']}", headers=auditor).json()["status"] == \
        "dissolved"
    assert len(walk(api, f"{PARTY}/{community['id']}/children", auditor)) == 4
    assert len(walk(api, f"{PARTY}/{community['id']}/children", auditor,
                    include_dissolved="true")) == 5

    created = outbox_events(seeded, "membership.party_organisation_created")
    assert [e["data"]["id"] for e in created] == [
        committee["id"], community["id"], *(b["id"] for b in branches), group["id"]]
    assert created[-1]["org_code"] == GRID_A1 and created[-1]["actor"] == "test-street_admin"
    assert [e["data"]["new_name"] for e in
            outbox_events(seeded, "membership.party_organisation_renamed")] == ["西关老干部党支部"]
    assert [e["data"]["id"] for e in
            outbox_events(seeded, "membership.party_organisation_dissolved")] == [
        branches[4]["id"]]


def test_party_tree_changes_are_for_street_and_district_admins_within_their_scope(
        api, auth, seeded):
    committee, community, branches, group = build_tree(api, auth("district_admin", DISTRICT))
    before = org_snapshot(seeded)
    new_branch = {"kind": "branch", "name": "新支部", "org_code": COMMUNITY_A1,
                  "parent_id": community["id"], "founded_on": "2020-01-01"}
    for role in ("community_worker", "integration", "auditor", "grid_worker"):
        headers = auth(role, STREET_A)
        assert_problem(api.post(PARTY, json=new_branch, headers=headers), 403)
        assert_problem(api.patch(f"{PARTY}/{group['id']}", json={"name": "x"}, headers=headers),
                       403)
        assert_problem(api.post(f"{PARTY}/{group['id']}/dissolve", json={}, headers=headers),
                       403)
        assert api.get(f"{PARTY}/{group['id']}", headers=headers).status_code == 200

    beside = auth("street_admin", STREET_B)
    assert_problem(api.post(PARTY, json=new_branch, headers=beside), 403, field="org_code")
    # records beside the caller's territory are not found (ids cannot probe)
    assert_problem(api.get(f"{PARTY}/{group['id']}", headers=beside), 404, field="id")
    assert_problem(api.patch(f"{PARTY}/{group['id']}", json={"name": "x"}, headers=beside),
                   404, field="id")
    assert_problem(api.get(f"{PARTY}/{community['id']}/children", headers=beside), 404,
                   field="id")
    assert_problem(api.get(PARTY, params={"code": COMMUNITY_A1}, headers=beside), 403,
                   field="code")
    assert walk(api, PARTY, beside) == []
    # a street admin beside the parent cannot hang a branch in their street under it
    assert_problem(api.post(PARTY, json={**new_branch, "org_code": COMMUNITY_B1},
                            headers=beside), 404, field="parent_id")
    assert org_snapshot(seeded) == before


def civil_body(n, code=COMMUNITY_A1, phone=None):
    return {"name": f"民间组织{n}", "category": ("cultural", "sports", "charity", "elderly",
                                                  "mutual_aid")[n % 5],
            "org_code": code, "contact_name": "李梅", "contact_phone": phone or f"1381234{n:04d}"}


def test_civil_organisations_are_registered_filed_revoked_and_summarised(api, auth, seeded):
    worker = auth("community_worker", COMMUNITY_A1)
    admin = auth("district_admin", DISTRICT)
    first = post(api, CIVIL, civil_body(1), worker)
    assert first["filing_status"] == "unfiled" and first["contact_phone"] == "13812340001"
    assert api.get(f"{CIVIL}/{first['id']}", headers=worker).json() == first
    read_only = api.get(f"{CIVIL}/{first['id']}", headers=auth("auditor", DISTRICT)).json()
    assert read_only == {**first, "contact_phone": "138****0001"}

    skipped = api.post(f"{CIVIL}/{first['id']}/filing", json={"status": "revoked",
                                                              "reason": "x"}, headers=worker)
    body = assert_problem(skipped, 409, field="status")
    assert "status" in body["detail"]
    filed = api.post(f"{CIVIL}/{first['id']}/filing", json={
        "status": "filed", "filed_on": "2026-02-01", "filing_number": "鲤民备2026-001"},
        headers=worker)
    assert filed.status_code == 200, filed.text
    assert filed.json()["filing_status"] == "filed"
    assert filed.json()["filing_number"] == "鲤民备2026-001"
    assert_problem(api.post(f"{CIVIL}/{first['id']}/filing", json={
        "status": "filed", "filed_on": "2026-02-01", "filing_number": "鲤民备2026-002"},
        headers=worker), 409, field="status")
    revoked = api.post(f"{CIVIL}/{first['id']}/filing",
                       json={"status": "revoked", "reason": "长期不活动"}, headers=worker)
    assert revoked.json()["filing_status"] == "revoked"
    assert_problem(api.post(f"{CIVIL}/{first['id']}/filing", json={
        "status": "filed", "filed_on": "2026-02-01", "filing_number": "鲤民备2026-003"},
        headers=worker), 409, field="status")

    made = [post(api, CIVIL, civil_body(n, code), admin)
            for n, code in enumerate([COMMUNITY_A1] * 3 + [COMMUNITY_A2] * 4 + [COMMUNITY_B1] * 5,
                                     start=10)]
    for org in made[::2]:
        post(api, f"{CIVIL}/{org['id']}/filing", {
            "status": "filed", "filed_on": "2026-03-01", "filing_number": f"N-{org['id']}"},
            admin, status=200)

    listed = walk(api, CIVIL, auth("auditor", STREET_A), limit=3)
    assert [o["id"] for o in listed] == [first["id"], *(o["id"] for o in made[:7])]
    assert listed[1]["contact_phone"] == "138****0010"
    assert all(o["contact_phone"].count("*") == 4 for o in listed)
    only_filed = walk(api, CIVIL, admin, status="filed")
    assert [o["id"] for o in only_filed] == [o["id"] for o in made[::2]]
    assert walk(api, CIVIL, admin, status="revoked", code=COMMUNITY_A1)[0]["id"] == first["id"]

    summary = api.get(f"{CIVIL}/summary", params={"code": DISTRICT}, headers=admin)
    assert summary.status_code == 200, summary.text
    summary = summary.json()
    assert summary["code"] == DISTRICT and summary["level"] == "district"
    assert summary["counts"] == {"unfiled": 6, "filed": 6, "revoked": 1, "total": 13}
    assert summary["target"] == {**summary["target"], "target": 30, "filed": 6,
                                 "remaining": 24, "progress": 0.2, "met": False}
    assert [(a["code"], a["counts"]["filed"]) for a in summary["areas"]] == [
        (STREET_A, 4), (STREET_B, 2)]
    street = api.get(f"{CIVIL}/summary", headers=auth("street_admin", STREET_A)).json()
    assert street["code"] == STREET_A and street["target"] is None
    assert [(a["code"], a["counts"]["total"]) for a in street["areas"]] == [
        (COMMUNITY_A1, 4), (COMMUNITY_A2, 4)]
    assert_problem(api.get(f"{CIVIL}/summary", params={"code": DISTRICT},
                           headers=auth("street_admin", STREET_A)), 403, field="code")

    events = outbox_events(seeded, "membership.civil_organisation_filing_changed")
    assert [(e["data"]["old_status"], e["data"]["new_status"]) for e in events[:2]] == [
        ("unfiled", "filed"), ("filed", "revoked")]
    registered = outbox_events(seeded, "membership.civil_organisation_registered")
    assert len(registered) == 13
    assert not any("1381234" in str(e) for e in registered + events), "no phone in events"
    # readers cannot register, workers cannot reach beside their community
    assert_problem(api.post(CIVIL, json=civil_body(99), headers=auth("auditor", DISTRICT)), 403)
    assert_problem(api.post(CIVIL, json=civil_body(99, COMMUNITY_A2), headers=worker), 403,
                   field="org_code")
    assert_problem(api.get(f"{CIVIL}/{made[-1]['id']}", headers=worker), 404, field="id")


def test_units_sign_co_building_agreements_with_communities(api, auth, seeded):
    admin = auth("street_admin", STREET_A)
    worker = auth("community_worker", COMMUNITY_A1)
    unit = post(api, UNITS, {"name": "鲤城区实验小学", "kind": "school", "address": "新华路12号",
                             "org_code": COMMUNITY_A1}, admin)
    assert api.get(f"{UNITS}/{unit['id']}", headers=worker).json() == unit
    hospital = post(api, UNITS, {"name": "区中医院", "kind": "hospital", "address": "中山路8号",
                                 "org_code": COMMUNITY_A2}, admin)
    assert [u["id"] for u in walk(api, UNITS, admin, kind="school")] == [unit["id"]]

    response = api.post(f"{UNITS}/{unit['id']}/agreements", json={
        "signed_on": "2024-03-01", "term_end": "2027-02-28", "summary": "共建文明校园"},
        headers=worker)
    assert response.status_code == 201, response.text
    first = response.json()
    assert response.headers["Location"] == f"{AGREEMENTS}/{first['id']}"
    assert first == {**first, "unit_id": unit["id"], "unit_name": "鲤城区实验小学",
                     "org_code": COMMUNITY_A1, "status": "active"}
    for n in range(33):  # one seed community signed 34
        post(api, f"{UNITS}/{hospital['id'] if n % 2 else unit['id']}/agreements", {
            "org_code": COMMUNITY_A1, "signed_on": "2024-05-01", "term_end": "2026-04-30",
            "summary": f"共建项目{n}"}, admin)
    post(api, f"{UNITS}/{hospital['id']}/agreements", {
        "signed_on": "2024-05-01", "term_end": "2026-04-30", "summary": "义诊"}, admin)

    in_a1 = walk(api, AGREEMENTS, worker, code=COMMUNITY_A1, limit=10)
    assert len(in_a1) == 34 and len({a["id"] for a in in_a1}) == 34
    assert {a["org_code"] for a in in_a1} == {COMMUNITY_A1}
    assert len(walk(api, AGREEMENTS, admin)) == 35
    assert len(walk(api, f"{UNITS}/{unit['id']}/agreements", worker)) == 18
    # a unit based beside the worker's community is not theirs to read
    assert_problem(api.get(f"{UNITS}/{hospital['id']}/agreements", headers=worker), 404,
                   field="id")
    assert len(walk(api, f"{UNITS}/{hospital['id']}/agreements", admin)) == 17

    early = api.patch(f"{AGREEMENTS}/{first['id']}", json={"status": "expired"}, headers=worker)
    assert_problem(early, 409, field="status")
    ended = api.patch(f"{AGREEMENTS}/{first['id']}", json={"status": "terminated",
                                                          "reason": "学校迁址"}, headers=worker)
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "terminated" and ended.json()["end_reason"] == "学校迁址"
    lapsed = in_a1[1]
    assert api.patch(f"{AGREEMENTS}/{lapsed['id']}", json={"status": "expired"},
                     headers=worker).json()["status"] == "expired"
    assert_problem(api.patch(f"{AGREEMENTS}/{lapsed['id']}", json={"status": "terminated"},
                             headers=worker), 409, field="status")
    assert len(walk(api, AGREEMENTS, worker, status="active")) == 32
    ended_events = outbox_events(seeded, "membership.co_building_agreement_ended")
    assert [e["data"]["status"] for e in ended_events] == ["terminated", "expired"]
    assert len(outbox_events(seeded, "membership.co_building_agreement_signed")) == 35
    assert_problem(api.patch(f"{AGREEMENTS}/{first['id']}", json={"status": "terminated"},
                             headers=auth("community_worker", COMMUNITY_B1)), 404, field="id")


def test_cultural_teams(api, auth, seeded):
    worker = auth("community_worker", COMMUNITY_A1)
    teams = [post(api, TEAMS, {"name": name, "kind": kind, "org_code": COMMUNITY_A1,
                               "leader_name": "陈红", "member_count": count,
                               "founded_on": "2016-09-01"}, worker)
             for name, kind, count in (("夕阳红合唱团", "choir", 40), ("秧歌队", "yangge", 22),
                                       ("腰鼓队", "waist_drum", 18), ("太极拳队", "tai_chi", 30))]
    post(api, TEAMS, {"name": "南音社", "kind": "opera", "org_code": COMMUNITY_B1,
                      "leader_name": "蔡", "member_count": 12, "founded_on": "2001-01-01"},
         auth("street_admin", STREET_B))
    assert api.get(f"{TEAMS}/{teams[0]['id']}", headers=worker).json() == teams[0]
    assert [t["id"] for t in walk(api, TEAMS, worker, limit=3)] == [t["id"] for t in teams]
    assert [t["kind"] for t in walk(api, TEAMS, auth("auditor", DISTRICT), kind="opera")] == [
        "opera"]
    changed = api.patch(f"{TEAMS}/{teams[1]['id']}", json={"member_count": 25,
                                                           "leader_name": "王芳"}, headers=worker)
    assert changed.status_code == 200, changed.text
    assert changed.json()["member_count"] == 25 and changed.json()["leader_name"] == "王芳"
    assert_problem(api.post(TEAMS, json={"name": "秧歌队", "kind": "yangge",
                                         "org_code": COMMUNITY_A1, "leader_name": "x",
                                         "member_count": 3, "founded_on": "2020-01-01"},
                            headers=worker), 409, field="name")
    assert len(outbox_events(seeded, "membership.cultural_team_created")) == 5
    updated = outbox_events(seeded, "membership.cultural_team_updated")
    assert [sorted(e["data"]["changes"]) for e in updated] == [["leader_name", "member_count"]]


def test_bad_input_is_refused_naming_the_field_and_changes_nothing(api, auth, seeded):
    admin = auth("district_admin", DISTRICT)
    _, community, branches, group = build_tree(api, admin)
    civil = post(api, CIVIL, civil_body(1), admin)
    unit = post(api, UNITS, {"name": "u", "kind": "army", "address": "a",
                             "org_code": COMMUNITY_A1}, admin)
    agreement = post(api, f"{UNITS}/{unit['id']}/agreements", {
        "signed_on": "2024-01-01", "term_end": "2025-01-01", "summary": "s"}, admin)
    team = post(api, TEAMS, {"name": "t", "kind": "dance", "org_code": COMMUNITY_A1,
                             "leader_name": "l", "member_count": 5, "founded_on": "2020-01-01"},
                admin)
    branch = {"kind": "branch", "name": "新支部", "org_code": COMMUNITY_A1,
              "parent_id": community["id"], "founded_on": "2020-01-01"}
    cases = [
        ("GET", f"{PARTY}/abc", None, None, 422, "id"),
        ("GET", f"{PARTY}/0", None, None, 422, "id"),
        ("GET", f"{PARTY}/99999999999999999999", None, None, 422, "id"),
        ("GET", f"{PARTY}/999999", None, None, 404, "id"),
        ("GET", f"{PARTY}/%00", None, None, 422, "id"),
        ("GET", f"{CIVIL}/1.5", None, None, 422, "id"),
        ("GET", f"{UNITS}/-3/agreements", None, None, 422, "id"),
        ("PATCH", f"{AGREEMENTS}/x", None, {"status": "expired"}, 422, "id"),
        ("GET", PARTY, {"limit": "0"}, None, 422, "limit"),
        ("GET", PARTY, {"limit": "many"}, None, 422, "limit"),
        ("GET", PARTY, {"code": "35050"}, None, 422, "code"),
        ("GET", PARTY, {"code": "350502009"}, None, 404, "code"),
        ("GET", PARTY, {"kind": "cell"}, None, 422, "kind"),
        ("GET", PARTY, {"include_dissolved": "perhaps"}, None, 422, "include_dissolved"),
        ("GET", PARTY, {"cursor": "not-a-cursor"}, None, 422, "cursor"),
        ("GET", CIVIL, {"status": "pending"}, None, 422, "status"),
        ("GET", f"{CIVIL}/summary", {"code": GRID_A1}, None, 422, "code"),
        ("GET", f"{CIVIL}/summary", {"code": "x"}, None, 422, "code"),
        ("GET", AGREEMENTS, {"status": "paused"}, None, 422, "status"),
        ("GET", TEAMS, {"kind": "karaoke"}, None, 422, "kind"),
        ("POST", PARTY, None, [branch], 400, "body"),
        ("POST", PARTY, None, {**branch, "name": ""}, 422, "name"),
        ("POST", PARTY, None, {**branch, "name": "   "}, 422, "name"),
        ("POST", PARTY, None, {**branch, "name": "a\x00b"}, 422, "name"),
        ("POST", PARTY, None, {**branch, "name": "x" * 101}, 422, "name"),
        ("POST", PARTY, None, {**branch, "founded_on": "2020-02-30"}, 422, "founded_on"),
        ("POST", PARTY, None, {**branch, "founded_on": "2999-01-01"}, 422, "founded_on"),
        ("POST", PARTY, None, {**branch, "parent_id": "x"}, 422, "parent_id"),
        ("POST", PARTY, None, {**branch, "parent_id": 2 ** 40}, 422, "parent_id"),
        ("POST", PARTY, None, {**branch, "org_code": "3505020010019"}, 404, "org_code"),
        ("POST", PARTY, None, {**branch, "org_code": 350502001001}, 422, "org_code"),
        ("POST", PARTY, None, {k: v for k, v in branch.items() if k != "kind"}, 422, "kind"),
        ("PATCH", f"{PARTY}/{group['id']}", None, {"name": None}, 422, "name"),
        ("POST", f"{PARTY}/{group['id']}/dissolve", None, {"dissolved_on": "soon"}, 422,
         "dissolved_on"),
        ("POST", f"{PARTY}/{group['id']}/dissolve", None, {"dissolved_on": "2001-01-01"}, 422,
         "dissolved_on"),
        ("POST", CIVIL, None, civil_body(2, phone="12345"), 422, "contact_phone"),
        ("POST", CIVIL, None, {**civil_body(2), "category": "party"}, 422, "category"),
        ("POST", CIVIL, None, civil_body(2, code=STREET_A), 422, "org_code"),
        ("POST", CIVIL, None, civil_body(2, code=GRID_A1), 422, "org_code"),
        ("POST", f"{CIVIL}/{civil['id']}/filing", None, {"status": "filed"}, 422, "filed_on"),
        ("POST", f"{CIVIL}/{civil['id']}/filing", None,
         {"status": "filed", "filed_on": "2026-01-01"}, 422, "filing_number"),
        ("POST", f"{CIVIL}/{civil['id']}/filing", None, {"status": "unfiled"}, 422, "status"),
        ("POST", f"{CIVIL}/{civil['id']}/filing", None, {"status": "revoked", "reason": "r"},
         409, "status"),
        ("POST", UNITS, None, {"name": "u2", "kind": "bank", "address": "a",
                               "org_code": COMMUNITY_A1}, 422, "kind"),
        ("POST", f"{UNITS}/{unit['id']}/agreements", None,
         {"signed_on": "2024-01-01", "term_end": "2023-01-01", "summary": "s"}, 422, "term_end"),
        ("PATCH", f"{AGREEMENTS}/{agreement['id']}", None, {"status": "active"}, 422, "status"),
        ("PATCH", f"{AGREEMENTS}/{agreement['id']}", None, {"status": "terminated",
                                                            "ended_on": "2023-01-01"}, 422,
         "ended_on"),
        ("POST", TEAMS, None, {"name": "t2", "kind": "choir", "org_code": COMMUNITY_A1,
                               "leader_name": "l", "member_count": "5",
                               "founded_on": "2020-01-01"}, 422, "member_count"),
        ("PATCH", f"{TEAMS}/{team['id']}", None, {}, 422, "body"),
        ("PATCH", f"{TEAMS}/{team['id']}", None, {"member_count": -1}, 422, "member_count"),
        ("PATCH", f"{TEAMS}/{team['id']}", None, {"kind": "choir"}, 422, "kind"),
    ]
    before = org_snapshot(seeded)
    failures = []
    for method, url, params, body, status, field in cases:
        response = api.request(method, url, params=params, json=body, headers=admin)
        try:
            assert response.status_code != 500, response.text[:300]
            assert_problem(response, status, field=field)
        except AssertionError as exc:
            failures.append(f"{method} {url} {params} {body}: {exc}")
    assert not failures, "\n".join(failures)
    beside = api.post(f"{UNITS}/{unit['id']}/agreements", json={
        "signed_on": "2024-01-01", "term_end": "2025-01-01", "summary": "s",
        "org_code": COMMUNITY_B1}, headers=auth("street_admin", STREET_A))
    assert_problem(beside, 403, field="org_code")
    assert org_snapshot(seeded) == before, "a refused request changed something"
    # a body that is not JSON
    response = api.post(PARTY, data=b'{"kind": ', headers=admin)
    assert_problem(response, 400, field="body")
    assert branches  # the tree stands


def test_the_openapi_document_lists_the_organisation_routes(api):
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    expected = {
        PARTY: {"get", "post"}, f"{PARTY}/{{id}}": {"get", "patch"},
        f"{PARTY}/{{id}}/dissolve": {"post"}, f"{PARTY}/{{id}}/children": {"get"},
        CIVIL: {"get", "post"}, f"{CIVIL}/{{id}}": {"get"}, f"{CIVIL}/{{id}}/filing": {"post"},
        f"{CIVIL}/summary": {"get"}, UNITS: {"get", "post"}, f"{UNITS}/{{id}}": {"get"},
        f"{UNITS}/{{id}}/agreements": {"get", "post"}, AGREEMENTS: {"get"},
        f"{AGREEMENTS}/{{id}}": {"patch"}, TEAMS: {"get", "post"},
        f"{TEAMS}/{{id}}": {"get", "patch"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) >= methods, path


def test_a_community_merge_carries_its_organisations_to_the_survivor(api, auth, seeded):
    """The merge is territory's; membership's own handler of membership.communities_merged
    re-files the organisations on the absorbed community and its grids (once, via the inbox)."""
    import time

    admin = auth("street_admin", STREET_A)
    committee = post(api, PARTY, {"kind": "street_working_committee", "name": "党工委",
                                  "org_code": STREET_A, "founded_on": "2003-07-01"}, admin)
    absorbed = post(api, PARTY, {"kind": "community_party_committee", "name": "永丰社区党委",
                                 "org_code": COMMUNITY_A2, "parent_id": committee["id"],
                                 "founded_on": "2008-07-01"}, admin)
    branch = post(api, PARTY, {"kind": "branch", "name": "永丰网格党支部",
                               "org_code": COMMUNITY_A2 + "002", "parent_id": absorbed["id"],
                               "founded_on": "2009-07-01"}, admin)
    civil = post(api, CIVIL, civil_body(5, COMMUNITY_A2), admin)
    merged = api.post("/api/v1/territory/merges", json={"surviving_code": COMMUNITY_A1,
                                                        "absorbed_code": COMMUNITY_A2},
                      headers=admin)
    assert merged.status_code == 200, merged.text
    new_code = {m["old_code"]: m["new_code"] for m in merged.json()["moves"]}[
        COMMUNITY_A2 + "002"]

    worker = auth("community_worker", COMMUNITY_A1)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        response = api.get(f"{PARTY}/{branch['id']}", headers=worker)
        if response.status_code == 200 and response.json()["org_code"] == new_code:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the branch did not follow its grid: {response.text}")
    assert api.get(f"{PARTY}/{absorbed['id']}", headers=worker).json()["org_code"] == \
        COMMUNITY_A1
    assert api.get(f"{CIVIL}/{civil['id']}", headers=worker).json()["org_code"] == COMMUNITY_A1
    assert [o["id"] for o in walk(api, PARTY, worker, code=new_code)] == [branch["id"]]
