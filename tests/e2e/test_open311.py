"""Open311 GeoReport v2, spoken as a third-party 311 client speaks it.

The client side here is plain HTTP (``requests``), ``json`` and ``xml.etree`` only: form-encoded
POSTs with ``api_key``, both formats parsed and compared, element names and the spec's error list
(``[{"code", "description"}]`` / ``<errors><error>``) checked with their HTTP statuses. Tickets
are put behind the API through the tickets database where the test needs a history of its own.
"""
from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest
import requests
from sqlalchemy import func, select

from tests.e2e.conftest import COMMUNITY_A1, COMMUNITY_B1, DISTRICT, STREET_A, STREET_B

pytestmark = pytest.mark.broker

V2 = "/open311/v2"
GRID_A1 = COMMUNITY_A1 + "001"
GRID_B1 = COMMUNITY_B1 + "001"
REPORTER = {"name": "王秀英", "phone": "13905950123", "email": "wang.xiuying@example.cn"}
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code",
                  "description", "agency_responsible", "service_notice", "requested_datetime",
                  "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                  "lat", "long", "media_url"]


# --- the client: nothing but requests, json and xml.etree ---------------------------------------

@pytest.fixture
def base(api, platform_config):
    """The gateway's base URL (the gateway and the services behind it are running)."""
    return f"http://127.0.0.1:{platform_config['LINLI'].gateway_port}"


def get(base, path, **params):
    return requests.get(base + path, params=params, timeout=15)


def post_form(base, path, fields):
    """A form-encoded POST, as the spec's example request."""
    return requests.post(base + path, data=fields, timeout=15, headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})


def xml_of(response) -> ET.Element:
    assert response.headers["Content-Type"].startswith("text/xml"), response.headers
    assert response.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def json_of(response):
    assert response.headers["Content-Type"].startswith("application/json"), response.headers
    return json.loads(response.content.decode("utf-8"))


def xml_items(root: ET.Element, item: str) -> list[dict]:
    """<list><item><field>text</field>…</item></list> → [{field: text}] (flat fields only)."""
    assert all(child.tag == item for child in root), [child.tag for child in root]
    return [{field.tag: field.text for field in element} for element in root]


def assert_error(response, status, fmt="json", mentions=None) -> str:
    """The spec's error list with this HTTP status; returns the description."""
    assert response.status_code == status, (response.status_code, response.text)
    assert "problem" not in response.headers["Content-Type"]
    assert "Traceback" not in response.text
    if fmt == "json":
        errors = json_of(response)
        assert isinstance(errors, list) and errors
        assert set(errors[0]) == {"code", "description"}
        code, description = errors[0]["code"], errors[0]["description"]
    else:
        root = xml_of(response)
        assert root.tag == "errors"
        (error,) = root
        assert error.tag == "error" and [child.tag for child in error] == ["code", "description"]
        code, description = int(error.find("code").text), error.find("description").text
    assert code == status
    if mentions:
        assert mentions in description, description
    return description


# --- data behind the API -------------------------------------------------------------------------

def insert_ticket(tickets_db, *, grid=GRID_A1, category="sewer_overflow", status="submitted",
                  created_at=None, description="井盖下污水外溢", attributes=None, media=None,
                  reporter=REPORTER, address="中山路 1 号") -> dict:
    """A ticket as the tickets core stores one (with its submit transition)."""
    from services.tickets.history import append_transition
    from services.tickets.models import Ticket, TicketAttachment

    created_at = created_at or datetime.now(timezone.utc)
    with tickets_db.session_factory.begin() as session:
        ticket = Ticket(
            token=str(uuid.uuid4()), channel="hotline", category_code=category,
            description=description, status="submitted", anonymous=reporter is None,
            reporter_name=(reporter or {}).get("name"), reporter_phone=(reporter or {}).get("phone"),
            reporter_email=(reporter or {}).get("email"), address=address, grid_code=grid,
            community_code=grid[:12], street_code=grid[:9], lat=24.9087, lon=118.5863,
            attributes=attributes or {}, level="community", responsible_code=grid[:12],
            accountable_code=grid[:12], due_at=created_at + timedelta(hours=24), created_by="test",
            created_at=created_at, updated_at=created_at)
        session.add(ticket)
        session.flush()
        append_transition(session, ticket, "submit", "test", to_status="submitted", at=created_at)
        if media:
            session.add(TicketAttachment(ticket_id=ticket.id, url=media, added_by="test"))
        if status != "submitted":
            append_transition(session, ticket, "move", "test", to_status=status,
                              comment=f"now {status}", at=created_at + timedelta(minutes=5))
            if status == "closed":
                ticket.closed_at = created_at + timedelta(minutes=5)
        return {"id": ticket.id, "token": ticket.token, "due_at": ticket.due_at}


def transition(tickets_db, ticket_id, action, to_status, comment=None):
    from services.tickets.history import append_transition
    from services.tickets.models import Ticket

    with tickets_db.session_factory.begin() as session:
        ticket = session.get(Ticket, ticket_id)
        row = append_transition(session, ticket, action, "test", to_status=to_status, comment=comment)
        return row.id


def ticket_count(tickets_db) -> int:
    from services.tickets.models import Ticket

    with tickets_db.session_factory() as session:
        return session.scalar(select(func.count()).select_from(Ticket))


@pytest.fixture
def key(make_api_key, seeded):
    """A district system's integration key over the whole district."""
    return make_api_key("12345 hotline system", DISTRICT)[1]


# --- discovery, services, service definitions (public) -------------------------------------------

def test_discovery_names_the_georeport_v2_endpoint_in_both_formats(base):
    document = json_of(get(base, f"{V2}/discovery.json"))
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(document)
    (endpoint,) = document["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == base + V2
    assert endpoint["type"] == "production"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    datetime.fromisoformat(document["changeset"])

    root = xml_of(get(base, f"{V2}/discovery.xml"))
    assert root.tag == "discovery"
    assert root.find("endpoints/endpoint/specification").text == "http://wiki.open311.org/GeoReport_v2"
    assert root.find("endpoints/endpoint/type").text == "production"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == endpoint["formats"]


def test_the_service_list_is_the_category_catalogue_in_the_specs_words(base):
    response = get(base, f"{V2}/services.json")
    assert response.status_code == 200
    services = json_of(response)
    by_code = {service["service_code"]: service for service in services}
    assert {"sewer_overflow", "medical", "certificate_stamping"} <= set(by_code)
    for service in services:
        assert set(service) == {"service_code", "service_name", "description", "metadata", "type",
                                "keywords", "group"}
        assert service["type"] == "realtime"
        assert isinstance(service["metadata"], bool)
    assert by_code["sewer_overflow"]["metadata"] is True  # it has attributes to answer
    assert by_code["medical"]["metadata"] is False
    assert by_code["sewer_overflow"]["group"] == "infrastructure"

    root = xml_of(get(base, f"{V2}/services.xml", jurisdiction_id=DISTRICT))
    assert root.tag == "services"
    as_xml = xml_items(root, "service")
    assert [s["service_code"] for s in as_xml] == [s["service_code"] for s in services]
    sewer = next(s for s in as_xml if s["service_code"] == "sewer_overflow")
    assert sewer["metadata"] == "true" and sewer["type"] == "realtime"
    assert sewer["service_name"] == by_code["sewer_overflow"]["service_name"]
    assert sewer["keywords"] == by_code["sewer_overflow"]["keywords"]


def test_a_service_definition_lists_its_attributes_and_values(base):
    definition = json_of(get(base, f"{V2}/services/sewer_overflow.json"))
    assert definition["service_code"] == "sewer_overflow"
    severity = definition["attributes"][0]
    assert set(severity) == {"variable", "code", "datatype", "required", "datatype_description",
                             "order", "description", "values"}
    assert severity["code"] == "severity" and severity["datatype"] == "singlevaluelist"
    assert severity["required"] is True and severity["variable"] is True and severity["order"] == 1
    assert {"key": "overflow", "name": "Water on the street"} in severity["values"]
    assert [a["order"] for a in definition["attributes"]] == sorted(
        a["order"] for a in definition["attributes"])

    root = xml_of(get(base, f"{V2}/services/sewer_overflow.xml"))
    assert root.tag == "service_definition"
    assert root.find("service_code").text == "sewer_overflow"
    attribute = root.find("attributes/attribute")
    assert [child.tag for child in attribute] == ["variable", "code", "datatype", "required",
                                                  "datatype_description", "order", "description",
                                                  "values"]
    assert attribute.find("required").text == "true"
    keys = [value.find("key").text for value in attribute.findall("values/value")]
    assert keys == [value["key"] for value in severity["values"]]
    assert attribute.find("values/value/name").text == severity["values"][0]["name"]


def test_unknown_service_code_and_jurisdiction_are_404_error_lists(base):
    assert_error(get(base, f"{V2}/services/no_such_thing.json"), 404, "json", "service_code")
    assert_error(get(base, f"{V2}/services/no_such_thing.xml"), 404, "xml", "service_code")
    assert_error(get(base, f"{V2}/services.json", jurisdiction_id="sfgov.org"), 404, "json",
                 "jurisdiction_id")
    assert_error(get(base, f"{V2}/services.xml", jurisdiction_id="sfgov.org"), 404, "xml",
                 "jurisdiction_id")


def test_formats_paths_and_methods_outside_the_spec_are_error_lists_never_problems(base):
    assert_error(get(base, f"{V2}/services.html"), 400, "xml", "format")
    assert_error(get(base, f"{V2}/services"), 404, "xml")  # no format: no such resource
    assert_error(get(base, f"{V2}/nothing-here.json"), 404, "json")
    for path in ("/open311", "/open311/", f"{V2}/", f"{V2}/services/.json", f"{V2}/tokens/.json"):
        assert_error(get(base, path), 404, "xml" if not path.endswith(".json") else "json")
    assert_error(get(base, f"{V2}/requests/not-a-number.json"), 404, "json")
    assert_error(requests.delete(base + f"{V2}/services.json", timeout=15), 400, "json", "DELETE")
    assert_error(requests.put(base + f"{V2}/requests/1.xml", timeout=15), 400, "xml", "PUT")
    assert_error(get(base, f"{V2}/services.json", jurisdiction_id=["a", "b"]), 400, "json",
                 "more than once")


# --- reading service requests: an API key, its territory, no personal data -----------------------

def test_reading_requests_needs_a_valid_api_key_403_otherwise(base, key, tickets_db):
    ticket = insert_ticket(tickets_db)
    for path in (f"{V2}/requests.json", f"{V2}/requests/{ticket['id']}.json",
                 f"{V2}/tokens/{ticket['token']}.json", f"{V2}/servicerequestupdates.json"):
        assert_error(get(base, path), 403, "json", "api_key")
        assert_error(get(base, path, api_key="lk_not-a-key"), 403, "json", "api_key")
    assert_error(get(base, f"{V2}/requests.xml", api_key="lk_not-a-key"), 403, "xml", "api_key")
    # the key may also travel as a header
    response = requests.get(base + f"{V2}/requests/{ticket['id']}.json", timeout=15,
                            headers={"X-API-Key": key})
    assert response.status_code == 200


def test_a_request_in_both_formats_with_the_sla_due_time_and_no_reporter(base, key, tickets_db):
    ticket = insert_ticket(tickets_db, media="https://img.example.cn/1.jpg",
                           attributes={"severity": "overflow"})
    response = get(base, f"{V2}/requests/{ticket['id']}.json", api_key=key)
    assert response.status_code == 200
    (request,) = json_of(response)
    assert list(request) == REQUEST_FIELDS
    assert request["service_request_id"] == ticket["id"]
    assert request["status"] == "open"
    assert request["service_code"] == "sewer_overflow"
    assert request["service_name"].startswith("下水道")
    assert request["address_id"] == GRID_A1 and request["address"] == "中山路 1 号"
    assert request["lat"] == 24.9087 and request["long"] == 118.5863
    assert request["media_url"] == "https://img.example.cn/1.jpg"
    assert request["agency_responsible"] == COMMUNITY_A1
    expected = datetime.fromisoformat(request["expected_datetime"])
    assert expected.utcoffset() == timedelta(hours=8)
    assert expected == ticket["due_at"].replace(microsecond=0)
    assert datetime.fromisoformat(request["requested_datetime"]).utcoffset() is not None
    for secret in REPORTER.values():
        assert secret not in response.text

    xml_response = get(base, f"{V2}/requests/{ticket['id']}.xml", api_key=key)
    root = xml_of(xml_response)
    assert root.tag == "service_requests"
    (as_xml,) = xml_items(root, "request")
    assert list(as_xml) == REQUEST_FIELDS
    assert as_xml["service_request_id"] == str(ticket["id"])
    assert as_xml["expected_datetime"] == request["expected_datetime"]
    assert as_xml["zipcode"] is None  # an empty element, as the spec's examples
    for secret in REPORTER.values():
        assert secret not in xml_response.text


def test_unknown_and_out_of_scope_requests_are_the_same_404(base, make_api_key, seeded, tickets_db):
    ticket = insert_ticket(tickets_db, grid=GRID_A1)
    _, key_b = make_api_key("浮桥 street system", STREET_B)
    for path in (f"{V2}/requests/{ticket['id']}.json", f"{V2}/requests/987654.json"):
        description = assert_error(get(base, path, api_key=key_b), 404, "json", "service_request_id")
        assert "was not found" in description
    assert_error(get(base, f"{V2}/requests/987654.xml", api_key=key_b), 404, "xml")
    assert json_of(get(base, f"{V2}/requests.json", api_key=key_b)) == []
    _, key_a = make_api_key("江南 street system", STREET_A)
    assert [r["service_request_id"] for r in json_of(get(base, f"{V2}/requests.json",
                                                         api_key=key_a))] == [ticket["id"]]


def test_a_token_gives_the_service_request_id(base, key, tickets_db):
    ticket = insert_ticket(tickets_db)
    assert json_of(get(base, f"{V2}/tokens/{ticket['token']}.json", api_key=key)) == [
        {"service_request_id": ticket["id"], "token": ticket["token"]}]
    root = xml_of(get(base, f"{V2}/tokens/{ticket['token']}.xml", api_key=key))
    assert root.tag == "service_requests"
    assert xml_items(root, "request") == [{"service_request_id": str(ticket["id"]),
                                           "token": ticket["token"]}]
    assert_error(get(base, f"{V2}/tokens/{uuid.uuid4()}.json", api_key=key), 404, "json", "token")
    assert_error(get(base, f"{V2}/tokens/{uuid.uuid4()}.xml", api_key=key), 404, "xml", "token")


def test_request_filters_status_service_code_ids_and_dates(base, key, tickets_db):
    now = datetime.now(timezone.utc)
    open_sewer = insert_ticket(tickets_db, category="sewer_overflow", created_at=now - timedelta(days=2))
    closed_road = insert_ticket(tickets_db, category="broken_road", status="closed",
                                created_at=now - timedelta(days=1))
    rejected = insert_ticket(tickets_db, category="medical", status="rejected",
                             created_at=now - timedelta(hours=1))
    old = insert_ticket(tickets_db, category="medical", created_at=now - timedelta(days=120))

    def ids(**params):
        response = get(base, f"{V2}/requests.json", api_key=key, **params)
        assert response.status_code == 200, response.text
        return [request["service_request_id"] for request in json_of(response)]

    # newest first; the default window is the most recent 90 days
    assert ids() == [rejected["id"], closed_road["id"], open_sewer["id"]]
    assert ids(status="open") == [open_sewer["id"]]
    assert ids(status="closed") == [rejected["id"], closed_road["id"]]
    assert ids(status="open,closed") == ids()
    assert ids(status="open,open") == ids(status="open")
    assert ids(service_code="broken_road,sewer_overflow") == [closed_road["id"], open_sewer["id"]]
    assert ids(service_code="no_such_code") == []
    # service_request_id overrides every other argument, the old one included
    assert sorted(ids(service_request_id=f"{old['id']},{open_sewer['id']}", status="closed")) == sorted(
        [old["id"], open_sewer["id"]])
    start = (now - timedelta(days=130)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (now - timedelta(days=100)).astimezone(timezone(timedelta(hours=8))).isoformat()
    assert ids(start_date=start, end_date=end) == [old["id"]]
    assert ids(start_date=(now - timedelta(days=1, hours=1)).isoformat()) == [rejected["id"],
                                                                               closed_road["id"]]
    closed_xml = xml_items(xml_of(get(base, f"{V2}/requests.xml", api_key=key, status="closed")),
                           "request")
    assert [r["status"] for r in closed_xml] == ["closed", "closed"]
    assert closed_xml[1]["status_notes"] == "now closed"

    for params, field in (({"status": "pending"}, "status"), ({"start_date": "yesterday"}, "start_date"),
                          ({"start_date": "2026-01-01T00:00:00"}, "start_date"),
                          ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
                           "end_date"),
                          ({"service_request_id": "12,abc"}, "service_request_id"),
                          ({"page_size": "0"}, "page_size"), ({"page": "-1"}, "page")):
        assert_error(get(base, f"{V2}/requests.json", api_key=key, **params), 400, "json", field)
        assert_error(get(base, f"{V2}/requests.xml", api_key=key, **params), 400, "xml", field)


def test_requests_page_with_page_and_page_size(base, key, tickets_db):
    now = datetime.now(timezone.utc)
    made = [insert_ticket(tickets_db, created_at=now - timedelta(minutes=n))["id"] for n in range(5)]
    seen, page, links = [], 1, []
    while True:
        response = get(base, f"{V2}/requests.json", api_key=key, page_size=2, page=page)
        assert response.status_code == 200
        seen += [request["service_request_id"] for request in json_of(response)]
        if "Link" not in response.headers:
            break
        links.append(response.headers["Link"])
        page += 1
    assert seen == made  # newest first, each once
    assert len(links) == 2 and 'rel="next"' in links[0] and "page=2" in links[0]
    assert key not in links[0]  # a link never carries the key
    assert json_of(get(base, f"{V2}/requests.json", api_key=key, page_size=2, page=9)) == []


def test_the_update_feed_carries_every_transition_with_a_cursor(base, key, tickets_db):
    ticket = insert_ticket(tickets_db)
    other = insert_ticket(tickets_db, category="medical")
    transition(tickets_db, ticket["id"], "accept", "accepted", "受理")
    transition(tickets_db, ticket["id"], "remind", "accepted", "催办")
    last = transition(tickets_db, ticket["id"], "close", "closed", "已办结")

    updates = json_of(get(base, f"{V2}/servicerequestupdates.json", api_key=key))
    mine = [u for u in updates if u["service_request_id"] == ticket["id"]]
    assert [u["action"] for u in mine] == ["submit", "accept", "remind", "close"]
    assert [u["status"] for u in mine] == ["open", "open", "open", "closed"]
    assert [u["description"] for u in mine[1:]] == ["受理", "催办", "已办结"]
    assert mine[-1]["update_id"] == last and mine[-1]["external_status_code"] == "closed"
    assert set(mine[0]) == {"update_id", "service_request_id", "status", "updated_datetime",
                            "description", "media_url", "action", "external_status_code"}
    assert [u["update_id"] for u in updates] == sorted(u["update_id"] for u in updates)
    assert {u["service_request_id"] for u in updates} == {ticket["id"], other["id"]}

    # the cursor: since = the last update_id seen, page_size bounds a page, Link names the next
    first = get(base, f"{V2}/servicerequestupdates.json", api_key=key, page_size=2)
    page = json_of(first)
    assert [u["update_id"] for u in page] == [u["update_id"] for u in updates[:2]]
    assert f"since={page[-1]['update_id']}" in first.headers["Link"]
    rest = json_of(get(base, f"{V2}/servicerequestupdates.json", api_key=key,
                       since=page[-1]["update_id"]))
    assert page + rest == updates
    assert json_of(get(base, f"{V2}/servicerequestupdates.json", api_key=key, since=last)) == []
    only = json_of(get(base, f"{V2}/servicerequestupdates.json", api_key=key,
                       service_request_id=str(other["id"])))
    assert [u["service_request_id"] for u in only] == [other["id"]]

    root = xml_of(get(base, f"{V2}/servicerequestupdates.xml", api_key=key))
    assert root.tag == "service_request_updates"
    as_xml = xml_items(root, "request_update")
    assert [int(u["update_id"]) for u in as_xml] == [u["update_id"] for u in updates]
    assert as_xml[-1]["status"] == updates[-1]["status"]
    assert_error(get(base, f"{V2}/servicerequestupdates.json", api_key=key, since="x"), 400, "json",
                 "since")


# --- filing a service request --------------------------------------------------------------------

def test_errors_before_any_ticket_is_made(base, key, tickets_db, make_api_key):
    """Bad key, unknown service_code, missing required attribute, no place, another territory:
    each the spec's error with its status, and nothing stored."""
    before = ticket_count(tickets_db)
    good = {"api_key": key, "service_code": "sewer_overflow", "address_id": GRID_A1,
            "attribute[severity]": "overflow", "description": "污水外溢"}
    cases = [
        ({**good, "api_key": "lk_wrong"}, 403, "api_key"),
        ({k: v for k, v in good.items() if k != "api_key"}, 403, "api_key"),
        ({**good, "service_code": "no_such_service"}, 404, "service_code"),
        ({**good, "jurisdiction_id": "city.gov"}, 404, "jurisdiction_id"),
        ({k: v for k, v in good.items() if k != "attribute[severity]"}, 400, "attribute[severity]"),
        ({**good, "attribute[severity]": "tsunami"}, 400, "attribute[severity]"),
        ({**good, "attribute[colour]": "red"}, 400, "attribute[colour]"),
        ({k: v for k, v in good.items() if k != "address_id"}, 400, "address_id"),
        ({**{k: v for k, v in good.items() if k != "address_id"}, "lat": "24.9", "long": "118.5"},
         400, "address_id"),
        ({**good, "address_id": "350502"}, 400, "address_id"),
        ({**good, "address_id": COMMUNITY_A1 + "009"}, 400, "address_id"),  # no such grid
        ({**good, "description": "井" * 4001}, 400, "description"),
        ({**good, "description": "nul \x00 here"}, 400, "description"),
        # refused by the tickets core, named in Open311 words
        ({**good, "phone": "call me"}, 400, "phone"),
        ({**good, "email": "not-an-address"}, 400, "email"),
        ({**good, "address_string": "路" * 301}, 400, "address_string"),
        ({**good, "lat": "24.9"}, 400, "long"),
        ({**good, "lat": "124.9", "long": "118.5"}, 400, "lat"),
        ({**good, "service_code": ""}, 400, "service_code"),
    ]
    for fields, status, mention in cases:
        assert_error(post_form(base, f"{V2}/requests.json", fields), status, "json", mention)
        assert_error(post_form(base, f"{V2}/requests.xml", fields), status, "xml", mention)
    _, key_b = make_api_key("浮桥 street system", STREET_B)
    assert_error(post_form(base, f"{V2}/requests.json", {**good, "api_key": key_b}), 403, "json")
    # not a form
    response = requests.post(base + f"{V2}/requests.json", params={"api_key": key}, json=good,
                             timeout=15)
    assert_error(response, 400, "json", "x-www-form-urlencoded")
    assert ticket_count(tickets_db) == before


def test_a_form_post_files_a_ticket_seen_in_both_formats(base, key, tickets_db):
    fields = {"api_key": key, "jurisdiction_id": DISTRICT, "service_code": "sewer_overflow",
              "address_id": GRID_A1, "address_string": "中山路 12 号", "lat": "24.9087",
              "long": "118.5863", "email": "wang@example.cn", "first_name": "秀英", "last_name": "王",
              "phone": "13905950123", "device_id": "tt222111", "account_id": "123456",
              "description": "下水道外溢，味道很大", "media_url": "https://img.example.cn/s.jpg",
              "attribute[severity]": "overflow", "attribute[near_building]": "菜市场"}
    response = post_form(base, f"{V2}/requests.json", fields)
    assert response.status_code == 200, response.text
    (created,) = json_of(response)
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    assert "token" not in created  # realtime: the id, not a token
    request_id = created["service_request_id"]

    (request,) = json_of(get(base, f"{V2}/requests/{request_id}.json", api_key=key))
    assert request["service_code"] == "sewer_overflow" and request["status"] == "open"
    assert request["description"] == "下水道外溢，味道很大"
    assert request["address_id"] == GRID_A1 and request["address"] == "中山路 12 号"
    assert request["lat"] == 24.9087 and request["long"] == 118.5863
    assert request["media_url"] == "https://img.example.cn/s.jpg"
    assert datetime.fromisoformat(request["expected_datetime"]) > datetime.fromisoformat(
        request["requested_datetime"])
    text = get(base, f"{V2}/requests/{request_id}.xml", api_key=key).text
    for secret in ("13905950123", "wang@example.cn", "秀英"):
        assert secret not in text

    root = xml_of(post_form(base, f"{V2}/requests.xml", {**fields, "attribute[severity]": "minor"}))
    assert root.tag == "service_requests"
    (as_xml,) = xml_items(root, "request")
    assert int(as_xml["service_request_id"]) > request_id
    assert as_xml["service_notice"]

    from services.tickets.models import Ticket

    with tickets_db.session_factory() as session:
        ticket = session.get(Ticket, request_id)
        assert ticket.channel == "district_system"
        assert ticket.attributes == {"severity": "overflow", "near_building": "菜市场"}
        token = ticket.token
    assert json_of(get(base, f"{V2}/tokens/{token}.json", api_key=key)) == [
        {"service_request_id": request_id, "token": token}]


def test_a_multivaluelist_attribute_and_an_anonymous_report(base, key, tickets_db):
    response = requests.post(base + f"{V2}/requests.json", timeout=15, data=[
        ("api_key", key), ("service_code", "broken_road"), ("address_id", GRID_A1),
        ("attribute[hazard][]", "pothole"), ("attribute[hazard][]", "light")])
    assert response.status_code == 200, response.text
    (created,) = json_of(response)
    from services.tickets.models import Ticket

    with tickets_db.session_factory() as session:
        ticket = session.get(Ticket, created["service_request_id"])
        assert ticket.attributes == {"hazard": ["pothole", "light"]}
        assert ticket.anonymous and ticket.reporter_name is None


def test_the_update_feed_follows_the_lifecycle_worked_through_the_api(base, key, auth, tickets_db):
    """Filed through Open311, worked by staff through /api/v1/tickets/{id}/transitions, rated at
    the callback: every step is one update, and the request closes."""
    (created,) = json_of(post_form(base, f"{V2}/requests.json", {
        "api_key": key, "service_code": "medical", "address_id": GRID_A1,
        "description": "独居老人需要上门护理", "first_name": "秀英", "last_name": "王"}))
    request_id = created["service_request_id"]
    staff = auth("community_worker", COMMUNITY_A1)
    steps = [{"action": "accept", "comment": "已受理"},
             {"action": "dispatch", "comment": "派给网格员",
              "assignee": {"kind": "grid_worker", "ref": "grid-worker-7"}},
             {"action": "sign_for", "comment": "已签收"}, {"action": "start", "comment": "上门中"},
             {"action": "resolve", "comment": "已安排护理"}]
    for step in steps:
        response = requests.post(base + f"/api/v1/tickets/{request_id}/transitions", json=step,
                                 headers=staff, timeout=15)
        assert response.status_code == 200, response.text
    (request,) = json_of(get(base, f"{V2}/requests/{request_id}.json", api_key=key))
    assert request["status"] == "open" and request["status_notes"] == "已安排护理"
    rated = requests.post(base + f"/api/v1/tickets/{request_id}/rating", headers=staff, timeout=15,
                          json={"rating": 5, "comment": "王阿姨很满意, 电话 13905950123"})
    assert rated.status_code == 200, rated.text

    updates = json_of(get(base, f"{V2}/servicerequestupdates.json", api_key=key,
                          service_request_id=str(request_id)))
    actions = [u["action"] for u in updates]
    assert actions[:6] == ["submit", "accept", "dispatch", "sign_for", "start", "resolve"]
    assert "rate" in actions and actions[-1] == "close"
    assert [u["description"] for u in updates[1:6]] == [s["comment"] for s in steps]
    assert updates[-1]["status"] == "closed" and updates[0]["status"] == "open"
    assert "13905950123" not in json.dumps(updates, ensure_ascii=False)  # the reporter's words stay
    history = requests.get(base + f"/api/v1/tickets/{request_id}/transitions", headers=staff,
                           timeout=15).json()["items"]
    assert [u["update_id"] for u in updates] == [t["id"] for t in history]

    (request,) = json_of(get(base, f"{V2}/requests/{request_id}.json", api_key=key))
    assert request["status"] == "closed"
    (as_xml,) = xml_items(xml_of(get(base, f"{V2}/requests/{request_id}.xml", api_key=key)), "request")
    assert as_xml["status"] == "closed" and as_xml["updated_datetime"] == request["updated_datetime"]
