"""Ticket use cases on a real database (SQLite and PostgreSQL): the catalogue, creation, lists,
the lifecycle with its history and events, the callback, volunteer hours, disputes, demo data."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from services.tickets import categories, demo, tickets
from services.tickets.models import OutboxMessage, Ticket, TicketTransition
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, OutOfScope
from shared.events.outbox import utcnow

GRID = "350502001001001"
OTHER_GRID = "350502002001001"
WORKER = CallerContext("wang", ("community_worker",), "350502001001")
GRID_WORKER = CallerContext("li", ("grid_worker",), GRID)
STREET = CallerContext("street-a", ("street_admin",), "350502001")
OTHER_STREET = CallerContext("street-b", ("street_admin",), "350502002")
DISTRICT = CallerContext("district", ("district_admin",), "350502")
AUDITOR = CallerContext("audit", ("auditor",), "350502")


def grid_node(code=GRID):
    return {"code": code, "level": "grid", "parent_code": code[:12], "status": "active"}


def body(**overrides):
    payload = {"category_code": "sewer_overflow", "description": "下水道外溢",
               "channel": "hotline", "reporter": {"name": "陈阿姨", "phone": "13812345678"},
               "location": {"grid_code": GRID, "address": "西关路1号"},
               "attributes": {"severity": "overflow"}}
    payload.update(overrides)
    return payload


def run(db, caller, fn, *args, **kwargs):
    with db.transaction("tickets", caller) as uow:
        return fn(uow, *args, **kwargs)


def create(db, caller=WORKER, grid=None, **overrides):
    payload = body(**overrides)
    return run(db, caller, tickets.create_ticket, payload,
               grid or grid_node(payload["location"]["grid_code"]))


def act(db, ticket_id, caller=WORKER, **payload):
    return run(db, caller, tickets.transition, ticket_id, payload)


def events(db, event_type=None):
    query = select(OutboxMessage.envelope).order_by(OutboxMessage.id)
    if event_type:
        query = query.where(OutboxMessage.event_type == event_type)
    with db.session_factory() as session:
        return list(session.scalars(query))


def counts(db):
    with db.session_factory() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Ticket, TicketTransition, OutboxMessage))


def test_the_shipped_catalogue_and_a_district_admins_changes(tickets_service_db):
    db = tickets_service_db
    page = run(db, AUDITOR, categories.list_categories, {"limit": 5})
    assert len(page["items"]) == 5 and page["next_cursor"]
    rest = run(db, AUDITOR, categories.list_categories, {"cursor": page["next_cursor"],
                                                         "limit": 50})
    codes = [c["code"] for c in page["items"] + rest["items"]]
    assert codes == sorted(codes) and len(codes) >= 12 and "home_visit" in codes
    dispute = run(db, AUDITOR, categories.get_category, "neighbour_dispute")
    assert dispute["is_dispute"] and dispute["sla_hours"] == 72
    with db.session_factory() as session:
        assert categories.install_defaults(session) == 0  # installed once, by the migration

    new = {"code": "noise", "name": "噪音", "group": "environment", "sla_hours": 48,
           "response_hours": 4, "attributes": [
               {"code": "when", "description": "When", "datatype": "singlevaluelist",
                "values": [{"key": "night", "name": "Night"}]}]}
    with pytest.raises(Forbidden):
        run(db, STREET, categories.create_category, new)
    created = run(db, DISTRICT, categories.create_category, new)
    assert created["attributes"][0]["values"] == [{"key": "night", "name": "Night"}]
    with pytest.raises(Conflict) as twice:
        run(db, DISTRICT, categories.create_category, new)
    assert twice.value.field == "code"
    with pytest.raises(InvalidInput) as bad:
        run(db, DISTRICT, categories.create_category, {**new, "code": "noise2", "attributes": [
            {"code": "x", "description": "X", "datatype": "multivaluelist"}]})
    assert bad.value.field == "attributes.0.values"
    with pytest.raises(InvalidInput) as bad:
        run(db, DISTRICT, categories.create_category, {**new, "code": "Noise"})
    assert bad.value.field == "code"

    run(db, DISTRICT, categories.update_category, "sewer_overflow", {"sla_hours": 12})
    before = utcnow()
    ticket = create(db)
    assert abs((tickets_due(ticket) - before) - timedelta(hours=12)) < timedelta(minutes=1)
    with pytest.raises(NotFound) as missing:
        run(db, DISTRICT, categories.update_category, "nothing_here", {"sla_hours": 12})
    assert missing.value.field == "category"
    run(db, DISTRICT, categories.update_category, "noise", {"active": False})
    with pytest.raises(InvalidInput) as retired:
        create(db, category_code="noise", attributes={})
    assert retired.value.field == "category_code"


def tickets_due(ticket):
    from datetime import datetime

    return datetime.fromisoformat(ticket["due_at"])


def test_create_a_ticket(tickets_service_db):
    db = tickets_service_db
    before = utcnow()
    ticket = create(db, attachments=[{"url": "https://img.example/1.jpg", "sha256": "A" * 64,
                                      "media_type": "image/jpeg"}])
    assert ticket["status"] == "submitted" and ticket["allowed_actions"] == [
        "accept", "reject", "remind"]
    assert ticket["reporter"] == {"resident_id": None, "name": "陈阿姨", "phone": "138****5678",
                                  "email": None}
    assert ticket["location"] == {"grid_code": GRID, "community_code": "350502001001",
                                  "street_code": "350502001", "address": "西关路1号",
                                  "lat": None, "lon": None}
    assert (ticket["level"], ticket["responsible_code"], ticket["accountable_code"]) == (
        "community", "350502001001", "350502001001")
    assert abs(tickets_due(ticket) - before - timedelta(hours=24)) < timedelta(minutes=1)
    assert ticket["attachments"][0]["sha256"] == "a" * 64
    assert len(ticket["token"]) == 36 and ticket["fee_class"] == "free"
    with db.session_factory() as session:
        assert session.get(Ticket, ticket["id"]).reporter_phone == "13812345678"
    [submitted] = events(db, "tickets.ticket_submitted")
    assert submitted["org_code"] == GRID and submitted["actor"] == "wang"
    assert submitted["data"]["ticket_id"] == ticket["id"] and submitted["data"]["seq"] == 1
    assert submitted["data"]["from_status"] is None
    assert events(db, "tickets.dispute_reported") == []

    anonymous = create(db, GRID_WORKER, anonymous=True, reporter=None, channel="grid_worker",
                       category_code="home_services", attributes={}, fee_class="paid")
    assert anonymous["reporter"] is None and anonymous["fee_class"] == "paid"
    named = run(db, WORKER, tickets.create_ticket, body(reporter={"resident_id": 7}),
                grid_node(), {"id": 7, "name": "林大爷", "phone": "13900001111"})
    assert named["reporter"] == {"resident_id": 7, "name": "林大爷", "phone": "139****1111",
                                 "email": None}


def test_creation_refusals_name_the_field_and_change_nothing(tickets_service_db):
    db = tickets_service_db
    create(db)
    before = counts(db)
    for overrides, field, error in [
        ({"attributes": {}}, "attributes.severity", InvalidInput),
        ({"attributes": {"severity": "apocalypse"}}, "attributes.severity", InvalidInput),
        ({"attributes": {"severity": "minor", "colour": "red"}}, "attributes.colour",
         InvalidInput),
        ({"category_code": "unicorns"}, "category_code", InvalidInput),
        ({"channel": "pigeon"}, "channel", InvalidInput),
        ({"location": {"grid_code": "3505"}}, "location.grid_code", InvalidInput),
        ({"location": {"grid_code": OTHER_GRID}}, "location.grid_code", OutOfScope),
        ({"attachments": [{"url": "https://x.example/a", "sha256": "zz"}]},
         "attachments.0.sha256", InvalidInput),
        ({"anonymous": True}, "reporter", InvalidInput),
        ({"reporter": {"resident_id": 5}}, "reporter.resident_id", InvalidInput),
    ]:
        with pytest.raises(error) as refused:
            create(db, grid=grid_node(), **overrides)
        assert refused.value.field == field, overrides
    with pytest.raises(InvalidInput) as not_a_grid:
        create(db, grid={"code": GRID, "level": "community", "parent_code": "350502001"})
    assert not_a_grid.value.field == "location.grid_code"
    with pytest.raises(Forbidden):
        create(db, AUDITOR)
    assert counts(db) == before


def test_lists_filter_and_stay_in_scope(tickets_service_db):
    db = tickets_service_db
    first = create(db)
    second = create(db, category_code="complaint", attributes={}, channel="app")
    other = create(db, OTHER_STREET, location={"grid_code": OTHER_GRID})
    act(db, second["id"], action="accept")

    def ids(caller, **query):
        return [t["id"] for t in run(db, caller, tickets.list_tickets, query)["items"]]

    assert ids(WORKER) == [second["id"], first["id"]]  # newest first
    assert ids(DISTRICT) == [other["id"], second["id"], first["id"]]
    assert ids(STREET, status="accepted") == [second["id"]]
    assert ids(STREET, status="submitted,accepted") == [second["id"], first["id"]]
    assert ids(STREET, category="complaint") == [second["id"]]
    assert ids(STREET, channel="app") == [second["id"]]
    assert ids(DISTRICT, community="350502002") == [other["id"]]
    assert ids(STREET, overdue="true") == []
    with db.transaction("tickets", DISTRICT) as uow:
        uow.session.get(Ticket, first["id"]).due_at = utcnow() - timedelta(hours=1)
    assert ids(STREET, overdue="true") == [first["id"]]
    assert ids(STREET, overdue="false") == [second["id"]]
    assert run(db, STREET, tickets.get_ticket, first["id"])["overdue"] is True
    page = run(db, DISTRICT, tickets.list_tickets, {"limit": 2})
    assert page["next_cursor"]
    assert ids(DISTRICT, limit=2, cursor=page["next_cursor"]) == [first["id"]]
    for query, field in [({"status": "lost"}, "status"), ({"community": "35"}, "community"),
                         ({"cursor": "garbage"}, "cursor")]:
        with pytest.raises(InvalidInput) as refused:
            run(db, STREET, tickets.list_tickets, query)
        assert refused.value.field == field
    with pytest.raises(OutOfScope) as refused:
        run(db, STREET, tickets.list_tickets, {"community": "350502002"})
    assert refused.value.field == "community"
    with pytest.raises(NotFound) as hidden:
        run(db, STREET, tickets.get_ticket, other["id"])
    assert hidden.value.field == "id"
    with pytest.raises(NotFound):
        act(db, other["id"], STREET, action="accept")


def test_the_closed_loop_with_its_history_and_one_event_per_change(tickets_service_db):
    db = tickets_service_db
    ticket = create(db)
    tid = ticket["id"]
    act(db, tid, action="accept", comment="已受理")
    act(db, tid, action="dispatch", assignee={"kind": "grid_worker", "ref": "li"})
    act(db, tid, GRID_WORKER, action="sign_for")
    act(db, tid, GRID_WORKER, action="start")
    act(db, tid, STREET, action="remind", comment="请加快")
    due = tickets_due(run(db, WORKER, tickets.get_ticket, tid))
    until = (due + timedelta(days=2)).isoformat()
    act(db, tid, GRID_WORKER, action="request_extension", extension_until=until)
    with pytest.raises(Conflict):
        act(db, tid, GRID_WORKER, action="request_extension", extension_until=until)
    extended = act(db, tid, action="approve_extension")
    assert tickets_due(extended) == due + timedelta(days=2)
    with pytest.raises(Conflict) as nothing_pending:
        act(db, tid, action="refuse_extension")
    assert nothing_pending.value.field == "action"
    resolved = act(db, tid, GRID_WORKER, action="resolve", comment="已疏通")
    assert resolved["status"] == "resolved" and resolved["resolved_at"]
    with pytest.raises(Conflict) as illegal:
        act(db, tid, action="start")
    assert illegal.value.field == "action"
    assert "allowed from resolved: reopen, close" in illegal.value.detail
    rated = run(db, WORKER, tickets.rate, tid, {"rating": 5, "comment": "很满意"})
    assert (rated["status"], rated["rating"], rated["satisfied"]) == ("closed", 5, True)
    with pytest.raises(Conflict) as twice:
        run(db, WORKER, tickets.rate, tid, {"rating": 4})
    assert twice.value.field == "rating"

    history = run(db, AUDITOR, tickets.list_transitions, tid, {"limit": 200})["items"]
    assert [h["action"] for h in history] == [
        "submit", "accept", "dispatch", "sign_for", "start", "remind", "request_extension",
        "approve_extension", "resolve", "rate", "close"]
    assert [h["seq"] for h in history] == list(range(1, 12))
    assert history[1]["comment"] == "已受理" and history[2]["details"]["assignee"]["ref"] == "li"
    assert history[5]["actor"] == "street-a" and history[5]["to_status"] == "in_progress"
    assert history[-1]["details"] == {"by_callback": True}
    page = run(db, AUDITOR, tickets.list_transitions, tid, {"limit": 4})
    assert len(page["items"]) == 4 and page["next_cursor"]
    envelopes = events(db)
    assert [e["type"] for e in envelopes] == [
        "tickets.ticket_submitted", "tickets.ticket_accepted", "tickets.ticket_dispatched",
        "tickets.ticket_signed_for", "tickets.ticket_started", "tickets.ticket_reminded",
        "tickets.ticket_extension_requested", "tickets.ticket_extension_approved",
        "tickets.ticket_resolved", "tickets.ticket_rated", "tickets.ticket_closed"]
    assert [e["data"]["seq"] for e in envelopes] == list(range(1, 12))
    resolved_event = envelopes[8]["data"]
    assert resolved_event["on_time"] is True and resolved_event["resolved_at"]
    assert resolved_event["due_at"] == extended["due_at"]
    assert envelopes[1]["data"]["responded_in_time"] is True
    assert envelopes[9]["data"]["rating"] == 5 and envelopes[9]["data"]["satisfied"] is True


def test_reject_return_escalate_and_who_may_act(tickets_service_db):
    db = tickets_service_db
    ticket = create(db)
    tid = ticket["id"]
    before = counts(db)
    for payload, caller, error, field in [
        ({"action": "reject"}, WORKER, InvalidInput, "reason"),
        ({"action": "dispatch"}, WORKER, Conflict, "action"),
        ({"action": "accept", "hours": 2}, WORKER, InvalidInput, "hours"),
        ({"action": "fly"}, WORKER, InvalidInput, "action"),
        ({"action": "accept"}, AUDITOR, Forbidden, None),
        ({"action": "accept"}, GRID_WORKER, Forbidden, None),
    ]:
        with pytest.raises(error) as refused:
            act(db, tid, caller, **payload)
        assert refused.value.field == field, payload
    assert counts(db) == before

    act(db, tid, action="accept")
    with pytest.raises(InvalidInput) as no_assignee:
        act(db, tid, action="dispatch")
    assert no_assignee.value.field == "assignee"
    with pytest.raises(InvalidInput) as unknown_volunteer:
        act(db, tid, action="dispatch", assignee={"kind": "volunteer", "ref": "12"})
    assert unknown_volunteer.value.field == "assignee.ref"
    act(db, tid, action="dispatch", assignee={"kind": "party_post", "ref": "post-mediation"})
    with pytest.raises(InvalidInput) as no_reason:
        act(db, tid, GRID_WORKER, action="return")
    assert no_reason.value.field == "reason"
    returned = act(db, tid, GRID_WORKER, action="return", reason="不是我们的职责")
    assert returned["status"] == "accepted" and returned["assignee"] is None

    escalated = act(db, tid, action="escalate", comment="提交街道")
    assert (escalated["status"], escalated["level"], escalated["responsible_code"],
            escalated["accountable_code"], escalated["escalation_count"]) == (
        "accepted", "street", "350502001", "350502001001", 1)
    with pytest.raises(Forbidden) as above:  # the community no longer handles it
        act(db, tid, action="dispatch", assignee={"kind": "community_worker", "ref": "x"})
    assert above.value.field == "action"
    act(db, tid, action="remind")  # but may still remind 催办
    district = act(db, tid, STREET, action="escalate")
    assert (district["level"], district["responsible_code"], district["accountable_code"]) == (
        "district", "350502", "350502001001")
    with pytest.raises(Conflict) as top:
        act(db, tid, DISTRICT, action="escalate")
    assert top.value.field == "action"
    act(db, tid, DISTRICT, action="reject", reason="属于司法程序")
    assert run(db, WORKER, tickets.get_ticket, tid)["allowed_actions"] == []
    [escalation, _] = [e["data"] for e in events(db, "tickets.ticket_escalated")]
    assert (escalation["from_level"], escalation["level"],
            escalation["from_responsible_code"]) == ("community", "street", "350502001001")
    assert events(db, "tickets.ticket_rejected")[0]["data"]["reason"] == "属于司法程序"


def _resolved(db, assignee=None, volunteer=None):
    ticket = create(db)
    tid = ticket["id"]
    act(db, tid, action="accept")
    payload = {"action": "dispatch", "assignee": assignee or {"kind": "grid_worker", "ref": "li"}}
    run(db, WORKER, tickets.transition, tid, payload, volunteer=volunteer)
    act(db, tid, action="sign_for")
    act(db, tid, action="start")
    return tid


def test_unsatisfied_callback_reopens_and_the_reopen_window(tickets_service_db):
    db = tickets_service_db
    tid = _resolved(db)
    act(db, tid, action="resolve")
    reopened = run(db, WORKER, tickets.rate, tid, {"rating": 2, "comment": "还在漏"})
    assert (reopened["status"], reopened["satisfied"], reopened["reopen_count"]) == (
        "accepted", False, 1)
    assert reopened["resolved_at"] is None and reopened["assignee"] is None
    assert events(db, "tickets.ticket_reopened")[0]["data"]["by_callback"] is True
    act(db, tid, action="dispatch", assignee={"kind": "community_worker", "ref": "wang"})
    act(db, tid, action="sign_for")
    act(db, tid, action="start")
    act(db, tid, action="resolve")
    assert run(db, WORKER, tickets.rate, tid, {"rating": 4})["status"] == "closed"

    # the reporter reopens within 7 days of closure, not later
    later = utcnow() + timedelta(days=8)
    with pytest.raises(Conflict) as too_late:
        run(db, WORKER, tickets.transition, tid, {"action": "reopen"}, now=later)
    assert too_late.value.field == "action" and "7 days" in too_late.value.detail
    again = act(db, tid, action="reopen", comment="又堵了")
    assert (again["status"], again["reopen_count"], again["closed_at"]) == ("accepted", 2, None)


def test_a_volunteers_hours_and_a_dispute(tickets_service_db):
    db = tickets_service_db
    volunteer = {"id": 42, "status": "active"}
    tid = _resolved(db, {"kind": "volunteer", "ref": "42"}, volunteer)
    with pytest.raises(InvalidInput) as bad_hours:
        act(db, tid, action="resolve", hours=30)
    assert bad_hours.value.field == "hours"
    act(db, tid, action="resolve", hours=2.5)
    [earned] = events(db, "tickets.volunteer_hours_earned")
    assert earned["data"] == {**earned["data"], "volunteer_id": 42, "hours": 2.5,
                              "source_type": "ticket", "source_id": str(tid), "org_code": GRID}

    other = _resolved(db)
    with pytest.raises(InvalidInput) as not_a_volunteer:
        act(db, other, action="resolve", hours=1)
    assert not_a_volunteer.value.field == "hours"

    dispute = create(db, category_code="neighbour_dispute", description="楼上漏水",
                     attributes={"dispute_kind": "leak", "parties": 2})
    [reported] = events(db, "tickets.dispute_reported")
    assert reported["data"] == {**reported["data"], "ticket_id": dispute["id"],
                                "category_code": "neighbour_dispute",
                                "community_code": "350502001001", "grid_code": GRID,
                                "street_code": "350502001", "description": "楼上漏水",
                                "reporter_resident_id": None}
    assert reported["data"]["attributes"] == {"dispute_kind": "leak", "parties": 2}


@pytest.fixture
def sqlite_tickets_db(tmp_path):
    """The tickets database on SQLite only, as `make run` has it (the demo's ~2,000 steps take
    40 s on pg8000 on a busy machine; the use cases they go through run on both backends above)."""
    from services.tickets.models import Base
    from services.tickets.service import MIGRATIONS
    from shared.db import ServiceDatabase

    database = ServiceDatabase(Base, f"sqlite:///{tmp_path / 'tickets.db'}", MIGRATIONS)
    database.migrate()
    yield database
    database.dispose()


def test_demo_tickets_are_seeded_once(sqlite_tickets_db):
    db = sqlite_tickets_db
    with db.transaction("tickets") as uow:
        created = demo.seed(uow)
    with db.transaction("tickets") as uow:
        assert demo.seed(uow) == {}
    assert created["tickets"] == 319
    with db.session_factory() as session:
        statuses = set(session.scalars(select(Ticket.status)))
        assert statuses == {"submitted", "accepted", "dispatched", "signed_for", "in_progress",
                            "resolved", "closed", "rejected"}
        assert session.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.community_code == "350502001002")) == 110
        assert session.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.street_code != "350502001")) > 0
        rated = list(session.scalars(select(Ticket.satisfied).where(Ticket.rating.is_not(None))))
        assert 0.7 <= sum(rated) / len(rated) <= 0.9
        assert session.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.level != "community")) > 0
        assert session.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.due_at < utcnow(), Ticket.status.not_in(["resolved", "closed", "rejected"]))) > 0
