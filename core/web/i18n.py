"""UI text through message catalogs (Flask-Babel): code and templates say English msgids,
``translations/<locale>/LC_MESSAGES/messages.po`` says what users read.

The ``.po`` files are the source; they are compiled to ``.mo`` in the instance folder when
the app starts (and again whenever a ``.po`` is newer), so no binary is committed and a
changed translation shows after a restart. The interface is Chinese (``zh``); a test keeps
every msgid of the templates and code translated.
"""

from __future__ import annotations

import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import Babel

log = logging.getLogger(__name__)

SOURCE = Path(__file__).parent / "translations"
LOCALE = "zh"


def compile_catalogs(target: Path) -> list[Path]:
    """Compile every ``.po`` under :data:`SOURCE` into ``target`` when stale; returns what
    was written."""
    written = []
    for po_path in SOURCE.glob("*/LC_MESSAGES/*.po"):
        mo_path = target / po_path.relative_to(SOURCE).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parts[-3])
        tmp = mo_path.with_suffix(".mo.tmp")
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
