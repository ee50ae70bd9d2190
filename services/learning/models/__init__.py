"""The learning service's tables: one module per area, all on one declarative ``Base``.

Importing this package imports every area, so ``Base.metadata`` is whole (Alembic and the
Database provider rely on that).
"""
from services.learning.models.attendance import Attendance, Certificate  # noqa: F401
from services.learning.models.base import Base, InboxEntry, OutboxMessage
from services.learning.models.courses import Course, CourseSession
from services.learning.models.enrolments import Enrolment
from services.learning.models.offers import CourseOffer  # noqa: F401
from services.learning.models.party_study import StudySession  # noqa: F401
from services.learning.models.schools import School, Teacher, Venue

__all__ = ["Base", "InboxEntry", "OutboxMessage", "School", "Venue", "Teacher", "Course",
           "CourseSession", "Enrolment"]
