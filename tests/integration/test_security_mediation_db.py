"""Mediation 人民调解 on SQLite and PostgreSQL: cases opened by hand and from dispute tickets
(exactly one per ticket, whatever is redelivered or sent twice), sessions, the outcome closing a
case once, scope; and on the tickets side, the outcome recorded once on its ticket."""
from datetime import date

import pytest
from sqlalchemy import func, select

from services.security import mediation
from services.security.models import OutboxMessage
from services.security.models.mediation import MediationCase, MediationParty, MediationSession
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, OutOfScope
from shared.events.registry import make_envelope

COMMUNITY = "350502001001"
GRID = "350502001001002"
OTHER_GRID = "350502002001001"
WORKER = CallerContext("wang", ("community_worker",), COMMUNITY)
GRID_WORKER = CallerContext("li", ("grid_worker",), GRID)
OTHER_STREET = CallerContext("street-b", ("street_admin",), "350502002")
AUDITOR = CallerContext("audit", ("auditor",), "350502")
TODAY = date(2026, 11, 30)
CONSUMER = "security.mediation_case_on_dispute"


def grid_node(code=GRID):
    return {"code": code, "level": "grid", "parent_code": code[:12], "status": "active"}


def body(**overrides):
    payload = {"grid_code": GRID, "dispute_type": "neighbour", "summary": "楼上漏水损坏天花板",
               "parties": [{"name": "陈阿姨", "role": "applicant", "phone": "13812345678"},
                           {"name": "林先生", "role": "respondent", "resident_id": 42}],
               "mediator": {"name": "黄调解员", "kind": "peoples_mediator"},
               "opened_on": "2026-11-20"}
    payload.update(overrides)
    return payload


def run(db, caller, fn, *args, **kwargs):
    with db.transaction("security", caller) as uow:
        return fn(uow, *args, **kwargs)


def create(db, caller=WORKER, node=None, **overrides):
    return run(db, caller, mediation.create_case, body(**overrides), node or grid_node(),
               today=TODAY)


def dispute(ticket_id, grid=GRID, reporter=7, attributes=None):
    return make_envelope("tickets.dispute_reported", {
        "ticket_id": ticket_id, "category_code": "neighbour_dispute",
        "description": "楼上装修噪音", "grid_code": grid, "community_code": grid[:12],
        "street_code": grid[:9], "address": "西关路1号", "reporter_resident_id": reporter,
        "attributes": {"dispute_kind": "noise"} if attributes is None else attributes,
        "reported_at": "2026-11-21T08:00:00+00:00"}, grid, "wang")


def deliver(db, envelope):
    """What ``@handles`` does: the inbox first, then the use case, in one transaction."""
    with db.transaction("security", CallerContext("wang", ("community_worker",), GRID)) as uow:
        if not uow.first_delivery(envelope, CONSUMER):
            return None
        return mediation.open_from_ticket(uow, envelope)


def events(db, event_type):
    with db.session_factory() as session:
        return list(session.scalars(select(OutboxMessage.envelope).where(
            OutboxMessage.event_type == event_type).order_by(OutboxMessage.id)))


def count(db, model):
    with db.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_case_opened_by_hand_shows_its_parties_masked(security_service_db):
    db = security_service_db
    case = create(db)
    assert case["status"] == "open" and case["ticket_id"] is None
    assert (case["community_code"], case["grid_code"]) == (COMMUNITY, GRID)
    assert case["mediator"] == {"name": "黄调解员", "kind": "peoples_mediator"}
    assert [(p["name"], p["role"], p["phone"]) for p in case["parties"]] == [
        ("陈阿姨", "applicant", "138****5678"), ("林先生", "respondent", None)]
    (opened,) = events(db, "security.mediation_case_opened")
    assert opened["data"] == {"case_id": case["id"], "ticket_id": None,
                              "dispute_type": "neighbour", "community_code": COMMUNITY,
                              "grid_code": GRID, "opened_on": "2026-11-20", "parties": 2}
    assert opened["org_code"] == GRID
    shown = run(db, AUDITOR, mediation.get_case, case["id"])
    assert shown["parties"][0]["phone"] == "138****5678"


@pytest.mark.parametrize("overrides, field", [
    ({"dispute_type": "theft"}, "dispute_type"),
    ({"parties": [{"name": "甲", "role": "applicant"}, {"name": "乙", "role": "applicant"}]},
     "parties"),
    ({"parties": [{"name": "甲", "role": "applicant", "phone": "12"},
                  {"name": "乙", "role": "respondent"}]}, "parties.0.phone"),
    ({"parties": [{"name": "  ", "role": "applicant"}, {"name": "乙", "role": "respondent"}]},
     "parties.0.name"),
    ({"summary": "   "}, "summary"),
    ({"community_code": "350502001002"}, "grid_code"),
    ({"grid_code": None}, "community_code"),
    ({"mediator": {"name": "黄", "kind": "judge"}}, "mediator.kind"),
    ({"opened_on": "2026-12-25"}, "opened_on"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(security_service_db,
                                                                     overrides, field):
    with pytest.raises(InvalidInput) as refused:
        create(security_service_db, **overrides)
    assert refused.value.field == field
    assert count(security_service_db, MediationCase) == 0
    assert events(security_service_db, "security.mediation_case_opened") == []


def test_who_may_open_and_where(security_service_db):
    db = security_service_db
    with pytest.raises(Forbidden):
        create(db, caller=GRID_WORKER)
    with pytest.raises(OutOfScope) as elsewhere:
        create(db, caller=OTHER_STREET)
    assert elsewhere.value.field == "grid_code"
    with pytest.raises(InvalidInput) as not_a_grid:
        create(db, node={"code": GRID, "level": "community"})
    assert not_a_grid.value.field == "grid_code"
    assert count(db, MediationCase) == 0


def test_a_dispute_ticket_opens_exactly_one_case(security_service_db):
    db = security_service_db
    first = dispute(501)
    assert deliver(db, first)["action"] == "open"
    assert deliver(db, first) is None  # redelivered: the inbox stops it
    assert deliver(db, dispute(501))["action"] == "exists"  # a second event for the ticket
    assert deliver(db, dispute(502, reporter=None, attributes={"dispute_kind": "family"})
                   )["action"] == "open"
    with db.session_factory() as session:
        cases = list(session.scalars(select(MediationCase).order_by(MediationCase.id)))
        parties = list(session.scalars(select(MediationParty).order_by(MediationParty.id)))
    assert [(c.ticket_id, c.dispute_type, c.org_code) for c in cases] == [
        (501, "neighbour", GRID), (502, "family", GRID)]
    assert cases[0].opened_on == date(2026, 11, 21) and cases[0].summary == "楼上装修噪音"
    assert [(p.case_id, p.role, p.resident_id, p.name, p.phone) for p in parties] == [
        (cases[0].id, "applicant", 7, None, None)]
    opened = events(db, "security.mediation_case_opened")
    assert [e["data"]["ticket_id"] for e in opened] == [501, 502]
    page = run(db, WORKER, mediation.list_cases, {"ticket_id": "501"})
    assert [c["id"] for c in page["items"]] == [cases[0].id]


def test_sessions_then_the_outcome_closes_the_case_once(security_service_db):
    db = security_service_db
    deliver(db, dispute(601))
    case_id = run(db, WORKER, mediation.list_cases, {})["items"][0]["id"]
    session = run(db, GRID_WORKER, mediation.record_session, case_id,
                  {"held_on": "2026-11-22", "notes": "双方到场，陈述事实", "attendees": ["陈阿姨", " "]},
                  today=TODAY)
    assert session["attendees"] == ["陈阿姨"] and session["recorded_by"] == "li"
    with pytest.raises(InvalidInput) as early:
        run(db, WORKER, mediation.record_session, case_id,
            {"held_on": "2026-11-01", "notes": "x"}, today=TODAY)
    assert early.value.field == "held_on"
    with pytest.raises(Forbidden):
        run(db, GRID_WORKER, mediation.record_outcome, case_id,
            {"outcome": "failed", "closed_on": "2026-11-25"}, today=TODAY)
    with pytest.raises(InvalidInput) as before_session:
        run(db, WORKER, mediation.record_outcome, case_id,
            {"outcome": "failed", "closed_on": "2026-11-21"}, today=TODAY)
    assert before_session.value.field == "closed_on"
    with pytest.raises(InvalidInput) as no_text:
        run(db, WORKER, mediation.record_outcome, case_id,
            {"outcome": "agreement", "closed_on": "2026-11-25"}, today=TODAY)
    assert no_text.value.field == "agreement_text"
    assert events(db, "security.mediation_closed") == []

    closed = run(db, WORKER, mediation.record_outcome, case_id,
                 {"outcome": "agreement", "agreement_text": "楼上修复防水，赔偿500元",
                  "closed_on": "2026-11-25"}, today=TODAY)
    assert (closed["status"], closed["outcome"], closed["closed_on"]) == (
        "closed", "agreement", "2026-11-25")
    assert closed["ticket_id"] == 601 and closed["session_count"] == 1
    with pytest.raises(Conflict) as twice:
        run(db, WORKER, mediation.record_outcome, case_id,
            {"outcome": "failed", "closed_on": "2026-11-26"}, today=TODAY)
    assert twice.value.field == "status"
    with pytest.raises(Conflict):
        run(db, WORKER, mediation.record_session, case_id,
            {"held_on": "2026-11-26", "notes": "再次调解"}, today=TODAY)
    (event,) = events(db, "security.mediation_closed")
    assert event["data"] == {"case_id": case_id, "ticket_id": 601, "dispute_type": "neighbour",
                             "community_code": COMMUNITY, "grid_code": GRID,
                             "outcome": "agreement", "closed_on": "2026-11-25", "sessions": 1}
    assert count(db, MediationSession) == 1
    (held,) = events(db, "security.mediation_session_held")
    assert held["data"]["session_no"] == 1 and "attendees" not in held["data"]


def test_other_streets_cases_are_out_of_reach(security_service_db):
    db = security_service_db
    case = create(db)
    for fn, args in ((mediation.get_case, ()),
                     (mediation.record_session, ({"held_on": "2026-11-22", "notes": "x"},)),
                     (mediation.record_outcome, ({"outcome": "failed",
                                                  "closed_on": "2026-11-22"},))):
        with pytest.raises(NotFound) as hidden:
            run(db, OTHER_STREET, fn, case["id"], *args)
        assert hidden.value.field == "id"
    assert run(db, OTHER_STREET, mediation.list_cases, {})["items"] == []
    with pytest.raises(OutOfScope):
        run(db, OTHER_STREET, mediation.list_cases, {"code": COMMUNITY})
    assert [c["id"] for c in run(db, AUDITOR, mediation.list_cases, {"status": "open"})["items"]] \
        == [case["id"]]


def test_lists_are_paginated(security_service_db):
    db = security_service_db
    ids = [create(db)["id"] for _ in range(3)]
    first = run(db, WORKER, mediation.list_cases, {"limit": "2"})
    second = run(db, WORKER, mediation.list_cases, {"limit": "2", "cursor": first["next_cursor"]})
    assert [c["id"] for c in first["items"] + second["items"]] == ids
    assert second["next_cursor"] is None


# --- the tickets side: the outcome reaches the ticket --------------------------------------------

def test_the_outcome_is_recorded_once_on_its_ticket(tickets_service_db):
    from services.tickets import mediation as ticket_mediation
    from services.tickets import tickets
    from services.tickets.models import OutboxMessage as TicketsOutbox
    from services.tickets.models import TicketTransition

    db = tickets_service_db
    with db.transaction("tickets", WORKER) as uow:
        ticket = tickets.create_ticket(uow, {
            "category_code": "neighbour_dispute", "description": "楼上漏水", "channel": "hotline",
            "location": {"grid_code": GRID}, "attributes": {"dispute_kind": "leak"}},
            grid_node())
    closed = make_envelope("security.mediation_closed", {
        "case_id": 9, "ticket_id": ticket["id"], "dispute_type": "neighbour",
        "community_code": COMMUNITY, "grid_code": GRID, "outcome": "agreement",
        "closed_on": "2026-11-25", "sessions": 2}, GRID, "wang")

    def apply(envelope):
        with db.transaction("tickets", WORKER) as uow:
            if not uow.first_delivery(envelope, "tickets.ticket_on_mediation_closed"):
                return None
            return ticket_mediation.record_outcome(uow, envelope)

    assert apply(closed)["action"] == "record"
    assert apply(closed) is None
    assert apply({**closed, "event_id": "another"})["action"] == "exists"
    by_hand = make_envelope("security.mediation_closed", {**closed["data"], "ticket_id": None},
                            GRID, "wang")
    assert apply(by_hand)["action"] == "ignore"
    with db.session_factory() as session:
        steps = list(session.scalars(select(TicketTransition).where(
            TicketTransition.ticket_id == ticket["id"]).order_by(TicketTransition.seq)))
        recorded = list(session.scalars(select(TicketsOutbox.envelope).where(
            TicketsOutbox.event_type == "tickets.ticket_mediation_recorded")))
    assert [(s.action, s.from_status, s.to_status) for s in steps] == [
        ("submit", None, "submitted"), ("mediation_outcome", "submitted", "submitted")]
    assert steps[1].details == {"outcome": "agreement", "case_id": 9}
    assert steps[1].actor == "wang"
    (event,) = recorded
    assert event["data"]["outcome"] == "agreement" and event["data"]["case_id"] == 9
    assert event["data"]["status"] == "submitted" and event["data"]["seq"] == 2
    shown = tickets.get_ticket  # the ticket's status did not move
    with db.transaction("tickets", WORKER) as uow:
        assert shown(uow, ticket["id"])["status"] == "submitted"


def test_the_demo_cases_once(security_service_db):
    from services.security import demo_mediation

    db = security_service_db
    with db.transaction("security") as uow:
        created = demo_mediation.seed(uow, {}, TODAY)
    assert created == {"mediation_case": 10, "mediation_session": 16, "mediation_closed": 7}
    with db.transaction("security") as uow:
        assert demo_mediation.seed(uow, {}, TODAY) == {}
    page = run(db, AUDITOR, mediation.list_cases, {"limit": "50"})
    assert {c["dispute_type"] for c in page["items"]} == {"family", "marriage", "neighbour",
                                                          "property"}
    assert {c["outcome"] for c in page["items"]} == {None, "agreement", "failed",
                                                     "referred_to_court"}
    assert {c["community_code"] for c in page["items"]} == {"350502001001", "350502001002"}
