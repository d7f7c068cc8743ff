"""Fixtures for the development tests: a tree, two full members to introduce, users per role,
and helpers that add an applicant and walk them along the valid timeline."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core.db import db
from core.development import service
from core.members import service as members
from core.members.validation import MemberInputSchema
from core.orgs import service as orgs
from core.orgs.models import Organization
from tests.development.helpers import timeline
from tests.members.helpers import make_id_number, member_data

START_YEARS_AGO = 4


def four_years_ago() -> date:
    today = date.today()
    return today.replace(year=today.year - START_YEARS_AGO, day=min(today.day, 28))


@pytest.fixture
def tree(tenant, in_tenant):
    """市委 R → 党委 C1 (支部 X, 支部 Y), 党委 C2 (支部 Z). Returns codes → ids."""
    with in_tenant(tenant):
        root = orgs.create(name="市委", code="R", kind="committee")
        c1 = orgs.create(name="一党委", code="C1", kind="committee", parent=root)
        c2 = orgs.create(name="二党委", code="C2", kind="committee", parent=root)
        orgs.create(name="X支部", code="X", kind="branch", parent=c1)
        orgs.create(name="Y支部", code="Y", kind="branch", parent=c1)
        orgs.create(name="Z支部", code="Z", kind="branch", parent=c2)
        db.session.commit()
        return {o.code: o.id for o in db.session.scalars(select(Organization))}


@pytest.fixture
def add_member(in_tenant):
    def add(tenant, org_id, **overrides):
        with in_tenant(tenant):
            member = members.create_member(MemberInputSchema().load(member_data(org_id, **overrides)))
            db.session.commit()
            return member.id

    return add


@pytest.fixture
def introducers(tenant, tree, add_member):
    """Two full members of X (full since 2016), ids."""
    return [add_member(tenant, tree["X"], name=n) for n in ("赵一", "钱二")]


@pytest.fixture
def secretary(tenant, tree, auth_headers):
    return auth_headers(tenant, role="branch_secretary", org=tree["X"])


@pytest.fixture
def manager(tenant, tree, auth_headers):
    return auth_headers(tenant, role="org_manager", org=tree["C1"])


def applicant_body(org_id, applied_on: date, birth: date = date(1995, 5, 6), **extra) -> dict:
    body = {
        "org_id": str(org_id), "name": "孙小明", "ethnicity": "汉族",
        "id_number": make_id_number(birth, "male"), "phone": "13912345678",
        "education": "bachelor", "applied_on": applied_on.isoformat(),
        "evidence": "入党申请书",
    }
    body.update(extra)
    return body


@pytest.fixture
def walk(client, tree, secretary):
    """``walk(start, upto, introducer_ids=(), headers=None)``: a new applicant in X who
    applied on ``start`` with every timeline step up to ``upto`` recorded through the API;
    returns the person's id."""

    def run(start: date, upto: int, introducer_ids=(), headers=None):
        headers = headers or secretary
        response = client.post("/api/v1/development", json=applicant_body(tree["X"], start),
                               headers=headers)
        assert response.status_code == 201, response.get_json()
        person_id = response.get_json()["id"]
        for step in timeline(start, introducer_ids):
            if step["code"] > upto:
                break
            answer = client.post(f"/api/v1/development/{person_id}/steps", json=step, headers=headers)
            assert answer.status_code == 201, (step, answer.get_json())
        return person_id

    return run


def rule_codes(response) -> list[str]:
    body = response.get_json()
    assert response.status_code == 422, body
    return [r["code"] for r in body["errors"]["rules"]]


def person(tenant, in_tenant, person_id):
    with in_tenant(tenant):
        return service.get_person(person_id)
