"""The importer's reasons in Chinese, for the error table and the upload field.

:mod:`core.excel` writes its reasons in English (they are also the API's and the command
line's text), with the cell's value quoted where one is wrong. These tables map each known
sentence to a catalog msgid (through :mod:`core.web.service_errors`, which adds the messages
every service shares), keeping the numbers; the cell's value is taken out of the sentence,
as it is shown in its own column. A reason not known is shown as the importer wrote it, so
nothing is ever hidden. :data:`MEMBER_RECORD` (the member record's own checks) also serves
the daily-work pages, whose services check members the same way.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.web.service_errors import MessageTable, lookup

_V = r"'(?P<value>.*)'"  # a repr()-quoted cell value

# core.members.validation, core.members.idcard
MEMBER_RECORD = MessageTable(patterns=(
    (r"Must not be blank\.", _l("Must not be blank.")),
    (r"Name is required\.", _l("Name is required.")),
    (r"Name must have at most (?P<max>\d+) characters\.", _l("Name must have at most %(max)s characters.")),
    (r"Name may contain Chinese characters, letters, spaces and ·\.",
     _l("Name may contain Chinese characters, letters, spaces and ·.")),
    (r"Not a mainland mobile number \(11 digits, 1\[3-9\]…\) or a landline with its area code\.",
     _l("Not a mainland mobile number (11 digits, 1[3-9]…) or a landline with its area code.")),
    (r"Not one of the 56 ethnic groups' standard names or 其他\.",
     _l("Not one of the 56 ethnic groups' standard names or 其他.")),
    (r"(?P<what>.+) cannot be in the future\.", _l("The date cannot be in the future.")),
    (r"Birth date cannot be before 1900\.", _l("Birth date cannot be before 1900.")),
    (r"ID number is missing\.", _l("ID number is missing.")),
    (r"ID number must have 18 characters, not (?P<n>\d+)\.",
     _l("ID number must have 18 characters, not %(n)s.")),
    (r"ID number must be 17 digits followed by a digit or X\.",
     _l("ID number must be 17 digits followed by a digit or X.")),
    (r"ID number starts with an unknown province code (?P<code>\d+)\.",
     _l("ID number starts with an unknown province code %(code)s.")),
    (r"ID number check character is wrong: expected (?P<expected>\w), found (?P<found>\w)\.",
     _l("ID number check character is wrong: expected %(expected)s, found %(found)s.")),
    (r"ID number contains an impossible birth date (?P<digits>\d+)\.",
     _l("ID number contains an impossible birth date %(digits)s.")),
    (r"ID number contains a birth date before 1900 \((?P<day>[\d-]+)\)\.",
     _l("ID number contains a birth date before 1900 (%(day)s).")),
    (r"ID number contains a birth date in the future \((?P<day>[\d-]+)\)\.",
     _l("ID number contains a birth date in the future (%(day)s).")),
    (r"Does not agree with the ID number \((?P<expected>[\w-]+)\)\.",
     _l("Does not agree with the ID number (%(expected)s).")),
    (r"Birth date is required \(or an ID number to read it from\)\.",
     _l("Birth date is required (or an ID number to read it from).")),
    (r"A member joins at (?P<age>\d+) or older: not before (?P<day>[\d-]+)\.",
     _l("A member joins at %(age)s or older: not before %(day)s.")),
    (r"Cannot be before the date of joining\.", _l("Cannot be before the date of joining.")),
    (r"A full member needs the date of becoming full member\.",
     _l("A full member needs the date of becoming full member.")),
    (r"A probationary member has no date of becoming full member yet\.",
     _l("A probationary member has no date of becoming full member yet.")),
    (r"Required when the status is (?P<status>\w+)\.", _l("Required for this status.")),
    (r"Only for a member whose status is (?P<status>\w+)\.", _l("Not allowed for this status.")),
))

# the cells (core.excel.cells, core.excel.rows), matching (core.excel.importer) and the file
# (core.excel.reader, core.excel.parsing, core.excel.uploads)
REASONS = MessageTable(patterns=(
    (r"The cell holds an invalid number\.", _l("The cell holds an invalid number.")),
    (r"Expected text, found TRUE/FALSE\.", _l("Expected text, found TRUE/FALSE.")),
    (r"Expected text, found a date\.", _l("Expected text, found a date.")),
    (r"Too long: (?P<n>\d+) characters, at most (?P<max>\d+)\.",
     _l("Too long: %(n)s characters, at most %(max)s.")),
    (r"Expected an ID number\.", _l("Expected an ID number.")),
    (r"The ID number is stored as a decimal number; enter it as text\.",
     _l("The ID number is stored as a decimal number; enter it as text.")),
    (r"The ID number is stored as a number, so Excel kept only its first 15 digits "
     r"\(it reads (?P<value>[\d*]+)\); format the column as text and enter the number again\.",
     _l("The ID number is stored as a number, so Excel kept only its first 15 digits; format "
        "the column as text and enter the number again.")),
    (r"Expected a date\.", _l("Expected a date.")),
    (_V + r" is not a date; use YYYY-MM-DD \(e\.g\. 2001-07-01\)\.",
     _l("Not a date; use YYYY-MM-DD (e.g. 2001-07-01).")),
    (r"(?P<value>[\d.]+) is not a date; use YYYY-MM-DD\.", _l("Not a date; use YYYY-MM-DD (e.g. 2001-07-01).")),
    (r"(?P<value>\d+-\d+-\d+) is not a real date\.", _l("Not a real date.")),
    (_V + r" is not 是 or 否\.", _l("Must be 是 or 否.")),
    (_V + r" is not one of: (?P<allowed>.*)\.", _l("Not one of the allowed values: %(allowed)s.")),
    (r"Required; give the organisation's code or full name\.",
     _l("Required; give the organisation's code or full name.")),
    (r"Required; the cell is empty\.", _l("Required; the cell is empty.")),
    (r"A member cannot be both lost contact \(是否失联\) and mobile\.",
     _l("A member cannot be both lost contact (是否失联) and mobile.")),
    (r"Conflicts with (?P<column>.+) = 是\.", _l("Conflicts with %(column)s = 是.")),
    (r"Says 否, but 党籍状态 is (?P<status>.+)\.", _l("Says 否, but 党籍状态 is %(status)s.")),
    # the member record's lists, as a cell says them (the allowed values would be too long)
    (r"Must be one of: .*\.", _l("Not one of the allowed values.")),
    # matching (core.excel.importer)
    (r"The same ID number is also in row (?P<row>\d+)\.", _l("The same ID number is also in row %(row)s.")),
    (r"Unknown organisation code " + _V + r"\.", _l("Unknown organisation code.")),
    (r"Does not match 所在党支部编码 (?P<code>\S+) \((?P<name>.+)\)\.",
     _l("Does not match 所在党支部编码 %(code)s (%(name)s).")),
    (r"(?P<n>\d+) organisations are named " + _V + r"; give the code \(所在党支部编码\) instead\.",
     _l("%(n)s organisations have this name; give the code (所在党支部编码) instead.")),
    (r"Unknown organisation " + _V + r" \(neither a code nor a full name\)\.",
     _l("Unknown organisation (neither a code nor a full name you may import into).")),
    (r"Organisation (?P<code>\S+) \((?P<name>.+)\) is (?P<status>\w+); members cannot join it\.",
     _l("Organisation %(code)s (%(name)s) is no longer active; members cannot join it.")),
    (r"This person is registered in an organisation outside your scope\.",
     _l("This person is registered in an organisation outside your scope.")),
    (r"A (?P<status>\w+) member's status cannot change\.", _l("This member's status can no longer change.")),
    (r"A (?P<status>\w+) member cannot be moved to another organisation\.",
     _l("This member cannot be moved to another organisation.")),
    # the file (core.excel.reader, core.excel.parsing, core.excel.uploads)
    (r"Required column is missing\.", _l("Required column is missing.")),
    (r"Required column is missing \(or give 所在党支部编码\)\.",
     _l("Required column is missing (or give 所在党支部编码).")),
    (r"Unknown column \(cell (?P<cell>\w+)\); use the template's headers\.",
     _l("Unknown column (cell %(cell)s); use the template's headers.")),
    (r"Duplicate column: it appears more than once in row (?P<row>\d+)\.",
     _l("Duplicate column: it appears more than once in row %(row)s.")),
    (r"The header row .* does not match the member template: .*",
     _l("The header row does not match the member template.")),
    (r"The sheet has no data rows below the header row\.",
     _l("The sheet has no data rows below the header row.")),
    (r"The sheet has more than (?P<max>\d+) data rows \(row (?P<row>\d+)\); split it\.",
     _l("The sheet has more than %(max)s data rows; split it.")),
    (r"The sheet cannot be read after row (?P<row>\d+) \(\w+\); save it again with Excel or WPS\.",
     _l("The sheet cannot be read after row %(row)s; save it again with Excel or WPS.")),
    (r"The sheet cannot be read \(\w+\); save it again with Excel or WPS\.",
     _l("The sheet cannot be read; save it again with Excel or WPS.")),
    (r"The file is empty\.", _l("The file is empty.")),
    (r"This is an old Excel 97-2003 \(\.xls\) file; save it as \.xlsx and upload again\.",
     _l("This is an old Excel 97-2003 (.xls) file; save it as .xlsx and upload again.")),
    (r"The file is not an Excel workbook \(\.xlsx\)\.", _l("The file is not an Excel workbook (.xlsx).")),
    (r"The file is not a readable \.xlsx workbook \(\w+\)\.",
     _l("The file is not a readable .xlsx workbook.")),
    (r"The workbook has no worksheet\.", _l("The workbook has no worksheet.")),
    (r"The file is larger than the limit of (?P<bytes>\d+) bytes\.",
     _l("The file is larger than the limit of %(bytes)s bytes.")),
    # what the file is and whether it can be read safely (core.excel.archive)
    (r"The file is not an Excel workbook \(\.xlsx\): it is a PDF document\.",
     _l("The file is not an Excel workbook (.xlsx): it is a PDF document.")),
    (r"The file is not an Excel workbook \(\.xlsx\): it is an image\.",
     _l("The file is not an Excel workbook (.xlsx): it is an image.")),
    (r"The file is not an Excel workbook \(\.xlsx\): it is a text or CSV file; open it in Excel or "
     r"WPS and save it as \.xlsx\.",
     _l("The file is not an Excel workbook (.xlsx): it is a text or CSV file; open it in Excel "
        "or WPS and save it as .xlsx.")),
    (r"The file is not an Excel workbook \(\.xlsx\): it is an? [\w ]+ \((?P<ext>\.\w+)\)\.",
     _l("The file is not an Excel workbook (.xlsx) but a %(ext)s file.")),
    (r"The workbook is password-protected \(encrypted\); .*",
     _l("The workbook is password-protected (encrypted); remove the password in Excel or WPS, "
        "save it and upload it again.")),
    (r"The file is a damaged or incomplete \.xlsx \(zip\) archive; .*",
     _l("The file is a damaged or incomplete .xlsx (zip) archive; save it again with Excel or "
        "WPS and upload it again.")),
    (r"The file is a zip archive, not an Excel workbook \(\.xlsx\)\.",
     _l("The file is a zip archive, not an Excel workbook (.xlsx).")),
    (r"The file is an OpenDocument spreadsheet \(\.ods\); .*",
     _l("The file is an OpenDocument spreadsheet (.ods); save it as .xlsx in WPS or LibreOffice "
        "and upload it again.")),
    (r"The file holds (?P<n>[\d,]+) parts, more than the (?P<max>[\d,]+) an Excel workbook may "
     r"have; .*", _l("The file holds %(n)s parts, more than the %(max)s an Excel workbook may have.")),
    (r"The workbook unpacks to (?P<size>[\d.]+ MB), more than the limit of (?P<max>[\d.]+ MB); .*",
     _l("The workbook unpacks to %(size)s, more than the limit of %(max)s; delete empty "
        "formatted rows and columns (or copy the data into a new workbook) or split it.")),
    (r"The part (?P<part>\S+) unpacks to (?P<size>[\d.]+ MB) from (?P<packed>[\d,]+) bytes "
     r"\((?P<ratio>[\d,]+) times\): this looks like a zip bomb.*",
     _l("The part %(part)s unpacks to %(size)s from %(packed)s bytes (%(ratio)s times): this "
        "looks like a zip bomb, not a workbook saved by Excel or WPS.")),
    (r"The part (?P<part>\S+) has (?:a row inside a row|a text inside a text); .*",
     _l("The part %(part)s has rows inside rows; the workbook is damaged or was not saved by "
        "Excel or WPS.")),
    (r"The part (?P<part>\S+) has more rows than Excel allows \((?P<max>[\d,]+)\); .*",
     _l("The part %(part)s has more rows than Excel allows (%(max)s).")),
    (r"The part (?P<part>\S+) has .*; the workbook is damaged or was not saved by Excel or WPS\.",
     _l("The part %(part)s is too large to read safely; the workbook is damaged or was not "
        "saved by Excel or WPS.")),
    (r"The workbook holds more than (?P<max>[\d,]+) different texts \(shared strings\); .*",
     _l("The workbook holds more than %(max)s different texts; split it into smaller files.")),
    # cells cleaned (core.excel.cells)
    (r"The cell holds the control character (?P<char>U\+[0-9A-F]{4}); .*",
     _l("The cell holds the control character %(char)s; delete it.")),
    (r"Characters were lost to a wrong encoding .*",
     _l("Characters were lost to a wrong encoding (the text holds � or 锟斤拷); type it again.")),
    (r"The text is garbled by a wrong encoding; it probably reads '(?P<guess>.*)'\. .*",
     _l("The text is garbled by a wrong encoding; it probably reads %(guess)s. Type it again, or "
        "save the file again as .xlsx with Excel or WPS.")),
    (r"The cell holds the formula error (?P<code>#\S+); enter the value itself\.",
     _l("The cell holds the formula error %(code)s; enter the value itself.")),
    (r"The text starts with = like a formula; enter the value itself \(formulas are not imported\)\.",
     _l("The text starts with = like a formula; enter the value itself (formulas are not imported).")),
))


def translate(reason: str) -> tuple[str, str | None]:
    """``(text, value)``: the reason in Chinese (or as written, when unknown) and the cell
    value it quotes, if any."""
    found = lookup(reason or "", REASONS, MEMBER_RECORD)
    if found is None:
        return reason, None
    return found.text, found.groups.get("value")


def upload_reason(reason: str) -> str:
    return translate(reason)[0]


def entry(error: dict) -> dict:
    """One row of the error table from a job result's error (its ``value`` when the
    importer gave one — masked for personal fields — else the one its reason quotes)."""
    text, quoted = translate(error.get("reason") or "")
    value = error.get("value") if error.get("value") is not None else quoted
    return {"row": error.get("row"), "column": error.get("column"), "value": value,
            "reason": text, "original": error.get("reason")}
