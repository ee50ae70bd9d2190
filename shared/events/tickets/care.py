"""Care plan events: a plan opened for a vulnerable resident, closed, and each visit recorded.
None carries a name, a phone number or visit notes: consumers identify the resident by
``resident_id`` and ask for what they may see."""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

CODE = validate.Regexp(r"^\d{6,18}$")
COMMUNITY = validate.Regexp(r"^\d{12}$")
KIND = validate.OneOf(["home_visit", "phone_call", "neighbour_visit"])


class ScheduledVisit(Schema):
    kind = fields.String(required=True, validate=KIND)
    every_days = fields.Integer(required=True)
    next_due_on = fields.Date(required=True)


@event_type("tickets.care_plan_opened",
            "A care plan 关爱计划 was opened (or reopened, `reopened: true`) for a resident "
            "flagged vulnerable in membership (`membership.resident_flagged`): recurring home "
            "visits, phone calls and neighbour visits, each with its cadence. Exactly one plan "
            "exists per (resident, flag).")
class CarePlanOpened(Schema):
    care_plan_id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    flag = fields.String(required=True)
    grid_code = fields.String(required=True, validate=CODE)
    community_code = fields.String(required=True, validate=COMMUNITY)
    starts_on = fields.Date(required=True)
    schedule = fields.List(fields.Nested(ScheduledVisit), required=True)
    reopened = fields.Boolean(required=True)


@event_type("tickets.care_plan_closed",
            "A care plan was closed: the flag it was opened for was cleared in membership "
            "(`membership.resident_unflagged`).")
class CarePlanClosed(Schema):
    care_plan_id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    flag = fields.String(required=True)
    grid_code = fields.String(required=True, validate=CODE)
    community_code = fields.String(required=True, validate=COMMUNITY)
    closed_on = fields.Date(required=True)
    reason = fields.String(required=True)


@event_type("tickets.care_visit_recorded",
            "A visit of a care plan was recorded (home visit, phone call or neighbour visit); "
            "`counted` is false when the resident was not reached (the visit stays due). "
            "`next_due_on` is the next visit of that kind.")
class CareVisitRecorded(Schema):
    care_plan_id = fields.Integer(required=True)
    visit_id = fields.Integer(required=True)
    resident_id = fields.Integer(required=True)
    flag = fields.String(required=True)
    grid_code = fields.String(required=True, validate=CODE)
    community_code = fields.String(required=True, validate=COMMUNITY)
    kind = fields.String(required=True, validate=KIND)
    visited_on = fields.Date(required=True)
    outcome = fields.String(required=True,
                            validate=validate.OneOf(["well", "needs_help", "not_reached"]))
    counted = fields.Boolean(required=True)
    next_due_on = fields.Date(required=True)


@event_type("tickets.life_event_recorded",
            "A life event 八到家 (wedding, death, hospital, new resident, released person, "
            "hardship, laid-off placement, family dispute) was recorded and opened a visit "
            "ticket (`ticket_id`, category home_visit, channel visit). `restricted: true` "
            "(released_person) travels to consuming services only.")
class LifeEventRecorded(Schema):
    ticket_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([
        "wedding", "death", "hospital", "new_resident", "released_person", "hardship",
        "laid_off_placement", "family_dispute"]))
    resident_id = fields.Integer(allow_none=True, load_default=None)
    grid_code = fields.String(required=True, validate=CODE)
    community_code = fields.String(required=True, validate=COMMUNITY)
    occurred_on = fields.Date(required=True)
    restricted = fields.Boolean(required=True)
