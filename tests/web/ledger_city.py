"""A small city for the ledger pages' tests (problems, warnings, dashboard): tenant alpha
with 市委 → 镇党委 → 一支部, 二支部; members; users at each level; and tenant beta with an
organisation of its own. :func:`build` returns the ids by name."""

from __future__ import annotations

from datetime import date, timedelta

from core.db import db
from core.members.models import Member
from core.orgs import service as orgs
from core.problems import service as problems

_serial = iter(range(1, 10**6))


def add_member(org, name: str, *, status: str = "full", gender: str = "male",
               born: date = date(1980, 5, 1), joined: date = date(2010, 7, 1), **fields) -> Member:
    n = next(_serial)
    member = Member(org_id=org.id, name=name, gender=gender, ethnicity="汉族", birth_date=born,
                    id_number=f"1101011980{n:08d}", id_number_index=f"idx-{n}-{name}",
                    joined_on=joined, full_on=joined + timedelta(days=366) if status != "probationary" else None,
                    status=status, **fields)
    db.session.add(member)
    db.session.flush()
    return member


def add_problem(org, title: str, *, source: str = "inspection", deadline: date | None = None,
                found_on: date | None = None):
    found_on = found_on or date.today() - timedelta(days=60)
    return problems.create_problem(org, {
        "source": source, "category": "组织生活", "title": title, "found_on": found_on,
        "deadline": deadline or date.today() + timedelta(days=30),
    })


def build(tenant, tenant_b, in_tenant, make_user) -> dict:
    """The city; ``ids["t"]`` is tenant alpha's id (use it rather than the ``tenant`` object,
    which a request may leave detached)."""
    tenant, tenant_b = tenant.id, tenant_b.id
    with in_tenant(tenant):
        root = orgs.create(name="甲市委", code="R", kind="committee")
        town = orgs.create(name="甲镇党委", code="R-T", kind="committee", parent=root)
        one = orgs.create(name="一支部", code="R-T-1", kind="branch", parent=town)
        two = orgs.create(name="二支部", code="R-T-2", kind="branch", parent=town)
        db.session.flush()
        add_member(one, "张一", gender="female", born=date(1995, 3, 1), joined=date(2020, 6, 1))
        add_member(one, "李二", status="probationary", joined=date.today() - timedelta(days=100))
        add_member(two, "王三", born=date(1950, 1, 1), joined=date(1975, 1, 1))
        db.session.commit()
        ids = {"t": tenant, "root": root.id, "town": town.id, "one": one.id, "two": two.id}
    with in_tenant(tenant_b):
        beta = orgs.create(name="乙市委", code="R", kind="committee")
        db.session.flush()
        ids["beta_problem"] = add_problem(beta, "乙市的问题").id
        db.session.commit()
        ids["beta"] = beta.id
    make_user(tenant, username="admin")
    make_user(tenant, username="manager", role="org_manager", org=ids["town"])
    make_user(tenant, username="sec1", role="branch_secretary", org=ids["one"])
    make_user(tenant, username="member1", role="member", org=ids["one"])
    return ids
