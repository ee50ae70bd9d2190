"""The entrypoints services use instead of nameko's own: ``rpc`` and ``handles``.

Both commit the worker's unit of work *before* the result leaves the service (nameko would
reply or ack first, and a failed commit would go unheard). ``handles`` adds the inbox (a
redelivered event changes nothing) and the retry/dead-letter path (a failing event neither
loops forever nor vanishes).
"""
from __future__ import annotations

import functools
import logging
import sys

import eventlet
from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    LOGIN_METHOD_CONFIG_KEY,
    SERIALIZER_CONFIG_KEY,
)
from nameko.events import SERVICE_POOL, EventHandler
from nameko.rpc import Responder, Rpc, RpcConsumer, get_rpc_exchange
from sqlalchemy.exc import IntegrityError

from shared.config import settings_from_container
from shared.db import UnitOfWork, finish_units_of_work
from shared.errors import Conflict, DomainError
from shared.events.amqp import ConfirmedPublisher
from shared.events.deadletter import attempts_so_far, dead_letter, retry_later
from shared.events.registry import InvalidEvent, note_handler, read_envelope
from shared.rpc import TRANSIENT

log = logging.getLogger(__name__)


class _TransientReplyPublisher(Publisher):
    # A reply is worth nothing after the caller's deadline and nothing after a broker restart:
    # no disk write, no confirm round trip. A lost reply is a timeout for the caller, as a lost
    # confirmed reply would be if the caller had died.
    use_confirms = False
    delivery_mode = TRANSIENT


class _TransientResponder(Responder):
    publisher_cls = _TransientReplyPublisher


class ReplyingRpcConsumer(RpcConsumer):
    """nameko's RpcConsumer, replying with transient, unconfirmed messages."""

    def handle_result(self, message, result, exc_info):
        config = self.container.config
        responder = _TransientResponder(
            config[AMQP_URI_CONFIG_KEY], get_rpc_exchange(config),
            config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER), message,
            ssl=config.get(AMQP_SSL_CONFIG_KEY), login_method=config.get(LOGIN_METHOD_CONFIG_KEY),
        )
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info


def _as_conflict(exc_info):
    """A uniqueness race lost at a flush inside the use case is a 409, as at the commit."""
    if exc_info is not None and isinstance(exc_info[1], IntegrityError):
        try:
            raise Conflict("the change conflicts with existing data; reload and try again") \
                from exc_info[1]
        except Conflict:
            return sys.exc_info()
    return exc_info


class CommittingRpc(Rpc):
    rpc_consumer = ReplyingRpcConsumer()

    def handle_result(self, message, worker_ctx, result, exc_info):
        result, exc_info = finish_units_of_work(worker_ctx, result, exc_info)
        exc_info = _as_conflict(exc_info)
        return super().handle_result(message, worker_ctx, result, exc_info)


def rpc(fn=None, **kwargs):
    """``@rpc`` whose domain errors are expected (logged as warnings, sent back typed)."""
    kwargs.setdefault("expected_exceptions", DomainError)
    decorator = CommittingRpc.decorator(**kwargs)
    return decorator(fn) if fn is not None else decorator


class ReliableEventHandler(EventHandler):
    """A SERVICE_POOL event handler that retries a failing event, then dead-letters it."""

    def setup(self):
        super().setup()
        settings = settings_from_container(self.container.config)
        self.max_attempts = settings.handler_max_attempts
        self.publisher = ConfirmedPublisher(settings.amqp_uri)

    def stop(self):
        super().stop()
        self.publisher.close()

    def __init__(self, *args, on_give_up=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.on_give_up = on_give_up

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        result, exc_info = finish_units_of_work(worker_ctx, result, exc_info)
        if exc_info is not None:
            self._retry_or_dead_letter(message, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info

    def _retry_or_dead_letter(self, message, exc_info):
        attempts = attempts_so_far(message.headers) + 1
        poison = isinstance(exc_info[1], InvalidEvent)
        body = message.payload
        if attempts < self.max_attempts and not poison:
            eventlet.sleep(min(0.05 * 2 ** attempts, 2))
            retry_later(self.publisher, self.queue.name, body, message.headers)
        else:
            dead_letter(self.publisher, self.queue.name, self.container.service_name, body,
                        message.headers, exc_info)
            log.error("event dead-lettered", extra={
                "queue": self.queue.name, "attempts": attempts, "error": repr(exc_info[1])})
            if self.on_give_up is not None and not poison:
                self._give_up(body, exc_info[1])

    def _give_up(self, body, error: BaseException) -> None:
        """Tell the service an event was given up on, in a transaction of its own (the
        handler's was rolled back): e.g. an import job is marked failed, not left "running"."""
        from shared.db import Database

        database = next(d.database for d in self.container.dependencies
                        if isinstance(d, Database))
        try:
            with database.transaction(self.container.service_name) as uow:
                self.on_give_up(uow, read_envelope(body), error)
        except Exception:  # the event is safe in the dead letters; this is a courtesy
            log.exception("could not record that an event was given up on")


def _unit_of_work(service) -> UnitOfWork:
    for value in vars(service).values():
        if isinstance(value, UnitOfWork):
            return value
    raise RuntimeError(f"{type(service).__name__} handles events but has no Database")


def handles(event_name: str, on_give_up=None):
    """Handle the event ``event_name`` ("producer.what_happened") exactly once per service.

    The handler gets the checked envelope. Its first act is recording the event in the inbox,
    in the same transaction as whatever it changes; a redelivery finds the record and stops.
    ``on_give_up(uow, envelope, error)``, if given, runs in a transaction of its own when the
    event is dead-lettered after its last attempt.
    """
    source = event_name.split(".", 1)[0]

    def decorate(fn):
        note_handler(event_name, fn.__module__)

        @functools.wraps(fn)
        def handle(self, body):
            envelope = read_envelope(body)
            consumer = f"{self.name}.{fn.__name__}"
            if not _unit_of_work(self).first_delivery(envelope, consumer):
                log.info("duplicate event ignored",
                         extra={"event_id": envelope["event_id"], "consumer": consumer})
                return None
            return fn(self, envelope)

        return ReliableEventHandler.decorator(
            source, event_name, handler_type=SERVICE_POOL, reliable_delivery=True,
            on_give_up=on_give_up,
        )(handle)

    return decorate
