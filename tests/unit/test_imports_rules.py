"""Bulk import rules: files read into numbered rows, whole-file refusals, progress."""
import pytest

from services.membership.domain import imports as rules
from shared.errors import InvalidInput


def test_a_csv_with_a_bom_becomes_numbered_rows():
    text = ("\ufeffname,id_number,address,grid_code,phone\r\n"
            "张三, 350502 ,中山路1号,350502001001001,\r\n"
            "\r\n"
            '"李,四",x,"多行\n地址",350502001001001,139\r\n'
            "王五,y\r\n")
    rows = rules.parse("csv", text)
    assert rows[0] == {"line": 2, "values": {"name": "张三", "id_number": "350502",
                                             "address": "中山路1号",
                                             "grid_code": "350502001001001"}}
    assert rows[1]["line"] == 4 and rows[1]["values"]["name"] == "李,四"
    assert rows[2]["line"] == 6 and rows[2]["field"] == "line"


@pytest.mark.parametrize("text", [
    "", "\ufeff", "name,shoe_size\nx,1\n", "name,name,id_number,address,grid_code\n",
    "name,address\nx,y\n", "name,id_number,address,grid_code\n",
])
def test_unreadable_csv_files_are_refused_whole(text):
    with pytest.raises(InvalidInput) as refused:
        rules.parse("csv", text)
    assert refused.value.field == "body"


def test_json_lines_report_bad_lines_and_unknown_fields():
    rows = rules.parse("jsonl", '{"name": "张三"}\n\n[1]\nnope\n{"name": "x", "shoe": 1}\n')
    assert rows[0] == {"line": 1, "values": {"name": "张三"}}
    assert [(r["line"], r["field"]) for r in rows[1:]] == [(3, "line"), (4, "line"),
                                                           (5, "shoe")]
    with pytest.raises(InvalidInput):
        rules.parse("jsonl", "\n\n")


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(rules, "MAX_ROWS", 2)
    with pytest.raises(InvalidInput):
        rules.parse("jsonl", "{}\n{}\n{}\n")


def test_progress_and_reasons():
    assert rules.progress(0, 0) == 100.0
    assert rules.progress(3, 1) == 33.3
    assert rules.reason_of("name: must not be blank", "name") == "must not be blank"
    assert rules.reason_of("something else", None) == "something else"
