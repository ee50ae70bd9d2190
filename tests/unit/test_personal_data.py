"""ID numbers: the ISO 7064 MOD 11-2 check digit, the embedded birth date, masking, keyed
hashing and sealing; phone numbers checked and masked."""
from datetime import date

import pytest

from shared.errors import InvalidInput
from shared.personal_data import (
    PersonalData,
    check_digit,
    check_phone,
    mask_id_number,
    mask_phone,
    parse_id_number,
)


def make_id(area="350502", born="19800101", seq="123"):
    first17 = area + born + seq
    return first17 + check_digit(first17)


def test_the_check_digit_of_known_numbers():
    # the national standard's example, and one ending in X
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44052418800101001") == "4"
    assert parse_id_number("11010519491231002x").value == "11010519491231002X"


def test_a_valid_number_says_birth_date_and_gender():
    man = parse_id_number(make_id(born="19800229", seq="123"))
    assert man.birth_date == date(1980, 2, 29) and man.gender == "male"
    woman = parse_id_number(make_id(born="20010915", seq="124"))
    assert woman.birth_date == date(2001, 9, 15) and woman.gender == "female"
    assert parse_id_number("  " + make_id() + " ").value == make_id()


@pytest.mark.parametrize("bad", [
    "", "123", make_id()[:17], make_id() + "1", "35050219800101123A", "3505021980010112 3",
    make_id(born="19810229"),          # no 29 February in 1981
    make_id(born="19801301"),          # month 13
    make_id(born="18000101"),          # too long ago
    make_id(born="29990101"),          # not born yet
    make_id()[:17] + ("0" if make_id()[17] != "0" else "1"),  # wrong check digit
    "１２３４５６７８９０１２３４５６７８",   # full-width digits
])
def test_an_invalid_number_is_refused_naming_the_field_without_repeating_it(bad):
    with pytest.raises(InvalidInput) as refused:
        parse_id_number(bad)
    assert refused.value.field == "id_number"
    if len(bad) > 8:
        assert bad.strip() not in str(refused.value)


def test_a_non_string_is_refused():
    with pytest.raises(InvalidInput):
        parse_id_number(350502198001011234)


def test_masks():
    assert mask_id_number("350502198001011234") == "3505**********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0595-22881234") == "0595-****1234"
    assert mask_phone(None) is None
    assert repr(parse_id_number(make_id())) == f"IdNumber({mask_id_number(make_id())})"
    assert make_id() not in str(parse_id_number(make_id()))


def test_phones_are_checked():
    assert check_phone("138 1234 5678") == "13812345678"
    assert check_phone("0595-22881234") == "0595-22881234"
    for bad in ("12345", "23812345678", "phone", "1381234567x"):
        with pytest.raises(InvalidInput) as refused:
            check_phone(bad)
        assert refused.value.field == "phone"


def test_hashes_are_keyed_and_stable_and_seals_open_only_with_their_key():
    number = make_id()
    one, other = PersonalData("a" * 32), PersonalData("b" * 32)
    assert one.id_hash(number) == one.id_hash(parse_id_number(number))
    assert one.id_hash(number) != other.id_hash(number)
    assert number not in one.id_hash(number)
    sealed = one.seal(number)
    assert number not in sealed and sealed != one.seal(number)  # a fresh nonce each time
    assert one.unseal(sealed) == number
    with pytest.raises(ValueError):
        other.unseal(sealed)
    with pytest.raises(ValueError):
        one.unseal(sealed[:-4] + "AAAA")
    assert "a" * 32 not in repr(one)
    with pytest.raises(ValueError):
        PersonalData("short")
