"""Open311 GeoReport v2 documents in the spec's words (the gateway's OpenAPI shows them; the
XML form has the same names, list elements holding one element per item)."""
from marshmallow import Schema, fields, validate

from services.tickets.domain.open311 import DATATYPES, MAX_REQUESTS, MAX_UPDATES, OPEN311_STATUSES


class ServiceSchema(Schema):
    service_code = fields.String(required=True)
    service_name = fields.String(required=True)
    description = fields.String()
    metadata = fields.Boolean(required=True, metadata={"description": "true: GET the service "
                                                       "definition for its attributes"})
    type = fields.String(validate=validate.OneOf(("realtime", "batch", "blackbox")))
    keywords = fields.String(metadata={"description": "comma separated"})
    group = fields.String()


class AttributeValueSchema(Schema):
    key = fields.String(required=True)
    name = fields.String(required=True)


class AttributeSchema(Schema):
    variable = fields.Boolean()
    code = fields.String(required=True)
    datatype = fields.String(validate=validate.OneOf(DATATYPES))
    required = fields.Boolean()
    datatype_description = fields.String(allow_none=True)
    order = fields.Integer()
    description = fields.String()
    values = fields.List(fields.Nested(AttributeValueSchema))


class ServiceDefinitionSchema(Schema):
    service_code = fields.String(required=True)
    attributes = fields.List(fields.Nested(AttributeSchema))


class RequestSchema(Schema):
    service_request_id = fields.Integer(required=True)
    status = fields.String(validate=validate.OneOf(OPEN311_STATUSES))
    status_notes = fields.String(allow_none=True)
    service_name = fields.String()
    service_code = fields.String()
    description = fields.String()
    agency_responsible = fields.String(metadata={"description": "the territory code of the unit "
                                                 "responsible now"})
    service_notice = fields.String(allow_none=True)
    requested_datetime = fields.String(metadata={"description": "W3C datetime, +08:00"})
    updated_datetime = fields.String()
    expected_datetime = fields.String(metadata={"description": "the SLA due time"})
    address = fields.String(allow_none=True)
    address_id = fields.String(metadata={"description": "the grid code"})
    zipcode = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    long = fields.Float(allow_none=True)
    media_url = fields.String(allow_none=True)


class RequestCreatedSchema(Schema):
    service_request_id = fields.Integer(required=True)
    service_notice = fields.String()
    account_id = fields.String(allow_none=True)


class TokenSchema(Schema):
    service_request_id = fields.Integer(required=True)
    token = fields.String(required=True)


class UpdateSchema(Schema):
    update_id = fields.Integer(required=True, metadata={"description": "a global, increasing cursor"})
    service_request_id = fields.Integer(required=True)
    status = fields.String(validate=validate.OneOf(OPEN311_STATUSES))
    updated_datetime = fields.String()
    description = fields.String()
    media_url = fields.String(allow_none=True)
    action = fields.String(metadata={"description": "extension: the lifecycle action"})
    external_status_code = fields.String(metadata={"description": "extension: the internal status"})


class EndpointSchema(Schema):
    specification = fields.String()
    url = fields.String()
    changeset = fields.String()
    type = fields.String()
    formats = fields.List(fields.String())


class DiscoverySchema(Schema):
    changeset = fields.String()
    contact = fields.String()
    key_service = fields.String()
    endpoints = fields.List(fields.Nested(EndpointSchema))


class JurisdictionQuerySchema(Schema):
    jurisdiction_id = fields.String(metadata={"description": "optional; 350502 only"})


class KeyQuerySchema(JurisdictionQuerySchema):
    api_key = fields.String(metadata={"description": "or the X-API-Key header"})


class RequestsQuerySchema(KeyQuerySchema):
    service_request_id = fields.String(metadata={"description": "comma delimited; overrides the rest"})
    service_code = fields.String(metadata={"description": "comma delimited"})
    start_date = fields.String(metadata={"description": "W3C datetime; default: 90 days before end"})
    end_date = fields.String(metadata={"description": "W3C datetime; at most 90 days after start"})
    status = fields.String(metadata={"description": "open, closed or both, comma delimited"})
    page = fields.Integer(validate=validate.Range(min=1), metadata={"description": "extension"})
    page_size = fields.Integer(validate=validate.Range(min=1, max=MAX_REQUESTS),
                               metadata={"description": "extension; default and most 1000"})


class UpdatesQuerySchema(KeyQuerySchema):
    since = fields.Integer(metadata={"description": "the last update_id seen (exclusive)"})
    service_request_id = fields.String(metadata={"description": "comma delimited"})
    start_date = fields.String()
    end_date = fields.String()
    page_size = fields.Integer(validate=validate.Range(min=1, max=MAX_UPDATES))
