"""Enrolment and course-offer routes: each names its roles and schemas, then makes one RPC."""
from gateway.http import json_response, query_args, read_json, route
from services.learning.domain.catalogue import ENROLLER_ROLES
from services.learning.schemas.enrolments import (
    CourseEnrolmentListQuerySchema,
    CourseOfferAcceptanceSchema,
    CourseOfferListQuerySchema,
    CourseOfferPageSchema,
    CourseOfferSchema,
    EnrolmentCreateSchema,
    EnrolmentListQuerySchema,
    EnrolmentPageSchema,
    EnrolmentResultSchema,
    EnrolmentSchema,
)

COURSES = "/api/v1/courses"
ENROLMENTS = "/api/v1/enrolments"
OFFERS = "/api/v1/course-offers"


class EnrolmentRoutes:
    @route("POST", COURSES + "/<int:id>/enrolments", roles=ENROLLER_ROLES,
           body=EnrolmentCreateSchema, response=EnrolmentSchema, status=201, tag="enrolment",
           summary="Enrol a resident: a seat if one is free, else the waitlist (with position)")
    def create_enrolment(self, request, id):
        result = self.learning.enrolments_create(id, read_json(request))
        return json_response(result, status=201,
                             headers={"Location": f"{ENROLMENTS}/{result['id']}"})

    @route("GET", COURSES + "/<int:id>/enrolments", query=CourseEnrolmentListQuerySchema,
           response=EnrolmentPageSchema, tag="enrolment",
           summary="A course's enrolments (status=waitlisted: in waitlist order, with position)")
    def list_course_enrolments(self, request, id):
        return self.learning.enrolments_list_for_course(id, query_args(request))

    @route("GET", ENROLMENTS, query=EnrolmentListQuerySchema, response=EnrolmentPageSchema,
           tag="enrolment", summary="Enrolments in your scope (filter by resident, course, status)")
    def list_enrolments(self, request):
        return self.learning.enrolments_list(query_args(request))

    @route("GET", ENROLMENTS + "/<int:id>", response=EnrolmentSchema, tag="enrolment",
           summary="One enrolment (a waitlisted one with its position)")
    def get_enrolment(self, request, id):
        return self.learning.enrolments_get(id)

    @route("POST", ENROLMENTS + "/<int:id>/withdrawal", roles=ENROLLER_ROLES,
           response=EnrolmentResultSchema, tag="enrolment",
           summary="Withdraw: the seat freed is offered to the first on the waitlist")
    def withdraw_enrolment(self, request, id):
        return self.learning.enrolments_withdraw(id)

    @route("POST", ENROLMENTS + "/<int:id>/confirmation", roles=ENROLLER_ROLES,
           response=EnrolmentSchema, tag="enrolment",
           summary="Confirm a seat offered from the waitlist (before its confirm_by)")
    def confirm_enrolment(self, request, id):
        return self.learning.enrolments_confirm(id)

    @route("GET", OFFERS, query=CourseOfferListQuerySchema, response=CourseOfferPageSchema,
           tag="enrolment", summary="Targeted course offers to laid-off residents in your scope")
    def list_course_offers(self, request):
        return self.learning.course_offers_list(query_args(request))

    @route("GET", OFFERS + "/<int:id>", response=CourseOfferSchema, tag="enrolment",
           summary="One targeted course offer")
    def get_course_offer(self, request, id):
        return self.learning.course_offers_get(id)

    @route("POST", OFFERS + "/<int:id>/acceptance", roles=ENROLLER_ROLES,
           response=CourseOfferAcceptanceSchema, status=201, tag="enrolment",
           summary="Accept an offer for the resident: enrols them (a seat or the waitlist)")
    def accept_course_offer(self, request, id):
        return self.learning.course_offers_accept(id)

    @route("POST", OFFERS + "/<int:id>/declination", roles=ENROLLER_ROLES,
           response=CourseOfferSchema, tag="enrolment", summary="Decline an offer for the resident")
    def decline_course_offer(self, request, id):
        return self.learning.course_offers_decline(id)
