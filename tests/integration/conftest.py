import importlib

import pytest

from shared.db import ServiceDatabase
from tests.conftest import MIGRATED


def _migrated(owner: str, database_url: str):
    """The owner's database, migrated, on the backend of this run (SQLite or PostgreSQL)."""
    models, service = (importlib.import_module(module) for module in MIGRATED[owner])
    database = ServiceDatabase(models.Base, database_url, service.MIGRATIONS)
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def service_db(database_url):
    """The membership database."""
    yield from _migrated("membership", database_url)


@pytest.fixture
def tickets_service_db(database_url):
    yield from _migrated("tickets", database_url)


@pytest.fixture
def learning_service_db(database_url):
    yield from _migrated("learning", database_url)


@pytest.fixture
def security_service_db(database_url):
    yield from _migrated("security", database_url)


@pytest.fixture
def assessments_service_db(database_url):
    yield from _migrated("assessments", database_url)
