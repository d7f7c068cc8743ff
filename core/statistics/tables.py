"""The statistics tables: their keys and Chinese labels, and the reporting periods.

A figure is addressed by (table, row, column) so that the API, the export and a drill-down
all name the same cell; the SQL that fills a cell lives in :mod:`core.statistics.compute`.
Labels are kept here (not in the UI catalogs) because they are the wording of the standard
statistics layout the export reproduces, not interface text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from core.members.models import EDUCATION_LEVELS
from core.orgs.models import KINDS

PERIODS = {"annual": "年度", "half": "半年"}
TOTAL = "total"
UNKNOWN = "unknown"
# (key, label, lowest age in the band); the last band is open. The bands of core/orgs/stats.py.
AGE_BANDS = (
    ("30_and_under", "30岁及以下", 0),
    ("31_35", "31-35岁", 31),
    ("36_40", "36-40岁", 36),
    ("41_45", "41-45岁", 41),
    ("46_50", "46-50岁", 46),
    ("51_55", "51-55岁", 51),
    ("56_60", "56-60岁", 56),
    ("61_70", "61-70岁", 61),
    ("over_70", "71岁及以上", 71),
)
EDUCATION_LABELS = dict(
    zip(
        EDUCATION_LEVELS,
        ("研究生", "大学本科", "大学专科", "中专", "高中", "初中及以下"),
        strict=True,
    )
)
KIND_LABELS = {
    "committee": "党委",
    "general_branch": "党总支",
    "branch": "党支部",
    "joint_branch": "联合党支部",
    "group": "党小组",
}
CATEGORY_LABELS = {
    1: "国有企业",
    2: "非公有制企业",
    3: "农村",
    4: "党政机关",
    5: "学校",
    6: "其他事业单位",
    7: "街道社区",
    8: "社会组织",
    9: "其他",
}
# 减少党员 reasons. The register has one ``left`` status for all ways of leaving, so the
# words of the status change's reason tell them apart (see compute.LEAVE_WORDS).
LEAVE_REASONS = {
    "death": "死亡",
    "expelled": "开除党籍(出党)",
    "withdrew": "退党",
    "lapsed": "自行脱党",
    "removed": "除名",
    "other": "其他",
}
# 失联原因 of the national collection (core.members.models.LOST_CONTACT_REASONS).
LOST_CONTACT_LABELS = {
    "migrant_work": "外出务工经商",
    "restructuring": "单位改制或破产",
    "graduated_unknown": "毕业后去向不明",
    "job_changed": "工作单位改变",
    "abroad": "出国(境)",
    "moved": "居住地改变",
    "other": "其他",
}
MEMBER_ROWS = ((TOTAL, "党员总数"), ("full", "正式党员"), ("probationary", "预备党员"))


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    rows: tuple[tuple[str, str], ...]
    # Columns; None: found in the data (人员类别 is free text in the register).
    columns: tuple[tuple[str, str], ...] | None = field(default=None)
    # A plugin's table: ``spec(root, year, period)`` → :class:`core.statistics.compute.Spec`
    # (core's own tables are built in compute.spec).
    spec: Callable | None = field(default=None, compare=False)


TABLES = (
    Table(
        "gender", "党员性别情况", MEMBER_ROWS, ((TOTAL, "合计"), ("male", "男"), ("female", "女"))
    ),
    Table(
        "ethnicity",
        "党员民族情况",
        MEMBER_ROWS,
        ((TOTAL, "合计"), ("han", "汉族"), ("minority", "少数民族")),
    ),
    Table(
        "age",
        "党员年龄情况",
        MEMBER_ROWS,
        ((TOTAL, "合计"), *((key, label) for key, label, _ in AGE_BANDS)),
    ),
    Table(
        "education",
        "党员学历情况",
        MEMBER_ROWS,
        ((TOTAL, "合计"), *EDUCATION_LABELS.items(), (UNKNOWN, "未填写")),
    ),
    Table("job", "党员人员类别情况", MEMBER_ROWS, None),
    Table(
        "development",
        "发展党员和党员变动情况",
        ((TOTAL, "合计"),),
        (
            ("admitted", "发展党员"),
            ("converted", "预备党员转正"),
            ("lost_contact_new", "本期失联党员"),
            ("lost_contact", "期末失联党员"),
        ),
    ),
    Table(
        "lost_contact",
        "失联党员情况",
        ((TOTAL, "合计"),),
        ((TOTAL, "合计"), *LOST_CONTACT_LABELS.items(), (UNKNOWN, "未填写")),
    ),
    Table(
        "transfers",
        "党员组织关系转接情况",
        ((TOTAL, "合计"), ("external", "跨单位(介绍信)"), ("internal", "本单位内调整")),
        (("in", "转入"), ("out", "转出")),
    ),
    Table("leaving", "党员减少情况", ((TOTAL, "合计"),), ((TOTAL, "合计"), *LEAVE_REASONS.items())),
    Table(
        "organizations",
        "党组织情况",
        ((TOTAL, "合计"), *((k, KIND_LABELS[k]) for k in KINDS)),
        (
            (TOTAL, "合计"),
            *((str(c), f"{c}.{label}") for c, label in CATEGORY_LABELS.items()),
            (UNKNOWN, "未填写"),
        ),
    ),
    Table(
        "coverage",
        "非公有制企业和社会组织党组织覆盖情况",
        (("enterprise", "非公有制企业"), ("social_organisation", "社会组织")),
        (("units", "已登记单位数"), ("own_org", "单独建立党组织"), ("joint", "联合党支部覆盖")),
    ),
)
BY_KEY = {table.key: table for table in TABLES}


def period_bounds(year: int, period: str) -> tuple[date, date]:
    """First and last day of the period; the last is the reference date of every figure."""
    return date(year, 1, 1), date(year, 6, 30) if period == "half" else date(year, 12, 31)


def period_label(year: int, period: str) -> str:
    return f"{year}年度" if period == "annual" else f"{year}年上半年"
