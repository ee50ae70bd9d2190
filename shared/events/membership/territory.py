"""Territory events: nodes created and renamed, communities merged."""
from marshmallow import Schema, fields, validate

from shared.events.registry import event_type

LEVEL = validate.OneOf(["district", "street", "community", "grid"])
CODE = validate.Regexp(r"^\d{6,18}$")


class CodeMove(Schema):
    old_code = fields.String(required=True, validate=CODE)
    new_code = fields.String(required=True, validate=CODE)


@event_type("membership.territory_node_created",
            "A district, street, community or grid was added to the territory tree.")
class TerritoryNodeCreated(Schema):
    code = fields.String(required=True, validate=CODE,
                         metadata={"description": "statistical code; children extend it"})
    name = fields.String(required=True)
    level = fields.String(required=True, validate=LEVEL)
    parent_code = fields.String(allow_none=True, load_default=None, validate=CODE)


@event_type("membership.territory_node_renamed", "A territory node was given a new name.")
class TerritoryNodeRenamed(Schema):
    code = fields.String(required=True, validate=CODE)
    level = fields.String(required=True, validate=LEVEL)
    old_name = fields.String(required=True)
    new_name = fields.String(required=True)


@event_type(
    "membership.communities_merged",
    "One community was merged into another. Its grids moved to the surviving community and "
    "were given codes under it; `moves` maps every old code to its new one so that consumers "
    "can re-file their records (the absorbed community's own code maps to the survivor's).",
)
class CommunitiesMerged(Schema):
    surviving_code = fields.String(required=True, validate=CODE)
    absorbed_code = fields.String(required=True, validate=CODE)
    moves = fields.List(fields.Nested(CodeMove), required=True,
                        metadata={"description": "old code → new code, absorbed node first"})
