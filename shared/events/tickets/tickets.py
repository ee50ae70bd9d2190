"""Ticket events: one per step of the closed loop, and the dispute report for public security.

Every change of a ticket is one row of its history (``ticket_transitions``) and exactly one of
these events, in the same transaction: ``tickets.ticket_<what happened>`` (``ACTION_EVENTS``
maps each action to its type). They share the fields of ``TicketChange`` (the ticket after the
change, where it is, who is responsible) and add what the step itself carries. The envelope's
``org_code`` is the ticket's grid code and its ``actor`` the principal who acted.
"""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

GRID = validate.Regexp(r"^\d{15}$")
COMMUNITY = validate.Regexp(r"^\d{12}$")
STREET = validate.Regexp(r"^\d{9}$")
UNIT = validate.Regexp(r"^\d{6,12}$")
LEVEL = validate.OneOf(["community", "street", "district"])

# action → event type (``submit`` is the creation, ``rate`` the callback 回访)
ACTION_EVENTS = {
    "submit": "tickets.ticket_submitted", "accept": "tickets.ticket_accepted",
    "reject": "tickets.ticket_rejected", "dispatch": "tickets.ticket_dispatched",
    "sign_for": "tickets.ticket_signed_for", "return": "tickets.ticket_returned",
    "start": "tickets.ticket_started",
    "request_extension": "tickets.ticket_extension_requested",
    "approve_extension": "tickets.ticket_extension_approved",
    "refuse_extension": "tickets.ticket_extension_refused",
    "remind": "tickets.ticket_reminded", "escalate": "tickets.ticket_escalated",
    "resolve": "tickets.ticket_resolved", "reopen": "tickets.ticket_reopened",
    "close": "tickets.ticket_closed", "rate": "tickets.ticket_rated",
    "mediation_outcome": "tickets.ticket_mediation_recorded",
}


class TicketChange(Schema):
    """What every ticket event carries."""

    ticket_id = fields.Integer(required=True)
    transition_id = fields.Integer(required=True, metadata={
        "description": "the history row (and the Open311 update feed's id)"})
    seq = fields.Integer(required=True, metadata={"description": "the ticket's n-th change"})
    action = fields.String(required=True)
    from_status = fields.String(required=True, allow_none=True)
    status = fields.String(required=True, metadata={"description": "after the change"})
    comment = fields.String(required=True, allow_none=True)
    category_code = fields.String(required=True)
    grid_code = fields.String(required=True, validate=GRID)
    community_code = fields.String(required=True, validate=COMMUNITY)
    street_code = fields.String(required=True, validate=STREET)
    level = fields.String(required=True, validate=LEVEL, metadata={
        "description": "community / street / district: who handles it now"})
    responsible_code = fields.String(required=True, validate=UNIT)
    accountable_code = fields.String(required=True, validate=UNIT, metadata={
        "description": "the first unit that received it (never changes)"})
    due_at = fields.DateTime(required=True)
    at = fields.DateTime(required=True, metadata={"description": "when the change happened"})


class Assignee(Schema):
    kind = fields.String(required=True)
    ref = fields.String(required=True)


@event_type("tickets.ticket_submitted",
            "A ticket 工单 was created (from any channel: hotline, walk-in, grid worker, app, "
            "district system, visit, Open311). Its due time is the category's SLA from now.")
class TicketSubmitted(TicketChange):
    channel = fields.String(required=True)
    priority = fields.String(required=True)
    fee_class = fields.String(required=True)
    anonymous = fields.Boolean(required=True)
    reporter_resident_id = fields.Integer(required=True, allow_none=True)
    is_dispute = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)


@event_type("tickets.ticket_accepted",
            "A ticket was accepted 受理 (its first response). `responded_in_time`: within the "
            "category's response hours of its creation (the response rate 响应率).")
class TicketAccepted(TicketChange):
    created_at = fields.DateTime(required=True)
    accepted_at = fields.DateTime(required=True)
    responded_in_time = fields.Boolean(required=True)


@event_type("tickets.ticket_rejected", "A ticket was rejected (not a matter for the platform), "
            "with the reason. Final.")
class TicketRejected(TicketChange):
    reason = fields.String(required=True)


@event_type("tickets.ticket_dispatched", "A ticket was dispatched 派遣 to an assignee: a "
            "community worker, a grid worker, a party-member post or a volunteer "
            "(`ref` = membership volunteer id).")
class TicketDispatched(TicketChange):
    assignee = fields.Nested(Assignee, required=True)


@event_type("tickets.ticket_signed_for", "The handling unit signed for 签收 a dispatched ticket.")
class TicketSignedFor(TicketChange):
    assignee = fields.Nested(Assignee, required=True, allow_none=True)


@event_type("tickets.ticket_returned", "The unit a ticket was dispatched to returned it as not "
            "its responsibility (with the reason); it is back at accepted, to be re-dispatched.")
class TicketReturned(TicketChange):
    reason = fields.String(required=True)
    returned_by = fields.Nested(Assignee, required=True, allow_none=True)


@event_type("tickets.ticket_started", "Handling 处置 of a ticket began.")
class TicketStarted(TicketChange):
    pass


@event_type("tickets.ticket_extension_requested", "The handling unit asked for more time "
            "(a new due time, awaiting approval).")
class TicketExtensionRequested(TicketChange):
    extension_until = fields.DateTime(required=True)


@event_type("tickets.ticket_extension_approved", "An extension was approved: the ticket's due "
            "time moved from `old_due_at` to `due_at`.")
class TicketExtensionApproved(TicketChange):
    old_due_at = fields.DateTime(required=True)


@event_type("tickets.ticket_extension_refused", "An extension was refused; the due time stays.")
class TicketExtensionRefused(TicketChange):
    extension_until = fields.DateTime(required=True)


@event_type("tickets.ticket_reminded", "A person (a supervisor, the reporter's hotline) urged "
            "the handling unit on 催办; the status does not change. The platform's own "
            "reminders are `tickets.ticket_due_soon` and `tickets.ticket_sla_breached`.")
class TicketReminded(TicketChange):
    overdue = fields.Boolean(required=True, metadata={"description": "sent after the due time"})


@event_type("tickets.ticket_escalated", "A ticket was escalated (community → street → "
            "district): the receiving level is now responsible and the ticket is back at "
            "accepted there; `accountable_code` stays the first unit. Escalations count against "
            "the community (小事不出社区).")
class TicketEscalated(TicketChange):
    from_level = fields.String(required=True, validate=LEVEL)
    from_responsible_code = fields.String(required=True, validate=UNIT)
    escalation_count = fields.Integer(required=True)


@event_type("tickets.ticket_resolved",
            "A ticket was resolved 办结. `on_time`: resolved by its due time (extensions "
            "included), the on-time resolution rate 解决率 and the assessments' points. A "
            "volunteer's work also raises `tickets.volunteer_hours_earned`.",
            consumers=("assessments",))
class TicketResolved(TicketChange):
    created_at = fields.DateTime(required=True)
    accepted_at = fields.DateTime(required=True, allow_none=True)
    resolved_at = fields.DateTime(required=True)
    on_time = fields.Boolean(required=True)
    assignee = fields.Nested(Assignee, required=True, allow_none=True)
    reopen_count = fields.Integer(required=True)
    escalation_count = fields.Integer(required=True)


@event_type("tickets.ticket_reopened", "A resolved or closed ticket was reopened, by its "
            "reporter within the window or by an unsatisfied callback (`by_callback`); it is "
            "back at accepted, to be dispatched again.")
class TicketReopened(TicketChange):
    reopen_count = fields.Integer(required=True)
    by_callback = fields.Boolean(required=True)


@event_type("tickets.ticket_closed", "A resolved ticket was closed 结案: after a satisfied "
            "callback (`by_callback`) or verified by staff.")
class TicketClosed(TicketChange):
    closed_at = fields.DateTime(required=True)
    by_callback = fields.Boolean(required=True)


@event_type("tickets.ticket_rated",
            "The callback 回访: the reporter rated a resolved ticket 1–5 (`satisfied`: 4 or "
            "more, the satisfaction rate 满意率). A satisfied callback then closes the ticket "
            "(`tickets.ticket_closed`), an unsatisfied one reopens it (`tickets.ticket_reopened`).",
            consumers=("assessments",))
class TicketRated(TicketChange):
    rating = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    satisfied = fields.Boolean(required=True)
    rating_comment = fields.String(required=True, allow_none=True)
    resolved_at = fields.DateTime(required=True)
    on_time = fields.Boolean(required=True)


@event_type("tickets.ticket_mediation_recorded",
            "The outcome of the mediation case 人民调解 a dispute ticket opened was recorded on the "
            "ticket (from `security.mediation_closed`): agreement, failed or referred_to_court. "
            "The status does not change: the handling unit still resolves the ticket and the "
            "reporter's callback closes it, as for any ticket.")
class TicketMediationRecorded(TicketChange):
    case_id = fields.Integer(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(
        ["agreement", "failed", "referred_to_court"]))


@event_type("tickets.dispute_reported",
            "A ticket in a dispute category (`is_dispute`, e.g. neighbour_dispute) was created. "
            "Public security opens a mediation case 人民调解 from it, once per `ticket_id`.",
            consumers=("security",))
class DisputeReported(Schema):
    ticket_id = fields.Integer(required=True)
    category_code = fields.String(required=True)
    description = fields.String(required=True)
    grid_code = fields.String(required=True, validate=GRID)
    community_code = fields.String(required=True, validate=COMMUNITY)
    street_code = fields.String(required=True, validate=STREET)
    address = fields.String(required=True, allow_none=True)
    reporter_resident_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "membership resident id; null when anonymous or not a known resident"})
    attributes = fields.Dict(required=True, metadata={"description": "the category's answers "
                                                      "(e.g. dispute_kind, parties)"})
    reported_at = fields.DateTime(required=True)
