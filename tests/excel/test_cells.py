"""Reading single cells: dates in their spellings, flags, and ID numbers Excel has mangled."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from core.excel import cells
from core.excel.columns import column_for, normalize_header


@pytest.mark.parametrize("raw", [
    "2001-07-01", "2001.07.01", "2001/7/1", "2001.7.1", "2001年7月1日", "2001-07-01 00:00:00",
    " 2001 - 07 - 01 ", "20010701", 20010701, datetime(2001, 7, 1, 0, 0), date(2001, 7, 1),
    37073,  # the Excel serial of 2001-07-01 (a date column whose format was lost)
])
def test_dates_in_every_spelling(raw):
    assert cells.parse_date(raw) == date(2001, 7, 1)


@pytest.mark.parametrize("raw", ["2001-13-01", "2001-02-30", "07/01/2001", "2001.7", "昨天", 2001, 1.5, True])
def test_what_is_not_a_date(raw):
    with pytest.raises(cells.CellError):
        cells.parse_date(raw)


def test_blank_cells_are_none():
    for read in (cells.parse_date, cells.text, cells.flag, cells.id_number, cells.phone):
        assert read(None) is None
        assert read("  ") is None


def test_flags():
    for raw in ("是", "Y", "y", "TRUE", "1", 1, True, "√"):
        assert cells.flag(raw) is True
    for raw in ("否", "N", "false", "0", 0, False):
        assert cells.flag(raw) is False
    with pytest.raises(cells.CellError):
        cells.flag("也许")


def test_id_number_text_is_kept_and_numbers_that_lost_digits_are_refused():
    assert cells.id_number(" 11010519491231002X ") == "11010519491231002X"
    # What Excel stores after someone typed an 18-digit number into a number cell.
    with pytest.raises(cells.CellError) as exc:
        cells.id_number(110105194912310000)
    assert "15 digits" in exc.value.reason
    with pytest.raises(cells.CellError):
        cells.id_number(1.10105194912310e17)
    assert cells.id_number(110105491231002) == "110105491231002"  # 15 digits survive


def test_numbers_read_as_text_without_a_decimal_point():
    assert cells.text(13812345678.0) == "13812345678"
    assert cells.phone(13812345678) == "13812345678"
    with pytest.raises(cells.CellError):
        cells.text("x" * 51, max_length=50)


def test_headers_match_loosely_but_not_vaguely():
    assert normalize_header(" 公民身份\n号码* ") == "公民身份号码"
    assert column_for("身份证号码").field == "id_number"
    assert column_for("人员类别／工作岗位").field == "job"
    assert column_for("籍贯") is None
