"""Care plans on SQLite and PostgreSQL: opened from flag events exactly once per (resident, flag),
closed and reopened, visits moving the schedule, missed visits listed; and on the real broker,
the same event delivered twice and two events of one flag at once still make one plan."""
from datetime import date, timedelta

import eventlet
import pytest
from kombu import Connection, Exchange
from sqlalchemy import func, select

from services.tickets import care
from services.tickets.models import InboxEntry, OutboxMessage
from services.tickets.models.care import CarePlan, CareScheduleLine, CareVisit
from shared.context import CallerContext
from shared.errors import Conflict, InvalidInput, NotFound, OutOfScope
from shared.events.deadletter import list_dead_letters
from shared.events.registry import make_envelope
from tests.support import wait_for

GRID = "350502001001001"
OTHER_GRID = "350502002001001"
WORKER = CallerContext("worker", ("community_worker",), "350502001001")
GRID_WORKER = CallerContext("gw", ("grid_worker",), GRID)
ELSEWHERE = CallerContext("other", ("community_worker",), "350502002001")
AUDITOR = CallerContext("auditor", ("auditor",), "350502")
TODAY = date(2026, 11, 23)


def flagged(resident_id, flag="elderly_living_alone", grid=GRID, on="2026-11-20",
            kind="membership.resident_flagged"):
    return make_envelope(kind, {"resident_id": resident_id, "grid_code": grid, "flag": flag,
                                "restricted": False, "on": on, "reason": "test"},
                         grid, "membership-worker")


def unflagged(resident_id, flag="elderly_living_alone", on="2026-11-25"):
    return flagged(resident_id, flag, on=on, kind="membership.resident_unflagged")


def apply(db, envelope, today=TODAY):
    with db.transaction("tickets") as uow:
        if envelope["type"] == "membership.resident_flagged":
            return care.open_from_event(uow, envelope, today)
        return care.close_from_event(uow, envelope)


def plans(db):
    with db.session_factory() as session:
        return list(session.scalars(select(CarePlan).order_by(CarePlan.id)))


def events(db, event_type):
    with db.session_factory() as session:
        return list(session.scalars(select(OutboxMessage.envelope)
                                    .where(OutboxMessage.event_type == event_type)
                                    .order_by(OutboxMessage.id)))


def as_caller(db, caller, fn, *args, **kwargs):
    with db.transaction("tickets", caller) as uow:
        return fn(uow, *args, **kwargs)


def test_a_vulnerable_flag_opens_a_plan_with_its_schedule(tickets_service_db):
    result = apply(tickets_service_db, flagged(7))
    assert result["action"] == "open"
    (plan,) = plans(tickets_service_db)
    assert (plan.resident_id, plan.flag, plan.status) == (7, "elderly_living_alone", "open")
    assert (plan.grid_code, plan.community_code) == (GRID, "350502001001")
    assert (plan.flagged_on, plan.starts_on) == (date(2026, 11, 20), TODAY)
    shown = as_caller(tickets_service_db, WORKER, care.get_plan, plan.id, TODAY)
    assert {line["kind"]: (line["every_days"], line["next_due_on"]) for line in shown["schedule"]} \
        == {"phone_call": (7, "2026-11-30"), "home_visit": (30, "2026-12-23"),
            "neighbour_visit": (7, "2026-11-30")}
    assert shown["missed"] == [] and shown["visit_count"] == 0
    (opened,) = events(tickets_service_db, "tickets.care_plan_opened")
    assert opened["data"]["care_plan_id"] == plan.id and opened["data"]["reopened"] is False
    assert opened["org_code"] == GRID
    assert "name" not in opened["data"] and "id_number" not in opened["data"]


def test_flags_that_are_not_care_flags_open_nothing(tickets_service_db):
    for flag in ("laid_off", "veteran", "floating", "released_prisoner", "mental_illness"):
        assert apply(tickets_service_db, flagged(8, flag))["action"] == "ignore"
    assert plans(tickets_service_db) == []
    assert events(tickets_service_db, "tickets.care_plan_opened") == []


def test_the_same_flag_twice_or_two_events_for_it_make_one_plan(tickets_service_db):
    first = flagged(9)
    apply(tickets_service_db, first)
    assert apply(tickets_service_db, first)["action"] == "ignore"
    assert apply(tickets_service_db, flagged(9, on="2026-11-21"))["action"] == "ignore"
    apply(tickets_service_db, flagged(9, "disabled"))  # another flag: another plan
    assert [(p.resident_id, p.flag) for p in plans(tickets_service_db)] == [
        (9, "elderly_living_alone"), (9, "disabled")]
    assert len(events(tickets_service_db, "tickets.care_plan_opened")) == 2


def test_the_database_refuses_a_second_plan_for_one_resident_and_flag(tickets_service_db):
    apply(tickets_service_db, flagged(10))
    with pytest.raises(Conflict):
        with tickets_service_db.transaction("tickets") as uow:
            uow.session.add(CarePlan(resident_id=10, flag="elderly_living_alone", grid_code=GRID,
                                     community_code="350502001001", status="open",
                                     flagged_on=TODAY, starts_on=TODAY, opened_by="x"))
    assert len(plans(tickets_service_db)) == 1


def test_unflagging_closes_the_plan_and_flagging_again_reopens_it(tickets_service_db):
    apply(tickets_service_db, flagged(11))
    assert apply(tickets_service_db, unflagged(11))["action"] == "close"
    assert apply(tickets_service_db, unflagged(11))["action"] == "ignore"
    (plan,) = plans(tickets_service_db)
    assert (plan.status, plan.closed_on, plan.close_reason) == (
        "closed", date(2026, 11, 25), "flag cleared")
    (closed,) = events(tickets_service_db, "tickets.care_plan_closed")
    assert closed["data"]["closed_on"] == "2026-11-25"
    shown = as_caller(tickets_service_db, WORKER, care.get_plan, plan.id, date(2027, 3, 1))
    assert shown["missed"] == []  # a closed plan owes nothing
    # a late copy of the old flag event does not reopen it; a new flag does
    assert apply(tickets_service_db, flagged(11, on="2026-11-20"))["action"] == "ignore"
    later = date(2026, 12, 1)
    assert apply(tickets_service_db, flagged(11, on="2026-12-01"), later)["action"] == "reopen"
    (plan,) = plans(tickets_service_db)
    assert (plan.status, plan.starts_on, plan.closed_on) == ("open", later, None)
    reopened = events(tickets_service_db, "tickets.care_plan_opened")[-1]
    assert reopened["data"]["reopened"] is True
    # unflagging a resident without a plan does nothing
    assert apply(tickets_service_db, unflagged(99))["action"] == "ignore"


def test_visits_move_the_schedule_and_missed_visits_show(tickets_service_db):
    db = tickets_service_db
    start = date(2026, 10, 1)
    plan_id = apply(db, flagged(12), start)["care_plan_id"]
    other_id = apply(db, flagged(13), TODAY)["care_plan_id"]
    today = date(2026, 10, 20)
    shown = as_caller(db, WORKER, care.get_plan, plan_id, today)
    assert sorted(shown["missed"]) == ["neighbour_visit", "phone_call"]  # due 10-08
    line = next(x for x in shown["schedule"] if x["kind"] == "phone_call")
    assert line["missed"] and line["days_overdue"] == 12
    result = as_caller(db, GRID_WORKER, care.record_visit, plan_id, {
        "kind": "phone_call", "visited_on": "2026-10-18", "visitor": "  网格员 小林 ",
        "outcome": "well", "notes": "身体还好"}, today)
    assert result["visit"]["visitor"] == "网格员 小林"
    assert result["care_plan"]["missed"] == ["neighbour_visit"]
    phone = next(x for x in result["care_plan"]["schedule"] if x["kind"] == "phone_call")
    assert (phone["last_visited_on"], phone["next_due_on"]) == ("2026-10-18", "2026-10-25")
    # a neighbour visit that did not reach her is recorded, but stays due
    result = as_caller(db, WORKER, care.record_visit, plan_id, {
        "kind": "neighbour_visit", "visited_on": "2026-10-19", "visitor": "邻居王阿姨",
        "outcome": "not_reached"}, today)
    assert result["care_plan"]["missed"] == ["neighbour_visit"]
    recorded = events(db, "tickets.care_visit_recorded")
    assert [e["data"]["counted"] for e in recorded] == [True, False]
    assert recorded[0]["data"]["next_due_on"] == "2026-10-25"
    assert "notes" not in recorded[0]["data"] and "visitor" not in recorded[0]["data"]
    # the list filter: missed=true finds the plan, missed=false the other one
    missed = as_caller(db, WORKER, care.list_plans, {"missed": "true",
                                                     "community": "350502001001"}, today)
    assert [p["id"] for p in missed["items"]] == [plan_id]
    fine = as_caller(db, WORKER, care.list_plans, {"missed": "false"}, today)
    assert [p["id"] for p in fine["items"]] == [other_id]
    as_caller(db, WORKER, care.record_visit, plan_id, {
        "kind": "neighbour_visit", "visited_on": "2026-10-20", "visitor": "邻居王阿姨"}, today)
    assert as_caller(db, WORKER, care.list_plans, {"missed": "true"}, today)["items"] == []
    visits = as_caller(db, WORKER, care.list_visits, plan_id, {"limit": 2})
    assert [v["kind"] for v in visits["items"]] == ["neighbour_visit", "neighbour_visit"]
    rest = as_caller(db, WORKER, care.list_visits, plan_id, {"cursor": visits["next_cursor"]})
    assert [v["kind"] for v in rest["items"]] == ["phone_call"]
    assert as_caller(db, WORKER, care.list_visits, plan_id, {"kind": "phone_call"})[
        "items"][0]["notes"] == "身体还好"


def test_bad_visits_are_refused_and_change_nothing(tickets_service_db):
    db = tickets_service_db
    plan_id = apply(db, flagged(14), date(2026, 11, 1))["care_plan_id"]
    cases = [
        ({"kind": "letter", "visitor": "x"}, InvalidInput, "kind"),
        ({"kind": "phone_call"}, InvalidInput, "visitor"),
        ({"kind": "phone_call", "visitor": "   "}, InvalidInput, "visitor"),
        ({"kind": "phone_call", "visitor": "x", "visited_on": "2026-11-24"}, InvalidInput,
         "visited_on"),
        ({"kind": "phone_call", "visitor": "x", "visited_on": "2026-10-31"}, InvalidInput,
         "visited_on"),
        ({"kind": "phone_call", "visitor": "x", "outcome": "fine"}, InvalidInput, "outcome"),
    ]
    for payload, error, field in cases:
        with pytest.raises(error) as refused:
            as_caller(db, WORKER, care.record_visit, plan_id, payload, TODAY)
        assert refused.value.field == field, payload
    with pytest.raises(Exception) as role:
        as_caller(db, AUDITOR, care.record_visit, plan_id, {"kind": "phone_call", "visitor": "x"})
    assert getattr(role.value, "status", None) == 403
    apply(db, unflagged(14))
    with pytest.raises(Conflict) as closed:
        as_caller(db, WORKER, care.record_visit, plan_id, {"kind": "phone_call",
                                                           "visitor": "x"}, TODAY)
    assert closed.value.field == "status"
    with db.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(CareVisit)) == 0
        assert {line.last_visited_on for line in session.scalars(select(CareScheduleLine))} \
            == {None}
    assert events(db, "tickets.care_visit_recorded") == []


def test_plans_are_scoped(tickets_service_db):
    db = tickets_service_db
    mine = apply(db, flagged(15))["care_plan_id"]
    theirs = apply(db, flagged(16, grid=OTHER_GRID))["care_plan_id"]
    assert [p["id"] for p in as_caller(db, WORKER, care.list_plans, {})["items"]] == [mine]
    assert [p["id"] for p in as_caller(db, ELSEWHERE, care.list_plans, {})["items"]] == [theirs]
    assert len(as_caller(db, AUDITOR, care.list_plans, {})["items"]) == 2
    # a grid worker may name their own community
    assert [p["id"] for p in as_caller(db, GRID_WORKER, care.list_plans,
                                       {"community": "350502001001"})["items"]] == [mine]
    with pytest.raises(OutOfScope) as out:
        as_caller(db, WORKER, care.list_plans, {"community": "350502002001"})
    assert out.value.field == "community"
    for plan_id in (theirs, 0, 10**9, "1"):
        with pytest.raises(NotFound):
            as_caller(db, WORKER, care.get_plan, plan_id)
    with pytest.raises(NotFound):
        as_caller(db, WORKER, care.record_visit, theirs, {"kind": "phone_call", "visitor": "x"})


def test_the_list_filters_and_pages(tickets_service_db):
    db = tickets_service_db
    for resident in range(20, 25):
        apply(db, flagged(resident, "disabled" if resident % 2 else "minimum_allowance"))
    apply(db, unflagged(21, "disabled"))
    first = as_caller(db, WORKER, care.list_plans, {"limit": 2})
    second = as_caller(db, WORKER, care.list_plans, {"limit": 2, "cursor": first["next_cursor"]})
    third = as_caller(db, WORKER, care.list_plans, {"limit": 2, "cursor": second["next_cursor"]})
    assert [p["resident_id"] for p in first["items"] + second["items"] + third["items"]] == \
        [20, 21, 22, 23, 24]
    assert third["next_cursor"] is None
    assert [p["resident_id"] for p in as_caller(db, WORKER, care.list_plans,
                                                {"flag": "disabled", "status": "open"})[
        "items"]] == [23]
    assert [p["resident_id"] for p in as_caller(db, WORKER, care.list_plans,
                                                {"resident_id": "22"})["items"]] == [22]
    for query, field in (({"flag": "laid_off"}, "flag"), ({"community": "3505"}, "community"),
                         ({"missed": "maybe"}, "missed"), ({"cursor": "!!"}, "cursor"),
                         ({"limit": "0"}, "limit"), ({"status": "gone"}, "status")):
        with pytest.raises(InvalidInput) as bad:
            as_caller(db, WORKER, care.list_plans, query)
        assert bad.value.field == field


# --- on the real broker -----------------------------------------------------------------------

def publish_raw(amqp_uri, *envelopes):
    """Publish as membership's relay does: its exchange, the type as routing key."""
    with Connection(amqp_uri) as connection:
        producer = connection.Producer()
        exchange = Exchange("membership.events", type="topic", durable=True)
        for envelope in envelopes:
            producer.publish(envelope, exchange=exchange, routing_key=envelope["type"],
                             declare=[exchange], serializer="json", delivery_mode=2)


def inbox_count(db):
    with db.session_factory() as session:
        return session.scalar(select(func.count()).select_from(InboxEntry))


@pytest.mark.broker
def test_the_same_flag_event_delivered_twice_by_the_broker_opens_one_plan(
        tickets_db, platform_config):
    envelope = flagged(31)
    publish_raw(platform_config["AMQP_URI"], envelope, envelope)
    publish_raw(platform_config["AMQP_URI"], flagged(32))  # after both copies
    wait_for(lambda: {p.resident_id for p in plans(tickets_db)} == {31, 32})
    eventlet.sleep(0.5)
    # (the two copies may race each other, so 32's plan can be stored first)
    assert sorted((p.resident_id, p.flag) for p in plans(tickets_db)) == [
        (31, "elderly_living_alone"), (32, "elderly_living_alone")]
    assert inbox_count(tickets_db) == 2
    assert len(events(tickets_db, "tickets.care_plan_opened")) == 2


@pytest.mark.broker
def test_distinct_flag_events_for_one_resident_at_once_open_one_plan(
        tickets_db, platform_config):
    amqp_uri = platform_config["AMQP_URI"]
    copies = [flagged(33, "disabled", on=f"2026-11-{day:02d}") for day in range(10, 16)]
    publish_raw(amqp_uri, *copies)
    wait_for(lambda: inbox_count(tickets_db) == len(copies))  # every one applied (or retried)
    eventlet.sleep(0.3)
    assert [(p.resident_id, p.flag, p.status) for p in plans(tickets_db)] == [
        (33, "disabled", "open")]
    assert len(events(tickets_db, "tickets.care_plan_opened")) == 1
    assert list_dead_letters(amqp_uri)[1] == 0
    # and the flag cleared in membership closes it
    publish_raw(amqp_uri, unflagged(33, "disabled"))
    wait_for(lambda: plans(tickets_db)[0].status == "closed")
    assert len(events(tickets_db, "tickets.care_plan_closed")) == 1


def test_the_flag_day_comes_from_the_event(tickets_service_db):
    apply(tickets_service_db, flagged(40, on=(TODAY - timedelta(days=3)).isoformat()))
    assert plans(tickets_service_db)[0].flagged_on == date(2026, 11, 20)


# --- life events 八到家 ------------------------------------------------------------------------

GRID_NODE = {"code": GRID, "level": "grid", "status": "active", "parent_code": "350502001001"}


def life_event(db, payload, resident=None, caller=WORKER, grid=GRID_NODE, today=TODAY):
    return as_caller(db, caller, care.record_life_event, payload, grid, resident, today)


def test_a_life_event_opens_a_visit_ticket(tickets_service_db):
    from services.tickets.models import Ticket

    db = tickets_service_db
    resident = {"id": 50, "grid_code": GRID, "address": "西街12号"}
    result = life_event(db, {"kind": "hospital", "resident_id": 50, "grid_code": GRID,
                             "occurred_on": "2026-11-22", "notes": " 髋关节手术 "}, resident)
    assert result["life_event"] == {"kind": "hospital", "resident_id": 50, "grid_code": GRID,
                                    "community_code": "350502001001",
                                    "occurred_on": "2026-11-22",
                                    "ticket_id": result["ticket"]["id"]}
    with db.session_factory() as session:
        ticket = session.get(Ticket, result["ticket"]["id"])
    assert (ticket.category_code, ticket.channel, ticket.status, ticket.priority) == (
        "home_visit", "visit", "submitted", "high")
    assert ticket.description == "八到家·病困到家（住院），2026-11-22：髋关节手术"
    assert (ticket.reporter_resident_id, ticket.reporter_name, ticket.reporter_phone) == (
        50, None, None)
    assert (ticket.grid_code, ticket.address) == (GRID, "西街12号")
    (recorded,) = events(db, "tickets.life_event_recorded")
    assert recorded["data"]["restricted"] is False and recorded["data"]["ticket_id"] == ticket.id
    # without a resident, and a restricted kind whose ticket does not name it
    result = life_event(db, {"kind": "released_person", "grid_code": GRID})
    with db.session_factory() as session:
        ticket = session.get(Ticket, result["ticket"]["id"])
    assert "刑" not in ticket.description and ticket.priority == "normal"
    assert ticket.reporter_resident_id is None
    assert events(db, "tickets.life_event_recorded")[-1]["data"]["restricted"] is True


def test_bad_life_events_are_refused_and_open_nothing(tickets_service_db):
    from services.tickets.models import Ticket

    db = tickets_service_db
    resident = {"id": 51, "grid_code": GRID, "address": None}
    cases = [
        ({"kind": "birthday", "grid_code": GRID}, None, WORKER, InvalidInput, "kind"),
        ({"kind": "death"}, None, WORKER, InvalidInput, "grid_code"),
        ({"kind": "death", "grid_code": "3505"}, None, WORKER, InvalidInput, "grid_code"),
        ({"kind": "death", "grid_code": GRID, "occurred_on": "2026-11-24"}, None, WORKER,
         InvalidInput, "occurred_on"),
        ({"kind": "death", "grid_code": GRID, "resident_id": 52}, None, WORKER, NotFound,
         "resident_id"),
        ({"kind": "death", "grid_code": GRID, "resident_id": 51},
         {**resident, "grid_code": "350502001001002"}, WORKER, InvalidInput, "grid_code"),
        ({"kind": "death", "grid_code": OTHER_GRID}, None, WORKER, OutOfScope, "grid_code"),
        ({"kind": "death", "grid_code": GRID, "notes": "x" * 1001}, None, WORKER, InvalidInput,
         "notes"),
    ]
    for payload, who, caller, error, field in cases:
        with pytest.raises(error) as refused:
            life_event(db, payload, who, caller)
        assert refused.value.field == field, payload
    with pytest.raises(Exception) as role:
        life_event(db, {"kind": "death", "grid_code": GRID}, None, AUDITOR)
    assert getattr(role.value, "status", None) == 403
    with pytest.raises(InvalidInput) as not_grid:
        life_event(db, {"kind": "death", "grid_code": GRID}, None, WORKER,
                   {**GRID_NODE, "level": "community"})
    assert not_grid.value.field == "grid_code"
    with db.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 0
    assert events(db, "tickets.life_event_recorded") == []


# --- demo data --------------------------------------------------------------------------------

def test_the_demo_seeds_plans_visits_and_cases_once(tickets_service_db):
    from services.tickets import assistance, demo_care
    from services.tickets.models.assistance import AssistanceCase

    db = tickets_service_db
    with db.transaction("tickets") as uow:
        created = demo_care.seed(uow, TODAY)
    flagged = list(demo_care.demo_flagged_residents())
    assert created["care_plan"] == len(flagged) > 1000
    assert created["care_visit"] > 1000 and created["assistance_case"] == 13
    with db.transaction("tickets") as uow:
        assert demo_care.seed(uow, TODAY) == {}
    assert len(plans(db)) == len(flagged)
    district = CallerContext("d", ("district_admin",), "350502")
    missed = as_caller(db, district, care.list_plans, {"missed": "true", "limit": 200}, TODAY)
    assert 5 <= len(missed["items"]) < 60  # a handful
    yongfeng = as_caller(db, district, care.list_plans, {"community": "350502001002",
                                                         "flag": "minimum_allowance"}, TODAY)
    assert yongfeng["items"]
    with db.session_factory() as session:
        stages = [stage for (stage,) in session.execute(
            select(AssistanceCase.stage).order_by(AssistanceCase.id))]
    assert set(stages) == {"investigation", "document_review", "democratic_appraisal",
                           "public_notice", "approved", "rejected"}
    assert stages.count("public_notice") == 3
    notice = as_caller(db, district, assistance.list_cases, {"stage": "public_notice"})
    ends = sorted(case["notice"]["ends_on"] for case in notice["items"])
    assert ends[0] < TODAY.isoformat() <= ends[-1]  # one period over, the others running
    objected = [c for c in as_caller(db, district, assistance.list_cases, {})["items"]
                if c["pending_objections"]]
    assert len(objected) == 1 and objected[0]["stage"] == "document_review"


# --- the resident and the territory change ----------------------------------------------------

def moved(resident_id, kind, to=None, on="2026-11-22"):
    return make_envelope("membership.resident_moved", {
        "resident_id": resident_id, "kind": kind, "from_grid_code": GRID, "to_grid_code": to,
        "moved_on": on}, GRID, "membership-worker")


def test_plans_follow_a_resident_who_moves_and_close_when_they_leave(tickets_service_db):
    db = tickets_service_db
    apply(db, flagged(60))
    apply(db, flagged(60, "disabled"))
    apply(db, flagged(61))
    with db.transaction("tickets") as uow:
        assert care.follow_resident_move(uow, moved(60, "within", "350502001002001")) == {
            "plans": 2, "closed": 0}
    assert {(p.resident_id, p.grid_code, p.community_code, p.status) for p in plans(db)} == {
        (60, "350502001002001", "350502001002", "open"), (61, GRID, "350502001001", "open")}
    with db.transaction("tickets") as uow:
        assert care.follow_resident_move(uow, moved(60, "out")) == {"plans": 2, "closed": 2}
    mine = [p for p in plans(db) if p.resident_id == 60]
    assert {(p.status, p.close_reason, p.closed_on) for p in mine} == {
        ("closed", "moved out", date(2026, 11, 22))}
    assert len(events(db, "tickets.care_plan_closed")) == 2


def test_plans_follow_a_community_merge(tickets_service_db):
    db = tickets_service_db
    apply(db, flagged(62))
    apply(db, flagged(63, grid=OTHER_GRID))
    with db.transaction("tickets") as uow:
        result = care.follow_merge(uow, {
            "surviving_code": "350502002001", "absorbed_code": "350502001001",
            "moves": [{"old_code": "350502001001", "new_code": "350502002001"},
                      {"old_code": GRID, "new_code": "350502002001009"}]})
    assert result == {"care_plans": 1}
    assert {(p.resident_id, p.grid_code, p.community_code) for p in plans(db)} == {
        (62, "350502002001009", "350502002001"), (63, OTHER_GRID, "350502002001")}
