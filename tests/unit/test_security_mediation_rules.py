"""Mediation 人民调解 rules: where a case is, its parties, the dispute type a ticket asks for, and
what may close it."""
from datetime import date

import pytest

from services.security.domain import mediation as rules
from shared.errors import Conflict, InvalidInput

COMMUNITY, GRID = "350502001001", "350502001001002"
OPENED, TODAY = date(2026, 11, 2), date(2026, 11, 30)


def party(name, role, **extra):
    return {"name": name, "role": role, "resident_id": None, "phone": None, **extra}


def test_a_grid_gives_its_community_and_both_must_agree():
    assert rules.place(None, GRID) == (COMMUNITY, GRID)
    assert rules.place(COMMUNITY, GRID) == (COMMUNITY, GRID)
    assert rules.place(COMMUNITY, None) == (COMMUNITY, None)
    with pytest.raises(InvalidInput) as refused:
        rules.place("350502001002", GRID)
    assert refused.value.field == "grid_code"
    with pytest.raises(InvalidInput) as missing:
        rules.place(None, None)
    assert missing.value.field == "community_code"


def test_a_dispute_has_an_applicant_and_a_respondent_each_given_once():
    rules.check_parties([party("甲", "applicant"), party("乙", "respondent")])
    with pytest.raises(InvalidInput) as one_sided:
        rules.check_parties([party("甲", "applicant"), party("丙", "applicant")])
    assert one_sided.value.field == "parties" and "respondent" in str(one_sided.value)
    with pytest.raises(InvalidInput) as twice:
        rules.check_parties([party("甲", "applicant", resident_id=4), party("乙", "respondent"),
                             party("甲2", "respondent", resident_id=4)])
    assert twice.value.field == "parties.2"


@pytest.mark.parametrize("category, attributes, expected", [
    ("neighbour_dispute", {"dispute_kind": "noise"}, "neighbour"),
    ("neighbour_dispute", {"dispute_kind": "leak", "parties": 2}, "neighbour"),
    ("neighbour_dispute", {"dispute_kind": "family"}, "family"),
    ("neighbour_dispute", {"dispute_type": "marriage"}, "marriage"),
    ("property_dispute", {}, "property"),
    ("neighbour_dispute", {}, "neighbour"),
    ("other_dispute", {"dispute_kind": "something new"}, "neighbour"),
    ("other_dispute", None, "neighbour"),
])
def test_the_dispute_type_a_ticket_asks_for(category, attributes, expected):
    assert rules.dispute_type_of_ticket(category, attributes) == expected


def test_a_closed_case_takes_nothing_more():
    rules.check_open(rules.OPEN)
    with pytest.raises(Conflict) as closed:
        rules.check_open(rules.CLOSED)
    assert closed.value.field == "status"


def test_a_session_lies_between_the_opening_and_today():
    rules.check_session_day(OPENED, OPENED, TODAY)
    for day in (date(2026, 12, 1), date(2026, 11, 1)):
        with pytest.raises(InvalidInput) as refused:
            rules.check_session_day(day, OPENED, TODAY)
        assert refused.value.field == "held_on"


def test_an_agreement_records_its_text_and_only_an_agreement_has_one():
    assert rules.check_outcome("agreement", "  赔偿漏水损失500元  ", TODAY, OPENED, None,
                               TODAY) == "赔偿漏水损失500元"
    assert rules.check_outcome("failed", None, TODAY, OPENED, None, TODAY) is None
    assert rules.check_outcome("referred_to_court", " ", TODAY, OPENED, None, TODAY) is None
    for outcome, text in (("agreement", None), ("agreement", "   "), ("failed", "协议")):
        with pytest.raises(InvalidInput) as refused:
            rules.check_outcome(outcome, text, TODAY, OPENED, None, TODAY)
        assert refused.value.field == "agreement_text"
    with pytest.raises(InvalidInput) as unknown:
        rules.check_outcome("withdrawn", None, TODAY, OPENED, None, TODAY)
    assert unknown.value.field == "outcome"


def test_a_case_closes_after_its_last_session_and_not_in_the_future():
    last = date(2026, 11, 20)
    assert rules.check_outcome("failed", None, last, OPENED, last, TODAY) is None
    for closed_on in (date(2026, 11, 19), date(2026, 11, 1), date(2026, 12, 1)):
        with pytest.raises(InvalidInput) as refused:
            rules.check_outcome("failed", None, closed_on, OPENED, last, TODAY)
        assert refused.value.field == "closed_on"
