"""The Open311 queries on each database backend: the territory bound, the status mapping, the
window, pages and the update cursor (no broker; the use cases straight on the tickets database)."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.tickets import open311
from services.tickets.history import append_transition
from services.tickets.models import Ticket
from shared.context import CallerContext
from shared.errors import MalformedRequest, NotAuthenticated, NotFound

GRID_A = "350502001001001"
GRID_A2 = "350502001002001"
GRID_B = "350502002001001"


def caller(scope):
    return CallerContext("apikey:test", ("integration",), scope)


def run(database, scope, fn, *args):
    uow = database.unit_of_work("tickets", caller(scope) if scope is not None else None)
    try:
        return fn(uow, *args)
    finally:
        uow.rollback()


def add(database, grid, status="submitted", category="medical", created_at=None):
    created_at = created_at or datetime.now(timezone.utc)
    with database.session_factory.begin() as session:
        ticket = Ticket(token=str(uuid.uuid4()), channel="app", category_code=category,
                        description="需要帮助", status="submitted", grid_code=grid,
                        community_code=grid[:12], street_code=grid[:9], level="community",
                        responsible_code=grid[:12], accountable_code=grid[:12],
                        due_at=created_at + timedelta(hours=48), created_by="test",
                        created_at=created_at, updated_at=created_at, reporter_name="李四")
        session.add(ticket)
        session.flush()
        append_transition(session, ticket, "submit", "test", to_status="submitted", at=created_at)
        if status != "submitted":
            append_transition(session, ticket, "move", "test", to_status=status, comment=status)
        return ticket.id


@pytest.fixture
def tickets(tickets_service_db):
    now = datetime.now(timezone.utc)
    return {
        "a_open": add(tickets_service_db, GRID_A, created_at=now - timedelta(hours=3)),
        "a_closed": add(tickets_service_db, GRID_A, "closed", "sewer_overflow",
                        created_at=now - timedelta(hours=2)),
        "a2_rejected": add(tickets_service_db, GRID_A2, "rejected", created_at=now - timedelta(hours=1)),
        "b_open": add(tickets_service_db, GRID_B, created_at=now),
        "a_old": add(tickets_service_db, GRID_A, created_at=now - timedelta(days=100)),
    }


def ids(found):
    return [request["service_request_id"] for request in found["requests"]]


def test_the_service_list_and_definitions_come_from_the_shipped_catalogue(tickets_service_db):
    services = run(tickets_service_db, None, open311.list_services, {})
    assert {"sewer_overflow", "medical"} <= {s["service_code"] for s in services}
    definition = run(tickets_service_db, None, open311.service_definition, "sewer_overflow", {})
    assert definition["attributes"][0]["code"] == "severity"
    with pytest.raises(NotFound):
        run(tickets_service_db, None, open311.service_definition, "nothing", {})


def test_requests_are_bounded_by_the_scope_prefix(tickets_service_db, tickets):
    assert ids(run(tickets_service_db, "350502", open311.list_requests, {})) == [
        tickets["b_open"], tickets["a2_rejected"], tickets["a_closed"], tickets["a_open"]]
    assert ids(run(tickets_service_db, "350502001", open311.list_requests, {})) == [
        tickets["a2_rejected"], tickets["a_closed"], tickets["a_open"]]
    assert ids(run(tickets_service_db, "350502001001", open311.list_requests, {})) == [
        tickets["a_closed"], tickets["a_open"]]
    assert ids(run(tickets_service_db, GRID_B, open311.list_requests, {})) == [tickets["b_open"]]
    with pytest.raises(NotFound):
        run(tickets_service_db, "350502002", open311.get_request, tickets["a_open"], {})
    with pytest.raises(NotAuthenticated):
        run(tickets_service_db, None, open311.list_requests, {})


def test_statuses_windows_and_pages(tickets_service_db, tickets):
    def listed(**query):
        return ids(run(tickets_service_db, "350502001", open311.list_requests, query))

    assert listed(status="closed") == [tickets["a2_rejected"], tickets["a_closed"]]
    assert listed(status="open") == [tickets["a_open"]]
    assert listed(service_code="sewer_overflow") == [tickets["a_closed"]]
    start = (datetime.now(timezone.utc) - timedelta(days=120)).isoformat()
    assert listed(start_date=start) == [tickets["a_old"]]
    assert listed(service_request_id=f"{tickets['a_old']},{tickets['b_open']}") == [tickets["a_old"]]
    first = run(tickets_service_db, "350502001", open311.list_requests, {"page_size": "2"})
    second = run(tickets_service_db, "350502001", open311.list_requests,
                 {"page_size": "2", "page": "2"})
    assert first["more"] and not second["more"]
    assert ids(first) + ids(second) == listed()
    with pytest.raises(MalformedRequest):
        listed(status="pending")


def test_the_update_cursor_walks_every_transition_once(tickets_service_db, tickets):
    seen, since = [], "0"
    while True:
        page = run(tickets_service_db, "350502001", open311.list_updates,
                   {"since": since, "page_size": "2"})
        seen += page["updates"]
        if page["next_since"] is None:
            break
        since = str(page["next_since"])
    assert [u["update_id"] for u in seen] == sorted({u["update_id"] for u in seen})
    assert {u["service_request_id"] for u in seen} == {
        tickets["a_open"], tickets["a_closed"], tickets["a2_rejected"], tickets["a_old"]}
    assert len(seen) == 6  # four submits, one close, one reject
    assert {u["status"] for u in seen if u["action"] == "move"} == {"closed"}
    token = run(tickets_service_db, None, lambda uow: uow.session.get(Ticket, tickets["a_open"]).token)
    assert run(tickets_service_db, "350502", open311.request_id_from_token, token, {}) == [
        {"service_request_id": tickets["a_open"], "token": token}]
    with pytest.raises(NotFound):
        run(tickets_service_db, "350502002", open311.request_id_from_token, token, {})
