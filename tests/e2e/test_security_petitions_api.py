"""Petitions 信访 through the real gateway: registered at a grid (membership checks the place),
accepted, answered and closed with ``security.petition_*`` on the broker (no names, no phones),
an illegal step 409 naming the allowed actions, bad input 4xx naming the field with nothing
changed, another street answered 404, the phone shown masked, and the statistics."""
import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import COMMUNITY_A1, COMMUNITY_B1, DISTRICT, STREET_A, STREET_B, assert_problem
from tests.support import BrokerTap, wait_for

pytestmark = pytest.mark.broker

PETITIONS = "/api/v1/petitions"
STATS = "/api/v1/petition-stats"
GRID_A1 = COMMUNITY_A1 + "001"
PETITION = {"org_code": GRID_A1, "channel": "visit", "petitioners": 6,
            "subject": "小区加装电梯意见分歧", "petitioner_name": "黄某某",
            "petitioner_phone": "13955556666"}


def security_counts(security_db) -> dict:
    from services.security.models import OutboxMessage
    from services.security.models.petitions import Petition, PetitionStep

    with security_db.session_factory() as session:
        return {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                for m in (Petition, PetitionStep, OutboxMessage)}


def petition_events(envelopes: list[dict]) -> list[dict]:
    return [e for e in envelopes if e["type"].startswith("security.petition_")]


def post(api, url, body, headers, status=200):
    response = api.post(url, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def test_register_accept_answer_close_with_events_on_the_broker(
        api, auth, seeded, security_db, platform_config):
    worker = auth("community_worker", COMMUNITY_A1)
    tap = BrokerTap(platform_config["AMQP_URI"], exchange="security.events",
                    routing_key="security.#")
    try:
        response = api.post(PETITIONS, json=PETITION, headers=worker)
        assert response.status_code == 201, response.text
        petition = response.json()
        assert response.headers["Location"] == f"{PETITIONS}/{petition['id']}"
        assert (petition["status"], petition["group"], petition["petitioner_phone"],
                petition["community_code"]) == ("registered", True, "139****6666", COMMUNITY_A1)
        pid = petition["id"]
        url = f"{PETITIONS}/{pid}/transitions"
        assert post(api, url, {"action": "accept"}, worker)["allowed_actions"] == [
            "extend", "answer"]
        answered = post(api, url, {"action": "answer", "text": "已召开居民议事会协商一致"}, worker)
        assert answered["answered_on_time"] is True
        closed = post(api, url, {"action": "close"}, worker)
        assert [h["step"] for h in closed["history"]] == [
            "registered", "accepted", "answered", "closed"]
        wait_for(lambda: len(petition_events(tap.drain())) >= 4)
        seen = petition_events(tap.drain(quiet_seconds=1.0))
    finally:
        tap.close()
    assert [e["type"] for e in seen] == [
        "security.petition_registered", "security.petition_accepted",
        "security.petition_answered", "security.petition_closed"]
    for envelope in seen:
        assert envelope["data"]["petition_id"] == pid and envelope["data"]["group"] is True
        assert envelope["data"]["petitioners"] == 6 and envelope["org_code"] == GRID_A1
        assert "黄某某" not in str(envelope) and "13955556666" not in str(envelope)

    shown = api.get(f"{PETITIONS}/{pid}", headers=auth("auditor", DISTRICT))
    assert shown.status_code == 200, shown.text
    assert shown.json()["petitioner_phone"] == "139****6666"
    assert "13955556666" not in shown.text
    listed = api.get(PETITIONS, params={"group": "true", "status": "closed"},
                     headers=auth("street_admin", STREET_A))
    assert [p["id"] for p in listed.json()["items"]] == [pid]
    assert "13955556666" not in listed.text
    stats = api.get(STATS, params={"area": STREET_A}, headers=auth("auditor", DISTRICT))
    assert stats.status_code == 200, stats.text
    assert {k: stats.json()[k] for k in ("registered", "answered_on_time", "group_petitions",
                                         "group_petitions_target", "on_time_rate")} == {
        "registered": 1, "answered_on_time": 1, "group_petitions": 1,
        "group_petitions_target": 0, "on_time_rate": 1.0}


def test_an_illegal_step_bad_input_and_another_street(api, auth, seeded, security_db):
    worker = auth("community_worker", COMMUNITY_A1)
    pid = post(api, PETITIONS, {**PETITION, "petitioners": 1}, worker, status=201)["id"]
    url = f"{PETITIONS}/{pid}/transitions"
    before = security_counts(security_db)

    body = assert_problem(api.post(url, json={"action": "close"}, headers=worker), 409,
                          field="action")
    assert "accept, decline" in body["detail"]
    assert_problem(api.post(url, json={"action": "decline"}, headers=worker), 422,
                   field="reason")
    assert_problem(api.post(url, json={"action": "fly"}, headers=worker), 422, field="action")
    assert_problem(api.post(url, json={"action": "accept", "on": "2999-01-01"}, headers=worker),
                   422, field="on")
    for broken, field in (({"petitioners": 0}, "petitioners"), ({"channel": "fax"}, "channel"),
                          ({"petitioner_phone": "12"}, "petitioner_phone"),
                          ({"org_code": "350502"}, "org_code"),
                          ({"org_code": COMMUNITY_A1 + "999"}, "org_code"),
                          ({"registered_on": "2999-01-01"}, "registered_on"),
                          ({"registered_on": "2026-02-30"}, "registered_on"),
                          ({"subject": "a\x00b"}, "subject"), ({"subject": "   "}, "subject"),
                          ({"petitioner_name": "长" * 101}, "petitioner_name"),
                          ({"petitioners": 1.5}, "petitioners"),
                          ({"petitioners": "6"}, "petitioners")):
        assert_problem(api.post(PETITIONS, json={**PETITION, **broken}, headers=worker), 422,
                       field=field)
    assert_problem(api.get(PETITIONS, params={"overdue": "maybe"}, headers=worker), 422,
                   field="overdue")
    assert_problem(api.get(PETITIONS, params={"cursor": "forged"}, headers=worker), 422,
                   field="cursor")
    assert_problem(api.get(STATS, params={"from": "2026-05-01", "to": "2026-04-01"},
                           headers=worker), 422, field="to")
    assert_problem(api.post(url, json={"action": "extend", "until": "2026-01-01",
                                       "reason": " "}, headers=worker), 422, field="reason")
    assert_problem(api.post(f"{PETITIONS}/{2 ** 63}/transitions", json={"action": "accept"},
                            headers=worker), 404)
    assert_problem(api.post(url, data="[1]", headers={**worker,
                                                      "Content-Type": "application/json"}), 400,
                   field="body")
    assert_problem(api.post(PETITIONS, json=PETITION, headers=auth("grid_worker", GRID_A1)), 403)
    assert_problem(api.post(url, json={"action": "accept"},
                            headers=auth("auditor", DISTRICT)), 403)
    assert security_counts(security_db) == before

    street_b = auth("street_admin", STREET_B)
    assert_problem(api.get(f"{PETITIONS}/{pid}", headers=street_b), 404, field="id")
    assert_problem(api.post(url, json={"action": "accept"}, headers=street_b), 404, field="id")
    assert api.get(PETITIONS, headers=street_b).json()["items"] == []
    assert_problem(api.get(PETITIONS, params={"code": COMMUNITY_A1}, headers=street_b), 403,
                   field="code")
    assert_problem(api.get(STATS, params={"area": STREET_A}, headers=street_b), 403,
                   field="area")
    assert_problem(api.post(PETITIONS, json={**PETITION, "org_code": COMMUNITY_B1},
                            headers=worker), 422, field="org_code")
    assert security_counts(security_db) == before


def test_the_district_petition_system_registers_with_its_key_but_takes_no_step(
        api, auth, seeded, make_api_key):
    _, key = make_api_key("信访信息系统", DISTRICT)
    registered = post(api, PETITIONS, {**PETITION, "channel": "online",
                                       "org_code": COMMUNITY_A1}, {"X-API-Key": key}, status=201)
    assert (registered["org_code"], registered["channel"], registered["group"]) == (
        COMMUNITY_A1, "online", True)
    assert_problem(api.post(f"{PETITIONS}/{registered['id']}/transitions",
                            json={"action": "accept"}, headers={"X-API-Key": key}), 403)
    listed = api.get(PETITIONS, params={"code": COMMUNITY_A1, "overdue": "false"},
                     headers=auth("community_worker", COMMUNITY_A1))
    assert [p["id"] for p in listed.json()["items"]] == [registered["id"]]
