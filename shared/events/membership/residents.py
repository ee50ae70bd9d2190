"""Resident and household events. None carries an ID number, a phone number or an address:
consumers identify people by ``resident_id`` and ask membership for what they may see."""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

CODE = validate.Regexp(r"^\d{6,18}$")
FLAG_NAMES = ("elderly_living_alone", "disabled", "minimum_allowance", "extremely_poor",
              "laid_off", "chronically_ill", "veteran", "floating", "released_prisoner",
              "mental_illness")
FLAG = validate.OneOf(FLAG_NAMES)
RESTRICTED_NOTE = (
    " Restricted flags (`released_prisoner`, `mental_illness`, `restricted: true`) travel to "
    "consuming services only: the gateway never relays these events, and only security "
    "officers see restricted flags through the API.")


@event_type("membership.resident_registered",
            "A resident was registered in a grid (moved in, or first recorded).")
class ResidentRegistered(Schema):
    resident_id = fields.Integer(required=True)
    grid_code = fields.String(required=True, validate=CODE)
    household_id = fields.Integer(allow_none=True, load_default=None)
    residence = fields.String(required=True, validate=validate.OneOf(["registered", "floating"]))
    gender = fields.String(required=True)
    birth_date = fields.Date(required=True)


@event_type("membership.resident_updated",
            "A resident's record was corrected or completed; `changed` names the fields "
            "(values stay in membership).")
class ResidentUpdated(Schema):
    resident_id = fields.Integer(required=True)
    grid_code = fields.String(required=True, validate=CODE)
    changed = fields.List(fields.String(), required=True)


@event_type("membership.resident_moved",
            "A resident moved to another grid of the territory (`kind: within`, `to_grid_code` "
            "set) or out of it (`kind: out`, `to_grid_code` null; the record is kept, status "
            "moved_out).")
class ResidentMoved(Schema):
    resident_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["within", "out"]))
    from_grid_code = fields.String(required=True, validate=CODE)
    to_grid_code = fields.String(allow_none=True, load_default=None, validate=CODE)
    moved_on = fields.Date(required=True)


@event_type("membership.resident_flagged",
            "A flag was set on a resident (e.g. minimum_allowance, elderly_living_alone): "
            "services act on it (care plans, learning offers)." + RESTRICTED_NOTE)
class ResidentFlagged(Schema):
    resident_id = fields.Integer(required=True)
    grid_code = fields.String(required=True, validate=CODE)
    flag = fields.String(required=True, validate=FLAG)
    restricted = fields.Boolean(required=True)
    on = fields.Date(required=True)
    reason = fields.String(allow_none=True, load_default=None,
                           metadata={"description": "null for restricted flags"})


@event_type("membership.resident_unflagged",
            "A flag was cleared from a resident (its history is kept)." + RESTRICTED_NOTE)
class ResidentUnflagged(Schema):
    resident_id = fields.Integer(required=True)
    grid_code = fields.String(required=True, validate=CODE)
    flag = fields.String(required=True, validate=FLAG)
    restricted = fields.Boolean(required=True)
    on = fields.Date(required=True)
    reason = fields.String(allow_none=True, load_default=None,
                           metadata={"description": "null for restricted flags"})


@event_type("membership.household_created", "A household 户 was recorded in a grid.")
class HouseholdCreated(Schema):
    household_id = fields.Integer(required=True)
    grid_code = fields.String(required=True, validate=CODE)
    designations = fields.List(fields.String(), required=True)


@event_type("membership.household_updated",
            "A household's address, representative or designations (learning_family, "
            "civilised_family) changed; `changed` names them.")
class HouseholdUpdated(Schema):
    household_id = fields.Integer(required=True)
    grid_code = fields.String(required=True, validate=CODE)
    changed = fields.List(fields.String(), required=True)
    representative_id = fields.Integer(allow_none=True, load_default=None)
    designations = fields.List(fields.String(), required=True)


@event_type("membership.household_member_added", "A resident joined a household.")
class HouseholdMemberAdded(Schema):
    household_id = fields.Integer(required=True)
    grid_code = fields.String(required=True, validate=CODE)
    resident_id = fields.Integer(required=True)


@event_type("membership.household_member_removed",
            "A resident left a household (removed, or moved away); if they were its "
            "representative, the household has none until one is set.")
class HouseholdMemberRemoved(Schema):
    household_id = fields.Integer(required=True)
    grid_code = fields.String(required=True, validate=CODE)
    resident_id = fields.Integer(required=True)
