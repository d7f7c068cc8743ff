"""Every UI string of the web app is in the Chinese catalog, and the catalog compiles."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from core.web import i18n

WEB = Path(__file__).resolve().parents[2] / "core" / "web"
PARTS = WEB / "translations" / "zh" / "LC_MESSAGES"


def _used_msgids() -> set[str]:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}
    return {message for _file, _line, message, _comments, _context
            in extract_from_dir(str(WEB), method_map, keywords=keywords) if isinstance(message, str)}


def test_every_ui_string_is_translated():
    translated = set()
    for part in PARTS.glob("*.po"):
        with part.open("rb") as handle:
            translated |= {m.id for m in read_po(handle, locale="zh") if m.id and m.string}
    used = _used_msgids()
    assert used, "nothing extracted: the extraction itself is broken"
    assert not used - translated, f"untranslated UI strings: {sorted(used - translated)}"


def test_the_catalog_compiles_into_the_instance(tmp_path):
    written = i18n.compile_catalogs(tmp_path, strict=True)
    assert [p.name for p in written] == ["messages.mo"]
    assert i18n.compile_catalogs(tmp_path) == []  # fresh: not compiled again


def test_a_msgid_translated_two_ways_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "zh" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
    (folder / "a.po").write_text(header + 'msgid "Save"\nmsgstr "保存"\n', encoding="utf-8")
    (folder / "b.po").write_text(header + 'msgid "Save"\nmsgstr "存储"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "SOURCE", tmp_path)
    with pytest.raises(ValueError, match="Save"):
        i18n.compile_catalogs(tmp_path / "out", strict=True)
    assert i18n.compile_catalogs(tmp_path / "out")  # a start only logs it


def test_parts_are_merged_into_one_catalog(tmp_path, monkeypatch):
    from babel.messages.mofile import read_mo

    folder = tmp_path / "zh" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
    (folder / "messages.po").write_text(header + 'msgid "Save"\nmsgstr "保存"\n', encoding="utf-8")
    (folder / "admin.po").write_text(header + 'msgid "Save"\nmsgstr "保存"\n\nmsgid "Users"\nmsgstr "用户"\n',
                                     encoding="utf-8")
    monkeypatch.setattr(i18n, "SOURCE", tmp_path)
    [written] = i18n.compile_catalogs(tmp_path / "out")
    with written.open("rb") as handle:
        catalog = read_mo(handle)
    assert {m.id: m.string for m in catalog if m.id} == {"Save": "保存", "Users": "用户"}
