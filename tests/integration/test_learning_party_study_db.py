"""Party study on SQLite and PostgreSQL: planning a cadence is idempotent, sign-in is all or
nothing and marks a session held once, ``learning.study_quota_met`` is emitted exactly once per
(member, year) however attendance is re-posted, notes keep their minimum, quotas show who is
behind, and another street sees none of it."""
from datetime import date

import pytest
from sqlalchemy import func, select

from services.learning import party_study
from services.learning.models import OutboxMessage
from services.learning.models.party_study import (
    StudyAttendance,
    StudyNote,
    StudyQuotaMark,
    StudySession,
)
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, OutOfScope

COMMUNITY = "350502001001"
GRID = COMMUNITY + "001"
WORKER = CallerContext("worker", ("community_worker",), COMMUNITY)
STREET_B_ADMIN = CallerContext("admin-b", ("street_admin",), "350502002")
AUDITOR = CallerContext("auditor", ("auditor",), "350502")
BRANCH = {"id": 7, "kind": "branch", "name": "西关第一党支部", "org_code": GRID,
          "status": "active"}
MEMBERS = [{"id": 100 + n, "resident_id": n, "name": f"党员{n}", "branch_id": 7,
            "org_code": GRID, "status": "active", "stage": "full"} for n in range(1, 4)]
NOTE = "认真学习党章党规，" * 40  # 360 characters


def as_caller(db, caller, fn, *args, **kwargs):
    with db.transaction("learning", caller) as uow:
        return fn(uow, *args, **kwargs)


def events(db, event_type):
    with db.session_factory() as session:
        return list(session.scalars(select(OutboxMessage.envelope).where(
            OutboxMessage.event_type == event_type).order_by(OutboxMessage.id)))


def count(db, model):
    with db.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def plan(db, kind="study_day", start="2025-01-01", end="2025-12-31", **extra):
    return as_caller(db, WORKER, party_study.plan_sessions,
                     {"branch_id": 7, "kind": kind, "from": start, "to": end, **extra}, BRANCH)


def sign_in(db, session_id, records, members=MEMBERS, today=None):
    return as_caller(db, WORKER, party_study.record_attendance, session_id,
                     {"records": records}, members, today)


def test_planning_a_cadence_twice_adds_nothing(learning_service_db):
    db = learning_service_db
    first = plan(db)
    assert len(first["dates"]) == 52 and len(first["created"]) == 52 and first["existing"] == []
    assert {s["topic"] for s in first["created"]} == {"集中学习日"}
    assert all(date.fromisoformat(s["held_on"]).weekday() == 3 for s in first["created"])
    again = plan(db)
    assert again["created"] == [] and len(again["existing"]) == 52
    overlapping = plan(db, start="2025-12-01", end="2026-01-31")
    assert [s["held_on"] for s in overlapping["created"]] == [
        "2026-01-01", "2026-01-08", "2026-01-15", "2026-01-22", "2026-01-29"]
    assert len(overlapping["existing"]) == 4
    monthly = plan(db, kind="branch_meeting", topic="支部党员大会：学习贯彻会议精神")
    assert len(monthly["created"]) == 12  # another kind on the same Thursdays is its own slot
    assert count(db, StudySession) == 52 + 5 + 12

    cancelled = first["created"][0]["id"]
    shown = as_caller(db, WORKER, party_study.update_session, cancelled,
                      {"status": "cancelled", "cancel_reason": "台风停课"})
    assert shown["status"] == "cancelled"
    assert plan(db)["created"] == []  # a cancelled date is not planned again
    with pytest.raises(Conflict) as duplicate:
        as_caller(db, WORKER, party_study.create_session,
                  {"branch_id": 7, "kind": "study_day", "held_on": "2025-01-02", "topic": "补课"},
                  BRANCH)
    assert duplicate.value.field == "held_on"
    assert count(db, StudySession) == 69


def test_a_plan_needs_a_manager_a_branch_and_a_sane_range(learning_service_db):
    db = learning_service_db
    with pytest.raises(Forbidden):
        as_caller(db, AUDITOR, party_study.plan_sessions,
                  {"branch_id": 7, "kind": "study_day", "from": "2025-01-01", "to": "2025-02-01"},
                  BRANCH)
    with pytest.raises(InvalidInput) as too_long:
        plan(db, start="2025-01-01", end="2026-06-30")
    assert too_long.value.field == "to"
    with pytest.raises(InvalidInput) as not_a_branch:
        as_caller(db, WORKER, party_study.plan_sessions,
                  {"branch_id": 7, "kind": "study_day", "from": "2025-01-01", "to": "2025-02-01"},
                  {**BRANCH, "kind": "community_party_committee"})
    assert not_a_branch.value.field == "branch_id"
    with pytest.raises(NotFound):  # membership showed a branch the caller does not see
        as_caller(db, WORKER, party_study.plan_sessions,
                  {"branch_id": 7, "kind": "study_day", "from": "2025-01-01", "to": "2025-02-01"},
                  {**BRANCH, "org_code": "350502002001"})
    assert count(db, StudySession) == 0


def test_sign_in_is_all_or_nothing_and_holds_a_session_once(learning_service_db):
    db = learning_service_db
    session_id = plan(db, start="2025-03-01", end="2025-03-31")["created"][0]["id"]
    for records, field in (
            ([{"party_member_id": 101, "status": "present"},
              {"party_member_id": 999, "status": "present"}], "records.1.party_member_id"),
            ([{"party_member_id": 101, "status": "present"},
              {"party_member_id": 101, "status": "late"}], "records.1.party_member_id"),
            ([{"party_member_id": 101, "status": "asleep"}], "records.0.status")):
        with pytest.raises(InvalidInput) as refused:
            sign_in(db, session_id, records)
        assert refused.value.field == field
    assert count(db, StudyAttendance) == 0 and events(db, "learning.study_session_held") == []

    result = sign_in(db, session_id, [{"party_member_id": 101, "status": "present"},
                                      {"party_member_id": 102, "status": "late"}])
    assert result["session"]["status"] == "held"
    assert result["session"]["attendance"] == {"present": 1, "late": 1, "excused": 0, "absent": 0}
    assert result["not_recorded"] == [103] and result["recorded"] == 2
    sign_in(db, session_id, [{"party_member_id": 103, "status": "excused"},
                             {"party_member_id": 102, "status": "present"}])
    (held,) = events(db, "learning.study_session_held")
    assert held["data"] == {"study_session_id": session_id, "branch_id": 7, "org_code": GRID,
                            "kind": "study_day", "held_on": "2025-03-06", "present": 2,
                            "recorded": 2}
    roster = as_caller(db, AUDITOR, party_study.list_attendance, session_id, {"limit": 2})
    assert [(line["party_member_id"], line["status"]) for line in roster["items"]] == [
        (101, "present"), (102, "present")]
    rest = as_caller(db, AUDITOR, party_study.list_attendance, session_id,
                     {"cursor": roster["next_cursor"]})
    assert [line["member_name"] for line in rest["items"]] == ["党员3"]
    with pytest.raises(Conflict):  # held: no cancelling now
        as_caller(db, WORKER, party_study.update_session, session_id, {"status": "cancelled"})


def test_future_and_cancelled_sessions_take_no_sign_in(learning_service_db):
    db = learning_service_db
    (first, second) = plan(db, start="2025-03-01", end="2025-03-13")["created"]
    with pytest.raises(Conflict) as early:
        sign_in(db, first["id"], [{"party_member_id": 101, "status": "present"}],
                today=date(2025, 3, 5))
    assert early.value.field == "held_on"
    as_caller(db, WORKER, party_study.update_session, second["id"], {"status": "cancelled"})
    with pytest.raises(Conflict) as cancelled:
        sign_in(db, second["id"], [{"party_member_id": 101, "status": "present"}])
    assert cancelled.value.field == "status"
    assert count(db, StudyAttendance) == 0


def test_the_quota_met_event_is_emitted_once_even_when_attendance_is_reposted(
        learning_service_db):
    db = learning_service_db
    sessions = plan(db)["created"]
    # member 101 attends 24 study days (24 sessions), member 102 only 23
    for n, session in enumerate(sessions[:24]):
        records = [{"party_member_id": 101, "status": "late" if n % 5 == 0 else "present"}]
        if n < 23:
            records.append({"party_member_id": 102, "status": "present"})
        result = sign_in(db, session["id"], records)
        assert result["quota_met"] == ([101] if n == 23 else [])
    (met,) = events(db, "learning.study_quota_met")
    assert met["data"] == {"party_member_id": 101, "year": 2025, "branch_id": 7,
                           "org_code": GRID, "study_days_attended": 24, "sessions_attended": 24,
                           "min_study_days": 12, "min_sessions": 24, "met_on": "2025-06-12"}
    assert met["org_code"] == GRID
    # the same sheet again, a correction back and forth, and more study: nothing new
    sign_in(db, sessions[23]["id"], [{"party_member_id": 101, "status": "present"}])
    sign_in(db, sessions[23]["id"], [{"party_member_id": 101, "status": "absent"}])
    sign_in(db, sessions[23]["id"], [{"party_member_id": 101, "status": "present"}])
    sign_in(db, sessions[30]["id"], [{"party_member_id": 101, "status": "present"}])
    assert len(events(db, "learning.study_quota_met")) == 1
    assert count(db, StudyQuotaMark) == 1
    # member 102 reaches it with a monthly meeting (23 study days, 24 sessions)
    meeting = plan(db, kind="branch_meeting", start="2025-07-01", end="2025-07-31")["created"][0]
    assert sign_in(db, meeting["id"], [{"party_member_id": 102, "status": "present"}])[
        "quota_met"] == [102]
    assert [e["data"]["party_member_id"] for e in events(db, "learning.study_quota_met")] == [
        101, 102]
    assert len(events(db, "learning.study_session_held")) == 26


def test_quotas_show_who_is_behind(learning_service_db):
    db = learning_service_db
    sessions = plan(db, start="2026-01-01", end="2026-12-31")["created"]
    for session in sessions[:26]:  # to 2026-06-25
        sign_in(db, session["id"], [{"party_member_id": 101, "status": "present"},
                                    {"party_member_id": 102, "status": "absent"}],
                today=date(2026, 7, 2))
    for session in sessions[:5]:
        sign_in(db, session["id"], [{"party_member_id": 103, "status": "present"}],
                today=date(2026, 7, 2))
    as_caller(db, WORKER, party_study.write_note, sessions[0]["id"],
              {"party_member_id": 103, "text": NOTE}, MEMBERS, date(2026, 7, 2))
    report = as_caller(db, AUDITOR, party_study.quota_report, {"branch_id": "7", "year": "2026"},
                       MEMBERS, BRANCH, date(2026, 7, 2))
    assert report["expected_so_far"] == {"study_days": 6, "sessions": 12}
    assert report["summary"] == {"members": 3, "met": 1, "behind": 2}
    rows = {row["party_member_id"]: row for row in report["items"]}
    assert (rows[101]["met"], rows[101]["behind"], rows[101]["study_days_attended"]) == (
        True, False, 26)
    assert (rows[102]["sessions_attended"], rows[102]["behind"]) == (0, True)
    assert rows[103]["notes_written"] == 1
    assert rows[103]["shortfall"] == {"study_days": 7, "sessions": 19}
    behind = as_caller(db, AUDITOR, party_study.quota_report,
                       {"branch_id": "7", "year": "2026", "behind": "true", "limit": "1"},
                       MEMBERS, BRANCH, date(2026, 7, 2))
    assert [r["party_member_id"] for r in behind["items"]] == [102]
    after = as_caller(db, AUDITOR, party_study.quota_report,
                      {"branch_id": "7", "year": "2026", "behind": "true",
                       "cursor": behind["next_cursor"]}, MEMBERS, BRANCH, date(2026, 7, 2))
    assert [r["party_member_id"] for r in after["items"]] == [103]
    assert after["next_cursor"] is None
    early = as_caller(db, AUDITOR, party_study.quota_report, {"branch_id": "7", "year": "2026"},
                      MEMBERS, BRANCH, date(2026, 1, 1))
    assert early["summary"]["behind"] == 0
    lenient = as_caller(db, AUDITOR, party_study.quota_report,
                        {"branch_id": "7", "year": "2026", "min_study_days": "5",
                         "min_sessions": "5"}, MEMBERS, BRANCH, date(2026, 7, 2))
    assert lenient["summary"] == {"members": 3, "met": 2, "behind": 1}
    with pytest.raises(InvalidInput) as neither:
        as_caller(db, AUDITOR, party_study.quota_report, {}, MEMBERS, None)
    assert neither.value.field == "branch_id"
    with pytest.raises(OutOfScope):
        as_caller(db, STREET_B_ADMIN, party_study.check_quota_query, {"code": "350502001"})


def test_notes_keep_their_minimum_and_come_once_per_member(learning_service_db):
    db = learning_service_db
    session_id = plan(db, start="2025-03-01", end="2025-03-07")["created"][0]["id"]

    def write(body, members=MEMBERS):
        return as_caller(db, WORKER, party_study.write_note, session_id, body, members)

    with pytest.raises(InvalidInput) as short:
        write({"party_member_id": 101, "text": "学习心得" * 20 + " " * 300})
    assert short.value.field == "text" and "300" in short.value.detail \
        and "80" in short.value.detail
    with pytest.raises(InvalidInput) as stranger:
        write({"party_member_id": 555, "text": NOTE})
    assert stranger.value.field == "party_member_id"
    note = write({"party_member_id": 101, "text": f"  {NOTE}\n", "reflection": "要学以致用"})
    assert (note["length"], note["member_name"], note["reflection"]) == (360, "党员1", "要学以致用")
    with pytest.raises(Conflict) as twice:
        write({"party_member_id": 101, "text": NOTE})
    assert twice.value.field == "party_member_id"
    assert count(db, StudyNote) == 1
    listed = as_caller(db, AUDITOR, party_study.list_notes, session_id, {})
    assert [n["party_member_id"] for n in listed["items"]] == [101]
    assert as_caller(db, AUDITOR, party_study.get_session, session_id)["notes"] == 1
    # a session may ask for shorter notes
    short_session = as_caller(db, WORKER, party_study.create_session, {
        "branch_id": 7, "kind": "party_lesson", "held_on": "2025-03-10", "topic": "党课：党史",
        "note_min_chars": 50, "speaker": "书记"}, BRANCH)
    brief = as_caller(db, WORKER, party_study.write_note, short_session["id"],
                      {"party_member_id": 102, "text": "学" * 50}, MEMBERS)
    assert brief["length"] == 50


def test_another_street_sees_nothing(learning_service_db):
    db = learning_service_db
    session_id = plan(db, start="2025-03-01", end="2025-03-07")["created"][0]["id"]
    for fn, args in ((party_study.get_session, (session_id,)),
                     (party_study.list_attendance, (session_id, {})),
                     (party_study.list_notes, (session_id, {})),
                     (party_study.update_session, (session_id, {"topic": "改"}))):
        with pytest.raises(NotFound):
            as_caller(db, STREET_B_ADMIN if fn is not party_study.update_session
                      else CallerContext("b", ("street_admin",), "350502002"), fn, *args)
    assert as_caller(db, STREET_B_ADMIN, party_study.list_sessions, {})["items"] == []
    seen = as_caller(db, AUDITOR, party_study.list_sessions, {"code": "350502001",
                                                              "kind": "study_day"})
    assert [s["id"] for s in seen["items"]] == [session_id]
    assert as_caller(db, AUDITOR, party_study.list_sessions, {"from": "2025-03-07"})["items"] == []
