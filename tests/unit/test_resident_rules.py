"""Resident rules: who keeps which flags, who sees the restricted ones, age bands, identity."""
from datetime import date

import pytest

from services.membership.domain import residents as rules
from shared.context import CallerContext
from shared.errors import Forbidden, InvalidInput, NotAuthenticated
from shared.personal_data import parse_id_number
from tests.unit.test_personal_data import make_id


def caller(role):
    return CallerContext("someone", (role,), "350502")


def test_restricted_flags_are_seen_and_kept_by_security_officers_only():
    security, worker = caller("security_officer"), caller("community_worker")
    assert rules.sees_restricted(security) and rules.sees_restricted(CallerContext.system())
    assert not rules.sees_restricted(worker) and not rules.sees_restricted(None)
    flags = ["disabled", "released_prisoner", "mental_illness", "veteran"]
    assert rules.visible_flags(worker, flags) == ["disabled", "veteran"]
    assert rules.visible_flags(security, flags) == flags
    for flag in rules.RESTRICTED_FLAGS:
        rules.require_flag_editor(security, flag)
        rules.require_flag_filter(security, flag)
        for role in ("community_worker", "street_admin", "district_admin", "auditor",
                     "integration"):
            with pytest.raises(Forbidden):
                rules.require_flag_editor(caller(role), flag)
            with pytest.raises(Forbidden):
                rules.require_flag_filter(caller(role), flag)
    rules.require_flag_editor(worker, "disabled")
    with pytest.raises(Forbidden):
        rules.require_flag_editor(caller("auditor"), "disabled")
    with pytest.raises(Forbidden):
        rules.require_flag_editor(security, "disabled")
    with pytest.raises(NotAuthenticated):
        rules.require_flag_editor(None, "mental_illness")
    with pytest.raises(InvalidInput):
        rules.require_flag_editor(worker, "vip")


@pytest.mark.parametrize("born,band", [
    (date(2008, 6, 16), "0-17"), (date(2008, 6, 15), "18-34"), (date(1991, 6, 16), "18-34"),
    (date(1991, 6, 15), "35-59"), (date(1966, 6, 15), "60-79"), (date(1946, 6, 16), "60-79"),
    (date(1946, 6, 15), "80+"), (date(1900, 1, 1), "80+"),
])
def test_age_bands_and_their_birth_date_ranges_agree(born, band):
    today = date(2026, 6, 15)
    assert rules.age_band_of(born, today) == band
    earliest, latest = rules.birth_dates_for_band(band, today)
    assert (earliest is None or earliest <= born) and born <= latest
    for other in rules.AGE_BANDS:
        if other != band:
            low, high = rules.birth_dates_for_band(other, today)
            assert not ((low is None or low <= born) and born <= high), other


def test_a_leap_day_birthday_is_banded():
    assert rules.birth_dates_for_band("18-34", date(2024, 2, 29))[1] == date(2006, 2, 28)
    with pytest.raises(InvalidInput):
        rules.birth_dates_for_band("90+", date(2024, 2, 29))


def test_birth_date_and_gender_must_agree_with_the_id_number():
    number = parse_id_number(make_id(born="19800101", seq="123"))
    rules.check_identity(number, date(1980, 1, 1), "male")
    rules.check_identity(number, None, None)
    with pytest.raises(InvalidInput) as wrong_date:
        rules.check_identity(number, date(1980, 1, 2), None)
    assert wrong_date.value.field == "birth_date"
    with pytest.raises(InvalidInput) as wrong_gender:
        rules.check_identity(number, None, "female")
    assert wrong_gender.value.field == "gender"


def test_moves():
    today = date(2026, 1, 1)
    rules.check_move("within", "350502001001001", "350502001001002", today, today)
    rules.check_move("out", "350502001001001", None, today, today)
    for kind, to, on, field in (("within", None, today, "to_grid_code"),
                                ("within", "350502001001001", today, "to_grid_code"),
                                ("out", "350502001001002", today, "to_grid_code"),
                                ("out", None, date(2026, 1, 2), "moved_on")):
        with pytest.raises(InvalidInput) as refused:
            rules.check_move(kind, "350502001001001", to, on, today)
        assert refused.value.field == field
