"""Ticket and category routes: each names its roles and schemas, then makes one RPC. Nothing else.

Roles per lifecycle action are checked by the tickets service (``domain.tickets.ACTION_ROLES``);
the transitions route admits every role that may take at least one action.
"""
from gateway.http import json_response, query_args, read_json, route
from services.tickets.domain import categories as category_rules
from services.tickets.domain import tickets as ticket_rules
from services.tickets.schemas.tickets import (
    TicketCategoryCreateSchema,
    TicketCategoryListQuerySchema,
    TicketCategoryPageSchema,
    TicketCategorySchema,
    TicketCategoryUpdateSchema,
    TicketCreateSchema,
    TicketListQuerySchema,
    TicketPageSchema,
    TicketRatingRequestSchema,
    TicketSchema,
    TicketTransitionPageSchema,
    TicketTransitionRequestSchema,
)
from shared.pagination import PageRequestSchema

TICKETS = "/api/v1/tickets"
CATEGORIES = "/api/v1/ticket-categories"
ACTORS = tuple(sorted({role for roles in ticket_rules.ACTION_ROLES.values() for role in roles}))


class TicketRoutes:
    @route("GET", CATEGORIES, query=TicketCategoryListQuerySchema,
           response=TicketCategoryPageSchema, tag="tickets",
           summary="The ticket categories (Open311 services) with their SLAs")
    def list_ticket_categories(self, request):
        return self.tickets.ticket_categories_list(query_args(request))

    @route("POST", CATEGORIES, roles=category_rules.WRITER_ROLES, body=TicketCategoryCreateSchema,
           response=TicketCategorySchema, status=201, tag="tickets",
           summary="Add a ticket category (SLA, attribute definitions)")
    def create_ticket_category(self, request):
        category = self.tickets.ticket_categories_create(read_json(request))
        return json_response(category, status=201,
                             headers={"Location": f"{CATEGORIES}/{category['code']}"})

    @route("GET", CATEGORIES + "/<category>", response=TicketCategorySchema, tag="tickets",
           summary="One ticket category")
    def get_ticket_category(self, request, category):
        return self.tickets.ticket_categories_get(category)

    @route("PATCH", CATEGORIES + "/<category>", roles=category_rules.WRITER_ROLES,
           body=TicketCategoryUpdateSchema, response=TicketCategorySchema, tag="tickets",
           summary="Change a category: its SLA, attributes, or retire it (active false)")
    def update_ticket_category(self, request, category):
        return self.tickets.ticket_categories_update(category, read_json(request))

    @route("GET", TICKETS, query=TicketListQuerySchema, response=TicketPageSchema, tag="tickets",
           summary="Tickets in your scope, newest first (status, category, community, overdue, "
                   "channel)")
    def list_tickets(self, request):
        return self.tickets.tickets_list(query_args(request))

    @route("POST", TICKETS, roles=ticket_rules.CREATOR_ROLES, body=TicketCreateSchema,
           response=TicketSchema, status=201, tag="tickets",
           summary="Create a ticket 工单 (submitted; due time from the category's SLA)")
    def create_ticket(self, request):
        ticket = self.tickets.tickets_create(read_json(request))
        return json_response(ticket, status=201, headers={"Location": f"{TICKETS}/{ticket['id']}"})

    @route("GET", TICKETS + "/<int:id>", response=TicketSchema, tag="tickets",
           summary="One ticket")
    def get_ticket(self, request, id):
        return self.tickets.tickets_get(id)

    @route("GET", TICKETS + "/<int:id>/transitions", query=PageRequestSchema,
           response=TicketTransitionPageSchema, tag="tickets",
           summary="A ticket's history: every change, who, when, why (oldest first)")
    def list_ticket_transitions(self, request, id):
        return self.tickets.tickets_transitions(id, query_args(request))

    @route("POST", TICKETS + "/<int:id>/transitions", roles=ACTORS,
           body=TicketTransitionRequestSchema, response=TicketSchema, tag="tickets",
           summary="Move a ticket along its lifecycle (accept, dispatch, sign_for, start, "
                   "resolve, escalate, remind, …); an illegal one is 409 naming `action`")
    def transition_ticket(self, request, id):
        return self.tickets.tickets_transition(id, read_json(request))

    @route("POST", TICKETS + "/<int:id>/rating", roles=ticket_rules.RATER_ROLES,
           body=TicketRatingRequestSchema, response=TicketSchema, tag="tickets",
           summary="The callback 回访: rate a resolved ticket 1–5 (4+ closes it, less reopens it)")
    def rate_ticket(self, request, id):
        return self.tickets.tickets_rate(id, read_json(request))
