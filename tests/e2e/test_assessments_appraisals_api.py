"""Appraisals through the real gateway and broker: a branch's democratic appraisal opened on
membership's roll, voted and counted with one member unqualified → assessments' events on the
broker (ids only) → membership opens a follow-up on that party member, which the branch closes;
five goods ratings and commitment cards; 403 / 404 / 409 / 422 problems that change nothing."""
import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import COMMUNITY_A1, COMMUNITY_A2, STREET_A, STREET_B, assert_problem
from tests.e2e.test_party_members_api import resident
from tests.support import BrokerTap, wait_for

pytestmark = pytest.mark.broker

APPRAISALS = "/api/v1/appraisals"
RATINGS = APPRAISALS + "/branch-ratings"
CARDS = APPRAISALS + "/commitment-cards"
PARTY = "/api/v1/organisations/party"
MEMBERS = "/api/v1/party-members"
GRID_A1 = COMMUNITY_A1 + "001"
E, Q, B, U = "excellent", "qualified", "basically_qualified", "unqualified"


def post(api, url, body, headers, status=201):
    response = api.post(url, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def branch(api, auth, seeded, assessments_container):
    """A branch in Xiguan's first grid with four full members, and a branch in Yongfeng."""
    admin = auth("street_admin", STREET_A)
    worker = auth("community_worker", COMMUNITY_A1)
    top = post(api, PARTY, {"kind": "street_working_committee", "name": "江南街道党工委",
                            "org_code": STREET_A, "founded_on": "2003-07-01"}, admin)
    a1 = post(api, PARTY, {"kind": "community_party_committee", "name": "西关社区党委",
                           "org_code": COMMUNITY_A1, "parent_id": top["id"],
                           "founded_on": "2008-07-01"}, admin)
    a2 = post(api, PARTY, {"kind": "community_party_committee", "name": "永丰社区党委",
                           "org_code": COMMUNITY_A2, "parent_id": top["id"],
                           "founded_on": "2008-07-01"}, admin)
    found = post(api, PARTY, {"kind": "branch", "name": "西关第一党支部", "org_code": GRID_A1,
                              "parent_id": a1["id"], "founded_on": "2009-03-01"}, admin)
    other = post(api, PARTY, {"kind": "branch", "name": "永丰第一党支部",
                              "org_code": COMMUNITY_A2, "parent_id": a2["id"],
                              "founded_on": "2009-03-01"}, admin)
    members = []
    for n in range(4):
        resident_id, _ = resident(api, worker, 40 + n)
        members.append(post(api, MEMBERS, {
            "resident_id": resident_id, "branch_id": found["id"], "category": "resident",
            "stage": "full", "stage_since": "2001-07-01"}, worker)["id"])
    return {"id": found["id"], "other": other["id"], "members": members,
            "committee": a1["id"]}


def assessments_counts(assessments_db) -> dict:
    from services.assessments.models import OutboxMessage
    from services.assessments.models.appraisals import (
        AppraisalBallot,
        AppraisalResult,
        AppraisalRound,
        BranchRating,
        CommitmentCard,
        CommitmentRating,
    )

    with assessments_db.session_factory() as session:
        return {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                for m in (AppraisalRound, AppraisalBallot, AppraisalResult, BranchRating,
                          CommitmentCard, CommitmentRating, OutboxMessage)}


def test_an_unqualified_member_is_followed_up_in_membership(
        api, auth, branch, assessments_db, platform_config):
    worker = auth("community_worker", COMMUNITY_A1)
    tap = BrokerTap(platform_config["AMQP_URI"], exchange="assessments.events",
                    routing_key="assessments.#")
    try:
        response = api.post(APPRAISALS, json={"branch_id": branch["id"], "year": 2025},
                            headers=worker)
        assert response.status_code == 201, response.text
        appraisal = response.json()
        assert response.headers["Location"] == f"{APPRAISALS}/{appraisal['id']}"
        assert appraisal["member_ids"] == sorted(branch["members"])
        url = f"{APPRAISALS}/{appraisal['id']}"
        assert post(api, url + "/voting", {}, worker, 200)["status"] == "voting"
        first, second, third, fourth = branch["members"]
        plan = {first: [E, E, Q], second: [Q, Q, Q], third: [Q, B, Q], fourth: [U, U, Q]}
        for n, voter in enumerate((str(first), "R-01", "R-02")):
            post(api, url + "/ballots", {
                "voter_kind": "member" if n == 0 else "representative", "voter_ref": voter,
                "ratings": {str(m): votes[n] for m, votes in plan.items()}}, worker)
        again = api.post(url + "/ballots", json={"voter_kind": "representative",
                                                 "voter_ref": "R-01",
                                                 "ratings": {str(first): Q}}, headers=worker)
        assert_problem(again, 409, field="voter_ref")
        counted = post(api, url + "/count", {}, worker, 200)
        assert counted["bands"] == {E: 1, Q: 2, B: 0, U: 1}
        results = api.get(url + "/results", headers=auth("auditor", STREET_A)).json()["items"]
        assert {r["party_member_id"]: r["band"] for r in results} == {
            first: E, second: Q, third: Q, fourth: U}

        follow_ups_url = f"{MEMBERS}/{fourth}/follow-ups"
        opened = wait_for(lambda: api.get(follow_ups_url, headers=worker).json()["items"])
        assert [(f["status"], f["source"], f["source_ref"], f["year"]) for f in opened] == [
            ("open", "democratic_appraisal", str(appraisal["id"]), 2025)]
        assert api.get(f"{MEMBERS}/{third}/follow-ups", headers=worker).json()["items"] == []

        seen = wait_for(lambda: [e for e in tap.drain()
                                 if e["type"] == "assessments.member_rated_unqualified"])
        assert seen[0]["data"]["party_member_id"] == fourth
        everything = str(tap.drain(quiet_seconds=0.3))
        assert "党员4" not in everything and "党员" not in everything  # ids, never names
    finally:
        tap.close()

    beside = auth("community_worker", COMMUNITY_A2)
    assert_problem(api.get(follow_ups_url, headers=beside), 404, field="id")
    closure = f"/api/v1/follow-ups/{opened[0]['id']}/closure"
    assert_problem(api.post(closure, json={"outcome": "correction"}, headers=beside), 404,
                   field="id")
    assert_problem(api.post(closure, json={"outcome": "correction"},
                            headers=auth("auditor", STREET_A)), 403)
    assert_problem(api.post(closure, json={"outcome": "shot"}, headers=worker), 422,
                   field="outcome")
    closed = post(api, closure, {"outcome": "correction", "note": "限期三个月改正"}, worker, 200)
    assert (closed["status"], closed["outcome"]) == ("closed", "correction")
    assert_problem(api.post(closure, json={"outcome": "removed"}, headers=worker), 409,
                   field="status")


def test_refusals_name_the_field_and_change_nothing(api, auth, branch, assessments_db):
    worker = auth("community_worker", COMMUNITY_A1)
    opened = post(api, APPRAISALS, {"branch_id": branch["id"], "year": 2024}, worker)
    url = f"{APPRAISALS}/{opened['id']}"
    before = assessments_counts(assessments_db)
    cases = [
        (api.post(APPRAISALS, json={"branch_id": branch["id"], "year": 2024}, headers=worker),
         409, "year"),
        (api.post(APPRAISALS, json={"branch_id": branch["id"], "year": 1900}, headers=worker),
         422, "year"),
        (api.post(APPRAISALS, json={"branch_id": "x", "year": 2024}, headers=worker),
         422, "branch_id"),
        (api.post(APPRAISALS, json={"branch_id": branch["committee"], "year": 2024},
                  headers=worker), 422, "branch_id"),
        (api.post(APPRAISALS, json={"branch_id": branch["other"], "year": 2024},
                  headers=worker), 404, "branch_id"),   # Yongfeng's branch: not beside you
        (api.post(APPRAISALS, json={"branch_id": branch["id"], "year": 2023},
                  headers=auth("auditor", STREET_A)), 403, None),
        (api.post(url + "/ballots", json={"voter_kind": "representative", "voter_ref": "R-1",
                                          "ratings": {str(branch["members"][0]): Q}},
                  headers=worker), 409, "status"),     # not voting yet
        (api.post(url + "/count", headers=worker), 409, "status"),
        (api.get(url, headers=auth("street_admin", STREET_B)), 404, "id"),
        (api.get(url, headers=auth("community_worker", COMMUNITY_A2)), 404, "id"),
        (api.get(APPRAISALS, params={"code": STREET_B}, headers=worker), 403, "code"),
        (api.get(APPRAISALS, params={"limit": 0}, headers=worker), 422, "limit"),
        (api.post(RATINGS, json={"branch_id": branch["id"], "year": 2025,
                                 "scores": {"good_team": 21}}, headers=worker), 422, None),
        (api.post(CARDS, json={"party_member_id": branch["members"][0], "year": 2025,
                               "items": []}, headers=worker), 422, "items"),
        (api.post(CARDS, json={"party_member_id": 987654, "year": 2025, "items": ["x"]},
                  headers=worker), 404, "party_member_id"),
    ]
    for response, status, field in cases:
        assert_problem(response, status, field=field)
    assert api.get(APPRAISALS + "/99999", headers=worker).status_code == 404
    assert assessments_counts(assessments_db) == before


def test_five_goods_and_a_commitment_card(api, auth, branch, assessments_db):
    worker = auth("community_worker", COMMUNITY_A1)
    scores = {"good_leadership": 18, "good_team": 17, "good_mechanism": 16,
              "good_performance": 19, "good_reputation": 15}
    response = api.post(RATINGS, json={"branch_id": branch["id"], "year": 2025,
                                       "scores": scores}, headers=worker)
    assert response.status_code == 201, response.text
    rating = response.json()
    assert (rating["total"], rating["band"]) == (85, "good")
    assert_problem(api.post(RATINGS, json={"branch_id": branch["id"], "year": 2025,
                                           "scores": scores}, headers=worker), 409, "year")
    revised = api.put(f"{RATINGS}/{rating['id']}",
                      json={"scores": {**scores, "good_reputation": 16}}, headers=worker)
    assert (revised.json()["band"], revised.json()["revision"]) == ("five_goods", 1)
    listed = api.get(RATINGS, params={"year": 2025}, headers=auth("auditor", STREET_A)).json()
    assert [r["id"] for r in listed["items"]] == [rating["id"]]
    assert api.get(RATINGS, headers=auth("street_admin", STREET_B)).json()["items"] == []

    member = branch["members"][1]
    card = post(api, CARDS, {"party_member_id": member, "year": 2025,
                             "items": ["每月走访独居老人"], "text": "亮身份作表率"}, worker)
    url = f"{CARDS}/{card['id']}"
    assert_problem(api.post(url + "/assessment", json={"outcome": "fulfilled"},
                            headers=worker), 409, field="stage")
    assert post(api, url + "/publication", {}, worker, 200)["stage"] == "published"
    post(api, url + "/ratings", {"rater_ref": str(branch["members"][0]), "score": 5}, worker,
         200)
    rated = post(api, url + "/ratings", {"rater_ref": "R-9", "score": 4}, worker, 200)
    assert (rated["stage"], rated["peer_average"]) == ("peer_rated", 4.5)
    assessed = post(api, url + "/assessment", {"outcome": "fulfilled"}, worker, 200)
    assert (assessed["stage"], assessed["outcome"]) == ("assessed", "fulfilled")
    assert_problem(api.get(url, headers=auth("community_worker", COMMUNITY_A2)), 404,
                   field="id")
    page = api.get(CARDS, params={"stage": "assessed"}, headers=worker).json()
    assert [c["id"] for c in page["items"]] == [card["id"]]
