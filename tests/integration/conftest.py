import pytest

from services.membership.models import Base
from services.membership.service import MIGRATIONS
from shared.db import ServiceDatabase


@pytest.fixture
def service_db(database_url):
    """The membership database, migrated, on the backend of this run (SQLite or PostgreSQL)."""
    database = ServiceDatabase(Base, database_url, MIGRATIONS)
    database.migrate()
    yield database
    database.dispose()
