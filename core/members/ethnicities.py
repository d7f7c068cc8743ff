"""The 56 ethnic groups (民族) by their standard names (GB/T 3304), plus 其他.

A member's ``ethnicity`` is stored as the standard name itself (``汉族``): it is the value the
national collection and every report use, so a code table would only add a translation step.
"""

from __future__ import annotations

ETHNICITIES = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
    "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族",
    "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族",
    "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
)
OTHER = "其他"
ETHNICITY_VALUES = frozenset(ETHNICITIES) | {OTHER}

# Spellings seen in spreadsheets: without the 族 suffix (汉, 蒙古), and old names.
ALIASES = {name[:-1]: name for name in ETHNICITIES} | {
    "维族": "维吾尔族",
    "其它": OTHER,
    "其他民族": OTHER,
}


def canonical_ethnicity(value: str | None) -> str | None:
    """The standard name for ``value`` (a standard name or a known alias), else None."""
    if value is None:
        return None
    value = value.strip()
    if value in ETHNICITY_VALUES:
        return value
    return ALIASES.get(value)
