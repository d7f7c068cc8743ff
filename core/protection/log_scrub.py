"""Personal data kept out of the logs (等保 2.0: 个人信息保护).

Every log record of the process — ours, Flask's and werkzeug's request lines, SQLAlchemy's,
rq's and gunicorn's — is scrubbed when it is created, before any handler sees it (installed
as the logging record factory by the app factory, :func:`install`; a handler added later,
pytest's ``caplog`` included, gets the scrubbed record too). Scrubbed are the rendered
message (so ``%s`` arguments are covered, whatever their type), a traceback's text and a
stack:

* 18-character resident ID numbers (公民身份号码: 17 digits and a digit or X) → ``[ID]``;
* mainland mobile numbers (``1[3-9]`` and 9 more digits, optionally ``+86``, dashes or
  spaces in the usual places) → ``[PHONE]``;
* Fernet ciphertext (what an encrypted column holds) → ``[ENCRYPTED]``;
* the value after the name of an encrypted field — ``id_number=…``, ``"phone": "…"``,
  ``地址：…`` — → ``***``: the way an address, which no pattern recognises, gets into a message.

A number that merely looks like one of these is scrubbed too: a log loses a figure, never a
person's number. A record whose message changed is stored rendered (``args`` emptied).

SQL parameters are hidden at the source (``hide_parameters`` in ``SQLALCHEMY_ENGINE_OPTIONS``:
in database errors and SQL logs alike), and so are the result rows SQLAlchemy logs at DEBUG
(decrypted values). No request, error or job log line of ours prints a request body.
"""

from __future__ import annotations

import logging
import re
import traceback

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# The first-generation 15-digit number (area, YYMMDD, sequence): still on old records. Its
# date part keeps ordinary 15-digit figures (counters, millisecond times) out of the match.
OLD_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])"
)
MOBILE = re.compile(r"(?<![0-9A-Za-z+])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![0-9A-Za-z])")
FERNET = re.compile(r"gAAAAA[A-Za-z0-9_\-]{20,}={0,2}")
# Names of encrypted fields (core's columns, plus what :func:`install` finds in the models)
# and the Chinese labels the import template and the pages use for them.
FIELD_NAMES = {
    "id_number",
    "phone",
    "mobile",
    "address",
    "snapshot",
    "payload",
    "refusal_reason",
    "公民身份号码",
    "身份证号码",
    "身份证号",
    "手机号码",
    "手机号",
    "联系电话",
    "电话",
    "家庭住址",
    "住址",
    "地址",
}
_VALUE = r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,;&)}\]，；、]+)"""
_MASK = "***"
SQLALCHEMY_ROW = "Row %r"  # sqlalchemy.engine's DEBUG line for each result row
_MARK = "_dangjian_scrubbing"


def _field_pattern(names) -> re.Pattern:
    alternatives = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    return re.compile(
        rf"""(?P<name>(?<![A-Za-z0-9_])["']?(?:{alternatives})["']?\s*[:=：]\s*){_VALUE}"""
    )


_field = _field_pattern(FIELD_NAMES)


def scrub(text: str) -> str:
    """``text`` without ID numbers, mobile numbers, ciphertext and encrypted fields' values."""
    if not text:
        return text
    text = FERNET.sub("[ENCRYPTED]", text)
    text = _field.sub(lambda m: m.group("name") + _MASK, text)
    text = ID_NUMBER.sub("[ID]", text)
    text = OLD_ID_NUMBER.sub("[ID]", text)
    return MOBILE.sub("[PHONE]", text)


class PersonalDataFilter(logging.Filter):
    """Scrubs a record in place (and keeps it). Usable on a handler; :func:`install` applies
    it to every record at creation instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == SQLALCHEMY_ROW and record.name.startswith("sqlalchemy."):
            # SQL debugging logs each result row decrypted: its values, like the
            # statements' parameters, are not the log's business.
            record.msg, record.args = "Row [values hidden]", None
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed call: logging reports it itself
            return True
        cleaned = scrub(message)
        if cleaned != message or not isinstance(record.msg, str):
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # Formatters use exc_text when it is set: the traceback is rendered once, clean.
            record.exc_text = scrub(
                "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            )
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


_filter = PersonalDataFilter()


def encrypted_field_names(metadata) -> set[str]:
    from core.db.encrypted import EncryptedString

    return {
        column.name
        for table in metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, EncryptedString)
    }


def install(metadata=None) -> None:
    """Scrub every record this process creates from now on (idempotent). ``metadata`` adds
    its encrypted columns' names to the fields whose values are masked."""
    global _field
    if metadata is not None:
        names = encrypted_field_names(metadata) - FIELD_NAMES
        if names:
            FIELD_NAMES.update(names)
            _field = _field_pattern(FIELD_NAMES)
    previous = logging.getLogRecordFactory()
    if getattr(previous, _MARK, False):
        return

    def scrubbing_factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        _filter.filter(record)
        return record

    setattr(scrubbing_factory, _MARK, True)
    logging.setLogRecordFactory(scrubbing_factory)
