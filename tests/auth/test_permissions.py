"""Role hierarchy and organisation scope, checked directly (no HTTP)."""

import pytest
from sqlalchemy import select

from core.api.errors import ApiError
from core.auth import service
from core.auth.context import Actor, acting_as
from core.auth.models import RoleGrant
from core.auth.permissions import has_role, require_org_access, roles_required, visible_orgs_clause
from core.db import db
from core.orgs import service as orgs
from core.orgs.models import Organization


@pytest.fixture
def tree(tenant, in_tenant):
    """市委 R → 党委 C1 (支部 X with 党小组 G, 支部 Y), 党委 C2 (支部 Z). Returns codes → ids."""
    with in_tenant(tenant):
        root = orgs.create(name="市委", code="R", kind="committee")
        c1 = orgs.create(name="一党委", code="C1", kind="committee", parent=root)
        c2 = orgs.create(name="二党委", code="C2", kind="committee", parent=root)
        x = orgs.create(name="X支部", code="X", kind="branch", parent=c1)
        orgs.create(name="Y支部", code="Y", kind="branch", parent=c1)
        orgs.create(name="Z支部", code="Z", kind="branch", parent=c2)
        orgs.create(name="G小组", code="G", kind="group", parent=x)
        db.session.commit()
        return {o.code: o.id for o in db.session.scalars(select(Organization))}


def _as(user):
    return acting_as(Actor(label=f"user:{user.username}", user_id=user.id))


def _org(code):
    return orgs.by_code(code)


def _visible(in_tenant, tenant, user):
    with in_tenant(tenant), _as(user):
        return sorted(db.session.scalars(select(Organization.code).where(visible_orgs_clause())))


def test_tenant_admin_holds_every_lower_role_everywhere(tenant, tree, make_user, in_tenant):
    admin = make_user(tenant, role="tenant_admin")
    with in_tenant(tenant), _as(admin):
        for role in ("tenant_admin", "org_manager", "branch_secretary", "member"):
            assert has_role(role)
            assert has_role(role, _org("G"))
        assert not has_role("platform_operator")
    assert _visible(in_tenant, tenant, admin) == ["C1", "C2", "G", "R", "X", "Y", "Z"]


def test_org_manager_scope_is_the_subtree(tenant, tree, make_user, in_tenant):
    manager = make_user(tenant, role="org_manager", org=tree["C1"])
    with in_tenant(tenant), _as(manager):
        assert has_role("org_manager", _org("C1"))
        assert has_role("branch_secretary", _org("X"))
        assert has_role("member", _org("G"))
        assert not has_role("org_manager", _org("C2"))
        assert not has_role("member", _org("R"))  # an ancestor is not covered
        assert not has_role("tenant_admin")
        assert has_role("org_manager")  # somewhere in the tenant
    assert _visible(in_tenant, tenant, manager) == ["C1", "G", "X", "Y"]


def test_branch_secretary_sees_only_their_branch(tenant, tree, make_user, in_tenant):
    secretary = make_user(tenant, role="branch_secretary", org=tree["X"])
    assert _visible(in_tenant, tenant, secretary) == ["G", "X"]
    with in_tenant(tenant), _as(secretary):
        assert require_org_access(_org("X")).code == "X"
        assert not has_role("org_manager", _org("X"))
        with pytest.raises(ApiError) as sibling:
            require_org_access(_org("Y"))
        assert sibling.value.status == 404
        with pytest.raises(ApiError) as higher_role:
            require_org_access(_org("X"), role="org_manager")
        assert higher_role.value.status == 403


def test_several_grants_add_up(tenant, tree, make_user, in_tenant):
    user = make_user(tenant, role="member", org=tree["Y"])
    with in_tenant(tenant):
        stored = service.get_user(user.id)
        service.grant(stored, "branch_secretary", _org("Z"))
        service.grant(stored, "member", _org("G"))  # inside nothing else: its own subtree
        db.session.commit()
    assert _visible(in_tenant, tenant, user) == ["G", "Y", "Z"]


def test_no_user_or_no_grant_sees_nothing(tenant, tree, make_user, in_tenant):
    nobody = make_user(tenant, role=None)
    assert _visible(in_tenant, tenant, nobody) == []
    with in_tenant(tenant):
        assert db.session.scalars(select(Organization).where(visible_orgs_clause())).all() == []
        assert not has_role("member")


def test_grant_rules(tenant, tree, make_user, in_tenant):
    user = make_user(tenant, role=None)
    with in_tenant(tenant):
        stored = service.get_user(user.id)
        with pytest.raises(ApiError) as scoped_admin:
            service.grant(stored, "tenant_admin", _org("C1"))
        assert scoped_admin.value.status == 422 and "org_id" in scoped_admin.value.errors
        with pytest.raises(ApiError) as unknown:
            service.grant(stored, "superuser")
        assert unknown.value.status == 422 and "role" in unknown.value.errors
        first = service.grant(stored, "org_manager", _org("C1"))
        again = service.grant(stored, "org_manager", _org("C1"))
        wide = service.grant(stored, "member")
        assert service.grant(stored, "member").id == wide.id
        assert first.id == again.id
        db.session.commit()
        assert len(db.session.scalars(select(RoleGrant)).all()) == 2


def test_roles_required_refuses_unknown_roles_at_definition():
    with pytest.raises(ValueError):
        roles_required("admin")
    with pytest.raises(ValueError):
        roles_required()
