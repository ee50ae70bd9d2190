"""Every service's event queues, declared before any service starts.

A topic exchange drops what no queue is bound to: if a producer's relay published its outbox
before a consumer had ever started (the first ``make run``, whose demo seed leaves thousands of
events waiting), that consumer would never see them. Declaring each consumer's queue exactly as
nameko's ``EventHandler`` would (same name, binding and flags) closes that gap; declaring it
again is harmless.
"""
from __future__ import annotations

import inspect

from kombu import Connection, Queue
from nameko.events import SERVICE_POOL, EventHandler
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from nameko.standalone.events import get_event_exchange


def consumer_queues(service_cls) -> list[Queue]:
    """The durable queues of the service's pooled event handlers, named as nameko names them."""
    queues = []
    for method_name, method in inspect.getmembers(service_cls, inspect.isfunction):
        for entrypoint in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if not isinstance(entrypoint, EventHandler) or entrypoint.handler_type != SERVICE_POOL:
                continue
            name = (f"evt-{entrypoint.source_service}-{entrypoint.event_type}"
                    f"--{service_cls.name}.{method_name}")
            queues.append(Queue(
                name, exchange=get_event_exchange(entrypoint.source_service, {}),
                routing_key=entrypoint.event_type, durable=True,
                auto_delete=entrypoint.reliable_delivery is False, exclusive=False))
    return queues


def declare_consumer_queues(amqp_uri: str, service_classes) -> int:
    """Declare (and bind) every pooled event queue of ``service_classes``; returns how many."""
    queues = [queue for cls in service_classes for queue in consumer_queues(cls)]
    with Connection(amqp_uri, connect_timeout=10) as connection:
        channel = connection.channel()
        for queue in queues:
            queue(channel).declare()
    return len(queues)
