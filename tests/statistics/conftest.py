"""A small seeded city plus hand-made edge cases, and an independent count of every figure.

:func:`direct_counts` reads the same tables with raw SQL and classifies the rows in Python
(ages by calendar arithmetic, reasons by words), so a figure is checked against a count that
shares none of the service's SQL conditions.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import select, text

from core.db import db
from core.members import service as members
from core.members.service import record_values
from core.orgs import service as orgs
from core.orgs import units
from core.orgs.models import Organization
from core.plugins import service as plugin_service
from core.seed import service as seed_service
from core.seed.profiles import PROFILES, Profile
from core.transfers import register
from tests.members.helpers import make_id_number

TINY = Profile("stats_tiny", 24, 160, 1, months=1)
SEED_TODAY = date(2026, 2, 1)
YEAR = 2025
END = date(2025, 12, 31)
HALF_END = date(2025, 6, 30)
SECTOR_PLUGINS = ("rural", "community", "organs", "two_new", "soe")


def _member(
    org,
    name,
    *,
    birth,
    joined,
    full_on=None,
    status=None,
    gender="male",
    ethnicity="汉族",
    education="bachelor",
    job="企业职工",
):
    data = {
        "org_id": org.id,
        "name": name,
        "gender": gender,
        "ethnicity": ethnicity,
        "birth_date": birth,
        "id_number": make_id_number(birth, gender),
        "joined_on": joined,
        "full_on": full_on,
        "status": status or ("full" if full_on else "probationary"),
        "education": education,
        "job": job,
    }
    for field in ("phone", "address", "work_unit"):
        data.setdefault(field, None)
    for flag in ("is_retired", "is_farmer", "is_student", "is_unemployed", "community_registered"):
        data[flag] = False
    return members.create_member(data)


def build_city(tenant) -> dict:
    """Seed the tiny city, then add committee E (branch E1, joint branch EJ) beside it, and
    branch X outside E. Returns ids and the people of the edge cases."""
    for name in SECTOR_PLUGINS:
        plugin_service.set_enabled(name, True)
    db.session.commit()
    seed_service.seed(TINY.name, today=SEED_TODAY)
    db.session.commit()
    seed_root = db.session.scalar(
        select(Organization).where(Organization.parent_id.is_(None)).order_by(Organization.code)
    )
    e = orgs.create(name="边界党委", code="E", kind="committee", parent=seed_root)
    e1 = orgs.create(name="边界一支部", code="E1", kind="branch", parent=e)
    ej = orgs.create(name="边界联合支部", code="EJ", kind="joint_branch", parent=e)
    x = orgs.create(name="外部支部", code="X", kind="branch", parent=seed_root)
    gone = orgs.create(name="已撤销支部", code="EG", kind="branch", parent=e)
    db.session.flush()
    e.category_code, e1.category_code, ej.category_code = 2, 2, 8
    gone.status, gone.dissolved_on = "dissolved", date(2025, 3, 1)
    units.create(e1, name="甲科技有限公司", unit_type="enterprise")
    units.create(ej, name="乙协会", unit_type="social_organisation")
    units.create(ej, name="丙商贸公司", unit_type="enterprise")
    units.create(e1, name="丁村", unit_type="village")
    db.session.flush()
    people = {
        # exactly 31 on the period's end: band 31_35; a day younger: 30 and under
        "boundary_31": _member(
            e1,
            "边界甲",
            birth=date(1994, 12, 31),
            joined=date(2015, 1, 5),
            full_on=date(2016, 1, 5),
        ),
        "under_31": _member(
            e1,
            "边界乙",
            birth=date(1995, 1, 1),
            joined=date(2015, 1, 5),
            full_on=date(2016, 1, 5),
            gender="female",
            ethnicity="回族",
            education=None,
            job=None,
        ),
        # admitted on the last day of the year; converted on the last day of the half
        "admitted_last_day": _member(e1, "边界丙", birth=date(1990, 5, 1), joined=END),
        "converted": _member(ej, "边界丁", birth=date(1970, 5, 1), joined=date(2024, 6, 30)),
        "dead": _member(
            ej,
            "边界戊",
            birth=date(1940, 5, 1),
            joined=date(1960, 5, 1),
            full_on=date(1961, 5, 1),
            job="离退休人员",
        ),
        "withdrew": _member(
            ej, "边界己", birth=date(1980, 5, 1), joined=date(2000, 5, 1), full_on=date(2001, 5, 1)
        ),
        "traveller": _member(
            e1,
            "边界庚",
            birth=date(1985, 5, 1),
            joined=date(2005, 5, 1),
            full_on=date(2006, 5, 1),
            education="postgraduate",
        ),
        "mover": _member(
            x, "边界辛", birth=date(1975, 5, 1), joined=date(2005, 5, 1), full_on=date(2006, 5, 1)
        ),
        "lost": _member(
            e1, "边界壬", birth=date(1960, 5, 1), joined=date(1990, 5, 1), full_on=date(1991, 5, 1)
        ),
    }
    db.session.flush()
    members.change_status(people["converted"], "full", HALF_END, "期满转正")
    members.change_status(people["dead"], "deceased", date(2025, 3, 3), "病故")
    members.change_status(people["withdrew"], "left", date(2025, 8, 8), "本人申请退党")
    members.change_status(
        people["lost"], "lost_contact", date(2025, 4, 1), lost_contact_reason="migrant_work"
    )
    # transferred out to another tenant, then back in within the year
    traveller = people["traveller"]
    members.change_status(
        traveller, "transferred_out", date(2025, 2, 1), "调动", event_kind="transfer_out"
    )
    snapshot = {
        k: (v.isoformat() if isinstance(v, date) else v)
        for k, v in record_values(traveller).items()
    }
    register.admit(snapshot, e1, occurred_on=date(2025, 9, 1), reason="调回", details={})
    # moved into E from X (in for E, out for X), then within E
    members.move_member(people["mover"], e1, date(2025, 5, 5), "调整")
    members.move_member(people["mover"], ej, date(2025, 6, 6), "调整")
    db.session.commit()
    return {
        "root": seed_root.id,
        "e": e.id,
        "e1": e1.id,
        "ej": ej.id,
        "x": x.id,
        "people": {k: m.id for k, m in people.items()},
    }


@pytest.fixture
def city(tenant, in_tenant, monkeypatch):
    monkeypatch.setitem(PROFILES, TINY.name, TINY)
    with in_tenant(tenant):
        return build_city(tenant)


def _d(value):
    """A date from a raw row (SQLite returns text)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


AGE_LIMITS = (
    (30, "30_and_under"),
    (35, "31_35"),
    (40, "36_40"),
    (45, "41_45"),
    (50, "46_50"),
    (55, "51_55"),
    (60, "56_60"),
    (70, "61_70"),
)
EDUCATION = (
    "postgraduate",
    "bachelor",
    "college",
    "secondary_vocational",
    "high_school",
    "junior_or_below",
)

LOST_REASONS = (
    "migrant_work",
    "restructuring",
    "graduated_unknown",
    "job_changed",
    "abroad",
    "moved",
    "other",
)


def _band(age: int) -> str:
    return next((label for limit, label in AGE_LIMITS if age <= limit), "over_70")


def _table():
    return defaultdict(lambda: defaultdict(int))


def direct_counts(tenant_id: int, root_path: str, year: int, period: str) -> dict:
    """Every figure, counted from raw rows in Python."""
    start = date(year, 1, 1)
    end = date(year, 6, 30) if period == "half" else date(year, 12, 31)
    params = {"t": tenant_id, "p": root_path + "%"}
    paths = dict(
        db.session.execute(
            text("SELECT id, path FROM organizations WHERE tenant_id = :t"), params
        ).all()
    )
    # the state at ``end``, replayed: the first later event naming where/what the member was
    before: dict = {}
    if end < date.today():
        later = db.session.execute(
            text(
                "SELECT member_id, from_org_id, from_status FROM member_events "
                "WHERE tenant_id = :t AND occurred_on > :end ORDER BY occurred_on, created_at, id"
            ),
            {**params, "end": end},
        ).all()
        for member_id, from_org, from_status in later:
            was = before.setdefault(str(member_id), {})
            if from_org is not None:
                was.setdefault("org", from_org)
            if from_status is not None:
                was.setdefault("status", from_status)
        # the last loss of contact by ``end``: its day and reason (the register may have cleared them)
        for member_id, on, details in db.session.execute(
            text(
                "SELECT member_id, occurred_on, details FROM member_events WHERE tenant_id = :t "
                "AND occurred_on <= :end AND to_status = 'lost_contact' "
                "ORDER BY occurred_on, created_at, id"
            ),
            {**params, "end": end},
        ).all():
            details = json.loads(details) if isinstance(details, str) else details or {}
            was = before.setdefault(str(member_id), {})
            was["lost_since"], was["lost_reason"] = on, details.get("lost_contact_reason")
    rows = []
    for member_id, org_id, *values in db.session.execute(
        text(
            "SELECT id, org_id, gender, ethnicity, birth_date, education, job, joined_on, "
            "full_on, status, lost_contact_since, lost_contact_reason FROM members "
            "WHERE tenant_id = :t"
        ),
        params,
    ).all():
        was = before.get(str(member_id), {})
        path = paths.get(was.get("org", org_id)) or ""
        if not path.startswith(root_path):
            continue
        if "status" in was:
            values[7] = was["status"]
        if "lost_since" in was:
            values[8] = was["lost_since"]
            values[9] = was["lost_reason"] or values[9]
        rows.append(values)
    out = {
        k: _table()
        for k in (
            "gender",
            "ethnicity",
            "age",
            "education",
            "job",
            "development",
            "lost_contact",
            "transfers",
            "leaving",
            "organizations",
            "coverage",
        )
    }
    for (
        gender,
        ethnicity,
        birth,
        education,
        job,
        joined,
        full_on,
        status,
        lost_since,
        lost_reason,
    ) in rows:
        joined, full_on, birth, lost_since = _d(joined), _d(full_on), _d(birth), _d(lost_since)
        dev = out["development"]["total"]
        dev["admitted"] += start <= joined <= end
        dev["converted"] += full_on is not None and start <= full_on <= end
        dev["lost_contact_new"] += (
            status == "lost_contact" and lost_since is not None and start <= lost_since <= end
        )
        dev["lost_contact"] += status == "lost_contact" and (
            lost_since is None or lost_since <= end
        )
        if status == "lost_contact" and (lost_since is None or lost_since <= end):
            out["lost_contact"]["total"]["total"] += 1
            out["lost_contact"]["total"][
                lost_reason if lost_reason in LOST_REASONS else "unknown"
            ] += 1
        if status not in ("probationary", "full", "mobile", "lost_contact") or joined > end:
            continue
        for row in ("total", "full" if full_on and full_on <= end else "probationary"):
            values = {
                "gender": gender,
                "ethnicity": "han" if ethnicity == "汉族" else "minority",
                "age": _band(_age(birth, end)),
                "education": education if education in EDUCATION else "unknown",
                "job": job or "unknown",
            }
            for table, column in values.items():
                out[table][row]["total"] += 1
                out[table][row][column] += 1
    events = db.session.execute(
        text(
            "SELECT e.kind, e.occurred_on, e.reason, e.to_status, f.path, t.path "
            "FROM member_events e "
            "LEFT JOIN organizations f ON f.id = e.from_org_id AND f.tenant_id = e.tenant_id "
            "LEFT JOIN organizations t ON t.id = e.to_org_id AND t.tenant_id = e.tenant_id "
            "WHERE e.tenant_id = :t"
        ),
        {"t": tenant_id},
    ).all()
    for kind, on, reason, to_status, from_path, to_path in events:
        if not start <= _d(on) <= end:
            continue
        inside_from = bool(from_path and from_path.startswith(root_path))
        inside_to = bool(to_path and to_path.startswith(root_path))
        row = {"moved": "internal", "transfer_in": "external", "transfer_out": "external"}.get(kind)
        direction = None
        if inside_to and (kind == "transfer_in" or (kind == "moved" and not inside_from)):
            direction = "in"
        if inside_from and (kind == "transfer_out" or (kind == "moved" and not inside_to)):
            direction = "out"
        if direction:
            out["transfers"]["total"][direction] += 1
            out["transfers"][row][direction] += 1
        if kind == "status_changed" and inside_from and to_status in ("deceased", "left"):
            words = reason or ""
            if to_status == "deceased":
                why = "death"
            elif "开除" in words or "出党" in words:
                why = "expelled"
            elif "退党" in words:
                why = "withdrew"
            elif "脱党" in words:
                why = "lapsed"
            elif "除名" in words:
                why = "removed"
            else:
                why = "other"
            out["leaving"]["total"]["total"] += 1
            out["leaving"]["total"][why] += 1
    org_rows = db.session.execute(
        text(
            "SELECT kind, category_code, status, founded_on, dissolved_on FROM organizations "
            "WHERE tenant_id = :t AND path LIKE :p"
        ),
        params,
    ).all()
    for kind, code, status, founded, dissolved in org_rows:
        founded, dissolved = _d(founded), _d(dissolved)
        if founded and founded > end:
            continue
        if (dissolved and dissolved <= end) or (status != "active" and not dissolved):
            continue
        column = str(code) if code in range(1, 10) else "unknown"
        for row in ("total", kind):
            out["organizations"][row]["total"] += 1
            out["organizations"][row][column] += 1
    unit_rows = db.session.execute(
        text(
            "SELECT u.unit_type, o.kind FROM org_units u JOIN organizations o "
            "ON o.id = u.org_id AND o.tenant_id = u.tenant_id "
            "WHERE u.tenant_id = :t AND o.path LIKE :p AND o.status = 'active'"
        ),
        params,
    ).all()
    for unit_type, kind in unit_rows:
        if unit_type in ("enterprise", "social_organisation"):
            out["coverage"][unit_type]["units"] += 1
            out["coverage"][unit_type]["joint" if kind == "joint_branch" else "own_org"] += 1
    return out


def nonzero(cells: dict) -> dict:
    """``{row: {column: n}}`` without the zeros, to compare with a defaultdict count."""
    return {
        r: {c: n for c, n in cols.items() if n} for r, cols in cells.items() if any(cols.values())
    }
