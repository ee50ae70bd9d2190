"""Residents and households on SQLite and PostgreSQL: ID numbers stored unreadably and unique,
scope, filters, flags with their history and visibility, moves, households, the export pages."""
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from services.membership import households, residents
from services.membership.models import OutboxMessage, Resident, ResidentFlag, ResidentMove
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, OutOfScope
from shared.personal_data import PersonalData
from tests.e2e.conftest import (
    COMMUNITY_A1,
    COMMUNITY_A2,
    COMMUNITY_B1,
    DISTRICT,
    STREET_A,
    seed_territory,
)
from tests.unit.test_personal_data import make_id

PD = PersonalData("integration-test-data-key-0123456789")
GRID_A1 = COMMUNITY_A1 + "001"
GRID_A1_2 = COMMUNITY_A1 + "002"
GRID_B1 = COMMUNITY_B1 + "001"
WORKER = CallerContext("wang", ("community_worker",), STREET_A)
SECURITY = CallerContext("li", ("security_officer",), DISTRICT)
AUDITOR = CallerContext("zhao", ("auditor",), DISTRICT)
DISTRICT_ADMIN = CallerContext("chen", ("district_admin",), DISTRICT)


def person(n, grid=GRID_A1, born="19800101", **extra):
    return {"name": f"居民{n}", "id_number": make_id(born=born, seq=f"{n:03d}"),
            "phone": "13812345678", "address": f"中山路{n}号", "grid_code": grid,
            "residence": "registered", **extra}


def call(database, caller, fn, *args):
    with database.transaction("membership", caller) as uow:
        return fn(uow, *args)


def register(database, payload, caller=WORKER):
    return call(database, caller, residents.register_resident, PD, payload)


def events(database, event_type):
    with database.session_factory() as session:
        return [m.envelope for m in session.scalars(
            select(OutboxMessage).where(OutboxMessage.event_type == event_type)
            .order_by(OutboxMessage.id))]


@pytest.fixture
def db(service_db):
    seed_territory(service_db)
    return service_db


def database_text(database) -> bytes:
    """Everything the database holds, as a dump would show it."""
    url = database.engine.url
    if url.get_backend_name() == "sqlite":
        database.dispose()
        path = Path(url.database)
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    dump = []
    with database.engine.connect() as connection:
        for table in inspect(database.engine).get_table_names():
            dump += connection.execute(text(f'SELECT t::text FROM "{table}" t')).scalars()
    return "\n".join(dump).encode()


def test_id_numbers_are_checked_unique_and_never_stored_in_clear(db):
    created = register(db, person(1, born="19800101"))
    number = make_id(born="19800101", seq="001")
    assert created["id_number"] == number[:4] + "*" * 10 + number[-4:]
    assert created["birth_date"] == "1980-01-01" and created["gender"] == "male"
    assert created["phone"] == "13812345678"  # one resident: whole

    with pytest.raises(Conflict) as duplicate:
        register(db, {**person(2), "id_number": number.lower()})
    assert duplicate.value.field == "id_number" and number not in str(duplicate.value)
    with pytest.raises(InvalidInput) as wrong:
        register(db, {**person(3), "id_number": number[:17] + "0" if number[17] != "0"
                      else number[:17] + "1"})
    assert wrong.value.field == "id_number"
    with pytest.raises(InvalidInput) as mismatch:
        register(db, person(4, birth_date="1980-01-02"))
    assert mismatch.value.field == "birth_date"

    with db.session_factory() as session:
        stored = session.get(Resident, created["id"])
        assert PD.unseal(stored.id_number_sealed) == number
        assert stored.id_number_hash == PD.id_hash(number)
    with db.transaction("membership", WORKER) as uow:
        assert residents.find_by_id_number(uow, PD, number.lower()).id == created["id"]
        assert residents.find_by_id_number(uow, PD, make_id(seq="999")) is None
    for envelope in events(db, "membership.resident_registered"):
        assert number not in str(envelope)
    dump = database_text(db)
    assert number.encode() not in dump
    assert b"13812345678" in dump  # the check itself finds what is there in clear


def test_a_resident_is_registered_only_in_a_grid_of_the_callers_scope(db):
    with pytest.raises(OutOfScope) as out:
        register(db, person(1, grid=GRID_B1))
    assert out.value.field == "grid_code"
    with pytest.raises(InvalidInput) as not_grid:
        register(db, person(1, grid=COMMUNITY_A1 + "0"))
    assert not_grid.value.field == "grid_code"
    with pytest.raises(NotFound):
        register(db, person(1, grid=COMMUNITY_A1 + "009"))
    with pytest.raises(Forbidden):
        register(db, person(1), caller=AUDITOR)
    with pytest.raises(Forbidden):
        register(db, person(1), caller=SECURITY)
    with db.session_factory() as session:
        assert session.scalar(select(Resident.id)) is None


def test_lists_filter_within_scope_and_mask_phones(db):
    today = date.today()
    young = (today - timedelta(days=365 * 10)).strftime("%Y%m%d")
    old = (today - timedelta(days=365 * 85)).strftime("%Y%m%d")
    a = register(db, person(1, born=young))
    b = register(db, person(2, born=old, grid=GRID_A1_2, residence="floating"))
    c = register(db, person(3), caller=DISTRICT_ADMIN)
    d = register(db, person(4, grid=GRID_B1), caller=DISTRICT_ADMIN)

    def ids(caller, **query):
        page = call(db, caller, residents.list_residents, query)
        return [r["id"] for r in page["items"]]

    assert ids(WORKER) == [a["id"], b["id"], c["id"]]
    assert ids(DISTRICT_ADMIN) == [a["id"], b["id"], c["id"], d["id"]]
    assert ids(WORKER, code=GRID_A1_2) == [b["id"]]
    assert ids(WORKER, age_band="0-17") == [a["id"]]
    assert ids(WORKER, age_band="80+") == [b["id"]]
    assert ids(WORKER, residence="floating") == [b["id"]]
    assert ids(WORKER, q="居民3") == [c["id"]]
    assert ids(WORKER, q="%") == []
    with pytest.raises(OutOfScope) as out:
        ids(WORKER, code=COMMUNITY_B1)
    assert out.value.field == "code"
    page = call(db, WORKER, residents.list_residents, {"limit": 2})
    assert page["items"][0]["phone"] == "138****5678"
    rest = call(db, WORKER, residents.list_residents, {"cursor": page["next_cursor"]})
    assert [r["id"] for r in page["items"] + rest["items"]] == [a["id"], b["id"], c["id"]]
    assert rest["next_cursor"] is None
    with pytest.raises(NotFound):  # out of scope: as if it did not exist
        call(db, WORKER, residents.get_resident, d["id"])
    with pytest.raises(NotFound):
        call(db, WORKER, residents.get_resident, 2 ** 40)


def test_flags_keep_their_history_and_restricted_ones_stay_with_security(db):
    resident = register(db, person(1))
    rid = resident["id"]
    call(db, WORKER, residents.set_flag, rid, {"flag": "minimum_allowance", "reason": "审批通过",
                                               "on": "2024-03-01"})
    with pytest.raises(Conflict):
        call(db, WORKER, residents.set_flag, rid, {"flag": "minimum_allowance", "reason": "x"})
    with pytest.raises(Forbidden) as refused:
        call(db, WORKER, residents.set_flag, rid, {"flag": "mental_illness", "reason": "x"})
    assert refused.value.field == "flag"
    call(db, SECURITY, residents.set_flag, rid, {"flag": "mental_illness", "reason": "医院确诊"})

    seen = call(db, WORKER, residents.get_resident, rid)
    assert [f["flag"] for f in seen["flags"]] == ["minimum_allowance"]
    assert "mental_illness" not in str(seen)
    secured = call(db, SECURITY, residents.get_resident, rid)
    assert sorted(f["flag"] for f in secured["flags"]) == ["mental_illness", "minimum_allowance"]
    assert call(db, WORKER, residents.list_residents, {"flag": "minimum_allowance"})["items"]
    with pytest.raises(Forbidden):
        call(db, WORKER, residents.list_residents, {"flag": "mental_illness"})
    listed = call(db, SECURITY, residents.list_residents, {"flag": "mental_illness"})
    assert [r["id"] for r in listed["items"]] == [rid]
    assert "mental_illness" not in str(call(db, WORKER, residents.list_residents, {}))

    with pytest.raises(InvalidInput) as early:
        call(db, WORKER, residents.clear_flag, rid, "minimum_allowance",
             {"reason": "收入提高", "on": "2024-02-01"})
    assert early.value.field == "on"
    cleared = call(db, WORKER, residents.clear_flag, rid, "minimum_allowance",
                   {"reason": "收入提高", "on": "2025-01-01"})
    assert cleared["flags"] == []
    assert [(h["flag"], h["set_on"], h["cleared_on"]) for h in cleared["flag_history"]] == [
        ("minimum_allowance", "2024-03-01", "2025-01-01")]
    with pytest.raises(NotFound):
        call(db, WORKER, residents.clear_flag, rid, "minimum_allowance", {"reason": "again"})
    with pytest.raises(Forbidden):
        call(db, WORKER, residents.clear_flag, rid, "mental_illness", {"reason": "x"})
    call(db, WORKER, residents.set_flag, rid, {"flag": "minimum_allowance", "reason": "再次"})
    with db.session_factory() as session:
        assert len(session.scalars(select(ResidentFlag).where(
            ResidentFlag.flag == "minimum_allowance")).all()) == 2

    flagged = events(db, "membership.resident_flagged")
    assert [(e["data"]["flag"], e["data"]["restricted"]) for e in flagged] == [
        ("minimum_allowance", False), ("mental_illness", True), ("minimum_allowance", False)]
    assert flagged[1]["data"]["reason"] is None
    assert [e["data"]["flag"] for e in events(db, "membership.resident_unflagged")] == [
        "minimum_allowance"]


def test_moves_within_and_out_keep_the_record(db):
    resident = register(db, person(1))
    rid = resident["id"]
    moved = call(db, WORKER, residents.move_resident, rid,
                 {"kind": "within", "to_grid_code": GRID_A1_2, "address": "新华路1号"})
    assert moved["grid_code"] == GRID_A1_2 and moved["address"] == "新华路1号"
    with pytest.raises(OutOfScope) as out:
        call(db, WORKER, residents.move_resident, rid, {"kind": "within",
                                                        "to_grid_code": GRID_B1})
    assert out.value.field == "to_grid_code"
    gone = call(db, WORKER, residents.move_resident, rid,
                {"kind": "out", "moved_on": "2025-05-01", "reason": "迁往外省"})
    assert gone["status"] == "moved_out" and gone["moved_out_on"] == "2025-05-01"
    with pytest.raises(Conflict):
        call(db, WORKER, residents.update_resident, PD, rid, {"name": "x"})
    assert call(db, WORKER, residents.list_residents, {})["items"] == []
    assert [r["id"] for r in call(db, WORKER, residents.list_residents,
                                  {"status": "moved_out"})["items"]] == [rid]
    with db.session_factory() as session:
        assert [(m.kind, m.from_grid_code, m.to_grid_code) for m in session.scalars(
            select(ResidentMove).order_by(ResidentMove.id))] == [
            ("within", GRID_A1, GRID_A1_2), ("out", GRID_A1_2, None)]
    moves = events(db, "membership.resident_moved")
    assert [(e["data"]["from_grid_code"], e["data"]["to_grid_code"]) for e in moves] == [
        (GRID_A1, GRID_A1_2), (GRID_A1_2, None)]
    with pytest.raises(Conflict) as again:
        register(db, person(1))
    assert again.value.field == "id_number"


def test_updates_check_what_they_change(db):
    rid = register(db, person(1))["id"]
    updated = call(db, WORKER, residents.update_resident, PD, rid,
                   {"name": "王小明", "phone": "0595-22881234", "residence": "floating"})
    assert (updated["name"], updated["phone"], updated["residence"]) == (
        "王小明", "0595-22881234", "floating")
    new_number = make_id(born="19900505", seq="002")
    updated = call(db, WORKER, residents.update_resident, PD, rid, {"id_number": new_number})
    assert updated["birth_date"] == "1990-05-05" and updated["gender"] == "female"
    register(db, person(3))
    with pytest.raises(Conflict):
        call(db, WORKER, residents.update_resident, PD, rid,
             {"id_number": make_id(born="19800101", seq="003")})
    with pytest.raises(InvalidInput) as derived:
        call(db, WORKER, residents.update_resident, PD, rid, {"birth_date": "1970-01-01"})
    assert derived.value.field == "birth_date"
    with pytest.raises(InvalidInput) as unknown:
        call(db, WORKER, residents.update_resident, PD, rid, {"grid_code": GRID_A1_2})
    assert unknown.value.field == "grid_code"
    changes = [e["data"]["changed"] for e in events(db, "membership.resident_updated")]
    assert changes == [["name", "phone", "residence"], ["id_number", "birth_date", "gender"]]
    assert new_number.encode() not in database_text(db)


def test_households_members_representative_and_designations(db):
    household = call(db, WORKER, households.create_household,
                     {"address": "中山路1号", "grid_code": GRID_A1,
                      "designations": ["learning_family"]})
    hid = household["id"]
    a = register(db, person(1, household_id=hid))
    b = register(db, person(2))
    elsewhere = register(db, person(3, grid=GRID_A1_2))
    with pytest.raises(Conflict) as not_member:
        call(db, WORKER, households.update_household, hid, {"representative_id": b["id"]})
    assert not_member.value.field == "representative_id"
    call(db, WORKER, households.add_member, hid, {"resident_id": b["id"]})
    with pytest.raises(Conflict) as twice:
        call(db, WORKER, households.add_member, hid, {"resident_id": b["id"]})
    assert twice.value.field == "resident_id"
    with pytest.raises(Conflict):
        call(db, WORKER, households.add_member, hid, {"resident_id": elsewhere["id"]})
    updated = call(db, WORKER, households.update_household, hid,
                   {"representative_id": b["id"],
                    "designations": ["learning_family", "civilised_family"]})
    assert updated["representative_id"] == b["id"]
    assert updated["designations"] == ["learning_family", "civilised_family"]
    assert [m["id"] for m in updated["members"]] == [a["id"], b["id"]]
    removed = call(db, WORKER, households.remove_member, hid, b["id"])
    assert removed["representative_id"] is None and removed["member_count"] == 1
    with pytest.raises(NotFound):
        call(db, WORKER, households.remove_member, hid, b["id"])

    other = call(db, DISTRICT_ADMIN, households.create_household,
                 {"address": "浮桥1号", "grid_code": GRID_B1})
    listed = call(db, WORKER, households.list_households, {})
    assert [h["id"] for h in listed["items"]] == [hid]
    assert listed["items"][0]["member_count"] == 1
    assert [h["id"] for h in call(db, DISTRICT_ADMIN, households.list_households,
                                  {"designation": "civilised_family"})["items"]] == [hid]
    with pytest.raises(NotFound):  # out of scope: as if it did not exist
        call(db, WORKER, households.get_household, other["id"])
    with pytest.raises(Forbidden):
        call(db, AUDITOR, households.create_household, {"address": "x", "grid_code": GRID_A1})
    # a member who moves away leaves the household
    call(db, WORKER, residents.move_resident, a["id"], {"kind": "within",
                                                          "to_grid_code": GRID_A1_2})
    assert call(db, WORKER, households.get_household, hid)["members"] == []
    assert len(events(db, "membership.household_member_removed")) == 2
    assert len(events(db, "membership.household_member_added")) == 2


def test_export_pages_cover_a_community_masked(db):
    made = [register(db, person(n)) for n in range(1, 6)]
    register(db, person(9, grid=GRID_B1), caller=DISTRICT_ADMIN)
    rows, cursor = [], None
    while True:
        page = call(db, WORKER, residents.export_page,
                    {"community": COMMUNITY_A1, "limit": 2, **({"cursor": cursor} if cursor
                                                                else {})})
        rows += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [r["id"] for r in rows] == [r["id"] for r in made]
    assert {r["phone"] for r in rows} == {"138****5678"}
    assert all("*" * 10 in r["id_number"] for r in rows)
    with pytest.raises(OutOfScope) as out:
        call(db, WORKER, residents.export_page, {"community": COMMUNITY_B1})
    assert out.value.field == "community"
    with pytest.raises(InvalidInput):
        call(db, WORKER, residents.export_page, {"community": STREET_A})


def test_residents_and_households_follow_their_grid_through_a_community_merge(db):
    from services.membership import territory

    household = call(db, WORKER, households.create_household,
                     {"address": "永丰路1号", "grid_code": COMMUNITY_A2 + "001"})
    moved = register(db, person(1, grid=COMMUNITY_A2 + "001", household_id=household["id"]))
    stays = register(db, person(2))
    merge = call(db, DISTRICT_ADMIN, territory.merge_communities,
                 {"surviving_code": COMMUNITY_A1, "absorbed_code": COMMUNITY_A2})
    with db.transaction("membership") as uow:
        counts = residents.follow_merge(uow, merge["moves"])
    assert counts == {"residents": 1, "households": 1}
    new_grid = dict((m["old_code"], m["new_code"]) for m in merge["moves"])[COMMUNITY_A2 + "001"]
    community_worker = CallerContext("he", ("community_worker",), COMMUNITY_A1)
    assert call(db, community_worker, residents.get_resident, moved["id"])["grid_code"] == new_grid
    assert call(db, community_worker, households.get_household,
                household["id"])["grid_code"] == new_grid
    assert call(db, community_worker, residents.get_resident, stays["id"])["grid_code"] == GRID_A1
    with db.transaction("membership") as uow:  # a second delivery finds nothing left to move
        assert residents.follow_merge(uow, merge["moves"]) == {"residents": 0, "households": 0}


def test_a_duplicate_that_slips_past_the_check_is_still_a_409_on_id_number(db, monkeypatch):
    register(db, person(1))
    monkeypatch.setattr(residents, "_refuse_duplicate", lambda *args, **kwargs: None)
    with pytest.raises(Conflict) as raced:  # as when two workers register the same person at once
        register(db, person(1))
    assert raced.value.field == "id_number"
    with db.session_factory() as session:
        assert len(session.scalars(select(Resident)).all()) == 1
