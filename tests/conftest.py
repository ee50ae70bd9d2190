"""Fixtures for the whole suite.

Broker tests use nameko's pytest plugin: ``rabbit_config`` gives each test a fresh vhost on the
real RabbitMQ. Database tests run on SQLite, and on PostgreSQL when ``LINLI_TEST_POSTGRES_URL``
names a server (``make test`` starts one); each PostgreSQL test gets a database of its own.
"""
import eventlet

eventlet.monkey_patch()  # first of all: nameko's broker tests hang without it

import os  # noqa: E402
import socket  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
import warnings  # noqa: E402
from dataclasses import replace  # noqa: E402

import pytest  # noqa: E402
import requests  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from shared.config import load_settings  # noqa: E402
from shared.context import CallerContext  # noqa: E402

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

POSTGRES_URL = os.environ.get("LINLI_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pytest_addoption(parser):
    parser.addoption("--shard", default=None, metavar="K/N",
                     help="run every N-th test, starting with the K-th (deploy/scripts/"
                          "run-tests.sh runs N such pytest processes side by side)")


def pytest_collection_modifyitems(config, items):
    shard = config.getoption("--shard")
    if shard:
        k, n = (int(part) for part in shard.split("/"))
        if not 1 <= k <= n:
            raise pytest.UsageError(f"--shard {shard}: K must be between 1 and N")
        config.hook.pytest_deselected(items=[t for i, t in enumerate(items) if i % n != k - 1])
        items[:] = [t for i, t in enumerate(items) if i % n == k - 1]
    if POSTGRES_URL:
        return
    skip = pytest.mark.skip(reason="LINLI_TEST_POSTGRES_URL is not set (make test sets it)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


MIGRATED = {  # owner: (module with its Base, module with its MIGRATIONS)
    "membership": ("services.membership.models", "services.membership.service"),
    "tickets": ("services.tickets.models", "services.tickets.service"),
    "learning": ("services.learning.models", "services.learning.service"),
    "security": ("services.security.models", "services.security.service"),
    "assessments": ("services.assessments.models", "services.assessments.service"),
    "gateway": ("gateway.models", "gateway.http"),
}
_templates: dict[str, str] = {}


def _postgres_url(name: str) -> str:
    return (make_url(POSTGRES_URL).set(drivername="postgresql+pg8000", database=name)
            .render_as_string(hide_password=False))


def _migrated_template(admin, owner: str) -> str:
    """A database with ``owner``'s migrations applied, made once per test session: a test's
    database is copied from it (CREATE DATABASE … TEMPLATE) instead of migrated afresh."""
    if owner not in _templates:
        import importlib

        from shared.db import ServiceDatabase

        name = f"linli_tpl_{owner}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        models, service = (importlib.import_module(m) for m in MIGRATED[owner])
        database = ServiceDatabase(models.Base, _postgres_url(name), service.MIGRATIONS)
        database.migrate()
        database.dispose()
        _templates[owner] = name
    return _templates[owner]


def pytest_sessionfinish(session, exitstatus):
    if not _templates:
        return
    admin = create_engine(make_url(POSTGRES_URL).set(drivername="postgresql+pg8000"),
                          isolation_level="AUTOCOMMIT")
    for name in _templates.values():
        _drop_database(admin, name)
    admin.dispose()


def _drop_database(admin, name: str, attempts: int = 5) -> None:
    """Drop a test database, ending its sessions first. A stopped service may still be
    reconnecting, so this retries; a database that will not go is left with a warning rather
    than failing the test (the cluster is throwaway)."""
    for attempt in range(attempts):
        try:
            with admin.connect() as connection:
                connection.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n "
                    "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"),
                    {"n": name})
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            return
        except Exception as exc:  # "being accessed by other users", most likely
            if attempt == attempts - 1:
                warnings.warn(f"test database {name} left behind: {exc}", stacklevel=1)
                return
            time.sleep(0.5)


@pytest.fixture
def make_postgres_database():
    """Makes fresh PostgreSQL databases and returns their URLs; all dropped afterwards.
    ``make()`` is empty; ``make(owner)`` already holds that service's (or the gateway's) tables."""
    admin = create_engine(make_url(POSTGRES_URL).set(drivername="postgresql+pg8000"),
                          isolation_level="AUTOCOMMIT")
    names = []

    def make(owner: str | None = None):
        name = f"linli_t_{uuid.uuid4().hex[:12]}"
        template = f' TEMPLATE "{_migrated_template(admin, owner)}"' if owner in MIGRATED else ""
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{template}'))
        names.append(name)
        return _postgres_url(name)

    yield make
    for name in names:
        _drop_database(admin, name)
    admin.dispose()


@pytest.fixture
def postgres_database(make_postgres_database):
    """A fresh, empty PostgreSQL database; returns its URL."""
    return make_postgres_database()


@pytest.fixture(params=BACKENDS)
def db_backend(request):
    return request.param


@pytest.fixture
def database_url(db_backend, tmp_path, request):
    """One service database on each backend (the test runs once per backend)."""
    if db_backend == "sqlite":
        return f"sqlite:///{tmp_path / 'service.db'}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture
def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def settings(tmp_path, db_backend, request, free_port):
    """Settings for a platform under test: var/ in tmp_path, every database on the backend."""
    base = load_settings({"var_dir": str(tmp_path / "var"),
                          "secret_key": "test-secret-key-that-is-long-enough-for-hs256"})
    urls = {}
    if db_backend == "postgres":
        make = request.getfixturevalue("make_postgres_database")
        owners = ("membership", "tickets", "learning", "security", "assessments", "gateway", "listener")
        urls = {owner: make(owner) for owner in owners}
    return replace(base, database_urls=urls, gateway_port=free_port,
                   relay_idle_seconds=0.05, handler_max_attempts=3)


@pytest.fixture
def platform_config(rabbit_config, settings):
    """A nameko config on the test's own vhost, with our settings."""
    settings = replace(settings, amqp_uri=rabbit_config["AMQP_URI"])
    return {**settings.nameko_config(), "AMQP_URI": rabbit_config["AMQP_URI"], "LINLI": settings}


@pytest.fixture
def system_caller():
    return CallerContext.system()


class GatewaySession(requests.Session):
    """requests against the gateway under test, with relative URLs."""

    def __init__(self, base_url):
        super().__init__()
        self.base_url = base_url

    def request(self, method, url, *args, **kwargs):
        return super().request(method, self.base_url + url, *args, **kwargs)


@pytest.fixture
def web_session(platform_config):
    """Replaces nameko's fixture, which imports werkzeug.urls.url_join (gone in werkzeug 3)."""
    session = GatewaySession(f"http://127.0.0.1:{platform_config['LINLI'].gateway_port}")
    yield session
    session.close()


def pytest_configure(config):
    """``make test`` names the broker in the environment; nameko's options follow it."""
    amqp = os.environ.get("LINLI_AMQP_URI")
    management = os.environ.get("LINLI_RABBIT_MANAGEMENT_URI")
    if amqp:
        config.option.RABBIT_AMQP_URI = amqp
    if management:
        config.option.RABBIT_API_URI = management


@pytest.fixture
def issue_token(settings):
    from gateway.auth import issue_token as issue

    def make(role, scope, sub=None):
        return issue(settings.secret_key, sub or f"test-{role}", [role], scope, 3600)

    return make


@pytest.fixture
def auth(issue_token):
    """Headers for a bearer token of ``role`` scoped to ``scope``."""

    def headers(role, scope):
        return {"Authorization": f"Bearer {issue_token(role, scope)}"}

    return headers


@pytest.fixture
def membership_container(container_factory, platform_config):
    from services.membership.service import MembershipService

    container = container_factory(MembershipService, platform_config)
    container.start()
    return container


def _started(container_factory, platform_config, service_path: str):
    """A running container of ``module:Class``."""
    import importlib

    module, _, name = service_path.partition(":")
    container = container_factory(getattr(importlib.import_module(module), name), platform_config)
    container.start()
    return container


def _database_of(container):
    """A running service's database (for looking behind the API)."""
    from shared.db import Database

    return next(d for d in container.dependencies if isinstance(d, Database)).database


@pytest.fixture
def tickets_container(container_factory, platform_config, membership_container):
    return _started(container_factory, platform_config, "services.tickets.service:TicketsService")


@pytest.fixture
def tickets_db(tickets_container):
    return _database_of(tickets_container)


@pytest.fixture
def learning_container(container_factory, platform_config, membership_container):
    return _started(container_factory, platform_config,
                    "services.learning.service:LearningService")


@pytest.fixture
def learning_db(learning_container):
    return _database_of(learning_container)


@pytest.fixture
def security_container(container_factory, platform_config, membership_container):
    return _started(container_factory, platform_config,
                    "services.security.service:SecurityService")


@pytest.fixture
def security_db(security_container):
    return _database_of(security_container)


@pytest.fixture
def assessments_container(container_factory, platform_config, membership_container):
    """Not among the gateway's own dependencies: only the tests that need it pay its start."""
    return _started(container_factory, platform_config,
                    "services.assessments.service:AssessmentsService")


@pytest.fixture
def assessments_db(assessments_container):
    return _database_of(assessments_container)


@pytest.fixture
def gateway_container(container_factory, platform_config, membership_container, tickets_container,
                      learning_container, security_container):
    from gateway.service import GatewayService

    container = container_factory(GatewayService, platform_config)
    container.start()
    return container


@pytest.fixture
def membership_db(membership_container):
    """The running membership service's database (for looking behind the API)."""
    from shared.db import Database

    provider = next(d for d in membership_container.dependencies if isinstance(d, Database))
    return provider.database
