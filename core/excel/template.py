"""The member import template (.xlsx): the sheet departments fill in.

Sheets:

* 党员信息 — the header row (required columns highlighted, each with a comment saying what
  goes in it), drop-down lists on every column with a fixed vocabulary, the ID number and
  phone columns pre-formatted as text, the date columns as dates;
* 可选值 — the allowed values behind the drop-downs (性别, 学历, 党籍状态, 失联原因, 民族, 是/否);
* 填写说明 — how to fill it in, including why the ID number must be text;
* 党组织 — when organisations are given: the codes and names the user may import into, and a
  drop-down of those codes on 所在党支部编码.

The drop-downs cover :data:`VALIDATED_ROWS` rows. Small enough to build in memory per request.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from core.excel.columns import CHOICE, DATE, FLAG, ID_NUMBER, MEMBER_COLUMNS, ORG_CODE, PHONE
from core.excel.exporter import neutralised
from core.excel.reader import MEMBER_SHEET
from core.members.ethnicities import ETHNICITIES, OTHER

VALUES_SHEET = "可选值"
HELP_SHEET = "填写说明"
ORGS_SHEET = "党组织"
VALIDATED_ROWS = 200_000
TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
YES_NO_LABELS = ["是", "否"]

HELP_LINES = (
    "党员信息导入模板填写说明",
    "",
    "1. 请在“党员信息”工作表中每行填写一名党员，不要修改、删除或重复表头；列的顺序可以调整，不需要的可选列可以删除。",
    "2. 橙色表头为必填列：姓名、公民身份号码、民族、入党日期；所在党支部和所在党支部编码至少填写一项。",
    "3. 公民身份号码必须以文本格式填写（本模板已将该列设为文本）。若该列为数字格式，Excel 只保留前15位，"
    "18位号码的后三位会变成0且无法恢复，导入时此类单元格会被拒绝。",
    "4. 日期可填写为 Excel 日期，或文本 2001-07-01、2001.07.01、2001/7/1、2001年7月1日。",
    "5. 性别、出生日期可留空，将按公民身份号码自动填写；填写时须与号码一致。",
    "6. 党籍状态留空时：有转正日期为正式党员，否则为预备党员。失联党员请在“是否失联”填“是”并填写失联日期和失联原因；"
    "流动党员请在“是否流动党员”填“是”并填写外出日期和外出流向。",
    "7. 所在党支部填写党组织编码或党组织全称：先按编码匹配，再按全称匹配；全称重名时请填写编码。"
    "“党组织”工作表列出了您可以导入的党组织。",
    "8. 默认情况下，只要有一行有误，整个文件都不会导入，并逐行列出错误（行号、列名、原因）；也可以选择只导入正确的行。",
    "9. 同一文件可以重复导入：已在册的党员（按公民身份号码匹配）会按文件内容更新，不会重复登记；同一文件中公民身份号码重复的行会报错。",
    "10. 导出的党员信息表与本模板表头相同，修改后可以直接导入。",
)


def _values_sheet(workbook: Workbook) -> dict[str, str]:
    """Write the allowed-values sheet; returns each list's range for data validation."""
    sheet = workbook.create_sheet(VALUES_SHEET)
    lists: dict[str, list[str]] = {}
    for column in MEMBER_COLUMNS:
        if column.kind == CHOICE:
            lists[column.header] = list(column.vocabulary.labels.values())
    lists["民族"] = [*ETHNICITIES, OTHER]
    lists["是/否"] = YES_NO_LABELS
    ranges = {}
    for position, (title, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(position)
        sheet.cell(row=1, column=position, value=title).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            sheet.cell(row=row, column=position, value=value)
        sheet.column_dimensions[letter].width = 16
        ranges[title] = f"{quote_sheetname(VALUES_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _list_validation(formula: str, header: str) -> DataValidation:
    return DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="输入值无效",
        error=f"请从下拉列表中选择{header}。",
    )


def build_template(orgs: Iterable[tuple[str, str, str]] = ()) -> bytes:
    """The template as .xlsx bytes; ``orgs`` are ``(code, full name, kind label)`` rows for
    the 党组织 sheet (none: no such sheet)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = MEMBER_SHEET
    ranges = _values_sheet(workbook)
    last = VALIDATED_ROWS + 1

    for position, column in enumerate(MEMBER_COLUMNS, start=1):
        letter = get_column_letter(position)
        cell = sheet.cell(row=1, column=position, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        note = ("必填。" if column.required else "") + column.note
        if note:
            cell.comment = Comment(note, "dangjian", width=260, height=90)
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        cells = f"{letter}2:{letter}{last}"
        if column.kind in (ID_NUMBER, PHONE):
            dimension.number_format = TEXT_FORMAT  # Excel keeps what is typed, digits and all
        elif column.kind == DATE:
            dimension.number_format = DATE_FORMAT
        if column.kind == ID_NUMBER:
            validation = DataValidation(
                type="textLength", operator="equal", formula1="18", allow_blank=True,
                showErrorMessage=True, errorTitle="公民身份号码",
                error="公民身份号码应为18位，请以文本格式填写。",
            )
        elif column.kind == CHOICE:
            validation = _list_validation(ranges[column.header], column.header)
        elif column.kind == FLAG:
            validation = _list_validation(ranges["是/否"], column.header)
        elif column.header == "民族":
            validation = _list_validation(ranges["民族"], column.header)
        else:
            validation = None
        if validation is not None:
            sheet.add_data_validation(validation)
            validation.add(cells)
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 32

    help_sheet = workbook.create_sheet(HELP_SHEET)
    help_sheet.column_dimensions["A"].width = 120
    for row, line in enumerate(HELP_LINES, start=1):
        cell = help_sheet.cell(row=row, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if row == 1:
            cell.font = Font(bold=True, size=14)

    orgs = list(orgs)
    if orgs:
        org_sheet = workbook.create_sheet(ORGS_SHEET)
        for position, (title, width) in enumerate((("党组织编码", 18), ("党组织全称", 40), ("组织类别", 12)), start=1):
            org_sheet.cell(row=1, column=position, value=title).font = Font(bold=True)
            org_sheet.column_dimensions[get_column_letter(position)].width = width
        for row, values in enumerate(orgs, start=2):
            for position, value in enumerate(values, start=1):
                org_sheet.cell(row=row, column=position, value=neutralised(value))
        position = next(i for i, c in enumerate(MEMBER_COLUMNS, start=1) if c.field == ORG_CODE)
        letter = get_column_letter(position)
        validation = _list_validation(
            f"{quote_sheetname(ORGS_SHEET)}!$A$2:$A${len(orgs) + 1}", "所在党支部编码"
        )
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{last}")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
