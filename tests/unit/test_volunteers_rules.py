"""Volunteer and hours-ledger rules, in plain Python."""
import pytest

from services.membership.domain import volunteers as rules
from shared.context import CallerContext
from shared.errors import Conflict, Forbidden, InvalidInput


def test_skills_are_trimmed_and_deduplicated_keeping_the_first_spelling():
    assert rules.normalise_skills([" First  aid ", "理发", "first aid", "FIRST AID"]) == [
        "First aid", "理发"]
    with pytest.raises(InvalidInput) as caught:
        rules.normalise_skills(["ok", "  "])
    assert caught.value.field == "skills.1"
    with pytest.raises(InvalidInput):
        rules.normalise_skills([f"s{n}" for n in range(31)])


def test_adding_and_removing_skills_is_idempotent():
    current = ["理发", "First aid"]
    after = rules.apply_skill_changes(current, ["电脑", "理发"], ["first AID", "never had"])
    assert after == ["理发", "电脑"]
    assert rules.apply_skill_changes(after, ["电脑"], ["first aid"]) == after


def test_enrolment_and_joining_rules():
    rules.check_enrolment("active", False, "350502001001")
    for args, field in [(("active", True, "350502001001"), "resident_id"),
                        (("moved_out", False, "350502001001"), "resident_id")]:
        with pytest.raises(Conflict) as caught:
            rules.check_enrolment(*args)
        assert caught.value.field == field
    with pytest.raises(InvalidInput):
        rules.check_enrolment("active", False, "350502001")
    rules.check_can_join("active", False)
    with pytest.raises(Conflict):
        rules.check_can_join("inactive", False)
    with pytest.raises(Conflict):
        rules.check_can_join("active", True)


def test_only_writers_write():
    rules.require_writer(CallerContext("a", ("community_worker",), "350502001001"))
    rules.require_writer(CallerContext("k", ("integration",), "350502"))
    for role in ("grid_worker", "security_officer", "auditor"):
        with pytest.raises(Forbidden):
            rules.require_writer(CallerContext("r", (role,), "350502"))


@pytest.mark.parametrize("hours,units", [(1, 100), (0.01, 1), (2.5, 250), (24, 2400),
                                         (0.29, 29), (1.1, 110)])
def test_hours_are_exact_hundredths(hours, units):
    assert rules.hours_to_units(hours) == units
    assert rules.units_to_hours(units) == round(hours, 2)


@pytest.mark.parametrize("hours", [0, -1, 24.01, 1.005, 0.001])
def test_hours_out_of_range_or_too_precise_are_refused(hours):
    with pytest.raises(InvalidInput) as caught:
        rules.hours_to_units(hours)
    assert caught.value.field == "hours"


def test_every_transaction_balances():
    credit = rules.credit_postings(7, "350502001001", "ticket", 250)
    assert sum(p.amount for p in credit) == 0
    assert {p.account_key for p in credit} == {"volunteer:7", "granted:350502001001:ticket"}
    debit = rules.debit_postings(7, "350502001001", 100, balance=250)
    assert sum(p.amount for p in debit) == 0
    assert [p for p in debit if p.account_key == "volunteer:7"][0].amount == -100
    with pytest.raises(ValueError):
        rules.balanced([rules.Posting("a", 1), rules.Posting("b", -2)])
    with pytest.raises(ValueError):
        rules.balanced([rules.Posting("a", 0), rules.Posting("b", 0)])


def test_a_debit_never_takes_the_balance_below_zero():
    rules.debit_postings(7, "350502001001", 250, balance=250)
    with pytest.raises(Conflict) as caught:
        rules.debit_postings(7, "350502001001", 251, balance=250)
    assert caught.value.field == "hours"


def test_a_reversal_mirrors_once_and_never_overdraws():
    credit = rules.credit_postings(7, "350502001001", "ticket", 300)
    mirror = rules.reversal_postings(credit, "volunteer:7", 300, False, "credit")
    assert [(p.account_key, p.amount) for p in mirror] == [
        (p.account_key, -p.amount) for p in credit]
    with pytest.raises(Conflict):  # the hours were redeemed meanwhile
        rules.reversal_postings(credit, "volunteer:7", 200, False, "credit")
    with pytest.raises(Conflict):
        rules.reversal_postings(credit, "volunteer:7", 300, True, "credit")
    with pytest.raises(Conflict):
        rules.reversal_postings(mirror, "volunteer:7", 0, False, "reversal")
    debit = rules.debit_postings(7, "350502001001", 100, balance=100)
    assert sum(p.amount for p in rules.reversal_postings(debit, "volunteer:7", 0, False, "debit")
               if p.account_key == "volunteer:7") == 100


def test_the_source_key_is_per_work_and_volunteer():
    assert rules.source_key("ticket", "T-1", 7) != rules.source_key("ticket", "T-1", 8)
    assert rules.source_key("ticket", "T-1", 7) != rules.source_key("patrol", "T-1", 7)


def test_the_hours_earned_contract():
    from shared.events.registry import InvalidEvent, make_envelope

    good = {"volunteer_id": 7, "hours": 2.5, "activity_date": "2026-11-20",
            "source_type": "ticket", "source_id": "T-1", "org_code": "350502001001"}
    make_envelope("tickets.volunteer_hours_earned", good, "350502001001", "tickets")
    make_envelope("security.volunteer_hours_earned", {**good, "source_type": "patrol"},
                  "350502001001", "security")
    for change in [{"hours": 0}, {"hours": 24.5}, {"hours": "2"}, {"hours": 1.234},
                   {"source_type": "patrol"}, {"volunteer_id": "7"}, {"activity_date": "soon"},
                   {"source_id": ""}, {"org_code": "x"}]:
        with pytest.raises(InvalidEvent):
            make_envelope("tickets.volunteer_hours_earned", {**good, **change}, "350502", "t")
