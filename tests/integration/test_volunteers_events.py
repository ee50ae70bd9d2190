"""Volunteer hours credited from other services' events, on the real broker: published twice
(raw, as another service's relay would) → credited once; poison goes to the dead letters."""
import eventlet
import pytest
from kombu import Connection, Exchange
from sqlalchemy import func, select

from services.membership import volunteers
from services.membership.models import InboxEntry
from services.membership.models.volunteers import HoursPosting, HoursTransaction
from shared.context import CallerContext
from shared.events.deadletter import list_dead_letters
from shared.events.registry import make_envelope
from tests.e2e.conftest import COMMUNITY_A1, seed_territory
from tests.integration.test_volunteers import add_resident
from tests.support import wait_for

pytestmark = pytest.mark.broker
WORKER = CallerContext("worker", ("community_worker",), COMMUNITY_A1)


def publish_raw(amqp_uri, envelope):
    """Publish as the producer's relay does: its exchange, the type as routing key."""
    producer_name = envelope["type"].split(".", 1)[0]
    with Connection(amqp_uri) as connection:
        producer = connection.Producer()
        exchange = Exchange(f"{producer_name}.events", type="topic", durable=True)
        producer.publish(envelope, exchange=exchange, routing_key=envelope["type"],
                         declare=[exchange], serializer="json", delivery_mode=2)


def earned(volunteer_id, producer="tickets", source_type="ticket", source_id="T-77", hours=3.5):
    return make_envelope(f"{producer}.volunteer_hours_earned", {
        "volunteer_id": volunteer_id, "hours": hours, "activity_date": "2026-11-22",
        "source_type": source_type, "source_id": source_id, "org_code": f"{COMMUNITY_A1}002"},
        f"{COMMUNITY_A1}002", f"{producer}-service")


@pytest.fixture
def volunteer(membership_container, membership_db):
    seed_territory(membership_db)
    resident = add_resident(membership_db, f"{COMMUNITY_A1}001")
    with membership_db.transaction("membership", WORKER) as uow:
        return volunteers.enrol_volunteer(uow, {"resident_id": resident})["id"]


def ledger(membership_db, volunteer_id):
    with membership_db.transaction("membership", WORKER) as uow:
        return volunteers.hours_ledger(uow, volunteer_id, {})


def counts(membership_db):
    with membership_db.session_factory() as session:
        return (session.scalar(select(func.count()).select_from(HoursTransaction)),
                session.scalar(select(func.coalesce(func.sum(HoursPosting.amount), 0))),
                session.scalar(select(func.count()).select_from(InboxEntry)))


def test_an_event_published_twice_credits_once(volunteer, membership_db, platform_config):
    amqp_uri = platform_config["AMQP_URI"]
    envelope = earned(volunteer)
    publish_raw(amqp_uri, envelope)
    publish_raw(amqp_uri, envelope)
    # the same patrol reported by security under two event ids, then a class taught
    publish_raw(amqp_uri, earned(volunteer, "security", "patrol", "P-1", 2))
    publish_raw(amqp_uri, earned(volunteer, "security", "patrol", "P-1", 2))
    publish_raw(amqp_uri, earned(volunteer, "learning", "class", "C-5", 1.5))
    publish_raw(amqp_uri, earned(volunteer, source_id="T-78", hours=1))  # after both copies

    # five distinct events reach the inbox (a redelivery adds no row), the copy comes before
    wait_for(lambda: counts(membership_db)[2] == 5)
    eventlet.sleep(0.3)
    transactions, total, inbox = counts(membership_db)
    assert (transactions, total, inbox) == (4, 0, 5)
    page = ledger(membership_db, volunteer)
    assert page["balance_hours"] == 8.0
    assert sorted((line["source_type"], line["source_id"], line["hours"])
                  for line in page["items"]) == [
        ("class", "C-5", 1.5), ("patrol", "P-1", 2.0), ("ticket", "T-77", 3.5),
        ("ticket", "T-78", 1.0)]
    [first] = [line for line in page["items"] if line["source_id"] == "T-77"]
    assert first["event_id"] == envelope["event_id"] and first["actor"] == "tickets-service"
    assert list_dead_letters(amqp_uri)[1] == 0



def test_an_event_for_an_unknown_volunteer_or_too_many_hours_is_dead_lettered(
        volunteer, membership_db, platform_config):
    amqp_uri = platform_config["AMQP_URI"]
    unknown = earned(volunteer + 1000)
    too_long = earned(volunteer, source_id="T-78")
    too_long["data"]["hours"] = 25
    wrong_kind = earned(volunteer, source_id="T-79")
    wrong_kind["data"]["source_type"] = "patrol"  # security's kind of work, not a ticket
    for envelope in (unknown, too_long, wrong_kind):
        publish_raw(amqp_uri, envelope)

    letters = wait_for(lambda: (lambda found: found if len(found) == 3 else None)(
        list_dead_letters(amqp_uri)[0]))
    assert {letter.event_id for letter in letters} == {
        unknown["event_id"], too_long["event_id"], wrong_kind["event_id"]}
    assert all(letter.attempts == 1 for letter in letters)  # poison: not retried
    assert counts(membership_db)[:2] == (0, 0)
