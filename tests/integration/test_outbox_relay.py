"""The outbox relay against the real broker: nothing lost in an outage, nothing published twice."""
import shutil
import subprocess
from collections import Counter

import eventlet
import pytest
from kombu import Connection, Exchange, Queue

from shared.events.outbox import OutboxRelay

pytestmark = pytest.mark.broker


@pytest.fixture
def capture(rabbit_config):
    """A durable queue bound to every membership event, declared before anything is published."""
    queue = Queue("test-capture", Exchange("membership.events", type="topic", durable=True),
                  routing_key="#", durable=True)
    with Connection(rabbit_config["AMQP_URI"]) as connection:
        queue(connection.channel()).declare()

    def drain():
        event_ids = []
        with Connection(rabbit_config["AMQP_URI"]) as connection:
            bound = queue(connection.channel())
            while (message := bound.get(no_ack=True, accept=["json"])) is not None:
                event_ids.append(message.payload["event_id"])
        return event_ids

    return drain


def emit_nodes(database, count, start=1):
    with database.transaction("membership") as uow:
        for number in range(start, start + count):
            code = f"350502001{number:03d}"
            uow.emit("membership.territory_node_created",
                     {"code": code, "name": f"社区{number}", "level": "community",
                      "parent_code": "350502001"}, org_code=code)


def test_two_relays_at_once_publish_every_event_exactly_once(service_db, rabbit_config, capture):
    emit_nodes(service_db, 300)
    relays = [OutboxRelay(service_db.session_factory, service_db.outbox_model,
                          rabbit_config["AMQP_URI"], batch_size=7) for _ in range(2)]
    for relay in relays:  # connected before the race starts, so neither has a head start
        relay.publisher.connect()
        relay.pending()

    def drain_outbox(relay):
        # Until the outbox is empty, not until one claim comes back empty: while the other relay
        # holds its batch, a claim may find nothing free for a moment.
        while relay.pending():
            relay.relay_once()
            eventlet.sleep(0.001)

    threads = [eventlet.spawn(drain_outbox, relay) for relay in relays]
    for thread in threads:
        thread.wait()
    for relay in relays:
        relay.stop()

    published = capture()
    assert len(published) == 300
    assert max(Counter(published).values()) == 1
    assert sum(relay.published_total for relay in relays) == 300
    assert relays[0].pending() == 0


def test_claims_made_at_the_same_moment_never_share_an_event(service_db, rabbit_config):
    """Ten relays claim at once, with no time between them to publish: each event is in one
    batch at most (which relay wins a race is up to the database)."""
    emit_nodes(service_db, 60)
    relays = [OutboxRelay(service_db.session_factory, service_db.outbox_model,
                          rabbit_config["AMQP_URI"], batch_size=10) for _ in range(10)]
    batches = [thread.wait() for thread in [eventlet.spawn(relay._claim) for relay in relays]]
    claimed = [row.id for batch in batches for row in batch]
    assert len(claimed) == len(set(claimed))
    assert claimed  # somebody won


def broker(action):
    subprocess.run(["rabbitmqctl", "-q", action], check=True, timeout=120,
                   stdout=subprocess.DEVNULL)


def wait_for_broker(amqp_uri, timeout=60):
    with eventlet.Timeout(timeout):
        while True:
            try:
                with Connection(amqp_uri, connect_timeout=2) as connection:
                    connection.ensure_connection(max_retries=1)
                    return
            except Exception:
                eventlet.sleep(0.5)


@pytest.mark.disruptive
@pytest.mark.skipif(shutil.which("rabbitmqctl") is None, reason="needs rabbitmqctl (make test)")
def test_an_event_committed_while_the_broker_is_down_is_delivered_when_it_returns(
        service_db, rabbit_config, capture):
    relay = OutboxRelay(service_db.session_factory, service_db.outbox_model,
                        rabbit_config["AMQP_URI"], idle_seconds=0.05)
    broker("stop_app")
    try:
        emit_nodes(service_db, 1)  # the change commits; the broker is gone
        runner = eventlet.spawn(relay.run)
        eventlet.sleep(1)  # the relay tries, fails, backs off
        assert relay.pending() == 1
    finally:
        broker("start_app")
    wait_for_broker(rabbit_config["AMQP_URI"])
    with eventlet.Timeout(30):
        while relay.pending():
            eventlet.sleep(0.1)
    relay.stop()
    runner.wait()

    assert len(capture()) == 1
