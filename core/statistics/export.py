"""The statistics tables as an .xlsx workbook in the standard layout: one sheet per table,
a title naming the organisation and the period, Chinese headers, then one line per row.

Every text is passed through :func:`core.excel.exporter.neutralised` (an organisation's name
or a 人员类别 value could start like a formula).
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from core.excel.exporter import HEADER_FILL, HEADER_FONT, neutralised
from core.statistics.tables import period_label

TITLE_FONT = Font(bold=True, size=14)
TITLE_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 3, 4


def write(target, result: dict) -> None:
    """Write ``result`` (:func:`core.statistics.compute.figures`) to ``target``."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    subtitle = f"{result['org_name']} {period_label(result['year'], result['period'])}"
    for table in result["tables"]:
        sheet = workbook.create_sheet(table["title"][:31])
        columns = table["columns"]
        sheet.cell(TITLE_ROW, 1, neutralised(f"{subtitle} {table['title']}")).font = TITLE_FONT
        sheet.cell(TITLE_ROW + 1, 1, f"统计截止日期：{result['end'].isoformat()}")
        sheet.merge_cells(
            start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=len(columns) + 1
        )
        for position, title in enumerate(["项目", *(c["label"] for c in columns)], start=1):
            cell = sheet.cell(HEADER_ROW, position, neutralised(title))
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
        for offset, row in enumerate(table["rows"]):
            line = FIRST_DATA_ROW + offset
            sheet.cell(line, 1, neutralised(row["label"]))
            for position, column in enumerate(columns, start=2):
                sheet.cell(line, position, table["cells"][row["key"]][column["key"]])
        sheet.column_dimensions["A"].width = 18
        sheet.freeze_panes = sheet.cell(FIRST_DATA_ROW, 2)
    workbook.save(target)


def file_name(result: dict) -> str:
    return f"党内统计_{result['org_name']}_{period_label(result['year'], result['period'])}.xlsx"
