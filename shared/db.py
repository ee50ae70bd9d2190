"""Databases: engines, the per-worker unit of work, and the nameko provider that runs it.

A worker gets one SQLAlchemy session. It is committed when the worker succeeds and rolled
back when it fails, and the commit happens *before* the RPC reply is sent or the event is
acked (see ``shared.entrypoints``), so a caller never hears "done" for something that was not.
Events a worker emits are rows in the same session (the outbox), so they commit with the change.
"""
from __future__ import annotations

import logging
import sys
import weakref
from contextlib import contextmanager
from pathlib import Path

from nameko.extensions import DependencyProvider
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from shared.config import settings_from_container
from shared.context import CallerContext
from shared.errors import Conflict, Unavailable
from shared.events.inbox import InboxMixin, record_delivery
from shared.events.outbox import OutboxMixin, OutboxRelay, new_outbox_message
from shared.migrations import upgrade

log = logging.getLogger(__name__)


def make_engine(url: str) -> Engine:
    """SQLite files by default; PostgreSQL always through pg8000, which is pure Python and so
    cooperates with eventlet (a C driver would block every green thread while it waits)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.set(drivername="postgresql+pg8000")
        engine = create_engine(parsed, pool_size=10, max_overflow=10, pool_pre_ping=True)

        @event.listens_for(engine, "handle_error")
        def _discard_desynchronised_connection(context):
            # pg8000 can fail half-way through writing a message (text it cannot encode, say);
            # the connection is then out of step with the server and must not be reused.
            if not isinstance(context.original_exception, engine.dialect.loaded_dbapi.Error):
                context.is_disconnect = True

        return engine
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(parsed)


def _mapped_subclass(base, mixin):
    for mapper in base.registry.mappers:
        if issubclass(mapper.class_, mixin):
            return mapper.class_
    return None


class UnitOfWork:
    """What a worker sees as ``self.db``: the session, and ``emit`` to raise an event with it."""

    def __init__(self, session: Session, service_name: str, caller: CallerContext | None,
                 outbox_model=None, inbox_model=None, on_commit=None):
        self.session = session
        self.service_name = service_name
        self.caller = caller
        self._outbox_model = outbox_model
        self._inbox_model = inbox_model
        self._on_commit = on_commit
        self.finished = False
        self.emitted = 0

    def emit(self, event_type: str, data: dict, org_code: str) -> dict:
        """Store an event in the outbox, to be published once this unit of work commits."""
        if self._outbox_model is None:
            raise RuntimeError(f"{self.service_name} has no outbox table")
        message = new_outbox_message(self._outbox_model, event_type, data, org_code, self.caller)
        self.session.add(message)
        self.emitted += 1
        return message.envelope

    def first_delivery(self, envelope: dict, consumer: str) -> bool:
        """Record that ``consumer`` applied this event; False if it already had."""
        if self._inbox_model is None:
            raise RuntimeError(f"{self.service_name} has no inbox table")
        return record_delivery(self.session, self._inbox_model, envelope, consumer)

    def commit(self) -> None:
        """Commit now (idempotent). Domain errors from the commit are raised as such."""
        if self.finished:
            return
        self.finished = True
        try:
            self.session.commit()
        except IntegrityError as exc:
            self.session.rollback()
            raise Conflict(f"the change conflicts with existing data: {exc.orig}") from exc
        except OperationalError as exc:
            self.session.rollback()
            raise Unavailable("the database is unavailable, try again") from exc
        finally:
            self.session.close()
        if self.emitted and self._on_commit:
            self._on_commit()

    def rollback(self) -> None:
        if self.finished:
            return
        self.finished = True
        try:
            self.session.rollback()
        finally:
            self.session.close()


class ServiceDatabase:
    """One service's database: engine, migrations, units of work. Used by the nameko provider
    and by operator tools (``linli seed``) alike."""

    def __init__(self, base, url: str, migrations: Path | None = None):
        self.base = base
        self.url = url
        self.migrations = migrations
        self.engine = make_engine(url)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)
        self.outbox_model = _mapped_subclass(base, OutboxMixin)
        self.inbox_model = _mapped_subclass(base, InboxMixin)

    def migrate(self) -> None:
        if self.migrations is not None:
            upgrade(self.engine, self.migrations)
        else:
            self.base.metadata.create_all(self.engine)

    def unit_of_work(self, service_name: str, caller: CallerContext | None,
                     on_commit=None) -> UnitOfWork:
        return UnitOfWork(self.session_factory(), service_name, caller,
                          outbox_model=self.outbox_model, inbox_model=self.inbox_model,
                          on_commit=on_commit)

    @contextmanager
    def transaction(self, service_name: str, caller: CallerContext | None = None,
                    on_commit=None):
        """A unit of work committed at the end of the block (rolled back if it raises);
        ``on_commit`` runs after a commit that emitted events (a relay's wake-up)."""
        unit = self.unit_of_work(service_name, caller or CallerContext.system(),
                                 on_commit=on_commit)
        try:
            yield unit
        except BaseException:
            unit.rollback()
            raise
        unit.commit()

    def dispose(self) -> None:
        self.engine.dispose()


class Database(DependencyProvider):
    """The service's own database, as a ``UnitOfWork`` per worker.

    Setting up applies the service's migrations. If its models declare an outbox (a class
    mixing in ``OutboxMixin``), this provider also runs the relay that publishes it, in a
    managed green thread, woken at once by every commit that emitted something.
    """

    def __init__(self, base, migrations: Path | None = None, owner: str | None = None,
                 relay: bool = True):
        self.base = base
        self.migrations = migrations
        self.owner = owner
        self.relay_enabled = relay
        self.units: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self.relay: OutboxRelay | None = None

    def setup(self):
        settings = settings_from_container(self.container.config)
        owner = self.owner or self.container.service_name
        self.database = ServiceDatabase(self.base, settings.database_url(owner), self.migrations)
        self.database.migrate()
        if self.database.outbox_model is not None and self.relay_enabled:
            self.relay = OutboxRelay(
                self.database.session_factory, self.database.outbox_model, settings.amqp_uri,
                batch_size=settings.relay_batch_size, idle_seconds=settings.relay_idle_seconds,
            )

    def start(self):
        if self.relay is not None:
            self.container.spawn_managed_thread(self.relay.run, identifier="outbox-relay")

    def stop(self):
        if self.relay is not None:
            self.relay.stop()
        self.database.dispose()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        unit = self.database.unit_of_work(
            self.container.service_name,
            CallerContext.from_context_data(worker_ctx.context_data),
            on_commit=self.relay.wake if self.relay else None,
        )
        self.units[worker_ctx] = unit
        return unit

    def finish(self, worker_ctx, exc_info):
        """Commit (or roll back) the worker's unit of work; return the commit's error, if any."""
        unit = self.units.get(worker_ctx)
        if unit is None:
            return None
        if exc_info is not None:
            unit.rollback()
            return None
        try:
            unit.commit()
        except Exception as exc:  # the caller must hear that the commit failed
            log.warning("commit failed", extra={"error": repr(exc)})
            return exc
        return None

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        self.finish(worker_ctx, exc_info)  # for entrypoints that did not finish it themselves

    def worker_teardown(self, worker_ctx):
        self.units.pop(worker_ctx, None)


def finish_units_of_work(worker_ctx, result, exc_info):
    """Commit every Database of the worker before its result leaves the service.

    Returns the (result, exc_info) to report: a failed commit replaces a success.
    """
    for provider in worker_ctx.container.dependencies:
        if isinstance(provider, Database):
            error = provider.finish(worker_ctx, exc_info)
            if error is not None and exc_info is None:
                try:
                    raise error
                except Exception:
                    exc_info = sys.exc_info()
                result = None
    return result, exc_info
