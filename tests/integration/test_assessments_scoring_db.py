"""Scoring on SQLite and PostgreSQL: events received become entries under the active schemes
(and later, when a scheme is approved); a changed rule is corrected, never edited; the replay
check finds the scorecards equal — or tampered; the ledger is read within scope."""
from datetime import date, datetime, timezone

import eventlet
import pytest
from sqlalchemy import func, select, update

from services.assessments import ledger, scoring
from services.assessments.domain.scoring import Subject
from services.assessments.models.ledger import LedgerEntry, ReceivedEvent, Scorecard, ScorecardLine
from services.assessments.models.schemes import Indicator, Scheme, ScoringRule
from shared.context import CallerContext
from shared.errors import Forbidden, InvalidInput, NotFound, OutOfScope
from shared.events.registry import make_envelope

DISTRICT, STREET_A, STREET_B = "350502", "350502001", "350502002"
COMMUNITY_A1, COMMUNITY_A2, COMMUNITY_B1 = STREET_A + "001", STREET_A + "002", STREET_B + "001"
SYSTEM = CallerContext.system()
DISTRICT_ADMIN = CallerContext("district", ("district_admin",), DISTRICT)
STREET_A_ADMIN = CallerContext("admin-a", ("street_admin",), STREET_A)
STREET_B_ADMIN = CallerContext("admin-b", ("street_admin",), STREET_B)
WORKER_A1 = CallerContext("worker-a1", ("community_worker",), COMMUNITY_A1)
WORKER_A2 = CallerContext("worker-a2", ("community_worker",), COMMUNITY_A2)
AUDITOR = CallerContext("auditor", ("auditor",), DISTRICT)


def as_caller(db, caller, fn, *args):
    with db.transaction("assessments", caller) as uow:
        return fn(uow, *args)


def make_scheme(db, *, status="active", subject_kind="community", org_code=DISTRICT,
                period="month", counts_from=date(2026, 1, 1), counts_until=date(2026, 12, 31),
                rules=(), weight=1.0) -> tuple[int, list[int]]:
    """A scheme with one events indicator and its rules: dicts of ScoringRule's columns."""
    with db.transaction("assessments") as uow:
        scheme = Scheme(name="社区服务考核", department="区民政局", subject_kind=subject_kind,
                        period=period, org_code=org_code, status=status, counts_from=counts_from,
                        counts_until=counts_until, created_by="test")
        uow.session.add(scheme)
        uow.session.flush()
        indicator = Indicator(scheme_id=scheme.id, code="service", name="为民服务",
                              source="events", weight=weight)
        uow.session.add(indicator)
        uow.session.flush()
        made = [ScoringRule(scheme_id=scheme.id, indicator_id=indicator.id, **rule)
                for rule in rules]
        uow.session.add_all(made)
        uow.session.flush()
        return scheme.id, [rule.id for rule in made]


RESOLVED_ON_TIME = dict(event_type="tickets.ticket_resolved", subject_field="community_code",
                        conditions=[{"field": "on_time", "op": "eq", "value": True}], points=2,
                        description="+2 per ticket resolved within its SLA")
PATROL_HOURS = dict(event_type="security.patrol_shift_completed", subject_field="volunteer_ids",
                    points=1, per_field="hours", description="+1 per patrol hour")


def resolved(community=COMMUNITY_A1, at="2026-11-03T02:00:00+00:00", on_time=True,
             ticket_id=1) -> dict:
    street = community[:9]
    envelope = make_envelope("tickets.ticket_resolved", {
        "ticket_id": ticket_id, "transition_id": ticket_id * 10, "seq": 5, "action": "resolve",
        "from_status": "in_progress", "status": "resolved", "comment": "已疏通",
        "category_code": "sewer_overflow", "grid_code": community + "001",
        "community_code": community, "street_code": street, "level": "community",
        "responsible_code": community, "accountable_code": street,
        "due_at": "2026-11-04T02:00:00+00:00", "at": at, "created_at": "2026-11-02T02:00:00+00:00",
        "accepted_at": "2026-11-02T03:00:00+00:00", "resolved_at": at, "on_time": on_time,
        "assignee": {"kind": "grid_worker", "ref": "gw-li"}, "reopen_count": 0,
        "escalation_count": 0}, org_code=community + "001", actor="worker")
    envelope["occurred_at"] = at
    return envelope


def patrol(volunteer_ids=(7, 8), hours=2.5, org_code=COMMUNITY_A1 + "002",
           completed_at="2026-11-05T12:00:00+00:00") -> dict:
    return make_envelope("security.patrol_shift_completed", {
        "shift_id": 1, "team_id": 1, "org_code": org_code, "completed_at": completed_at,
        "hours": hours, "volunteer_ids": list(volunteer_ids), "check_in_count": 3,
        "finding_count": 0}, org_code=org_code, actor="officer")


def receive(db, envelope) -> dict:
    return as_caller(db, SYSTEM, scoring.receive, envelope)


def cards(db) -> dict:
    with db.session_factory() as session:
        return {(c.subject_ref, c.period_key): (c.total_hundredths, c.entry_count)
                for c in session.scalars(select(Scorecard))}


def entries(db) -> list[tuple]:
    with db.session_factory() as session:
        return [(e.subject_ref, e.period_key, e.hundredths, e.source, e.revision,
                 e.corrects_entry_id) for e in session.scalars(
            select(LedgerEntry).order_by(LedgerEntry.id))]


def set_rule(db, rule_id, **changes):
    with db.transaction("assessments") as uow:
        uow.session.execute(update(ScoringRule).where(ScoringRule.id == rule_id).values(**changes))


def set_status(db, scheme_id, status):
    with db.transaction("assessments") as uow:
        uow.session.execute(update(Scheme).where(Scheme.id == scheme_id).values(status=status))


def rescore(db, scheme_id) -> dict:
    return as_caller(db, SYSTEM, ledger.rescore_scheme, scheme_id)


def replay(db, scheme_id) -> dict:
    return as_caller(db, SYSTEM, ledger.replay_check, scheme_id)


def test_an_event_scores_under_each_active_scheme_with_a_rule_for_it(assessments_service_db):
    db = assessments_service_db
    district, _ = make_scheme(db, rules=[RESOLVED_ON_TIME])
    street, _ = make_scheme(db, org_code=STREET_A, period="quarter",
                            rules=[{**RESOLVED_ON_TIME, "points": 1.5}])
    make_scheme(db, org_code=STREET_B, rules=[RESOLVED_ON_TIME])  # A1 lies beyond it
    make_scheme(db, status="pending_approval", rules=[RESOLVED_ON_TIME])  # counts nothing yet
    assert receive(db, resolved())["entries"] == 2
    assert receive(db, resolved(on_time=False, ticket_id=2))["entries"] == 0  # a condition fails
    with db.session_factory() as session:
        by_scheme = {(e.scheme_id, e.period_key): (e.hundredths, e.source, e.event_type)
                     for e in session.scalars(select(LedgerEntry))}
        assert session.scalar(select(func.count()).select_from(ReceivedEvent)) == 2
    assert by_scheme == {(district, "2026-11"): (200, "event", "tickets.ticket_resolved"),
                         (street, "2026-Q4"): (150, "event", "tickets.ticket_resolved")}
    assert cards(db) == {(COMMUNITY_A1, "2026-11"): (200, 1), (COMMUNITY_A1, "2026-Q4"): (150, 1)}


def test_an_event_is_dated_by_its_day_in_china(assessments_service_db):
    db = assessments_service_db
    make_scheme(db, rules=[RESOLVED_ON_TIME])
    receive(db, resolved(at="2026-11-30T15:59:59+00:00", ticket_id=1))  # 23:59:59 on the 30th
    receive(db, resolved(at="2026-11-30T16:00:00+00:00", ticket_id=2))  # 00:00 on 1 December
    receive(db, resolved(at="2026-12-31T16:00:00+00:00", ticket_id=3))  # 2027: beyond the window
    assert cards(db) == {(COMMUNITY_A1, "2026-11"): (200, 1), (COMMUNITY_A1, "2026-12"): (200, 1)}


def test_each_volunteer_of_a_patrol_scores_its_hours(assessments_service_db):
    db = assessments_service_db
    make_scheme(db, subject_kind="volunteer", org_code=STREET_A, rules=[PATROL_HOURS])
    assert receive(db, patrol())["entries"] == 2
    receive(db, patrol(volunteer_ids=(9,), org_code=COMMUNITY_B1))  # beyond street A
    with db.session_factory() as session:
        scored = {(c.subject_ref, c.org_code, c.parent_code, c.total_hundredths)
                  for c in session.scalars(select(Scorecard))}
    assert scored == {("7", COMMUNITY_A1, COMMUNITY_A1, 250), ("8", COMMUNITY_A1, COMMUNITY_A1, 250)}


def test_events_received_before_approval_count_when_it_comes_and_once(assessments_service_db):
    db = assessments_service_db
    scheme_id, _ = make_scheme(db, status="pending_approval", rules=[RESOLVED_ON_TIME])
    for n in range(3):
        receive(db, resolved(ticket_id=n + 1))
    receive(db, resolved(community=COMMUNITY_A2, ticket_id=9))
    assert cards(db) == {}
    assert rescore(db, scheme_id) == {"events_examined": 0, "entries_appended": 0,
                                      "corrections_appended": 0}  # not active: nothing counts
    set_status(db, scheme_id, "active")
    assert rescore(db, scheme_id) == {"events_examined": 4, "entries_appended": 4,
                                      "corrections_appended": 0}
    assert cards(db) == {(COMMUNITY_A1, "2026-11"): (600, 3), (COMMUNITY_A2, "2026-11"): (200, 1)}
    assert rescore(db, scheme_id)["entries_appended"] == 0
    receive(db, resolved(ticket_id=4))  # and from now on as they come
    assert cards(db)[(COMMUNITY_A1, "2026-11")] == (800, 4)
    assert replay(db, scheme_id)["differences"] == []


def test_a_changed_rule_is_corrected_by_new_entries_then_nothing(assessments_service_db, monkeypatch):
    monkeypatch.setattr(ledger, "BATCH", 2)  # several batches of received events
    db = assessments_service_db
    scheme_id, (rule_id,) = make_scheme(db, rules=[RESOLVED_ON_TIME])
    for n in range(3):
        receive(db, resolved(ticket_id=n + 1))
    receive(db, resolved(on_time=False, ticket_id=4))
    receive(db, resolved(community=COMMUNITY_A2, ticket_id=5))
    set_rule(db, rule_id, points=3)
    assert rescore(db, scheme_id) == {"events_examined": 5, "entries_appended": 0,
                                      "corrections_appended": 4}
    assert cards(db) == {(COMMUNITY_A1, "2026-11"): (900, 6), (COMMUNITY_A2, "2026-11"): (300, 2)}
    with db.session_factory() as session:
        correction = session.scalars(select(LedgerEntry).where(LedgerEntry.revision == 1)
                                     .order_by(LedgerEntry.id)).first()
        first = session.get(LedgerEntry, correction.corrects_entry_id)
        assert (first.revision, first.hundredths, first.event_id) == (0, 200, correction.event_id)
        assert (correction.source, correction.hundredths, correction.rule_id) == (
            "correction", 100, rule_id)
        assert "+3.00" in correction.reason and "+2.00" in correction.reason
    assert rescore(db, scheme_id) == {"events_examined": 5, "entries_appended": 0,
                                      "corrections_appended": 0}
    # now on-time tickets score nothing and late ones do: each key is brought to the new figure
    set_rule(db, rule_id, conditions=[{"field": "on_time", "op": "eq", "value": False}])
    assert rescore(db, scheme_id) == {"events_examined": 5, "entries_appended": 1,
                                      "corrections_appended": 4}
    assert cards(db) == {(COMMUNITY_A1, "2026-11"): (300, 10), (COMMUNITY_A2, "2026-11"): (0, 3)}
    assert replay(db, scheme_id)["differences"] == []
    # a window narrowed past the events takes them all back
    with db.transaction("assessments") as uow:
        uow.session.execute(update(Scheme).where(Scheme.id == scheme_id)
                            .values(counts_until=date(2026, 10, 31)))
    assert rescore(db, scheme_id)["corrections_appended"] == 1
    assert {total for total, _ in cards(db).values()} == {0}
    assert replay(db, scheme_id)["differences"] == []


def test_a_changed_weight_is_corrected_to_the_exact_weighted_total(assessments_service_db):
    db = assessments_service_db
    scheme_id, _ = make_scheme(db, rules=[{**RESOLVED_ON_TIME, "points": 3.33}], weight=0.35)
    receive(db, resolved())
    assert cards(db) == {(COMMUNITY_A1, "2026-11"): (117, 1)}  # 0.35 × 333 = 116.55
    with db.transaction("assessments") as uow:
        uow.session.execute(update(Indicator).values(weight=0.5))
    assert rescore(db, scheme_id)["corrections_appended"] == 1
    assert cards(db) == {(COMMUNITY_A1, "2026-11"): (167, 2)}  # round(0.5 × 333), and 333 kept
    with db.session_factory() as session:
        assert session.scalar(select(ScorecardLine.hundredths)) == 333
    assert replay(db, scheme_id)["differences"] == []


def test_the_replay_check_finds_a_tampered_scorecard(assessments_service_db):
    db = assessments_service_db
    scheme_id, _ = make_scheme(db, rules=[RESOLVED_ON_TIME])
    for n in range(2):
        receive(db, resolved(ticket_id=n + 1))
    receive(db, resolved(community=COMMUNITY_A2, ticket_id=3))
    with db.transaction("assessments") as uow:  # a manual score: replayed from the ledger
        scheme = uow.session.get(Scheme, scheme_id)
        indicator = uow.session.scalar(select(Indicator))
        ledger.append(uow, scheme=scheme, indicator=indicator,
                      subject=Subject("community", COMMUNITY_A2, COMMUNITY_A2, STREET_A),
                      period_key="2026-11", hundredths=-50, source="manual",
                      occurred_at=datetime(2026, 11, 9, tzinfo=timezone.utc),
                      actor="inspector", reason="卫生检查扣分")
    checked = replay(db, scheme_id)
    assert checked == {"scheme_id": scheme_id, "events_replayed": 3, "scorecards_compared": 2,
                       "differences": []}
    with db.transaction("assessments") as uow:
        uow.session.execute(update(Scorecard).where(Scorecard.subject_ref == COMMUNITY_A1)
                            .values(total_hundredths=Scorecard.total_hundredths + 1))
        uow.session.execute(update(ScorecardLine).where(ScorecardLine.hundredths == 150)
                            .values(hundredths=151))
    differences = replay(db, scheme_id)["differences"]
    assert {(d["subject_ref"], d["figure"], d["stored"], d["from_ledger"], d["from_events"])
            for d in differences} == {(COMMUNITY_A1, "total_hundredths", 401, 400, 400),
                                      (COMMUNITY_A2, "hundredths", 151, 150, 150)}


def test_the_ledger_is_read_within_scope_and_explains_each_entry(assessments_service_db):
    db = assessments_service_db
    scheme_id, (rule_id,) = make_scheme(db, rules=[RESOLVED_ON_TIME])
    first = resolved()
    receive(db, first)
    receive(db, resolved(community=COMMUNITY_A2, ticket_id=2))
    everything = as_caller(db, DISTRICT_ADMIN, scoring.list_entries, {})
    assert [e["subject_ref"] for e in everything["items"]] == [COMMUNITY_A1, COMMUNITY_A2]
    assert everything["items"][0]["points"] == 2.0
    assert as_caller(db, STREET_B_ADMIN, scoring.list_entries, {})["items"] == []
    mine = as_caller(db, WORKER_A1, scoring.list_entries, {})["items"]
    assert [e["subject_ref"] for e in mine] == [COMMUNITY_A1]
    assert [e["subject_ref"] for e in as_caller(db, DISTRICT_ADMIN, scoring.list_entries, {
        "event_id": first["event_id"]})["items"]] == [COMMUNITY_A1]
    assert as_caller(db, DISTRICT_ADMIN, scoring.list_entries, {
        "scheme_id": scheme_id, "period_key": "2026-12"})["items"] == []
    page = as_caller(db, DISTRICT_ADMIN, scoring.list_entries, {"limit": 1})
    rest = as_caller(db, DISTRICT_ADMIN, scoring.list_entries, {"cursor": page["next_cursor"]})
    assert [e["subject_ref"] for e in page["items"] + rest["items"]] == [COMMUNITY_A1, COMMUNITY_A2]
    with pytest.raises(OutOfScope):
        as_caller(db, STREET_B_ADMIN, scoring.list_entries, {"code": STREET_A})
    with pytest.raises(InvalidInput) as refused:
        as_caller(db, DISTRICT_ADMIN, scoring.list_entries, {"source": "gift"})
    assert refused.value.field == "source"

    entry_id = mine[0]["id"]
    explained = as_caller(db, WORKER_A1, scoring.get_entry, entry_id)
    assert explained["rule"]["id"] == rule_id
    assert explained["rule"]["conditions"] == RESOLVED_ON_TIME["conditions"]
    assert explained["event"]["type"] == "tickets.ticket_resolved"
    assert explained["event"]["event_id"] == first["event_id"]
    assert explained["event"]["data"]["on_time"] is True
    assert explained["indicator_detail"]["code"] == "service"
    assert explained["corrected_by"] == []
    for outsider in (WORKER_A2, STREET_B_ADMIN):
        with pytest.raises(NotFound):
            as_caller(db, outsider, scoring.get_entry, entry_id)
    with pytest.raises(NotFound):
        as_caller(db, DISTRICT_ADMIN, scoring.get_entry, 10 ** 6)


def test_the_replay_check_is_asked_within_scope(assessments_service_db):
    db = assessments_service_db
    district, _ = make_scheme(db, rules=[RESOLVED_ON_TIME])
    street_a, _ = make_scheme(db, org_code=STREET_A, rules=[RESOLVED_ON_TIME])
    receive(db, resolved())
    assert as_caller(db, AUDITOR, scoring.replay_check, {"scheme_id": district})["differences"] == []
    assert as_caller(db, STREET_A_ADMIN, scoring.replay_check, {"scheme_id": street_a})[
        "scorecards_compared"] == 1
    with pytest.raises(NotFound):
        as_caller(db, STREET_B_ADMIN, scoring.replay_check, {"scheme_id": street_a})
    with pytest.raises(OutOfScope):  # the district's scheme is seen from the street, not replayed
        as_caller(db, STREET_A_ADMIN, scoring.replay_check, {"scheme_id": district})
    with pytest.raises(Forbidden):
        as_caller(db, WORKER_A1, scoring.replay_check, {"scheme_id": street_a})
    for bad in ({}, {"scheme_id": "1"}, {"scheme_id": 0}):
        with pytest.raises(InvalidInput) as refused:
            as_caller(db, AUDITOR, scoring.replay_check, bad)
        assert refused.value.field == "scheme_id"


def test_the_ingestion_status_counts_what_came(assessments_service_db):
    db = assessments_service_db
    make_scheme(db, rules=[RESOLVED_ON_TIME])
    receive(db, resolved())
    receive(db, patrol())
    status = as_caller(db, AUDITOR, scoring.ingestion_status)
    by_type = {row["type"]: row["received"] for row in status["types"]}
    assert (status["received"], status["entries"]) == (2, 1)
    assert by_type["tickets.ticket_resolved"] == by_type["security.patrol_shift_completed"] == 1
    assert by_type["learning.course_completed"] == 0
    assert status["last_received_at"] is not None
    with pytest.raises(Forbidden):
        as_caller(db, WORKER_A1, scoring.ingestion_status)


def _in_a_thread(fn):
    """Run ``fn`` on a real thread (a lock wait on SQLite holds the whole thread)."""
    threading = eventlet.patcher.original("threading")
    outcome = []

    def run():
        try:
            outcome.append(fn())
        except Exception as exc:  # noqa: BLE001  (the test reports any failure)
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_an_event_arriving_while_its_scheme_is_approved_counts_once(assessments_service_db):
    db = assessments_service_db
    scheme_id, _ = make_scheme(db, status="pending_approval", rules=[RESOLVED_ON_TIME])
    approval = db.unit_of_work("assessments", SYSTEM)
    approval.session.execute(update(Scheme).where(Scheme.id == scheme_id).values(status="active"))
    assert ledger.rescore_scheme(approval, scheme_id)["events_examined"] == 0
    thread, outcome = _in_a_thread(lambda: receive(db, resolved()))
    eventlet.sleep(0.3)  # the arrival now waits for the approval
    approval.commit()
    thread.join()
    assert [result["entries"] for result in outcome] == [1]
    assert cards(db) == {(COMMUNITY_A1, "2026-11"): (200, 1)}


def test_an_event_arriving_just_before_its_scheme_is_approved_counts_once(assessments_service_db):
    db = assessments_service_db
    scheme_id, _ = make_scheme(db, status="pending_approval", rules=[RESOLVED_ON_TIME])
    arrival = db.unit_of_work("assessments", SYSTEM)
    assert scoring.receive(arrival, resolved())["entries"] == 0  # pending: not counted by it

    def approve():
        with db.transaction("assessments") as uow:
            uow.session.execute(update(Scheme).where(Scheme.id == scheme_id)
                                .values(status="active"))
            return ledger.rescore_scheme(uow, scheme_id)

    thread, outcome = _in_a_thread(approve)
    eventlet.sleep(0.3)  # the approval now waits for the arrival
    arrival.commit()
    thread.join()
    assert [result["entries_appended"] for result in outcome] == [1]
    assert cards(db) == {(COMMUNITY_A1, "2026-11"): (200, 1)}


def test_a_scheme_no_longer_active_is_replayed_from_its_ledger_alone(assessments_service_db):
    db = assessments_service_db
    scheme_id, _ = make_scheme(db, rules=[RESOLVED_ON_TIME])
    receive(db, resolved())
    set_status(db, scheme_id, "retired")
    receive(db, resolved(ticket_id=2))  # a retired scheme counts nothing more
    assert cards(db) == {(COMMUNITY_A1, "2026-11"): (200, 1)}
    assert replay(db, scheme_id) == {"scheme_id": scheme_id, "events_replayed": 0,
                                     "scorecards_compared": 1, "differences": []}
    assert rescore(db, scheme_id)["entries_appended"] == 0
