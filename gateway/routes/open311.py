"""Open311 GeoReport v2 under /open311/v2/: each route names its document, then makes its RPCs.

Formats, api_key and the spec's errors are the entrypoint's (gateway/open311/http.py). What a
request may see or file is bounded by its key's territory scope; no reporter data ever leaves.
"""
from __future__ import annotations

import re
from urllib.parse import urlencode

from gateway.open311.format import CONTENT_TYPES
from gateway.open311.http import PREFIX, Open311Result, fallback, open311
from services.tickets.domain.open311 import JURISDICTION_ID, open311_field
from services.tickets.schemas.open311 import (
    DiscoverySchema,
    JurisdictionQuerySchema,
    KeyQuerySchema,
    RequestCreatedSchema,
    RequestSchema,
    RequestsQuerySchema,
    ServiceDefinitionSchema,
    ServiceSchema,
    TokenSchema,
    UpdateSchema,
    UpdatesQuerySchema,
)
from shared.errors import DomainError, MalformedRequest

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORM_FIELDS = ("api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string",
               "address_id", "email", "device_id", "account_id", "first_name", "last_name", "phone",
               "description", "media_url")
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,100})\](\[\])?$")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
KNOWN_PATHS = ("/discovery", "/services", "/services/<service_code>", "/requests",
               "/requests/<int:service_request_id>", "/tokens/<token>", "/servicerequestupdates")


def _query(request) -> dict:
    """Query arguments, one value each (a repeated one is refused, naming it)."""
    query = {}
    for name, values in request.args.lists():
        if len(values) > 1:
            raise MalformedRequest(f"{name}: given more than once; use commas", field=name)
        query[name] = values[0]
    return query


def read_form(request) -> dict:
    """A POST Service Request body: the spec's fields, and ``attribute[code]`` (a list for
    ``attribute[code][]`` or a repeated code: a multivaluelist). Unknown arguments are ignored."""
    if request.mimetype not in FORM_TYPES:
        raise MalformedRequest("body: send Content-Type: application/x-www-form-urlencoded",
                               field="body")
    form, attributes = {}, {}
    for name, values in request.form.lists():
        match = ATTRIBUTE.fullmatch(name)
        if match:
            code = match[1]
            attributes[code] = values if match[2] or len(values) > 1 else values[0]
        elif name in FORM_FIELDS:
            if len(values) > 1:
                raise MalformedRequest(f"{name}: given more than once", field=name)
            form[name] = values[0]
    for name in ("jurisdiction_id",):
        if name not in form and request.args.get(name):
            form[name] = request.args[name]
    form.pop("api_key", None)
    form["attribute"] = attributes
    return form


def _next_link(request, **changes) -> dict:
    query = {**request.args.to_dict(), **{k: str(v) for k, v in changes.items()}}
    query.pop("api_key", None)  # a link is logged and shared: never carry the key in it
    return {"Link": f'<{request.base_url}?{urlencode(query)}>; rel="next"'}


class Open311Routes:
    @open311("GET", "/discovery", root="discovery", key=None, response=DiscoverySchema,
             summary="Open311 service discovery (changeset, contact, endpoints and formats)")
    def open311_discovery(self, request, format):
        changeset = self.tickets.open311_changeset()
        base = request.host_url.rstrip("/")
        return {
            "changeset": changeset,
            "contact": "Licheng district 12345 platform, 鲤城区 (jurisdiction_id "
                       f"{JURISDICTION_ID}); Open311 questions to the district's integration office",
            "key_service": "API keys are issued by the district's operators (linli apikey create); "
                           "a key's territory bounds what it reads and files",
            "endpoints": [{
                "specification": SPECIFICATION,
                "url": base + PREFIX,
                "changeset": changeset,
                "type": "production",
                "formats": [CONTENT_TYPES["xml"].split(";")[0], CONTENT_TYPES["json"].split(";")[0]],
            }],
        }

    @open311("GET", "/services", root="services", key=None, query=JurisdictionQuerySchema,
             response=ServiceSchema(many=True), summary="Open311 GET Service List (the categories)")
    def open311_services(self, request, format):
        return self.tickets.open311_services(_query(request))

    @open311("GET", "/services/<service_code>", root="service_definition", key=None,
             query=JurisdictionQuerySchema, response=ServiceDefinitionSchema,
             summary="Open311 GET Service Definition (a category's attributes)")
    def open311_service_definition(self, request, format, service_code):
        return self.tickets.open311_service_definition(service_code, _query(request))

    @open311("GET", "/requests", root="service_requests", query=RequestsQuerySchema,
             response=RequestSchema(many=True),
             summary="Open311 GET Service Requests in the key's territory (filters; page, page_size)")
    def open311_requests(self, request, format):
        found = self.tickets.open311_requests(_query(request))
        headers = _next_link(request, page=found["page"] + 1) if found["more"] else {}
        return Open311Result(found["requests"], headers=headers)

    @open311("POST", "/requests", root="service_requests", response=RequestCreatedSchema(many=True),
             summary="Open311 POST Service Request (form-encoded, api_key; address_id = grid code)")
    def open311_create_request(self, request, format):
        checked = self.tickets.open311_ticket_payload(read_form(request))
        try:
            ticket = self.tickets.tickets_create(checked["payload"])
        except DomainError as error:  # the tickets core names its fields; name them as Open311
            field = open311_field(error.field)
            raise type(error)(field + error.detail[len(error.field):]
                              if error.field and error.detail.startswith(error.field) else error.detail,
                              field=field) from None
        return [{"service_request_id": ticket["id"], "service_notice": checked["service_notice"],
                 "account_id": None}]

    @open311("GET", "/requests/<int:service_request_id>", root="service_requests",
             query=KeyQuerySchema, response=RequestSchema(many=True),
             summary="Open311 GET Service Request (404 outside the key's territory)")
    def open311_request(self, request, format, service_request_id):
        return self.tickets.open311_request(service_request_id, _query(request))

    @open311("GET", "/tokens/<token>", root="service_requests", query=KeyQuerySchema,
             response=TokenSchema(many=True), summary="Open311 GET service_request_id from a token")
    def open311_token(self, request, format, token):
        return self.tickets.open311_token(token, _query(request))

    @open311("GET", "/servicerequestupdates", root="service_request_updates",
             query=UpdatesQuerySchema, response=UpdateSchema(many=True),
             summary="Open311 GET Service Request Updates (mySociety extension): every transition")
    def open311_updates(self, request, format):
        found = self.tickets.open311_updates(_query(request))
        headers = _next_link(request, since=found["next_since"]) if found["next_since"] else {}
        return Open311Result(found["updates"], headers=headers)

    @fallback("/open311", known_paths=KNOWN_PATHS)
    @fallback("/open311/", known_paths=KNOWN_PATHS)
    @fallback("/open311/<path:rest>", known_paths=KNOWN_PATHS)
    def open311_not_found(self, request, rest=None):
        """Never runs: the fallback answers before any worker starts."""
