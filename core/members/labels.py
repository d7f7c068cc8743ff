"""Chinese labels of the member register's code lists, in one place.

These are data vocabularies, not UI text: the Excel template's cells hold ``男``, ``大学本科``,
``正式党员`` because that is how departments keep their sheets, and the importer and the
exporter translate through here. Each vocabulary knows its standard label per code and the
variants people type (``本科``, ``大专``, ``退党``), so a sheet is read the way it was meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from core.members.ethnicities import canonical_ethnicity
from core.members.models import EDUCATION_LEVELS, GENDERS, LOST_CONTACT_REASONS, STATUSES


@dataclass(frozen=True)
class Vocabulary:
    """Codes with their standard Chinese label and accepted variants."""

    labels: dict[str, str]  # code → standard label
    aliases: dict[str, str] = field(default_factory=dict)  # variant → code

    def code(self, value) -> str | None:
        """The code for ``value`` (a code, a standard label or a variant), else None."""
        if not isinstance(value, str):
            return None
        value = value.strip()
        if value in self.labels:
            return value
        for code, label in self.labels.items():
            if label == value:
                return code
        return self.aliases.get(value)

    def label(self, code: str | None) -> str | None:
        return None if code is None else self.labels.get(code, code)


def _complete(labels: dict[str, str], codes: tuple[str, ...]) -> dict[str, str]:
    missing = set(codes) ^ set(labels)
    if missing:  # a code list changed without its labels: fail at import time, not in a sheet
        raise RuntimeError(f"labels and codes differ: {sorted(missing)}")
    return labels


GENDER = Vocabulary(_complete({"male": "男", "female": "女"}, GENDERS), {"男性": "male", "女性": "female"})

EDUCATION = Vocabulary(
    _complete(
        {
            "postgraduate": "研究生",
            "bachelor": "大学本科",
            "college": "大学专科",
            "secondary_vocational": "中专",
            "high_school": "高中",
            "junior_or_below": "初中及以下",
        },
        EDUCATION_LEVELS,
    ),
    {
        "博士研究生": "postgraduate", "硕士研究生": "postgraduate", "博士": "postgraduate",
        "硕士": "postgraduate", "研究生及以上": "postgraduate",
        "本科": "bachelor", "大学": "bachelor",
        "大专": "college", "专科": "college",
        "中等专科": "secondary_vocational", "中专/中技": "secondary_vocational",
        "中技": "secondary_vocational", "技工学校": "secondary_vocational", "职高": "secondary_vocational",
        "高中/中专": "high_school",
        "初中": "junior_or_below", "小学": "junior_or_below", "文盲": "junior_or_below",
        "初中及以下学历": "junior_or_below",
    },
)

STATUS = Vocabulary(
    _complete(
        {
            "probationary": "预备党员",
            "full": "正式党员",
            "mobile": "流动党员",
            "lost_contact": "失联党员",
            "transferred_out": "已转出",
            "deceased": "已去世",
            "left": "已出党",
        },
        STATUSES,
    ),
    {"预备": "probationary", "正式": "full", "流动": "mobile", "失联": "lost_contact",
     "转出": "transferred_out", "去世": "deceased", "死亡": "deceased", "出党": "left",
     "退党": "left"},
)

LOST_CONTACT_REASON = Vocabulary(
    _complete(
        {
            "migrant_work": "外出务工经商",
            "restructuring": "单位改制或破产",
            "graduated_unknown": "毕业后去向不明",
            "job_changed": "工作单位改变",
            "abroad": "出国(境)",
            "moved": "居住地改变",
            "other": "其他",
        },
        LOST_CONTACT_REASONS,
    ),
    {"外出务工": "migrant_work", "外出经商": "migrant_work", "出国（境）": "abroad",
     "出国": "abroad", "出境": "abroad", "单位改制": "restructuring", "单位破产": "restructuring",
     "其它": "other"},
)

YES_NO = {"是": True, "否": False, "Y": True, "N": False, "y": True, "n": False}
BOOL_LABELS = {True: "是", False: "否"}

# Member fields whose cells hold a vocabulary label.
VOCABULARIES = {
    "gender": GENDER,
    "education": EDUCATION,
    "status": STATUS,
    "lost_contact_reason": LOST_CONTACT_REASON,
}
FLAG_FIELDS = ("is_retired", "is_farmer", "is_student", "is_unemployed", "community_registered")
DATE_FIELDS = ("birth_date", "joined_on", "full_on", "lost_contact_since", "mobile_since")
# 2005-07-01, 2005/7/1, 2005.7.1, 2005年7月1日, 20050701
_SHEET_DATE = re.compile(r"^(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))$")


def sheet_date(value):
    """A date cell as a ``date``: datetimes lose their time, the usual written forms are
    read; anything else is returned unchanged (the schema then names the field)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        match = _SHEET_DATE.match(value.strip())
        if match:
            year, month, day, month2, day2 = match.groups()
            try:
                return date(int(year), int(month or month2), int(day or day2))
            except ValueError:
                return value
    return value


def codes_from_labels(values: dict) -> dict:
    """A copy of ``values`` (one sheet row, by field name) with labels turned into codes.

    Values that are not recognised are left as they are, so the schema rejects them naming
    the field; blank strings become None (an empty optional cell).
    """
    out = {}
    for key, value in values.items():
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                out[key] = None
                continue
        if key in VOCABULARIES:
            code = VOCABULARIES[key].code(value)
            out[key] = code if code is not None else value
        elif key == "ethnicity":
            out[key] = canonical_ethnicity(value) or value
        elif key in FLAG_FIELDS and isinstance(value, str):
            out[key] = YES_NO.get(value, value)
        elif key in DATE_FIELDS:
            out[key] = sheet_date(value)
        elif key in ("id_number", "phone") and isinstance(value, int) and not isinstance(value, bool):
            out[key] = str(value)
        else:
            out[key] = value
    return out


def labels_from_codes(values: dict) -> dict:
    """The reverse, for exports: codes in ``values`` replaced by their standard labels."""
    out = dict(values)
    for key, vocabulary in VOCABULARIES.items():
        if key in out:
            out[key] = vocabulary.label(out[key])
    for key in FLAG_FIELDS:
        if isinstance(out.get(key), bool):
            out[key] = BOOL_LABELS[out[key]]
    return out
