"""The member sheet's columns: one list the template, the importer and the exporter share.

The headers are those of the national collection (党组织和党员基本信息采集, 16 member items)
plus what the register keeps besides (work unit, flags, the mobile member's departure date).
An export carries exactly these headers, so it can be imported again.

Each column names the record field it fills (``field``) and how its cell is read
(``kind``); two columns fill no field directly: 所在党支部 / 所在党支部编码 (resolved to an
organisation) and 是否失联 / 是否流动党员 (they set the status).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from core.members import labels

# How a cell is read (core.excel.cells) and, for exports, written.
TEXT, DATE, FLAG, ID_NUMBER, PHONE, CHOICE = "text", "date", "flag", "id_number", "phone", "choice"


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str = TEXT
    required: bool = False  # the header must be present, and the cell filled
    width: int = 12
    note: str = ""  # shown as the header cell's comment in the template
    vocabulary: labels.Vocabulary | None = None
    max_length: int | None = None


ORG = "org"  # 所在党支部: an organisation code or its full name
ORG_CODE = "org_code"  # 所在党支部编码: the code only
LOST = "is_lost_contact"
MOBILE = "is_mobile"

MEMBER_COLUMNS: tuple[Column, ...] = (
    Column("姓名", "name", required=True, width=10, max_length=50),
    Column("性别", "gender", CHOICE, width=6, vocabulary=labels.GENDER,
           note="男 / 女；留空则按公民身份号码判断"),
    Column("公民身份号码", "id_number", ID_NUMBER, required=True, width=22,
           note="18位号码，请以文本格式填写：数字格式的单元格只保留前15位，后三位会变成0"),
    Column("民族", "ethnicity", required=True, width=8, note="如 汉族、蒙古族、回族"),
    Column("出生日期", "birth_date", DATE, width=12,
           note="YYYY-MM-DD；留空则按公民身份号码填写，填写时须与号码一致"),
    Column("学历", "education", CHOICE, width=12, vocabulary=labels.EDUCATION),
    Column("人员类别/工作岗位", "job", width=16, max_length=100),
    Column("入党日期", "joined_on", DATE, required=True, width=12, note="YYYY-MM-DD（成为预备党员之日）"),
    Column("转正日期", "full_on", DATE, width=12, note="YYYY-MM-DD；正式党员必填，预备党员留空"),
    Column("所在党支部", ORG, width=24,
           note="党组织编码或全称（先按编码匹配，再按全称匹配；全称重名时请填编码）"),
    Column("所在党支部编码", ORG_CODE, width=14, note="可选；填写时以编码为准"),
    Column("联系电话", "phone", PHONE, width=14, note="手机号或带区号的固定电话"),
    Column("家庭住址", "address", width=30, max_length=200),
    Column("党籍状态", "status", CHOICE, width=10, vocabulary=labels.STATUS,
           note="留空时：有转正日期为正式党员，否则为预备党员"),
    Column("是否失联", LOST, FLAG, width=8, note="是 / 否；失联党员须填写失联日期和失联原因"),
    Column("失联日期", "lost_contact_since", DATE, width=12),
    Column("失联原因", "lost_contact_reason", CHOICE, width=16, vocabulary=labels.LOST_CONTACT_REASON),
    Column("是否流动党员", MOBILE, FLAG, width=8, note="是 / 否；流动党员须填写外出日期和外出流向"),
    Column("外出日期", "mobile_since", DATE, width=12),
    Column("外出流向", "mobile_destination", width=20, max_length=200),
    Column("工作单位", "work_unit", width=24, max_length=200),
    Column("是否离退休", "is_retired", FLAG, width=8),
    Column("是否农民", "is_farmer", FLAG, width=8),
    Column("是否学生", "is_student", FLAG, width=8),
    Column("是否无业", "is_unemployed", FLAG, width=8),
    Column("是否到社区报到", "community_registered", FLAG, width=8, note="在职党员到社区报到"),
)

BY_HEADER = {c.header: c for c in MEMBER_COLUMNS}
BY_FIELD = {c.field: c for c in MEMBER_COLUMNS}
# Spellings of a header seen in departments' sheets, mapped to ours.
HEADER_ALIASES = {
    "公民身份证号码": "公民身份号码",
    "身份证号码": "公民身份号码",
    "身份证号": "公民身份号码",
    "人员类别": "人员类别/工作岗位",
    "工作岗位": "人员类别/工作岗位",
    "所在党组织": "所在党支部",
    "所在党组织编码": "所在党支部编码",
    "党组织编码": "所在党支部编码",
    "联系方式": "联系电话",
    "手机号码": "联系电话",
    "文化程度": "学历",
    "流动党员外出流向": "外出流向",
    "失联党员失联日期": "失联日期",
}
# Columns a sheet may carry that mean nothing to the register (a running number, notes).
IGNORED_HEADERS = frozenset({"序号", "备注"})

_HEADER_NOISE = re.compile(r"[\s\u3000*＊]")


def normalize_header(raw) -> str:
    """A header cell as compared: without spaces, line breaks, required-marks (``*``) and
    invisible characters (a byte-order mark or zero-width space copied in with it);
    full-width letters, slashes and brackets as ASCII (NFKC)."""
    text = "".join(ch for ch in str(raw) if unicodedata.category(ch) != "Cf")
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", text))


def column_for(header) -> Column | None:
    name = normalize_header(header)
    return BY_HEADER.get(HEADER_ALIASES.get(name, name))


def required_headers() -> list[str]:
    """Headers a sheet must have. 所在党支部 may be replaced by 所在党支部编码."""
    return [c.header for c in MEMBER_COLUMNS if c.required]


# The organisations sheet of an export (not imported back: organisations are kept in the app).
ORG_EXPORT_HEADERS = (
    "党组织编码",
    "党组织全称",
    "组织类别",
    "所属领域",
    "上级党组织编码",
    "上级党组织全称",
    "层级",
    "党员人数",
)
