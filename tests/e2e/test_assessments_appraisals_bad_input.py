"""Bad input to every appraisal and follow-up route: a wrong id in the path, a body that is not
an object, a field of the wrong type or out of range, text no database can store, a date that
does not exist, a forged cursor — always a 4xx problem+json, never a 5xx. Each body starts from
a valid one with one field spoiled at a time."""
from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import COMMUNITY_A1, PROBLEM, STREET_A
from tests.e2e.test_assessments_appraisals_api import APPRAISALS, CARDS, RATINGS, post
from tests.e2e.test_assessments_appraisals_api import branch as branch  # noqa: F401  (fixture)
from tests.e2e.test_learning_bad_input import (
    BAD_DATES,
    BAD_TEXT,
    FORGED_CURSORS,
    NOT_OBJECTS,
    OUT_OF_RANGE,
    PATH_IDS,
    QUERY_VALUES,
    TODAY,
    WRONG_TYPES,
)

pytestmark = pytest.mark.broker
SPOILS = {**WRONG_TYPES, **OUT_OF_RANGE, **BAD_TEXT, **BAD_DATES}
SCORES = {"good_leadership": 18, "good_team": 17, "good_mechanism": 16,
          "good_performance": 19, "good_reputation": 15}


def spoiled_bodies(body: dict):
    """(what, raw JSON) with one field (or one five goods score) replaced by each bad value."""
    marker = "\u0001spoiled\u0001"
    for name in body:
        targets = [(name, None)]
        if isinstance(body[name], dict):
            targets += [(name, key) for key in list(body[name])[:1]]
        for field, key in targets:
            for what, value in SPOILS.items():
                copied = json.loads(json.dumps(body))
                if key is None:
                    copied[field] = marker
                else:
                    copied[field][key] = marker
                text = json.dumps(copied, ensure_ascii=False).replace(json.dumps(marker), value)
                yield f"{field}{'.' + key if key else ''} = {what}", text.encode("utf-8", "surrogatepass")


@pytest.fixture
def made(api, auth, branch):
    worker = auth("community_worker", COMMUNITY_A1)
    voting = post(api, APPRAISALS, {"branch_id": branch["id"], "year": 2025}, worker)
    post(api, f"{APPRAISALS}/{voting['id']}/voting", {}, worker, 200)
    rating = post(api, RATINGS, {"branch_id": branch["id"], "year": 2025, "scores": SCORES},
                  worker)
    card = post(api, CARDS, {"party_member_id": branch["members"][0], "year": 2025,
                             "items": ["走访"]}, worker)
    member = branch["members"][1]
    return {"worker": worker, "round": voting["id"], "rating": rating["id"], "card": card["id"],
            "member": member, "branch": branch}


def test_no_bad_input_is_a_server_error(api, auth, made):
    worker, member, branch_id = made["worker"], made["member"], made["branch"]["id"]
    round_url, card_url = f"{APPRAISALS}/{made['round']}", f"{CARDS}/{made['card']}"
    operations = [
        ("POST", APPRAISALS, {"branch_id": branch_id, "year": 2030}),
        ("POST", round_url + "/ballots", {"voter_kind": "representative", "voter_ref": "R-x",
                                          "ratings": {str(member): "qualified"}}),
        ("POST", f"{round_url}/results/{member}/override", {"band": "qualified",
                                                            "reason": "支委会决定"}),
        ("POST", RATINGS, {"branch_id": branch_id, "year": 2030, "scores": SCORES}),
        ("PUT", f"{RATINGS}/{made['rating']}", {"scores": SCORES, "note": "复核"}),
        ("POST", CARDS, {"party_member_id": member, "year": 2030, "items": ["走访"],
                         "text": "承诺"}),
        ("POST", card_url + "/publication", {"on": TODAY}),
        ("POST", card_url + "/ratings", {"rater_ref": "R-1", "score": 3}),
        ("POST", card_url + "/assessment", {"outcome": "fulfilled", "on": TODAY}),
        ("POST", "/api/v1/follow-ups/1/closure", {"outcome": "correction", "on": TODAY}),
    ]
    misses = []

    def send(method, url, what, **kwargs):
        kwargs.setdefault("headers", worker)
        response = api.request(method, url, **kwargs)
        if response.status_code >= 500 or (response.status_code >= 400 and not response.headers[
                "Content-Type"].startswith(PROBLEM)):
            misses.append((method, url, what, response.status_code, response.text[:200]))

    for method, url, body in operations:
        for what, text in spoiled_bodies(body):
            send(method, url, what, data=text,
                 headers={**worker, "Content-Type": "application/json"})
        for what, text in NOT_OBJECTS.items():
            send(method, url, what, data=text,
                 headers={**worker, "Content-Type": "application/json"})
    paths = [("GET", APPRAISALS + "/{}"), ("GET", APPRAISALS + "/{}/results"),
             ("POST", APPRAISALS + "/{}/voting"), ("POST", APPRAISALS + "/{}/count"),
             ("GET", RATINGS + "/{}"), ("GET", CARDS + "/{}"),
             ("GET", "/api/v1/party-members/{}/follow-ups"),
             ("POST", "/api/v1/follow-ups/{}/closure"),
             ("POST", APPRAISALS + "/1/results/{}/override")]
    for method, pattern in paths:
        for value in PATH_IDS:
            send(method, pattern.format(value), f"path {value}", json={})
    lists = {APPRAISALS: ("code", "branch_id", "year", "status", "limit"),
             round_url + "/results": ("band", "limit"),
             RATINGS: ("code", "year", "band", "limit"),
             CARDS: ("code", "party_member_id", "branch_id", "year", "stage", "limit"),
             f"/api/v1/party-members/{member}/follow-ups": ("status", "limit")}
    for url, names in lists.items():
        for name in names:
            for what, value in QUERY_VALUES.items():
                send("GET", url, f"{name}={what}", params={name: value})
        for what, value in FORGED_CURSORS.items():
            send("GET", url, f"cursor {what}", params={"cursor": value})
    assert misses == []
    # and the rows it was all sent at still read back
    assert api.get(round_url, headers=auth("auditor", STREET_A)).status_code == 200
