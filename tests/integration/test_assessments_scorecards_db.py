"""Scorecards on SQLite and PostgreSQL: manual scores, survey results and corrections move the
scorecard by the right (weighted) amounts through the ledger; a correction is a new entry and a
correction of a correction corrects the latest; a second survey replaces the first by a
correction; the ledger → scorecards recomputation equals the kept figures (and finds a tampered
one); rankings with ties and subjects without entries; bad input and other streets change
nothing."""
from datetime import date

import pytest
from sqlalchemy import func, select, update

from services.assessments import scorecards
from services.assessments.models import OutboxMessage
from services.assessments.models.ledger import LedgerEntry, Scorecard, SurveyResult
from services.assessments.models.schemes import Indicator, Scheme
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, OutOfScope
from tests.support import at_once

STREET_A, STREET_B = "350502001", "350502002"
A1, A2, A3 = "350502001001", "350502001002", "350502001003"
B1 = "350502002001"
TODAY = date(2026, 11, 20)
DISTRICT_ADMIN = CallerContext("district", ("district_admin",), "350502")
STREET_ADMIN = CallerContext("admin-a", ("street_admin",), STREET_A)
STREET_B_ADMIN = CallerContext("admin-b", ("street_admin",), STREET_B)
WORKER_A1 = CallerContext("worker-a1", ("community_worker",), A1)
AUDITOR = CallerContext("auditor", ("auditor",), "350502")
CONTENDERS = 4


def node(code, level="community"):
    return {"code": code, "level": level}


def as_caller(db, caller, fn, *args, **kwargs):
    with db.transaction("assessments", caller) as uow:
        return fn(uow, *args, **kwargs)


def make_scheme(db, status="active", area="350502", kind="community"):
    """A monthly community scheme: inspection (manual, weight 2), satisfaction (survey, full
    marks 10, weight 1.5); stars at 10 and 20 points, bottom 1 flagged."""
    with db.transaction("assessments") as uow:
        scheme = Scheme(name="社区治理月度考核", department="区委组织部", subject_kind=kind,
                        period="month", org_code=area, status=status,
                        counts_from=date(2026, 1, 1), counts_until=None,
                        star_thresholds=[10, 20], bottom_n=1, created_by="test")
        uow.session.add(scheme)
        uow.session.flush()
        uow.session.add_all([
            Indicator(scheme_id=scheme.id, code="inspection", name="日常检查", source="manual",
                      weight=2.0),
            Indicator(scheme_id=scheme.id, code="satisfaction", name="群众满意度",
                      source="survey", weight=1.5, full_marks=10)])
        uow.session.flush()
        return scheme.id


def manual(db, scheme_id, subject=A1, points=3.5, caller=STREET_ADMIN, **extra):
    payload = {"scheme_id": scheme_id, "indicator": "inspection", "subject_ref": subject,
               "period_key": "2026-11", "points": points, "reason": "环境卫生检查", **extra}
    return as_caller(db, caller, scorecards.enter_manual_score, payload, node(subject))


def survey(db, scheme_id, satisfied, respondents=50, subject=A1, caller=STREET_ADMIN):
    payload = {"indicator": "satisfaction", "subject_ref": subject, "period_key": "2026-11",
               "respondents": respondents, "satisfied": satisfied}
    return as_caller(db, caller, scorecards.record_survey, scheme_id, payload, node(subject))


def scorecard_of(db, scheme_id, subject=A1) -> Scorecard:
    with db.session_factory() as session:
        return session.scalar(select(Scorecard).where(Scorecard.scheme_id == scheme_id,
                                                      Scorecard.subject_ref == subject))


def counts(db) -> dict:
    with db.session_factory() as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (LedgerEntry, Scorecard, SurveyResult, OutboxMessage)}


def events(db) -> list[tuple[str, dict]]:
    with db.session_factory() as session:
        return [(m.event_type, m.envelope["data"]) for m in session.scalars(
            select(OutboxMessage).order_by(OutboxMessage.id))]


def recomputation(db, scheme_id, caller=AUDITOR):
    return as_caller(db, caller, scorecards.recompute, {"scheme_id": scheme_id})


def test_manual_scores_and_corrections_move_the_scorecard_by_weighted_amounts(
        assessments_service_db):
    db = assessments_service_db
    scheme_id = make_scheme(db)
    entry = manual(db, scheme_id)
    assert (entry["source"], entry["points"], entry["weighted_points"]) == ("manual", 3.5, 7.0)
    assert scorecard_of(db, scheme_id).total_hundredths == 700
    manual(db, scheme_id, points=-1.25)  # a deduction: -125 × 2 = -250
    assert scorecard_of(db, scheme_id).total_hundredths == 450

    corrected = as_caller(db, STREET_ADMIN, scorecards.correct_entry, entry["id"],
                          {"points": 5, "reason": "复核：加分漏记"})
    assert (corrected["source"], corrected["points"], corrected["revision"],
            corrected["corrects_entry_id"]) == ("correction", 1.5, 1, entry["id"])
    assert scorecard_of(db, scheme_id).total_hundredths == 750
    # correcting the original again corrects the latest of its chain
    again = as_caller(db, STREET_ADMIN, scorecards.correct_entry, entry["id"],
                      {"points": 2, "reason": "再次复核"})
    assert (again["points"], again["revision"], again["corrects_entry_id"]) == (
        -3.0, 2, corrected["id"])
    assert scorecard_of(db, scheme_id).total_hundredths == 150
    with pytest.raises(InvalidInput) as refused:  # already worth 2: nothing to correct
        as_caller(db, STREET_ADMIN, scorecards.correct_entry, again["id"],
                  {"points": 2, "reason": "x"})
    assert refused.value.field == "points"
    with db.session_factory() as session:
        original = session.get(LedgerEntry, entry["id"])
        assert (original.hundredths, original.revision) == (350, 0)  # never edited

    shown = as_caller(db, WORKER_A1, scorecards.get_scorecard, scorecard_of(db, scheme_id).id)
    assert shown["points"] == 1.5 and shown["entry_count"] == 4 and shown["stars"] == 0
    assert [(line["indicator"], line["points"], line["weighted_points"], line["entry_count"])
            for line in shown["lines"]] == [("inspection", 0.75, 1.5, 4)]
    entries = as_caller(db, WORKER_A1, scorecards.scorecard_entries, shown["id"], {"limit": 3})
    assert [e["source"] for e in entries["items"]] == ["manual", "manual", "correction"]
    rest = as_caller(db, WORKER_A1, scorecards.scorecard_entries, shown["id"],
                     {"cursor": entries["next_cursor"]})
    assert [e["reason"] for e in rest["items"]] == ["再次复核"] and rest["next_cursor"] is None
    assert recomputation(db, scheme_id)["differences"] == []
    emitted = events(db)
    assert [event for event, _ in emitted] == ["assessments.manual_score_entered"] * 2 + [
        "assessments.points_corrected"] * 2
    assert emitted[0][1] == {
        "entry_id": entry["id"], "scheme_id": scheme_id, "indicator": "inspection",
        "subject_kind": "community", "subject_ref": A1, "org_code": A1, "period_key": "2026-11",
        "points": 3.5, "weighted_points": 7.0}
    assert (emitted[3][1]["corrects_entry_id"], emitted[3][1]["revision"]) == (
        corrected["id"], 2)


def test_a_second_survey_replaces_the_first_by_a_correction(assessments_service_db):
    db = assessments_service_db
    scheme_id = make_scheme(db)
    first = survey(db, scheme_id, satisfied=45)
    assert (first["points"], first["satisfaction_rate"], first["meets_target"]) == (9.0, 0.9, True)
    assert scorecard_of(db, scheme_id).total_hundredths == 1350  # 900 × 1.5
    second = survey(db, scheme_id, satisfied=35)
    assert (second["points"], second["satisfaction_rate"], second["meets_target"]) == (
        7.0, 0.7, False)
    assert scorecard_of(db, scheme_id).total_hundredths == 1050  # 700 × 1.5
    with db.session_factory() as session:
        entry = session.get(LedgerEntry, second["ledger_entry_id"])
        assert (entry.source, entry.hundredths, entry.revision) == ("correction", -200, 1)
        assert entry.corrects_entry_id == first["ledger_entry_id"]
    listed = as_caller(db, WORKER_A1, scorecards.list_surveys, scheme_id, {})
    assert [(r["id"], r["current"]) for r in listed["items"]] == [
        (first["id"], False), (second["id"], True)]
    assert as_caller(db, STREET_B_ADMIN, scorecards.list_surveys, scheme_id, {})["items"] == []
    recorded = [data for event, data in events(db) if event == "assessments.survey_result_recorded"]
    assert [(d["survey_result_id"], d["points"], d["weighted_points"], d["meets_target"])
            for d in recorded] == [(first["id"], 9.0, 13.5, True), (second["id"], -2.0, -3.0, False)]
    assert recomputation(db, scheme_id)["differences"] == []


def test_the_recomputation_equals_the_kept_figures_and_finds_a_tampered_one(
        assessments_service_db):
    db = assessments_service_db
    scheme_id = make_scheme(db)
    for subject, points in ((A1, 3), (A2, 4.25), (A1, -1), (B1, 2)):
        manual(db, scheme_id, subject=subject, points=points, caller=DISTRICT_ADMIN)
    survey(db, scheme_id, satisfied=33, respondents=40, subject=A2, caller=DISTRICT_ADMIN)
    report = recomputation(db, scheme_id)
    assert (report["scorecards_compared"], report["entries"], report["differences"]) == (
        3, 5, [])
    assert recomputation(db, scheme_id, STREET_ADMIN)["scorecards_compared"] == 2  # its street
    kept = scorecard_of(db, scheme_id, A2)
    with db.transaction("assessments") as uow:
        uow.session.execute(update(Scorecard).where(Scorecard.id == kept.id).values(
            total_hundredths=Scorecard.total_hundredths + 1))
    assert recomputation(db, scheme_id)["differences"] == [{
        "scorecard_id": kept.id, "subject_ref": A2, "period_key": "2026-11",
        "indicator_id": None, "kept_hundredths": kept.total_hundredths + 1,
        "recomputed_hundredths": kept.total_hundredths}]
    with pytest.raises(Forbidden):
        recomputation(db, scheme_id, WORKER_A1)


def listed(*codes) -> list[dict]:
    """The territory subjects as membership lists them for a ranking."""
    return [{"code": code, "name": f"社区{code[-3:]}"} for code in codes]


def test_rankings_with_ties_zero_subjects_stars_and_the_bottom(assessments_service_db):
    db = assessments_service_db
    scheme_id = make_scheme(db)
    for subject, points in ((A1, 6), (A2, 6), (B1, 1)):  # weighted: 12, 12, 2
        manual(db, scheme_id, subject=subject, points=points, caller=DISTRICT_ADMIN)
    query = {"scheme_id": scheme_id, "period_key": "2026-11"}
    ranked = as_caller(db, DISTRICT_ADMIN, scorecards.ranking, query, listed(A1, A2, A3, B1), TODAY)
    assert [(s["group_code"], s["subject_ref"], s["rank"], s["points"], s["stars"], s["bottom"])
            for s in ranked["items"]] == [
        (STREET_A, A1, 1, 12.0, 1, False), (STREET_A, A2, 1, 12.0, 1, False),
        (STREET_A, A3, 3, 0.0, 0, True), (STREET_B, B1, 1, 2.0, 0, False)]
    assert ranked["items"][2]["scorecard_id"] is None
    assert [s["subject_name"] for s in ranked["items"]] == [f"社区{c[-3:]}" for c in (A1, A2, A3, B1)]
    together = as_caller(db, DISTRICT_ADMIN, scorecards.ranking, {**query, "group": "within"},
                         listed(A1, A2, A3, B1), TODAY)
    assert [(s["subject_ref"], s["rank"], s["bottom"]) for s in together["items"]] == [
        (A1, 1, False), (A2, 1, False), (B1, 3, False), (A3, 4, True)]
    page = as_caller(db, DISTRICT_ADMIN, scorecards.ranking, {**query, "limit": 3},
                     listed(A1, A2, A3, B1), TODAY)
    rest = as_caller(db, DISTRICT_ADMIN, scorecards.ranking,
                     {**query, "limit": 3, "cursor": page["next_cursor"]}, listed(A1, A2, A3, B1),
                     TODAY)
    assert [s["subject_ref"] for s in page["items"] + rest["items"]] == [A1, A2, A3, B1]
    # a community worker: its own community, ranked among its street's scorecards
    own = as_caller(db, WORKER_A1, scorecards.ranking, query, [], TODAY)
    assert [(s["subject_ref"], s["rank"], s["group_size"]) for s in own["items"]] == [(A1, 1, 2)]
    assert own["within_code"] == A1
    with pytest.raises(InvalidInput) as refused:
        as_caller(db, DISTRICT_ADMIN, scorecards.ranking, {**query, "period_key": "2025-12"},
                  [], TODAY)
    assert refused.value.field == "period_key"
    with pytest.raises(OutOfScope):
        as_caller(db, STREET_B_ADMIN, scorecards.ranking, {**query, "within_code": STREET_A},
                  [], TODAY)


def test_refusals_change_nothing(assessments_service_db):
    db = assessments_service_db
    scheme_id = make_scheme(db)
    draft_id = make_scheme(db, status="draft")
    entry = manual(db, scheme_id)
    before = counts(db)
    refusals = [
        (Conflict, "status", lambda: manual(db, draft_id)),
        (InvalidInput, "indicator", lambda: manual(db, scheme_id, indicator="satisfaction")),
        (InvalidInput, "indicator", lambda: manual(db, scheme_id, indicator="nothing")),
        (InvalidInput, "period_key", lambda: manual(db, scheme_id, period_key="2026-Q4")),
        (InvalidInput, "period_key", lambda: manual(db, scheme_id, period_key="2025-12")),
        (InvalidInput, "reason", lambda: manual(db, scheme_id, reason="   ")),
        (InvalidInput, "points", lambda: manual(db, scheme_id, points="3")),
        (InvalidInput, "points", lambda: manual(db, scheme_id, points=1.234)),
        (InvalidInput, "subject_ref", lambda: as_caller(
            db, STREET_ADMIN, scorecards.enter_manual_score,
            {"scheme_id": scheme_id, "indicator": "inspection", "subject_ref": STREET_A,
             "period_key": "2026-11", "points": 1, "reason": "x"}, node(STREET_A, "street"))),
        (OutOfScope, "subject_ref", lambda: manual(db, scheme_id, subject=B1)),
        (NotFound, "scheme_id", lambda: manual(db, 999999)),
        (Forbidden, None, lambda: manual(db, scheme_id, caller=WORKER_A1)),
        (NotFound, "id", lambda: as_caller(db, STREET_B_ADMIN, scorecards.correct_entry,
                                           entry["id"], {"points": 1, "reason": "x"})),
        (InvalidInput, "satisfied", lambda: survey(db, scheme_id, satisfied=51)),
        (Conflict, "status", lambda: survey(db, draft_id, satisfied=5)),
    ]
    for error, field, attempt in refusals:
        with pytest.raises(error) as refused:
            attempt()
        if field is not None:
            assert refused.value.field == field, (field, refused.value)
    street_scheme = make_scheme(db, kind="street")
    with pytest.raises(Forbidden) as refused:  # a street's admin does not score its own street
        as_caller(db, STREET_ADMIN, scorecards.enter_manual_score,
                  {"scheme_id": street_scheme, "indicator": "inspection",
                   "subject_ref": STREET_A, "period_key": "2026-11", "points": 1,
                   "reason": "x"}, node(STREET_A, "street"))
    assert refused.value.field == "subject_ref"
    assert counts(db) == before
    card = scorecard_of(db, scheme_id)
    with pytest.raises(NotFound):
        as_caller(db, STREET_B_ADMIN, scorecards.get_scorecard, card.id)
    assert as_caller(db, STREET_B_ADMIN, scorecards.list_scorecards, {})["items"] == []


def test_the_demo_scores_on_the_demo_scheme_once(assessments_service_db):
    from services.assessments import demo_schemes, demo_scores

    db = assessments_service_db
    with db.transaction("assessments") as uow:
        assert demo_scores.seed(uow, {}, TODAY) == {}  # no scheme yet: nothing
    with db.transaction("assessments") as uow:
        demo_schemes.seed(uow, {}, TODAY)
    with db.transaction("assessments") as uow:
        assert demo_scores.seed(uow, {}, TODAY) == {
            "manual_score": 6, "survey_result": 7, "ledger_correction": 1}
    with db.transaction("assessments") as uow:
        assert demo_scores.seed(uow, {}, TODAY) == {}
    with db.session_factory() as session:
        scheme_id = session.scalar(select(Scheme.id).where(Scheme.name == "社区治理月度考核"))
    assert recomputation(db, scheme_id)["differences"] == []
    ranked = as_caller(db, STREET_ADMIN, scorecards.ranking,
                       {"scheme_id": scheme_id, "period_key": "2026-10"}, listed(A1, A2), TODAY)
    # October: Xiguan 9 + 20 × 71/80 = 26.75; Yongfeng 7.5 + 20 × 66/80 (the resurvey) = 24
    assert [(s["subject_ref"], s["points"], s["rank"], s["stars"], s["bottom"])
            for s in ranked["items"]] == [(A1, 26.75, 1, 1, False), (A2, 24.0, 2, 1, True)]


def test_a_person_scored_in_a_community_and_ranked_only_with_a_scorecard(assessments_service_db):
    db = assessments_service_db
    scheme_id = make_scheme(db, kind="volunteer", area=STREET_A)
    payload = {"scheme_id": scheme_id, "indicator": "inspection", "subject_ref": "17",
               "period_key": "2026-11", "points": 2, "reason": "服务对象表扬"}
    with pytest.raises(InvalidInput) as refused:  # a person is scored in a community
        as_caller(db, STREET_ADMIN, scorecards.manual_score_plan, payload)
    assert refused.value.field == "community_code"
    with pytest.raises(OutOfScope):
        as_caller(db, STREET_ADMIN, scorecards.manual_score_plan,
                  {**payload, "community_code": B1})
    entry = as_caller(db, STREET_ADMIN, scorecards.enter_manual_score,
                      {**payload, "community_code": A2}, node(A2))
    assert (entry["subject_kind"], entry["subject_ref"], entry["org_code"]) == (
        "volunteer", "17", A2)
    ranked = as_caller(db, STREET_ADMIN, scorecards.ranking,
                       {"scheme_id": scheme_id, "period_key": "2026-11"}, [], TODAY)
    assert [(s["subject_ref"], s["group_code"], s["rank"], s["points"]) for s in ranked["items"]] \
        == [("17", A2, 1, 4.0)]
    assert as_caller(db, WORKER_A1, scorecards.ranking,
                     {"scheme_id": scheme_id, "period_key": "2026-11"}, [], TODAY)["items"] == []
    grid_worker = CallerContext("gridder", ("grid_worker",), A2 + "001")
    assert as_caller(db, grid_worker, scorecards.ranking,
                     {"scheme_id": scheme_id, "period_key": "2026-11"}, [], TODAY)["items"] == []


def test_concurrent_corrections_of_one_entry_form_one_chain(assessments_service_db):
    db = assessments_service_db
    scheme_id = make_scheme(db)
    entry = manual(db, scheme_id, points=1)
    made = at_once(db, CONTENDERS, lambda index, database: as_caller(
        database, STREET_ADMIN, scorecards.correct_entry, entry["id"],
        {"points": 10 + index, "reason": f"复核{index}"}))
    made.sort(key=lambda correction: correction["id"])
    # each corrected the one before it: one chain, revisions 1..N, worth the last one's value
    assert [c["revision"] for c in made] == list(range(1, CONTENDERS + 1))
    assert [c["corrects_entry_id"] for c in made] == [entry["id"]] + [c["id"] for c in made[:-1]]
    final = 10 + int(made[-1]["reason"][2:])
    assert scorecard_of(db, scheme_id).total_hundredths == final * 100 * 2
    assert recomputation(db, scheme_id)["differences"] == []
