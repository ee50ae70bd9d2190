"""The points ledger over HTTP: events published on the producers' exchanges (as the producers
would) become entries and scorecards once, however often the broker delivers them; every entry is
explained by the rule and the event behind it; each street sees its own; the replay check agrees.
"""
import eventlet

from tests.assessments_support import republish
from tests.e2e.conftest import (
    COMMUNITY_A1,
    COMMUNITY_A2,
    COMMUNITY_B1,
    DISTRICT,
    STREET_A,
    STREET_B,
    assert_problem,
)
from tests.integration.test_assessments_scoring_db import (
    PATROL_HOURS,
    RESOLVED_ON_TIME,
    make_scheme,
    patrol,
    resolved,
)
from tests.support import wait_for

LEDGER = "/api/v1/points-ledger"


def items(api, headers, **params) -> list[dict]:
    response = api.get(LEDGER, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_published_events_become_entries_once_and_explain_themselves(
        api, auth, seeded, assessments_container, assessments_db, platform_config):
    amqp = platform_config["AMQP_URI"]
    scheme_id, (rule_id,) = make_scheme(assessments_db, rules=[RESOLVED_ON_TIME])
    volunteers_id, _ = make_scheme(assessments_db, subject_kind="volunteer", org_code=STREET_A,
                                   rules=[PATROL_HOURS])
    first = resolved(ticket_id=1)
    republish(amqp, [first, resolved(on_time=False, ticket_id=2),
                     resolved(community=COMMUNITY_B1, ticket_id=3), patrol(volunteer_ids=(7, 8))])
    district = auth("district_admin", DISTRICT)
    wait_for(lambda: len(items(api, district)) == 4)
    entries = items(api, district)
    assert sorted((e["scheme_id"], e["subject_ref"], e["points"]) for e in entries) == sorted([
        (scheme_id, COMMUNITY_A1, 2.0), (scheme_id, COMMUNITY_B1, 2.0),
        (volunteers_id, "7", 2.5), (volunteers_id, "8", 2.5)])

    # the broker delivers the first again: nothing changes (the next event shows it was read)
    republish(amqp, [first, resolved(community=COMMUNITY_A2, ticket_id=4)])
    wait_for(lambda: len(items(api, district)) == 5)
    eventlet.sleep(0.3)  # let the copy's worker finish, if it still runs
    assert len(items(api, district, event_id=first["event_id"])) == 1
    status = api.get(LEDGER + "/status", headers=auth("auditor", DISTRICT))
    assert status.status_code == 200, status.text
    by_type = {row["type"]: row["received"] for row in status.json()["types"]}
    assert by_type["tickets.ticket_resolved"] == 4 and status.json()["entries"] == 5

    # each street sees its own; a community nothing beside it; an entry elsewhere is 404
    assert {e["subject_ref"] for e in items(api, auth("street_admin", STREET_B))} == {COMMUNITY_B1}
    assert {e["subject_ref"] for e in items(api, auth("community_worker", COMMUNITY_A2))} == {
        COMMUNITY_A2}
    assert {e["subject_ref"] for e in items(api, auth("street_admin", STREET_A),
                                            scheme_id=volunteers_id)} == {"7", "8"}
    mine = items(api, auth("community_worker", COMMUNITY_A1), scheme_id=scheme_id)
    assert [e["event_id"] for e in mine] == [first["event_id"]]
    assert_problem(api.get(f"{LEDGER}/{mine[0]['id']}", headers=auth("street_admin", STREET_B)),
                   404)
    assert_problem(api.get(LEDGER, headers=district, params={"period_key": "November"}), 422,
                   field="period_key")
    assert_problem(api.get(LEDGER, headers=auth("street_admin", STREET_B),
                           params={"code": STREET_A}), 403, field="code")

    # any score explained entry by entry: the rule and the event as received
    explained = api.get(f"{LEDGER}/{mine[0]['id']}", headers=auth("community_worker", COMMUNITY_A1))
    assert explained.status_code == 200, explained.text
    body = explained.json()
    assert body["rule"]["id"] == rule_id and body["rule"]["points"] == 2
    assert body["event"]["type"] == "tickets.ticket_resolved"
    assert body["event"]["data"]["ticket_id"] == 1 and body["event"]["data"]["on_time"] is True
    assert body["event"]["occurred_at"].startswith("2026-11-03T02:00:00")

    # the replay check: the scorecards equal the ledger and the events replayed
    check = api.post(LEDGER + "/replay-checks", json={"scheme_id": scheme_id},
                     headers=auth("auditor", DISTRICT))
    assert check.status_code == 200, check.text
    assert check.json() == {"scheme_id": scheme_id, "events_replayed": 4,
                            "scorecards_compared": 3, "differences": []}
    assert_problem(api.post(LEDGER + "/replay-checks", json={"scheme_id": scheme_id},
                            headers=auth("community_worker", COMMUNITY_A1)), 403)
    assert_problem(api.post(LEDGER + "/replay-checks", json={"scheme_id": volunteers_id},
                            headers=auth("street_admin", STREET_B)), 404, field="scheme_id")
    assert_problem(api.post(LEDGER + "/replay-checks", json={"scheme_id": "x"},
                            headers=district), 422, field="scheme_id")


def test_bad_input_to_the_ledger_is_a_problem_naming_the_field(
        api, auth, seeded, assessments_container):
    district = auth("district_admin", DISTRICT)
    for params, field in (({"limit": 0}, "limit"), ({"limit": "many"}, "limit"),
                          ({"cursor": "forged"}, "cursor"), ({"scheme_id": 2 ** 31}, "scheme_id"),
                          ({"scheme_id": "one"}, "scheme_id"), ({"subject_ref": "a\x00b"}, "subject_ref"),
                          ({"event_id": "not-a-uuid"}, "event_id"), ({"source": "gift"}, "source"),
                          ({"event_type": "tickets.ticket_submitted"}, "event_type"),
                          ({"code": "35"}, "code")):
        assert_problem(api.get(LEDGER, headers=district, params=params), 422, field=field)
    for entry_id in ("0", str(2 ** 31), str(2 ** 63)):
        response = api.get(f"{LEDGER}/{entry_id}", headers=district)
        assert response.status_code == 404, (entry_id, response.text)
    for body in ({"scheme_id": 2 ** 63}, {"scheme_id": None}, {"scheme_id": True},
                 {"scheme_id": 1.5}, {"scheme_id": 1, "extra": 1}):
        assert_problem(api.post(LEDGER + "/replay-checks", json=body, headers=district), 422)
    assert_problem(api.post(LEDGER + "/replay-checks", json={"scheme_id": 424242},
                            headers=district), 404, field="scheme_id")
    assert_problem(api.post(LEDGER + "/replay-checks", data="[1]", headers={
        **district, "Content-Type": "application/json"}), 400)
    assert_problem(api.get(LEDGER + "/status", headers=auth("community_worker", COMMUNITY_A1)), 403)
    assert api.get(LEDGER).status_code == 401
