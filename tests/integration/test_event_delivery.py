"""Events end to end on the real broker: outbox → relay → exchange → handler with an inbox."""
import json
import uuid

import eventlet
import pytest
from kombu import Connection, Exchange
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import func, select

from shared.context import CallerContext
from shared.db import Database
from shared.events.deadletter import list_dead_letters, replay_dead_letters
from shared.events.registry import make_envelope
from tests.integration.listener import AppliedNode, ListenerInbox, ListenerService
from tests.support import wait_for

pytestmark = pytest.mark.broker
STREET_ADMIN = CallerContext("alice", ("street_admin",), "350502001")


@pytest.fixture
def listener(container_factory, platform_config):
    ListenerService.failures_left = 0
    container = container_factory(ListenerService, platform_config)
    container.start()
    database = next(d for d in container.dependencies if isinstance(d, Database)).database
    yield database
    ListenerService.failures_left = 0


def applied(database):
    with database.session_factory() as session:
        return list(session.scalars(select(AppliedNode.code)))


def inbox_rows(database):
    with database.session_factory() as session:
        return session.scalar(select(func.count()).select_from(ListenerInbox))


def seed_street(membership_db):
    with membership_db.transaction("membership") as uow:
        from services.membership import territory

        territory.create_node(uow, {"level": "district", "code": "350502", "name": "鲤城区"})
        territory.create_node(uow, {"level": "street", "code": "350502001", "name": "江南街道",
                                    "parent_code": "350502"})


def publish_raw(amqp_uri, envelope, routing_key="membership.territory_node_created"):
    with Connection(amqp_uri) as connection:
        producer = connection.Producer()
        exchange = Exchange("membership.events", type="topic", durable=True)
        producer.publish(envelope, exchange=exchange, routing_key=routing_key,
                         declare=[exchange], serializer="json", delivery_mode=2)


def test_a_change_made_over_rpc_reaches_the_consumer_with_its_caller(
        membership_container, membership_db, listener, platform_config):
    seed_street(membership_db)
    with ClusterRpcProxy(platform_config, context_data=STREET_ADMIN.to_context_data()) as rpc:
        node = rpc.membership.territory_create_node(
            {"level": "community", "parent_code": "350502001", "name": "西关社区"})

    wait_for(lambda: node["code"] in applied(listener))
    with listener.session_factory() as session:
        row = session.scalar(select(AppliedNode).where(AppliedNode.code == node["code"]))
    assert row.actor == "alice"


def test_the_same_event_delivered_twice_has_one_effect(listener, platform_config):
    envelope = make_envelope("membership.territory_node_created",
                             {"code": "350502001009", "name": "x", "level": "community",
                              "parent_code": "350502001"}, "350502001009", "tester")
    publish_raw(platform_config["AMQP_URI"], envelope)
    publish_raw(platform_config["AMQP_URI"], envelope)
    other = make_envelope("membership.territory_node_created",
                          {"code": "350502001010", "name": "y", "level": "community",
                           "parent_code": "350502001"}, "350502001010", "tester")
    publish_raw(platform_config["AMQP_URI"], other)  # arrives after both copies

    wait_for(lambda: "350502001010" in applied(listener))
    eventlet.sleep(0.2)
    assert sorted(applied(listener)) == ["350502001009", "350502001010"]
    assert inbox_rows(listener) == 2


def test_a_handler_that_fails_once_is_retried_and_applies_once(listener, platform_config):
    ListenerService.failures_left = 1
    envelope = make_envelope("membership.territory_node_created",
                             {"code": "350502001011", "name": "z", "level": "community",
                              "parent_code": "350502001"}, "350502001011", "tester")
    publish_raw(platform_config["AMQP_URI"], envelope)

    wait_for(lambda: applied(listener))
    eventlet.sleep(0.3)
    assert applied(listener) == ["350502001011"]  # the failed attempt was rolled back
    assert list_dead_letters(platform_config["AMQP_URI"])[1] == 0


def test_an_event_that_keeps_failing_is_dead_lettered_then_replayed(listener, platform_config):
    amqp_uri = platform_config["AMQP_URI"]
    ListenerService.failures_left = 1000
    envelope = make_envelope("membership.territory_node_created",
                             {"code": "350502001012", "name": "w", "level": "community",
                              "parent_code": "350502001"}, "350502001012", "tester")
    publish_raw(amqp_uri, envelope)

    letters = wait_for(lambda: list_dead_letters(amqp_uri)[0])
    assert len(letters) == 1
    assert letters[0].event_id == envelope["event_id"]
    assert letters[0].attempts == 3  # handler_max_attempts in the test settings
    assert "the listener is broken today" in letters[0].error
    assert letters[0].queue.endswith("listener.on_node_created")
    assert applied(listener) == []
    assert list_dead_letters(amqp_uri)[1] == 1  # listing leaves the letter where it was

    ListenerService.failures_left = 0  # the fix is deployed
    assert replay_dead_letters(amqp_uri, event_id=envelope["event_id"]) == 1

    wait_for(lambda: applied(listener))
    assert applied(listener) == ["350502001012"]
    assert list_dead_letters(amqp_uri)[1] == 0


def test_a_malformed_event_goes_straight_to_the_dead_letters(listener, platform_config):
    amqp_uri = platform_config["AMQP_URI"]
    broken = {"event_id": str(uuid.uuid4()), "type": "membership.territory_node_created",
              "version": 1, "occurred_at": "yesterday", "org_code": "350502", "actor": "x",
              "data": {}}
    publish_raw(amqp_uri, broken)

    letters = wait_for(lambda: list_dead_letters(amqp_uri)[0])
    assert letters[0].attempts == 1
    assert "InvalidEvent" in letters[0].error
    assert applied(listener) == []


def test_dead_letters_list_pages_and_json(listener, platform_config):
    amqp_uri = platform_config["AMQP_URI"]
    ListenerService.failures_left = 1000
    for number in range(3):
        publish_raw(amqp_uri, {"not": "an envelope", "n": number})

    wait_for(lambda: list_dead_letters(amqp_uri)[1] == 3)
    page, total = list_dead_letters(amqp_uri, offset=1, limit=1)
    assert total == 3 and len(page) == 1 and page[0].position == 1
    json.dumps([vars(letter) for letter in page])  # what `linli dlq list --json` prints
