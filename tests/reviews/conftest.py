"""Fixtures for the secretaries' review tests.

``city``: 市委 R → 一党委 C1 (支部 X, 支部 Y), 二党委 C2 (支部 Z); members: X has 3 (the first
is its secretary), Y 2 (the first its secretary), Z 1 (its secretary), C1 1 (its
secretary); C2 has no secretary. Returns code → id, and ``members`` (code → member ids).

``account(tenant, role, code, member=None)`` gives headers of a new user holding ``role``
on ``code`` (None: tenant-wide), its account linked to the register member ``member``.

``publish_assessment(year, {org_id: score})`` publishes a yearly star-rating cycle with
those results; ``open_warning(org_id)`` adds an open warning.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.auth.models import User
from core.db import db
from core.db.mixins import utcnow
from core.members.models import Member
from core.orgs import posts
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.tenancy.models import Tenant
from tests.conftest import _tenant_id
from tests.support.auth import DEFAULT_PASSWORD

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
_serial = itertools.count(1)
YEAR = date.today().year


def add_member(org_id, name: str | None = None) -> Member:
    n = next(_serial)
    member = Member(org_id=org_id, name=name or f"党员{n}", gender="male", ethnicity="汉族",
                    birth_date=date(1980, 1, 1), id_number=f"REVIEW-ID-{n}",
                    id_number_index=f"review-index-{n}", joined_on=date(2010, 1, 1),
                    full_on=date(2011, 1, 1), status="full")
    db.session.add(member)
    db.session.flush()
    return member


@pytest.fixture
def city(tenant, in_tenant):
    with in_tenant(tenant):
        root = orgs.create(name="市委", code="R", kind="committee")
        c1 = orgs.create(name="一党委", code="C1", kind="committee", parent=root)
        c2 = orgs.create(name="二党委", code="C2", kind="committee", parent=root)
        x = orgs.create(name="X支部", code="X", kind="branch", parent=c1)
        y = orgs.create(name="Y支部", code="Y", kind="branch", parent=c1)
        z = orgs.create(name="Z支部", code="Z", kind="branch", parent=c2)
        orgs.create(name="X一组", code="XG", kind="group", parent=x)
        db.session.flush()
        people = {
            "X": [add_member(x.id, "张书记"), add_member(x.id, "李党员"), add_member(x.id, "王党员")],
            "Y": [add_member(y.id, "赵书记"), add_member(y.id, "钱党员")],
            "Z": [add_member(z.id, "孙书记")],
            "C1": [add_member(c1.id, "周书记")],
        }
        for code, org in (("X", x), ("Y", y), ("Z", z), ("C1", c1)):
            posts.start(org, post="secretary", started_on=date(YEAR - 2, 1, 1), member_id=people[code][0].id)
        db.session.commit()
        ids = {o.code: o.id for o in db.session.scalars(select(Organization))}
        ids["members"] = {code: [m.id for m in found] for code, found in people.items()}
        return ids


@pytest.fixture
def account(client, make_user, city):
    def headers(tenant, role="member", code=None, member=None) -> dict:
        user = make_user(tenant, role=role, org=city[code] if code is not None else None)
        tenant_id = _tenant_id(tenant)
        if member is not None:
            from core.tenancy import tenant_context

            with tenant_context(tenant_id):
                row = db.session.scalar(select(User).where(User.id == user.id))
                row.member_id = member
                db.session.commit()
        slug = db.session.get(Tenant, tenant_id).slug
        response = client.post("/api/v1/auth/token", headers={"X-Tenant": slug},
                               json={"username": user.username, "password": DEFAULT_PASSWORD})
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['access_token']}", "X-Tenant": slug}

    return headers


@pytest.fixture
def people(account, tenant, city):
    """The city's cast, as headers: ``admin`` (tenant-wide), ``county`` (org_manager on R),
    ``c1`` (org_manager on C1), the secretaries ``sec_x``, ``sec_y``, ``sec_z``, ``sec_c1``
    (their register accounts, branch_secretary on their organisation), members ``x2``,
    ``x3``, ``y2`` (member accounts)."""
    m = city["members"]
    return {
        "admin": account(tenant, "tenant_admin"),
        "county": account(tenant, "org_manager", "R"),
        "c1": account(tenant, "org_manager", "C1"),
        "sec_x": account(tenant, "branch_secretary", "X", m["X"][0]),
        "sec_y": account(tenant, "branch_secretary", "Y", m["Y"][0]),
        "sec_z": account(tenant, "branch_secretary", "Z", m["Z"][0]),
        "sec_c1": account(tenant, "branch_secretary", "C1", m["C1"][0]),
        "x2": account(tenant, "member", "X", m["X"][1]),
        "x3": account(tenant, "member", "X", m["X"][2]),
        "y2": account(tenant, "member", "Y", m["Y"][1]),
    }


def publish_assessment(year: int, scores: dict, root_code_id) -> None:
    """A published yearly star-rating cycle of ``year`` rooted at ``root_code_id`` with
    ``scores`` (org id → points) as its results (in the current tenant; flushed)."""
    from core.assessment import cycles, standards
    from core.assessment.models.cycles import PUBLISHED, OrgResult

    standard = standards.create_standard(f"述职测试标准{next(_serial)}",
                                         [{"indicator": "problems.overdue", "weight": 100, "params": {}}])
    db.session.flush()
    cycle = cycles.open_cycle(name=f"{year}年度评星", period="year", year=year,
                              root_org=orgs.get(root_code_id), standard_ids=[standard.id])
    db.session.flush()
    [(frozen, version)] = cycles.frozen_versions(cycle)
    for org_id, score in scores.items():
        db.session.add(OrgResult(cycle_id=cycle.id, org_id=org_id, standard_id=frozen.id,
                                 version_id=version.id, kind="branch", score=Decimal(str(score))))
    cycle.state = PUBLISHED
    cycle.published_at = utcnow()
    db.session.flush()


def open_warning(org_id, key: str = "life.test") -> None:
    from core.warnings.models import Warning

    now = utcnow()
    db.session.add(Warning(rule_key=key, org_id=org_id, subject_key=str(next(_serial)), severity="warning",
                           message="测试预警", figures={}, state="open", opened_at=now, last_seen_at=now))
    db.session.flush()
