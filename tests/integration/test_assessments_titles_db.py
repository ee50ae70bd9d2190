"""Titles on SQLite and PostgreSQL: the whole path through the use cases with its history and
events; ten nominations of one holder for one kind, level and year at once — exactly one wins;
a withdrawn title frees the holder for a new nomination; scope; the demo. And membership's side:
an honour once per title however often its events arrive, revoked (not deleted) on withdrawal,
shown on the resident's, household's and community's own records."""
from datetime import date

import pytest
from sqlalchemy import func, select

from services.assessments import demo_titles, titles
from services.assessments.models import OutboxMessage
from services.assessments.models.titles import Title, TitleObjection, TitleStep
from services.membership import honours, households, residents, territory
from services.membership.models import Household, InboxEntry, Volunteer
from services.membership.models.honours import Honour
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, OutOfScope
from shared.events.registry import make_envelope
from tests.e2e.conftest import COMMUNITY_A1, COMMUNITY_A2, STREET_A, STREET_B, seed_territory
from tests.integration.test_volunteers import add_resident
from tests.support import at_once

TODAY = date(2026, 11, 30)
GRID_A1 = COMMUNITY_A1 + "001"
WORKER = CallerContext("worker", ("community_worker",), COMMUNITY_A1)
STREET = CallerContext("street", ("street_admin",), STREET_A)
ELSEWHERE = CallerContext("other", ("street_admin",), STREET_B)
CONTENDERS = 10

XIGUAN = {"code": COMMUNITY_A1, "name": "西关社区", "level": "community", "status": "active"}
RESIDENT = {"id": 7, "name": "林秀英", "grid_code": GRID_A1, "status": "active"}


def nomination(**extra) -> dict:
    return {"kind": "civilised_community", "level": "district", "year": 2026,
            "holder_ref": COMMUNITY_A1, "citation": "党建引领社区治理", "on": "2026-11-01",
            **extra}


def call(db, caller, fn, *args, **kwargs):
    with db.transaction("assessments", caller) as uow:
        return fn(uow, *args, **kwargs, today=TODAY)


def outbox(db, prefix="assessments.title_") -> list[dict]:
    with db.session_factory() as session:
        return [e for e in session.scalars(select(OutboxMessage.envelope).order_by(
            OutboxMessage.id)) if e["type"].startswith(prefix)]


def counts(db) -> tuple[int, int, int, int]:
    with db.session_factory() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Title, TitleStep, TitleObjection, OutboxMessage))


def test_nominated_reviewed_objected_dismissed_and_granted_with_history_and_events(
        assessments_service_db):
    db = assessments_service_db
    title = call(db, WORKER, titles.nominate, nomination(), XIGUAN)
    assert (title["status"], title["org_code"], title["kind_name"]) == (
        "nominated", COMMUNITY_A1, "文明社区")
    assert title["allowed_actions"] == ["review", "withdraw"]
    with pytest.raises(Forbidden):  # a worker may nominate, not review
        call(db, WORKER, titles.review, title["id"], {"decision": "approve"})
    noticed = call(db, STREET, titles.review, title["id"],
                   {"decision": "approve", "on": "2026-11-20"})
    assert (noticed["status"], noticed["notice_from"], noticed["notice_until"]) == (
        "in_notice", "2026-11-20", "2026-11-26")
    with pytest.raises(Conflict) as outside:  # the notice ended on the 26th
        call(db, WORKER, titles.raise_objection, title["id"], {"text": "有异议", "on": "2026-11-27"})
    assert outside.value.field == "action"
    objected = call(db, WORKER, titles.raise_objection, title["id"],
                    {"text": "小区环境整治不到位", "on": "2026-11-24"})
    assert objected["allowed_actions"] == ["decide_objection", "withdraw"]
    with pytest.raises(Conflict) as held:
        call(db, STREET, titles.grant, title["id"], {})
    assert "objection" in held.value.detail
    dismissed = call(db, STREET, titles.decide_objection, title["id"],
                     objected["objections"][0]["id"],
                     {"upheld": False, "note": "经核实已整改", "on": "2026-11-27"})
    assert dismissed["allowed_actions"] == ["grant", "withdraw"]
    granted = call(db, STREET, titles.grant, title["id"], {"on": "2026-11-28"})
    assert (granted["status"], granted["granted_on"]) == ("granted", "2026-11-28")
    assert [h["step"] for h in granted["history"]] == [
        "nominated", "noticed", "objected", "objection_dismissed", "granted"]
    events = outbox(db)
    assert [e["type"] for e in events] == [
        "assessments.title_nominated", "assessments.title_noticed", "assessments.title_granted"]
    assert events[1]["data"]["notice_until"] == "2026-11-26"
    assert events[2]["data"] == {
        "title_id": title["id"], "kind": "civilised_community", "level": "district",
        "year": 2026, "holder_kind": "community", "holder_ref": COMMUNITY_A1,
        "org_code": COMMUNITY_A1, "on": "2026-11-28"}
    assert "西关社区" not in str(events)


def test_an_upheld_objection_withdraws_and_frees_the_holder_for_a_new_nomination(
        assessments_service_db):
    db = assessments_service_db
    payload = {"kind": "top_ten_good_neighbour", "level": "district", "year": 2026,
               "holder_ref": "7", "citation": "照顾独居老人", "on": "2026-11-01"}
    title = call(db, WORKER, titles.nominate, payload, RESIDENT)
    with pytest.raises(Conflict) as twice:
        call(db, WORKER, titles.nominate, payload, RESIDENT)
    assert twice.value.field == "holder_ref" and f"title {title['id']}" in twice.value.detail
    call(db, STREET, titles.review, title["id"], {"decision": "approve", "on": "2026-11-10"})
    objected = call(db, WORKER, titles.raise_objection, title["id"],
                    {"text": "事迹不实", "on": "2026-11-12"})
    withdrawn = call(db, STREET, titles.decide_objection, title["id"],
                     objected["objections"][0]["id"], {"upheld": True, "note": "异议属实" * 125,
                                                       "on": "2026-11-13"})
    assert (withdrawn["status"], withdrawn["allowed_actions"]) == ("withdrawn", [])
    assert withdrawn["withdrawal_reason"].startswith("objection")  # cut to its column
    assert withdrawn["history"][-1]["note"].endswith("异议属实" * 125)
    last = outbox(db)[-1]
    assert (last["type"], last["data"]["was_granted"]) == ("assessments.title_withdrawn", False)
    again = call(db, WORKER, titles.nominate, {**payload, "on": "2026-11-20"}, RESIDENT)
    assert again["status"] == "nominated" and again["id"] != title["id"]


def test_a_granted_title_revoked_says_it_was_granted(assessments_service_db):
    db = assessments_service_db
    title = call(db, WORKER, titles.nominate, nomination(), XIGUAN)
    call(db, STREET, titles.review, title["id"], {"decision": "approve", "on": "2026-11-02"})
    call(db, STREET, titles.grant, title["id"], {"on": "2026-11-09"})
    before = counts(db)
    with pytest.raises(InvalidInput) as earlier:  # before the grant: refused, nothing changes
        call(db, STREET, titles.withdraw, title["id"], {"reason": "x", "on": "2026-11-08"})
    assert earlier.value.field == "on" and counts(db) == before
    revoked = call(db, STREET, titles.withdraw, title["id"], {"reason": "发生重大安全事故"})
    assert revoked["status"] == "withdrawn"
    assert outbox(db)[-1]["data"]["was_granted"] is True


def test_one_live_nomination_per_holder_kind_level_and_year_under_concurrency(
        assessments_service_db):
    db = assessments_service_db
    outcomes = at_once(db, CONTENDERS, lambda index, database: call(
        database, WORKER, titles.nominate, nomination(), XIGUAN))
    won = [o for o in outcomes if isinstance(o, dict)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) == 1 and len(refused) == CONTENDERS - 1, outcomes
    assert all(error.field == "holder_ref" for error in refused)
    assert counts(db)[:2] == (1, 1)
    assert len(outbox(db)) == 1
    # another level or year is another title
    call(db, WORKER, titles.nominate, nomination(level="city"), XIGUAN)
    call(db, WORKER, titles.nominate, nomination(year=2025), XIGUAN)
    assert counts(db)[0] == 3


def test_titles_are_scoped_by_where_the_holder_lies(assessments_service_db):
    db = assessments_service_db
    title = call(db, WORKER, titles.nominate, nomination(), XIGUAN)
    with pytest.raises(NotFound):
        call(db, ELSEWHERE, titles.get_title, title["id"])
    with pytest.raises(NotFound):  # a review from beside is the same 404
        call(db, ELSEWHERE, titles.review, title["id"], {"decision": "approve"})
    assert call(db, ELSEWHERE, titles.list_titles, {})["items"] == []
    assert [t["id"] for t in call(db, STREET, titles.list_titles, {"status": "nominated"})[
        "items"]] == [title["id"]]
    neighbour = CallerContext("w2", ("community_worker",), COMMUNITY_A2)
    with db.transaction("assessments", neighbour) as uow, pytest.raises(OutOfScope) as beside:
        titles.check_nomination(uow, nomination())  # refused before membership is asked
    assert beside.value.field == "holder_ref"
    assert counts(db)[0] == 1


def test_the_public_notice_lists_titles_in_notice_today_with_people_masked(
        assessments_service_db):
    db = assessments_service_db
    resident = call(db, WORKER, titles.nominate,
                    {"kind": "top_ten_good_neighbour", "level": "district", "year": 2026,
                     "holder_ref": "7", "citation": "热心助人", "on": "2026-11-20"}, RESIDENT)
    community = call(db, WORKER, titles.nominate, nomination(), XIGUAN)
    call(db, STREET, titles.review, resident["id"], {"decision": "approve", "on": "2026-11-25"})
    call(db, STREET, titles.review, community["id"], {"decision": "approve", "on": "2026-11-20"})
    with db.transaction("assessments", None) as uow:  # nobody signed in
        shown = titles.public_notices(uow, {}, today=TODAY)
    assert [(n["holder"], n["notice_until"]) for n in shown["items"]] == [
        ("林*英", "2026-12-01")]  # the community's notice ended on the 26th
    assert "林秀英" not in str(shown)


def test_the_demo_titles_cover_every_state_and_a_second_run_adds_nothing(
        assessments_service_db):
    db = assessments_service_db
    directory = {
        demo_titles.XIGUAN: {"volunteers": [{"id": 3, "resident_id": 30, "name": "陈美玲"}],
                             "residents": [], "branches": [{"id": 1, "org_code": COMMUNITY_A1,
                                                            "members": [{"id": 9, "resident_id": 90,
                                                                         "name": "郑国强"}]}]},
        demo_titles.YONGFENG: {"residents": [{"id": n, "name": f"居民{n}",
                                              "grid_code": COMMUNITY_A2 + "001"}
                                             for n in range(1, 8)],
                               "households": [{"id": 4, "grid_code": COMMUNITY_A2 + "002",
                                               "representative_name": "王丽华"}]}}
    with db.transaction("assessments") as uow:
        assert demo_titles.seed(uow, directory, TODAY) == {"title": 6, "title_step": 16}
    with db.transaction("assessments") as uow:
        assert demo_titles.seed(uow, directory, TODAY) == {}
    with db.session_factory() as session:
        states = dict(session.execute(select(Title.kind, Title.status)).all())
    assert states == {
        "civilised_community": "granted", "safe_community": "in_notice",
        "learning_family": "granted", "top_ten_volunteer": "granted",
        "top_ten_good_neighbour": "withdrawn", "top_ten_party_member": "nominated"}


# --- membership: the honour on the holder's record ---------------------------------------------

def title_event(name, title_id, holder_kind, holder_ref, org_code, on="2026-11-28", **extra):
    return make_envelope(f"assessments.title_{name}", {
        "title_id": title_id, "kind": "civilised_family", "level": "district", "year": 2026,
        "holder_kind": holder_kind, "holder_ref": str(holder_ref), "org_code": org_code,
        "on": on, **extra}, org_code, "assessments")


def deliver(service_db, envelope, consumer):
    """As the ``@handles`` entrypoint does: the inbox first, then the use case."""
    handler = honours.record_granted if envelope["type"].endswith("granted") else \
        honours.record_withdrawn
    with service_db.transaction("membership") as uow:
        if uow.first_delivery(envelope, f"membership.{consumer}"):
            handler(uow, envelope)


def honour_rows(service_db) -> list[tuple]:
    with service_db.session_factory() as session:
        return [tuple(row) for row in session.execute(select(
            Honour.title_id, Honour.holder_kind, Honour.resident_id, Honour.household_id,
            Honour.granted_on, Honour.revoked_on).order_by(Honour.id))]


@pytest.fixture
def people(service_db):
    seed_territory(service_db)
    resident = add_resident(service_db, GRID_A1, name="林秀英")
    with service_db.transaction("membership") as uow:
        household = Household(address="西关路2号", grid_code=GRID_A1, learning_family=False,
                              civilised_family=False)
        volunteer = Volunteer(resident_id=resident, community_code=COMMUNITY_A1,
                              enrolled_by="test")
        uow.session.add_all([household, volunteer])
        uow.session.flush()
        return {"resident": resident, "household": household.id, "volunteer": volunteer.id}


def test_a_granted_title_is_one_honour_however_often_it_arrives(service_db, people):
    granted = title_event("granted", 11, "volunteer", people["volunteer"], COMMUNITY_A1)
    deliver(service_db, granted, "honour_granted_title")
    deliver(service_db, granted, "honour_granted_title")  # redelivered: the inbox stops it
    # the same title announced again under a new event id: the unique title stops it
    deliver(service_db, {**granted, "event_id": "e1f7a7c1-0000-4000-8000-000000000001"},
            "honour_granted_title")
    assert honour_rows(service_db) == [
        (11, "volunteer", people["resident"], None, date(2026, 11, 28), None)]
    with service_db.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(InboxEntry)) == 2
    with service_db.transaction("membership", WORKER) as uow:
        shown = residents.get_resident(uow, people["resident"])
    assert [(h["title_id"], h["holder_kind"]) for h in shown["honours"]] == [(11, "volunteer")]


def test_a_withdrawal_marks_the_honour_revoked_and_the_record_drops_it(service_db, people):
    deliver(service_db, title_event("granted", 12, "household", people["household"], GRID_A1),
            "honour_granted_title")
    deliver(service_db, title_event("granted", 13, "community", COMMUNITY_A1, COMMUNITY_A1),
            "honour_granted_title")
    with service_db.transaction("membership", WORKER) as uow:
        assert [h["title_id"] for h in territory.get_node(uow, COMMUNITY_A1)["honours"]] == [13]
    withdrawn = title_event("withdrawn", 13, "community", COMMUNITY_A1, COMMUNITY_A1,
                            on="2026-11-29", was_granted=True)
    deliver(service_db, withdrawn, "revoke_withdrawn_title")
    deliver(service_db, withdrawn, "revoke_withdrawn_title")
    rows = honour_rows(service_db)
    assert rows[1] == (13, "community", None, None, date(2026, 11, 28), date(2026, 11, 29))
    with service_db.transaction("membership", WORKER) as uow:
        assert territory.get_node(uow, COMMUNITY_A1)["honours"] == []
        listed = honours.list_honours(uow, {"holder_kind": "community",
                                            "holder_ref": COMMUNITY_A1})
        assert [(h["title_id"], h["revoked_on"]) for h in listed["items"]] == [
            (13, "2026-11-29")]
        household = honours.list_honours(uow, {"holder_kind": "household",
                                               "holder_ref": str(people["household"])})
        assert [h["title_id"] for h in household["items"]] == [12]
        assert [h["title_id"] for h in households.get_household(
            uow, people["household"])["honours"]] == [12]
    with service_db.transaction("membership", ELSEWHERE) as uow, pytest.raises(NotFound):
        honours.list_honours(uow, {"holder_kind": "household",
                                   "holder_ref": str(people["household"])})


def test_a_withdrawal_that_overtakes_its_grant_leaves_the_honour_revoked(service_db, people):
    deliver(service_db, title_event("withdrawn", 14, "resident", people["resident"], GRID_A1,
                                    on="2026-11-29", was_granted=True), "revoke_withdrawn_title")
    deliver(service_db, title_event("granted", 14, "resident", people["resident"], GRID_A1),
            "honour_granted_title")
    deliver(service_db, title_event("withdrawn", 15, "resident", people["resident"], GRID_A1,
                                    was_granted=False), "revoke_withdrawn_title")
    assert honour_rows(service_db) == [
        (14, "resident", people["resident"], None, None, date(2026, 11, 29))]
    with service_db.transaction("membership", WORKER) as uow:
        assert residents.get_resident(uow, people["resident"])["honours"] == []


def test_the_honours_migration_matches_its_model(service_db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from services.membership.models import Base as MembershipBase

    def ours(diff) -> bool:
        item = diff[0] if isinstance(diff, list) else diff
        for part in item:
            table = getattr(part, "table", None)
            if part == "honours" or (getattr(part, "name", None) if table is None
                                     else table.name) == "honours":
                return True
        return False

    with service_db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, MembershipBase.metadata) if ours(d)]
    assert diffs == []
