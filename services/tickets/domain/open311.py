"""Open311 GeoReport v2 rules: plain Python, no I/O.

How the standard's words map onto a ticket, how its query arguments are read and how an Open311
service request becomes a ticket payload. The specification is http://wiki.open311.org/GeoReport_v2;
the update feed follows mySociety's GET Service Request Updates extension (``servicerequestupdates``,
``service_request_updates/request_update`` with ``update_id``).
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from services.tickets.domain.tickets import open311_status
from shared.errors import InvalidInput, MalformedRequest, NotFound

JURISDICTION_ID = "350502"  # the district the platform serves (鲤城区)
LOCAL_TIME = timezone(timedelta(hours=8), "CST")  # China Standard Time, no daylight saving
DEFAULT_WINDOW = timedelta(days=90)  # GET requests: "defaults to most recent 90 days"
MAX_REQUESTS = 1000  # "or first 1000 requests returned, whichever is smallest"
DEFAULT_UPDATES = 100
MAX_UPDATES = 1000
MAX_IDS = 100  # service_request_id=1,2,3…
GRID_CODE = re.compile(r"^\d{15}$")
OPEN311_STATUSES = ("open", "closed")
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
MAX_DESCRIPTION = 4000  # "free form text limited to 4,000 characters"

# The Open311 name of each field of the ticket payload (for errors a client can act on).
FIELD_NAMES = {
    "category_code": "service_code",
    "description": "description",
    "location.grid_code": "address_id",
    "location.address": "address_string",
    "location.lat": "lat",
    "location.lon": "long",
    "location": "address_id",
    "reporter.name": "first_name",
    "reporter.phone": "phone",
    "reporter.email": "email",
    "reporter": "email",
    "attachments": "media_url",
}


def open311_field(field: str | None) -> str | None:
    """``location.grid_code`` → ``address_id``, ``attributes.X`` → ``attribute[X]``…"""
    if not field:
        return field
    if field in FIELD_NAMES:
        return FIELD_NAMES[field]
    if field.startswith("attachments."):
        return "media_url"
    if field.startswith("attributes."):
        return f"attribute[{field.split('.', 2)[1]}]"
    return field


def w3_datetime(value: datetime | None) -> str | None:
    """A timestamp in the W3C profile of ISO 8601 the spec requires, in the district's time."""
    if value is None:
        return None
    return value.astimezone(LOCAL_TIME).replace(microsecond=0).isoformat()


def parse_datetime(value: str, field: str) -> datetime:
    """A W3C datetime with its zone (``2010-01-01T00:00:00Z`` or ``…+08:00``), else a 400."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        parsed = None
    if parsed is None or "T" not in value:
        raise MalformedRequest(f"{field}: not a W3C datetime (like 2010-01-01T00:00:00Z): {value!r}",
                               field=field)
    if parsed.tzinfo is None:
        raise MalformedRequest(f"{field}: the time zone is required (Z or +08:00): {value!r}",
                               field=field)
    return parsed.astimezone(timezone.utc)


def parse_list(value: str | None, field: str, allowed=None, max_items: int = MAX_IDS) -> list[str]:
    """A comma-delimited argument (``open,closed``); empty means not given."""
    if value is None or not value.strip():
        return []
    items = [item.strip() for item in value.split(",") if item.strip()]
    if len(items) > max_items:
        raise MalformedRequest(f"{field}: at most {max_items} values", field=field)
    if allowed is not None:
        for item in items:
            if item not in allowed:
                raise MalformedRequest(f"{field}: {item!r} is not one of {', '.join(allowed)}",
                                       field=field)
    return items


def parse_ids(value: str | None, field: str = "service_request_id") -> list[int]:
    ids = []
    for item in parse_list(value, field):
        if not item.isdigit() or not 0 < int(item) < 2**31:
            raise MalformedRequest(f"{field}: {item!r} is not a service request id", field=field)
        ids.append(int(item))
    return ids


def parse_int(value: str | None, field: str, default: int, low: int, high: int) -> int:
    if value is None or not value.strip():
        return default
    value = value.strip()
    if not value.isdigit() or not low <= int(value) <= high:
        raise MalformedRequest(f"{field}: must be a whole number from {low} to {high}", field=field)
    return int(value)


def check_jurisdiction(jurisdiction_id: str | None) -> None:
    """One jurisdiction, so the argument is optional; another one is "not found" (404)."""
    if jurisdiction_id is not None and jurisdiction_id.strip() not in ("", JURISDICTION_ID):
        raise NotFound(f"jurisdiction_id: {jurisdiction_id!r} was not found; this endpoint serves "
                       f"{JURISDICTION_ID}", field="jurisdiction_id")


def request_window(start: datetime | None, end: datetime | None, now: datetime
                   ) -> tuple[datetime, datetime]:
    """start_date / end_date: default the most recent 90 days; a range may not span more."""
    if start is None and end is None:
        return now - DEFAULT_WINDOW, now
    if start is None:
        start = end - DEFAULT_WINDOW
    if end is None:
        end = start + DEFAULT_WINDOW
    if end < start:
        raise MalformedRequest("end_date: is before start_date", field="end_date")
    if end - start > DEFAULT_WINDOW:
        raise MalformedRequest("end_date: the range may not span more than 90 days", field="end_date")
    return start, end


def service_of(category) -> dict:
    """GET Service List: one ``service`` element."""
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or "",
        "metadata": bool(category.attributes),
        "type": "realtime",
        "keywords": category.keywords or "",
        "group": category.group,
    }


def attribute_of(definition: dict, position: int) -> dict:
    """One ``attribute`` of a service definition, in the spec's words and order."""
    values = definition.get("values") or []
    return {
        "variable": bool(definition.get("variable", True)),
        "code": str(definition["code"]),
        "datatype": definition.get("datatype", "string"),
        "required": bool(definition.get("required", False)),
        "datatype_description": definition.get("datatype_description") or None,
        "order": int(definition.get("order") or position),
        "description": definition.get("description") or "",
        "values": [{"key": str(value["key"]), "name": value.get("name", str(value["key"]))}
                   for value in values],
    }


def service_definition_of(category) -> dict:
    attributes = [attribute_of(definition, position)
                  for position, definition in enumerate(category.attributes or [], start=1)]
    attributes.sort(key=lambda attribute: attribute["order"])
    return {"service_code": category.code, "attributes": attributes}


def service_notice_of(category) -> str:
    return f"Handled within {category.sla_hours} hours (service level of {category.name})."


def request_of(ticket, category, status_notes: str | None, media_url: str | None) -> dict:
    """GET Service Request(s): one ``request``. Never the reporter: no name, phone or email."""
    return {
        "service_request_id": ticket.id,
        "status": open311_status(ticket.status),
        "status_notes": status_notes or None,
        "service_name": category.name if category is not None else ticket.category_code,
        "service_code": ticket.category_code,
        "description": ticket.description,
        "agency_responsible": ticket.responsible_code,
        "service_notice": service_notice_of(category) if category is not None else None,
        "requested_datetime": w3_datetime(ticket.created_at),
        "updated_datetime": w3_datetime(ticket.closed_at if open311_status(ticket.status) == "closed"
                                        and ticket.closed_at else ticket.updated_at),
        "expected_datetime": w3_datetime(ticket.due_at),
        "address": ticket.address or None,
        "address_id": ticket.grid_code,
        "zipcode": None,
        "lat": ticket.lat,
        "long": ticket.lon,
        "media_url": media_url,
    }


PRIVATE_COMMENTS = ("rate",)  # the reporter's own words at the callback stay inside


def _update_text(transition) -> str:
    if transition.action in PRIVATE_COMMENTS:
        rating = (transition.details or {}).get("rating")
        return f"callback: rated {rating} of 5" if rating is not None else "callback"
    return transition.comment or transition.action.replace("_", " ")


def update_of(transition) -> dict:
    """servicerequestupdates: one ``request_update`` per transition (every one of them)."""
    return {
        "update_id": transition.id,
        "service_request_id": transition.ticket_id,
        "status": open311_status(transition.to_status),
        "updated_datetime": w3_datetime(transition.at),
        "description": _update_text(transition),
        "media_url": None,
        "action": transition.action,
        "external_status_code": transition.to_status,
    }


def _attribute_value(definition: dict, value, code: str):
    field = f"attribute[{code}]"
    datatype = definition.get("datatype", "string")
    keys = {str(v["key"]) for v in definition.get("values") or []}
    if datatype == "multivaluelist":
        values = value if isinstance(value, list) else [value]
        unknown = [v for v in values if v not in keys]
        if unknown:
            raise InvalidInput(f"{field}: {unknown[0]!r} is not one of {', '.join(sorted(keys))}",
                               field=field)
        return values
    if isinstance(value, list):
        if len(value) != 1:
            raise InvalidInput(f"{field}: takes one value", field=field)
        value = value[0]
    if datatype == "singlevaluelist" and value not in keys:
        raise InvalidInput(f"{field}: {value!r} is not one of {', '.join(sorted(keys))}", field=field)
    if datatype == "number":
        try:
            float(value)
        except ValueError:
            raise InvalidInput(f"{field}: must be a number", field=field) from None
    if datatype == "datetime":
        try:
            datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(f"{field}: must be an ISO 8601 date or datetime", field=field) from None
    if datatype == "string" and ("\n" in value or "\r" in value):
        raise InvalidInput(f"{field}: a string has no line breaks", field=field)
    return value


def check_attributes(definitions: list[dict], given: dict) -> dict:
    """The attribute[code] answers against the service definition: required ones present, lists
    among their keys; codes the definition does not know are refused (a typo would be lost)."""
    by_code = {str(d["code"]): d for d in definitions or []}
    for code in given:
        if code not in by_code:
            raise InvalidInput(f"attribute[{code}]: this service has no attribute {code!r}",
                               field=f"attribute[{code}]")
    answers = {}
    for code, definition in by_code.items():
        value = given.get(code)
        empty = value is None or value == "" or value == [] or value == [""]
        if empty:
            if definition.get("required") and definition.get("variable", True):
                raise InvalidInput(f"attribute[{code}]: required by service {definition.get('code')}"
                                   f" ({definition.get('description') or code})",
                                   field=f"attribute[{code}]")
            continue
        answers[code] = _attribute_value(definition, value, code)
    return answers


def _float(value: str | None, field: str, low: float, high: float) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high or number != number:
        raise InvalidInput(f"{field}: must be a number from {low:g} to {high:g}", field=field)
    return number


def ticket_payload(form: dict, category) -> dict:
    """POST Service Request arguments → the tickets payload (channel district_system).

    The place is ``address_id``: our territory's grid code (15 digits), the "internal address ID
    used by the jurisdiction's addressing system". A ticket needs its grid (who handles it and
    whose rates it counts in), so coordinates or an address string alone are refused naming
    ``address_id``; they are kept alongside when given.
    """
    lat = _float(form.get("lat"), "lat", -90, 90)
    lon = _float(form.get("long"), "long", -180, 180)
    if (lat is None) != (lon is None):
        missing = "long" if lon is None else "lat"
        raise InvalidInput(f"{missing}: lat and long are sent together", field=missing)
    address_id = (form.get("address_id") or "").strip()
    if not address_id:
        raise InvalidInput("address_id: required here — the grid code (15 digits) of the place; "
                           "a request cannot be placed by lat/long or address_string alone",
                           field="address_id")
    if not GRID_CODE.fullmatch(address_id):
        raise InvalidInput(f"address_id: must be a grid code of 15 digits: {address_id!r}",
                           field="address_id")
    description = (form.get("description") or "").strip() or category.name
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(f"description: at most {MAX_DESCRIPTION} characters", field="description")
    name = " ".join(part.strip() for part in (form.get("last_name"), form.get("first_name"))
                    if part and part.strip())
    reporter = {key: value for key, value in (("name", name), ("phone", (form.get("phone") or "").strip()),
                                              ("email", (form.get("email") or "").strip())) if value}
    location = {"grid_code": address_id}
    if form.get("address_string") and form["address_string"].strip():
        location["address"] = form["address_string"].strip()
    if lat is not None:
        location.update(lat=lat, lon=lon)
    media_url = (form.get("media_url") or "").strip()
    return {
        "category_code": category.code,
        "description": description,
        "channel": "district_system",
        "anonymous": not reporter,
        "reporter": reporter or None,
        "location": location,
        "attributes": check_attributes(category.attributes or [], form.get("attribute") or {}),
        "attachments": [{"url": media_url, "sha256": None}] if media_url else [],
    }
