"""The ledger on both backends: appends move their scorecards exactly, even all at once."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.assessments import ledger
from services.assessments.domain.scoring import person_subject, territory_subject
from services.assessments.models.ledger import LedgerEntry, Scorecard, ScorecardLine
from services.assessments.models.schemes import Indicator, Scheme

COMMUNITY = "350502001001"
AT = datetime(2026, 11, 3, 2, tzinfo=timezone.utc)


def make_scheme(db, *, weights=(1.0,), status="active", subject_kind="community",
                org_code="350502001", period="month") -> tuple[int, list[int]]:
    with db.transaction("assessments") as uow:
        scheme = Scheme(name="社区考核", department="区民政局", subject_kind=subject_kind,
                        period=period, org_code=org_code, status=status,
                        counts_from=date(2026, 1, 1), counts_until=date(2026, 12, 31),
                        created_by="test")
        uow.session.add(scheme)
        uow.session.flush()
        indicators = [Indicator(scheme_id=scheme.id, code=f"i{n}", name=f"指标{n}",
                                source="events", weight=weight)
                      for n, weight in enumerate(weights)]
        uow.session.add_all(indicators)
        uow.session.flush()
        return scheme.id, [indicator.id for indicator in indicators]


def append_one(db, scheme_id, indicator_id, subject, hundredths, **extra):
    with db.transaction("assessments") as uow:
        scheme = uow.session.get(Scheme, scheme_id)
        indicator = uow.session.get(Indicator, indicator_id)
        return ledger.append(uow, scheme=scheme, indicator=indicator, subject=subject,
                             period_key="2026-11", hundredths=hundredths, source="manual",
                             occurred_at=AT, actor="test", **extra).id


def scorecards(db):
    with db.session_factory() as session:
        return {(card.subject_ref, card.period_key): (card.total_hundredths, card.entry_count)
                for card in session.scalars(select(Scorecard))}


def lines(db):
    with db.session_factory() as session:
        return {line.indicator_id: (line.hundredths, line.entry_count)
                for line in session.scalars(select(ScorecardLine))}


def test_an_entry_moves_its_scorecard_and_line_by_its_weighted_points(assessments_service_db):
    db = assessments_service_db
    scheme_id, (plain, heavy) = make_scheme(db, weights=(1.0, 0.35))
    community = territory_subject("community", COMMUNITY)
    append_one(db, scheme_id, plain, community, 200)
    entry_id = append_one(db, scheme_id, heavy, community, -333)  # 0.35 × -333 = -116.55
    append_one(db, scheme_id, heavy, community, 100)
    with db.session_factory() as session:
        entry = session.get(LedgerEntry, entry_id)
        assert (entry.hundredths, entry.weighted_hundredths) == (-333, -117)
        assert (entry.org_code, entry.parent_code) == (COMMUNITY, "350502001")
    assert scorecards(db) == {(COMMUNITY, "2026-11"): (200 - 117 + 35, 3)}
    assert lines(db) == {plain: (200, 1), heavy: (-233, 2)}


def test_the_same_event_rule_and_subject_count_once(assessments_service_db):
    db = assessments_service_db
    scheme_id, (indicator,) = make_scheme(db)
    community = territory_subject("community", COMMUNITY)
    key = dict(event_id="0b5c8c1e-6c1e-4a8e-9a57-43e0c4a1d111", event_type="tickets.ticket_resolved")
    append_one(db, scheme_id, indicator, community, 200, **key)
    with pytest.raises(IntegrityError):
        # rule_id NULL here: the key is (rule, event, subject, revision); add a rule to test it
        from services.assessments.models.schemes import ScoringRule

        with db.transaction("assessments") as uow:
            rule = ScoringRule(scheme_id=scheme_id, indicator_id=indicator,
                               event_type="tickets.ticket_resolved",
                               subject_field="community_code", points=2)
            uow.session.add(rule)
            uow.session.flush()
            scheme = uow.session.get(Scheme, scheme_id)
            indicator_row = uow.session.get(Indicator, indicator)
            for _ in range(2):
                ledger.append(uow, scheme=scheme, indicator=indicator_row, subject=community,
                              period_key="2026-11", hundredths=200, source="event",
                              occurred_at=AT, actor="test", rule_id=rule.id, **key)
    assert scorecards(db) == {(COMMUNITY, "2026-11"): (200, 1)}  # the failed pair left nothing


def _race(db, scheme_id, indicator_ids, subjects, appends):
    """``appends`` appends at once on real threads, each in its own transaction."""
    import eventlet

    threading = eventlet.patcher.original("threading")
    barrier, failures = threading.Barrier(appends), []

    def work(n):
        barrier.wait()
        try:
            append_one(db, scheme_id, indicator_ids[n % len(indicator_ids)],
                       subjects[n % len(subjects)], 100 + n)
        except Exception as exc:  # noqa: BLE001  (the test reports any failure)
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(appends)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def test_appends_at_once_on_the_same_new_scorecard_all_land(assessments_service_db):
    db = assessments_service_db
    scheme_id, indicators = make_scheme(db, weights=(1.0, 0.5))
    subjects = [territory_subject("community", COMMUNITY),
                territory_subject("community", "350502001002")]
    failures = _race(db, scheme_id, indicators, subjects, appends=12)
    assert failures == []
    with db.session_factory() as session:
        expected = {}
        for subject_ref, total, count in session.execute(
                select(LedgerEntry.subject_ref, func.sum(LedgerEntry.weighted_hundredths),
                       func.count()).group_by(LedgerEntry.subject_ref)):
            expected[(subject_ref, "2026-11")] = (total, count)
        per_line = dict(session.execute(
            select(ScorecardLine.indicator_id, func.sum(ScorecardLine.hundredths))
            .group_by(ScorecardLine.indicator_id)).all())
        entries_per_indicator = dict(session.execute(
            select(LedgerEntry.indicator_id, func.sum(LedgerEntry.hundredths))
            .group_by(LedgerEntry.indicator_id)).all())
    assert sum(count for _, count in expected.values()) == 12
    assert scorecards(db) == expected
    assert per_line == entries_per_indicator
    assert len(lines(db)) == 2


def test_a_person_subject_is_scoped_by_its_community(assessments_service_db):
    db = assessments_service_db
    scheme_id, (indicator,) = make_scheme(db, subject_kind="volunteer")
    volunteer = person_subject("volunteer", 42, {"community_code": COMMUNITY})
    append_one(db, scheme_id, indicator, volunteer, 150)
    with db.session_factory() as session:
        card = session.scalars(select(Scorecard)).one()
        assert (card.subject_kind, card.subject_ref, card.org_code, card.parent_code) == (
            "volunteer", "42", COMMUNITY, COMMUNITY)


def test_many_entries_at_once_move_each_scorecard_by_their_sum(assessments_service_db):
    db = assessments_service_db
    scheme_id, (plain, heavy) = make_scheme(db, weights=(1.0, 0.5))
    a1 = territory_subject("community", COMMUNITY)
    a2 = territory_subject("community", "350502001002")
    with db.transaction("assessments") as uow:
        scheme = uow.session.get(Scheme, scheme_id)
        indicators = {i.id: i for i in uow.session.scalars(select(Indicator))}
        rows = [ledger.entry_row(scheme=scheme, indicator=indicators[indicator], subject=subject,
                                 period_key=period, hundredths=hundredths, source="manual",
                                 occurred_at=AT, actor="test")
                for indicator, subject, period, hundredths in (
                    (plain, a1, "2026-11", 100), (heavy, a1, "2026-11", 101),
                    (plain, a1, "2026-11", -30), (plain, a2, "2026-11", 5),
                    (plain, a1, "2026-12", 7))]
        ids = ledger.append_many(uow, rows)
        assert ledger.append_many(uow, []) == []
    assert len(ids) == 5 and ids == sorted(ids)
    with db.session_factory() as session:
        assert [session.get(LedgerEntry, entry_id).hundredths for entry_id in ids] == [
            100, 101, -30, 5, 7]
    assert scorecards(db) == {(COMMUNITY, "2026-11"): (100 + 51 - 30, 3),
                              ("350502001002", "2026-11"): (5, 1), (COMMUNITY, "2026-12"): (7, 1)}
    with db.session_factory() as session:
        per_line = {(line.scorecard_id, line.indicator_id): (line.hundredths, line.entry_count)
                    for line in session.scalars(select(ScorecardLine))}
    assert sorted(per_line.values()) == [(5, 1), (7, 1), (70, 2), (101, 1)]


def test_an_appended_entry_is_a_row_of_the_session(assessments_service_db):
    db = assessments_service_db
    scheme_id, (indicator_id,) = make_scheme(db)
    with db.transaction("assessments") as uow:
        entry = ledger.append(uow, scheme=uow.session.get(Scheme, scheme_id),
                              indicator=uow.session.get(Indicator, indicator_id),
                              subject=territory_subject("community", COMMUNITY),
                              period_key="2026-11", hundredths=250, source="manual",
                              occurred_at=AT, actor="inspector", reason="卫生检查")
        assert uow.session.get(LedgerEntry, entry.id) is entry
        uow.session.refresh(entry)
        assert (entry.weighted_hundredths, entry.reason, entry.revision) == (250, "卫生检查", 0)
        assert entry.recorded_at.tzinfo is not None
