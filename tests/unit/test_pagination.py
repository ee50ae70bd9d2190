import pytest

from shared.errors import InvalidInput
from shared.pagination import decode_cursor, encode_cursor, page_of


def test_a_cursor_round_trips_and_a_forged_one_is_refused():
    assert decode_cursor(encode_cursor("350502001")) == "350502001"
    assert decode_cursor(None) is None
    with pytest.raises(InvalidInput) as refused:
        decode_cursor("!!not-a-cursor")
    assert refused.value.field == "cursor"


def test_a_page_has_a_cursor_only_when_there_is_more():
    rows = list(range(6))
    page = page_of(rows, 5, key=lambda r: r, render=str)
    assert page["items"] == ["0", "1", "2", "3", "4"]
    assert decode_cursor(page["next_cursor"]) == 4
    assert page_of(rows[:5], 5, key=lambda r: r, render=str)["next_cursor"] is None
