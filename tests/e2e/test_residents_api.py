"""Residents, households and the export through the real gateway: registration with ID numbers
that never leave unmasked, flags and who sees the restricted ones, moves, households, scope,
bad input (never a 500, nothing changed) and the CSV export."""
import csv
import io
import logging

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
from tests.unit.test_personal_data import make_id

pytestmark = pytest.mark.broker

RESIDENTS = "/api/v1/residents"
HOUSEHOLDS = "/api/v1/households"
EXPORT = "/api/v1/exports/residents"
GRID_A1 = COMMUNITY_A1 + "001"
GRID_A1_2 = COMMUNITY_A1 + "002"
GRID_A2 = COMMUNITY_A2 + "001"
GRID_B1 = COMMUNITY_B1 + "001"
PHONE = "13912345678"


def person(n, grid=GRID_A1, born="19800101", **extra):
    return {"name": f"测试居民{n}", "id_number": make_id(born=born, seq=f"{n:03d}"),
            "phone": PHONE, "address": f"中山路{n}号", "grid_code": grid,
            "residence": "registered", **extra}


def masked(number):
    return number[:4] + "*" * 10 + number[-4:]


def snapshot(membership_db) -> dict:
    """Every row of the people tables and the outbox count: "unchanged" means all of it."""
    from services.membership.models import (
        Household,
        OutboxMessage,
        Resident,
        ResidentFlag,
        ResidentMove,
    )

    with membership_db.session_factory() as session:
        shot = {"outbox": session.scalar(select(func.count()).select_from(OutboxMessage))}
        for model in (Resident, Household, ResidentFlag, ResidentMove):
            rows = session.scalars(select(model).order_by(model.id)).all()
            shot[model.__tablename__] = [
                {c.key: getattr(row, c.key) for c in model.__table__.columns
                 if c.key != "updated_at"} for row in rows]
    return shot


def register(api, headers, payload):
    response = api.post(RESIDENTS, json=payload, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def worker(auth):
    return auth("community_worker", STREET_A)


def test_a_resident_is_registered_read_listed_and_updated_with_the_id_masked(
        api, auth, seeded, worker, caplog):
    caplog.set_level(logging.DEBUG)
    number = make_id(born="19750312", seq="041")
    created = register(api, worker, person(41, born="19750312"))
    assert created["id_number"] == masked(number)
    assert (created["birth_date"], created["gender"]) == ("1975-03-12", "male")
    assert created["phone"] == PHONE and created["flags"] == []
    location = api.get(f"{RESIDENTS}/{created['id']}", headers=worker)
    assert location.json() == created

    listed = api.get(RESIDENTS, params={"q": "居民41"}, headers=worker).json()
    assert [r["id"] for r in listed["items"]] == [created["id"]]
    assert listed["items"][0]["phone"] == "139****5678"
    assert listed["items"][0]["id_number"] == masked(number)

    duplicate = api.post(RESIDENTS, json={**person(42), "id_number": number}, headers=worker)
    assert_problem(duplicate, 409, field="id_number", slug="conflict")
    # an ID number is no filter: it would sit in URLs, and so in access logs
    assert_problem(api.get(RESIDENTS, params={"id_number": number[:6]}, headers=worker), 422,
                   field="id_number")

    patched = api.patch(f"{RESIDENTS}/{created['id']}", json={"phone": "13800001111",
                                                               "residence": "floating"},
                        headers=worker)
    assert patched.status_code == 200, patched.text
    assert patched.json()["phone"] == "13800001111"
    assert patched.json()["residence"] == "floating"

    registered = outbox_events(seeded, "membership.resident_registered")
    assert [e["data"]["resident_id"] for e in registered] == [created["id"]]
    assert registered[0]["org_code"] == GRID_A1
    assert outbox_events(seeded, "membership.resident_updated")[0]["data"]["changed"] == [
        "phone", "residence"]
    # the clear number never left the service: not in an answer, an event or a log line
    everything = str(outbox_events(seeded)) + str(listed) + duplicate.text
    assert number not in everything
    assert not [r for r in caplog.records if number in r.getMessage() or number in str(r.args)]


def test_restricted_flags_per_role(api, auth, seeded, worker):
    security = auth("security_officer", STREET_A)
    rid = register(api, worker, person(1))["id"]
    url = f"{RESIDENTS}/{rid}"
    set_flag = api.post(f"{url}/flags", json={"flag": "laid_off", "reason": "工厂关闭",
                                              "on": "2025-03-01"}, headers=worker)
    assert set_flag.status_code == 200, set_flag.text
    assert [f["flag"] for f in set_flag.json()["flags"]] == ["laid_off"]

    before = snapshot(seeded)
    for role in ("community_worker", "grid_worker", "street_admin", "district_admin",
                 "integration"):
        refused = api.post(f"{url}/flags", json={"flag": "released_prisoner", "reason": "x"},
                           headers=auth(role, DISTRICT))
        assert_problem(refused, 403, field="flag")
    assert_problem(api.post(f"{url}/flags", json={"flag": "mental_illness", "reason": "x"},
                            headers=auth("auditor", DISTRICT)), 403)
    assert snapshot(seeded) == before
    secured = api.post(f"{url}/flags", json={"flag": "released_prisoner", "reason": "刑满释放"},
                       headers=security)
    assert secured.status_code == 200, secured.text

    for role in ("community_worker", "grid_worker", "street_admin", "district_admin",
                 "auditor", "integration"):
        headers = auth(role, STREET_A)
        one = api.get(url, headers=headers).json()
        assert [f["flag"] for f in one["flags"]] == ["laid_off"], role
        assert "released_prisoner" not in str(one)
        page = api.get(RESIDENTS, headers=headers).json()
        assert "released_prisoner" not in str(page), role
        assert_problem(api.get(RESIDENTS, params={"flag": "released_prisoner"},
                               headers=headers), 403, field="flag")
        export = api.get(EXPORT, params={"community": COMMUNITY_A1}, headers=headers)
        assert "released_prisoner" not in export.text, role
    one = api.get(url, headers=security).json()
    assert sorted(f["flag"] for f in one["flags"]) == ["laid_off", "released_prisoner"]
    listed = api.get(RESIDENTS, params={"flag": "released_prisoner"}, headers=security).json()
    assert [r["id"] for r in listed["items"]] == [rid]
    assert "released_prisoner" in api.get(EXPORT, params={"community": COMMUNITY_A1},
                                          headers=security).text

    # clearing takes a reason, as a JSON body or as query parameters; the history stays
    assert_problem(api.delete(f"{url}/flags/released_prisoner", json={"reason": "x"},
                              headers=worker), 403, field="flag")
    assert_problem(api.delete(f"{url}/flags/laid_off", headers=worker), 422, field="reason")
    cleared = api.delete(f"{url}/flags/laid_off", json={"reason": "再就业"}, headers=worker)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["flags"] == []
    assert [h["cleared_reason"] for h in cleared.json()["flag_history"]] == ["再就业"]
    cleared = api.delete(f"{url}/flags/released_prisoner", params={"reason": "矫正期满"},
                         headers=security)
    assert cleared.status_code == 200, cleared.text
    assert_problem(api.delete(f"{url}/flags/laid_off", json={"reason": "again"},
                              headers=worker), 404, field="flag")
    assert_problem(api.delete(f"{url}/flags/vip", json={"reason": "x"}, headers=worker), 422,
                   field="flag")

    flagged = outbox_events(seeded, "membership.resident_flagged")
    assert [(e["data"]["flag"], e["data"]["restricted"]) for e in flagged] == [
        ("laid_off", False), ("released_prisoner", True)]
    unflagged = outbox_events(seeded, "membership.resident_unflagged")
    assert [e["data"]["flag"] for e in unflagged] == ["laid_off", "released_prisoner"]
    assert unflagged[1]["data"]["reason"] is None


def test_another_streets_residents_are_out_of_reach(api, auth, seeded):
    admin_a = auth("street_admin", STREET_A)
    admin_b = auth("street_admin", STREET_B)
    rid = register(api, admin_a, person(1))["id"]
    hid = api.post(HOUSEHOLDS, json={"address": "中山路1号", "grid_code": GRID_A1},
                   headers=admin_a).json()["id"]
    register(api, admin_b, person(2, grid=GRID_B1))
    before = snapshot(seeded)
    cases = [
        ("GET", f"{RESIDENTS}/{rid}", None, "id"),
        ("PATCH", f"{RESIDENTS}/{rid}", {"name": "x"}, "id"),
        ("POST", f"{RESIDENTS}/{rid}/moves", {"kind": "out"}, "id"),
        ("POST", f"{RESIDENTS}/{rid}/flags", {"flag": "veteran", "reason": "x"}, "id"),
        ("DELETE", f"{RESIDENTS}/{rid}/flags/veteran", {"reason": "x"}, "id"),
        ("POST", RESIDENTS, person(3, grid=GRID_A1), "grid_code"),
        ("GET", f"{RESIDENTS}?code={COMMUNITY_A1}", None, "code"),
        ("GET", f"{HOUSEHOLDS}/{hid}", None, "id"),
        ("PATCH", f"{HOUSEHOLDS}/{hid}", {"address": "x"}, "id"),
        ("POST", f"{HOUSEHOLDS}/{hid}/members", {"resident_id": rid}, "id"),
        ("POST", HOUSEHOLDS, {"address": "x", "grid_code": GRID_A1}, "grid_code"),
        ("GET", f"{HOUSEHOLDS}?code={STREET_A}", None, "code"),
        ("GET", f"{EXPORT}?community={COMMUNITY_A1}", None, "community"),
    ]
    failures = []
    for method, url, body, field in cases:
        response = api.request(method, url, json=body, headers=admin_b)
        try:
            if field == "id":  # another street's record: as if it did not exist
                assert_problem(response, 404, field=field, slug="not-found")
            else:  # another street's territory code: refused by name
                assert_problem(response, 403, field=field, slug="out-of-scope")
        except AssertionError as exc:
            failures.append(f"{method} {url}: {exc}")
    assert not failures, "\n".join(failures)
    assert snapshot(seeded) == before
    # and the lists show nothing beside the caller's street
    assert [r["grid_code"] for r in api.get(RESIDENTS, headers=admin_b).json()["items"]] == [
        GRID_B1]
    assert api.get(HOUSEHOLDS, headers=admin_b).json()["items"] == []


@pytest.mark.parametrize("role", ["auditor", "security_officer"])
def test_readers_read_but_do_not_write(api, auth, seeded, worker, role):
    rid = register(api, worker, person(1))["id"]
    hid = api.post(HOUSEHOLDS, json={"address": "中山路1号", "grid_code": GRID_A1},
                   headers=worker).json()["id"]
    headers = auth(role, DISTRICT)
    assert api.get(f"{RESIDENTS}/{rid}", headers=headers).status_code == 200
    assert api.get(RESIDENTS, headers=headers).status_code == 200
    assert api.get(f"{HOUSEHOLDS}/{hid}", headers=headers).status_code == 200
    assert api.get(EXPORT, params={"community": COMMUNITY_A1}, headers=headers).status_code == 200
    before = snapshot(seeded)
    for method, url, body in (
            ("POST", RESIDENTS, person(2)),
            ("PATCH", f"{RESIDENTS}/{rid}", {"name": "x"}),
            ("POST", f"{RESIDENTS}/{rid}/moves", {"kind": "out"}),
            ("POST", f"{RESIDENTS}/{rid}/flags", {"flag": "veteran", "reason": "x"}),
            ("POST", HOUSEHOLDS, {"address": "x", "grid_code": GRID_A1}),
            ("PATCH", f"{HOUSEHOLDS}/{hid}", {"address": "x"}),
            ("POST", f"{HOUSEHOLDS}/{hid}/members", {"resident_id": rid}),
            ("DELETE", f"{HOUSEHOLDS}/{hid}/members/{rid}", None)):
        assert_problem(api.request(method, url, json=body, headers=headers), 403,
                       slug="forbidden")
    assert snapshot(seeded) == before


def test_search_filters_and_pages(api, auth, seeded, worker):
    made = [register(api, worker, person(n, grid=GRID_A1 if n % 2 else GRID_A1_2,
                                         born="19400101" if n % 3 == 0 else "20150101"))
            for n in range(1, 8)]
    register(api, worker, person(9, grid=GRID_A2, residence="floating"))
    items, cursor = [], None
    while True:
        page = api.get(RESIDENTS, params={"limit": 3, "code": COMMUNITY_A1,
                                          **({"cursor": cursor} if cursor else {})},
                       headers=worker).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [r["id"] for r in items] == [r["id"] for r in made]

    def ids(**params):
        response = api.get(RESIDENTS, params=params, headers=worker)
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()["items"]]

    assert ids(code=GRID_A1_2) == [r["id"] for r in made if r["grid_code"] == GRID_A1_2]
    assert ids(code=COMMUNITY_A1, age_band="80+") == [made[2]["id"], made[5]["id"]]
    assert ids(age_band="0-17", code=GRID_A1) == [made[0]["id"], made[4]["id"], made[6]["id"]]
    assert len(ids(residence="floating")) == 1
    api.post(f"{RESIDENTS}/{made[1]['id']}/flags",
             json={"flag": "elderly_living_alone", "reason": "独居"}, headers=worker)
    assert ids(flag="elderly_living_alone") == [made[1]["id"]]
    assert ids(flag="elderly_living_alone", code=GRID_A1) == []


def test_moves_within_and_out(api, auth, seeded, worker):
    rid = register(api, worker, person(1))["id"]
    url = f"{RESIDENTS}/{rid}/moves"
    within = api.post(url, json={"kind": "within", "to_grid_code": GRID_A2,
                                 "address": "永丰路8号"}, headers=worker)
    assert within.status_code == 200, within.text
    assert within.json()["grid_code"] == GRID_A2
    before = snapshot(seeded)
    assert_problem(api.post(url, json={"kind": "within", "to_grid_code": GRID_B1},
                            headers=worker), 403, field="to_grid_code")
    assert_problem(api.post(url, json={"kind": "within", "to_grid_code": GRID_A2},
                            headers=worker), 422, field="to_grid_code")
    assert_problem(api.post(url, json={"kind": "within"}, headers=worker), 422,
                   field="to_grid_code")
    assert_problem(api.post(url, json={"kind": "out", "moved_on": "2999-01-01"},
                            headers=worker), 422, field="moved_on")
    assert_problem(api.post(url, json={"kind": "away"}, headers=worker), 422, field="kind")
    assert snapshot(seeded) == before
    out = api.post(url, json={"kind": "out", "moved_on": "2025-06-30", "reason": "出国"},
                   headers=worker)
    assert out.status_code == 200, out.text
    assert (out.json()["status"], out.json()["moved_out_on"]) == ("moved_out", "2025-06-30")
    assert api.get(f"{RESIDENTS}/{rid}", headers=worker).json()["status"] == "moved_out"
    assert_problem(api.post(url, json={"kind": "out"}, headers=worker), 409, field="id")
    moved = outbox_events(seeded, "membership.resident_moved")
    assert [(e["data"]["kind"], e["data"]["from_grid_code"], e["data"]["to_grid_code"])
            for e in moved] == [("within", GRID_A1, GRID_A2), ("out", GRID_A2, None)]


def test_households_through_the_gateway(api, auth, seeded, worker):
    created = api.post(HOUSEHOLDS, json={"address": "中山路1号", "grid_code": GRID_A1,
                                         "designations": ["civilised_family"]}, headers=worker)
    assert created.status_code == 201, created.text
    hid = created.json()["id"]
    assert created.headers["Location"] == f"{HOUSEHOLDS}/{hid}"
    head = register(api, worker, person(1, household_id=hid))
    child = register(api, worker, person(2, born="20150101"))
    added = api.post(f"{HOUSEHOLDS}/{hid}/members", json={"resident_id": child["id"]},
                     headers=worker)
    assert added.status_code == 200, added.text
    assert [m["id"] for m in added.json()["members"]] == [head["id"], child["id"]]
    assert "id_number" not in str(added.json()["members"])
    patched = api.patch(f"{HOUSEHOLDS}/{hid}", json={
        "representative_id": head["id"], "designations": ["learning_family",
                                                          "civilised_family"]}, headers=worker)
    assert patched.status_code == 200, patched.text
    assert patched.json()["representative_id"] == head["id"]
    assert api.get(f"{RESIDENTS}/{child['id']}", headers=worker).json()["household_id"] == hid
    stranger = register(api, worker, person(3))
    assert_problem(api.patch(f"{HOUSEHOLDS}/{hid}", json={"representative_id": stranger["id"]},
                             headers=worker), 409, field="representative_id")
    assert_problem(api.post(f"{HOUSEHOLDS}/{hid}/members", json={"resident_id": 99999},
                            headers=worker), 404, field="resident_id")
    removed = api.delete(f"{HOUSEHOLDS}/{hid}/members/{head['id']}", headers=worker)
    assert removed.status_code == 200, removed.text
    assert removed.json()["representative_id"] is None
    assert removed.json()["member_count"] == 1
    listed = api.get(HOUSEHOLDS, params={"designation": "learning_family"}, headers=worker)
    assert [h["id"] for h in listed.json()["items"]] == [hid]
    kinds = [e["type"] for e in outbox_events(seeded) if e["type"].startswith(
        "membership.household")]
    assert kinds == ["membership.household_created", "membership.household_member_added",
                     "membership.household_member_added", "membership.household_updated",
                     "membership.household_member_removed"]


def test_the_export_is_a_masked_csv_excel_can_open(api, auth, seeded, worker):
    numbers = []
    for n in range(1, 4):
        register(api, worker, person(n))
        numbers.append(make_id(seq=f"{n:03d}"))
    register(api, worker, person(4, grid=GRID_A2))
    odd = register(api, worker, {**person(5), "name": "=HYPERLINK(\"x\")"})
    response = api.get(EXPORT, params={"community": COMMUNITY_A1}, headers=worker)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["name"] for r in rows] == ["测试居民1", "测试居民2", "测试居民3",
                                         "'=HYPERLINK(\"x\")"]
    assert [r["id_number"] for r in rows[:3]] == [masked(n) for n in numbers]
    assert {r["phone"] for r in rows} == {"139****5678"}
    for number in numbers:
        assert number not in response.text
    assert PHONE not in response.text
    assert odd["id"] == int(rows[3]["id"])
    assert_problem(api.get(EXPORT, headers=worker), 422, field="community")
    assert_problem(api.get(EXPORT, params={"community": STREET_A}, headers=worker), 422,
                   field="community")
    assert_problem(api.get(EXPORT, params={"community": COMMUNITY_B1}, headers=worker), 403,
                   field="community")
    assert_problem(api.get(EXPORT, params={"community": "350502001099"}, headers=worker), 404,
                   field="community")


BAD = [
    ("no name", "POST", RESIDENTS, {k: v for k, v in person(1).items() if k != "name"},
     422, "name"),
    ("blank name", "POST", RESIDENTS, {**person(1), "name": "   "}, 422, "name"),
    ("bad check digit", "POST", RESIDENTS,
     {**person(1), "id_number": make_id()[:17] + ("1" if make_id()[17] != "1" else "2")},
     422, "id_number"),
    ("17 digits", "POST", RESIDENTS, {**person(1), "id_number": make_id()[:17]}, 422,
     "id_number"),
    ("impossible birth date", "POST", RESIDENTS,
     {**person(1), "id_number": make_id(born="19800231")}, 422, "id_number"),
    ("ID number as a number", "POST", RESIDENTS,
     {**person(1), "id_number": 350502198001011234}, 422, "id_number"),
    ("gender against the ID", "POST", RESIDENTS, {**person(1), "gender": "female"}, 422,
     "gender"),
    ("birth date against the ID", "POST", RESIDENTS, {**person(1), "birth_date": "1999-01-01"},
     422, "birth_date"),
    ("bad phone", "POST", RESIDENTS, {**person(1), "phone": "12345"}, 422, "phone"),
    ("bad residence", "POST", RESIDENTS, {**person(1), "residence": "tourist"}, 422,
     "residence"),
    ("a community, not a grid", "POST", RESIDENTS, {**person(1), "grid_code": COMMUNITY_A1},
     422, "grid_code"),
    ("unknown grid", "POST", RESIDENTS, {**person(1), "grid_code": COMMUNITY_A1 + "099"}, 404,
     "grid_code"),
    ("unknown household", "POST", RESIDENTS, {**person(1), "household_id": 4242}, 404,
     "household_id"),
    ("household id too large", "POST", RESIDENTS, {**person(1), "household_id": 2 ** 63}, 422,
     "household_id"),
    ("household id as text", "POST", RESIDENTS, {**person(1), "household_id": "1"}, 422,
     "household_id"),
    ("unknown field", "POST", RESIDENTS, {**person(1), "vip": True}, 422, "vip"),
    ("NUL in the name", "POST", RESIDENTS, {**person(1), "name": "a\x00b"}, 422, "name"),
    ("body is a list", "POST", RESIDENTS, [person(1)], 400, "body"),
    ("unknown resident", "GET", f"{RESIDENTS}/424242", None, 404, "id"),
    ("huge resident id", "GET", f"{RESIDENTS}/{10 ** 30}", None, 404, "id"),
    ("huge resident id patch", "PATCH", f"{RESIDENTS}/{2 ** 63}", {"name": "x"}, 404, "id"),
    ("bad cursor", "GET", f"{RESIDENTS}?cursor=bm90IGEgY3Vyc29y", None, 422, "cursor"),
    ("huge cursor", "GET", f"{RESIDENTS}?cursor=WzEwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMF0", None,
     422, "cursor"),
    ("bad age band", "GET", f"{RESIDENTS}?age_band=100-200", None, 422, "age_band"),
    ("bad flag filter", "GET", f"{RESIDENTS}?flag=vip", None, 422, "flag"),
    ("bad limit", "GET", f"{RESIDENTS}?limit=0", None, 422, "limit"),
    ("bad code", "GET", f"{RESIDENTS}?code=abc", None, 422, "code"),
    ("unknown flag to set", "POST", f"{RESIDENTS}/1/flags", {"flag": "vip", "reason": "x"}, 422,
     "flag"),
    ("flag without reason", "POST", f"{RESIDENTS}/1/flags", {"flag": "veteran"}, 422, "reason"),
    ("flag set in the future", "POST", f"{RESIDENTS}/1/flags",
     {"flag": "veteran", "reason": "x", "on": "2999-01-01"}, 422, "on"),
    ("household without grid", "POST", HOUSEHOLDS, {"address": "x"}, 422, "grid_code"),
    ("bad designation", "POST", HOUSEHOLDS,
     {"address": "x", "grid_code": GRID_A1, "designations": ["rich"]}, 422, "designations.0"),
    ("unknown household", "GET", f"{HOUSEHOLDS}/4242", None, 404, "id"),
    ("member id as text", "POST", f"{HOUSEHOLDS}/1/members", {"resident_id": "1"}, 422,
     "resident_id"),
    ("unknown member to remove", "DELETE", f"{HOUSEHOLDS}/1/members/4242", None, 404,
     "resident_id"),
]


def test_bad_input_is_refused_naming_the_field_and_changes_nothing(api, auth, seeded, worker):
    resident = register(api, worker, person(1))
    assert resident["id"] == 1
    household = api.post(HOUSEHOLDS, json={"address": "中山路1号", "grid_code": GRID_A1},
                         headers=worker).json()
    assert household["id"] == 1
    before = snapshot(seeded)
    failures = []
    for name, method, url, body, status, field in BAD:
        response = api.request(method, url, json=body, headers=worker)
        try:
            assert response.status_code != 500, response.text[:300]
            assert_problem(response, status, field=field)
        except AssertionError as exc:
            failures.append(f"{name}: {exc}")
    for url in (f"{RESIDENTS}/abc", f"{RESIDENTS}/-1", f"{HOUSEHOLDS}/1.5",
                f"{HOUSEHOLDS}/1/members/x"):
        try:
            assert_problem(api.get(url, headers=worker), 404)
        except AssertionError as exc:
            failures.append(f"{url}: {exc}")
    assert not failures, "\n".join(failures)
    assert snapshot(seeded) == before


def test_residents_follow_their_grid_when_communities_merge(api, auth, seeded, worker):
    import eventlet

    moved = register(api, worker, person(1, grid=GRID_A2))
    response = api.post("/api/v1/territory/merges", json={
        "surviving_code": COMMUNITY_A1, "absorbed_code": COMMUNITY_A2},
        headers=auth("street_admin", STREET_A))
    assert response.status_code == 200, response.text
    new_grid = {m["old_code"]: m["new_code"] for m in response.json()["moves"]}[GRID_A2]
    survivor = auth("community_worker", COMMUNITY_A1)
    with eventlet.Timeout(10):
        while True:
            found = api.get(f"{RESIDENTS}/{moved['id']}", headers=survivor)
            if found.status_code == 200:
                break
            eventlet.sleep(0.05)
    assert found.json()["grid_code"] == new_grid
    listed = api.get(RESIDENTS, params={"code": new_grid}, headers=survivor).json()
    assert [r["id"] for r in listed["items"]] == [moved["id"]]


def test_the_routes_are_in_the_openapi_document(api, gateway_container):
    doc = api.get("/api/v1/openapi.json").json()
    documented = {(path, method) for path, item in doc["paths"].items() for method in item}
    assert {(RESIDENTS, "get"), (RESIDENTS, "post"), (RESIDENTS + "/{id}", "get"),
            (RESIDENTS + "/{id}", "patch"), (RESIDENTS + "/{id}/moves", "post"),
            (RESIDENTS + "/{id}/flags", "post"), (RESIDENTS + "/{id}/flags/{flag}", "delete"),
            (HOUSEHOLDS, "get"), (HOUSEHOLDS, "post"), (HOUSEHOLDS + "/{id}", "get"),
            (HOUSEHOLDS + "/{id}", "patch"), (HOUSEHOLDS + "/{id}/members", "post"),
            (HOUSEHOLDS + "/{id}/members/{resident_id}", "delete"), (EXPORT, "get")} <= documented
    resident = doc["components"]["schemas"]["Resident"]["properties"]
    assert "masked" in resident["id_number"]["description"]
    listing = {p["name"] for p in doc["paths"][RESIDENTS]["get"]["parameters"]}
    assert {"q", "code", "flag", "age_band", "residence", "cursor", "limit"} <= listing
