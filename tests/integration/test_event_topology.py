"""Consumer queues declared before their service ever ran: nothing published meanwhile is lost."""
import pytest
from sqlalchemy import select

from shared.events.registry import make_envelope
from shared.events.topology import consumer_queues, declare_consumer_queues
from tests.integration.listener import AppliedNode, ListenerService
from tests.integration.test_event_delivery import applied, publish_raw
from tests.support import wait_for

pytestmark = pytest.mark.broker


def test_the_queues_are_named_and_bound_as_nameko_names_them():
    [queue] = consumer_queues(ListenerService)
    assert queue.name == (f"evt-membership-membership.territory_node_created--"
                          f"{ListenerService.name}.on_node_created")
    assert queue.exchange.name == "membership.events" and queue.exchange.type == "topic"
    assert queue.routing_key == "membership.territory_node_created"
    assert queue.durable and not queue.auto_delete and not queue.exclusive


def test_an_event_published_before_the_consumer_first_started_reaches_it(
        container_factory, platform_config):
    from shared.db import Database

    assert declare_consumer_queues(platform_config["AMQP_URI"], [ListenerService]) == 1
    envelope = make_envelope("membership.territory_node_created",
                             {"code": "350502001011", "name": "早到社区", "level": "community",
                              "parent_code": "350502001"}, "350502001011", "tester")
    publish_raw(platform_config["AMQP_URI"], envelope)

    ListenerService.failures_left = 0
    container = container_factory(ListenerService, platform_config)
    container.start()  # declaring the same queue again is accepted (same flags)
    database = next(d for d in container.dependencies if isinstance(d, Database)).database
    wait_for(lambda: "350502001011" in applied(database))
    with database.session_factory() as session:
        assert session.scalar(select(AppliedNode.actor)) == "tester"
