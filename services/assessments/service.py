"""The assessments service: its database, and the entrypoints of each area, composed."""
from pathlib import Path

from services.assessments.entrypoints.appraisals import AppraisalEntrypoints
from services.assessments.entrypoints.schemes import SchemeEntrypoints
from services.assessments.entrypoints.scorecards import ScorecardEntrypoints
from services.assessments.entrypoints.scoring import ScoringEntrypoints
from services.assessments.entrypoints.titles import TitleEntrypoints
from services.assessments.models import Base
from shared.context import Caller
from shared.db import Database
from shared.health import HealthMixin
from shared.rpc import ServiceRpc

MIGRATIONS = Path(__file__).parent / "migrations"


class AssessmentsService(SchemeEntrypoints, ScoringEntrypoints, ScorecardEntrypoints,
                         AppraisalEntrypoints,
                         TitleEntrypoints, HealthMixin):
    name = "assessments"

    db = Database(Base, MIGRATIONS)
    caller = Caller()
    membership = ServiceRpc("membership")
