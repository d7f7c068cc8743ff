"""UI text through message catalogs (Flask-Babel): code and templates say English msgids,
``translations/<locale>/LC_MESSAGES/*.po`` says what users read.

The ``.po`` files are the source, one part per screen group (``messages.po`` for the
shell, ``admin.po``, ``members.po`` …), merged and compiled to one ``messages.mo`` in the
instance folder when the app starts (and again whenever a part is newer), so no binary is committed and a
changed translation shows after a restart. The interface is Chinese (``zh``); a test keeps
every msgid of the templates and code translated.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import Babel

log = logging.getLogger(__name__)

SOURCE = Path(__file__).parent / "translations"
LOCALE = "zh"


def _merged(locale_dir: Path, strict: bool):
    """One catalog of every ``.po`` in ``locale_dir`` (each screen group keeps its own part,
    so parallel work never edits one file). A msgid translated twice differently is an error
    when ``strict`` (the catalog test), else logged and the first translation kept (a start
    never fails over wording)."""
    merged = None
    for po_path in sorted(locale_dir.glob("*.po")):
        with po_path.open("rb") as po_file:
            part = read_po(po_file, locale=locale_dir.parent.name)
        if merged is None:
            merged = part
            continue
        for message in part:
            if not message.id:
                continue
            known = merged.get(message.id)
            if known is not None and known.string and message.string and known.string != message.string:
                problem = (f"{po_path.name}: {message.id!r} is translated differently elsewhere "
                           f"({known.string!r} vs {message.string!r})")
                if strict:
                    raise ValueError(problem)
                log.warning("message catalog: %s; the first is used", problem)
                continue
            if known is None or not known.string:
                merged[message.id] = message
    return merged


def compile_catalogs(target: Path, strict: bool = False) -> list[Path]:
    """Compile each locale's ``.po`` parts under :data:`SOURCE` into one ``messages.mo`` in
    ``target`` when stale; returns what was written."""
    written = []
    for locale_dir in sorted(SOURCE.glob("*/LC_MESSAGES")):
        parts = list(locale_dir.glob("*.po"))
        if not parts:
            continue
        mo_path = target / locale_dir.relative_to(SOURCE) / "messages.mo"
        newest = max(p.stat().st_mtime for p in parts)
        if mo_path.exists() and mo_path.stat().st_mtime >= newest:
            continue
        catalog = _merged(locale_dir, strict)
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = mo_path.with_suffix(f".mo.{os.getpid()}.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp.replace(mo_path)  # atomic: a concurrent start never reads half a file
        written.append(mo_path)
    return written


def init_app(app: Flask) -> None:
    target = Path(app.instance_path) / "translations"
    for path in compile_catalogs(target):
        log.info("compiled message catalog %s", path)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", LOCALE)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(target)
    Babel(app, locale_selector=lambda: LOCALE)
