"""The SLA clock's events: a ticket is nearly due (催办 before the due time), a ticket breached
its SLA (超时). Each is emitted exactly once per ticket, however many tickets services run."""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

CODE = validate.Regexp(r"^\d{6,18}$")
LEVEL = validate.OneOf(["community", "street", "district"])


class _TicketOnTheClock(Schema):
    ticket_id = fields.Integer(required=True)
    transition_id = fields.Integer(required=True, metadata={
        "description": "the history row the clock appended (the Open311 update feed's id)"})
    category_code = fields.String(required=True)
    community_code = fields.String(required=True, validate=CODE)
    street_code = fields.String(required=True, validate=CODE)
    grid_code = fields.String(required=True, validate=CODE)
    status = fields.String(required=True, metadata={"description": "the ticket's status then"})
    level = fields.String(required=True, validate=LEVEL,
                          metadata={"description": "the level responsible now"})
    responsible_code = fields.String(required=True, validate=CODE,
                                     metadata={"description": "the unit responsible now"})
    accountable_code = fields.String(required=True, validate=CODE, metadata={
        "description": "the unit that first received the ticket (stays accountable)"})
    due_at = fields.AwareDateTime(required=True, metadata={"description": "the SLA due time"})


@event_type("tickets.ticket_due_soon",
            "The SLA clock's reminder 催办 before the due time: the share of the category's SLA "
            "set by the clock (80% by default) has elapsed and the ticket is neither resolved, "
            "closed nor rejected. Once per ticket; also a `due_soon_reminder` transition.")
class TicketDueSoon(_TicketOnTheClock):
    reminded_at = fields.AwareDateTime(required=True)
    sla_hours = fields.Integer(required=True, metadata={"description": "the category's SLA"})


@event_type("tickets.ticket_sla_breached",
            "A ticket passed its due time without being resolved, closed or rejected (超时). "
            "Emitted exactly once per ticket by the SLA clock (whatever the number of tickets "
            "service instances), with a `sla_breached` transition by `system`; the status does "
            "not change. A later extension does not undo a breach.")
class TicketSlaBreached(_TicketOnTheClock):
    breached_at = fields.AwareDateTime(required=True,
                                       metadata={"description": "when the clock marked it"})
