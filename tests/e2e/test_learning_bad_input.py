"""Bad input to every learning route, driven by the gateway's own OpenAPI document: whatever a
client sends — a wrong id in the path, a body that is not an object, a field of the wrong type or
out of range, text no database can store, a date that does not exist, a forged cursor — the
answer is a 4xx application/problem+json, never a 5xx.

Each test sends the battery to one area's operations (as the OpenAPI document lists them, so a
route added later is covered too) against learning rows made through the API, then reports every
miss at once. The bodies start from a valid one (below) with one field spoiled at a time, so the
bad value gets past the schema's other checks to wherever it could hurt.
"""
from __future__ import annotations

import base64
import copy
import json
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest

from tests.e2e.conftest import COMMUNITY_A1, DISTRICT, PROBLEM, STREET_A, assert_problem
from tests.e2e.test_volunteers_api import add_resident

pytestmark = pytest.mark.broker

API = "/api/v1/"
GRID = f"{COMMUNITY_A1}001"
NOTE = "深入学习党的创新理论，联系社区工作实际，" * 20  # 400 characters
NOW = datetime.now(timezone.utc).replace(microsecond=0)
TODAY = NOW.date().isoformat()
SPOILED = "\x01spoiled\x01"  # stands for the bad value while a body is being built


def at(hours: float) -> str:
    return (NOW + timedelta(hours=hours)).isoformat()


def raw(value) -> str:
    return json.dumps(value, ensure_ascii=False)


# A bad value is JSON text (so a lone surrogate or 1e309 can be sent as such).
WRONG_TYPES = {"a string": raw("abc"), "a numeric string": raw("1"), "an int": "7",
               "a fraction": "1.5", "a list": raw(["x"]), "an object": raw({"n": 1}),
               "true": "true", "null": "null"}
OUT_OF_RANGE = {"2**63": str(2 ** 63), "2**31": str(2 ** 31), "the largest id": str(2 ** 31 - 1),
                "-1": "-1", "0": "0", "1e309": "1e309", "-1e309": "-1e309"}
BAD_TEXT = {"10,000 characters": raw("长" * 10_000), "a NUL": raw("a\x00b"),
            "a lone surrogate": '"\\ud800"', "an empty string": raw(""), "blanks": raw("   ")}
BAD_DATES = {"2026-02-30": raw("2026-02-30"), "yesterday": raw("yesterday"),
             "year 1": raw("0001-01-01"), "year 9999": raw("9999-12-31"),
             "a datetime for a date": raw("2026-03-01T09:00:00+08:00")}
BAD_DATETIMES = {"no zone": raw("2026-03-01T09:00:00"),
                 "2026-02-30 with a zone": raw("2026-02-30T09:00:00+08:00"),
                 "year 1 east of UTC": raw("0001-01-01T00:00:00+08:00"),
                 "year 1 in UTC": raw("0001-01-01T00:00:00+00:00"),
                 "year 9999 west of UTC": raw("9999-12-31T23:00:00-08:00"),
                 "year 9999 in UTC": raw("9999-12-31T23:59:59+00:00"),
                 "a date for a datetime": raw("2026-03-01"), "yesterday": raw("yesterday")}
BAD_TIMES = {"25:00": raw("25:00"), "a time with a zone": raw("19:30:00+08:00"),
             "a datetime for a time": raw("2026-03-01T19:30:00+08:00"),
             "microseconds": raw("23:59:59.999999")}
UNSTORABLE = ("a NUL", "a lone surrogate")
NOT_OBJECTS = {"not JSON": b"resident_id=1", "malformed JSON": b'{"a": ', "empty": b"",
               "a JSON array": b"[{}]", "JSON null": b"null", "a JSON string": b'"x"',
               "a JSON number": b"42", "an empty object": b"{}", "not UTF-8": b'{"a": "\xff"}',
               "a lone surrogate as a key": b'{"\\ud800": 1}'}
PATH_IDS = ("0", "-1", str(2 ** 31), str(2 ** 63), "abc", "1.5", "9" * 40)
QUERY_VALUES = {"abc": "abc", "1.5": "1.5", "-1": "-1", "0": "0", "2**31": str(2 ** 31),
                "2**63": str(2 ** 63), "30 nines": "9" * 30, "1e309": "1e309", "empty": "",
                "true": "true", "a list": "[1]", "2,000 characters": "x" * 2000,
                "a NUL": "a\x00b", "2026-02-30": "2026-02-30", "yesterday": "yesterday",
                "year 1": "0001-01-01", "year 9999": "9999-12-31",
                "a datetime": "2026-03-01T09:00:00"}


def cursor_of(*key) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


FORGED_CURSORS = {
    "zzz": "zzz", "not base64": "!!!", "base64 of junk": base64.urlsafe_b64encode(
        b"\x00\xffjunk").decode(), "an empty list": cursor_of(), "two keys": cursor_of(1, 2),
    "a huge id": cursor_of(2 ** 63), "id 2**31": cursor_of(2 ** 31), "id -1": cursor_of(-1),
    "a fraction": cursor_of(1.5), "null": cursor_of(None), "a list": cursor_of([1]),
    "an object": cursor_of({}), "true": cursor_of(True), "a long string": cursor_of("z" * 5000),
    "a NUL": cursor_of("\x00"), "text|id": cursor_of("x|1"),
    "year 1 east of UTC|id": cursor_of("0001-01-01T00:00:00+08:00|1"),
    "year 9999 west of UTC|id": cursor_of("9999-12-31T23:00:00-08:00|1"),
    "a time without a zone|id": cursor_of("2026-01-01T00:00:00|1"),
    "a time|a huge id": cursor_of(f"2026-01-01T00:00:00+00:00|{2 ** 63}"),
    "a time|a negative id": cursor_of("2026-01-01T00:00:00+00:00|-5"),
    "|": cursor_of("|"),
}


# --- the operations, from the OpenAPI document -----------------------------------------------

AREAS = {
    "schools": ("schools", "venues", "teachers"),
    "courses": ("courses", "sessions", "certificates"),
    "enrolments": ("enrolments", "course-offers"),
    "party study": ("study-sessions", "study-plans", "study-quotas"),
}
LAST = ("cancellation", "finish", "withdrawal", "confirmation", "acceptance", "declination")


def learning_operations(api, area: str) -> list[tuple[str, str, dict, dict]]:
    """(method, path, operation, components) of the area's routes, those that end something
    (a cancellation, a withdrawal) last, so they cannot spoil the rows the others use."""
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200, response.text
    document = response.json()
    components = document["components"]["schemas"]
    found = []
    for path, operations in document["paths"].items():
        if not path.startswith(API):
            continue
        collection = path[len(API):].split("/")[0].split(".")[0]
        if collection not in AREAS[area]:
            continue
        for method, operation in operations.items():
            found.append((method.upper(), path, operation, components))
    assert found, f"no routes of {area} in the OpenAPI document"
    return sorted(found, key=lambda op: (op[1].rsplit("/", 1)[-1] in LAST, op[1], op[0]))


def resolve(schema: dict, components: dict) -> dict:
    """The object schema behind a $ref (or behind anyOf [$ref, null])."""
    for option in schema.get("anyOf", ()):
        if "$ref" in option:
            schema = option
    if "$ref" in schema:
        return components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def body_fields(schema: dict, components: dict, prefix=()):
    """(path into the body, property schema) of every field, nested ones included."""
    schema = resolve(schema, components)
    for name, prop in schema.get("properties", {}).items():
        path = (*prefix, name)
        yield path, prop
        inner = resolve(prop, components)
        if inner.get("properties") and not prefix:
            yield from body_fields(inner, components, path)
        if prop.get("type") == "array" and "$ref" in prop.get("items", {}) and not prefix:
            yield from body_fields(prop["items"], components, (*path, 0))


def bad_values(path: tuple, prop: dict) -> dict[str, str]:
    values = {**WRONG_TYPES, **OUT_OF_RANGE, **BAD_TEXT}
    name = str(path[-1])
    if prop.get("format") == "date" or name.endswith("_on") or name in ("from", "to"):
        values |= BAD_DATES
    if prop.get("format") == "date-time" or name.endswith("_at") and prop.get("format"):
        values |= BAD_DATETIMES
    if name == "starts_at" and not prop.get("format"):  # a time of day
        values |= BAD_TIMES
    # allowed, but at the very edge: a column narrower than the schema says would fail here
    if "maxLength" in prop:
        values["the longest allowed"] = raw("长" * prop["maxLength"])
    for bound in ("minimum", "maximum"):
        if isinstance(prop.get(bound), int | float):
            values[f"the {bound}"] = raw(prop[bound])
    return values


# Both ends of a span at once (one alone is refused as a span too long before it is stored).
EDGES_OF_TIME = {
    "year 1 east of UTC": ("0001-01-01T00:00:00+08:00", "0001-01-01T01:00:00+08:00"),
    "year 9999 west of UTC": ("9999-12-31T20:00:00-08:00", "9999-12-31T21:00:00-08:00"),
}


def at_the_edges(base: dict, fields: list[tuple]) -> dict[str, dict]:
    """The body with every date-time field (in order) at the edge of what Python can hold."""
    spans = {}
    for label, values in EDGES_OF_TIME.items():
        body = copy.deepcopy(base)
        for (name,), value in zip(fields, values * len(fields), strict=False):
            body[name] = value
        spans[label] = body
    return spans


def spoil(base: dict, path: tuple) -> dict:
    body = copy.deepcopy(base)
    here = body
    for step, following in zip(path, path[1:], strict=False):
        if isinstance(following, int):
            if not isinstance(here.get(step), list) or not here[step]:
                here[step] = [{}]
        elif isinstance(step, int):
            pass
        elif not isinstance(here.get(step), dict):
            here[step] = {}
        here = here[step]
    here[path[-1]] = SPOILED
    return body


def with_bad_value(body: dict, value: str) -> bytes:
    return json.dumps(body, ensure_ascii=False).replace(raw(SPOILED), value).encode()


# --- sending and judging ---------------------------------------------------------------------

class Battery:
    """Sends requests and keeps every answer that is a 5xx, or a 4xx not problem+json."""

    def __init__(self, api, headers):
        self.api, self.headers, self.failures, self.sent = api, headers, [], 0

    def send(self, what: str, method: str, url: str, data: bytes | None = None,
             unstorable: str | None = None):
        """``unstorable``: the field given text no database can store — a 422 naming it."""
        headers = dict(self.headers)
        if data is not None:
            headers["Content-Type"] = "application/json"
        response = self.api.request(method, url, data=data, headers=headers)
        self.sent += 1
        status, failed = response.status_code, None
        if status >= 500:
            failed = f"{status} {response.text[:200]}"
        elif status >= 400 and (not response.headers.get("Content-Type", "").startswith(PROBLEM)
                                or "Traceback" in response.text):
            failed = f"{status} not problem+json ({response.headers.get('Content-Type')})"
        elif unstorable and (status != 422 or response.json().get("field") != unstorable):
            failed = f"{status} not a 422 naming {unstorable}: {response.text[:200]}"
        if failed:
            self.failures.append(f"{method} {url[:120]} {what}: {failed}")
        return response

    def check(self):
        assert self.sent, "nothing was sent"
        assert not self.failures, f"{len(self.failures)} of {self.sent} requests failed:\n" + \
            "\n".join(self.failures)


def send_battery(api, headers, area: str, rows: dict, bases: dict) -> None:
    battery = Battery(api, headers)
    for method, path, operation, components in learning_operations(api, area):
        name = operation["operationId"]
        real = path.replace("{id}", str(rows["ids"].get(name) or rows["ids"].get(
            path.split("/")[3], 1))).replace("{number}", rows["certificate_number"])
        body_schema = (operation.get("requestBody", {}).get("content", {})
                       .get("application/json", {}).get("schema"))
        base = bases.get(name, {})
        base_data = json.dumps(base, ensure_ascii=False).encode() if body_schema else None
        for bad in PATH_IDS:
            for param in ("{id}", "{number}"):
                if param in path:
                    battery.send(f"path {param} {bad}", method,
                                 path.replace(param, bad).replace("{id}", "1"), base_data)
        if "{number}" in path:
            for bad in ("LX-350502-2026-000001-K", "lx" * 30, "%00", "%ED%A0%80", "%FF",
                        "-" * 40, " " * 10):
                battery.send(f"number {bad}", method, path.replace("{number}", bad))
        for param in (p for p in operation.get("parameters", []) if p["in"] == "query"):
            values = dict(QUERY_VALUES)
            if param["name"] == "cursor":
                values |= FORGED_CURSORS
            for label, value in values.items():
                battery.send(f"query {param['name']}={label}", method,
                             f"{real}?{param['name']}={quote(value)}",
                             unstorable=param["name"] if "\x00" in value else None)
            battery.send(f"query {param['name']}=a lone surrogate", method,
                         f"{real}?{param['name']}=%ED%A0%80")
            battery.send(f"query {param['name']} twice", method,
                         f"{real}?{param['name']}=1&{param['name']}=2")
        if body_schema is None:
            continue
        for label, data in NOT_OBJECTS.items():
            battery.send(f"body {label}", method, real, data)
        battery.send("body: an unknown field", method, real,
                     with_bad_value({**base, "colour": SPOILED}, raw("red")))
        times = [field_path for field_path, prop in body_fields(body_schema, components)
                 if prop.get("format") == "date-time" and len(field_path) == 1]
        if len(times) > 1:
            for label, body in at_the_edges(base, times).items():
                battery.send(f"every date-time field: {label}", method, real, raw(body).encode())
        for form, (schema, form_base) in body_forms(name, body_schema, base).items():
            for field_path, prop in body_fields(schema, components):
                field = ".".join(map(str, field_path))
                for label, value in bad_values(field_path, prop).items():
                    battery.send(f"{form}{field}={label}", method, real,
                                 with_bad_value(spoil(form_base, field_path), value),
                                 unstorable=field if label in UNSTORABLE else None)
    battery.check()


def body_forms(operation: str, schema: dict, base: dict) -> dict[str, tuple[dict, dict]]:
    """The body as documented, and another form a route also takes (sessions in a batch)."""
    forms = {"": (schema, base)}
    if operation == "schedule_course_sessions":
        forms["batch: "] = ({"properties": {"sessions": {"type": "array", "items": schema}}},
                            {"sessions": [base, {**base, "starts_at": at(24 * 10),
                                                        "ends_at": at(24 * 10 + 2)}]})
    return forms


# --- learning rows, made through the API -----------------------------------------------------

def post(api, url, body, headers, status=201):
    response = api.post(url, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def admin(auth):
    return auth("district_admin", DISTRICT)


@pytest.fixture
def course_rows(api, admin, seeded):
    """A school, a venue, a hired teacher, a course open for enrolment with a session that
    started an hour ago (for sign-in) and one next week, and a resident enrolled."""
    school = post(api, "/api/v1/schools", {
        "org_code": COMMUNITY_A1, "name": "西关社区学校", "kind": "community_school",
        "address": "三牌楼路58号"}, admin)
    venue = post(api, "/api/v1/venues", {"school_id": school["id"], "name": "一号教室",
                                         "address": "三牌楼路58号", "capacity": 40}, admin)
    teacher = post(api, "/api/v1/teachers", {"kind": "hired", "name": "王老师",
                                             "org_code": COMMUNITY_A1}, admin)
    course = post(api, "/api/v1/courses", {
        "school_id": school["id"], "title": "太极拳入门", "category": "health",
        "target_group": "elderly", "format": "long_course", "teacher_id": teacher["id"],
        "capacity": 30, "enrol_opens_at": at(-24), "enrol_closes_at": at(24 * 14)}, admin)
    sessions = f"/api/v1/courses/{course['id']}/sessions"
    started = post(api, sessions, {"venue_id": venue["id"], "starts_at": at(-1),
                                   "ends_at": at(1)}, admin)
    coming = post(api, sessions, {"venue_id": venue["id"], "starts_at": at(24 * 7),
                                  "ends_at": at(24 * 7 + 2)}, admin)
    enrolled = post(api, f"/api/v1/courses/{course['id']}/enrolments",
                    {"resident_id": add_resident(seeded, GRID, name="学员甲")}, admin)
    return {
        "school": school, "venue": venue, "teacher": teacher, "course": course,
        "started": started, "coming": coming, "enrolment": enrolled,
        "resident": add_resident(seeded, GRID, name="学员乙"),
        "certificate_number": "LX-350502-2026-000001-K",
        "ids": {"schools": school["id"], "venues": venue["id"], "teachers": teacher["id"],
                "courses": course["id"], "sessions": coming["id"],
                "enrolments": enrolled["id"], "course-offers": 1,
                "record_attendance": started["id"], "attendance_roster": started["id"]},
    }


def course_bases(rows: dict) -> dict:
    school, venue, teacher = rows["school"], rows["venue"], rows["teacher"]
    return {
        "create_school": {"org_code": COMMUNITY_A1, "name": "新学校", "kind": "community_school",
                          "address": "新华路1号", "founded_on": "2001-11-01",
                          "opening_hours": "周末上课"},
        "update_school": {"name": school["name"], "address": "三牌楼路58号",
                          "founded_on": "2001-11-01", "opening_hours": "周末上课"},
        "create_venue": {"school_id": school["id"], "name": "二号教室", "address": "新华路1号",
                         "capacity": 40},
        "update_venue": {"name": venue["name"], "address": "三牌楼路58号", "capacity": 40},
        "create_teacher": {"kind": "hired", "name": "李老师", "org_code": COMMUNITY_A1},
        "create_course": {
            "school_id": school["id"], "title": "书法", "description": "楷书",
            "category": "arts", "target_group": "elderly", "format": "long_course",
            "teacher_id": teacher["id"], "capacity": 30, "enrol_opens_at": at(-24),
            "enrol_closes_at": at(24 * 14), "eligibility": {"age_min": 60, "age_max": 90},
            "confirm_hours": 48, "completion_threshold": 0.75,
            "attendance_weights": {"present": 1, "late": 0.75, "excused": 0.5, "absent": 0},
            "permanent": False, "brand": False},
        "update_course": {"title": "太极拳", "description": "二十四式", "capacity": 30},
        "cancel_course": {"reason": "台风"},
        "schedule_course_sessions": {"venue_id": venue["id"], "starts_at": at(24 * 9),
                                     "ends_at": at(24 * 9 + 2), "topic": "第二课",
                                     "teacher_id": teacher["id"]},
        "update_course_session": {"venue_id": venue["id"], "starts_at": at(24 * 8),
                                  "ends_at": at(24 * 8 + 2), "topic": "第三课",
                                  "teacher_id": teacher["id"]},
        "cancel_course_session": {"reason": "台风"},
        "record_attendance": {"records": [{"enrolment_id": rows["enrolment"]["id"],
                                           "status": "present", "note": "准时"}]},
        "create_enrolment": {"resident_id": rows["resident"]},
    }


def test_schools_venues_and_teachers_refuse_bad_input(api, admin, course_rows):
    send_battery(api, admin, "schools", course_rows, course_bases(course_rows))
    # a code's pattern ends in "$", which matches before a final newline: not a code all the same
    for org_code in (f"{COMMUNITY_A1}\n", f"{STREET_A}\n"):
        response = api.post("/api/v1/teachers", json={"kind": "hired", "name": "赵老师",
                                                      "org_code": org_code}, headers=admin)
        assert_problem(response, 422, field="org_code")


def test_courses_sessions_and_attendance_refuse_bad_input(api, admin, course_rows):
    send_battery(api, admin, "courses", course_rows, course_bases(course_rows))


def test_enrolments_and_course_offers_refuse_bad_input(api, admin, course_rows):
    send_battery(api, admin, "enrolments", course_rows, course_bases(course_rows))


@pytest.fixture
def party_rows(api, auth, admin, seeded):
    """A branch of Xiguan's party committee with one full member, and a study session today."""
    party = "/api/v1/organisations/party"
    committee = post(api, party, {"kind": "street_working_committee", "name": "江南街道党工委",
                                  "org_code": STREET_A, "founded_on": "2003-07-01"}, admin)
    community = post(api, party, {"kind": "community_party_committee", "name": "西关社区党委",
                                  "org_code": COMMUNITY_A1, "parent_id": committee["id"],
                                  "founded_on": "2008-07-01"}, admin)
    branch = post(api, party, {"kind": "branch", "name": "西关第一党支部",
                               "org_code": COMMUNITY_A1, "parent_id": community["id"],
                               "founded_on": "2009-03-01"}, admin)
    member = post(api, "/api/v1/party-members", {
        "resident_id": add_resident(seeded, GRID, name="林党员"), "branch_id": branch["id"],
        "category": "resident", "stage": "full", "stage_since": "2001-07-01"},
        auth("community_worker", COMMUNITY_A1))
    session = post(api, "/api/v1/study-sessions", {"branch_id": branch["id"],
                                                   "kind": "study_day", "held_on": TODAY,
                                                   "topic": "学习党章"}, admin)
    return {"branch": branch, "member": member, "session": session,
            "certificate_number": "LX-350502-2026-000001-K",
            "ids": {"study-sessions": session["id"]}}


def test_party_study_refuses_bad_input(api, admin, party_rows):
    branch_id, member_id = party_rows["branch"]["id"], party_rows["member"]["id"]
    session = {"branch_id": branch_id, "kind": "branch_meeting", "starts_at": "19:30",
               "topic": "支部委员会", "venue": "党群服务中心", "speaker": "林书记",
               "note_min_chars": 300}
    bases = {
        "create_study_session": {**session, "held_on": "2026-03-05"},
        "plan_study_sessions": {**session, "kind": "party_lesson", "from": "2026-01-01",
                                "to": "2026-12-31", "weekday": "thursday", "nth": 1},
        "update_study_session": {"topic": "学习党章", "starts_at": "19:30", "venue": "活动室",
                                 "speaker": "林书记"},
        "record_study_attendance": {"records": [{"party_member_id": member_id,
                                                 "status": "present"}]},
        "write_study_note": {"party_member_id": member_id, "text": NOTE, "reflection": "体会"},
    }
    send_battery(api, admin, "party study", party_rows, bases)
