"""Bulk import of residents through the real gateway and the real broker: a file becomes a job
(202), membership works through it in batches, every valid row is applied, every invalid one is
reported with its line, field and reason, and the same file imported again adds no one."""
import csv
import io
import json
import time

import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import COMMUNITY_A1, COMMUNITY_A2, COMMUNITY_B1, STREET_A, assert_problem
from tests.unit.test_personal_data import make_id

pytestmark = pytest.mark.broker

IMPORTS = "/api/v1/imports/residents"
GRID_A1 = COMMUNITY_A1 + "001"
GRID_A2 = COMMUNITY_A2 + "002"
GRID_B1 = COMMUNITY_B1 + "001"
HEADER = ["name", "gender", "birth_date", "id_number", "phone", "address", "grid_code",
          "residence", "household_address"]


def resident_count(membership_db) -> int:
    from services.membership.models import Resident

    with membership_db.session_factory() as session:
        return session.scalar(select(func.count()).select_from(Resident))


def make_rows(n):
    """``n`` valid rows (two grids of street A; every fourth shares a household) and the clear
    ID numbers used."""
    rows = []
    for i in range(n):
        born = f"19{50 + i % 40}0{1 + i % 9}1{i % 9}"
        number = make_id(born=born, seq=f"{i % 1000:03d}")
        rows.append({"name": f"导入居民{i}", "gender": "", "birth_date": "",
                     "id_number": number, "phone": f"139{i:08d}",
                     "address": f"中山路{i // 4}号", "grid_code": GRID_A1 if i % 2 else GRID_A2,
                     "residence": "registered" if i % 3 else "floating",
                     "household_address": f"中山路{i // 4}号" if i % 4 == 0 else ""})
    return rows


def spoil(rows):
    """Spoil a few rows; returns {line: field} of what must be rejected (header is line 1)."""
    bad = {}
    number = rows[10]["id_number"]
    rows[10]["id_number"] = number[:-1] + ("0" if number[-1] != "0" else "1")
    bad[12] = "id_number"
    rows[20]["grid_code"] = COMMUNITY_A1 + "099"          # no such grid
    bad[22] = "grid_code"
    rows[30]["grid_code"] = GRID_B1                       # another street
    bad[32] = "grid_code"
    rows[40]["id_number"] = rows[5]["id_number"]          # the same person twice in the file
    bad[42] = "id_number"
    rows[50]["name"] = ""                                 # no name
    bad[52] = "name"
    rows[60]["phone"] = "12345"
    bad[62] = "phone"
    rows[1500]["gender"] = "female" if rows[1500]["id_number"][16] in "13579" else "male"
    bad[1502] = "gender"
    return bad


def as_csv(rows, bom=True) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, HEADER, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def wait_done(api, headers, location, timeout=180):
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        job = api.get(location, headers=headers)
        assert job.status_code == 200, job.text
        body = job.json()
        seen.append(body["progress"])
        if body["status"] == "done":
            assert seen == sorted(seen)
            return body
        time.sleep(0.3)
    raise AssertionError(f"the import did not finish: {body}")


def all_errors(api, headers, location):
    errors, cursor = [], None
    while True:
        page = api.get(location + "/errors", headers=headers,
                       params={"limit": 200, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        errors += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if not cursor:
            return errors


def test_a_2000_row_file_is_applied_reported_and_not_duplicated(api, auth, seeded):
    headers = {**auth("street_admin", STREET_A), "Content-Type": "text/csv"}
    rows = make_rows(2000)
    bad = spoil(rows)
    body = as_csv(rows)

    created = api.post(IMPORTS, data=body, headers=headers)
    assert created.status_code == 202, created.text
    location = created.headers["Location"]
    assert location == f"{IMPORTS}/{created.json()['id']}"
    assert created.json()["total"] == 2000
    assert created.json()["status"] in ("queued", "running", "done")

    job = wait_done(api, headers, location)
    assert job["progress"] == 100.0
    assert (job["total"], job["processed"]) == (2000, 2000)
    assert job["rejected"] == len(bad)
    assert job["applied"] == 2000 - len(bad)
    assert resident_count(seeded) == 2000 - len(bad)

    errors = all_errors(api, headers, location)
    assert {e["line"]: e["field"] for e in errors} == bad
    reasons = {e["line"]: e["reason"] for e in errors}
    assert "check digit" in reasons[12]
    assert "outside your scope" in reasons[32]
    assert "line 7" in reasons[42]
    for number in (r["id_number"] for r in rows):
        assert number not in json.dumps(errors)

    # applied rows are residents like any other, with households from household_address
    listed = api.get("/api/v1/residents", headers=headers,
                     params={"q": "导入居民4", "code": GRID_A2, "limit": 1}).json()["items"][0]
    assert listed["name"] == "导入居民4" and listed["household_id"] is not None
    assert listed["id_number"].startswith("3505**********")

    again = api.post(IMPORTS, data=body, headers=headers)
    assert again.status_code == 202
    second = wait_done(api, headers, again.headers["Location"])
    assert second["applied"] == 0 and second["rejected"] == 2000
    assert resident_count(seeded) == 2000 - len(bad)
    reasons = {e["line"]: e["reason"] for e in all_errors(api, headers,
                                                          again.headers["Location"])}
    assert reasons[2] == "already registered"


def test_no_clear_id_number_is_stored_with_the_rows(api, auth, seeded):
    from services.membership.models.imports import ResidentImportRow

    headers = {**auth("integration", STREET_A), "Content-Type": "application/x-ndjson"}
    rows = make_rows(3)
    lines = [json.dumps({k: v for k, v in row.items() if v}, ensure_ascii=False)
             for row in rows]
    lines.insert(1, "not json")
    lines.insert(2, "")
    created = api.post(IMPORTS, data="\n".join(lines).encode(), headers=headers)
    assert created.status_code == 202, created.text
    with seeded.session_factory() as session:
        stored = " ".join(session.scalars(select(ResidentImportRow.values)))
    for row in rows:
        assert row["id_number"] not in stored
    job = wait_done(api, headers, created.headers["Location"])
    assert (job["applied"], job["rejected"]) == (3, 1)
    assert all_errors(api, headers, created.headers["Location"]) == [
        {"line": 2, "field": "line", "reason": "not valid JSON"}]


def test_files_that_cannot_be_read_are_refused_and_change_nothing(api, auth, seeded):
    headers = auth("street_admin", STREET_A)
    rows = make_rows(2)
    cases = [
        ({"Content-Type": "application/json"}, b'{"a": 1}', 415),
        ({"Content-Type": "text/csv"}, b"", 400),
        ({"Content-Type": "text/csv"}, "姓名".encode("gbk") + b"\n", 400),
        ({"Content-Type": "text/csv"}, b"name,shoe_size\nx,42\n", 422),
        ({"Content-Type": "text/csv"}, b"name,address\nx,y\n", 422),
    ]
    for extra, body, status in cases:
        response = api.post(IMPORTS, data=body, headers={**headers, **extra})
        assert_problem(response, status, field="body")
    big = b"name,id_number,address,grid_code\n" + b"x" * (21 * 1024 * 1024)
    assert_problem(api.post(IMPORTS, data=big, headers={**headers, "Content-Type": "text/csv"}),
                   413, field="body")
    assert resident_count(seeded) == 0
    # roles that do not import
    for role in ("grid_worker", "auditor", "security_officer"):
        assert_problem(api.post(IMPORTS, data=as_csv(rows),
                                headers={**auth(role, STREET_A), "Content-Type": "text/csv"}),
                       403)
    # another street's job is not there for you
    created = api.post(IMPORTS, data=as_csv(rows),
                       headers={**headers, "Content-Type": "text/csv"})
    location = created.headers["Location"]
    assert_problem(api.get(location, headers=auth("street_admin", "350502002")), 404, field="id")
    assert_problem(api.get(location + "/errors",
                           headers=auth("street_admin", "350502002")), 404, field="id")
    assert_problem(api.get(IMPORTS + "/99999", headers=headers), 404, field="id")
    assert_problem(api.get(location + "/errors", headers=headers, params={"cursor": "zz"}),
                   422, field="cursor")
    wait_done(api, headers, location)


def test_the_import_routes_are_in_the_openapi_document(api):
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert {IMPORTS, IMPORTS + "/{id}", IMPORTS + "/{id}/errors"} <= set(paths)
