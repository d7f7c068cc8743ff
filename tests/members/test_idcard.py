"""GB 11643-1999 ID numbers: check character, birth date, gender, region, legacy numbers."""

from datetime import date

import pytest

from core.members.idcard import IdNumberError, parse_id_number
from tests.members.helpers import check_character, make_id_number


def test_published_example_is_valid():
    # The standard's own example number (a woman born 31 December 1949, in Beijing).
    parsed = parse_id_number("11010519491231002X")
    assert parsed.normalized == "11010519491231002X"
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.gender == "female"
    assert parsed.region_code == "110105"


@pytest.mark.parametrize("gender", ["male", "female"])
@pytest.mark.parametrize("birth", [date(1900, 1, 1), date(1960, 2, 29), date(2000, 12, 31)])
def test_generated_numbers_parse_with_their_birth_date_and_gender(birth, gender):
    for sequence in range(0, 500, 37):
        number = make_id_number(birth, gender, region="440305", sequence=sequence)
        parsed = parse_id_number(number)
        assert (parsed.normalized, parsed.birth_date, parsed.gender) == (number, birth, gender)


def test_lower_case_x_and_separators_are_normalised():
    parsed = parse_id_number(" 110105 19491231 002x ")
    assert parsed.normalized == "11010519491231002X"


def test_every_check_character_occurs_and_only_it_is_accepted():
    seen = set()
    for sequence in range(500):
        number = make_id_number(date(1985, 7, 1), sequence=sequence)
        seen.add(number[-1])
        for wrong in "0123456789X":
            if wrong != number[-1]:
                with pytest.raises(IdNumberError, match=f"expected {number[-1]}, found {wrong}"):
                    parse_id_number(number[:17] + wrong)
                break
    assert seen == set("0123456789X")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("32010219900230", "impossible birth date 19900230"),
        ("32010219901301", "impossible birth date 19901301"),
        ("32010218991231", "before 1900"),
        ("32010230000101", "in the future"),
    ],
)
def test_impossible_birth_dates_are_refused(body, reason):
    first17 = body + "123"
    with pytest.raises(IdNumberError, match=reason):
        parse_id_number(first17 + check_character(first17))


def test_future_is_relative_to_today():
    number = make_id_number(date(2020, 5, 1))
    with pytest.raises(IdNumberError, match="future"):
        parse_id_number(number, today=date(2020, 4, 30))
    assert parse_id_number(number, today=date(2020, 5, 1)).birth_date == date(2020, 5, 1)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "missing"),
        (None, "missing"),
        ("3201021990030712", "18 characters, not 16"),
        ("3201021990030712345", "18 characters, not 19"),
        ("320102199003071", "15-digit"),
        ("32010219900307A234", "17 digits followed by a digit or X"),
        ("3201021990030712X4", "17 digits followed by a digit or X"),
        ("99010219900307123X", "unknown province code 99"),
    ],
)
def test_malformed_numbers_say_why(raw, reason):
    with pytest.raises(IdNumberError, match=reason):
        parse_id_number(raw)
