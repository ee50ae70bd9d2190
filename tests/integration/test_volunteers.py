"""Volunteers and teams on the database (SQLite and PostgreSQL): enrol, skills, status, teams,
scope, pagination, events in the outbox."""
from datetime import date
from itertools import count

import pytest
from sqlalchemy import select

from services.membership import volunteers
from services.membership.models import OutboxMessage
from services.membership.models.residents import Resident
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, OutOfScope
from tests.e2e.conftest import COMMUNITY_A1, COMMUNITY_A2, COMMUNITY_B1, STREET_A, seed_territory

WORKER_A1 = CallerContext("worker-a1", ("community_worker",), COMMUNITY_A1)
STREET_ADMIN_A = CallerContext("admin-a", ("street_admin",), STREET_A)
GRID_WORKER_A1 = CallerContext("grid-a1", ("grid_worker",), COMMUNITY_A1)
WORKER_B1 = CallerContext("worker-b1", ("community_worker",), COMMUNITY_B1)
_numbers = count(1)


def add_resident(database, grid_code, name="张三", status="active") -> int:
    """A resident row written directly (the residents' use cases are another area's)."""
    number = next(_numbers)
    with database.transaction("membership") as uow:
        resident = Resident(
            name=name, gender="female", birth_date=date(1960, 5, 1),
            id_number_hash=f"{number:064d}", id_number_sealed="sealed", id_number_masked="3505**********0000",
            phone=None, address="西关路1号", grid_code=grid_code, household_id=None,
            residence="registered", status=status)
        uow.session.add(resident)
        uow.session.flush()
        return resident.id


def call(database, caller, fn, *args):
    with database.transaction("membership", caller) as uow:
        return fn(uow, *args)


def events(database, event_type):
    with database.session_factory() as session:
        return list(session.scalars(select(OutboxMessage.envelope)
                                    .where(OutboxMessage.event_type == event_type)
                                    .order_by(OutboxMessage.id)))


@pytest.fixture
def db(service_db):
    seed_territory(service_db)
    return service_db


def test_enrol_get_update_and_the_events(db):
    resident = add_resident(db, f"{COMMUNITY_A1}001", name="李四")
    volunteer = call(db, WORKER_A1, volunteers.enrol_volunteer,
                     {"resident_id": resident, "skills": ["First aid", " 理发 ", "first  AID"]})
    assert volunteer["community_code"] == COMMUNITY_A1  # the resident's own community
    assert volunteer["skills"] == ["First aid", "理发"]
    assert volunteer["name"] == "李四" and volunteer["status"] == "active"
    assert volunteer["team_ids"] == []
    [enrolled] = events(db, "membership.volunteer_enrolled")
    assert enrolled["data"] == {"volunteer_id": volunteer["id"], "resident_id": resident,
                                "community_code": COMMUNITY_A1, "skills": ["First aid", "理发"]}
    assert enrolled["org_code"] == COMMUNITY_A1 and enrolled["actor"] == "worker-a1"

    updated = call(db, WORKER_A1, volunteers.update_volunteer, volunteer["id"],
                   {"add_skills": ["电脑维修", "理发"], "remove_skills": ["first aid", "absent"]})
    assert updated["skills"] == ["理发", "电脑维修"]
    updated = call(db, WORKER_A1, volunteers.update_volunteer, volunteer["id"],
                   {"status": "inactive"})
    assert updated["status"] == "inactive"
    changes = [e["data"] for e in events(db, "membership.volunteer_updated")]
    assert changes[0]["added_skills"] == ["电脑维修"] and changes[0]["removed_skills"] == ["First aid"]
    assert changes[1]["old_status"] == "active" and changes[1]["status"] == "inactive"
    # nothing changes: no event
    call(db, WORKER_A1, volunteers.update_volunteer, volunteer["id"], {"status": "inactive"})
    assert len(events(db, "membership.volunteer_updated")) == 2
    assert call(db, GRID_WORKER_A1, volunteers.get_volunteer, volunteer["id"]) == updated


def test_one_enrolment_per_resident(db):
    resident = add_resident(db, f"{COMMUNITY_A1}001")
    call(db, WORKER_A1, volunteers.enrol_volunteer, {"resident_id": resident})
    with pytest.raises(Conflict) as caught:
        call(db, STREET_ADMIN_A, volunteers.enrol_volunteer,
             {"resident_id": resident, "community_code": COMMUNITY_A2})
    assert caught.value.field == "resident_id"
    assert len(events(db, "membership.volunteer_enrolled")) == 1


def test_enrolment_refusals(db):
    resident = add_resident(db, f"{COMMUNITY_A1}001")
    moved_out = add_resident(db, f"{COMMUNITY_A1}002", status="moved_out")
    in_b1 = add_resident(db, f"{COMMUNITY_B1}001")
    cases = [
        (GRID_WORKER_A1, {"resident_id": resident}, Forbidden, None),
        (WORKER_A1, {"resident_id": in_b1}, NotFound, "resident_id"),  # not in scope: unseen
        (WORKER_A1, {"resident_id": 999999}, NotFound, "resident_id"),
        (WORKER_A1, {"resident_id": resident, "community_code": COMMUNITY_A2}, OutOfScope,
         "community_code"),
        (STREET_ADMIN_A, {"resident_id": resident, "community_code": "350502001099"}, NotFound,
         "community_code"),
        (WORKER_A1, {"resident_id": moved_out}, Conflict, "resident_id"),
        (WORKER_A1, {"resident_id": "1"}, InvalidInput, "resident_id"),
        (WORKER_A1, {"resident_id": resident, "skills": [""]}, InvalidInput, "skills.0"),
        (WORKER_A1, {"resident_id": resident, "skills": ["  "]}, InvalidInput, "skills.0"),
        (WORKER_A1, {"resident_id": resident, "skills": ["x"] * 31}, InvalidInput, "skills"),
        (WORKER_A1, {"resident_id": resident, "community_code": STREET_A}, InvalidInput,
         "community_code"),
    ]
    for caller, payload, error, field in cases:
        with pytest.raises(error) as caught:
            call(db, caller, volunteers.enrol_volunteer, payload)
        assert caught.value.field == field, (payload, caught.value)
    assert events(db, "membership.volunteer_enrolled") == []


def test_a_street_admin_enrols_into_another_community_of_the_street(db):
    resident = add_resident(db, f"{COMMUNITY_A1}001")
    volunteer = call(db, STREET_ADMIN_A, volunteers.enrol_volunteer,
                     {"resident_id": resident, "community_code": COMMUNITY_A2})
    assert volunteer["community_code"] == COMMUNITY_A2
    with pytest.raises(NotFound):
        call(db, WORKER_A1, volunteers.get_volunteer, volunteer["id"])  # A2 is beside A1


def enrol(db, grid, skills=(), caller=STREET_ADMIN_A, name="王五"):
    resident = add_resident(db, grid, name=name)
    return call(db, caller, volunteers.enrol_volunteer,
                {"resident_id": resident, "skills": list(skills)})["id"]


def walk(db, caller, fn, *args, **query):
    items, cursor = [], None
    while True:
        page = call(db, caller, fn, *args, {**query, **({"cursor": cursor} if cursor else {})})
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def test_lists_are_scoped_paginated_and_filtered(db):
    a1 = [enrol(db, f"{COMMUNITY_A1}001", ["patrol"] if n % 2 else ["Sing"]) for n in range(5)]
    a2 = [enrol(db, f"{COMMUNITY_A2}001", ["sing"]) for _ in range(3)]
    b1 = enrol(db, f"{COMMUNITY_B1}001", caller=WORKER_B1)
    ids = lambda items: [item["id"] for item in items]  # noqa: E731

    assert ids(walk(db, STREET_ADMIN_A, volunteers.list_volunteers, limit=2)) == a1 + a2
    assert ids(walk(db, WORKER_A1, volunteers.list_volunteers, limit=3)) == a1
    assert ids(walk(db, WORKER_B1, volunteers.list_volunteers)) == [b1]
    assert ids(walk(db, STREET_ADMIN_A, volunteers.list_volunteers,
                    org_code=COMMUNITY_A2)) == a2
    assert ids(walk(db, STREET_ADMIN_A, volunteers.list_volunteers, skill="SING",
                    limit=1)) == [a1[0], a1[2], a1[4], *a2]
    call(db, WORKER_A1, volunteers.update_volunteer, a1[1], {"status": "inactive"})
    assert ids(walk(db, WORKER_A1, volunteers.list_volunteers, status="inactive")) == [a1[1]]
    with pytest.raises(OutOfScope) as caught:
        call(db, WORKER_A1, volunteers.list_volunteers, {"org_code": COMMUNITY_B1})
    assert caught.value.field == "org_code"
    with pytest.raises(InvalidInput) as caught:
        call(db, WORKER_A1, volunteers.list_volunteers, {"cursor": "nonsense"})
    assert caught.value.field == "cursor"


def test_teams_join_leave_and_members(db):
    team = call(db, WORKER_A1, volunteers.create_team,
                {"community_code": COMMUNITY_A1, "name": "平安巡逻队", "kind": "patrol"})
    culture = call(db, WORKER_A1, volunteers.create_team,
                   {"community_code": COMMUNITY_A1, "name": "文艺队", "kind": "culture",
                    "description": "腰鼓"})
    assert team["member_count"] == 0 and team["community_code"] == COMMUNITY_A1
    [created] = events(db, "membership.volunteer_team_created")[:1]
    assert created["data"] == {"team_id": team["id"], "community_code": COMMUNITY_A1,
                               "name": "平安巡逻队", "kind": "patrol"}
    with pytest.raises(Conflict) as caught:
        call(db, STREET_ADMIN_A, volunteers.create_team,
             {"community_code": COMMUNITY_A1, "name": " 平安巡逻队", "kind": "culture"})
    assert caught.value.field == "name"

    members = [enrol(db, f"{COMMUNITY_A1}001") for _ in range(5)]
    for volunteer in members:
        call(db, WORKER_A1, volunteers.join_team, team["id"], {"volunteer_id": volunteer})
    call(db, WORKER_A1, volunteers.join_team, culture["id"], {"volunteer_id": members[0]})
    assert call(db, WORKER_A1, volunteers.get_volunteer, members[0])["team_ids"] == [
        team["id"], culture["id"]]
    with pytest.raises(Conflict):
        call(db, WORKER_A1, volunteers.join_team, team["id"], {"volunteer_id": members[0]})
    listed = walk(db, GRID_WORKER_A1, volunteers.list_members, team["id"], limit=2)
    assert [m["volunteer_id"] for m in listed] == members
    assert call(db, WORKER_A1, volunteers.get_team, team["id"])["member_count"] == 5
    by_team = walk(db, WORKER_A1, volunteers.list_volunteers, team_id=culture["id"])
    assert [v["id"] for v in by_team] == [members[0]]

    left = call(db, WORKER_A1, volunteers.leave_team, team["id"], members[0])
    assert left["member_count"] == 4
    with pytest.raises(NotFound) as caught:
        call(db, WORKER_A1, volunteers.leave_team, team["id"], members[0])
    assert caught.value.field == "volunteer_id"
    joined = [e["data"] for e in events(db, "membership.volunteer_joined_team")]
    assert len(joined) == 6
    assert [e["data"] for e in events(db, "membership.volunteer_left_team")] == [
        {"team_id": team["id"], "volunteer_id": members[0], "community_code": COMMUNITY_A1}]

    # rules: a volunteer of another community, an inactive one, an unseen team
    other = enrol(db, f"{COMMUNITY_A2}001")
    with pytest.raises(Conflict):
        call(db, STREET_ADMIN_A, volunteers.join_team, team["id"], {"volunteer_id": other})
    with pytest.raises(NotFound):  # A2's volunteer is not in the worker's scope
        call(db, WORKER_A1, volunteers.join_team, team["id"], {"volunteer_id": other})
    call(db, WORKER_A1, volunteers.update_volunteer, members[1], {"status": "inactive"})
    with pytest.raises(Conflict):
        call(db, WORKER_A1, volunteers.join_team, culture["id"], {"volunteer_id": members[1]})
    with pytest.raises(NotFound):
        call(db, WORKER_B1, volunteers.get_team, team["id"])
    with pytest.raises(Forbidden):
        call(db, GRID_WORKER_A1, volunteers.join_team, culture["id"], {"volunteer_id": members[2]})

    teams = walk(db, STREET_ADMIN_A, volunteers.list_teams, limit=1)
    assert [t["id"] for t in teams] == [team["id"], culture["id"]]
    assert [t["id"] for t in walk(db, STREET_ADMIN_A, volunteers.list_teams, kind="culture")] \
        == [culture["id"]]
    assert walk(db, WORKER_B1, volunteers.list_teams) == []



def test_volunteers_and_teams_follow_a_community_merge(db):
    from services.membership import territory

    kept = enrol(db, f"{COMMUNITY_A1}001")
    moved = enrol(db, f"{COMMUNITY_A2}001")
    for community in (COMMUNITY_A1, COMMUNITY_A2):
        call(db, STREET_ADMIN_A, volunteers.create_team,
             {"community_code": community, "name": "巡逻队", "kind": "patrol"})
    other = call(db, STREET_ADMIN_A, volunteers.create_team,
                 {"community_code": COMMUNITY_A2, "name": "文艺队", "kind": "culture"})
    merged = call(db, STREET_ADMIN_A, territory.merge_communities,
                  {"surviving_code": COMMUNITY_A1, "absorbed_code": COMMUNITY_A2})
    [event] = events(db, "membership.communities_merged")
    assert call(db, None, lambda uow: volunteers.follow_merge(uow, event["data"])) == {
        "volunteers": 1, "teams": 2}
    assert merged["absorbed"]["status"] == "merged"

    # the community worker of the survivor now sees and manages them
    listed = walk(db, WORKER_A1, volunteers.list_volunteers)
    assert [v["id"] for v in listed] == [kept, moved]
    assert {v["community_code"] for v in listed} == {COMMUNITY_A1}
    teams = walk(db, WORKER_A1, volunteers.list_teams)
    assert [t["name"] for t in teams] == ["巡逻队", f"巡逻队（{COMMUNITY_A2}）", "文艺队"]
    call(db, WORKER_A1, volunteers.join_team, other["id"], {"volunteer_id": kept})
    # and nothing can be enrolled into the merged-away community any more
    with pytest.raises(Conflict):
        call(db, STREET_ADMIN_A, volunteers.enrol_volunteer,
             {"resident_id": add_resident(db, f"{COMMUNITY_A1}002"),
              "community_code": COMMUNITY_A2})


def test_a_resident_moving_out_stands_down_as_a_volunteer(db):
    from services.membership import residents

    leaving = add_resident(db, f"{COMMUNITY_A1}001", name="王五")
    staying = add_resident(db, f"{COMMUNITY_A1}001", name="赵六")
    gone = call(db, WORKER_A1, volunteers.enrol_volunteer, {"resident_id": leaving, "skills": ["理发"]})
    kept = call(db, WORKER_A1, volunteers.enrol_volunteer, {"resident_id": staying})
    call(db, WORKER_A1, residents.move_resident, staying,
         {"kind": "within", "to_grid_code": f"{COMMUNITY_A1}002", "reason": "换房"})
    call(db, WORKER_A1, residents.move_resident, leaving, {"kind": "out", "reason": "迁往外省"})

    assert call(db, WORKER_A1, volunteers.get_volunteer, gone["id"])["status"] == "inactive"
    assert call(db, WORKER_A1, volunteers.get_volunteer, kept["id"])["status"] == "active"
    [update] = events(db, "membership.volunteer_updated")
    assert update["data"] == {"volunteer_id": gone["id"], "community_code": COMMUNITY_A1,
                              "status": "inactive", "old_status": "active", "skills": ["理发"],
                              "added_skills": [], "removed_skills": []}
    with pytest.raises(Conflict) as refused:
        call(db, WORKER_A1, volunteers.update_volunteer, gone["id"], {"status": "active"})
    assert refused.value.field == "status"
