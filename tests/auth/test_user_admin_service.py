"""Service operations the users screen needs beyond the API: revoking one grant, disabling
and enabling an account."""

import uuid

import pytest
from sqlalchemy import select

from core.api.errors import ApiError
from core.auth import service
from core.auth.models import ApiToken, RoleGrant
from core.db import db
from core.orgs import service as orgs


def test_revoke_grant_removes_only_that_users_grant(tenant, in_tenant, make_user):
    make_user(tenant, "ann", role="org_manager")
    make_user(tenant, "bob", role="org_manager")
    with in_tenant(tenant):
        org = orgs.create(name="一支部", code="B1", kind="branch")
        ann, bob = service.find_user("ann"), service.find_user("bob")
        on_branch = service.grant(ann, "branch_secretary", org)
        bobs = service.grants_of(bob)[0][0]
        db.session.commit()
        with pytest.raises(ApiError) as refused:
            service.revoke_grant(ann, bobs.id)  # not ann's grant: unknown here
        assert refused.value.status == 404
        with pytest.raises(ApiError):
            service.revoke_grant(ann, uuid.uuid4())
        service.revoke_grant(ann, on_branch.id)
        db.session.commit()
        assert [g.role for g, _org in service.grants_of(ann)] == ["org_manager"]
        assert db.session.scalar(select(RoleGrant).where(RoleGrant.id == bobs.id)) is not None


def test_disabling_revokes_tokens_and_refuses_logins(tenant, in_tenant, make_user):
    make_user(tenant, "ann", role="member")
    with in_tenant(tenant):
        ann = service.find_user("ann")
        token, _ttl = service.issue_token(ann)
        db.session.commit()
        service.set_active(ann, False)
        db.session.commit()
        assert service.find_token(token) is None
        assert db.session.scalars(select(ApiToken.revoked_at)).all() != [None]
        with pytest.raises(ApiError) as refused:
            service.authenticate_password("ann", "Passw0rd!x")
        assert refused.value.status == 401
        service.set_active(ann, True)
        db.session.commit()
        assert service.authenticate_password("ann", "Passw0rd!x").username == "ann"
