"""Titles 荣誉称号 through the real gateway and broker: a community and a resident nominated,
reviewed, on public notice (public, people masked), granted — membership then shows the honour on
the community's node and the resident's record; withdrawn — gone from the record, kept revoked in
the honours list. ``assessments.title_*`` on the broker carry ids and codes, never names. A step
not allowed now is 409; roles 403; another street 404; bad input 422 with nothing changed."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import COMMUNITY_A1, COMMUNITY_A2, STREET_A, STREET_B, assert_problem
from tests.integration.test_volunteers import add_resident
from tests.support import BrokerTap, wait_for

pytestmark = pytest.mark.broker

TITLES = "/api/v1/titles"
HONOURS = "/api/v1/honours"
NODES = "/api/v1/territory/nodes"
RESIDENTS = "/api/v1/residents"
GRID_A1 = COMMUNITY_A1 + "001"
TODAY = datetime.now(timezone.utc).date()


def day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def post(api, url, body, headers, status=200):
    response = api.post(url, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def nominate(api, headers, kind, holder_ref, level="district", on=20):
    return post(api, TITLES, {"kind": kind, "level": level, "year": TODAY.year - 1,
                              "holder_ref": str(holder_ref), "citation": "事迹突出",
                              "on": day(on)}, headers, 201)


def take_through_notice(api, title_id, admin, reviewed=15, granted=None):
    post(api, f"{TITLES}/{title_id}/review", {"decision": "approve", "on": day(reviewed)}, admin)
    if granted is not None:
        return post(api, f"{TITLES}/{title_id}/grant", {"on": day(granted)}, admin)
    return None


def honours_of(api, url, headers) -> list[int]:
    response = api.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return [h["title_id"] for h in response.json()["honours"]]


def title_rows(assessments_db) -> int:
    from services.assessments.models import OutboxMessage
    from services.assessments.models.titles import Title, TitleStep

    with assessments_db.session_factory() as session:
        return tuple(session.scalar(select(func.count()).select_from(m))
                     for m in (Title, TitleStep, OutboxMessage))


def test_a_granted_title_shows_on_the_record_and_a_withdrawn_one_leaves_it(
        api, auth, seeded, assessments_container, platform_config):
    worker = auth("community_worker", COMMUNITY_A1)
    admin = auth("street_admin", STREET_A)
    resident = add_resident(seeded, GRID_A1, name="林秀英")
    tap = BrokerTap(platform_config["AMQP_URI"], exchange="assessments.events",
                    routing_key="assessments.#")
    try:
        community = nominate(api, worker, "civilised_community", COMMUNITY_A1)
        neighbour = nominate(api, worker, "top_ten_good_neighbour", resident)
        assert neighbour["holder_name"] == "林秀英" and neighbour["org_code"] == GRID_A1
        granted = take_through_notice(api, community["id"], admin, granted=5)
        assert (granted["status"], granted["allowed_actions"]) == ("granted", ["withdraw"])
        take_through_notice(api, neighbour["id"], admin, granted=6)
        wait_for(lambda: honours_of(api, f"{NODES}/{COMMUNITY_A1}", worker) == [community["id"]])
        wait_for(lambda: honours_of(api, f"{RESIDENTS}/{resident}", worker) == [neighbour["id"]])
        assert honours_of(api, f"{NODES}/{COMMUNITY_A2}", admin) == []

        post(api, f"{TITLES}/{community['id']}/withdrawal", {"reason": "发生重大安全事故"}, admin)
        wait_for(lambda: honours_of(api, f"{NODES}/{COMMUNITY_A1}", worker) == [])
        listed = api.get(HONOURS, params={"holder_kind": "community", "holder_ref": COMMUNITY_A1},
                         headers=worker).json()["items"]
        assert [(h["title_id"], h["revoked_on"]) for h in listed] == [
            (community["id"], TODAY.isoformat())]
        wait_for(lambda: "assessments.title_withdrawn" in [e["type"] for e in tap.drain()])
        seen = tap.drain(quiet_seconds=0.5)
    finally:
        tap.close()
    types = [e["type"] for e in seen if e["data"]["title_id"] == community["id"]]
    assert types == ["assessments.title_nominated", "assessments.title_noticed",
                     "assessments.title_granted", "assessments.title_withdrawn"]
    assert "林秀英" not in str(seen) and "西关社区" not in str(seen)
    # the honours list is scoped like the holder
    assert_problem(api.get(HONOURS, params={"holder_kind": "resident", "holder_ref": resident},
                           headers=auth("street_admin", STREET_B)), 404, field="holder_ref")


def test_the_public_notice_needs_no_sign_in_and_masks_people(
        api, auth, seeded, assessments_container):
    worker = auth("community_worker", COMMUNITY_A1)
    admin = auth("street_admin", STREET_A)
    resident = add_resident(seeded, GRID_A1, name="欧阳娜娜")
    title = nominate(api, worker, "top_ten_good_neighbour", resident, on=3)
    take_through_notice(api, title["id"], admin, reviewed=1)
    notices = api.get(f"{TITLES}/notices")
    assert notices.status_code == 200, notices.text
    assert [(n["id"], n["holder"], n["area_code"]) for n in notices.json()["items"]] == [
        (title["id"], "欧**娜", COMMUNITY_A1)]
    assert "欧阳娜娜" not in notices.text
    early = api.post(f"{TITLES}/{title['id']}/grant", json={}, headers=admin)
    assert_problem(early, 409, field="action")
    objected = post(api, f"{TITLES}/{title['id']}/objections", {"text": "事迹与实际不符"}, worker)
    upheld = post(api, f"{TITLES}/{title['id']}/objections/{objected['objections'][0]['id']}"
                       "/decision", {"upheld": True, "note": "经核实属实"}, admin)
    assert upheld["status"] == "withdrawn"
    assert api.get(f"{TITLES}/notices").json()["items"] == []


def test_refusals_name_the_field_and_change_nothing(api, auth, seeded, assessments_container,
                                                     assessments_db):
    worker = auth("community_worker", COMMUNITY_A1)
    admin = auth("street_admin", STREET_A)
    title = nominate(api, worker, "civilised_community", COMMUNITY_A1)
    before = title_rows(assessments_db)
    base = {"kind": "civilised_community", "level": "district", "year": TODAY.year,
            "holder_ref": COMMUNITY_A1, "citation": "x"}
    # the same kind, level and year for the same holder while one is live
    assert_problem(api.post(TITLES, json=base | {"year": TODAY.year - 1}, headers=worker), 409,
                   field="holder_ref")
    assert_problem(api.post(TITLES, json=base | {"kind": "best_pizza"}, headers=worker), 422,
                   field="kind")
    assert_problem(api.post(TITLES, json=base | {"kind": "top_ten_good_neighbour",
                                                 "level": "city"}, headers=worker), 422,
                   field="level")
    assert_problem(api.post(TITLES, json=base | {"year": TODAY.year + 1}, headers=worker), 422,
                   field="year")
    assert_problem(api.post(TITLES, json=base | {"holder_ref": COMMUNITY_A1[:9] + "009"},
                            headers=admin), 422, field="holder_ref")
    assert_problem(api.post(TITLES, json=base | {"kind": "top_ten_good_neighbour",
                                                 "holder_ref": "999999"}, headers=worker), 404,
                   field="holder_ref")
    assert_problem(api.post(TITLES, json=base | {"holder_ref": COMMUNITY_A2}, headers=worker),
                   403, field="holder_ref")
    assert_problem(api.post(TITLES, json=base, headers=auth("auditor", STREET_A)), 403)
    # a worker nominates but does not review or grant
    assert_problem(api.post(f"{TITLES}/{title['id']}/review", json={"decision": "approve"},
                            headers=worker), 403)
    assert_problem(api.post(f"{TITLES}/{title['id']}/review", json={"decision": "reject"},
                            headers=admin), 422, field="reason")
    assert_problem(api.post(f"{TITLES}/{title['id']}/grant", json={}, headers=admin), 409,
                   field="action")
    assert_problem(api.post(f"{TITLES}/{title['id']}/review",
                            json={"decision": "approve", "on": day(30)}, headers=admin), 422,
                   field="on")
    # another street: the same 404 as a missing title
    other = auth("street_admin", STREET_B)
    assert_problem(api.get(f"{TITLES}/{title['id']}", headers=other), 404, field="id")
    assert_problem(api.post(f"{TITLES}/{title['id']}/review", json={"decision": "approve"},
                            headers=other), 404, field="id")
    assert_problem(api.get(f"{TITLES}/99999", headers=admin), 404, field="id")
    assert api.get(TITLES, headers=other).json()["items"] == []
    assert title_rows(assessments_db) == before

    shown = api.get(f"{TITLES}/{title['id']}", headers=auth("auditor", STREET_A)).json()
    assert (shown["allowed_actions"], [h["step"] for h in shown["history"]]) == (
        ["review", "withdraw"], ["nominated"])
    page = api.get(TITLES, params={"limit": 1, "kind": "civilised_community"}, headers=admin)
    assert [t["id"] for t in page.json()["items"]] == [title["id"]]
    kinds = api.get(f"{TITLES}/kinds", headers=worker).json()
    assert {k["kind"]: k["holder_kind"] for k in kinds["items"]}["learning_family"] == "household"
