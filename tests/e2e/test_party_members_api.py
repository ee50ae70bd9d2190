"""Party members through the real gateway: registration, the development pipeline as a state
machine, branch/group changes, lists, roles and scope, masked ID numbers, events, and bad input
refused with a problem naming the field and changing nothing."""
import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import (
    COMMUNITY_A1,
    COMMUNITY_A2,
    DISTRICT,
    STREET_A,
    STREET_B,
    assert_problem,
    outbox_events,
)
from tests.unit.test_personal_data import make_id

pytestmark = pytest.mark.broker

MEMBERS = "/api/v1/party-members"
PARTY = "/api/v1/organisations/party"
RESIDENTS = "/api/v1/residents"
GRID_A1 = COMMUNITY_A1 + "001"
GRID_A2 = COMMUNITY_A2 + "001"


def snapshot(membership_db) -> dict:
    from services.membership.models import OutboxMessage
    from services.membership.models.party_members import PartyMember, PartyMemberStep

    with membership_db.session_factory() as session:
        shot = {"outbox": session.scalar(select(func.count()).select_from(OutboxMessage))}
        for model in (PartyMember, PartyMemberStep):
            columns = [c for c in model.__table__.columns if c.name != "updated_at"]
            shot[model.__tablename__] = sorted(
                tuple(str(v) for v in row) for row in session.execute(select(*columns)))
    return shot


def post(api, url, body, headers, status=201):
    response = api.post(url, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def walk(api, headers, **params):
    items, cursor = [], None
    while True:
        response = api.get(MEMBERS, params=dict(params, **({"cursor": cursor} if cursor else {})),
                           headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


@pytest.fixture
def tree(api, auth, seeded):
    admin = auth("street_admin", STREET_A)
    committee = post(api, PARTY, {"kind": "street_working_committee", "name": "江南街道党工委",
                                  "org_code": STREET_A, "founded_on": "2003-07-01"}, admin)
    a1 = post(api, PARTY, {"kind": "community_party_committee", "name": "西关社区党委",
                           "org_code": COMMUNITY_A1, "parent_id": committee["id"],
                           "founded_on": "2008-07-01"}, admin)
    a2 = post(api, PARTY, {"kind": "community_party_committee", "name": "永丰社区党委",
                           "org_code": COMMUNITY_A2, "parent_id": committee["id"],
                           "founded_on": "2008-07-01"}, admin)
    branch = post(api, PARTY, {"kind": "branch", "name": "西关第一党支部", "org_code": GRID_A1,
                               "parent_id": a1["id"], "founded_on": "2009-03-01"}, admin)
    branch2 = post(api, PARTY, {"kind": "branch", "name": "西关第二党支部",
                                "org_code": COMMUNITY_A1, "parent_id": a1["id"],
                                "founded_on": "2009-03-01"}, admin)
    branch_a2 = post(api, PARTY, {"kind": "branch", "name": "永丰第一党支部",
                                  "org_code": COMMUNITY_A2, "parent_id": a2["id"],
                                  "founded_on": "2009-03-01"}, admin)
    group = post(api, PARTY, {"kind": "group", "name": "第一党小组", "org_code": GRID_A1,
                              "parent_id": branch["id"], "founded_on": "2012-05-04"}, admin)
    return {"branch": branch["id"], "branch2": branch2["id"], "branch_a2": branch_a2["id"],
            "group": group["id"]}


def resident(api, headers, n, grid=GRID_A1):
    number = make_id(born="19700101", seq=f"{n:03d}")
    created = post(api, RESIDENTS, {"name": f"党员{n}", "id_number": number,
                                    "phone": "13912345678", "address": f"中山路{n}号",
                                    "grid_code": grid, "residence": "registered"}, headers)
    return created["id"], number


def test_register_walk_the_pipeline_and_read_it_back(api, auth, tree, membership_db):
    worker = auth("community_worker", COMMUNITY_A1)
    resident_id, number = resident(api, worker, 1)
    response = api.post(MEMBERS, json={"resident_id": resident_id, "branch_id": tree["branch"],
                                       "group_id": tree["group"], "category": "in_service",
                                       "stage_since": "2021-03-01"}, headers=worker)
    assert response.status_code == 201, response.text
    member = response.json()
    assert response.headers["Location"] == f"{MEMBERS}/{member['id']}"
    assert member["id_number"] == number[:4] + "*" * 10 + number[-4:]
    assert number not in response.text and "13912345678" not in response.text
    assert (member["stage"], member["org_code"], member["group_id"]) == (
        "applicant", GRID_A1, tree["group"])
    url = f"{MEMBERS}/{member['id']}"
    for step, on in (("activist", "2021-09-01"), ("development_target", "2022-09-01"),
                     ("probationary", "2023-07-01")):
        member = post(api, url + "/stage", {"step": step, "on": on}, worker, status=200)
    skipped = api.post(url + "/stage", json={"step": "activist"}, headers=worker)
    assert "outcome" in assert_problem(skipped, 409, field="stage", slug="conflict")["detail"]
    member = post(api, url + "/stage", {"step": "convert", "on": "2024-07-01"}, worker, 200)
    assert member["stage"] == "full"

    auditor = auth("auditor", DISTRICT)
    read = api.get(url, headers=auditor)
    assert read.status_code == 200 and number not in read.text
    assert [h["step"] for h in read.json()["history"]] == [
        "register", "activist", "development_target", "probationary", "convert"]
    assert [e["data"]["to_stage"] for e in outbox_events(
        membership_db, "membership.party_member_stage_changed")] == [
        "activist", "development_target", "probationary", "full"]
    assert len(outbox_events(membership_db, "membership.party_member_registered")) == 1

    patched = api.patch(url, json={"branch_id": tree["branch2"], "category": "resident"},
                        headers=worker)
    assert patched.status_code == 200, patched.text
    assert (patched.json()["branch_id"], patched.json()["group_id"]) == (tree["branch2"], None)


def test_lists_roles_scope_and_bad_input(api, auth, tree, membership_db):
    worker = auth("community_worker", COMMUNITY_A1)
    worker_a2 = auth("community_worker", COMMUNITY_A2)
    ids = []
    for n in range(1, 5):
        resident_id, _ = resident(api, worker, n)
        ids.append(post(api, MEMBERS, {
            "resident_id": resident_id, "branch_id": tree["branch" if n < 3 else "branch2"],
            "category": "retired" if n == 4 else "resident",
            "stage": "full" if n % 2 else "applicant", "stage_since": "2001-07-01"},
            worker)["id"])
    other_resident, _ = resident(api, worker_a2, 9, grid=GRID_A2)
    other = post(api, MEMBERS, {"resident_id": other_resident, "branch_id": tree["branch_a2"],
                                "category": "mobile", "stage_since": "2025-01-01"}, worker_a2)

    street = auth("auditor", STREET_A)
    assert [m["id"] for m in walk(api, street, limit=2)] == ids + [other["id"]]
    assert [m["id"] for m in walk(api, worker)] == ids
    assert [m["id"] for m in walk(api, street, code=GRID_A1)] == ids[:2]
    assert [m["id"] for m in walk(api, street, stage="full")] == [ids[0], ids[2]]
    assert [m["id"] for m in walk(api, street, category="mobile")] == [other["id"]]
    assert [m["id"] for m in walk(api, street, branch_id=tree["branch2"])] == ids[2:]
    assert walk(api, auth("auditor", STREET_B)) == []

    before = snapshot(membership_db)
    assert_problem(api.get(f"{MEMBERS}/{ids[0]}", headers=worker_a2), 404, field="id")
    assert_problem(api.get(f"{MEMBERS}/abc", headers=worker), 404, field="id")
    assert_problem(api.get(MEMBERS, params={"code": COMMUNITY_A1}, headers=worker_a2), 403,
                   field="code")
    assert_problem(api.get(MEMBERS, params={"stage": "boss"}, headers=street), 422,
                   field="stage")
    assert_problem(api.get(MEMBERS, params={"cursor": "zzz"}, headers=street), 422,
                   field="cursor")
    assert_problem(api.post(MEMBERS, json={"resident_id": other_resident,
                                           "branch_id": tree["branch_a2"], "category": "mobile",
                                           "stage_since": "2025-01-01"}, headers=worker_a2),
                   409, field="resident_id")
    assert_problem(api.post(MEMBERS, json={"resident_id": other_resident, "branch_id": 1,
                                           "category": "x", "stage_since": "2025-01-01"},
                            headers=worker_a2), 422, field="category")
    assert api.post(MEMBERS, json={"resident_id": other_resident},
                    headers=auth("auditor", STREET_A)).status_code == 403
    assert_problem(api.post(f"{MEMBERS}/{ids[1]}/stage", json={"step": "probationary"},
                            headers=worker), 409, field="stage")
    assert_problem(api.post(f"{MEMBERS}/{ids[1]}/stage", json={"step": "convert"},
                            headers=worker), 409, field="stage")
    assert_problem(api.post(f"{MEMBERS}/{ids[1]}/stage", json=["activist"], headers=worker),
                   400, field="body")
    assert_problem(api.patch(f"{MEMBERS}/{ids[2]}", json={"group_id": tree["group"]},
                             headers=worker), 422, field="group_id")
    assert_problem(api.patch(f"{MEMBERS}/{ids[1]}", json={"branch_id": tree["branch_a2"]},
                             headers=worker), 404, field="branch_id")
    assert_problem(api.patch(f"{MEMBERS}/{ids[1]}", json={"branch_id": "1"},
                             headers=worker), 422, field="branch_id")
    assert snapshot(membership_db) == before


def test_a_transfer_between_communities_and_the_observation_rule(api, auth, tree, membership_db):
    worker, worker_a2 = auth("community_worker", COMMUNITY_A1), auth("community_worker",
                                                                       COMMUNITY_A2)
    resident_id, number = resident(api, worker, 1)
    member = post(api, MEMBERS, {"resident_id": resident_id, "branch_id": tree["branch"],
                                 "category": "resident", "stage": "probationary",
                                 "stage_since": "2025-01-10"}, worker)
    url = f"{MEMBERS}/{member['id']}"
    before = snapshot(membership_db)
    assert_problem(api.post(url + "/transfers", json={"direction": "out"}, headers=worker),
                   422, field="destination")
    assert_problem(api.post(url + "/transfers", json={"direction": "sideways"}, headers=worker),
                   422, field="direction")
    assert_problem(api.post(url + "/transfers", json={"direction": "in", "origin": "x"},
                            headers=auth("auditor", STREET_A)), 403)
    assert_problem(api.post(url + "/transfers", json={"direction": "out",
                                                      "to_code": COMMUNITY_A2},
                            headers=worker_a2), 404, field="id")
    assert snapshot(membership_db) == before
    sent = post(api, url + "/transfers", {"direction": "out", "to_code": COMMUNITY_A2,
                                          "on": "2026-01-05"}, worker, 200)
    assert (sent["status"], sent["pending_to_code"]) == ("transferred_out", COMMUNITY_A2)
    incoming = walk(api, worker_a2, incoming="true")
    assert [m["id"] for m in incoming] == [member["id"]] and number not in str(incoming)
    received = post(api, url + "/transfers", {"direction": "in", "branch_id": tree["branch_a2"],
                                              "on": "2026-09-01"}, worker_a2, 200)
    assert (received["org_code"], received["observed_since"]) == (COMMUNITY_A2, "2026-09-01")
    refused = assert_problem(api.post(url + "/stage", json={"step": "convert"},
                                      headers=worker_a2), 409, field="stage")
    assert "2027-03-02" in refused["detail"]  # 182 days after 2026-09-01
    assert_problem(api.get(url, headers=worker), 404, field="id")
    assert [e["data"]["to_code"] for e in outbox_events(
        membership_db, "membership.party_member_transferred_out")] == [COMMUNITY_A2]
    assert [e["data"]["org_code"] for e in outbox_events(
        membership_db, "membership.party_member_transferred_in")] == [COMMUNITY_A2]


def test_in_service_members_register_claim_a_post_and_keep_the_four_ones(api, auth, tree,
                                                                        membership_db):
    worker = auth("community_worker", STREET_A)
    resident_id, number = resident(api, worker, 1)
    member = post(api, MEMBERS, {"resident_id": resident_id, "branch_id": tree["branch"],
                                 "category": "in_service", "stage": "full",
                                 "stage_since": "2010-07-01"}, worker)
    url = f"{MEMBERS}/{member['id']}"
    before = snapshot(membership_db)
    assert_problem(api.post(url + "/post-claims", json={"post": "mediation"}, headers=worker),
                   409, field="registration")
    assert_problem(api.post(url + "/registration", json={"community_code": COMMUNITY_A2},
                            headers=worker), 422, field="workplace")
    assert_problem(api.post(url + "/registration", json={"community_code": "350502002001",
                                                         "workplace": "x"}, headers=worker),
                   403, field="community_code")
    assert snapshot(membership_db) == before
    registered = post(api, url + "/registration", {"community_code": COMMUNITY_A2,
                                                   "registered_on": "2026-02-01",
                                                   "workplace": "市税务局"}, worker, 200)
    assert registered["registration"]["community_code"] == COMMUNITY_A2
    claim = post(api, url + "/post-claims", {"post": "youth_education"}, worker)
    assert str(claim["year"]) == claim["claimed_on"][:4] and claim["community_code"] == COMMUNITY_A2
    assert_problem(api.post(url + "/post-claims", json={"post": "mediation"}, headers=worker),
                   409, field="post")
    assert_problem(api.post(url + "/post-claims", json={"post": "boss"}, headers=worker),
                   422, field="post")
    claims = api.get(MEMBERS + "/post-claims", params={"code": COMMUNITY_A2,
                                                       "post": "youth_education"},
                     headers=auth("auditor", COMMUNITY_A2))
    assert claims.status_code == 200, claims.text
    assert [c["id"] for c in claims.json()["items"]] == [claim["id"]]
    assert number not in claims.text
    assert_problem(api.get(MEMBERS + "/post-claims", params={"year": "soon"}, headers=worker),
                   422, field="year")

    report = post(api, url + "/quota", {"kind": "care", "on": "2026-05-01",
                                        "text": "看望独居老人"}, worker)
    assert report["met"]["care"] is True and report["all_met"] is False
    read = api.get(url + "/quota", params={"year": 2026}, headers=auth("auditor", DISTRICT))
    assert read.status_code == 200 and read.json()["counts"]["care"] == 1
    assert_problem(api.post(url + "/quota", json={"kind": "gift", "text": "x"}, headers=worker),
                   422, field="kind")
    assert [e["data"]["post"] for e in outbox_events(
        membership_db, "membership.party_member_post_claimed")] == ["youth_education"]


def test_the_mobile_member_ledger(api, auth, tree, membership_db):
    worker = auth("community_worker", COMMUNITY_A1)
    ids = []
    for n, category in ((1, "mobile"), (2, "resident"), (3, "mobile")):
        resident_id, _ = resident(api, worker, n)
        ids.append(post(api, MEMBERS, {"resident_id": resident_id, "branch_id": tree["branch"],
                                       "category": category, "stage": "full",
                                       "stage_since": "2001-07-01"}, worker)["id"])
    line = {"location": "深圳市南山区", "since": "2025-06-01", "contact_id": ids[1]}
    before = snapshot(membership_db)
    assert_problem(api.put(f"{MEMBERS}/{ids[1]}/mobile", json=line, headers=worker), 409,
                   field="category")
    assert_problem(api.put(f"{MEMBERS}/{ids[0]}/mobile", json={**line, "contact_id": ids[2]},
                           headers=worker), 422, field="contact_id")
    assert_problem(api.put(f"{MEMBERS}/{ids[0]}/mobile", json={**line, "since": "tomorrow"},
                           headers=worker), 422, field="since")
    assert_problem(api.put(f"{MEMBERS}/{ids[0]}/mobile", json=line,
                           headers=auth("auditor", COMMUNITY_A1)), 403)
    assert snapshot(membership_db) == before
    response = api.put(f"{MEMBERS}/{ids[0]}/mobile", json=line, headers=worker)
    assert response.status_code == 200, response.text
    assert response.json()["mobile"]["contact_name"] == "党员2"
    assert_problem(api.put(f"{MEMBERS}/{ids[2]}/mobile", json=line, headers=worker), 409,
                   field="contact_id")
    ledger = walk(api, auth("auditor", STREET_A), category="mobile", code=COMMUNITY_A1)
    assert [(m["id"], m["mobile"] and m["mobile"]["location"]) for m in ledger] == [
        (ids[0], "深圳市南山区"), (ids[2], None)]
    assert len(outbox_events(membership_db, "membership.party_member_mobile_recorded")) == 1


def test_the_routes_are_in_the_openapi_document(api):
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths[MEMBERS])
    assert {"get", "patch"} <= set(paths[MEMBERS + "/{id}"])
    assert "post" in paths[MEMBERS + "/{id}/stage"]
    assert "post" in paths[MEMBERS + "/{id}/transfers"]
    assert "post" in paths[MEMBERS + "/{id}/registration"]
    assert "post" in paths[MEMBERS + "/{id}/post-claims"]
    assert "get" in paths[MEMBERS + "/post-claims"]
    assert {"get", "post"} <= set(paths[MEMBERS + "/{id}/quota"])
    assert "put" in paths[MEMBERS + "/{id}/mobile"]
