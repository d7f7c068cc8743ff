"""Exporting members and organisations of a subtree to .xlsx, masked per role.

Both exports stream: rows come from the database in batches (``yield_per``) and go into an
openpyxl ``write_only`` workbook, which spools each sheet to a temporary file instead of
holding cells in memory, so a subtree of 100,000 members costs the same memory as one of 100.

The member sheet has exactly the import template's headers (:data:`MEMBER_COLUMNS`), so an
export with full personal data can be corrected and imported again. Whether a row shows
the ID number, phone and address in full is decided per organisation by the caller's
``full_view(path)`` (the API passes :func:`core.members.masking.can_see_personal`); a
masked export cannot be re-imported — its ID numbers are not numbers any more.

Which members: those of the organisations ``visible`` (a WHERE clause, normally
:func:`core.auth.permissions.visible_orgs_clause`) inside ``root``'s subtree; by default only
members the register still counts (预备, 正式, 流动, 失联), with ``include_former`` also those
transferred out, deceased or gone.

Every text written is :func:`neutralised`: one that starts like a formula (``=``, ``+``,
``-``, ``@``, a tab or a carriage return) gets a leading apostrophe. openpyxl would otherwise
write ``=HYPERLINK(…)`` or ``=cmd|' /C calc'!A0`` — typed into an address through the API —
as a live formula, and a spreadsheet program would run it when the export is opened (CSV /
formula injection). The importer takes that apostrophe off again, so an export still
imports back unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import and_, select, true
from sqlalchemy.orm import aliased

from core.db import db
from core.excel.columns import FLAG, LOST, MEMBER_COLUMNS, MOBILE, ORG, ORG_CODE
from core.excel.reader import MEMBER_SHEET
from core.members import labels
from core.members.masking import mask_values
from core.members.models import ACTIVE_STATUSES, Member
from core.orgs import posts, tree
from core.orgs.models import Organization
from core.orgs.service import subtree_filter
from core.plugins import service as plugin_service

ORG_SHEET = "党组织"
BATCH = 2000
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_MEMBER_FIELDS = tuple(
    c.field for c in MEMBER_COLUMNS if c.field not in (ORG, ORG_CODE, LOST, MOBILE)
)
KIND_LABELS = {
    "committee": "党委",
    "general_branch": "党总支",
    "branch": "党支部",
    "joint_branch": "联合党支部",
    "group": "党小组",
}
CATEGORY_LABELS = {
    1: "国有企业", 2: "非公有制企业", 3: "农村", 4: "党政机关", 5: "学校",
    6: "其他事业单位", 7: "街道社区", 8: "社会组织", 9: "其他",
}
UNIT_RELATION_LABELS = {"same_as_parent": "与上级党组织相同", "legal_entity": "法人单位", "joint": "联合党支部"}
ORG_STATUS_LABELS = {"active": "正常", "merged": "已合并", "dissolved": "已撤销"}
ORG_COLUMNS = (
    ("党组织编码", 16), ("党组织全称", 36), ("组织类别", 10), ("所属领域", 10), ("党组织类别", 12),
    ("所在单位情况", 16), ("上级党组织编码", 16), ("上级党组织全称", 36), ("党组织书记", 12),
    ("联系人", 10), ("联系电话", 16), ("成立日期", 12), ("直属党员数", 10), ("状态", 8),
)

FullView = Callable[[str], bool]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    """``value``, with an apostrophe before a text that a spreadsheet would take for a
    formula (see the module docstring)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _header(sheet, titles: list[tuple[str, int]]) -> None:
    for position, (_, width) in enumerate(titles, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A2"
    cells = []
    for title, _ in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cells.append(cell)
    sheet.append(cells)


def members_query(root: Organization | None, visible, include_former: bool = False):
    """The members to export with their organisation's code, name and path, in tree order."""
    stmt = select(
        *[getattr(Member, f) for f in _MEMBER_FIELDS],
        Organization.code.label("org_code"),
        Organization.name.label("org_name"),
        Organization.path.label("org_path"),
    ).join(
        Organization, and_(Organization.tenant_id == Member.tenant_id, Organization.id == Member.org_id)
    ).where(visible if visible is not None else true())
    if root is not None:
        stmt = stmt.where(subtree_filter(root.path))
    if not include_former:
        stmt = stmt.where(Member.status.in_(ACTIVE_STATUSES))
    return stmt.order_by(Organization.path, Member.name_initials, Member.name, Member.id)


def _member_cells(row, full: bool) -> list:
    values = {f: getattr(row, f) for f in _MEMBER_FIELDS}
    if not full:
        values = mask_values(values)
    status = values["status"]
    lost, mobile = status == "lost_contact", status == "mobile"
    if lost or mobile:  # the standing is kept in 党籍状态, the state in its own column
        values["status"] = "full" if values["full_on"] else "probationary"
    values = labels.labels_from_codes(values)
    values[ORG], values[ORG_CODE] = row.org_name, row.org_code
    values[LOST], values[MOBILE] = labels.BOOL_LABELS[lost], labels.BOOL_LABELS[mobile]
    out = []
    for column in MEMBER_COLUMNS:
        value = values.get(column.field)
        if column.kind == FLAG and isinstance(value, bool):
            value = labels.BOOL_LABELS[value]
        out.append(neutralised(value))
    return out


def write_members(target, root: Organization | None, *, visible, full_view: FullView,
                  include_former: bool = False) -> int:
    """Write the member sheet to ``target`` (a path or a binary file); returns the number of
    members written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(MEMBER_SHEET)
    _header(sheet, [(c.header, c.width) for c in MEMBER_COLUMNS])
    seen: dict[str, bool] = {}
    count = 0
    result = db.session.execute(
        members_query(root, visible, include_former).execution_options(yield_per=BATCH)
    )
    for row in result:
        full = seen.get(row.org_path)
        if full is None:
            full = seen[row.org_path] = bool(full_view(row.org_path))
        sheet.append(_member_cells(row, full))
        count += 1
    workbook.save(target)
    return count


def _sector_names() -> dict[str, str]:
    return {
        sector.key: sector.name
        for sectors in plugin_service.hook("dangjian_sectors")()
        for sector in sectors or []
    }


def write_orgs(target, root: Organization | None, *, visible) -> int:
    """Write the organisation sheet (the subtree in tree order, with each one's parent,
    secretary and directly registered members) to ``target``; returns the number of rows."""
    parent = aliased(Organization)
    stmt = (
        select(Organization, parent.code, parent.name)
        .outerjoin(parent, and_(parent.tenant_id == Organization.tenant_id,
                                parent.id == Organization.parent_id))
        .where(visible if visible is not None else true())
        .order_by(Organization.path)
    )
    if root is not None:
        stmt = stmt.where(subtree_filter(root.path))
    counts = tree.direct_member_counts(root)
    secretaries = posts.current_holders(None, "secretary")
    sectors = _sector_names()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(ORG_SHEET)
    _header(sheet, list(ORG_COLUMNS))
    count = 0
    for org, parent_code, parent_name in db.session.execute(stmt.execution_options(yield_per=BATCH)):
        sheet.append([neutralised(value) for value in (
            org.code,
            org.name,
            KIND_LABELS.get(org.kind, org.kind),
            sectors.get(org.sector, org.sector),
            CATEGORY_LABELS.get(org.category_code),
            UNIT_RELATION_LABELS.get(org.unit_relation),
            parent_code,
            parent_name,
            "、".join(secretaries.get(org.id, [])) or None,
            org.contact,
            org.phone,
            org.founded_on,
            counts.get(org.id, 0),
            ORG_STATUS_LABELS.get(org.status, org.status),
        )])
        count += 1
    workbook.save(target)
    return count


def export_name(kind: str, root: Organization | None, today: date | None = None) -> str:
    """A download name: ``党员信息-<code>-20250101.xlsx``."""
    title = "党员信息" if kind == "members" else "党组织"
    scope = f"-{root.code}" if root is not None else ""
    return f"{title}{scope}-{(today or date.today()):%Y%m%d}.xlsx"
