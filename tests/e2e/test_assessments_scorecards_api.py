"""Scorecards and rankings through the real gateway: manual scores, a survey and a correction
entered by a street's admin move the scorecards; the communities of a street ranked (one without
entries ranks with 0 and is flagged at the bottom); the ranking drawn as SVG (valid XML); a
scorecard explained entry by entry; a community worker sees its own scorecard and not its
neighbour's; another street is answered 404; bad input is 422 naming the field, with nothing
changed. The scheme is written behind the API (its routes belong to the schemes area)."""
import xml.etree.ElementTree as ElementTree
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import (
    COMMUNITY_A1,
    COMMUNITY_A2,
    COMMUNITY_B1,
    DISTRICT,
    STREET_A,
    STREET_B,
    assert_problem,
)

pytestmark = pytest.mark.broker

SCORECARDS, RANKINGS = "/api/v1/scorecards", "/api/v1/rankings"
MANUAL = "/api/v1/points-ledger/manual-scores"
PERIOD = "2026-11"
SVG = "{http://www.w3.org/2000/svg}"


def make_scheme(assessments_db, status="active", kind="community", area=DISTRICT) -> int:
    from services.assessments.models.schemes import Indicator, Scheme

    with assessments_db.transaction("assessments") as uow:
        scheme = Scheme(name="社区治理月度考核", department="区委组织部", subject_kind=kind,
                        period="month", org_code=area, status=status,
                        counts_from=date(2026, 1, 1), star_thresholds=[5, 15], bottom_n=1,
                        created_by="test")
        uow.session.add(scheme)
        uow.session.flush()
        uow.session.add_all([
            Indicator(scheme_id=scheme.id, code="inspection", name="日常检查", source="manual",
                      weight=2.0),
            Indicator(scheme_id=scheme.id, code="satisfaction", name="群众满意度",
                      source="survey", weight=1.0, full_marks=10)])
        return scheme.id


def counts(assessments_db) -> dict:
    from services.assessments.models import OutboxMessage
    from services.assessments.models.ledger import LedgerEntry, Scorecard, SurveyResult

    with assessments_db.session_factory() as session:
        return {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                for m in (LedgerEntry, Scorecard, SurveyResult, OutboxMessage)}


def sent(response, status=200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def score(api, headers, scheme_id, subject, points, reason="环境卫生检查", status=201):
    return sent(api.post(MANUAL, headers=headers, json={
        "scheme_id": scheme_id, "indicator": "inspection", "subject_ref": subject,
        "period_key": PERIOD, "points": points, "reason": reason}), status)


def test_the_communities_of_a_street_ranked_explained_and_drawn(
        api, auth, seeded, assessments_container, assessments_db):
    scheme_id = make_scheme(assessments_db)
    street_a, district = auth("street_admin", STREET_A), auth("district_admin", DISTRICT)
    entry = score(api, street_a, scheme_id, COMMUNITY_A1, 4)  # weighted 8
    score(api, district, scheme_id, COMMUNITY_B1, 1)
    surveyed = sent(api.post(f"/api/v1/assessment-schemes/{scheme_id}/survey-results",
                             headers=street_a, json={
        "indicator": "satisfaction", "subject_ref": COMMUNITY_A1, "period_key": PERIOD,
        "respondents": 40, "satisfied": 34}), 201)
    assert (surveyed["points"], surveyed["satisfaction_rate"], surveyed["meets_target"]) == (
        8.5, 0.85, True)
    corrected = sent(api.post(f"/api/v1/points-ledger/{entry['id']}/corrections",
                              headers=street_a, json={"points": 5, "reason": "复核补记"}), 201)
    assert (corrected["points"], corrected["corrects_entry_id"]) == (1.0, entry["id"])

    query = {"scheme_id": scheme_id, "period_key": PERIOD, "within_code": STREET_A}
    ranking = sent(api.get(RANKINGS, params=query, headers=street_a))
    assert [(s["subject_ref"], s["rank"], s["points"], s["stars"], s["bottom"])
            for s in ranking["items"]] == [(COMMUNITY_A1, 1, 18.5, 2, False),
                                           (COMMUNITY_A2, 2, 0.0, 0, True)]
    assert ranking["items"][1]["scorecard_id"] is None and ranking["next_cursor"] is None
    assert [s["subject_name"] for s in ranking["items"]] == ["西关社区", "永丰社区"]
    whole = sent(api.get(RANKINGS, params={"scheme_id": scheme_id, "period_key": PERIOD},
                         headers=district))
    assert [(s["group_code"], s["subject_ref"], s["rank"]) for s in whole["items"]] == [
        (STREET_A, COMMUNITY_A1, 1), (STREET_A, COMMUNITY_A2, 2), (STREET_B, COMMUNITY_B1, 1)]

    chart = api.get(RANKINGS + ".svg", params=query, headers=street_a)
    assert chart.status_code == 200 and chart.headers["Content-Type"].startswith("image/svg+xml")
    root = ElementTree.fromstring(chart.content)
    assert root.tag == SVG + "svg"
    assert [rect.get("fill") for rect in root.iter(SVG + "rect")][1:] == ["#4e79a7", "#e15759"]
    assert len([line for line in root.iter(SVG + "line")
                if line.get("stroke-dasharray")]) == 2  # the two star thresholds
    assert "永丰社区" in chart.text  # labelled by name, as membership names it

    listed = sent(api.get(SCORECARDS, params={"scheme_id": scheme_id}, headers=street_a))
    assert [card["subject_ref"] for card in listed["items"]] == [COMMUNITY_A1]
    card_id = listed["items"][0]["id"]
    card = sent(api.get(f"{SCORECARDS}/{card_id}", headers=street_a))
    assert card["points"] == 18.5 and card["standing"] == {
        "rank": 1, "group_code": STREET_A, "group_size": 2, "bottom": False}
    assert [(line["indicator"], line["points"], line["weighted_points"]) for line in
            card["lines"]] == [("inspection", 5.0, 10.0), ("satisfaction", 8.5, 8.5)]
    entries = sent(api.get(f"{SCORECARDS}/{card_id}/entries", headers=street_a))
    assert [(e["source"], e["points"], e["reason"][:4]) for e in entries["items"]] == [
        ("manual", 4.0, "环境卫生"), ("survey", 8.5, "满意度调"), ("correction", 1.0, "复核补记")]
    check = sent(api.get(SCORECARDS + "/recomputation", params={"scheme_id": scheme_id},
                         headers=auth("auditor", DISTRICT)))
    assert (check["scorecards_compared"], check["differences"]) == (2, [])

    # scope: a community worker sees its own scorecard, not its neighbour's; another street 404
    worker_a1, worker_a2 = auth("community_worker", COMMUNITY_A1), auth("community_worker",
                                                                        COMMUNITY_A2)
    assert sent(api.get(f"{SCORECARDS}/{card_id}", headers=worker_a1))["id"] == card_id
    assert_problem(api.get(f"{SCORECARDS}/{card_id}", headers=worker_a2), 404, field="id")
    assert sent(api.get(SCORECARDS, headers=worker_a2))["items"] == []
    mine = sent(api.get(RANKINGS, params={"scheme_id": scheme_id, "period_key": PERIOD},
                        headers=worker_a2))
    assert [(s["subject_ref"], s["points"]) for s in mine["items"]] == [(COMMUNITY_A2, 0.0)]
    street_b = auth("street_admin", STREET_B)
    assert_problem(api.get(f"{SCORECARDS}/{card_id}", headers=street_b), 404, field="id")
    assert_problem(api.get(f"{SCORECARDS}/{card_id}/entries", headers=street_b), 404, field="id")
    assert_problem(api.post(f"/api/v1/points-ledger/{entry['id']}/corrections", headers=street_b,
                            json={"points": 1, "reason": "x"}), 404, field="id")
    assert_problem(api.get(RANKINGS, params=query, headers=street_b), 403, field="within_code")
    assert_problem(api.get(SCORECARDS + "/recomputation", params={"scheme_id": scheme_id},
                           headers=worker_a1), 403)


def test_bad_input_is_422_naming_the_field_and_changes_nothing(
        api, auth, seeded, assessments_container, assessments_db):
    scheme_id = make_scheme(assessments_db)
    draft_id = make_scheme(assessments_db, status="draft")
    street_a = auth("street_admin", STREET_A)
    entry = score(api, street_a, scheme_id, COMMUNITY_A1, 2)
    before = counts(assessments_db)
    good = {"scheme_id": scheme_id, "indicator": "inspection", "subject_ref": COMMUNITY_A1,
            "period_key": PERIOD, "points": 1, "reason": "检查"}
    for broken, field in (({"period_key": "2026-13"}, "period_key"),
                          ({"period_key": "2025-12"}, "period_key"),
                          ({"indicator": "satisfaction"}, "indicator"),
                          ({"indicator": "Bad Code"}, "indicator"),
                          ({"subject_ref": "350502001099"}, "subject_ref"),
                          ({"subject_ref": "35050200100x"}, "subject_ref"),
                          ({"subject_ref": COMMUNITY_A1 + "001"}, "subject_ref"),
                          ({"points": "1"}, "points"), ({"points": 1.001}, "points"),
                          ({"points": 10 ** 9}, "points"), ({"reason": ""}, "reason"),
                          ({"reason": "  "}, "reason"), ({"reason": "a\x00b"}, "reason"),
                          ({"scheme_id": "1"}, "scheme_id")):
        assert_problem(api.post(MANUAL, json={**good, **broken}, headers=street_a), 422,
                       field=field)
    assert_problem(api.post(MANUAL, json={**good, "scheme_id": draft_id}, headers=street_a),
                   409, field="status")
    assert_problem(api.post(MANUAL, json={**good, "subject_ref": COMMUNITY_B1},
                            headers=street_a), 403, field="subject_ref")
    assert_problem(api.post(MANUAL, json=good, headers=auth("community_worker", COMMUNITY_A1)),
                   403)
    surveys = f"/api/v1/assessment-schemes/{scheme_id}/survey-results"
    survey = {"indicator": "satisfaction", "subject_ref": COMMUNITY_A1, "period_key": PERIOD,
              "respondents": 10, "satisfied": 8}
    for broken, field in (({"satisfied": 11}, "satisfied"), ({"respondents": 0}, "respondents"),
                          ({"satisfied": -1}, "satisfied"), ({"indicator": "inspection"},
                                                             "indicator")):
        assert_problem(api.post(surveys, json={**survey, **broken}, headers=street_a), 422,
                       field=field)
    assert_problem(api.post(f"/api/v1/assessment-schemes/{2 ** 40}/survey-results", json=survey,
                            headers=street_a), 404)
    corrections = f"/api/v1/points-ledger/{entry['id']}/corrections"
    assert_problem(api.post(corrections, json={"points": 2, "reason": "x"}, headers=street_a),
                   422, field="points")  # already worth 2
    assert_problem(api.post(corrections, json={"points": 3}, headers=street_a), 422,
                   field="reason")
    assert_problem(api.post(corrections, data="[1]", headers={
        **street_a, "Content-Type": "application/json"}), 400, field="body")
    for params, field in (({"scheme_id": "x"}, "scheme_id"), ({}, "scheme_id"),
                          ({"scheme_id": scheme_id, "period_key": "2026-Q4"}, "period_key"),
                          ({"scheme_id": scheme_id, "group": "all"}, "group"),
                          ({"scheme_id": scheme_id, "within_code": "35"}, "within_code"),
                          ({"scheme_id": scheme_id, "cursor": "forged"}, "cursor")):
        assert_problem(api.get(RANKINGS, params=params, headers=street_a), 422, field=field)
    assert_problem(api.get(RANKINGS + ".svg", params={"scheme_id": 999999}, headers=street_a),
                   404, field="scheme_id")
    assert_problem(api.get(SCORECARDS, params={"cursor": "forged"}, headers=street_a), 422,
                   field="cursor")
    assert_problem(api.get(f"{SCORECARDS}/{2 ** 63}", headers=street_a), 404)
    assert counts(assessments_db) == before


def test_a_volunteer_is_scored_only_when_membership_shows_them(
        api, auth, seeded, membership_db, assessments_container, assessments_db):
    from tests.e2e.test_volunteers_api import add_resident

    scheme_id = make_scheme(assessments_db, kind="volunteer", area=STREET_A)
    street_a = auth("street_admin", STREET_A)
    volunteer = sent(api.post("/api/v1/volunteers", headers=street_a, json={
        "resident_id": add_resident(membership_db, COMMUNITY_A1 + "001"), "skills": ["助老"]}),
        201)
    body = {"scheme_id": scheme_id, "indicator": "inspection",
            "subject_ref": str(volunteer["id"]), "community_code": COMMUNITY_A1,
            "period_key": PERIOD, "points": 2, "reason": "服务对象表扬"}
    before = counts(assessments_db)
    assert_problem(api.post(MANUAL, json={**body, "subject_ref": "999999"}, headers=street_a),
                   404, field="subject_ref")
    assert_problem(api.post(MANUAL, json={**body, "community_code": None}, headers=street_a),
                   422, field="community_code")
    assert_problem(api.post(MANUAL, json={**body, "community_code": COMMUNITY_B1},
                            headers=street_a), 403, field="community_code")
    assert counts(assessments_db) == before
    entry = sent(api.post(MANUAL, json=body, headers=street_a), 201)
    assert (entry["subject_kind"], entry["subject_ref"], entry["org_code"], entry["points"],
            entry["weighted_points"]) == ("volunteer", str(volunteer["id"]), COMMUNITY_A1, 2.0,
                                          4.0)
    ranking = sent(api.get(RANKINGS, params={"scheme_id": scheme_id, "period_key": PERIOD},
                           headers=street_a))
    assert [(s["subject_ref"], s["group_code"], s["rank"]) for s in ranking["items"]] == [
        (str(volunteer["id"]), COMMUNITY_A1, 1)]
