"""The territory through the real gateway: create, read, page, filter, rename, merge, API keys.

Every request goes over HTTP to the gateway, which calls the membership service over the real
broker; what the API cannot show (events, stored rows) is checked in membership's database.
"""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select, update

from tests.e2e.conftest import (
    COMMUNITY_A1,
    COMMUNITY_A2,
    DISTRICT,
    STREET_A,
    STREET_B,
    assert_problem,
    db_snapshot,
    outbox_events,
)

pytestmark = pytest.mark.broker

NODES = "/api/v1/territory/nodes"
MERGES = "/api/v1/territory/merges"


def seed_demo(membership_db):
    """The whole demo district (1 + 6 + 77 + 308 nodes), made by the platform itself."""
    from services.membership import demo

    with membership_db.transaction("membership") as uow:
        demo.seed(uow)


def active_codes(membership_db, prefix, level=None, strict=True):
    """Codes of active nodes beneath ``prefix`` (what a paginated walk must return)."""
    from services.membership.models import TerritoryNode

    query = select(TerritoryNode.code).where(TerritoryNode.status == "active")
    query = query.where(TerritoryNode.code.like(prefix + ("_%" if strict else "%")))
    if level:
        query = query.where(TerritoryNode.level == level)
    with membership_db.session_factory() as session:
        return sorted(session.scalars(query))


def walk(api, url, headers, **params):
    """Every item of a paginated list, following next_cursor; checks each page's shape."""
    items, cursor, pages = [], None, 0
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        response = api.get(url, params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"items", "next_cursor"}
        limit = params.get("limit")
        if limit:
            assert len(page["items"]) <= limit
            if page["next_cursor"]:
                assert len(page["items"]) == limit, "a page before the last one is full"
        items += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            return items, pages
        assert pages < 1000, "pagination does not end"


def codes_of(items):
    return [item["code"] for item in items]


def test_a_district_admin_builds_a_community_with_grids(api, auth, seeded):
    admin = auth("district_admin", DISTRICT)
    # next free code under the street (001 and 002 exist)
    response = api.post(NODES, json={"level": "community", "parent_code": STREET_A,
                                     "name": "金谷社区"}, headers=admin)
    assert response.status_code == 201, response.text
    community = response.json()
    assert community["code"] == "350502001003"
    assert response.headers["Location"] == f"{NODES}/350502001003"
    assert community == {**community, "name": "金谷社区", "level": "community",
                         "parent_code": STREET_A, "status": "active", "merged_into": None}

    # an explicit code, then the next free one fills the gap below it
    explicit = api.post(NODES, json={"level": "community", "parent_code": STREET_A,
                                     "code": "350502001010", "name": "溪头社区"}, headers=admin)
    assert explicit.status_code == 201, explicit.text
    assert explicit.json()["code"] == "350502001010"
    gap = api.post(NODES, json={"level": "community", "parent_code": STREET_A,
                                "name": "紫帽社区"}, headers=admin)
    assert gap.json()["code"] == "350502001004"

    grids = [api.post(NODES, json={"level": "grid", "parent_code": "350502001003",
                                   "name": f"第{n}网格"}, headers=admin) for n in (1, 2)]
    grids.append(api.post(NODES, json={"level": "grid", "parent_code": "350502001003",
                                       "code": "350502001003009", "name": "第9网格"},
                          headers=admin))
    assert [g.status_code for g in grids] == [201, 201, 201], [g.text for g in grids]
    assert [g.json()["code"] for g in grids] == [
        "350502001003001", "350502001003002", "350502001003009"]

    # the same code twice is a conflict naming the code
    again = api.post(NODES, json={"level": "grid", "parent_code": "350502001003",
                                  "code": "350502001003009", "name": "又一个"}, headers=admin)
    assert_problem(again, 409, field="code")

    read = api.get(f"{NODES}/350502001003", headers=admin)
    assert read.status_code == 200
    assert read.json() == community

    children, _ = walk(api, f"{NODES}/350502001003/children", admin)
    assert codes_of(children) == ["350502001003001", "350502001003002", "350502001003009"]
    assert {c["level"] for c in children} == {"grid"}

    created = [e for e in outbox_events(seeded, "membership.territory_node_created")
               if e["data"]["code"].startswith("350502001003")
               or e["data"]["code"] in ("350502001010", "350502001004")]
    assert sorted(e["data"]["code"] for e in created) == sorted(
        ["350502001003", "350502001010", "350502001004", "350502001003001",
         "350502001003002", "350502001003009"])
    for envelope in created:
        assert envelope["actor"] == "test-district_admin"
        assert envelope["org_code"] == envelope["data"]["code"]
        assert set(envelope) >= {"event_id", "type", "version", "occurred_at", "org_code",
                                 "actor", "data"}


def test_reading_one_node(api, auth, seeded):
    response = api.get(f"{NODES}/{STREET_A}", headers=auth("auditor", DISTRICT))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    node = response.json()
    assert node["code"] == STREET_A and node["name"] == "江南街道"
    assert node["level"] == "street" and node["parent_code"] == DISTRICT
    assert node["status"] == "active" and node["merged_into"] is None
    datetime.fromisoformat(node["created_at"])
    datetime.fromisoformat(node["updated_at"])


def test_children_and_descendants_walk_every_page_without_gaps_or_repeats(
        api, auth, membership_container, membership_db, gateway_container):
    seed_demo(membership_db)
    admin = auth("district_admin", DISTRICT)

    streets, pages = walk(api, f"{NODES}/{DISTRICT}/children", admin, limit=4)
    assert pages == 2
    assert codes_of(streets) == [f"350502{n:03d}" for n in range(1, 7)]

    communities, pages = walk(api, f"{NODES}/{STREET_A}/children", admin, limit=5)
    assert pages == 3
    assert codes_of(communities) == active_codes(membership_db, STREET_A, "community")
    assert len(communities) == 13

    expected = active_codes(membership_db, DISTRICT)
    assert len(expected) == 391
    everything, pages = walk(api, f"{NODES}/{DISTRICT}/descendants", admin, limit=37)
    assert pages == 11
    codes = codes_of(everything)
    assert len(codes) == len(set(codes)), "no node twice"
    assert codes == expected, "every node once, in code order"

    grids, _ = walk(api, f"{NODES}/{STREET_A}/descendants", admin, limit=200, level="grid")
    assert codes_of(grids) == active_codes(membership_db, STREET_A, "grid")
    assert {g["level"] for g in grids} == {"grid"}

    # one page big enough: no cursor
    response = api.get(f"{NODES}/{DISTRICT}/children", params={"limit": 6}, headers=admin)
    assert response.json()["next_cursor"] is None and len(response.json()["items"]) == 6
    # a page of exactly the rest after a cursor
    first = api.get(f"{NODES}/{DISTRICT}/children", params={"limit": 3}, headers=admin).json()
    rest = api.get(f"{NODES}/{DISTRICT}/children",
                   params={"limit": 3, "cursor": first["next_cursor"]}, headers=admin).json()
    assert codes_of(first["items"] + rest["items"]) == codes_of(streets)
    assert rest["next_cursor"] is None


def test_listing_nodes_filters_by_level_parent_and_name_within_scope(
        api, auth, membership_container, membership_db, gateway_container):
    from services.membership import demo

    seed_demo(membership_db)
    admin = auth("district_admin", DISTRICT)

    everything, _ = walk(api, NODES, admin, limit=200)
    assert len(everything) == 392
    assert len(set(codes_of(everything))) == 392

    streets, _ = walk(api, NODES, admin, level="street")
    assert codes_of(streets) == [f"350502{n:03d}" for n in range(1, 7)]

    communities, pages = walk(api, NODES, admin, level="community", limit=10)
    assert len(communities) == 77 and pages == 8

    in_street, _ = walk(api, NODES, admin, parent_code=STREET_B, limit=4)
    assert codes_of(in_street) == active_codes(membership_db, STREET_B, "community")

    named, _ = walk(api, NODES, admin, q="西关")
    assert codes_of(named)[0] == "350502001001"
    assert all("西关" in node["name"] for node in named)
    assert len(named) == sum("西关" in name for _, _, name, _ in demo.demo_nodes())

    community_only, _ = walk(api, NODES, admin, q="西关", level="community")
    assert codes_of(community_only) == ["350502001001"]

    grids_of, _ = walk(api, NODES, admin, parent_code="350502001001", level="grid", q="第2")
    assert codes_of(grids_of) == ["350502001001002"]

    nothing, _ = walk(api, NODES, admin, q="不存在的名字")
    assert nothing == []

    # a street admin's list is their street and what lies beneath it, nothing beside it
    mine, _ = walk(api, NODES, auth("street_admin", STREET_B), limit=50)
    assert codes_of(mine) == active_codes(membership_db, STREET_B, strict=False)
    assert all(code.startswith(STREET_B) for code in codes_of(mine))


def test_the_name_filter_matches_literally(api, auth, seeded):
    """``q`` is "part of the name": SQL LIKE wildcards in it match nothing special."""
    admin = auth("district_admin", DISTRICT)
    for wildcard in ("%", "_", "网_"):
        found, _ = walk(api, NODES, admin, q=wildcard)
        assert found == [], f"q={wildcard!r} matched {codes_of(found)}"


def test_renaming_a_node_stores_it_and_emits_an_event(api, auth, seeded):
    admin = auth("street_admin", STREET_A)
    response = api.patch(f"{NODES}/{COMMUNITY_A1}", json={"name": " 西关新社区 "}, headers=admin)
    assert response.status_code == 200, response.text
    renamed = response.json()
    assert renamed["name"] == "西关新社区"
    assert renamed["code"] == COMMUNITY_A1 and renamed["parent_code"] == STREET_A
    assert api.get(f"{NODES}/{COMMUNITY_A1}", headers=admin).json()["name"] == "西关新社区"

    events = outbox_events(seeded, "membership.territory_node_renamed")
    assert len(events) == 1
    event = events[0]
    assert event["data"] == {"code": COMMUNITY_A1, "level": "community", "old_name": "西关社区",
                             "new_name": "西关新社区"}
    assert event["org_code"] == COMMUNITY_A1 and event["actor"] == "test-street_admin"
    assert event["type"] == "membership.territory_node_renamed"

    # the same name again changes nothing and says nothing
    before = db_snapshot(seeded)
    same = api.patch(f"{NODES}/{COMMUNITY_A1}", json={"name": "西关新社区"}, headers=admin)
    assert same.status_code == 200
    assert db_snapshot(seeded)["counts"] == before["counts"]


def test_merging_communities_moves_and_recodes_the_grids_and_keeps_old_codes(
        api, auth, seeded):
    admin = auth("street_admin", STREET_A)
    response = api.post(MERGES, json={"surviving_code": COMMUNITY_A1,
                                      "absorbed_code": COMMUNITY_A2}, headers=admin)
    assert response.status_code == 200, response.text
    result = response.json()
    moves = [(COMMUNITY_A2, COMMUNITY_A1),
             (f"{COMMUNITY_A2}001", f"{COMMUNITY_A1}003"),
             (f"{COMMUNITY_A2}002", f"{COMMUNITY_A1}004")]
    assert [(m["old_code"], m["new_code"]) for m in result["moves"]] == moves
    assert result["surviving"]["code"] == COMMUNITY_A1
    assert result["absorbed"]["status"] == "merged"
    assert result["absorbed"]["merged_into"] == COMMUNITY_A1

    # the grids are the survivor's now, under new codes
    children, _ = walk(api, f"{NODES}/{COMMUNITY_A1}/children", admin)
    assert codes_of(children) == [f"{COMMUNITY_A1}{n:03d}" for n in (1, 2, 3, 4)]
    assert {c["parent_code"] for c in children} == {COMMUNITY_A1}
    assert walk(api, f"{NODES}/{COMMUNITY_A2}/children", admin)[0] == []

    # an old grid code still finds the node it became
    old = api.get(f"{NODES}/{COMMUNITY_A2}001", headers=admin)
    assert old.status_code == 200, old.text
    assert old.json()["code"] == f"{COMMUNITY_A1}003"
    assert old.json()["parent_code"] == COMMUNITY_A1
    assert old.json()["name"] == "第1网格"

    # the absorbed community stays, marked merged, and leaves default listings
    absorbed = api.get(f"{NODES}/{COMMUNITY_A2}", headers=admin).json()
    assert absorbed["status"] == "merged" and absorbed["merged_into"] == COMMUNITY_A1
    listed, _ = walk(api, f"{NODES}/{STREET_A}/children", admin)
    assert codes_of(listed) == [COMMUNITY_A1]
    listed, _ = walk(api, f"{NODES}/{STREET_A}/children", admin, include_merged="true")
    assert codes_of(listed) == [COMMUNITY_A1, COMMUNITY_A2]

    # the event carries every move
    merged = outbox_events(seeded, "membership.communities_merged")
    assert len(merged) == 1
    assert merged[0]["data"] == {
        "surviving_code": COMMUNITY_A1, "absorbed_code": COMMUNITY_A2,
        "moves": [{"old_code": old, "new_code": new} for old, new in moves]}
    assert merged[0]["org_code"] == COMMUNITY_A1
    assert merged[0]["actor"] == "test-street_admin"

    # afterwards: the absorbed one takes no grids, cannot be merged again, old codes stay
    # taken (a new grid of the survivor gets 005), and a new community does not reuse 002
    refused = api.post(NODES, json={"level": "grid", "parent_code": COMMUNITY_A2,
                                    "name": "新网格"}, headers=admin)
    assert_problem(refused, 409, field="parent_code")
    again = api.post(MERGES, json={"surviving_code": COMMUNITY_A1,
                                   "absorbed_code": COMMUNITY_A2}, headers=admin)
    assert_problem(again, 409, field="absorbed_code")
    grid = api.post(NODES, json={"level": "grid", "parent_code": COMMUNITY_A1,
                                 "name": "新网格"}, headers=admin)
    assert grid.json()["code"] == f"{COMMUNITY_A1}005"
    community = api.post(NODES, json={"level": "community", "parent_code": STREET_A,
                                      "name": "新社区"}, headers=admin)
    assert community.json()["code"] == "350502001003"
    reuse = api.post(NODES, json={"level": "grid", "parent_code": COMMUNITY_A2,
                                  "code": f"{COMMUNITY_A2}001", "name": "x"}, headers=admin)
    assert reuse.status_code in (409, 422)

    # renaming through an old code renames the moved grid
    rename = api.patch(f"{NODES}/{COMMUNITY_A2}002", json={"name": "并入网格"}, headers=admin)
    assert rename.status_code == 200, rename.text
    assert rename.json()["code"] == f"{COMMUNITY_A1}004"


def test_a_community_cannot_absorb_itself_or_a_street(api, auth, seeded):
    admin = auth("district_admin", DISTRICT)
    before = db_snapshot(seeded)
    itself = api.post(MERGES, json={"surviving_code": COMMUNITY_A1,
                                    "absorbed_code": COMMUNITY_A1}, headers=admin)
    assert_problem(itself, 422, field="absorbed_code")
    street = api.post(MERGES, json={"surviving_code": COMMUNITY_A1,
                                    "absorbed_code": STREET_B}, headers=admin)
    assert_problem(street, 422, field="absorbed_code")
    assert db_snapshot(seeded) == before


def test_an_integration_key_works_and_an_unknown_or_revoked_one_does_not(
        api, seeded, make_api_key, gateway_db):
    from gateway.models import ApiKey

    key_id, key = make_api_key("district system", DISTRICT)
    read = api.get(f"{NODES}/{DISTRICT}/children", headers={"X-API-Key": key})
    assert read.status_code == 200, read.text
    assert codes_of(read.json()["items"]) == [STREET_A, STREET_B]
    me = api.get("/api/v1/me", headers={"Authorization": f"ApiKey {key}"})
    assert me.status_code == 200
    assert me.json() == {"principal": "apikey:district system", "roles": ["integration"],
                         "scope": DISTRICT}

    created = api.post(NODES, json={"level": "community", "parent_code": STREET_B,
                                    "name": "笋江社区"}, headers={"X-API-Key": key})
    assert created.status_code == 201, created.text
    event = outbox_events(seeded, "membership.territory_node_created")[-1]
    assert event["data"]["code"] == created.json()["code"]
    assert event["actor"] == "apikey:district system"

    # a key scoped to one street sees that street only
    _, street_key = make_api_key("street system", STREET_A)
    assert api.get(f"{NODES}/{STREET_A}", headers={"X-API-Key": street_key}).status_code == 200
    assert_problem(api.get(f"{NODES}/{STREET_B}", headers={"X-API-Key": street_key}), 403)

    unknown = api.get(f"{NODES}/{DISTRICT}", headers={"X-API-Key": key[:-2] + "xx"})
    assert_problem(unknown, 401, slug="not-authenticated")
    assert "WWW-Authenticate" in unknown.headers

    # a key revoked before it is ever used is refused
    revoked_id, revoked = make_api_key("old system", DISTRICT)
    with gateway_db.session_factory.begin() as session:
        session.execute(update(ApiKey).where(ApiKey.id == revoked_id)
                        .values(revoked_at=datetime.now(timezone.utc)))
    assert_problem(api.get(f"{NODES}/{DISTRICT}", headers={"X-API-Key": revoked}), 401)


def test_a_key_revoked_while_in_use_is_refused_at_once(api, seeded, make_api_key, gateway_db):
    """Revoking a leaked key must take effect now, not when a cache entry expires."""
    from gateway.models import ApiKey

    key_id, key = make_api_key("leaked system", DISTRICT)
    assert api.get(f"{NODES}/{DISTRICT}", headers={"X-API-Key": key}).status_code == 200
    with gateway_db.session_factory.begin() as session:
        session.execute(update(ApiKey).where(ApiKey.id == key_id)
                        .values(revoked_at=datetime.now(timezone.utc)))
    after = api.get(f"{NODES}/{DISTRICT}", headers={"X-API-Key": key})
    assert after.status_code == 401, "the revoked key still works (cached for 30 s)"
