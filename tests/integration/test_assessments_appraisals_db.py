"""Appraisal use cases on SQLite and PostgreSQL: a democratic appraisal from opening to count
(bands, the events, no names), one ballot per voter even under concurrency, the committee's
override within the cap, five goods ratings, commitment cards through their stages, scope and
roles."""
from datetime import date

import eventlet
import pytest
from sqlalchemy import func, select

from services.assessments import appraisals
from services.assessments.models import OutboxMessage
from services.assessments.models.appraisals import AppraisalBallot, AppraisalRound
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.e2e.conftest import COMMUNITY_A1, COMMUNITY_A2, STREET_A, STREET_B

WORKER_A1 = CallerContext("wang", ("community_worker",), COMMUNITY_A1)
WORKER_A2 = CallerContext("li", ("community_worker",), COMMUNITY_A2)
STREET_ADMIN = CallerContext("alice", ("street_admin",), STREET_A)
STREET_B_ADMIN = CallerContext("bob", ("street_admin",), STREET_B)
AUDITOR_A = CallerContext("audit", ("auditor",), STREET_A)
GRID_A1 = COMMUNITY_A1 + "001"
BRANCH = {"id": 41, "kind": "branch", "status": "active", "org_code": GRID_A1,
          "name": "西关第一党支部"}
ROLL = [101, 102, 103, 104, 105, 106, 107, 108]  # 8 members: at most 2 excellent
TODAY = date(2026, 1, 15)


def call(db, caller, fn, *args, **kwargs):
    with db.transaction("assessments", caller) as uow:
        return fn(uow, *args, **kwargs)


def events(db, event_type):
    with db.session_factory() as session:
        return list(session.scalars(select(OutboxMessage.envelope)
                                    .where(OutboxMessage.event_type == event_type)
                                    .order_by(OutboxMessage.id)))


def members(ids=ROLL):
    return [{"id": member_id, "branch_id": BRANCH["id"], "name": f"党员{member_id}"}
            for member_id in ids]


def open_round(db, caller=WORKER_A1, branch=BRANCH, year=2025, roll=ROLL):
    return call(db, caller, appraisals.open_round, {"branch_id": branch["id"], "year": year},
                branch, members(roll))


def voting_round(db, **kwargs):
    appraisal = open_round(db, **kwargs)
    return call(db, WORKER_A1, appraisals.start_voting, appraisal["id"], TODAY)


def vote(db, round_id, voter, ratings, kind="representative", caller=WORKER_A1):
    return call(db, caller, appraisals.cast_ballot, round_id, {
        "voter_kind": kind, "voter_ref": voter,
        "ratings": {str(member): rating for member, rating in ratings.items()}})


E, Q, B, U = "excellent", "qualified", "basically_qualified", "unqualified"


def test_an_appraisal_from_opening_to_count(assessments_service_db):
    db = assessments_service_db
    appraisal = open_round(db)
    assert appraisal == {**appraisal, "status": "open", "member_ids": ROLL, "ballots": 0,
                         "excellent_cap": 2, "org_code": GRID_A1, "branch_id": 41, "year": 2025}
    with pytest.raises(Conflict):  # ballots wait for the voting
        vote(db, appraisal["id"], "R1", {101: Q})
    call(db, WORKER_A1, appraisals.start_voting, appraisal["id"], TODAY)
    # six ballots: 101-103 reach excellent (103 most), 108 unqualified, 107 basically
    plan = {101: [E, E, E, Q, Q, Q], 102: [E, E, E, B, Q, Q], 103: [E, E, E, E, Q, Q],
            104: [Q] * 6, 105: [Q, Q, Q, Q, Q, B], 106: [Q] * 6, 107: [B, B, U, Q, Q, Q],
            108: [U, U, U, B, Q, Q]}
    for n in range(6):
        kind, voter = ("member", str(ROLL[n])) if n < 3 else ("representative", f"R-{n}")
        vote(db, appraisal["id"], voter, {m: plan[m][n] for m in ROLL}, kind=kind)
    counted = call(db, WORKER_A1, appraisals.count, appraisal["id"], TODAY)
    assert counted["status"] == "counted" and counted["ballots"] == 6
    assert counted["bands"] == {E: 2, Q: 4, B: 1, U: 1}
    results = call(db, AUDITOR_A, appraisals.list_results, appraisal["id"], {})["items"]
    bands = {r["party_member_id"]: r["band"] for r in results}
    assert bands == {101: E, 102: Q, 103: E, 104: Q, 105: Q, 106: Q, 107: B, 108: U}
    assert results[7]["votes"] == {E: 0, Q: 2, B: 1, U: 3}

    appraised = events(db, "assessments.member_appraised")
    assert sorted((e["data"]["party_member_id"], e["data"]["band"]) for e in appraised) == \
        sorted(bands.items())
    (unqualified,) = events(db, "assessments.member_rated_unqualified")
    assert unqualified["data"] == {"round_id": appraisal["id"], "branch_id": 41,
                                   "org_code": GRID_A1, "year": 2025, "party_member_id": 108,
                                   "unqualified_votes": 3, "ballots": 6, "overridden": False}
    (summary,) = events(db, "assessments.appraisal_counted")
    assert summary["data"]["bands"] == {E: 2, Q: 4, B: 1, U: 1}
    assert "党员" not in str(appraised + [unqualified, summary])  # ids only, never names

    with pytest.raises(Conflict):
        call(db, WORKER_A1, appraisals.count, appraisal["id"], TODAY)
    with pytest.raises(Conflict):
        vote(db, appraisal["id"], "R-late", {101: Q})
    only = call(db, WORKER_A1, appraisals.list_results, appraisal["id"], {"band": U})
    assert [r["party_member_id"] for r in only["items"]] == [108]


def test_bad_ballots_are_refused_and_change_nothing(assessments_service_db):
    db = assessments_service_db
    appraisal = voting_round(db)
    vote(db, appraisal["id"], "R-1", {101: Q})
    with pytest.raises(Conflict) as second:
        vote(db, appraisal["id"], "R-1", {102: E})
    assert second.value.field == "voter_ref"
    with pytest.raises(InvalidInput) as stranger:
        vote(db, appraisal["id"], "999", {101: Q}, kind="member")
    assert stranger.value.field == "voter_ref"
    with pytest.raises(InvalidInput) as off_roll:
        vote(db, appraisal["id"], "R-2", {101: Q, 555: E})
    assert off_roll.value.field == "ratings.555"
    for bad in ({"voter_kind": "representative", "voter_ref": "张三", "ratings": {"101": Q}},
                {"voter_kind": "representative", "voter_ref": "R-3", "ratings": {}},
                {"voter_kind": "representative", "voter_ref": "R-3", "ratings": {"101": "good"}},
                {"voter_kind": "neighbour", "voter_ref": "R-3", "ratings": {"101": Q}}):
        with pytest.raises(InvalidInput):
            call(db, WORKER_A1, appraisals.cast_ballot, appraisal["id"], bad)
    with pytest.raises(Conflict):
        open_round(db)  # one round per branch and year
    with pytest.raises(InvalidInput):
        open_round(db, branch={**BRANCH, "kind": "general_branch"}, year=2024)
    with pytest.raises(InvalidInput):
        open_round(db, year=2024, roll=[])
    with db.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(AppraisalBallot)) == 1
        assert session.scalar(select(AppraisalRound.ballots)) == 1


def test_one_ballot_per_voter_when_the_same_voter_votes_at_once(assessments_service_db):
    db = assessments_service_db
    appraisal = voting_round(db)
    threading = eventlet.patcher.original("threading")
    attempts = 6
    outcomes, barrier = [], threading.Barrier(attempts)

    def cast(n):
        barrier.wait()
        unit = db.unit_of_work("assessments", WORKER_A1)
        try:
            appraisals.cast_ballot(unit, appraisal["id"], {
                "voter_kind": "representative", "voter_ref": "R-same",
                "ratings": {"101": E if n % 2 else Q}})
            unit.commit()
            outcomes.append("cast")
        except Exception as exc:  # noqa: BLE001  (the test reports any failure)
            unit.rollback()
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=cast, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["Conflict"] * (attempts - 1) + ["cast"], outcomes
    with db.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(AppraisalBallot)) == 1
        assert session.scalar(select(AppraisalRound.ballots)) == 1


def test_the_committee_overrides_a_band_with_a_reason_within_the_cap(assessments_service_db):
    db = assessments_service_db
    appraisal = voting_round(db)
    vote(db, appraisal["id"], "R-1", {101: E, 102: E, 103: E, 104: U})
    vote(db, appraisal["id"], "R-2", {101: E, 102: E, 103: Q, 104: U})
    with pytest.raises(Conflict):  # only once counted
        call(db, WORKER_A1, appraisals.override_band, appraisal["id"], 104,
             {"band": Q, "reason": "x"})
    call(db, WORKER_A1, appraisals.count, appraisal["id"], TODAY)
    with pytest.raises(Conflict):  # 101 and 102 are excellent: the cap of 2 is full
        call(db, WORKER_A1, appraisals.override_band, appraisal["id"], 103,
             {"band": E, "reason": "群众反映突出"})
    changed = call(db, WORKER_A1, appraisals.override_band, appraisal["id"], 102,
                   {"band": U, "reason": "支委会核实：长期不参加组织生活"})
    assert changed == {**changed, "band": U, "counted_band": E, "overridden": True,
                       "override_reason": "支委会核实：长期不参加组织生活", "overridden_by": "wang"}
    unqualified = events(db, "assessments.member_rated_unqualified")
    assert [(e["data"]["party_member_id"], e["data"]["overridden"]) for e in unqualified] == [
        (104, False), (102, True)]
    # now there is room: 103 may be excellent
    call(db, WORKER_A1, appraisals.override_band, appraisal["id"], 103,
         {"band": E, "reason": "群众反映突出"})
    with pytest.raises(NotFound):
        call(db, WORKER_A1, appraisals.override_band, appraisal["id"], 999,
             {"band": Q, "reason": "x"})
    with pytest.raises(InvalidInput):
        call(db, WORKER_A1, appraisals.override_band, appraisal["id"], 103,
             {"band": Q, "reason": "   "})


def test_scope_and_roles(assessments_service_db):
    db = assessments_service_db
    appraisal = open_round(db)
    assert call(db, STREET_ADMIN, appraisals.get_round, appraisal["id"])["id"] == appraisal["id"]
    assert call(db, AUDITOR_A, appraisals.get_round, appraisal["id"])["id"] == appraisal["id"]
    for caller in (WORKER_A2, STREET_B_ADMIN):
        with pytest.raises(NotFound):
            call(db, caller, appraisals.get_round, appraisal["id"])
        with pytest.raises(NotFound):
            call(db, caller, appraisals.start_voting, appraisal["id"])
        assert call(db, caller, appraisals.list_rounds, {})["items"] == []
    with pytest.raises(Forbidden):
        call(db, AUDITOR_A, appraisals.start_voting, appraisal["id"])
    with pytest.raises(Forbidden):
        open_round(db, caller=AUDITOR_A, year=2024)
    with pytest.raises(Forbidden):  # a branch beside the caller's own community
        open_round(db, caller=WORKER_A2, year=2024)
    with pytest.raises(Forbidden):
        call(db, WORKER_A1, appraisals.list_rounds, {"code": STREET_A})


def test_lists_are_paginated(assessments_service_db):
    db = assessments_service_db
    for year in (2021, 2022, 2023):
        open_round(db, year=year)
    page = call(db, STREET_ADMIN, appraisals.list_rounds, {"limit": 2})
    assert [r["year"] for r in page["items"]] == [2021, 2022] and page["next_cursor"]
    rest = call(db, STREET_ADMIN, appraisals.list_rounds,
                {"limit": 2, "cursor": page["next_cursor"]})
    assert [r["year"] for r in rest["items"]] == [2023] and rest["next_cursor"] is None
    assert [r["year"] for r in call(db, STREET_ADMIN, appraisals.list_rounds,
                                    {"year": 2022})["items"]] == [2022]
    with pytest.raises(InvalidInput):
        call(db, STREET_ADMIN, appraisals.list_rounds, {"cursor": "nonsense"})


def rating(db, branch=BRANCH, year=2025, values=(18, 17, 16, 19, 16), caller=WORKER_A1):
    scores = dict(zip(("good_leadership", "good_team", "good_mechanism", "good_performance",
                       "good_reputation"), values, strict=True))
    return call(db, caller, appraisals.rate_branch,
                {"branch_id": branch["id"], "year": year, "scores": scores}, branch)


def test_five_goods_rating_and_its_revision(assessments_service_db):
    db = assessments_service_db
    rated = rating(db)
    assert rated == {**rated, "total": 86, "band": "five_goods", "revision": 0}
    with pytest.raises(Conflict):
        rating(db)
    for bad in ((21, 17, 16, 19, 16), (-1, 17, 16, 19, 16)):
        with pytest.raises(InvalidInput):
            rating(db, year=2024, values=bad)
    with pytest.raises(InvalidInput):  # a criterion missing
        call(db, WORKER_A1, appraisals.rate_branch, {"branch_id": 41, "year": 2024,
                                                       "scores": {"good_team": 3}}, BRANCH)
    revised = call(db, WORKER_A1, appraisals.revise_rating, rated["id"], {"scores": {
        "good_leadership": 10, "good_team": 12, "good_mechanism": 12, "good_performance": 14,
        "good_reputation": 12}})
    assert revised == {**revised, "total": 60, "band": "fair", "revision": 1}
    assert [(e["data"]["band"], e["data"]["revision"]) for e in
            events(db, "assessments.branch_rated")] == [("five_goods", 0), ("fair", 1)]
    with pytest.raises(NotFound):
        call(db, WORKER_A2, appraisals.get_rating, rated["id"])
    assert call(db, STREET_ADMIN, appraisals.list_ratings, {"band": "fair"})["items"][0]["id"] \
        == rated["id"]


MEMBER = {"id": 105, "branch_id": 41, "org_code": GRID_A1, "status": "active", "name": "党员"}


def test_a_commitment_card_through_its_stages(assessments_service_db):
    db = assessments_service_db
    card = call(db, WORKER_A1, appraisals.create_card, {
        "party_member_id": 105, "year": 2025, "items": ["每月走访独居老人", "参加两次志愿服务"],
        "text": "立足岗位作表率"}, MEMBER)
    assert card == {**card, "stage": "pledged", "allowed_steps": ["publish"], "org_code": GRID_A1,
                    "branch_id": 41, "peer_ratings": 0, "peer_average": None}
    with pytest.raises(Conflict):
        call(db, WORKER_A1, appraisals.create_card, {"party_member_id": 105, "year": 2025,
                                                      "items": ["x"]}, MEMBER)
    with pytest.raises(Conflict):
        call(db, WORKER_A1, appraisals.rate_card, card["id"], {"rater_ref": "101", "score": 5})
    with pytest.raises(InvalidInput) as future:
        call(db, WORKER_A1, appraisals.publish_card, card["id"], {"on": "2026-02-01"}, TODAY)
    assert future.value.field == "on"
    card = call(db, WORKER_A1, appraisals.publish_card, card["id"], {}, TODAY)
    assert card["stage"] == "published" and card["published_on"] == "2026-01-15"
    with pytest.raises(Conflict):
        call(db, WORKER_A1, appraisals.assess_card, card["id"], {"outcome": "fulfilled"})
    for rater, score in (("101", 5), ("102", 4), ("R-7", 4)):
        card = call(db, WORKER_A1, appraisals.rate_card, card["id"],
                    {"rater_ref": rater, "score": score})
    assert card == {**card, "stage": "peer_rated", "peer_ratings": 3, "peer_average": 4.33}
    with pytest.raises(Conflict):
        call(db, WORKER_A1, appraisals.rate_card, card["id"], {"rater_ref": "101", "score": 1})
    with pytest.raises(InvalidInput):
        call(db, WORKER_A1, appraisals.rate_card, card["id"], {"rater_ref": "103", "score": 6})
    with pytest.raises(InvalidInput):  # before it was published
        call(db, WORKER_A1, appraisals.assess_card, card["id"],
             {"outcome": "partly", "on": "2026-01-14"}, TODAY)
    card = call(db, WORKER_A1, appraisals.assess_card, card["id"],
                {"outcome": "partly", "note": "志愿服务完成一次"}, TODAY)
    assert card == {**card, "stage": "assessed", "outcome": "partly", "allowed_steps": []}
    with pytest.raises(Conflict):
        call(db, WORKER_A1, appraisals.rate_card, card["id"], {"rater_ref": "103", "score": 3})
    (assessed,) = events(db, "assessments.commitment_card_assessed")
    assert assessed["data"] == {"card_id": card["id"], "party_member_id": 105, "branch_id": 41,
                                "org_code": GRID_A1, "year": 2025, "outcome": "partly",
                                "peer_average": 4.33, "peer_ratings": 3, "on": "2026-01-15"}
    assert len(events(db, "assessments.commitment_card_published")) == 1
    with pytest.raises(InvalidInput):
        call(db, WORKER_A1, appraisals.create_card, {"party_member_id": 106, "year": 2025,
                                                      "items": ["x"]},
             {**MEMBER, "id": 106, "status": "transferred_out"})
    with pytest.raises(NotFound):
        call(db, WORKER_A2, appraisals.get_card, card["id"])
    listed = call(db, STREET_ADMIN, appraisals.list_cards, {"stage": "assessed"})
    assert [c["id"] for c in listed["items"]] == [card["id"]]


def directory_of(branches: int, members_each: int) -> dict:
    ids = iter(range(1000, 10000))
    made = []
    for n in range(branches):
        made.append({"id": 300 + n, "name": f"第{n + 1}党支部", "org_code": COMMUNITY_A1,
                     "kind": "branch", "status": "active",
                     "members": [{"id": next(ids), "resident_id": 1, "name": "某某"}
                                 for _ in range(members_each)]})
    return {COMMUNITY_A1: {"branches": made[:3]},
            COMMUNITY_A2: {"branches": [{**b, "org_code": COMMUNITY_A2} for b in made[3:]]}}


def test_the_demo_seeds_every_figure_once(assessments_service_db, monkeypatch):
    from services.assessments import demo_appraisals

    db = assessments_service_db
    monkeypatch.setattr(demo_appraisals, "XIGUAN", COMMUNITY_A1)
    monkeypatch.setattr(demo_appraisals, "YONGFENG", COMMUNITY_A2)
    directory = directory_of(branches=5, members_each=12)
    with db.transaction("assessments") as uow:
        created = demo_appraisals.seed(uow, directory, TODAY)
    assert created == {"appraisal_round": 2, "appraisal_ballot": 2 * (12 + 5),
                       "branch_rating": 5, "commitment_card": 8, "commitment_rating": 12}
    with db.transaction("assessments") as uow:
        assert demo_appraisals.seed(uow, directory, TODAY) == {}
    bands = [e["data"]["bands"] for e in events(db, "assessments.appraisal_counted")]
    assert bands == [{E: 3, Q: 6, B: 2, U: 1}, {E: 3, Q: 7, B: 2, U: 0}]  # the cap: 3 of 12
    assert len(events(db, "assessments.member_rated_unqualified")) == 1
    cards = call(db, STREET_ADMIN, appraisals.list_cards, {})["items"]
    assert sorted(c["stage"] for c in cards) == sorted(
        ["pledged", "published", "peer_rated", "assessed"] * 2)
    ratings = call(db, STREET_ADMIN, appraisals.list_ratings, {})["items"]
    assert {r["band"] for r in ratings} == {"five_goods", "good", "fair"}
