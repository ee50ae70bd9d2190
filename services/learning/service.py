"""The learning service: its database, and the entrypoints of each area, composed."""
from pathlib import Path

from services.learning.entrypoints.attendance import AttendanceEntrypoints
from services.learning.entrypoints.courses import CourseEntrypoints
from services.learning.entrypoints.enrolments import EnrolmentEntrypoints
from services.learning.entrypoints.party_study import PartyStudyEntrypoints
from services.learning.entrypoints.schools import SchoolEntrypoints
from services.learning.models import Base
from shared.context import Caller
from shared.db import Database
from shared.health import HealthMixin
from shared.rpc import ServiceRpc

MIGRATIONS = Path(__file__).parent / "migrations"


class LearningService(SchoolEntrypoints, CourseEntrypoints, EnrolmentEntrypoints,
                      AttendanceEntrypoints, PartyStudyEntrypoints, HealthMixin):
    name = "learning"

    db = Database(Base, MIGRATIONS)
    caller = Caller()
    membership = ServiceRpc("membership")
