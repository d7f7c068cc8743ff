"""PostgreSQL restarted (issue 9, faults point 2): the app and a running worker carry on
without being restarted themselves.

* Every connection of the test's database cut with ``pg_terminate_backend`` (what a server
  restart or a fail-over does to them) — on the machine's server, but only this test
  process's own database: the next API request, web page, record write and job all work.
* A private PostgreSQL (``initdb`` + ``pg_ctl`` on a free port, never the shared server)
  really restarted: the next request works; while it is *down*, a request is a clean 503
  (JSON for the API, a Chinese line for a page), not a 500; once it is back, requests work.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from core.api.errors import DATABASE_AWAY, database_away
from core.auth import service as auth_service
from core.db import db
from core.models import load_all_models
from core.orgs import service as orgs
from core.tenancy import tenant_context
from core.tenancy.models import Tenant
from tests.conftest import PG_ADMIN_URL
from tests.faults.conftest import job_row
from tests.faults.processes import Dangjian, environment
from tests.faults.services import second_app
from tests.support.auth import DEFAULT_PASSWORD
from tests.web.cities import two_branches
from tests.web.conftest import WebSession


def _cut_every_connection(app) -> int:
    """``pg_terminate_backend`` on every session of the test's database (not this admin
    one); how many there were."""
    database = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    admin = create_engine(
        make_url(PG_ADMIN_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as connection:
            return len(
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :db AND pid <> pg_backend_pid()"
                    ),
                    {"db": database},
                ).all()
            )
    finally:
        admin.dispose()


def _wait_until_done(tenant, in_tenant, job_id, worker, seconds=90) -> tuple[str, str | None]:
    """The job's (state, error) once it ended."""
    deadline = time.monotonic() + seconds
    with in_tenant(tenant):
        while (job := job_row(job_id)).state not in ("finished", "failed"):
            assert time.monotonic() < deadline, worker.log()
            time.sleep(0.3)
        return job.state, job.error


def test_the_app_and_a_worker_carry_on_after_every_database_connection_is_cut(
    app, backend, tenant, tenant_b, in_tenant, make_user, auth_headers, client
):
    if backend == "sqlite":
        pytest.skip("SQLite is a file: no server to lose")
    ids = two_branches(tenant, tenant_b, in_tenant)
    headers = auth_headers(tenant)
    make_user(tenant, username="clerk")
    web = WebSession(app.test_client(), "alpha.test")
    assert web.log_in("clerk").status_code == 302
    with Dangjian(environment(app), "worker") as worker:
        first = client.post("/api/v1/warnings/sweep", headers=headers, json={})
        assert first.status_code == 202, first.get_json()
        assert _wait_until_done(tenant, in_tenant, first.get_json()["id"], worker) == (
            "finished",
            None,
        )
        for _ in range(3):  # connections in the pool, idle, as between two requests
            assert client.get("/api/v1/orgs", headers=headers).status_code == 200
        db.session.remove()

        assert _cut_every_connection(app) >= 2  # the app's pool and the worker's

        assert client.get("/api/v1/orgs", headers=headers).status_code == 200  # the first after
        assert web.get("/orgs").status_code == 200
        created = client.post(
            "/api/v1/orgs",
            headers=headers,
            json={"name": "三支部", "code": "B3", "kind": "branch", "parent_id": str(ids["root"])},
        )
        assert created.status_code == 201, created.get_json()
        second = client.post("/api/v1/warnings/sweep", headers=headers, json={})
        assert second.status_code == 202, second.get_json()
        assert _wait_until_done(tenant, in_tenant, second.get_json()["id"], worker) == (
            "finished",
            None,
        )
        assert worker.process.poll() is None, worker.log()
        assert worker.stop() == 0, worker.log()


@pytest.fixture
def on_private_postgres(backend, app, private_postgres):
    """A second app on a private PostgreSQL with the schema, a tenant and a user."""
    if backend == "sqlite":
        pytest.skip("the private server is PostgreSQL: the PostgreSQL leg runs it")
    private = second_app(app, SQLALCHEMY_DATABASE_URI=private_postgres.url, REDIS_URL=None)
    with private.app_context():
        load_all_models()
        db.create_all()
        city = Tenant(slug="alpha", name="甲市委组织部", hosts=["alpha.test"])
        db.session.add(city)
        db.session.commit()
        with tenant_context(city.id):
            orgs.create(name="甲市委", code="R", kind="committee")
            auth_service.grant(auth_service.create_user("admin", DEFAULT_PASSWORD), "tenant_admin")
            db.session.commit()
        db.session.remove()
    yield private
    with private.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_restarted_server_costs_no_request_and_a_stopped_one_is_a_clean_503(
    on_private_postgres, private_postgres
):
    app = on_private_postgres
    api = app.test_client()
    token = api.post(
        "/api/v1/auth/token",
        headers={"X-Tenant": "alpha"},
        json={"username": "admin", "password": DEFAULT_PASSWORD},
    )
    assert token.status_code == 200, token.get_json()
    headers = {"Authorization": f"Bearer {token.get_json()['access_token']}", "X-Tenant": "alpha"}
    web = WebSession(app.test_client(), "alpha.test")
    assert web.log_in("admin").status_code == 302
    assert api.get("/api/v1/orgs", headers=headers).status_code == 200

    private_postgres.restart()  # every pooled connection is now dead
    listed = api.get("/api/v1/orgs", headers=headers)
    assert listed.status_code == 200, listed.get_json()
    assert [o["code"] for o in listed.get_json()] == ["R"]
    assert web.get("/orgs").status_code == 200

    private_postgres.stop()
    down = api.get("/api/v1/orgs", headers=headers)
    assert (down.status_code, down.get_json()["message"]) == (503, DATABASE_AWAY)
    assert down.headers["Retry-After"]
    write = api.post(
        "/api/v1/orgs", headers=headers, json={"name": "一支部", "code": "B1", "kind": "branch"}
    )
    assert write.status_code == 503
    page = web.get("/orgs")
    assert page.status_code == 503 and "数据库暂时无法连接" in page.get_data(as_text=True)

    private_postgres.start()
    assert api.get("/api/v1/orgs", headers=headers).status_code == 200
    created = api.post(
        "/api/v1/orgs",
        headers=headers,
        json={
            "name": "一支部",
            "code": "B1",
            "kind": "branch",
            "parent_id": listed.get_json()[0]["id"],
        },
    )
    assert created.status_code == 201, created.get_json()
    assert web.get("/orgs").status_code == 200


def test_a_connection_cut_in_the_middle_of_a_transaction_counts_as_the_database_away(
    app, backend, app_ctx
):
    """What an in-flight request meets when its connection is cut (the 503 above, not a
    500): PostgreSQL's "terminating connection due to administrator command"."""
    if backend == "sqlite":
        pytest.skip("SQLite is a file: no server to lose")
    assert db.session.execute(text("SELECT 1")).scalar() == 1  # a transaction holds a connection
    assert _cut_every_connection(app) >= 1
    with pytest.raises(OperationalError) as cut:
        db.session.execute(text("SELECT 1"))
    assert database_away(cut.value)
    db.session.rollback()
    assert db.session.execute(text("SELECT 2")).scalar() == 2  # the next one reconnects
