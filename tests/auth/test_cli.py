"""``dangjian users``: bad input exits 2 naming the option and writes nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from core.auth.models import ApiToken, RoleGrant, User
from core.cli import build_cli
from core.db import db
from core.orgs import service as orgs


@pytest.fixture
def run(app_ctx):
    runner = app_ctx.test_cli_runner()
    cli = build_cli()

    def invoke(*args, input=None):
        return runner.invoke(cli, ["users", *args], input=input)

    return invoke


@pytest.fixture
def branch(tenant, in_tenant):
    with in_tenant(tenant):
        org = orgs.create(name="X支部", code="X", kind="branch")
        db.session.commit()
        return org.id


def _counts(in_tenant, tenant_id):
    with in_tenant(tenant_id):
        return (
            db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(RoleGrant)),
        )


def _login(client, username, password):
    return client.post(
        "/api/v1/auth/token",
        json={"username": username, "password": password},
        headers={"X-Tenant": "alpha"},
    )


def test_create_with_role_on_an_org(run, client, tenant, branch, in_tenant):
    alpha = tenant.id
    result = run("create", "--tenant", "alpha", "Dave", "--password", "Dave-pass1",
                 "--role", "branch_secretary", "--org", "X", "--display-name", "戴夫")
    assert result.exit_code == 0, result.output
    assert "Dave-pass1" not in result.output
    with in_tenant(alpha):
        user = db.session.scalar(select(User))
        assert (user.username, user.display_name) == ("dave", "戴夫")
        grant = db.session.scalar(select(RoleGrant))
        assert (grant.role, grant.org_id) == ("branch_secretary", branch)
    assert _login(client, "dave", "Dave-pass1").status_code == 200


def test_generated_password_is_printed_once_and_works(run, client, tenant):
    result = run("create", "--tenant", "alpha", "erin", "--generate", "--role", "tenant_admin")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Password")]
    assert len(lines) == 1
    password = lines[0].rsplit(" ", 1)[1]
    assert _login(client, "erin", password).status_code == 200


def test_prompted_password(run, client, tenant):
    result = run("create", "--tenant", "alpha", "fay", input="Fay-pass12\nFay-pass12\n")
    assert result.exit_code == 0, result.output
    assert _login(client, "fay", "Fay-pass12").status_code == 200


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--role", "king"], "--role"),
        (["--password", "weak"], "--password"),
        (["--role", "member", "--org", "NOPE"], "--org"),
        (["--role", "tenant_admin", "--org", "X"], "--org"),
        (["--password", "Good-pass1", "--generate"], "--generate"),
        (["--org", "X"], "--org"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(run, tenant, branch, in_tenant, args, named):
    alpha = tenant.id
    base = ["--password", "Good-pass1"] if "--password" not in args and "--generate" not in args else []
    result = run("create", "--tenant", "alpha", "gus", *base, *args)
    assert result.exit_code == 2, result.output
    assert named in result.output
    assert _counts(in_tenant, alpha) == (0, 0)


def test_bad_username_and_unknown_tenant(run, tenant, in_tenant):
    alpha = tenant.id
    bad_name = run("create", "--tenant", "alpha", "a b", "--password", "Good-pass1")
    assert bad_name.exit_code == 2 and "USERNAME" in bad_name.output
    no_tenant = run("create", "--tenant", "nowhere", "gus", "--password", "Good-pass1")
    assert no_tenant.exit_code == 2 and "--tenant" in no_tenant.output
    assert _counts(in_tenant, alpha) == (0, 0)


def test_a_taken_username_is_a_usage_error(run, tenant, make_user, in_tenant):
    alpha = tenant.id
    make_user(tenant, "taken")
    duplicate = run("create", "--tenant", "alpha", "TAKEN", "--password", "Good-pass1")
    assert duplicate.exit_code == 2 and "USERNAME" in duplicate.output
    assert _counts(in_tenant, alpha) == (1, 1)


def test_list_grant_unlock_and_set_password(run, client, tenant, branch, make_user, in_tenant):
    alpha = tenant.id
    make_user(tenant, "hank", role=None)
    assert run("grant", "--tenant", "alpha", "hank", "org_manager", "--org", "X").exit_code == 0
    assert run("grant", "--tenant", "alpha", "nobody", "member").exit_code == 2

    with in_tenant(alpha):
        db.session.execute(
            update(User).values(failed_logins=5, locked_until=datetime.now(UTC) + timedelta(hours=1))
        )
        db.session.commit()
    listing = run("list", "--tenant", "alpha")
    assert listing.exit_code == 0
    assert "hank" in listing.output and "org_manager@X" in listing.output
    assert "locked until" in listing.output
    assert _login(client, "hank", "Passw0rd!x").status_code == 423

    assert run("unlock", "--tenant", "alpha", "hank").exit_code == 0
    login = _login(client, "hank", "Passw0rd!x")
    assert login.status_code == 200
    headers = {"Authorization": f"Bearer {login.get_json()['access_token']}", "X-Tenant": "alpha"}

    reset = run("set-password", "--tenant", "alpha", "hank", "--password", "New-pass12")
    assert reset.exit_code == 0 and "1 active token(s) revoked" in reset.output
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert _login(client, "hank", "New-pass12").status_code == 200
    with in_tenant(alpha):
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 2
