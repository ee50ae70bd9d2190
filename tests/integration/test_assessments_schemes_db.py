"""Assessment schemes on a real database (SQLite and PostgreSQL): the admission gate, two
approvals at once approve once, re-scoring when a scheme starts counting or an active scheme's
rule changes, reading from beneath, bad input changing nothing, the demo."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from services.assessments import demo_schemes, ledger, schemes
from services.assessments.models import OutboxMessage
from services.assessments.models.ledger import LedgerEntry, ReceivedEvent, Scorecard
from services.assessments.models.schemes import Indicator, Scheme, ScoringRule
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.support import at_once

STREET = "350502001"
COMMUNITY = "350502001001"
DISTRICT_ADMIN = CallerContext("district", ("district_admin",), "350502")
STREET_ADMIN = CallerContext("street", ("street_admin",), STREET)
OTHER_STREET = CallerContext("other", ("street_admin",), "350502002")
WORKER = CallerContext("worker", ("community_worker",), COMMUNITY)
CONTENDERS = 8


def payload(**changes) -> dict:
    return {
        "name": "社区治理月度考核", "department": "江南街道办事处", "subject_kind": "community",
        "period": "month", "org_code": STREET, "counts_from": "2026-01-01",
        "star_thresholds": [10, 30],
        "indicators": [{"code": "service", "name": "为民服务", "source": "events"},
                       {"code": "inspection", "name": "检查", "source": "manual", "weight": 2}],
        "rules": [{"indicator": "service", "event_type": "tickets.ticket_resolved",
                   "subject_field": "community_code", "points": 2,
                   "conditions": [{"field": "on_time", "op": "eq", "value": True}]}],
        **changes}


@pytest.fixture
def db(assessments_service_db):
    return assessments_service_db


@pytest.fixture
def rescores(monkeypatch):
    """The scheme ids ``ledger.rescore_scheme`` was called with (it still runs)."""
    calls = []
    real = getattr(ledger, "rescore_scheme", None)

    def recording(uow, scheme_id):
        calls.append(scheme_id)
        return real(uow, scheme_id) if real else {}

    monkeypatch.setattr(ledger, "rescore_scheme", recording, raising=False)
    return calls


def act(db, caller, function, *args):
    with db.transaction("assessments", caller) as uow:
        return function(uow, *args)


def area_of(code: str) -> dict:
    """Membership's node of ``code``, as the entrypoint would have asked it."""
    return {"code": code, "level": {6: "district", 9: "street", 12: "community"}[len(code)],
            "status": "active"}


def create(db, caller=STREET_ADMIN, **changes) -> dict:
    scheme = payload(**changes)
    return act(db, caller, schemes.create_scheme, scheme, area_of(scheme["org_code"]))


def outbox(db, event_type) -> list[dict]:
    with db.session_factory() as session:
        return [envelope["data"] for envelope in session.scalars(
            select(OutboxMessage.envelope).where(OutboxMessage.event_type == event_type)
            .order_by(OutboxMessage.id))]


def counts(db) -> dict:
    with db.session_factory() as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (Scheme, Indicator, ScoringRule, OutboxMessage)}


def status_of(db, scheme_id) -> str:
    with db.session_factory() as session:
        return session.get(Scheme, scheme_id).status


def test_a_community_scheme_waits_for_the_district_then_counts(db, rescores):
    scheme = create(db)
    assert scheme["status"] == "draft" and scheme["needs_approval"] is True
    assert [i["code"] for i in scheme["indicators"]] == ["service", "inspection"]
    assert scheme["rules"][0]["indicator"] == "service"
    submitted = act(db, STREET_ADMIN, schemes.submit, scheme["id"])
    assert submitted["status"] == "pending_approval"
    assert submitted["allowed_actions"] == ["approve", "reject"]
    assert rescores == []
    with pytest.raises(Forbidden):  # a street cannot admit its own scheme
        act(db, STREET_ADMIN, schemes.approve, scheme["id"], {})
    approved = act(db, DISTRICT_ADMIN, schemes.approve, scheme["id"], {"note": "同意"})
    assert approved["status"] == "active"
    assert approved["decided_by"] == "district" and approved["decision_note"] == "同意"
    assert rescores == [scheme["id"]]
    assert [e["status"] for e in outbox(db, "assessments.scheme_submitted")] == [
        "pending_approval"]
    assert len(outbox(db, "assessments.scheme_approved")) == 1
    assert outbox(db, "assessments.scheme_activated") == [{
        "scheme_id": scheme["id"], "org_code": STREET, "subject_kind": "community",
        "period": "month", "status": "active", "counts_from": "2026-01-01",
        "counts_until": None}]
    with pytest.raises(Conflict):
        act(db, DISTRICT_ADMIN, schemes.approve, scheme["id"], {})


def test_a_street_scheme_is_active_at_submission(db, rescores):
    scheme = create(db, DISTRICT_ADMIN, subject_kind="street", org_code="350502", rules=[
        {"indicator": "service", "event_type": "tickets.ticket_resolved",
         "subject_field": "street_code", "points": 1}])
    assert scheme["needs_approval"] is False
    active = act(db, DISTRICT_ADMIN, schemes.submit, scheme["id"])
    assert active["status"] == "active" and active["rescored"] is not None
    assert rescores == [scheme["id"]]
    assert len(outbox(db, "assessments.scheme_activated")) == 1
    assert outbox(db, "assessments.scheme_approved") == []


def test_rejected_schemes_are_edited_and_resubmitted(db, rescores):
    scheme = create(db)
    act(db, STREET_ADMIN, schemes.submit, scheme["id"])
    with pytest.raises(InvalidInput) as refused:
        act(db, DISTRICT_ADMIN, schemes.reject, scheme["id"], {"note": "  "})
    assert refused.value.field == "note"
    rejected = act(db, DISTRICT_ADMIN, schemes.reject, scheme["id"], {"note": "权重不合理"})
    assert rejected["status"] == "rejected" and rejected["decision_note"] == "权重不合理"
    inspection = next(i for i in rejected["indicators"] if i["code"] == "inspection")
    changed = act(db, STREET_ADMIN, schemes.update_indicator, scheme["id"], inspection["id"],
                  {"weight": 0.5})
    assert next(i for i in changed["indicators"] if i["code"] == "inspection")["weight"] == 0.5
    again = act(db, STREET_ADMIN, schemes.submit, scheme["id"])
    assert again["status"] == "pending_approval" and again["decision_note"] is None
    assert rescores == []


def test_an_event_indicator_no_rule_feeds_cannot_be_submitted(db):
    scheme = create(db)
    act(db, STREET_ADMIN, schemes.add_indicator, scheme["id"],
        {"code": "safety", "name": "平安建设", "source": "events"})
    with pytest.raises(InvalidInput) as refused:
        act(db, STREET_ADMIN, schemes.submit, scheme["id"])
    assert refused.value.field == "rules" and "safety" in refused.value.detail
    assert status_of(db, scheme["id"]) == "draft"


def test_two_approvals_at_once_approve_once(db, rescores):
    scheme = create(db)
    act(db, STREET_ADMIN, schemes.submit, scheme["id"])
    outcomes = at_once(db, CONTENDERS, lambda index, database: act(
        database, DISTRICT_ADMIN, schemes.approve, scheme["id"], {}))
    approved = [o for o in outcomes if isinstance(o, dict)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(approved) == 1 and len(refused) == CONTENDERS - 1, outcomes
    assert all(error.field == "status" for error in refused)
    assert len(outbox(db, "assessments.scheme_approved")) == 1
    assert len(outbox(db, "assessments.scheme_activated")) == 1
    assert rescores == [scheme["id"]]


def test_an_active_schemes_rules_change_and_are_applied_back_its_weights_do_not(db, rescores):
    scheme = create(db)
    act(db, STREET_ADMIN, schemes.submit, scheme["id"])
    act(db, DISTRICT_ADMIN, schemes.approve, scheme["id"], {})
    rule_id = scheme["rules"][0]["id"]
    changed = act(db, STREET_ADMIN, schemes.update_rule, scheme["id"], rule_id,
                  {"points": 3, "description": " 按时办结 +3 "})
    assert changed["points"] == 3 and changed["description"] == "按时办结 +3"
    assert changed["rescored"] is not None
    added = act(db, STREET_ADMIN, schemes.add_rule, scheme["id"], {
        "indicator": "service", "event_type": "tickets.ticket_sla_breached",
        "subject_field": "community_code", "points": -5})
    assert rescores == [scheme["id"]] * 3  # approval, change, addition
    assert [(e["rule_id"], e["change"], e["rescored"])
            for e in outbox(db, "assessments.scoring_rule_changed")] == [
        (rule_id, "changed", True), (added["id"], "added", True)]
    inspection = next(i for i in scheme["indicators"] if i["code"] == "inspection")
    with pytest.raises(Conflict):
        act(db, STREET_ADMIN, schemes.update_indicator, scheme["id"], inspection["id"],
            {"weight": 5})
    with pytest.raises(Conflict):
        act(db, STREET_ADMIN, schemes.remove_rule, scheme["id"], rule_id)
    with pytest.raises(Conflict):
        act(db, STREET_ADMIN, schemes.update_scheme, scheme["id"], {"name": "新名字"})


def test_a_bad_rule_change_is_refused_and_changes_nothing(db, rescores):
    scheme = create(db)
    rule_id = scheme["rules"][0]["id"]
    before = counts(db)
    for bad, field in [
        ({"conditions": [{"field": "colour", "op": "eq", "value": 1}]}, "conditions.0.field"),
        ({"conditions": [{"field": "on_time", "op": "eq", "value": "yes"}]},
         "conditions.0.value"),
        ({"per_field": "community_code"}, "per_field"),
        ({"points": 0}, "points"),
        ({}, "body"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            act(db, STREET_ADMIN, schemes.update_rule, scheme["id"], rule_id, bad)
        assert refused.value.field == field
    with pytest.raises(NotFound) as missing:
        act(db, STREET_ADMIN, schemes.update_rule, scheme["id"], 999999, {"points": 1})
    assert missing.value.field == "rule_id"
    assert counts(db) == before
    assert act(db, STREET_ADMIN, schemes.get_scheme, scheme["id"])["rules"] == scheme["rules"]
    assert rescores == []


def test_rules_of_a_draft_are_added_and_removed(db):
    scheme = create(db)
    with pytest.raises(InvalidInput) as refused:
        act(db, STREET_ADMIN, schemes.add_rule, scheme["id"], {
            "indicator": "inspection", "event_type": "tickets.ticket_resolved",
            "subject_field": "community_code", "points": 1})
    assert refused.value.field == "indicator"
    rule = act(db, STREET_ADMIN, schemes.add_rule, scheme["id"], {
        "indicator": "service", "event_type": "security.mediation_closed",
        "subject_field": "community_code", "points": 3,
        "conditions": [{"field": "outcome", "op": "in", "value": ["agreement"]}]})
    assert rule["rescored"] is None
    left = act(db, STREET_ADMIN, schemes.remove_rule, scheme["id"], rule["id"])
    assert [r["id"] for r in left["rules"]] == [scheme["rules"][0]["id"]]
    assert [e["change"] for e in outbox(db, "assessments.scoring_rule_changed")] == [
        "added", "removed"]


def test_schemes_are_read_from_beneath_and_written_within_the_callers_scope(db):
    street = create(db)
    district = create(db, DISTRICT_ADMIN, org_code="350502", name="区级社区考核")
    elsewhere = create(db, OTHER_STREET, org_code="350502002", name="浮桥街道考核")
    seen = act(db, WORKER, schemes.list_schemes, {})
    assert [s["id"] for s in seen["items"]] == [street["id"], district["id"]]
    assert "rules" not in seen["items"][0]
    assert act(db, WORKER, schemes.get_scheme, district["id"])["id"] == district["id"]
    with pytest.raises(NotFound):
        act(db, WORKER, schemes.get_scheme, elsewhere["id"])
    with pytest.raises(NotFound):
        act(db, STREET_ADMIN, schemes.submit, elsewhere["id"])
    with pytest.raises(Forbidden):  # seen from beneath, not the street's to change
        act(db, STREET_ADMIN, schemes.update_scheme, district["id"], {"name": "改"})
    with pytest.raises(Forbidden):
        act(db, WORKER, schemes.create_scheme, payload(org_code=COMMUNITY,
                                                       subject_kind="volunteer"),
            area_of(COMMUNITY))
    with pytest.raises(Forbidden) as refused:
        create(db, STREET_ADMIN, org_code="350502002")
    assert refused.value.field == "org_code"
    everyone = act(db, DISTRICT_ADMIN, schemes.list_schemes, {"org_code": "350502002"})
    assert [s["id"] for s in everyone["items"]] == [district["id"], elsewhere["id"]]


def test_the_demo_shows_every_status_once_and_only_once(db, rescores):
    with db.transaction("assessments") as uow:
        created = demo_schemes.seed(uow, {}, date(2026, 11, 30))
    assert created == {"assessment_scheme": 8, "scoring_rule": 29}
    with db.session_factory() as session:
        statuses = dict(session.execute(select(Scheme.name, Scheme.status)).all())
        first = session.scalar(select(Scheme).where(Scheme.name == "社区治理月度考核"))
        assert first.counts_from == date(2025, 11, 30)
    assert set(statuses.values()) == {"draft", "pending_approval", "active", "rejected",
                                      "retired"}
    assert statuses["社区治理月度考核"] == statuses["街道平安建设季度考核"] == "active"
    assert statuses["网格员履职月度考核"] == "pending_approval"
    assert statuses["文明家庭积分"] == "rejected"
    assert len(rescores) == 5
    with db.transaction("assessments") as uow:
        assert demo_schemes.seed(uow, {}, date(2026, 11, 30)) == {}


def receive(db, *events) -> None:
    """Events assessments has received (as its consumers store them), before any scheme."""
    with db.transaction("assessments") as uow:
        for n, (community, on_time) in enumerate(events):
            at = datetime(2026, 3, 10 + n, 2, 0, tzinfo=timezone.utc)
            uow.session.add(ReceivedEvent(
                event_id=f"00000000-0000-4000-8000-{n:012d}", type="tickets.ticket_resolved",
                occurred_at=at, org_code=f"{community}001",
                data={"ticket_id": n + 1, "community_code": community,
                      "grid_code": f"{community}001", "street_code": community[:9],
                      "on_time": on_time, "at": at.isoformat()}))


def ledger_of(db, scheme_id) -> list[tuple]:
    with db.session_factory() as session:
        entries = [(e.subject_ref, e.source, e.hundredths) for e in session.scalars(
            select(LedgerEntry).where(LedgerEntry.scheme_id == scheme_id)
            .order_by(LedgerEntry.id))]
        totals = dict(session.execute(select(Scorecard.subject_ref, Scorecard.total_hundredths)
                                      .where(Scorecard.scheme_id == scheme_id)).all())
    return entries, totals


def test_approval_counts_the_events_already_received_and_a_rule_change_corrects_them(db):
    receive(db, (COMMUNITY, True), (COMMUNITY, True), (COMMUNITY, False),
            ("350502001002", True), ("350502002001", True))  # the last: another street
    scheme = create(db)
    act(db, STREET_ADMIN, schemes.submit, scheme["id"])
    assert ledger_of(db, scheme["id"]) == ([], {})  # pending: it counts nothing yet
    approved = act(db, DISTRICT_ADMIN, schemes.approve, scheme["id"], {})
    assert approved["rescored"]["entries_appended"] == 3
    entries, totals = ledger_of(db, scheme["id"])
    assert totals == {COMMUNITY: 400, "350502001002": 200}
    rule_id = scheme["rules"][0]["id"]
    changed = act(db, STREET_ADMIN, schemes.update_rule, scheme["id"], rule_id, {"points": 3})
    assert changed["rescored"]["corrections_appended"] == 3
    entries, totals = ledger_of(db, scheme["id"])
    assert totals == {COMMUNITY: 600, "350502001002": 300}
    assert [e for e in entries if e[1] == "correction"] == [
        (COMMUNITY, "correction", 100), (COMMUNITY, "correction", 100),
        ("350502001002", "correction", 100)]
