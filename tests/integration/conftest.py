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


@pytest.fixture
def tickets_service_db(database_url):
    """The tickets database, migrated, on the backend of this run (SQLite or PostgreSQL)."""
    from services.tickets.models import Base as TicketsBase
    from services.tickets.service import MIGRATIONS as TICKETS_MIGRATIONS

    database = ServiceDatabase(TicketsBase, database_url, TICKETS_MIGRATIONS)
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def learning_service_db(database_url):
    """The learning database, migrated, on the backend of this run (SQLite or PostgreSQL)."""
    from services.learning.models import Base as LearningBase
    from services.learning.service import MIGRATIONS as LEARNING_MIGRATIONS

    database = ServiceDatabase(LearningBase, database_url, LEARNING_MIGRATIONS)
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def security_service_db(database_url):
    """The security database, migrated, on the backend of this run (SQLite or PostgreSQL)."""
    from services.security.models import Base as SecurityBase
    from services.security.service import MIGRATIONS as SECURITY_MIGRATIONS

    database = ServiceDatabase(SecurityBase, database_url, SECURITY_MIGRATIONS)
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def assessments_service_db(database_url):
    """The assessments database, migrated, on the backend of this run (SQLite or PostgreSQL)."""
    from services.assessments.models import Base as AssessmentsBase
    from services.assessments.service import MIGRATIONS as ASSESSMENTS_MIGRATIONS

    database = ServiceDatabase(AssessmentsBase, database_url, ASSESSMENTS_MIGRATIONS)
    database.migrate()
    yield database
    database.dispose()
