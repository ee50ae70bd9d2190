"""The SLA clock, the at-risk list and the three rates on a real database (SQLite and PostgreSQL).

Tickets are inserted as rows (``add_ticket``), so these tests do not depend on the lifecycle's
use cases; the clock and the rates only read what the lifecycle writes.
"""
import json
import subprocess
import sys
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from services.tickets import rates, sla
from services.tickets.models import OutboxMessage, Ticket, TicketCategory, TicketTransition
from shared.config import REPO_ROOT
from shared.context import CallerContext
from shared.errors import InvalidInput, OutOfScope

HOUR = timedelta(hours=1)
US = timedelta(microseconds=1)
CST = timezone(timedelta(hours=8))
STREET_A, STREET_B = "350502001", "350502002"
A1, A2, B1 = "350502001001", "350502001002", "350502002001"
STREET_ADMIN = CallerContext("street-a", ("street_admin",), STREET_A)
DISTRICT_ADMIN = CallerContext("district", ("district_admin",), "350502")


def add_category(database, code="t_sla", sla_hours=10, response_hours=2):
    with database.transaction("tickets") as uow:
        uow.session.add(TicketCategory(code=code, name=f"category {code}", group="test",
                                       sla_hours=sla_hours, response_hours=response_hours))
    return code


def add_ticket(database, *, community=A1, status="accepted", created_at=None, due_at=None,
               category="t_sla", **fields) -> int:
    """A ticket row as the lifecycle would leave it (only what the test names differs)."""
    now = datetime.now(timezone.utc)
    created_at = created_at or now - HOUR
    row = {"token": str(uuid.uuid4()), "channel": "hotline", "category_code": category,
           "description": "路灯不亮", "status": status, "grid_code": community + "001",
           "community_code": community, "street_code": community[:9],
           "responsible_code": community, "accountable_code": community,
           "due_at": due_at or created_at + 10 * HOUR, "created_by": "test",
           "created_at": created_at, "updated_at": created_at}
    row.update(fields)
    with database.transaction("tickets") as uow:
        ticket = Ticket(**row)
        uow.session.add(ticket)
        uow.session.flush()
        return ticket.id


def transitions(database, action):
    with database.session_factory() as session:
        return session.execute(select(TicketTransition.ticket_id, TicketTransition.actor,
                                      TicketTransition.from_status, TicketTransition.to_status)
                               .where(TicketTransition.action == action)
                               .order_by(TicketTransition.ticket_id)).all()


def events(database, event_type):
    with database.session_factory() as session:
        return list(session.scalars(select(OutboxMessage.envelope)
                                    .where(OutboxMessage.event_type == event_type)
                                    .order_by(OutboxMessage.id)))


def ticket(database, ticket_id) -> Ticket:
    with database.session_factory() as session:
        return session.get(Ticket, ticket_id)


def clock(database, **kwargs):
    return sla.run_clock(lambda: database.transaction("tickets"), **kwargs)


@pytest.fixture
def db(tickets_service_db):
    add_category(tickets_service_db)
    return tickets_service_db


# --- the clock ----------------------------------------------------------------------------------

def test_the_clock_marks_every_breach_once_with_a_transition_and_an_event(db):
    now = datetime.now(timezone.utc)
    late = {status: add_ticket(db, status=status, due_at=now - HOUR)
            for status in ("submitted", "accepted", "dispatched", "signed_for", "in_progress")}
    spared = [add_ticket(db, status=status, due_at=now - HOUR)
              for status in ("resolved", "closed", "rejected")]
    spared.append(add_ticket(db, due_at=now + 5 * HOUR))

    first = clock(db)
    assert sorted(first["breached"]) == sorted(late.values())
    assert clock(db) == {"reminded": [], "breached": []}  # the next tick finds nothing

    marks = transitions(db, "sla_breached")
    assert [row.ticket_id for row in marks] == sorted(late.values())
    status_of = {ticket_id: status for status, ticket_id in late.items()}
    for ticket_id, actor, _, to_status in marks:
        assert actor == "system" and to_status == status_of[ticket_id]  # no status change
    for status, ticket_id in late.items():
        row = ticket(db, ticket_id)
        assert row.status == status and row.sla_breached_at is not None
    assert all(ticket(db, ticket_id).sla_breached_at is None for ticket_id in spared)

    sent = events(db, "tickets.ticket_sla_breached")
    assert sorted(e["data"]["ticket_id"] for e in sent) == sorted(late.values())
    one = next(e for e in sent if e["data"]["ticket_id"] == late["dispatched"])
    assert one["actor"] == "system" and one["org_code"] == A1
    assert one["data"]["status"] == "dispatched" and one["data"]["level"] == "community"
    assert one["data"]["responsible_code"] == A1 and one["data"]["street_code"] == STREET_A
    assert datetime.fromisoformat(one["data"]["breached_at"]) == \
        ticket(db, late["dispatched"]).sla_breached_at
    assert one["data"]["transition_id"] in _transition_ids(db, late["dispatched"])


def _transition_ids(database, ticket_id):
    with database.session_factory() as session:
        return list(session.scalars(select(TicketTransition.id)
                                    .where(TicketTransition.ticket_id == ticket_id)))


def test_the_breach_follows_the_existing_history_of_the_ticket(db):
    now = datetime.now(timezone.utc)
    ticket_id = add_ticket(db, due_at=now - HOUR)
    with db.transaction("tickets") as uow:
        from services.tickets.history import append_transition

        row = uow.session.get(Ticket, ticket_id)
        append_transition(uow.session, row, "accept", "worker")
    clock(db)
    with db.session_factory() as session:
        history = session.execute(select(TicketTransition.seq, TicketTransition.action)
                                  .where(TicketTransition.ticket_id == ticket_id)
                                  .order_by(TicketTransition.seq)).all()
    assert [tuple(row) for row in history] == [(1, "accept"), (2, "sla_breached")]
    with db.session_factory() as session:
        mark = session.scalar(select(TicketTransition).where(TicketTransition.seq == 2))
    assert (mark.from_status, mark.to_status) == ("accepted", "accepted")
    assert mark.at == ticket(db, ticket_id).sla_breached_at


def test_a_ticket_whose_due_time_moved_later_is_judged_against_the_new_one(db):
    now = datetime.now(timezone.utc)
    extended = add_ticket(db, status="in_progress", due_at=now - HOUR)
    with db.transaction("tickets") as uow:  # the extension is approved before the clock comes
        uow.session.execute(update(Ticket).where(Ticket.id == extended)
                            .values(due_at=now + 48 * HOUR))
    assert clock(db)["breached"] == []
    with db.transaction("tickets") as uow:  # ... and the new due time passes too
        uow.session.execute(update(Ticket).where(Ticket.id == extended)
                            .values(due_at=now - timedelta(minutes=1)))
    assert clock(db)["breached"] == [extended]


def test_a_breach_is_never_marked_twice_even_after_an_extension(db):
    now = datetime.now(timezone.utc)
    ticket_id = add_ticket(db, due_at=now - HOUR)
    assert clock(db)["breached"] == [ticket_id]
    with db.transaction("tickets") as uow:
        uow.session.execute(update(Ticket).where(Ticket.id == ticket_id)
                            .values(due_at=now + HOUR))
    with db.transaction("tickets") as uow:
        uow.session.execute(update(Ticket).where(Ticket.id == ticket_id)
                            .values(due_at=now - 2 * HOUR))
    assert clock(db)["breached"] == []
    assert len(events(db, "tickets.ticket_sla_breached")) == 1


def test_the_reminder_comes_once_when_80_percent_of_the_sla_has_elapsed(db):
    now = datetime.now(timezone.utc)
    # a 10-hour SLA: the reminder is due 2 hours before the due time
    inside = add_ticket(db, due_at=now + 2 * HOUR - timedelta(seconds=5))
    outside = add_ticket(db, due_at=now + 2 * HOUR + timedelta(minutes=5))
    resolved = add_ticket(db, status="resolved", due_at=now + HOUR)
    overdue = add_ticket(db, due_at=now - HOUR)  # a breach, not a reminder
    done = clock(db)
    assert done == {"reminded": [inside], "breached": [overdue]}
    assert clock(db)["reminded"] == []
    assert ticket(db, inside).due_soon_reminded_at is not None
    assert ticket(db, outside).due_soon_reminded_at is None
    assert ticket(db, resolved).due_soon_reminded_at is None
    sent = events(db, "tickets.ticket_due_soon")
    assert [e["data"]["ticket_id"] for e in sent] == [inside]
    assert sent[0]["data"]["sla_hours"] == 10
    assert [row.ticket_id for row in transitions(db, "due_soon_reminder")] == [inside]
    # a larger window (50%: 5 hours before) catches the other one, once
    assert clock(db, share=0.5)["reminded"] == [outside]


def test_the_reminder_window_follows_each_category_sla(db):
    add_category(db, "t_long", sla_hours=100, response_hours=24)
    now = datetime.now(timezone.utc)
    short = add_ticket(db, due_at=now + 3 * HOUR)  # 10 h SLA: 2 h window
    long = add_ticket(db, category="t_long", due_at=now + 3 * HOUR)  # 100 h: 20 h window
    assert clock(db)["reminded"] == [long]
    assert ticket(db, short).due_soon_reminded_at is None


def test_the_clock_works_through_a_backlog_in_small_batches(db):
    now = datetime.now(timezone.utc)
    ids = [add_ticket(db, due_at=now - (n + 1) * timedelta(minutes=1)) for n in range(12)]
    assert sorted(clock(db, batch_size=5)["breached"]) == sorted(ids)
    assert len(events(db, "tickets.ticket_sla_breached")) == 12


def test_a_sweeper_that_lost_the_race_marks_nothing(db):
    """Two instances find the same tickets; the one that marks second wins nothing."""
    now = datetime.now(timezone.utc)
    ids = [add_ticket(db, due_at=now - HOUR) for _ in range(3)]
    with db.transaction("tickets") as slow:
        found = sla.find_breaches(slow, now, 10)
        fast = clock(db, now=now)["breached"]  # another instance, while the first holds its batch
        late = sla.mark_breaches(slow, found, now)
    # on PostgreSQL the fast one skipped the rows the slow one had locked; on SQLite the fast
    # one marked them first and the slow one's conditional update found nothing left to mark
    assert sorted(fast + late) == sorted(ids)
    assert not set(fast) & set(late)
    assert len(events(db, "tickets.ticket_sla_breached")) == 3
    assert len(transitions(db, "sla_breached")) == 3


SWEEPER = r"""
import json, sys
from datetime import datetime, timezone
from sqlalchemy import func, select
from services.tickets.models import Base, Ticket
from services.tickets import sla
from shared.db import ServiceDatabase

database = ServiceDatabase(Base, sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
marked, reminded = [], []
while True:
    done = sla.run_clock(lambda: database.transaction("tickets"), batch_size=int(sys.argv[2]))
    marked += done["breached"]
    reminded += done["reminded"]
    with database.session_factory() as session:
        left = session.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.sla_breached_at.is_(None), Ticket.due_at <= datetime.now(timezone.utc)))
    if not left and not done["breached"]:
        break
print(json.dumps({"breached": marked, "reminded": reminded}), flush=True)
database.dispose()
"""


def test_two_instances_sweeping_at_once_mark_and_announce_each_ticket_once(db):
    """Two processes (two instances of the service) run the clock on the same database at the
    same moment, in small batches: every ticket is marked, each by one of them, with one
    transition and one event."""
    now = datetime.now(timezone.utc)
    late = [add_ticket(db, community=(A1, A2, B1)[n % 3], due_at=now - n * timedelta(seconds=7))
            for n in range(1, 121)]
    soon = [add_ticket(db, due_at=now + HOUR + n * timedelta(seconds=1)) for n in range(30)]
    url = db.engine.url.render_as_string(hide_password=False)
    sweepers = [subprocess.Popen([sys.executable, "-c", SWEEPER, url, "4"], cwd=REPO_ROOT,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                for _ in range(2)]
    try:
        for sweeper in sweepers:
            assert sweeper.stdout.readline().strip() == "ready"
        for sweeper in sweepers:  # go, both at once
            sweeper.stdin.write("go\n")
            sweeper.stdin.flush()
        results = [json.loads(sweeper.communicate(timeout=120)[0]) for sweeper in sweepers]
    finally:
        for sweeper in sweepers:
            if sweeper.poll() is None:
                sweeper.kill()
    first, second = results
    assert sorted(first["breached"] + second["breached"]) == sorted(late)
    assert not set(first["breached"]) & set(second["breached"])
    assert sorted(first["reminded"] + second["reminded"]) == sorted(soon)
    assert not set(first["reminded"]) & set(second["reminded"])
    breaches = events(db, "tickets.ticket_sla_breached")
    assert sorted(e["data"]["ticket_id"] for e in breaches) == sorted(late)
    reminders = events(db, "tickets.ticket_due_soon")
    assert sorted(e["data"]["ticket_id"] for e in reminders) == sorted(soon)
    assert len(transitions(db, "sla_breached")) == len(late)
    assert len(transitions(db, "due_soon_reminder")) == len(soon)


# --- the at-risk list -------------------------------------------------------------------------

def at_risk(database, caller, **query):
    with database.transaction("tickets", caller) as uow:
        return sla.list_at_risk(uow, {k: str(v) for k, v in query.items()})


def test_the_at_risk_list_shows_open_tickets_due_soon_overdue_or_breached_by_due_time(db):
    now = datetime.now(timezone.utc)
    breached = add_ticket(db, due_at=now - 3 * HOUR)
    clock(db)
    with db.transaction("tickets") as uow:  # extended after the breach: still listed
        uow.session.execute(update(Ticket).where(Ticket.id == breached)
                            .values(due_at=now + 100 * HOUR))
    overdue = add_ticket(db, due_at=now - HOUR)  # the clock has not come round yet
    soon = add_ticket(db, due_at=now + 5 * HOUR, status="submitted")
    add_ticket(db, due_at=now + 30 * HOUR)  # beyond 24 hours
    add_ticket(db, due_at=now - HOUR, status="resolved")
    add_ticket(db, due_at=now - HOUR, community=B1)  # another street

    page = at_risk(db, STREET_ADMIN)
    assert [(t["id"], t["risk"]) for t in page["items"]] == [
        (overdue, "overdue"), (soon, "due_soon"), (breached, "breached")]
    assert page["items"][0]["hours_left"] == -1.0
    assert page["items"][1]["category_name"] == "category t_sla"
    assert [t["id"] for t in at_risk(db, STREET_ADMIN, risk="breached")["items"]] == [breached]
    assert [t["id"] for t in at_risk(db, STREET_ADMIN, within_hours=0)["items"]] == [
        overdue, breached]
    assert at_risk(db, STREET_ADMIN, area=A2)["items"] == []


def test_the_at_risk_list_pages_by_due_time_and_refuses_other_streets(db):
    now = datetime.now(timezone.utc)
    ids = [add_ticket(db, due_at=now + n * HOUR) for n in (3, 1, 2, 1)]
    first = at_risk(db, DISTRICT_ADMIN, limit=3)
    second = at_risk(db, DISTRICT_ADMIN, limit=3, cursor=first["next_cursor"])
    assert [t["id"] for t in first["items"] + second["items"]] == [ids[1], ids[3], ids[2], ids[0]]
    assert second["next_cursor"] is None
    with pytest.raises(OutOfScope) as refused:
        at_risk(db, STREET_ADMIN, area=STREET_B)
    assert refused.value.field == "area"
    with pytest.raises(InvalidInput) as refused:
        at_risk(db, STREET_ADMIN, cursor="bm90LWEtY3Vyc29y")
    assert refused.value.field == "cursor"


# --- the three rates ----------------------------------------------------------------------------

def report(database, caller, **query):
    with database.transaction("tickets", caller) as uow:
        return rates.ticket_rates(uow, {k: str(v) for k, v in query.items()})


MARCH = {"from": "2025-03-01", "to": "2025-03-31"}
START = datetime(2025, 3, 1, tzinfo=CST)  # = 2025-02-28 16:00 UTC
END = datetime(2025, 4, 1, tzinfo=CST)


def test_the_response_rate_counts_responses_within_the_window_to_the_microsecond(db):
    created = START + 24 * HOUR
    add_ticket(db, created_at=created, accepted_at=created + 2 * HOUR)  # exactly in time
    add_ticket(db, created_at=created, accepted_at=created + 2 * HOUR + US)  # just late
    add_ticket(db, created_at=created, status="submitted")  # never answered: a miss
    add_ticket(db, created_at=created, status="rejected", closed_at=created + HOUR)  # answered
    add_ticket(db, created_at=START, accepted_at=START)  # first moment of the period
    add_ticket(db, created_at=END - US, accepted_at=END)  # last moment of the period
    add_ticket(db, created_at=START - US, accepted_at=START)  # the day before (local)
    add_ticket(db, created_at=END, accepted_at=END)  # the day after
    response = report(db, STREET_ADMIN, **MARCH)["total"]["response"]
    assert response == {"numerator": 4, "denominator": 6, "pending": 0, "rate": 0.6667}


def test_the_on_time_resolution_rate_counts_tickets_due_in_the_period(db):
    due = START + 10 * 24 * HOUR
    created = due - 10 * HOUR
    add_ticket(db, created_at=created, due_at=due, status="resolved", resolved_at=due)
    add_ticket(db, created_at=created, due_at=due, status="closed", resolved_at=due + US)
    add_ticket(db, created_at=created, due_at=due, status="in_progress")  # never resolved
    add_ticket(db, created_at=created, due_at=due, status="rejected", closed_at=created)
    # created the month before, due in March: counted in March
    add_ticket(db, created_at=START - 5 * HOUR, due_at=START + 5 * HOUR, status="resolved",
               resolved_at=START + HOUR)
    add_ticket(db, created_at=END - HOUR, due_at=END + HOUR, status="resolved",
               resolved_at=END - HOUR / 2)  # due in April
    resolution = report(db, STREET_ADMIN, **MARCH)["total"]["resolution"]
    assert resolution == {"numerator": 2, "denominator": 4, "pending": 0, "rate": 0.5}


def test_the_satisfaction_rate_counts_callbacks_in_the_period_against_the_target(db):
    rated = START + 3 * 24 * HOUR
    for satisfied in (True, True, True, False):
        add_ticket(db, created_at=rated - 24 * HOUR, status="closed", rating=5 if satisfied else 2,
                   satisfied=satisfied, rated_at=rated, resolved_at=rated - HOUR)
    add_ticket(db, created_at=rated - 24 * HOUR, status="resolved", resolved_at=rated)  # unrated
    add_ticket(db, created_at=START - 48 * HOUR, status="closed", rating=5, satisfied=True,
               rated_at=START - US)  # rated the day before the period
    satisfaction = report(db, STREET_ADMIN, **MARCH)["total"]["satisfaction"]
    assert satisfaction == {"numerator": 3, "denominator": 4, "pending": 0, "rate": 0.75,
                            "target": 0.8, "target_met": False}


def test_an_empty_period_has_null_rates_not_zero(db):
    add_ticket(db, created_at=START + HOUR, accepted_at=START + HOUR)
    result = report(db, STREET_ADMIN, **{"from": "2024-01-01", "to": "2024-01-31"})
    for name in ("response", "resolution", "satisfaction"):
        assert result["total"][name]["rate"] is None
        assert result["total"][name]["denominator"] == 0
    assert result["total"]["satisfaction"]["target_met"] is None
    assert report(db, STREET_ADMIN, group_by="community", **{"from": "2024-01-01",
                                                            "to": "2024-01-31"})["items"] == []


def test_tickets_not_judgeable_yet_are_pending_not_misses(db):
    now = datetime.now(timezone.utc)
    add_ticket(db, created_at=now - HOUR, status="submitted")  # 1 h of its 2 h window left
    add_ticket(db, created_at=now - 3 * HOUR, status="submitted")  # window over: a miss
    add_ticket(db, created_at=now - HOUR, due_at=now + HOUR, accepted_at=now - HOUR / 2)
    today = now.astimezone(CST).date()
    period = {"from": (today - timedelta(days=1)).isoformat(),
              "to": (today + timedelta(days=1)).isoformat()}
    result = report(db, STREET_ADMIN, **period)["total"]
    assert result["response"] == {"numerator": 1, "denominator": 2, "pending": 1, "rate": 0.5}
    # the first two are due 9 and 7 hours from now: none due yet, all pending
    assert result["resolution"]["pending"] == 3 and result["resolution"]["rate"] is None


def test_rates_per_street_and_per_community_page_by_code(db):
    day = START + 24 * HOUR
    for community, accepted in ((A1, True), (A1, False), (A2, True), (B1, True)):
        add_ticket(db, community=community, created_at=day,
                   accepted_at=day + HOUR if accepted else None)
    streets = report(db, DISTRICT_ADMIN, group_by="street", **MARCH)
    assert [(row["code"], row["response"]["rate"]) for row in streets["items"]] == [
        (STREET_A, 0.6667), (STREET_B, 1.0)]
    assert streets["total"]["response"] == {"numerator": 3, "denominator": 4, "pending": 0,
                                            "rate": 0.75}
    first = report(db, DISTRICT_ADMIN, group_by="community", limit=2, **MARCH)
    assert [(row["code"], row["response"]["numerator"], row["response"]["denominator"])
            for row in first["items"]] == [(A1, 1, 2), (A2, 1, 1)]
    second = report(db, DISTRICT_ADMIN, group_by="community", limit=2,
                    cursor=first["next_cursor"], **MARCH)
    assert [row["code"] for row in second["items"]] == [B1] and second["next_cursor"] is None
    mine = report(db, STREET_ADMIN, group_by="community", **MARCH)  # default area: the scope
    assert mine["area"] == STREET_A and [row["code"] for row in mine["items"]] == [A1, A2]


def test_rates_are_refused_outside_the_callers_scope(db):
    for area in (STREET_B, "350502", B1):
        with pytest.raises(OutOfScope) as refused:
            report(db, STREET_ADMIN, area=area, **MARCH)
        assert refused.value.field == "area"
    with pytest.raises(InvalidInput) as refused:
        report(db, STREET_ADMIN, **{"from": "2025-03-02", "to": "2025-03-01"})
    assert refused.value.field == "to"
    with pytest.raises(InvalidInput) as refused:
        report(db, STREET_ADMIN, area=A1, group_by="street", **MARCH)
    assert refused.value.field == "group_by"


def test_rates_are_one_grouped_query_not_a_load_of_every_ticket(db):
    statements = []
    from sqlalchemy import event

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        report(db, DISTRICT_ADMIN, group_by="community", **MARCH)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2 and "GROUP BY" in selects[1].upper()
    assert all("sum(" in s.lower() for s in selects)


def test_the_period_defaults_to_this_month_so_far(db):
    result = report(db, STREET_ADMIN)
    today = datetime.now(CST).date()
    assert (result["from"], result["to"]) == (today.replace(day=1).isoformat(), today.isoformat())
    assert report(db, STREET_ADMIN, to="2025-03-15")["from"] == "2025-03-01"
    assert date.fromisoformat(result["to"]) == today
    with db.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 0
