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


def resident_snapshot(membership_db) -> dict:
    """Every resident and household as stored (to prove a re-run changed nothing)."""
    from services.membership.models import Household, Resident

    with membership_db.session_factory() as session:
        return {model.__tablename__: session.execute(
                    select(model.__table__).order_by(model.__table__.c.id)).all()
                for model in (Resident, Household)}


def make_rows(n):
    """``n`` valid rows with distinct ID numbers (two grids of street A; every fourth row shares
    a household)."""
    rows = []
    for i in range(n):
        block, seq = divmod(i, 1000)  # 1,000 sequence numbers per birth date
        born = f"19{50 + block % 40}{1 + block // 40 % 12:02d}{1 + i % 28:02d}"
        rows.append({"name": f"导入居民{i}", "gender": "", "birth_date": "",
                     "id_number": make_id(born=born, seq=f"{seq:03d}"), "phone": f"139{i:08d}",
                     "address": f"中山路{i // 4}号", "grid_code": GRID_A1 if i % 2 else GRID_A2,
                     "residence": "registered" if i % 3 else "floating",
                     "household_address": f"中山路{i // 4}号" if i % 4 == 0 else ""})
    return rows


SPOILERS = [  # one way for a row to be wrong each, cycled through the spoiled rows
    ("id_number", lambda rows, i: rows[i].update(id_number=rows[i]["id_number"][:-1] + (
        "0" if rows[i]["id_number"][-1] != "0" else "1"))),              # wrong check digit
    ("grid_code", lambda rows, i: rows[i].update(grid_code=COMMUNITY_A1 + "099")),  # no grid
    ("grid_code", lambda rows, i: rows[i].update(grid_code=GRID_B1)),   # another street
    ("id_number", lambda rows, i: rows[i].update(id_number=rows[i - 7]["id_number"])),  # twice
    ("name", lambda rows, i: rows[i].update(name="")),
    ("phone", lambda rows, i: rows[i].update(phone="12345")),
    ("gender", lambda rows, i: rows[i].update(
        gender="female" if rows[i]["id_number"][16] in "13579" else "male")),
    ("birth_date", lambda rows, i: rows[i].update(birth_date="2001-02-30")),
]


def spoil(rows, every=100):
    """Spoil one row in ``every`` (1%); returns {line: field} of what must be rejected (the
    header is line 1, so row i is on line i + 2)."""
    bad = {}
    for n, i in enumerate(range(every // 2, len(rows), every)):
        field, how = SPOILERS[n % len(SPOILERS)]
        how(rows, i)
        bad[i + 2] = field
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


@pytest.mark.timeout(900)
@pytest.mark.parametrize("db_backend", ["postgres"])  # the database that matters at this size
def test_a_20000_row_file_with_1_percent_bad_rows_is_applied_reported_and_not_duplicated(
        api, auth, seeded):
    headers = {**auth("street_admin", STREET_A), "Content-Type": "text/csv"}
    rows = make_rows(20_000)
    bad = spoil(rows)
    assert len(bad) == 200
    body = as_csv(rows)

    created = api.post(IMPORTS, data=body, headers=headers, timeout=30)
    assert created.status_code == 202, created.text
    location = created.headers["Location"]
    assert location == f"{IMPORTS}/{created.json()['id']}"
    assert created.json()["total"] == 20_000
    assert created.json()["status"] in ("queued", "running", "done")

    job = wait_done(api, headers, location, timeout=600)
    assert job["progress"] == 100.0
    assert (job["total"], job["processed"]) == (20_000, 20_000)
    assert (job["applied"], job["rejected"]) == (20_000 - 200, 200)
    assert resident_count(seeded) == 20_000 - 200

    errors = all_errors(api, headers, location)
    assert {e["line"]: e["field"] for e in errors} == bad
    reasons = {e["line"]: e["reason"] for e in errors}
    assert "check digit" in reasons[52]
    assert "outside your scope" in reasons[252]
    assert f"line {352 - 7}" in reasons[352]
    clear_numbers = {r["id_number"] for r in rows}
    assert not any(number in json.dumps(errors) for number in clear_numbers)

    # applied rows are residents like any other, with households from household_address
    listed = api.get("/api/v1/residents", headers=headers,
                     params={"q": "导入居民4", "code": GRID_A2, "limit": 1}).json()["items"][0]
    assert listed["name"] == "导入居民4" and listed["household_id"] is not None
    assert listed["id_number"].startswith("3505**********")

    before = resident_snapshot(seeded)
    again = api.post(IMPORTS, data=body, headers=headers, timeout=30)
    assert again.status_code == 202
    second = wait_done(api, headers, again.headers["Location"], timeout=600)
    assert second["applied"] == 0 and second["rejected"] == 20_000
    assert resident_snapshot(seeded) == before, "a re-run changed residents or households"
    reasons = {e["line"]: e["reason"] for e in all_errors(api, headers,
                                                          again.headers["Location"])}
    assert reasons[2] == "already registered"
    assert reasons[52] != "already registered"  # a bad row is still reported for what it is


def test_an_import_whose_batch_keeps_failing_stops_as_failed_and_a_replay_resumes_it(
        api, auth, seeded, platform_config, monkeypatch):
    from services.membership import imports
    from shared.events.deadletter import list_dead_letters, replay_dead_letters

    headers = {**auth("street_admin", STREET_A), "Content-Type": "text/csv"}
    real = imports._Batch.register

    def broken(self, plans):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(imports._Batch, "register", broken)
    created = api.post(IMPORTS, data=as_csv(make_rows(5)), headers=headers)
    assert created.status_code == 202, created.text
    location = created.headers["Location"]
    deadline = time.monotonic() + 30
    while (job := api.get(location, headers=headers).json())["status"] != "failed":
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
    assert (job["processed"], job["applied"]) == (0, 0)
    assert "RuntimeError" in job["failure"] and "dead letters" in job["failure"]
    assert job["finished_at"] is not None
    assert resident_count(seeded) == 0
    letters, total = list_dead_letters(platform_config["AMQP_URI"])
    assert total == 1 and letters[0].event_type == "membership.resident_import_queued"

    monkeypatch.setattr(imports._Batch, "register", real)  # the operator mends the cause …
    assert replay_dead_letters(platform_config["AMQP_URI"], None) == 1  # … and replays
    job = wait_done(api, headers, location)
    assert (job["applied"], job["failure"]) == (5, None)
    assert resident_count(seeded) == 5


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
