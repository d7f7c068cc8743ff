"""Pinyin initials of a name (张三 → ``zs``), for finding a member by typing ``zs``.

Computed with pypinyin when a record is written and stored in ``name_initials`` (indexed), so
a search is a prefix match on a column, never a conversion per row.

* Each Han character gives the first letter of its reading; pypinyin reads phrases in context
  and otherwise takes a character's first (most common) reading.
* A leading surname with a reading of its own is read as a surname (曾国藩 → ``zgf``, not
  ``cgf``; 单 → ``s``): those are the names people would otherwise not find.
* Latin letters are kept, lower-cased (``John Smith`` → ``johnsmith``); anything else (the
  middle dot, spaces, a character pypinyin does not know) is dropped. The result is never
  longer than the name, so it fits the same column length.

:func:`name_initials` is pure; :func:`initials_for_names` converts many names at once (an
import) and converts each distinct name only once.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Surnames whose reading as a surname differs from the character's first reading.
SURNAME_INITIALS = {
    "万俟": "mq", "尉迟": "yc", "长孙": "zs", "澹台": "tt",
    "曾": "z", "单": "s", "解": "x", "仇": "q", "朴": "p", "查": "z", "区": "o", "盖": "g",
    "乐": "y", "覃": "q", "缪": "m", "翟": "z", "召": "s", "种": "c", "秘": "b", "繁": "p",
    "折": "s", "员": "y", "尉": "y", "句": "g", "能": "n", "阚": "k", "谌": "c", "隗": "w",
    "藏": "z", "沈": "s", "重": "c", "应": "y", "相": "x", "都": "d", "殷": "y", "参": "c",
}


def _letters(text: str) -> str:
    out = []
    for item in lazy_pinyin(text, style=Style.FIRST_LETTER, errors=list):
        letter = item[:1].lower()
        if "a" <= letter <= "z":
            out.append(letter)
    return "".join(out)


@lru_cache(maxsize=65536)
def name_initials(name: str) -> str:
    """``张三`` → ``zs``; see the module docstring for the rules."""
    name = (name or "").strip()
    for length in (2, 1):
        head = name[:length]
        if head in SURNAME_INITIALS:
            return SURNAME_INITIALS[head] + _letters(name[length:])
    return _letters(name)


def initials_for_names(names: Iterable[str]) -> dict[str, str]:
    """Initials of each distinct name: ``{name: initials}``."""
    return {name: name_initials(name) for name in set(names)}
