"""Bad input to every patrol route, driven by the gateway's OpenAPI document with the battery of
tests/e2e/test_learning_bad_input.py (wrong ids in the path, bodies that are not objects, fields
of the wrong type or out of range, unstorable text, impossible times, forged cursors): the
answer is always a 4xx application/problem+json, never a 5xx."""
import pytest

from tests.e2e import test_learning_bad_input as battery
from tests.e2e.conftest import COMMUNITY_A1, DISTRICT
from tests.e2e.test_security_patrols_api import GRID_A1, at, post
from tests.e2e.test_volunteers_api import add_resident

pytestmark = pytest.mark.broker


@pytest.fixture
def patrol_rows(api, auth, seeded):
    admin = auth("district_admin", DISTRICT)
    resident = add_resident(seeded, GRID_A1, name="林巡逻")
    volunteer = post(api, "/api/v1/volunteers", {"resident_id": resident}, admin)
    spare = post(api, "/api/v1/volunteers",
                 {"resident_id": add_resident(seeded, GRID_A1, name="陈巡逻")}, admin)
    team = post(api, "/api/v1/patrol-teams", {"org_code": COMMUNITY_A1, "name": "西关治安巡逻队",
                                              "kind": "security_patrol"}, admin)
    post(api, f"/api/v1/patrol-teams/{team['id']}/members", {"volunteer_id": volunteer["id"]},
         admin)
    point = post(api, f"/api/v1/patrol-teams/{team['id']}/points",
                 {"name": "菜市场", "grid_code": GRID_A1}, admin)
    shift = post(api, "/api/v1/patrol-shifts", {"team_id": team["id"], "starts_at": at(-1),
                                                "ends_at": at(2), "point_ids": [point["id"]]},
                 admin)
    return {"admin": admin, "team": team, "point": point, "shift": shift, "volunteer": volunteer,
            "spare": spare, "certificate_number": "x",
            "ids": {"patrol-teams": team["id"], "patrol-shifts": shift["id"]}}


def test_patrols_refuse_bad_input(api, patrol_rows, monkeypatch):
    monkeypatch.setitem(battery.AREAS, "patrols", ("patrol-teams", "patrol-shifts"))
    monkeypatch.setattr(battery, "LAST", (*battery.LAST, "completion"))
    point_id = patrol_rows["point"]["id"]
    bases = {
        "create_patrol_team": {"org_code": COMMUNITY_A1, "name": "永丰巡逻队",
                               "kind": "volunteer_patrol"},
        "add_patrol_team_member": {"volunteer_id": patrol_rows["spare"]["id"]},
        "add_patrol_point": {"name": "象峰巷口", "grid_code": GRID_A1, "address": "象峰巷12号"},
        "plan_patrol_shift": {"team_id": patrol_rows["team"]["id"], "starts_at": at(24),
                              "ends_at": at(27), "route": "菜市场", "point_ids": [point_id],
                              "volunteer_ids": [patrol_rows["volunteer"]["id"]]},
        "patrol_check_in": {"point_id": point_id, "volunteer_id": patrol_rows["volunteer"]["id"],
                            "at": at(0), "note": "正常"},
        "report_patrol_finding": {"kind": "theft", "severity": "minor", "description": "电动车被盗",
                                  "point_id": point_id},
        "complete_patrol_shift": {},
    }
    battery.send_battery(api, patrol_rows["admin"], "patrols", patrol_rows, bases)
