"""The member record's rules (one schema for the API and the import), labels, masking and
pinyin initials — pure functions, no database."""

import uuid
from datetime import date, datetime, timedelta

import pytest
from marshmallow import ValidationError

from core.members import labels
from core.members.ethnicities import ETHNICITIES
from core.members.masking import mask_address, mask_id_number, mask_phone, mask_values
from core.members.pinyin import initials_for_names, name_initials
from core.members.validation import (
    PATCHABLE_FIELDS,
    MemberImportSchema,
    MemberInputSchema,
    MemberPatchSchema,
    add_years,
    check_record,
)
from tests.members.helpers import make_id_number, member_data

ORG = uuid.uuid4()


def errors_of(data, schema=None) -> dict:
    with pytest.raises(ValidationError) as caught:
        (schema or MemberInputSchema()).load(data)
    return caught.value.messages


def test_a_valid_record_loads_normalised():
    number = make_id_number(date(1990, 3, 7), "female")
    loaded = MemberInputSchema().load(
        member_data(ORG, id_number=number.lower(), name=" 王 芳 ", phone="+86 138 1234 5678")
    )
    assert loaded["id_number"] == number.upper()
    assert loaded["name"] == "王芳"
    assert loaded["phone"] == "13812345678"
    assert loaded["org_id"] == ORG
    assert loaded["joined_on"] == date(2015, 6, 1)


def test_birth_date_and_gender_are_read_from_the_id_number_when_left_out():
    number = make_id_number(date(1988, 8, 8), "female")
    loaded = MemberInputSchema().load(member_data(ORG, id_number=number))
    assert (loaded["birth_date"], loaded["gender"]) == (date(1988, 8, 8), "female")


def test_birth_date_and_gender_must_agree_with_the_id_number():
    number = make_id_number(date(1990, 3, 7), "male")
    assert set(errors_of(member_data(ORG, id_number=number, birth_date="1990-03-08"))) == {"birth_date"}
    assert set(errors_of(member_data(ORG, id_number=number, gender="female"))) == {"gender"}
    both = errors_of(member_data(ORG, id_number=number, gender="female", birth_date="1991-03-07"))
    assert set(both) == {"birth_date", "gender"}
    assert "1990-03-07" in both["birth_date"][0]


def test_a_bad_id_number_names_the_field_and_the_reason():
    number = make_id_number()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    messages = errors_of(member_data(ORG, id_number=wrong))
    assert list(messages) == ["id_number"]
    assert f"expected {number[17]}" in messages["id_number"][0]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "张3"}, "name"),
        ({"name": "张" * 51}, "name"),
        ({"ethnicity": "火星族"}, "ethnicity"),
        ({"gender": "男"}, "gender"),  # labels only through the import schema
        ({"phone": "12345"}, "phone"),
        ({"phone": "010-12345678"}, "phone"),  # numbers never start with 1
        ({"address": "路" * 201}, "address"),
        ({"education": "phd"}, "education"),
        ({"status": "retired"}, "status"),
        ({"joined_on": "2015-13-01"}, "joined_on"),
        ({"joined_on": (date.today() + timedelta(days=1)).isoformat()}, "joined_on"),
        ({"org_id": "nope"}, "org_id"),
        ({"lost_contact_reason": "bored"}, "lost_contact_reason"),
        ({"is_farmer": "maybe"}, "is_farmer"),
    ],
)
def test_field_errors_name_the_field(overrides, field):
    assert field in errors_of(member_data(ORG) | overrides)


@pytest.mark.parametrize("missing", ["org_id", "name", "ethnicity", "id_number", "joined_on"])
def test_required_fields(missing):
    data = member_data(ORG)
    del data[missing]
    assert missing in errors_of(data)


def test_a_member_joins_at_eighteen_or_older():
    birth = date(1990, 3, 7)
    number = make_id_number(birth)
    young = errors_of(member_data(ORG, id_number=number, joined_on="2008-03-06", full_on=None, status=None))
    assert set(young) == {"joined_on"} and "2008-03-07" in young["joined_on"][0]
    loaded = MemberInputSchema().load(
        member_data(ORG, id_number=number, joined_on="2008-03-07", full_on=None, status=None)
    )
    assert loaded["status"] == "probationary"
    assert add_years(date(2000, 2, 29), 18) == date(2018, 3, 1)


def test_full_on_rules():
    assert set(errors_of(member_data(ORG, full_on=None))) == {"full_on"}  # full needs full_on
    assert set(errors_of(member_data(ORG, full_on="2015-05-31"))) == {"full_on"}  # before joining
    assert set(errors_of(member_data(ORG, status="probationary"))) == {"full_on"}
    # Any date on or after joining is accepted (old records hold other probation periods).
    assert MemberInputSchema().load(member_data(ORG, full_on="2015-06-01"))["status"] == "full"
    assert MemberInputSchema().load(member_data(ORG, status=None))["status"] == "full"


def test_lost_contact_and_mobile_fields_go_with_their_status():
    lost = member_data(ORG, status="lost_contact")
    assert set(errors_of(lost)) == {"lost_contact_since", "lost_contact_reason"}
    lost |= {"lost_contact_since": "2020-01-01", "lost_contact_reason": "migrant_work"}
    assert MemberInputSchema().load(lost)["lost_contact_reason"] == "migrant_work"
    assert set(errors_of(member_data(ORG, status="mobile", mobile_since="2020-01-01"))) == {
        "mobile_destination"
    }
    assert set(errors_of(member_data(ORG, mobile_destination="上海"))) == {"mobile_destination"}
    early = member_data(ORG, status="mobile", mobile_since="2010-01-01", mobile_destination="上海")
    assert set(errors_of(early)) == {"mobile_since"}


def test_import_schema_reads_chinese_labels_and_sheet_cells():
    number = make_id_number(date(1975, 10, 1), "female")
    row = {
        "org_id": str(ORG), "name": "阿依古丽 · 买买提", "gender": "女", "ethnicity": "维吾尔",
        "id_number": number, "education": "大专", "status": "正式党员",
        "joined_on": datetime(2001, 7, 1, 0, 0), "full_on": "2002年7月1日",
        "phone": 13912345678, "address": "  ", "is_retired": "是", "is_farmer": "否",
        "job": "",
    }
    loaded = MemberImportSchema().load(row)
    assert loaded["name"] == "阿依古丽·买买提"
    assert (loaded["gender"], loaded["ethnicity"], loaded["education"], loaded["status"]) == (
        "female", "维吾尔族", "college", "full"
    )
    assert (loaded["joined_on"], loaded["full_on"]) == (date(2001, 7, 1), date(2002, 7, 1))
    assert (loaded["phone"], loaded["address"], loaded["job"]) == ("13912345678", None, None)
    assert (loaded["is_retired"], loaded["is_farmer"]) == (True, False)
    bad = errors_of(row | {"gender": "未知", "education": "幼儿园"}, MemberImportSchema())
    assert set(bad) == {"gender", "education"}


def test_labels_round_trip_every_code():
    for vocabulary in labels.VOCABULARIES.values():
        for code, label in vocabulary.labels.items():
            assert vocabulary.code(label) == code and vocabulary.label(code) == label
    assert labels.labels_from_codes({"status": "mobile", "is_student": True}) == {
        "status": "流动党员", "is_student": "是"
    }
    assert len(ETHNICITIES) == len(set(ETHNICITIES)) == 56


def test_patch_schema_takes_any_subset_with_a_version():
    schema = MemberPatchSchema(partial=PATCHABLE_FIELDS)
    assert schema.load({"version": 3, "job": "教师"}) == {"version": 3, "job": "教师"}
    with pytest.raises(ValidationError) as caught:
        schema.load({"job": "教师"})
    assert "version" in caught.value.messages
    with pytest.raises(ValidationError) as caught:
        schema.load({"version": 1, "status": "full"})  # status changes through its own action
    assert "status" in caught.value.messages


def test_check_record_on_a_merged_record():
    record = MemberInputSchema().load(member_data(ORG))
    assert check_record(record) == {}
    assert set(check_record(record | {"full_on": None})) == {"full_on"}


def test_masking():
    assert mask_id_number("320102199003071234") == "320102********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("025-83001234-12") == "025-****1234"
    assert mask_address("江苏省南京市玄武区北京东路41号") == "江苏省南京市…"
    assert mask_address("南京") == "南…"
    assert mask_values({"name": "张三", "phone": None, "id_number": "11010519491231002X"}) == {
        "name": "张三", "phone": None, "id_number": "110105********002X"
    }


@pytest.mark.parametrize(
    ("name", "initials"),
    [
        ("张三", "zs"),
        ("欧阳修文", "oyxw"),
        ("曾国藩", "zgf"),  # surname reading, not 曾 céng
        ("单雄信", "sxx"),
        ("阿依古丽·买买提", "ayglmmt"),
        ("John Smith", "johnsmith"),
        ("李A四", "las"),
    ],
)
def test_pinyin_initials(name, initials):
    assert name_initials(name) == initials


def test_initials_for_many_names():
    assert initials_for_names(["张三", "李四", "张三"]) == {"张三": "zs", "李四": "ls"}
