"""The smallest city the web tests start from: tenant alpha with 甲市委 R → 一支部 B1,
二支部 B2, and tenant beta with a root of its own (coded R too, so a code never leaks
across cities). :func:`two_branches` returns the ids by name."""

from __future__ import annotations

from core.db import db
from core.orgs import service as orgs


def two_branches(tenant, tenant_b, in_tenant) -> dict:
    with in_tenant(tenant):
        root = orgs.create(name="甲市委", code="R", kind="committee")
        one = orgs.create(name="一支部", code="B1", kind="branch", parent=root)
        two = orgs.create(name="二支部", code="B2", kind="branch", parent=root)
        db.session.commit()
        ids = {"root": root.id, "one": one.id, "two": two.id}
    with in_tenant(tenant_b):
        ids["beta"] = orgs.create(name="乙市委", code="R", kind="committee").id
        db.session.commit()
    return ids
