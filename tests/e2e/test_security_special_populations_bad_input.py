"""Bad input to every special-populations route, driven by the gateway's OpenAPI document with the
battery of tests/e2e/test_learning_bad_input.py (wrong ids in the path, bodies that are not
objects, fields of the wrong type or out of range, unstorable text, forged cursors): the answer
is always a 4xx application/problem+json, never a 5xx."""
import pytest

from tests.e2e import test_learning_bad_input as battery
from tests.e2e.conftest import COMMUNITY_A1, STREET_A
from tests.e2e.test_security_special_populations_api import add_resident, file_body, post

pytestmark = pytest.mark.broker


def test_special_populations_refuse_bad_input(api, auth, seeded, monkeypatch):
    monkeypatch.setitem(battery.AREAS, "special populations",
                        ("supervision-files", "floating-checks"))
    monkeypatch.setattr(battery, "LAST", (*battery.LAST, "closure"))
    officer = auth("security_officer", STREET_A)
    resident = add_resident(seeded, f"{COMMUNITY_A1}001", supervised=True)
    floating = add_resident(seeded, f"{COMMUNITY_A1}001", "流动", "floating")
    opened = post(api, "/api/v1/supervision-files", file_body(resident), officer)
    rows = {"certificate_number": "x", "ids": {"supervision-files": opened["id"]}}
    bases = {
        "open_supervision_file": file_body(resident),  # already open: even a valid one is 409
        "update_supervision_file": {"visit_every_days": 10},
        "record_supervision_visit": {"visited_on": "2026-02-01", "visitor": "陈志明",
                                     "outcome": "stable", "notes": "情况稳定"},
        "record_supervision_screening": {"screened_on": "2026-02-01", "risk_level": "low",
                                         "notes": "复查"},
        "close_supervision_file": {"reason": "reintegrated", "closed_on": "2026-02-01"},
        "record_floating_check": {"resident_id": floating, "checked_on": "2026-02-01",
                                  "checker": "网格员", "result": "registered", "notes": "在住"},
    }
    battery.send_battery(api, officer, "special populations", rows, bases)
