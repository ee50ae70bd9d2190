"""The volunteer-hours contract: what a service emits when a volunteer's work is done.

Each producer emits ``<producer>.volunteer_hours_earned`` on its own exchange
(``<producer>.events``) with the same payload; membership consumes them all and credits the
volunteer's service-hours account 服务储蓄 once per piece of work: the inbox drops a redelivered
event, and the ledger's source key (``source_type``, ``source_id``, ``volunteer_id``) drops the
same work reported again under a new event id. ``volunteer_id`` is the id membership announced
in ``membership.volunteer_enrolled``. An event naming no known volunteer, or breaking this
schema, goes straight to the dead letters (``linli dlq list``).
"""
from marshmallow import Schema, ValidationError, fields, validate

from shared.events.registry import event_type

MAX_HOURS = 24

# The kinds of work each producer reports (``source_type``).
PRODUCER_SOURCE_TYPES = {
    "tickets": ("ticket",),
    "security": ("patrol", "incident", "mediation"),
    "learning": ("class",),
}
SOURCE_TYPES = tuple(sorted({kind for kinds in PRODUCER_SOURCE_TYPES.values() for kind in kinds}))
WHAT = {
    "tickets": "a volunteer handled a service ticket 工单",
    "security": "a volunteer walked a patrol (or helped with an incident or a mediation)",
    "learning": "a volunteer taught a class of a community school",
}


class Hours(fields.Float):
    """A JSON number of hours (not a string, not a boolean) with at most two decimals."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValidationError("must be a number")
        hours = super()._deserialize(value, attr, data, **kwargs)
        if abs(hours * 100 - round(hours * 100)) > 1e-6:
            raise ValidationError("at most two decimal places")
        return hours


def _payload(producer: str) -> type[Schema]:
    return Schema.from_dict({
        "volunteer_id": fields.Integer(required=True, strict=True,
                                       validate=validate.Range(min=1, max=2**31 - 1),
                                       metadata={"description": "as announced in "
                                                 "membership.volunteer_enrolled"}),
        "hours": Hours(required=True, allow_nan=False,
                       validate=validate.Range(min=0, min_inclusive=False, max=MAX_HOURS),
            metadata={"description": f"more than 0, at most {MAX_HOURS}, two decimals"}),
        "activity_date": fields.Date(required=True, metadata={
            "description": "the day the work was done (ISO 8601 date)"}),
        "source_type": fields.String(required=True, validate=validate.OneOf(
            PRODUCER_SOURCE_TYPES[producer]), metadata={
            "description": " / ".join(PRODUCER_SOURCE_TYPES[producer])}),
        "source_id": fields.String(required=True, validate=validate.Length(min=1, max=100),
                                   metadata={"description": "the producer's id of the work "
                                             "(ticket, patrol, class session); with source_type "
                                             "and volunteer_id it is credited once"}),
        "org_code": fields.String(required=True, validate=validate.Regexp(r"^\d{6,18}$"),
                                  metadata={"description": "where the work was done"}),
        "description": fields.String(load_default=None, allow_none=True,
                                     validate=validate.Length(max=200)),
    }, name=f"{producer.capitalize()}VolunteerHoursEarned")


for _producer, _what in WHAT.items():
    event_type(f"{_producer}.volunteer_hours_earned",
               f"Volunteer work was done: {_what}. Membership credits the hours to the "
               f"volunteer's service-hours account, once per (source_type, source_id, "
               f"volunteer_id); an event naming no enrolled volunteer or breaking this "
               f"schema is dead-lettered at once. The same payload for every producer "
               f"(shared/events/volunteer_hours.py).",
               consumers=("membership",))(_payload(_producer))
