"""Title 荣誉称号 events: a title nominated, put on public notice, granted, withdrawn. They carry
ids and codes (the holder's kind and reference, the title's kind, level and year, where the
holder lies); never a name, an ID number or a phone."""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

CODE = validate.Regexp(r"^\d{6,18}$")
HOLDER_KIND = validate.OneOf(["community", "household", "resident", "volunteer", "party_member"])
LEVEL = validate.OneOf(["district", "city", "province"])


class TitleEventSchema(Schema):
    title_id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={
        "description": "civilised_community, safe_community, learning_family, civilised_family, "
                       "top_ten_volunteer, top_ten_party_member, top_ten_good_neighbour"})
    level = fields.String(required=True, validate=LEVEL)
    year = fields.Integer(required=True)
    holder_kind = fields.String(required=True, validate=HOLDER_KIND)
    holder_ref = fields.String(required=True, validate=validate.Length(min=1, max=18), metadata={
        "description": "a community's territory code, or membership's household / resident / "
                       "volunteer / party-member id"})
    org_code = fields.String(required=True, validate=CODE, metadata={
        "description": "where the holder lies (community, grid or party branch code)"})
    on = fields.Date(required=True, metadata={"description": "the day of the step"})


@event_type("assessments.title_nominated",
            "A title 荣誉称号 was nominated for a holder; it waits for review.")
class TitleNominated(TitleEventSchema):
    pass


@event_type("assessments.title_noticed",
            "A title passed review and is on public notice 公示 from `notice_from` to "
            "`notice_until` (7 days); objections may be raised meanwhile.")
class TitleNoticed(TitleEventSchema):
    notice_from = fields.Date(required=True)
    notice_until = fields.Date(required=True)


@event_type("assessments.title_granted",
            "A title was granted after its public notice; membership shows it on the holder's "
            "record (an honour).", consumers=("membership",))
class TitleGranted(TitleEventSchema):
    pass


@event_type("assessments.title_withdrawn",
            "A title was withdrawn: rejected at review, after an upheld objection, or revoked; "
            "`was_granted`: it had been granted, membership marks the holder's honour revoked.",
            consumers=("membership",))
class TitleWithdrawn(TitleEventSchema):
    was_granted = fields.Boolean(required=True)
