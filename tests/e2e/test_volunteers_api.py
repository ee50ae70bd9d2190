"""Volunteers and volunteer teams through the real gateway: enrol, skills, status, teams,
members, scope and roles, bad input (problem+json naming the field, nothing changed)."""
from datetime import date
from itertools import count

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

VOLUNTEERS = "/api/v1/volunteers"
TEAMS = "/api/v1/volunteer-teams"
_numbers = count(1)


def add_resident(membership_db, grid_code, name="陈大妈") -> int:
    """A resident row written directly (the residents' use cases are another area's)."""
    from services.membership.models.residents import Resident

    number = next(_numbers)
    with membership_db.transaction("membership") as uow:
        resident = Resident(
            name=name, gender="female", birth_date=date(1955, 3, 8),
            id_number_hash=f"{number:064x}", id_number_sealed="sealed",
            id_number_masked="3505**********0000", phone=None, address="西关路8号",
            grid_code=grid_code, household_id=None, residence="registered", status="active")
        uow.session.add(resident)
        uow.session.flush()
        return resident.id


def snapshot(membership_db) -> dict:
    """Row counts of every volunteer table and the outbox (to prove a refusal changed nothing)."""
    from services.membership.models import OutboxMessage
    from services.membership.models import volunteers as models

    tables = (models.Volunteer, models.VolunteerSkill, models.VolunteerTeam,
              models.VolunteerTeamMember, models.HoursAccount, models.HoursTransaction,
              models.HoursPosting, OutboxMessage)
    with membership_db.session_factory() as session:
        counts = {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                  for model in tables}
        skills = sorted(session.execute(select(models.VolunteerSkill.volunteer_id,
                                               models.VolunteerSkill.skill)).all())
        statuses = sorted(session.execute(select(models.Volunteer.id,
                                                 models.Volunteer.status)).all())
    return {"counts": counts, "skills": [tuple(r) for r in skills],
            "statuses": [tuple(r) for r in statuses]}


def walk(api, url, headers, **params):
    items, cursor = [], None
    while True:
        response = api.get(url, params={**params, **({"cursor": cursor} if cursor else {})},
                           headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert {"items", "next_cursor"} <= set(page)
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def enrol(api, headers, resident_id, **body):
    response = api.post(VOLUNTEERS, json={"resident_id": resident_id, **body}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_enrol_read_update_and_list_volunteers(api, auth, seeded):
    worker = auth("community_worker", COMMUNITY_A1)
    resident = add_resident(seeded, f"{COMMUNITY_A1}001", name="林阿姨")
    response = api.post(VOLUNTEERS, json={"resident_id": resident,
                                          "skills": ["理发", "first aid"]}, headers=worker)
    assert response.status_code == 201, response.text
    volunteer = response.json()
    assert response.headers["Location"] == f"{VOLUNTEERS}/{volunteer['id']}"
    assert volunteer == {**volunteer, "resident_id": resident, "name": "林阿姨",
                         "community_code": COMMUNITY_A1, "status": "active",
                         "skills": ["理发", "first aid"], "team_ids": []}
    assert "id_number" not in str(volunteer)

    again = api.post(VOLUNTEERS, json={"resident_id": resident}, headers=worker)
    assert_problem(again, 409, field="resident_id")

    read = api.get(f"{VOLUNTEERS}/{volunteer['id']}", headers=auth("auditor", STREET_A))
    assert read.status_code == 200 and read.json() == volunteer

    patched = api.patch(f"{VOLUNTEERS}/{volunteer['id']}",
                        json={"add_skills": ["电脑"], "remove_skills": ["First Aid"],
                              "status": "inactive"}, headers=worker)
    assert patched.status_code == 200, patched.text
    assert patched.json()["skills"] == ["理发", "电脑"]
    assert patched.json()["status"] == "inactive"

    [enrolled] = outbox_events(seeded, "membership.volunteer_enrolled")
    assert enrolled["actor"] == "test-community_worker"
    assert enrolled["data"]["volunteer_id"] == volunteer["id"]
    [updated] = outbox_events(seeded, "membership.volunteer_updated")
    assert updated["data"]["removed_skills"] == ["first aid"]

    others = [enrol(api, auth("street_admin", STREET_A), add_resident(seeded, grid),
                    skills=["理发"]) for grid in (f"{COMMUNITY_A2}001", f"{COMMUNITY_A1}002")]
    enrol(api, auth("street_admin", STREET_B), add_resident(seeded, f"{COMMUNITY_B1}001"))
    street = auth("street_admin", STREET_A)
    listed = walk(api, VOLUNTEERS, street, limit=1)
    assert [v["id"] for v in listed] == [volunteer["id"], *[o["id"] for o in others]]
    assert [v["id"] for v in walk(api, VOLUNTEERS, worker)] == [volunteer["id"], others[1]["id"]]
    assert [v["id"] for v in walk(api, VOLUNTEERS, street, org_code=COMMUNITY_A2)] == [
        others[0]["id"]]
    assert [v["id"] for v in walk(api, VOLUNTEERS, street, skill="理发", status="active")] == [
        o["id"] for o in others]
    assert len(walk(api, VOLUNTEERS, auth("district_admin", DISTRICT))) == 4


def test_teams_members_join_and_leave(api, auth, seeded):
    worker = auth("community_worker", COMMUNITY_A1)
    response = api.post(TEAMS, json={"community_code": COMMUNITY_A1, "name": "平安巡逻队",
                                     "kind": "patrol"}, headers=worker)
    assert response.status_code == 201, response.text
    team = response.json()
    assert response.headers["Location"] == f"{TEAMS}/{team['id']}"
    assert team == {**team, "community_code": COMMUNITY_A1, "name": "平安巡逻队",
                    "kind": "patrol", "member_count": 0, "description": None}
    assert_problem(api.post(TEAMS, json={"community_code": COMMUNITY_A1, "name": "平安巡逻队",
                                         "kind": "culture"}, headers=worker), 409, field="name")
    culture = api.post(TEAMS, json={"community_code": COMMUNITY_A1, "name": "腰鼓队",
                                    "kind": "culture"}, headers=worker).json()

    volunteers = [enrol(api, worker, add_resident(seeded, f"{COMMUNITY_A1}001"))["id"]
                  for _ in range(3)]
    for volunteer in volunteers:
        joined = api.post(f"{TEAMS}/{team['id']}/members", json={"volunteer_id": volunteer},
                          headers=worker)
        assert joined.status_code == 201, joined.text
        assert joined.json()["volunteer_id"] == volunteer
    assert api.post(f"{TEAMS}/{culture['id']}/members", json={"volunteer_id": volunteers[0]},
                    headers=worker).status_code == 201
    assert_problem(api.post(f"{TEAMS}/{team['id']}/members",
                            json={"volunteer_id": volunteers[0]}, headers=worker),
                   409, field="volunteer_id")

    reader = auth("grid_worker", COMMUNITY_A1)
    members = walk(api, f"{TEAMS}/{team['id']}/members", reader, limit=2)
    assert [m["volunteer_id"] for m in members] == volunteers
    assert api.get(f"{TEAMS}/{team['id']}", headers=reader).json()["member_count"] == 3
    assert api.get(f"{VOLUNTEERS}/{volunteers[0]}", headers=reader).json()["team_ids"] == [
        team["id"], culture["id"]]
    assert [v["id"] for v in walk(api, VOLUNTEERS, reader, team_id=culture["id"])] == [
        volunteers[0]]
    assert [t["id"] for t in walk(api, TEAMS, reader, limit=1)] == [team["id"], culture["id"]]
    assert [t["id"] for t in walk(api, TEAMS, reader, kind="culture")] == [culture["id"]]

    left = api.delete(f"{TEAMS}/{team['id']}/members/{volunteers[1]}", headers=worker)
    assert left.status_code == 200, left.text
    assert left.json()["member_count"] == 2
    assert_problem(api.delete(f"{TEAMS}/{team['id']}/members/{volunteers[1]}", headers=worker),
                   404, field="volunteer_id")
    assert len(outbox_events(seeded, "membership.volunteer_team_created")) == 2
    assert len(outbox_events(seeded, "membership.volunteer_joined_team")) == 4
    assert [e["data"]["volunteer_id"] for e in
            outbox_events(seeded, "membership.volunteer_left_team")] == [volunteers[1]]


def test_other_streets_volunteers_and_teams_are_out_of_reach(api, auth, seeded):
    b_admin = auth("street_admin", STREET_B)
    volunteer = enrol(api, b_admin, add_resident(seeded, f"{COMMUNITY_B1}001"))
    team = api.post(TEAMS, json={"community_code": COMMUNITY_B1, "name": "助残队",
                                 "kind": "disability_help"}, headers=b_admin).json()
    a_resident = add_resident(seeded, f"{COMMUNITY_A1}001")
    a_volunteer = enrol(api, auth("community_worker", COMMUNITY_A1), a_resident)
    before = snapshot(seeded)

    a_admin = auth("street_admin", STREET_A)
    b_resident = add_resident(seeded, f"{COMMUNITY_B1}002")
    before = snapshot(seeded)
    refusals = [
        ("GET", f"{VOLUNTEERS}/{volunteer['id']}", None, 404, "id"),
        ("PATCH", f"{VOLUNTEERS}/{volunteer['id']}", {"status": "inactive"}, 404, "id"),
        ("GET", f"{TEAMS}/{team['id']}", None, 404, "id"),
        ("GET", f"{TEAMS}/{team['id']}/members", None, 404, "id"),
        ("POST", f"{TEAMS}/{team['id']}/members", {"volunteer_id": volunteer["id"]}, 404, "id"),
        ("DELETE", f"{TEAMS}/{team['id']}/members/{volunteer['id']}", None, 404, "id"),
        ("POST", VOLUNTEERS, {"resident_id": b_resident}, 404, "resident_id"),
        ("POST", VOLUNTEERS, {"resident_id": a_resident + 1000, "community_code": COMMUNITY_B1},
         403, "community_code"),
        ("POST", TEAMS, {"community_code": COMMUNITY_B1, "name": "x", "kind": "other"}, 403,
         "community_code"),
        ("GET", f"{VOLUNTEERS}?org_code={STREET_B}", None, 403, "org_code"),
        ("GET", f"{TEAMS}?org_code={COMMUNITY_B1}", None, 403, "org_code"),
    ]
    for method, url, body, status, field in refusals:
        assert_problem(api.request(method, url, json=body, headers=a_admin), status, field=field)
    assert walk(api, TEAMS, a_admin) == []
    assert [v["id"] for v in walk(api, VOLUNTEERS, a_admin)] == [a_volunteer["id"]]
    assert snapshot(seeded) == before


@pytest.mark.parametrize("role", ["grid_worker", "security_officer", "auditor"])
def test_readers_read_but_do_not_write(api, auth, seeded, role):
    worker = auth("community_worker", COMMUNITY_A1)
    volunteer = enrol(api, worker, add_resident(seeded, f"{COMMUNITY_A1}001"))
    team = api.post(TEAMS, json={"community_code": COMMUNITY_A1, "name": "文明劝导队",
                                 "kind": "other"}, headers=worker).json()
    reader = auth(role, STREET_A)
    before = snapshot(seeded)
    for method, url, body in [
        ("POST", VOLUNTEERS, {"resident_id": add_resident(seeded, f"{COMMUNITY_A1}002")}),
        ("PATCH", f"{VOLUNTEERS}/{volunteer['id']}", {"status": "inactive"}),
        ("POST", TEAMS, {"community_code": COMMUNITY_A1, "name": "y", "kind": "other"}),
        ("POST", f"{TEAMS}/{team['id']}/members", {"volunteer_id": volunteer["id"]}),
        ("DELETE", f"{TEAMS}/{team['id']}/members/{volunteer['id']}", None),
    ]:
        assert_problem(api.request(method, url, json=body, headers=reader), 403)
    assert snapshot(seeded)["counts"] == before["counts"]
    assert api.get(f"{VOLUNTEERS}/{volunteer['id']}", headers=reader).status_code == 200
    assert api.get(f"{TEAMS}/{team['id']}/members", headers=reader).status_code == 200


def test_bad_input_is_refused_naming_the_field_and_changes_nothing(api, auth, seeded):
    worker = auth("community_worker", COMMUNITY_A1)
    resident = add_resident(seeded, f"{COMMUNITY_A1}001")
    volunteer = enrol(api, worker, add_resident(seeded, f"{COMMUNITY_A1}002"))
    team = api.post(TEAMS, json={"community_code": COMMUNITY_A1, "name": "环保队",
                                 "kind": "environment"}, headers=worker).json()
    before = snapshot(seeded)
    cases = [
        ("POST", VOLUNTEERS, {}, 422, "resident_id"),
        ("POST", VOLUNTEERS, {"resident_id": "12"}, 422, "resident_id"),
        ("POST", VOLUNTEERS, {"resident_id": 1.5}, 422, "resident_id"),
        ("POST", VOLUNTEERS, {"resident_id": -1}, 422, "resident_id"),
        ("POST", VOLUNTEERS, {"resident_id": 10**30}, 422, "resident_id"),
        ("POST", VOLUNTEERS, {"resident_id": 987654}, 404, "resident_id"),
        ("POST", VOLUNTEERS, {"resident_id": resident, "skills": "理发"}, 422, "skills"),
        ("POST", VOLUNTEERS, {"resident_id": resident, "skills": [1]}, 422, "skills.0"),
        ("POST", VOLUNTEERS, {"resident_id": resident, "skills": ["x" * 51]}, 422, "skills.0"),
        ("POST", VOLUNTEERS, {"resident_id": resident, "skills": ["a\u0000b"]}, 422, "skills.0"),
        ("POST", VOLUNTEERS, {"resident_id": resident, "community_code": "35050200100x"}, 422,
         "community_code"),
        ("POST", VOLUNTEERS, {"resident_id": resident, "community_code": "350502001099"}, 403,
         "community_code"),  # beside the worker's community (a street admin gets a 404)
        ("POST", VOLUNTEERS, {"resident_id": resident, "surprise": 1}, 422, "surprise"),
        ("PATCH", f"{VOLUNTEERS}/{volunteer['id']}", {}, 422, "status"),
        ("PATCH", f"{VOLUNTEERS}/{volunteer['id']}", {"status": "retired"}, 422, "status"),
        ("PATCH", f"{VOLUNTEERS}/{volunteer['id']}", {"add_skills": [" "]}, 422,
         "add_skills.0"),
        ("PATCH", f"{VOLUNTEERS}/999999", {"status": "inactive"}, 404, "id"),
        ("GET", f"{VOLUNTEERS}/99999999999999999999", None, 404, "id"),
        ("GET", f"{VOLUNTEERS}?limit=0", None, 422, "limit"),
        ("GET", f"{VOLUNTEERS}?cursor=abc", None, 422, "cursor"),
        ("GET", f"{VOLUNTEERS}?cursor=WzEwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwXQ", None, 422, "cursor"),
        ("GET", f"{TEAMS}?cursor=W3RydWVd", None, 422, "cursor"),
        ("GET", f"{VOLUNTEERS}/{volunteer['id']}/hours?cursor=WyJ4Il0", None, 422, "cursor"),
        ("GET", f"{VOLUNTEERS}?org_code=abc", None, 422, "org_code"),
        ("GET", f"{VOLUNTEERS}?team_id=x", None, 422, "team_id"),
        ("GET", f"{TEAMS}?kind=choir", None, 422, "kind"),
        ("POST", TEAMS, {"community_code": COMMUNITY_A1, "name": "", "kind": "other"}, 422,
         "name"),
        ("POST", TEAMS, {"community_code": COMMUNITY_A1, "name": "   ", "kind": "other"}, 422,
         "name"),
        ("POST", TEAMS, {"community_code": COMMUNITY_A1, "name": "z", "kind": "choir"}, 422,
         "kind"),
        ("POST", TEAMS, {"community_code": f"{COMMUNITY_A1}001", "name": "z", "kind": "other"},
         422, "community_code"),
        ("POST", f"{TEAMS}/{team['id']}/members", {"volunteer_id": "1"}, 422, "volunteer_id"),
        ("POST", f"{TEAMS}/{team['id']}/members", {"volunteer_id": 999999}, 404,
         "volunteer_id"),
        ("POST", f"{TEAMS}/999999/members", {"volunteer_id": volunteer["id"]}, 404, "id"),
        ("GET", f"{TEAMS}/{team['id']}/members?limit=500", None, 422, "limit"),
    ]
    failures = []
    for method, url, body, status, field in cases:
        response = api.request(method, url, json=body, headers=worker)
        try:
            assert response.status_code != 500, response.text
            assert_problem(response, status, field=field)
        except AssertionError as exc:
            failures.append(f"{method} {url} {body}: {exc}")
    for method, url, data in [("POST", VOLUNTEERS, b'{"resident_id":'),
                              ("PATCH", f"{VOLUNTEERS}/{volunteer['id']}", b"[1]"),
                              ("POST", TEAMS, b""),
                              ("POST", f"{TEAMS}/{team['id']}/members", b"null")]:
        response = api.request(method, url, data=data, headers=worker)
        try:
            assert_problem(response, 400, field="body")
        except AssertionError as exc:
            failures.append(f"{method} {url} {data}: {exc}")
    assert_problem(api.get(f"{VOLUNTEERS}/abc", headers=worker), 404)
    assert not failures, "\n".join(failures)
    assert snapshot(seeded) == before


def test_the_hours_ledger_through_the_gateway(api, auth, seeded, platform_config):
    from tests.integration.test_volunteers_events import earned, publish_raw, wait_for

    worker = auth("community_worker", COMMUNITY_A1)
    volunteer = enrol(api, worker, add_resident(seeded, f"{COMMUNITY_A1}001"))["id"]
    hours = f"{VOLUNTEERS}/{volunteer}/hours"
    envelope = earned(volunteer, hours=4)
    publish_raw(platform_config["AMQP_URI"], envelope)
    publish_raw(platform_config["AMQP_URI"], envelope)

    reader = auth("auditor", STREET_A)
    page = wait_for(lambda: (lambda p: p if p["items"] else None)(
        api.get(hours, headers=reader).json()))
    assert page["balance_hours"] == 4.0 and page["volunteer_id"] == volunteer

    credit = api.post(hours, json={"kind": "credit", "hours": 1.5, "reason": "敬老院陪护",
                                   "activity_date": "2026-11-21", "request_id": "r-1"},
                      headers=worker)
    assert credit.status_code == 201, credit.text
    assert credit.json()["balance_hours"] == 5.5
    assert credit.json()["transaction"]["source_type"] == "manual"
    again = api.post(hours, json={"kind": "credit", "hours": 1.5, "reason": "敬老院陪护",
                                  "activity_date": "2026-11-21", "request_id": "r-1"},
                     headers=worker)
    assert again.json() == credit.json()

    before = snapshot(seeded)
    over = api.post(hours, json={"kind": "debit", "hours": 6, "reason": "家政服务"},
                    headers=worker)
    assert_problem(over, 409, field="hours")
    for body, status, field in [
        ({"kind": "debit", "hours": 25, "reason": "x"}, 422, "hours"),
        ({"kind": "debit", "hours": "2", "reason": "x"}, 422, "hours"),
        ({"kind": "credit", "hours": 1.234, "reason": "x"}, 422, "hours"),
        ({"kind": "debit", "hours": 2}, 422, "reason"),
        ({"kind": "reversal", "reason": "x"}, 422, "transaction_id"),
        ({"kind": "reversal", "transaction_id": 999999, "reason": "x"}, 404, "transaction_id"),
        ({"kind": "refund", "hours": 1, "reason": "x"}, 422, "kind"),
    ]:
        assert_problem(api.post(hours, json=body, headers=worker), status, field=field)
    assert_problem(api.post(hours, json={"kind": "credit", "hours": 1, "reason": "x"},
                            headers=reader), 403)
    assert_problem(api.post(hours, json={"kind": "credit", "hours": 1, "reason": "x"},
                            headers=auth("street_admin", STREET_B)), 404, field="id")
    assert_problem(api.get(hours, headers=auth("auditor", STREET_B)), 404, field="id")
    assert_problem(api.get(hours, params={"cursor": "x"}, headers=reader), 422, field="cursor")
    assert snapshot(seeded) == before

    debit = api.post(hours, json={"kind": "debit", "hours": 5, "reason": "家政服务"},
                     headers=worker)
    assert debit.status_code == 201 and debit.json()["balance_hours"] == 0.5
    reversal = api.post(hours, json={"kind": "reversal", "reason": "服务未提供",
                                     "transaction_id": debit.json()["transaction"][
                                         "transaction_id"]}, headers=auth("district_admin",
                                                                          DISTRICT))
    assert reversal.status_code == 201, reversal.text
    assert reversal.json()["balance_hours"] == 5.5

    lines = walk(api, hours, reader, limit=2)
    assert [line["kind"] for line in lines] == ["reversal", "debit", "credit", "credit"]
    assert [line["hours"] for line in lines] == [5.0, -5.0, 1.5, 4.0]
    assert lines[3]["event_id"] == envelope["event_id"]
    assert lines[1]["reversed_by_transaction_id"] == lines[0]["transaction_id"]
    recorded = outbox_events(seeded, "membership.volunteer_hours_recorded")
    assert [e["data"]["balance_hours"] for e in recorded] == [4.0, 5.5, 0.5, 5.5]


def test_a_merged_communitys_volunteers_move_to_the_survivor(api, auth, seeded):
    from tests.integration.test_volunteers_events import wait_for

    admin = auth("street_admin", STREET_A)
    volunteer = enrol(api, admin, add_resident(seeded, f"{COMMUNITY_A2}001"))
    team = api.post(TEAMS, json={"community_code": COMMUNITY_A2, "name": "助残队",
                                 "kind": "disability_help"}, headers=admin).json()
    merged = api.post("/api/v1/territory/merges", json={
        "surviving_code": COMMUNITY_A1, "absorbed_code": COMMUNITY_A2}, headers=admin)
    assert merged.status_code == 200, merged.text

    worker = auth("community_worker", COMMUNITY_A1)
    moved = wait_for(lambda: (lambda r: r.json() if r.status_code == 200 else None)(
        api.get(f"{VOLUNTEERS}/{volunteer['id']}", headers=worker)))
    assert moved["community_code"] == COMMUNITY_A1
    assert api.get(f"{TEAMS}/{team['id']}", headers=worker).json()["community_code"] == \
        COMMUNITY_A1
