"""The service-hours ledger on the database (SQLite and PostgreSQL): balanced, append-only,
idempotent, never below zero, and always reconciling."""

import eventlet
import pytest
from sqlalchemy import func, select

from services.membership import volunteers
from services.membership.models.volunteers import (
    HoursAccount,
    HoursPosting,
    HoursTransaction,
)
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events.registry import InvalidEvent, make_envelope
from tests.e2e.conftest import COMMUNITY_A1, COMMUNITY_A2, seed_territory
from tests.integration.test_volunteers import (
    GRID_WORKER_A1,
    STREET_ADMIN_A,
    WORKER_A1,
    add_resident,
    call,
    events,
)


@pytest.fixture
def db(service_db):
    seed_territory(service_db)
    return service_db


def enrol(db, community=COMMUNITY_A1) -> int:
    resident = add_resident(db, f"{community}001")
    return call(db, STREET_ADMIN_A, volunteers.enrol_volunteer, {"resident_id": resident})["id"]


def earned(volunteer_id, hours=2.5, source_id="T-1", producer="tickets", source_type="ticket"):
    return make_envelope(f"{producer}.volunteer_hours_earned", {
        "volunteer_id": volunteer_id, "hours": hours, "activity_date": "2026-11-20",
        "source_type": source_type, "source_id": source_id, "org_code": f"{COMMUNITY_A1}001",
        "description": "修水管"}, f"{COMMUNITY_A1}001", "tickets-service")


def deliver(db, envelope, consumer="membership.credit_hours_for_ticket"):
    """What ``@handles`` does with a delivery: inbox first, then the handler, one transaction."""
    with db.transaction("membership", None) as uow:
        if uow.first_delivery(envelope, consumer):
            return volunteers.credit_from_event(uow, envelope)
        return None


def entry(db, volunteer_id, caller=WORKER_A1, **body):
    return call(db, caller, volunteers.record_hours, volunteer_id, body)


def ledger(db, volunteer_id, caller=GRID_WORKER_A1, **query):
    return call(db, caller, volunteers.hours_ledger, volunteer_id, query)


def assert_reconciles(db):
    """Every transaction sums to zero, so does the whole ledger, and each volunteer's balance
    (as the API shows it) is the sum of their account's postings."""
    with db.session_factory() as session:
        assert session.scalar(select(func.coalesce(func.sum(HoursPosting.amount), 0))) == 0
        unbalanced = session.execute(
            select(HoursPosting.transaction_id).group_by(HoursPosting.transaction_id)
            .having(func.sum(HoursPosting.amount) != 0)).all()
        assert unbalanced == []
        lonely = session.execute(
            select(HoursTransaction.id).outerjoin(HoursPosting,
                                                  HoursPosting.transaction_id == HoursTransaction.id)
            .group_by(HoursTransaction.id).having(func.count(HoursPosting.id) < 2)).all()
        assert lonely == []
        accounts = session.execute(select(HoursAccount.volunteer_id, HoursAccount.id)
                                   .where(HoursAccount.volunteer_id.is_not(None))).all()
        sums = {}
        for volunteer_id, account_id in accounts:
            sums[volunteer_id] = session.scalar(
                select(func.coalesce(func.sum(HoursPosting.amount), 0))
                .where(HoursPosting.account_id == account_id))
    for volunteer_id, units in sums.items():
        shown = ledger(db, volunteer_id, caller=STREET_ADMIN_A)
        assert round(shown["balance_hours"] * 100) == units
        everything = [line for line in walk_ledger(db, volunteer_id)]
        assert round(sum(line["hours"] for line in everything) * 100) == units
        assert units >= 0
    return sums


def walk_ledger(db, volunteer_id, limit=50):
    cursor = None
    while True:
        page = ledger(db, volunteer_id, caller=STREET_ADMIN_A, limit=limit,
                      **({"cursor": cursor} if cursor else {}))
        yield from page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return


def ledger_rows(db):
    with db.session_factory() as session:
        transactions = [tuple(r) for r in session.execute(select(
            HoursTransaction.id, HoursTransaction.kind, HoursTransaction.source_key,
            HoursTransaction.reverses_id)).all()]
        postings = [tuple(r) for r in session.execute(select(
            HoursPosting.id, HoursPosting.transaction_id, HoursPosting.account_id,
            HoursPosting.amount)).all()]
    return transactions, postings


def test_a_credit_from_an_event_is_applied_once_however_often_it_arrives(db):
    volunteer = enrol(db)
    envelope = earned(volunteer)
    first = deliver(db, envelope)
    assert first["created"] is True
    assert deliver(db, envelope) is None  # redelivered: the inbox stops it
    # the same work reported again under a new event id: the source key stops it
    again = deliver(db, earned(volunteer))
    assert again == {"transaction_id": first["transaction_id"], "created": False}
    # the same source id for another volunteer, or another kind of work, is new work
    other = enrol(db)
    assert deliver(db, earned(other))["created"] is True
    assert deliver(db, earned(volunteer, producer="security", source_type="patrol"),
                   "membership.credit_hours_for_security_work")["created"] is True

    page = ledger(db, volunteer)
    assert page["balance_hours"] == 5.0
    line = page["items"][1]
    assert line == {**line, "kind": "credit", "hours": 2.5, "source_type": "ticket",
                    "source_id": "T-1", "event_id": envelope["event_id"],
                    "activity_date": "2026-11-20", "reason": "修水管",
                    "actor": "tickets-service", "reverses_transaction_id": None}
    recorded = [e["data"] for e in events(db, "membership.volunteer_hours_recorded")]
    assert [(r["volunteer_id"], r["hours"], r["kind"]) for r in recorded] == [
        (volunteer, 2.5, "credit"), (other, 2.5, "credit"), (volunteer, 2.5, "credit")]
    assert recorded[2]["balance_hours"] == 5.0
    sums = assert_reconciles(db)
    assert sums == {volunteer: 500, other: 250}


def test_an_event_for_no_known_volunteer_is_poison(db):
    with pytest.raises(InvalidEvent):
        deliver(db, earned(424242))
    assert ledger_rows(db) == ([], [])


def test_manual_credit_debit_and_never_below_zero(db):
    volunteer = enrol(db)
    credit = entry(db, volunteer, kind="credit", hours=3, reason="社区义诊",
                   activity_date="2026-11-01")
    assert credit["balance_hours"] == 3.0
    assert credit["transaction"]["source_type"] == "manual"
    assert credit["transaction"]["actor"] == "worker-a1"
    debit = entry(db, volunteer, kind="debit", hours=1.25, reason="兑换家政服务")
    assert debit["balance_hours"] == 1.75 and debit["transaction"]["hours"] == -1.25
    before = ledger_rows(db)
    with pytest.raises(Conflict) as caught:
        entry(db, volunteer, kind="debit", hours=1.76, reason="too much")
    assert caught.value.field == "hours"
    assert ledger_rows(db) == before
    assert entry(db, volunteer, kind="debit", hours=1.75, reason="all of it")["balance_hours"] == 0
    with pytest.raises(Conflict):
        entry(db, volunteer, kind="debit", hours=0.01, reason="nothing left")
    assert assert_reconciles(db) == {volunteer: 0}


def test_a_request_id_makes_a_manual_entry_idempotent(db):
    volunteer = enrol(db)
    first = entry(db, volunteer, kind="credit", hours=2, reason="x", request_id="req-1")
    again = entry(db, volunteer, kind="credit", hours=2, reason="x", request_id="req-1")
    assert again == first
    with pytest.raises(Conflict) as caught:
        entry(db, volunteer, kind="credit", hours=3, reason="x", request_id="req-1")
    assert caught.value.field == "request_id"
    debit = entry(db, volunteer, kind="debit", hours=1, reason="y", request_id="req-2")
    assert entry(db, volunteer, kind="debit", hours=1, reason="y", request_id="req-2") == debit
    assert ledger(db, volunteer)["balance_hours"] == 1.0
    assert len(ledger_rows(db)[0]) == 2


def test_corrections_are_reversing_transactions(db):
    volunteer = enrol(db)
    wrong = deliver(db, earned(volunteer, hours=8, source_id="T-9"))["transaction_id"]
    deliver(db, earned(volunteer, hours=1, source_id="T-10"))
    before_transactions, before_postings = ledger_rows(db)

    reversal = entry(db, volunteer, kind="reversal", transaction_id=wrong, reason="录错了")
    assert reversal["transaction"]["hours"] == -8.0
    assert reversal["transaction"]["reverses_transaction_id"] == wrong
    assert reversal["balance_hours"] == 1.0
    after_transactions, after_postings = ledger_rows(db)
    # append-only: everything that was there is there, unchanged
    assert after_transactions[:len(before_transactions)] == before_transactions
    assert after_postings[:len(before_postings)] == before_postings
    assert len(after_postings) == len(before_postings) + 2
    lines = {line["transaction_id"]: line for line in ledger(db, volunteer)["items"]}
    assert lines[wrong]["reversed_by_transaction_id"] == reversal["transaction"]["transaction_id"]

    for transaction_id, field in [(wrong, "transaction_id"),  # twice
                                  (reversal["transaction"]["transaction_id"], "transaction_id")]:
        with pytest.raises(Conflict) as caught:
            entry(db, volunteer, kind="reversal", transaction_id=transaction_id, reason="again")
        assert caught.value.field == field
    # the reversed work reported once more stays reversed (its source key is spent)
    assert deliver(db, earned(volunteer, hours=8, source_id="T-9"))["created"] is False
    assert ledger(db, volunteer)["balance_hours"] == 1.0

    # a redeemed credit cannot be reversed; reverse the redemption first
    credit = deliver(db, earned(volunteer, hours=4, source_id="T-11"))["transaction_id"]
    redemption = entry(db, volunteer, kind="debit", hours=4.5, reason="助浴服务")
    with pytest.raises(Conflict):
        entry(db, volunteer, kind="reversal", transaction_id=credit, reason="x")
    undone = entry(db, volunteer, kind="reversal", reason="服务取消",
                   transaction_id=redemption["transaction"]["transaction_id"])
    assert undone["balance_hours"] == 5.0
    assert entry(db, volunteer, kind="reversal", transaction_id=credit,
                 reason="x")["balance_hours"] == 1.0

    other = enrol(db)
    with pytest.raises(NotFound) as caught:
        entry(db, other, kind="reversal", transaction_id=credit, reason="not theirs")
    assert caught.value.field == "transaction_id"
    assert assert_reconciles(db) == {volunteer: 100, other: 0}


def test_entries_need_a_writer_in_scope_and_valid_input(db):
    volunteer = enrol(db)
    elsewhere = enrol(db, COMMUNITY_A2)
    with pytest.raises(Forbidden):
        entry(db, volunteer, caller=GRID_WORKER_A1, kind="credit", hours=1, reason="x")
    with pytest.raises(NotFound):
        entry(db, elsewhere, kind="credit", hours=1, reason="x")
    with pytest.raises(NotFound):
        ledger(db, elsewhere)
    for body, field in [
        ({"kind": "credit", "reason": "x"}, "hours"),
        ({"kind": "credit", "hours": 0, "reason": "x"}, "hours"),
        ({"kind": "credit", "hours": 24.01, "reason": "x"}, "hours"),
        ({"kind": "credit", "hours": 1.005, "reason": "x"}, "hours"),
        ({"kind": "credit", "hours": "1", "reason": "x"}, "hours"),
        ({"kind": "credit", "hours": 1}, "reason"),
        ({"kind": "credit", "hours": 1, "reason": "  "}, "reason"),
        ({"kind": "gift", "hours": 1, "reason": "x"}, "kind"),
        ({"kind": "reversal", "reason": "x"}, "transaction_id"),
        ({"kind": "reversal", "transaction_id": 1, "hours": 1, "reason": "x"}, "hours"),
        ({"kind": "debit", "hours": 1, "transaction_id": 1, "reason": "x"}, "transaction_id"),
        ({"kind": "credit", "hours": 1, "reason": "x", "request_id": "a b"}, "request_id"),
        ({"kind": "credit", "hours": 1, "reason": "x", "activity_date": "2999-01-01"},
         "activity_date"),
    ]:
        with pytest.raises(InvalidInput) as caught:
            entry(db, volunteer, **body)
        assert caught.value.field == field, body
    assert ledger_rows(db) == ([], [])
    with pytest.raises(InvalidInput):
        ledger(db, volunteer, cursor="bogus")


def test_the_ledger_pages_newest_first(db):
    volunteer = enrol(db)
    ids = [deliver(db, earned(volunteer, hours=1, source_id=f"T-{n}"))["transaction_id"]
           for n in range(7)]
    lines = list(walk_ledger(db, volunteer, limit=3))
    assert [line["transaction_id"] for line in lines] == ids[::-1]
    assert assert_reconciles(db) == {volunteer: 700}


def test_concurrent_redemptions_cannot_overdraw(db):
    """Two debits of 8 hours against a balance of 10, at the same time: one is refused."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writers are serialised by the database lock itself")
    volunteer = enrol(db)
    entry(db, volunteer, kind="credit", hours=10, reason="x")
    first = db.unit_of_work("membership", WORKER_A1)
    volunteers.record_hours(first, volunteer, {"kind": "debit", "hours": 8, "reason": "a"})
    outcome = {}

    def second():
        unit = db.unit_of_work("membership", WORKER_A1)
        try:
            volunteers.record_hours(unit, volunteer, {"kind": "debit", "hours": 8, "reason": "b"})
            unit.commit()
            outcome["second"] = "committed"
        except Conflict:
            unit.rollback()
            outcome["second"] = "refused"

    thread = eventlet.spawn(second)
    eventlet.sleep(0.3)  # the second waits on the account's lock
    assert outcome == {}
    first.commit()
    thread.wait()
    assert outcome == {"second": "refused"}
    assert assert_reconciles(db) == {volunteer: 200}
