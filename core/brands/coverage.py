"""Brand coverage of a subtree: 一村一亮点、一乡镇一特色、一支部一品牌.

Three figures, each the share of a kind of organisation in the subtree (active ones) that
has a brand in the library, computed by **one aggregate query per figure**, grouped by the
root's direct child the organisation sits under (the root itself is its own group), so the
page shows the subtree's figure and the same figure for each part of it.

Which organisations count (core names no sector; the tenant's ``rural_category_codes``,
③ 农村 by default, say which 党组织类别 is the countryside):

* **villages** — organisations of a rural category that are branches (支部, 总支, 联合支部),
  unless marked ``village: false`` in their attributes, and any marked ``village: true`` (a
  large 村党委) — the rural sector's own rule;
* **townships** — committees (党委) of a rural category not marked as a village (乡镇党委);
* **branches** — every branch, general branch and joint branch, whatever its sector.
"""

from __future__ import annotations

from sqlalchemy import and_, case, false, func, or_, select

from core.brands.models import Brand
from core.brands.settings import settings
from core.db import db
from core.orgs.models import BRANCH_LEVEL_KINDS, Organization
from core.orgs.service import subtree_filter
from core.orgs.tree import SEGMENT

FIGURES = ("villages", "townships", "branches")
FIGURE_LABELS = {"villages": "一村一亮点（村级党组织）", "townships": "一乡镇一特色（乡镇党委）",
                 "branches": "一支部一品牌（党支部）"}


def default_root() -> Organization | None:
    """The highest active organisation the current user sees (a coverage page's default)."""
    from core.auth.permissions import visible_orgs_clause

    return db.session.scalar(
        select(Organization).where(visible_orgs_clause(), Organization.status == "active")
        .order_by(Organization.depth, Organization.code).limit(1))


def conditions() -> dict:
    """The WHERE clause (on :class:`Organization`) of each figure's organisations."""
    codes = settings()["rural_category_codes"]
    rural = Organization.category_code.in_(codes) if codes else false()
    flag = Organization.attributes["village"].as_boolean()
    village = and_(rural, or_(flag.is_(True), and_(flag.is_(None), Organization.kind.in_(BRANCH_LEVEL_KINDS))),
                   Organization.kind != "group")
    township = and_(rural, Organization.kind == "committee", or_(flag.is_(None), flag.is_(False)))
    return {"villages": village, "townships": township,
            "branches": Organization.kind.in_(BRANCH_LEVEL_KINDS)}


def _share(with_brand: int, total: int) -> float | None:
    return round(with_brand / total, 4) if total else None


def figure(root: Organization, key: str, where) -> dict:
    """One figure over ``root``'s subtree, with its parts (one query)."""
    part = func.substr(Organization.path, 1, len(root.path) + SEGMENT)
    branded = case((Brand.id.is_not(None), 1), else_=0)
    rows = db.session.execute(
        select(part.label("part"), func.count(Organization.id), func.coalesce(func.sum(branded), 0))
        .select_from(Organization)
        .outerjoin(Brand, Brand.org_id == Organization.id)
        .where(subtree_filter(root.path), Organization.status == "active", where)
        .group_by(part)
    ).all()
    parts = {p if len(p) > len(root.path) else root.path: (int(t), int(b)) for p, t, b in rows}
    total = sum(t for t, _b in parts.values())
    with_brand = sum(b for _t, b in parts.values())
    return {"key": key, "label": FIGURE_LABELS[key], "total": total, "with_brand": with_brand,
            "share": _share(with_brand, total), "parts": parts}


def coverage(root: Organization) -> dict:
    """The three figures of ``root``'s subtree, and each per direct child of ``root``:
    ``{"figures": [...], "children": [{"org", "figures": {key: {...}}}]}``."""
    figures = [figure(root, key, where) for key, where in conditions().items()]
    children = db.session.scalars(
        select(Organization).where(Organization.parent_id == root.id, Organization.status == "active")
        .order_by(Organization.code)
    ).all()
    rows = []
    for child in children:
        per = {}
        for fig in figures:
            total, with_brand = fig["parts"].get(child.path, (0, 0))
            per[fig["key"]] = {"total": total, "with_brand": with_brand, "share": _share(with_brand, total)}
        rows.append({"org": child, "figures": per})
    own = {}
    for fig in figures:
        total, with_brand = fig["parts"].get(root.path, (0, 0))
        own[fig["key"]] = {"total": total, "with_brand": with_brand, "share": _share(with_brand, total)}
        del fig["parts"]
    return {"root": root, "figures": figures, "children": rows, "own": own}
