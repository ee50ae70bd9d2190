"""Bad input to every scorecard, ranking, manual-score, survey and correction route, driven by
the gateway's OpenAPI document with the battery of tests/e2e/test_learning_bad_input.py (wrong
ids in the path, bodies that are not objects, fields of the wrong type or out of range,
unstorable text, forged cursors): the answer is always a 4xx application/problem+json or a
success, never a 5xx."""
import pytest

from tests.e2e import test_learning_bad_input as battery
from tests.e2e.conftest import COMMUNITY_A1, DISTRICT
from tests.e2e.test_assessments_scorecards_api import PERIOD, make_scheme, score, sent

pytestmark = pytest.mark.broker

GROUPS = {  # a battery per group, each within the suite's time limit
    "reads": {"list_scorecards", "recompute_scorecards", "get_scorecard", "scorecard_entries",
              "rankings", "rankings_chart"},
    "manual scores and corrections": {"enter_manual_score", "correct_ledger_entry"},
    "surveys": {"record_survey_result", "list_survey_results"},
}


@pytest.fixture(params=sorted(GROUPS))
def scorecard_areas(request, monkeypatch):
    """The scorecard routes of one group in the battery: theirs under /scorecards and
    /rankings, and the ones under /points-ledger and /assessment-schemes (the others there
    belong to other areas)."""
    monkeypatch.setitem(battery.AREAS, "scorecards", ("scorecards", "rankings", "points-ledger",
                                                      "assessment-schemes"))
    documented = battery.learning_operations

    def operations(api, area):
        return [op for op in documented(api, area) if op[2]["operationId"] in GROUPS[
            request.param]]

    monkeypatch.setattr(battery, "learning_operations", operations)


def test_scorecard_routes_refuse_bad_input(api, auth, seeded, assessments_container,
                                           assessments_db, scorecard_areas):
    admin = auth("district_admin", DISTRICT)
    scheme_id = make_scheme(assessments_db)
    entry = score(api, admin, scheme_id, COMMUNITY_A1, 3)
    card = sent(api.get("/api/v1/scorecards", headers=admin))["items"][0]
    rows = {"certificate_number": "x", "ids": {
        "scorecards": card["id"], "points-ledger": entry["id"], "assessment-schemes": scheme_id}}
    subject = {"subject_ref": COMMUNITY_A1, "period_key": PERIOD}
    bases = {
        "enter_manual_score": {"scheme_id": scheme_id, "indicator": "inspection", **subject,
                               "points": 1.5, "reason": "检查"},
        "correct_ledger_entry": {"points": 7, "reason": "复核"},
        "record_survey_result": {"indicator": "satisfaction", **subject, "respondents": 10,
                                 "satisfied": 8, "note": "问卷"},
    }
    battery.send_battery(api, admin, "scorecards", rows, bases)
