"""The ORM wall: every query on a tenant-owned model is scoped, and no tenant means an error."""

import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from core.db import db, new_id
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.tenancy import TenancyError


def _org(code, parent=None):
    return orgs.create(name=f"{code} 党委", code=code, kind="committee", parent=parent)


def test_select_sees_only_current_tenant(tenant, tenant_b, in_tenant):
    with in_tenant(tenant):
        _org("A1")
        db.session.commit()
    with in_tenant(tenant_b):
        _org("B1")
        _org("B2")
        db.session.commit()
    with in_tenant(tenant):
        assert db.session.scalars(select(Organization.code)).all() == ["A1"]
    with in_tenant(tenant_b):
        assert sorted(db.session.scalars(select(Organization.code))) == ["B1", "B2"]
        assert db.session.scalar(select(func.count()).select_from(Organization)) == 2


def test_no_tenant_raises_instead_of_returning_all_rows(tenant, in_tenant, app_ctx):
    with in_tenant(tenant):
        _org("A1")
        db.session.commit()
    with pytest.raises(TenancyError):
        db.session.scalars(select(Organization)).all()
    db.session.rollback()
    with pytest.raises(TenancyError):
        db.session.execute(update(Organization).values(name="x"))
    db.session.rollback()
    with pytest.raises(TenancyError):
        db.session.execute(delete(Organization))
    db.session.rollback()
    with pytest.raises(TenancyError):
        db.session.add(Organization(code="X", name="x", kind="branch", path="/x/"))
        db.session.flush()
    db.session.rollback()


def test_bulk_update_and_delete_touch_only_current_tenant(tenant, tenant_b, in_tenant):
    with in_tenant(tenant):
        _org("A1")
        db.session.commit()
    with in_tenant(tenant_b):
        _org("B1")
        db.session.commit()
    with in_tenant(tenant):
        db.session.execute(update(Organization).values(name="renamed"))
        db.session.execute(delete(Organization).where(Organization.code == "B1"))
        db.session.commit()
    with in_tenant(tenant_b):
        assert db.session.scalar(select(Organization.name)) == "B1 党委"


def test_insert_is_stamped_and_foreign_tenant_refused(tenant, tenant_b, in_tenant):
    with in_tenant(tenant):
        org = _org("A1")
        db.session.commit()
        assert org.tenant_id == tenant.id
        with pytest.raises(TenancyError):
            db.session.add(
                Organization(tenant_id=tenant_b.id, code="X", name="x", kind="branch", path="/x/")
            )
            db.session.flush()
        db.session.rollback()
        with pytest.raises(TenancyError):
            db.session.execute(
                insert(Organization),
                [{"tenant_id": tenant_b.id, "id": new_id(), "code": "Y", "name": "y",
                  "kind": "branch", "path": "/y/", "depth": 0}],
            )
        db.session.rollback()


def test_database_refuses_parent_in_another_tenant(tenant, tenant_b, in_tenant):
    """The composite foreign key (tenant_id, parent_id) is the database's own wall."""
    with in_tenant(tenant_b):
        foreign_parent = _org("B1")
        db.session.commit()
        foreign_id = foreign_parent.id
    with in_tenant(tenant):
        child = Organization(code="A1", name="a", kind="branch", path="/a/", parent_id=foreign_id)
        db.session.add(child)
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_relationship_and_join_queries_are_scoped(tenant, tenant_b, in_tenant):
    with in_tenant(tenant_b):
        root_b = _org("B-root")
        _org("B-child", parent=root_b)
        db.session.commit()
    with in_tenant(tenant):
        root = _org("A-root")
        _org("A-child", parent=root)
        db.session.commit()
        parent = db.orm.aliased(Organization)
        rows = db.session.execute(
            select(Organization.code, parent.code).join(parent, Organization.parent_id == parent.id)
        ).all()
        assert rows == [("A-child", "A-root")]
