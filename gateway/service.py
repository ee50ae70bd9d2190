"""The gateway: its dependencies, and the routes of each area, composed."""
from nameko.dependency_providers import Config

from gateway.routes.appraisals import AppraisalRoutes
from gateway.routes.assessment_schemes import AssessmentSchemeRoutes
from gateway.routes.assistance_cases import AssistanceCaseRoutes
from gateway.routes.attendance import AttendanceRoutes
from gateway.routes.care_plans import CarePlanRoutes
from gateway.routes.enrolments import EnrolmentRoutes
from gateway.routes.imports import ImportRoutes
from gateway.routes.incidents import IncidentRoutes
from gateway.routes.learning_schools import SchoolRoutes
from gateway.routes.mediation import MediationRoutes
from gateway.routes.open311 import Open311Routes
from gateway.routes.operations import OperationsRoutes
from gateway.routes.organisations import OrganisationRoutes
from gateway.routes.party_members import PartyMemberRoutes
from gateway.routes.party_study import PartyStudyRoutes
from gateway.routes.patrols import PatrolRoutes
from gateway.routes.petitions import PetitionRoutes
from gateway.routes.points_ledger import PointsLedgerRoutes
from gateway.routes.residents import ResidentRoutes
from gateway.routes.scorecards import ScorecardRoutes
from gateway.routes.security_grids import SecurityGridRoutes
from gateway.routes.special_populations import SpecialPopulationRoutes
from gateway.routes.territory import TerritoryRoutes
from gateway.routes.ticket_sla import TicketSlaRoutes
from gateway.routes.tickets import TicketRoutes
from gateway.routes.titles import TitleRoutes
from gateway.routes.volunteers import VolunteerRoutes
from shared.context import Caller
from shared.rpc import ServiceRpc


class GatewayService(AssistanceCaseRoutes, CarePlanRoutes,
                     SchoolRoutes, EnrolmentRoutes, AttendanceRoutes, PartyStudyRoutes,
                     SecurityGridRoutes, IncidentRoutes, PatrolRoutes, MediationRoutes,
                     SpecialPopulationRoutes, PetitionRoutes,
                     AssessmentSchemeRoutes, PointsLedgerRoutes, ScorecardRoutes, AppraisalRoutes,
                     TitleRoutes,
                     TicketSlaRoutes,
                     TicketRoutes, Open311Routes, ImportRoutes, PartyMemberRoutes,
                     OperationsRoutes, OrganisationRoutes, ResidentRoutes, TerritoryRoutes, VolunteerRoutes):
    name = "gateway"

    config = Config()
    caller = Caller()
    membership = ServiceRpc("membership")
    tickets = ServiceRpc("tickets")
    learning = ServiceRpc("learning")
    security = ServiceRpc("security")
    assessments = ServiceRpc("assessments")
