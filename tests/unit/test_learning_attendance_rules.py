"""Attendance rules: weights and the weighted rate, the threshold (inclusive), signing in,
certificate numbers and their check character, masking a holder's name."""
from datetime import datetime, timedelta, timezone
from itertools import product

import pytest

from services.learning.domain import attendance as rules
from shared.errors import Conflict, InvalidInput
from shared.personal_data import mask_name

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


# --- weights and rate -------------------------------------------------------------------------

def test_the_default_weights_apply_where_a_course_sets_none():
    assert rules.attendance_rate(["present", "late", "excused", "absent"], 4, {}) == \
        pytest.approx((1 + 0.75 + 0.5 + 0) / 4)
    assert rules.attendance_rate(["excused"] * 2, 2, {"late": 1.0}) == 0.5


def test_the_rate_counts_every_non_cancelled_session_not_only_those_held():
    # two of four sessions attended: half, however well they were attended
    assert rules.attendance_rate(["present", "present"], 4) == 0.5
    assert rules.attendance_rate(["present", "late", "excused", "absent"], 4) == pytest.approx(
        (1 + 0.75 + 0.5 + 0) / 4)
    assert rules.attendance_rate([], 4) == 0.0


def test_a_course_with_no_sessions_completes_nobody():
    assert rules.attendance_rate([], 0) == 0.0
    assert not rules.completes("enrolled", rules.attendance_rate([], 0), 0.75)


def test_a_course_may_weigh_late_as_present():
    assert rules.attendance_rate(["late"] * 4, 4, {"late": 1.0}) == 1.0
    assert rules.attendance_rate(["late"] * 4, 4) == 0.75


def test_exactly_the_threshold_completes_and_a_hair_below_does_not():
    rate = rules.attendance_rate(["present", "present", "present", "absent"], 4)
    assert rate == 0.75
    assert rules.meets_threshold(rate, 0.75)
    assert rules.completes("enrolled", rate, 0.75)
    below = rules.attendance_rate(["present", "present", "late", "absent"], 4)
    assert below == pytest.approx(0.6875)
    assert not rules.completes("enrolled", below, 0.75)
    # four lates are exactly 75% too
    assert rules.completes("enrolled", rules.attendance_rate(["late"] * 4, 4), 0.75)


def test_float_weights_that_add_up_to_the_threshold_meet_it():
    rate = rules.attendance_rate(["late", "late", "late"], 3, {"late": 0.1})
    assert rules.meets_threshold(rate, 0.1)
    assert rules.meets_threshold(rules.attendance_rate(["present"] * 3 + ["absent"] * 7, 10), 0.3)


def test_no_threshold_means_the_default_of_75_percent():
    assert rules.meets_threshold(0.75, None)
    assert not rules.meets_threshold(0.74, None)


def test_completion_happens_once_and_only_from_a_seat():
    assert not rules.completes("completed", 1.0, 0.75)
    for status in ("waitlisted", "offered", "withdrawn", "expired"):
        assert not rules.completes(status, 1.0, 0.75)


def test_counts_name_every_status():
    assert rules.status_counts(["present", "late", "present"]) == {
        "present": 2, "late": 1, "excused": 0, "absent": 0}


# --- signing in ---------------------------------------------------------------------------------

def test_sign_in_opens_an_hour_before_the_session_and_stays_open():
    rules.check_sign_in("scheduled", NOW + timedelta(minutes=60), NOW)
    rules.check_sign_in("scheduled", NOW - timedelta(days=30), NOW)
    rules.check_sign_in("held", NOW - timedelta(hours=2), NOW)
    with pytest.raises(Conflict) as refused:
        rules.check_sign_in("scheduled", NOW + timedelta(minutes=61), NOW)
    assert refused.value.field == "session"


def test_a_cancelled_session_or_course_takes_no_attendance():
    with pytest.raises(Conflict) as refused:
        rules.check_sign_in("cancelled", NOW - timedelta(hours=1), NOW)
    assert refused.value.field == "session"
    with pytest.raises(Conflict) as refused:
        rules.check_sign_in("held", NOW - timedelta(hours=1), NOW, course_status="cancelled")
    assert refused.value.field == "course"


def test_a_sheet_has_at_most_a_row_per_seat():
    rules.check_sheet_size(20, 20)
    with pytest.raises(InvalidInput) as refused:
        rules.check_sheet_size(21, 20)
    assert refused.value.field == "records"


def test_a_resident_appears_once_on_a_sheet():
    rules.check_unique_rows([("enrolment_id", 1), ("resident_id", 2)])
    with pytest.raises(InvalidInput) as refused:
        rules.check_unique_rows([("enrolment_id", 1), ("enrolment_id", 2), ("resident_id", 1)])
    assert refused.value.field == "records.2.resident_id"
    assert "records.0" in refused.value.detail


# --- certificate numbers -----------------------------------------------------------------------

def test_a_certificate_number_reads_district_year_sequence_check():
    number = rules.certificate_number("350502001001", 2026, 123)
    assert number.startswith("LX-350502-2026-000123-")
    assert len(number.rsplit("-", 1)[1]) == 1
    assert rules.malformed_reason(number) is None
    assert rules.malformed_reason(number.lower()) is None  # read aloud, typed in lower case
    assert rules.malformed_reason(f"  {number} ") is None
    assert rules.normalise_number(f" {number.lower()}") == number


def test_long_sequences_keep_every_digit():
    number = rules.certificate_number("350502", 2027, 12345678)
    assert number.startswith("LX-350502-2027-12345678-")
    assert rules.malformed_reason(number) is None


def test_the_check_character_is_luhn_mod_32():
    assert rules.check_character("0") == "0"
    assert rules.check_character("1") == rules.CHECK_ALPHABET[-2 % 32]
    assert rules.check_character("91") == rules.CHECK_ALPHABET[-(1 * 2 + 9) % 32]
    with pytest.raises(ValueError):
        rules.check_character("12a")


def _body(number):
    return number[:-2].replace("LX-", "").replace("-", "")


def test_every_single_mistyped_digit_is_caught():
    number = rules.certificate_number("350502", 2026, 123)
    positions = [i for i, char in enumerate(number[:-2]) if char.isdigit()]
    for position, digit in product(positions, "0123456789"):
        if number[position] == digit:
            continue
        typo = number[:position] + digit + number[position + 1:]
        assert rules.malformed_reason(typo) is not None, typo


def test_every_swap_of_neighbouring_digits_is_caught():
    for sequence in (123, 908172, 555001):
        number = rules.certificate_number("350502", 2026, sequence)
        for position in range(len(number) - 3):
            a, b = number[position], number[position + 1]
            if a.isdigit() and b.isdigit() and a != b:
                swapped = number[:position] + b + a + number[position + 2:]
                assert rules.malformed_reason(swapped) is not None, swapped


def test_a_wrong_check_character_is_caught():
    number = rules.certificate_number("350502", 2026, 123)
    for char in rules.CHECK_ALPHABET:
        if char != number[-1]:
            assert "check character" in rules.malformed_reason(number[:-1] + char)


@pytest.mark.parametrize("text", [
    "", "LX", "LX-350502-2026-000123", "LX-35050-2026-000123-K", "LX-350502-26-000123-K",
    "LX-350502-2026-00123-K", "XX-350502-2026-000123-K", "LX-350502-2026-000123-KK",
    "LX-350502-2026-000123-!", "LX-３５０５０２-2026-000123-K", "x" * 500, "LX-350502-2026-000123-K/..",
])
def test_anything_else_is_not_a_number(text):
    assert rules.malformed_reason(text) is not None


def test_a_non_string_is_not_a_number():
    assert rules.malformed_reason(None) is not None
    assert rules.malformed_reason(123) is not None


# --- masking -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, shown", [
    ("张三明", "张*明"), ("王五", "王*"), ("欧阳娜娜", "欧**娜"), ("司马相如然", "司***然"),
    ("李", "*"), ("John Smith", "J*** S****"), ("  张三明 ", "张*明"), ("", ""),
])
def test_a_holders_name_is_masked(name, shown):
    assert mask_name(name) == shown


def test_a_masked_name_never_shows_a_middle_character():
    masked = mask_name("张三明")
    assert "三" not in masked and len(masked) == 3


def test_a_certificate_is_dated_in_china():
    assert rules.local_date(datetime(2026, 12, 31, 17, 0, tzinfo=timezone.utc)).isoformat() == \
        "2027-01-01"
    assert rules.local_date(datetime(2026, 12, 31, 15, 59, tzinfo=timezone.utc)).isoformat() == \
        "2026-12-31"
