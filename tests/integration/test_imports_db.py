"""Bulk import jobs on SQLite and PostgreSQL: rows stored without clear ID numbers, worked
through batch by batch (progress visible between batches, a failed batch leaving nothing
behind and resuming where it stopped), each row applied whole or not at all."""
import json

import pytest
from sqlalchemy import func, select

from services.membership import imports
from services.membership.models import Household, OutboxMessage, Resident
from services.membership.models.imports import ResidentImportRow
from shared.context import CallerContext
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.personal_data import PersonalData
from tests.e2e.conftest import COMMUNITY_A1, COMMUNITY_B1, STREET_A, seed_territory
from tests.integration.test_residents_db import database_text
from tests.unit.test_personal_data import make_id

PD = PersonalData("integration-test-data-key-0123456789")
GRID_A1 = COMMUNITY_A1 + "001"
IMPORTER = CallerContext("district-system", ("integration",), STREET_A)


def jsonl(rows) -> str:
    return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows)


def row(n, **extra):
    return {"name": f"居民{n}", "id_number": make_id(born="19700101", seq=f"{n:03d}"),
            "address": f"中山路{n}号", "grid_code": GRID_A1, **extra}


def count(database, model, *where):
    with database.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def create(database, rows, caller=IMPORTER):
    with database.transaction("membership", caller) as uow:
        return imports.create_import(uow, PD, {"format": "jsonl", "text": jsonl(rows)})


def batch(database, import_id, size):
    with database.transaction("membership") as uow:
        return imports.work_batch(uow, PD, import_id, batch_size=size)


@pytest.fixture
def db(service_db):
    seed_territory(service_db)
    return service_db


def test_batches_show_progress_and_apply_each_row_whole(db):
    rows = [row(n, household_address="中山路1号") for n in range(5)]
    rows.append(row(9, grid_code=COMMUNITY_B1 + "001"))  # outside the importer's scope
    job = create(db, rows)
    assert (job["status"], job["total"], job["processed"], job["progress"]) == (
        "queued", 6, 0, 0.0)
    first = batch(db, job["id"], 2)
    assert (first["status"], first["processed"], first["applied"]) == ("running", 2, 2)
    assert first["progress"] == 33.3
    assert count(db, Household) == 1  # both rows joined the one household
    batch(db, job["id"], 2)
    done = batch(db, job["id"], 2)
    assert (done["status"], done["applied"], done["rejected"], done["progress"]) == (
        "done", 5, 1, 100.0)
    assert batch(db, job["id"], 2) is None  # a late redelivery does nothing
    with db.session_factory() as session:
        rejected = session.scalars(select(ResidentImportRow).where(
            ResidentImportRow.state == "rejected")).one()
        assert (rejected.line, rejected.field) == (6, "grid_code")
        registered = session.scalars(select(Resident)).all()
        assert {r.household_id for r in registered} == {1}
        types = list(session.scalars(select(OutboxMessage.event_type)))
    assert types.count("membership.resident_registered") == 5
    assert types.count("membership.household_member_added") == 5
    assert types.count("membership.household_created") == 1
    assert types.count("membership.resident_import_finished") == 1
    # the events of the residents carry the importer, not the worker that applied them
    with db.session_factory() as session:
        envelope = session.scalars(select(OutboxMessage.envelope).where(
            OutboxMessage.event_type == "membership.resident_registered")).first()
    assert "district-system" in json.dumps(envelope)


def test_a_failed_batch_leaves_nothing_and_the_next_attempt_resumes(db, monkeypatch):
    job = create(db, [row(n, household_address=f"中山路{n}号") for n in range(4)])
    batch(db, job["id"], 2)
    real = imports._Batch.register

    def crash_after_writing(self, plans):
        real(self, plans)  # the households, residents and events are written …
        raise RuntimeError("the worker died")  # … and the worker dies before the commit

    monkeypatch.setattr(imports._Batch, "register", crash_after_writing)
    with pytest.raises(RuntimeError):
        batch(db, job["id"], 2)
    assert (count(db, Resident), count(db, Household)) == (2, 2)  # nothing of the failed batch
    assert count(db, ResidentImportRow, ResidentImportRow.state == "pending") == 2
    monkeypatch.setattr(imports._Batch, "register", real)
    done = batch(db, job["id"], 2)
    assert (done["status"], done["applied"], done["rejected"]) == ("done", 4, 0)
    assert (count(db, Resident), count(db, Household)) == (4, 4)


def test_rows_never_hold_a_clear_id_number(db):
    rows = [row(n) for n in range(3)]
    create(db, rows)
    dump = database_text(db)
    for r in rows:
        assert r["id_number"].encode() not in dump


def test_who_may_import_and_read(db):
    with pytest.raises(Forbidden):
        create(db, [row(1)], CallerContext("x", ("grid_worker",), STREET_A))
    with pytest.raises(InvalidInput):
        create(db, [])
    job = create(db, [row(1)])
    with pytest.raises(NotFound), db.transaction(
            "membership", CallerContext("y", ("street_admin",), "350502002")) as uow:
        imports.get_import(uow, job["id"])
