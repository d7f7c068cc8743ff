"""``dangjian demo`` from an empty folder: migrations, the demo tenant, users that can log in."""

import re

import pytest
from click.testing import CliRunner

from core.cli import build_cli

REPO_TENANTS = __import__("pathlib").Path(__file__).resolve().parents[2] / "tenants"


@pytest.fixture
def fresh_instance(monkeypatch, tmp_path):
    monkeypatch.setenv("DANGJIAN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/demo.sqlite3")
    monkeypatch.setenv("TENANTS_DIR", str(REPO_TENANTS))
    monkeypatch.delenv("REDIS_URL", raising=False)
    return tmp_path


def _run_demo():
    result = CliRunner().invoke(build_cli(), ["demo", "--no-serve"], prog_name="dangjian")
    assert result.exit_code == 0, result.output
    return result.output, dict(re.findall(r"user (\w+)\s+password (\S+)", result.output))


def test_demo_sets_up_a_city_whose_admin_can_log_in(fresh_instance):
    output, passwords = _run_demo()
    assert {"admin", "qingshan", "taoyuan"} <= set(passwords)
    assert "/api/v1/docs/" in output
    # the year's meetings are counted where the core demo makes them, before any plugin's data
    made = re.search(r"members, (\d+) meetings", output)
    assert made and int(made.group(1)) > 50, output

    from core.app import create_app

    app = create_app()
    client = app.test_client()
    response = client.post(
        "/api/v1/auth/token", json={"username": "admin", "password": passwords["admin"]},
        headers={"X-Tenant": "demo"},
    )
    assert response.status_code == 200, response.get_json()
    token = response.get_json()["access_token"]
    orgs = client.get("/api/v1/orgs?page_size=100", headers={"Authorization": f"Bearer {token}"})
    assert orgs.status_code == 200
    sectors = {o["sector"] for o in orgs.get_json()}
    assert {"rural", "community", "organs", "two_new", "soe"} <= sectors
    # every sector plugin's output is visible: its warnings are raised, its attributes shown
    admin = {"Authorization": f"Bearer {token}"}
    warnings = client.get("/api/v1/warnings?page_size=500", headers=admin).get_json()
    raised_by = {w["rule_key"].split(".")[0] for w in warnings}
    assert {"rural", "community", "organs", "two_new", "soe"} <= raised_by, raised_by
    assert all(o["attributes"] for o in orgs.get_json() if o["name"] in ("桃源村党支部", "幸福社区党委",
                                                                          "市城投集团党委"))
    [cycle] = client.get("/api/v1/cycles", headers=admin).get_json()
    rated = client.get(f"/api/v1/cycles/{cycle['id']}/results?page_size=100", headers=admin).get_json()
    assert {"桃源村党支部", "幸福社区党委", "市财政局机关党支部", "星光科技有限公司党支部",
            "市城投集团第一党支部"} <= {r["org_name"] for r in rated}

    # the branch secretary sees only their branch
    response = client.post(
        "/api/v1/auth/token", json={"username": "taoyuan", "password": passwords["taoyuan"]},
        headers={"Host": "localhost"},
    )
    assert response.status_code == 200
    token = response.get_json()["access_token"]
    names = [o["name"] for o in client.get("/api/v1/orgs", headers={"Authorization": f"Bearer {token}"}).get_json()]
    assert names == ["桃源村党支部"]
    members = client.get("/api/v1/members", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert len(members) == 8  # the demo's eight members of this branch, shown in full to its secretary
    assert all(len(m["id_number"]) == 18 and "*" not in m["id_number"] for m in members)

    # a year of work rated: the secretary sees their branch's published result, explained
    auth = {"Authorization": f"Bearer {token}"}
    cycles = client.get("/api/v1/cycles", headers=auth).get_json()
    assert [c["state"] for c in cycles] == ["published"]
    results = client.get(f"/api/v1/cycles/{cycles[0]['id']}/results", headers=auth).get_json()
    assert [r["org_name"] for r in results] == ["桃源村党支部"]
    detail = client.get(
        f"/api/v1/cycles/{cycles[0]['id']}/results/{results[0]['org_id']}", headers=auth
    ).get_json()
    assert detail["stars"] >= 3, detail
    points = client.get(
        f"/api/v1/points/ranking?org={results[0]['org_id']}&page_size=100", headers=auth
    )
    assert points.status_code == 200 and len(points.get_json()) == 8


def test_demo_runs_again_without_duplicates(fresh_instance):
    _run_demo()
    output, passwords = _run_demo()
    assert "(0 organisations, 0 members, 0 meetings, 0 point entries, 0 warnings added" in output
    assert set(passwords) == {"admin", "qingshan", "taoyuan", "dangyuan", "operator"}


def test_the_member_account_is_linked_to_a_member_of_its_branch(fresh_instance):
    _run_demo()
    from sqlalchemy import select

    from core.app import create_app
    from core.auth.models import User
    from core.db import db
    from core.members.models import Member
    from core.orgs.models import Organization
    from core.tenancy import tenant_context
    from core.tenancy.models import Tenant

    with create_app().app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "demo"))
        with tenant_context(tenant.id):
            user = db.session.scalar(select(User).where(User.username == "dangyuan"))
            member = db.session.scalar(select(Member).where(Member.id == user.member_id))
            branch = db.session.scalar(select(Organization).where(Organization.id == member.org_id))
            assert branch.code == "SZ-QS-TY-01" and member.status in ("full", "probationary")
