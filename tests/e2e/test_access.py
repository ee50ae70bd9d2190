"""Who may do what, through the real gateway: identity (401), roles and territory scope (403).

Every refusal is an RFC 7807 document (``application/problem+json``) and changes nothing.
"""
import base64
import json
import time

import jwt
import pytest

from tests.e2e.conftest import (
    COMMUNITY_A1,
    COMMUNITY_A2,
    COMMUNITY_B1,
    DISTRICT,
    STREET_A,
    STREET_B,
    assert_problem,
    db_snapshot,
)

pytestmark = pytest.mark.broker

NODES = "/api/v1/territory/nodes"
MERGES = "/api/v1/territory/merges"


def run_refusals(api, cases, headers, status):
    """Each (name, method, url, json) refused with ``status``; returns the problem bodies."""
    failures, bodies = [], {}
    for name, method, url, body in cases:
        response = api.request(method, url, json=body, headers=headers)
        try:
            bodies[name] = assert_problem(response, status)
        except AssertionError as exc:
            failures.append(f"{name}: {exc}")
    assert not failures, "\n".join(failures)
    return bodies


OTHER_STREET_REQUESTS = [
    ("read the other street", "GET", f"{NODES}/{STREET_B}", None),
    ("read its community", "GET", f"{NODES}/{COMMUNITY_B1}", None),
    ("read its grid", "GET", f"{NODES}/{COMMUNITY_B1}001", None),
    ("list its children", "GET", f"{NODES}/{STREET_B}/children", None),
    ("list its descendants", "GET", f"{NODES}/{STREET_B}/descendants", None),
    ("list the district's descendants", "GET", f"{NODES}/{DISTRICT}/descendants", None),
    ("read the district", "GET", f"{NODES}/{DISTRICT}", None),
    ("filter by its code", "GET", f"{NODES}?parent_code={STREET_B}", None),
    ("rename the other street", "PATCH", f"{NODES}/{STREET_B}", {"name": "x"}),
    ("rename its community", "PATCH", f"{NODES}/{COMMUNITY_B1}", {"name": "x"}),
    ("rename its grid", "PATCH", f"{NODES}/{COMMUNITY_B1}001", {"name": "x"}),
    ("add a community to it", "POST", NODES,
     {"level": "community", "parent_code": STREET_B, "name": "x"}),
    ("add a grid to its community", "POST", NODES,
     {"level": "grid", "parent_code": COMMUNITY_B1, "name": "x"}),
    ("add a street to the district", "POST", NODES,
     {"level": "street", "parent_code": DISTRICT, "name": "x"}),
    ("absorb its community", "POST", MERGES,
     {"surviving_code": COMMUNITY_A1, "absorbed_code": COMMUNITY_B1}),
    ("give away own community", "POST", MERGES,
     {"surviving_code": COMMUNITY_B1, "absorbed_code": COMMUNITY_A1}),
]


def test_a_street_admin_cannot_read_or_change_another_streets_nodes(api, auth, seeded):
    before = db_snapshot(seeded)
    bodies = run_refusals(api, OTHER_STREET_REQUESTS, auth("street_admin", STREET_A), 403)
    for name, body in bodies.items():
        assert body["field"], f"{name}: the problem names the input at fault"
        assert body["title"] and body["detail"], name
        assert body["type"].endswith(("/out-of-scope", "/forbidden")), (name, body)
    assert db_snapshot(seeded) == before

    # and the same admin can do all of it in their own street
    admin = auth("street_admin", STREET_A)
    assert api.get(f"{NODES}/{COMMUNITY_A1}001", headers=admin).status_code == 200
    assert api.get(f"{NODES}/{STREET_A}/descendants", headers=admin).status_code == 200
    assert api.patch(f"{NODES}/{COMMUNITY_A1}", json={"name": "西关社区"},
                     headers=admin).status_code == 200


def test_an_out_of_scope_refusal_names_the_input_at_fault(api, auth, seeded):
    """The ``field`` of a 403 is the parameter that carried the foreign code."""
    admin = auth("street_admin", STREET_A)
    listing = api.get(NODES, params={"parent_code": STREET_B}, headers=admin)
    merge = api.post(MERGES, json={"surviving_code": COMMUNITY_A1,
                                   "absorbed_code": COMMUNITY_B1}, headers=admin)
    survivor = api.post(MERGES, json={"surviving_code": COMMUNITY_B1,
                                      "absorbed_code": COMMUNITY_A1}, headers=admin)
    named = {"parent_code": assert_problem(listing, 403).get("field"),
             "absorbed_code": assert_problem(merge, 403).get("field"),
             "surviving_code": assert_problem(survivor, 403).get("field")}
    assert named == {field: field for field in named}, f"expected field → field named: {named}"


def test_the_street_admins_list_shows_nothing_beside_their_street(api, auth, seeded):
    admin = auth("street_admin", STREET_A)
    response = api.get(NODES, params={"limit": 200}, headers=admin)
    codes = [node["code"] for node in response.json()["items"]]
    assert codes and all(code.startswith(STREET_A) for code in codes)
    by_name = api.get(NODES, params={"q": "浮桥"}, headers=admin)
    assert by_name.status_code == 200 and by_name.json()["items"] == []


UNAUTHENTICATED_REQUESTS = [
    ("list", "GET", NODES, None),
    ("read", "GET", f"{NODES}/{DISTRICT}", None),
    ("children", "GET", f"{NODES}/{DISTRICT}/children", None),
    ("descendants", "GET", f"{NODES}/{DISTRICT}/descendants", None),
    ("create", "POST", NODES, {"level": "community", "parent_code": STREET_A, "name": "x"}),
    ("rename", "PATCH", f"{NODES}/{COMMUNITY_A1}", {"name": "x"}),
    ("merge", "POST", MERGES, {"surviving_code": COMMUNITY_A1, "absorbed_code": COMMUNITY_A2}),
    ("me", "GET", "/api/v1/me", None),
]


def test_an_unauthenticated_call_gets_401(api, seeded):
    before = db_snapshot(seeded)
    bodies = run_refusals(api, UNAUTHENTICATED_REQUESTS, {}, 401)
    assert all(body["type"].endswith("/not-authenticated") for body in bodies.values())
    response = api.get(NODES)
    assert "Bearer" in response.headers["WWW-Authenticate"]
    for headers in ({"Authorization": "Bearer"}, {"Authorization": "Basic dXNlcjpwYXNz"},
                    {"Authorization": ""}, {"X-API-Key": ""}):
        assert_problem(api.get(NODES, headers=headers), 401)
    assert db_snapshot(seeded) == before


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_an_expired_tampered_or_foreign_token_gets_401(api, settings, seeded):
    from gateway.auth import issue_token

    secret = settings.secret_key
    now = int(time.time())
    good = issue_token(secret, "alice", ["street_admin"], STREET_A, 3600)
    header, payload, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

    tokens = {
        "expired": issue_token(secret, "alice", ["street_admin"], STREET_A, -60),
        "scope widened, signature kept": ".".join(
            [header, _b64({**claims, "scope": DISTRICT}), signature]),
        "role raised, signature kept": ".".join(
            [header, _b64({**claims, "roles": ["district_admin"]}), signature]),
        "signature altered": ".".join(
            [header, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")]),
        "signed with another key": issue_token("not-the-platform-key-" * 2, "alice",
                                               ["district_admin"], DISTRICT, 3600),
        "unsigned (alg none)": jwt.encode({**claims, "scope": DISTRICT}, None, algorithm="none"),
        "no expiry": jwt.encode({"sub": "alice", "roles": ["district_admin"],
                                 "scope": DISTRICT, "iat": now}, secret, algorithm="HS256"),
        "no known role": jwt.encode({"sub": "alice", "roles": ["superuser"], "scope": DISTRICT,
                                     "iat": now, "exp": now + 60}, secret, algorithm="HS256"),
        "the platform's own role": jwt.encode({"sub": "alice", "roles": ["system"],
                                               "scope": DISTRICT, "iat": now, "exp": now + 60},
                                              secret, algorithm="HS256"),
        "a scope that is no code": jwt.encode({"sub": "alice", "roles": ["district_admin"],
                                               "scope": "", "iat": now, "exp": now + 60},
                                              secret, algorithm="HS256"),
        "garbage": "not.a.token",
    }
    failures = []
    for name, token in tokens.items():
        for method, url, body in (("GET", f"{NODES}/{STREET_A}", None),
                                  ("PATCH", f"{NODES}/{COMMUNITY_A1}", {"name": "x"})):
            response = api.request(method, url, json=body,
                                   headers={"Authorization": f"Bearer {token}"})
            try:
                problem = assert_problem(response, 401, slug="not-authenticated")
                if name == "expired":
                    assert "expired" in problem["detail"], problem
            except AssertionError as exc:
                failures.append(f"{name} {method}: {exc}")
    assert not failures, "\n".join(failures)
    # the untampered token works
    assert api.get(f"{NODES}/{STREET_A}",
                   headers={"Authorization": f"Bearer {good}"}).status_code == 200


@pytest.mark.parametrize("role", ["auditor", "grid_worker", "security_officer"])
def test_a_role_without_write_rights_may_read_but_not_write(api, auth, seeded, role):
    headers = auth(role, DISTRICT)
    assert api.get(f"{NODES}/{COMMUNITY_A1}", headers=headers).status_code == 200
    assert api.get(f"{NODES}/{DISTRICT}/children", headers=headers).status_code == 200
    writes = [
        ("add a community", "POST", NODES,
         {"level": "community", "parent_code": STREET_A, "name": "x"}),
        ("add a grid", "POST", NODES, {"level": "grid", "parent_code": COMMUNITY_A1, "name": "x"}),
        ("rename a grid", "PATCH", f"{NODES}/{COMMUNITY_A1}001", {"name": "x"}),
        ("rename a community", "PATCH", f"{NODES}/{COMMUNITY_A1}", {"name": "x"}),
        ("merge", "POST", MERGES, {"surviving_code": COMMUNITY_A1, "absorbed_code": COMMUNITY_A2}),
    ]
    before = db_snapshot(seeded)
    bodies = run_refusals(api, writes, headers, 403)
    assert all(body["type"].endswith("/forbidden") for body in bodies.values()), bodies
    assert db_snapshot(seeded) == before


def test_a_community_worker_adds_grids_to_their_community_only(api, auth, seeded):
    worker = auth("community_worker", COMMUNITY_A1)
    grid = api.post(NODES, json={"level": "grid", "parent_code": COMMUNITY_A1, "name": "第3网格"},
                    headers=worker)
    assert grid.status_code == 201, grid.text
    assert grid.json()["code"] == f"{COMMUNITY_A1}003"
    renamed = api.patch(f"{NODES}/{COMMUNITY_A1}003", json={"name": "第三网格"}, headers=worker)
    assert renamed.status_code == 200, renamed.text

    before = db_snapshot(seeded)
    community = api.post(NODES, json={"level": "community", "parent_code": STREET_A,
                                      "name": "x"}, headers=worker)
    assert_problem(community, 403)
    sibling = api.post(NODES, json={"level": "grid", "parent_code": COMMUNITY_A2, "name": "x"},
                       headers=worker)
    assert_problem(sibling, 403, field="parent_code", slug="out-of-scope")
    own = api.patch(f"{NODES}/{COMMUNITY_A1}", json={"name": "x"}, headers=worker)
    assert_problem(own, 403)
    merge = api.post(MERGES, json={"surviving_code": COMMUNITY_A1,
                                   "absorbed_code": COMMUNITY_A2}, headers=worker)
    assert_problem(merge, 403)
    assert_problem(api.get(f"{NODES}/{STREET_A}", headers=worker), 403)
    assert db_snapshot(seeded) == before


def test_an_admin_changes_what_lies_beneath_their_node_but_not_the_node(api, auth, seeded):
    street = auth("street_admin", STREET_A)
    before = db_snapshot(seeded)
    own = api.patch(f"{NODES}/{STREET_A}", json={"name": "我的街道"}, headers=street)
    assert_problem(own, 403, field="code", slug="forbidden")
    sideways = api.post(NODES, json={"level": "street", "parent_code": DISTRICT, "name": "x"},
                        headers=street)
    assert_problem(sideways, 403, field="parent_code")
    district = auth("district_admin", DISTRICT)
    assert_problem(api.patch(f"{NODES}/{DISTRICT}", json={"name": "x"}, headers=district), 403,
                   field="code")
    new_district = api.post(NODES, json={"level": "district", "code": "350503", "name": "丰泽区"},
                            headers=district)
    assert_problem(new_district, 403, field="code")
    assert db_snapshot(seeded) == before

    beneath = api.patch(f"{NODES}/{COMMUNITY_A1}", json={"name": "西关社区（新）"}, headers=street)
    assert beneath.status_code == 200, beneath.text
    street_renamed = api.patch(f"{NODES}/{STREET_A}", json={"name": "江南街道办"}, headers=district)
    assert street_renamed.status_code == 200, street_renamed.text
