"""Open311 GeoReport v2 without a broker: the two formats, the error list, and the rules that read
the spec's arguments and turn a POST into a ticket payload."""
import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from gateway.open311.format import error_response, format_of, render, to_xml
from services.tickets.domain import open311 as rules
from shared.errors import InvalidInput, MalformedRequest, NotFound

SEWER = SimpleNamespace(
    code="sewer_overflow", name="下水道堵塞外溢 Sewer overflow", description="A blocked sewer",
    group="infrastructure", keywords="下水道,堵塞", sla_hours=24,
    attributes=[{"code": "severity", "description": "How bad?", "datatype": "singlevaluelist",
                 "required": True, "order": 1, "datatype_description": "",
                 "values": [{"key": "minor", "name": "Minor"}, {"key": "flooding", "name": "Flood"}]},
                {"code": "hazard", "description": "What?", "datatype": "multivaluelist",
                 "required": False, "order": 3,
                 "values": [{"key": "pothole", "name": "Pothole"}, {"key": "light", "name": "Light"}]},
                {"code": "households", "description": "How many?", "datatype": "number",
                 "required": False, "order": 2, "values": []}])


# --- formats -------------------------------------------------------------------------------------

def test_a_list_is_a_json_array_and_an_xml_list_element_of_items():
    services = [rules.service_of(SEWER)]
    as_json = json.loads(render("json", "services", services).get_data())
    assert as_json == services
    response = render("xml", "services", services)
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    text = response.get_data(as_text=True)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<services><service>')
    root = ET.fromstring(response.get_data())
    (service,) = root
    assert service.tag == "service"
    assert [child.tag for child in service] == ["service_code", "service_name", "description",
                                                "metadata", "type", "keywords", "group"]
    assert service.find("metadata").text == "true"
    assert service.find("service_name").text == SEWER.name


def test_nested_lists_take_the_specs_item_names_and_null_is_an_empty_element():
    root = ET.fromstring(to_xml("service_definition", rules.service_definition_of(SEWER)))
    assert [a.find("code").text for a in root.findall("attributes/attribute")] == [
        "severity", "households", "hazard"]  # by order
    assert [v.find("key").text for v in root.findall("attributes/attribute/values/value")] == [
        "minor", "flooding", "pothole", "light"]
    assert root.find("attributes/attribute/datatype_description").text is None
    discovery = ET.fromstring(to_xml("discovery", {"endpoints": [{"formats": ["text/xml"]}]}))
    assert discovery.find("endpoints/endpoint/formats/format").text == "text/xml"


def test_text_is_escaped_and_characters_xml_cannot_carry_are_dropped():
    root = ET.fromstring(to_xml("service_requests", [{"description": "a <b> & \"c\"\x0b\x01 井盖"}]))
    assert root.find("request/description").text == 'a <b> & "c" 井盖'


def test_errors_are_the_specs_list_in_either_format():
    response = error_response("json", 404, "service_code: 'x' was not found")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.get_data()) == [{"code": 404,
                                                "description": "service_code: 'x' was not found"}]
    response = error_response("xml", 403, "api_key: invalid")
    root = ET.fromstring(response.get_data())
    assert root.tag == "errors"
    assert [(e.find("code").text, e.find("description").text) for e in root] == [("403",
                                                                                  "api_key: invalid")]
    assert error_response("html", 400, "x").headers["Content-Type"].startswith("text/xml")


@pytest.mark.parametrize("path, fmt", [("/open311/v2/services.json", "json"),
                                       ("/open311/v2/services.xml", "xml"),
                                       ("/open311/v2/services", "xml"),
                                       ("/open311/v2/services.html", "xml"),
                                       ("/open311/v2.json/services", "xml")])
def test_the_format_of_a_path(path, fmt):
    assert format_of(path) == fmt


# --- the spec's arguments ------------------------------------------------------------------------

def test_datetimes_are_w3c_with_a_zone_both_ways():
    moment = datetime(2026, 11, 23, 9, 0, 0, 123456, tzinfo=timezone.utc)
    assert rules.w3_datetime(moment) == "2026-11-23T17:00:00+08:00"
    assert rules.w3_datetime(None) is None
    assert rules.parse_datetime("2026-11-23T09:00:00Z", "start_date") == moment.replace(microsecond=0)
    assert rules.parse_datetime("2026-11-23T17:00:00+08:00", "x") == moment.replace(microsecond=0)
    for bad in ("2026-11-23T09:00:00", "2026-11-23", "yesterday", ""):
        with pytest.raises(MalformedRequest) as error:
            rules.parse_datetime(bad, "start_date")
        assert error.value.field == "start_date"


def test_the_default_window_is_the_last_90_days_and_may_not_be_longer():
    now = datetime(2026, 11, 23, tzinfo=timezone.utc)
    assert rules.request_window(None, None, now) == (now - timedelta(days=90), now)
    start = now - timedelta(days=200)
    assert rules.request_window(start, None, now) == (start, start + timedelta(days=90))
    assert rules.request_window(None, now, now) == (now - timedelta(days=90), now)
    with pytest.raises(MalformedRequest, match="90 days"):
        rules.request_window(start, now, now)
    with pytest.raises(MalformedRequest, match="before"):
        rules.request_window(now, start, now)


def test_lists_ids_and_numbers():
    assert rules.parse_list("open, closed", "status", rules.OPEN311_STATUSES) == ["open", "closed"]
    assert rules.parse_list("", "status") == []
    with pytest.raises(MalformedRequest, match="status"):
        rules.parse_list("open,pending", "status", rules.OPEN311_STATUSES)
    assert rules.parse_ids("3,4") == [3, 4]
    for bad in ("3,x", "0", "-1", "99999999999"):
        with pytest.raises(MalformedRequest):
            rules.parse_ids(bad)
    assert rules.parse_int(None, "page", 1, 1, 10) == 1
    with pytest.raises(MalformedRequest, match="page_size"):
        rules.parse_int("1001", "page_size", 1000, 1, 1000)


def test_one_jurisdiction():
    rules.check_jurisdiction(None)
    rules.check_jurisdiction("")
    rules.check_jurisdiction("350502")
    with pytest.raises(NotFound) as error:
        rules.check_jurisdiction("sfgov.org")
    assert error.value.field == "jurisdiction_id"


def test_field_names_are_translated_into_the_specs():
    assert rules.open311_field("category_code") == "service_code"
    assert rules.open311_field("location.grid_code") == "address_id"
    assert rules.open311_field("location.lon") == "long"
    assert rules.open311_field("attributes.severity") == "attribute[severity]"
    assert rules.open311_field("attachments.0.url") == "media_url"
    assert rules.open311_field("reporter.phone") == "phone"
    assert rules.open311_field(None) is None


# --- a POST becomes a ticket payload -------------------------------------------------------------

def test_a_post_becomes_a_district_system_ticket_placed_by_its_grid():
    payload = rules.ticket_payload({
        "address_id": "350502001001001", "address_string": "中山路 1 号", "lat": "24.9", "long": "118.5",
        "first_name": "秀英", "last_name": "王", "phone": "13905950123", "email": "w@example.cn",
        "description": "污水", "media_url": "https://img.example.cn/1.jpg",
        "attribute": {"severity": "flooding", "hazard": ["pothole", "light"], "households": "3"}},
        SEWER)
    assert payload == {
        "category_code": "sewer_overflow", "description": "污水", "channel": "district_system",
        "anonymous": False, "reporter": {"name": "王 秀英", "phone": "13905950123",
                                         "email": "w@example.cn"},
        "location": {"grid_code": "350502001001001", "address": "中山路 1 号", "lat": 24.9,
                     "lon": 118.5},
        "attributes": {"severity": "flooding", "hazard": ["pothole", "light"], "households": "3"},
        "attachments": [{"url": "https://img.example.cn/1.jpg", "sha256": None}]}
    anonymous = rules.ticket_payload({"address_id": "350502001001001",
                                      "attribute": {"severity": "minor"}}, SEWER)
    assert anonymous["anonymous"] is True and anonymous["reporter"] is None
    assert anonymous["description"] == SEWER.name  # the spec makes description optional
    assert anonymous["attachments"] == [] and anonymous["location"] == {"grid_code": "350502001001001"}


@pytest.mark.parametrize("form, field", [
    ({"attribute": {"severity": "minor"}}, "address_id"),
    ({"lat": "24.9", "long": "118.5", "attribute": {"severity": "minor"}}, "address_id"),
    ({"address_string": "中山路", "attribute": {"severity": "minor"}}, "address_id"),
    ({"address_id": "35050200100100", "attribute": {"severity": "minor"}}, "address_id"),
    ({"address_id": "350502001001001", "lat": "24.9", "attribute": {"severity": "minor"}}, "long"),
    ({"address_id": "350502001001001", "lat": "x", "long": "1", "attribute": {}}, "lat"),
    ({"address_id": "350502001001001", "attribute": {}}, "attribute[severity]"),
    ({"address_id": "350502001001001", "attribute": {"severity": ""}}, "attribute[severity]"),
    ({"address_id": "350502001001001", "attribute": {"severity": "tsunami"}}, "attribute[severity]"),
    ({"address_id": "350502001001001", "attribute": {"severity": ["minor", "flooding"]}},
     "attribute[severity]"),
    ({"address_id": "350502001001001", "attribute": {"severity": "minor", "hazard": ["fire"]}},
     "attribute[hazard]"),
    ({"address_id": "350502001001001", "attribute": {"severity": "minor", "households": "many"}},
     "attribute[households]"),
    ({"address_id": "350502001001001", "attribute": {"severity": "minor", "colour": "red"}},
     "attribute[colour]"),
    ({"address_id": "350502001001001", "description": "x" * 4001,
      "attribute": {"severity": "minor"}}, "description"),
])
def test_a_post_is_refused_naming_the_argument_at_fault(form, field):
    with pytest.raises(InvalidInput) as error:
        rules.ticket_payload(form, SEWER)
    assert error.value.field == field
    assert error.value.detail.startswith(field + ":")


# --- what leaves -------------------------------------------------------------------------------

def _ticket(**changes):
    now = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)
    values = dict(id=7, status="in_progress", category_code="sewer_overflow", description="污水",
                  responsible_code="350502001001", created_at=now, updated_at=now,
                  closed_at=None, due_at=now + timedelta(hours=24), address="中山路",
                  grid_code="350502001001001", lat=None, lon=None, reporter_name="王秀英",
                  reporter_phone="13905950123", reporter_email="w@example.cn")
    values.update(changes)
    return SimpleNamespace(**values)


def test_a_request_carries_the_sla_due_time_and_never_the_reporter():
    request = rules.request_of(_ticket(), SEWER, "上门中", None)
    assert request["status"] == "open"
    assert request["expected_datetime"] == "2026-11-24T09:00:00+08:00"
    assert request["address_id"] == "350502001001001" and request["status_notes"] == "上门中"
    text = json.dumps(request, ensure_ascii=False)
    for secret in ("王秀英", "13905950123", "w@example.cn"):
        assert secret not in text
    closed_at = datetime(2026, 11, 23, 5, 0, tzinfo=timezone.utc)
    closed = rules.request_of(_ticket(status="closed", closed_at=closed_at,
                                      updated_at=closed_at + timedelta(hours=1)), SEWER, None, None)
    assert closed["status"] == "closed"
    assert closed["updated_datetime"] == "2026-11-23T13:00:00+08:00"  # the date it was closed
    assert rules.request_of(_ticket(status="rejected"), SEWER, None, None)["status"] == "closed"


def test_an_update_is_one_transition_and_the_callback_keeps_the_reporters_words():
    at = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)
    row = SimpleNamespace(id=31, ticket_id=7, action="resolve", to_status="resolved", comment="已修复",
                          details={}, at=at)
    assert rules.update_of(row) == {
        "update_id": 31, "service_request_id": 7, "status": "open",
        "updated_datetime": "2026-11-23T09:00:00+08:00", "description": "已修复", "media_url": None,
        "action": "resolve", "external_status_code": "resolved"}
    rated = SimpleNamespace(id=32, ticket_id=7, action="rate", to_status="resolved",
                            comment="王阿姨 13905950123", details={"rating": 5}, at=at)
    assert rules.update_of(rated)["description"] == "callback: rated 5 of 5"
    closed = SimpleNamespace(id=33, ticket_id=7, action="close", to_status="closed", comment=None,
                             details={}, at=at)
    assert rules.update_of(closed)["status"] == "closed"
    assert rules.update_of(closed)["description"] == "close"
