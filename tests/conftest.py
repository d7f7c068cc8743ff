"""The test harness: every test that uses ``app`` runs twice, on SQLite and on PostgreSQL + Redis.

* SQLite: a file in a temporary folder, jobs run in-process (the embedded default).
* PostgreSQL: a database ``dangjian_test`` owned by a plain role (no superuser, no BYPASSRLS),
  so row-level security binds exactly as in production; jobs go through real Redis + rq.

When PostgreSQL or Redis cannot be reached the PostgreSQL leg is skipped, unless
``DANGJIAN_REQUIRE_SERVICES=1`` (set by ``.ci/run``), which turns the skip into a failure.
"""

from __future__ import annotations

import itertools
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, make_url, text

from core.app import create_app
from core.db import db
from core.models import load_all_models
from core.tenancy import rls, tenant_context
from core.tenancy.models import Tenant

pytest_plugins = [
    "tests.support.auth",
    "tests.support.databases",
    "tests.support.jobs",
    "tests.support.statements",
]

PG_ADMIN_URL = os.environ.get(
    "DANGJIAN_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PG_ROLE = "dangjian_test"
PG_PASSWORD = "dangjian_test"
# One database and one queue per test process, so parallel runs on one machine don't collide.
PG_DATABASE = os.environ.get("DANGJIAN_TEST_PG_DATABASE", f"dangjian_test_{os.getpid()}")
JOB_QUEUE = f"dangjian-test-{os.getpid()}"
REDIS_URL = os.environ.get("DANGJIAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("DANGJIAN_REQUIRE_SERVICES") == "1"


def _unavailable(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (DANGJIAN_REQUIRE_SERVICES=1: the PostgreSQL leg must run)")
    pytest.skip(reason)


def _pg_host_url() -> str:
    url = make_url(PG_ADMIN_URL).set(username=PG_ROLE, password=PG_PASSWORD, database=PG_DATABASE)
    return url.render_as_string(hide_password=False)


def _prepare_postgres() -> str:
    """(Re)create the test role and database; return the app's URL (the plain role)."""
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": PG_DATABASE},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"'))
            exists = conn.execute(
                text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": PG_ROLE}
            ).first()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(
                text(
                    f'{verb} ROLE "{PG_ROLE}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB '
                    f"NOCREATEROLE PASSWORD '{PG_PASSWORD}'"
                )
            )
            conn.execute(text(f'CREATE DATABASE "{PG_DATABASE}" OWNER "{PG_ROLE}"'))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server means "unavailable"
        _unavailable(f"PostgreSQL unavailable at {PG_ADMIN_URL}: {exc.__class__.__name__}: {exc}")
    return _pg_host_url()


def _drop_postgres_database() -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db"),
            {"db": PG_DATABASE},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"'))
    admin.dispose()


def _check_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        _unavailable(f"Redis unavailable at {REDIS_URL}: {exc}")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def app(backend, tmp_path_factory):
    instance = tmp_path_factory.mktemp(f"instance-{backend}")
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "PASSWORD_HASH_FAST": True,
        "DASHBOARD_CACHE_SECONDS": 0,  # tests read figures right after changing the data
        # Every test logs in from 127.0.0.1 and many fail on purpose, often as "alice" of
        # tenant "alpha": the limits on failed logins would trip across tests within a
        # minute. tests/security/test_rate_limits.py sets its own.
        "RATELIMIT_LOGIN_PER_ADDRESS": "100000 per minute",
        "RATELIMIT_LOGIN_PER_ACCOUNT": "100000 per minute",
    }
    if backend == "sqlite":
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance}/test.sqlite3"
        config["REDIS_URL"] = None
    else:
        _check_redis()
        config["SQLALCHEMY_DATABASE_URI"] = _prepare_postgres()
        config["REDIS_URL"] = REDIS_URL
        config["JOB_QUEUE"] = JOB_QUEUE
    os.environ["DANGJIAN_INSTANCE_PATH"] = str(instance)
    app = create_app(config)
    with app.app_context():
        load_all_models()
        db.create_all()
        if backend == "postgresql":
            with db.engine.begin() as conn:
                rls.ensure_policies(conn)
                assert not rls.connection_bypasses_rls(conn), "tests must not run as a superuser"
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if backend == "postgresql":
        _drop_postgres_database()


def _truncate_all(app) -> None:
    """Empty every table. On PostgreSQL as the admin role: RLS would hide other tenants' rows."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql"):
        admin = create_engine(
            make_url(PG_ADMIN_URL).set(database=PG_DATABASE), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
        admin.dispose()
    else:
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))
    # The rows the stored files belonged to are gone; a tenant id used again (SQLite reuses
    # them) must not find a previous test's attachments or uploads in its folder.
    for folder in ("files", "uploads"):
        shutil.rmtree(Path(app.instance_path) / folder, ignore_errors=True)


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app
        db.session.remove()
        _truncate_all(app)


@pytest.fixture
def client(app_ctx):
    return app_ctx.test_client()


_slugs = itertools.count(1)


def _tenant_id(tenant: Tenant) -> int:
    """The id without a query: fixtures' Tenant objects are detached after a test request."""
    identity = inspect(tenant).identity
    return identity[0] if identity else tenant.id


@pytest.fixture
def make_tenant(app_ctx):
    """Create a tenant (committed) and return it; its id and slug are safe to use anywhere."""

    def make(slug: str | None = None, name: str | None = None, hosts=None) -> Tenant:
        slug = slug or f"city{next(_slugs)}"
        tenant = Tenant(slug=slug, name=name or f"{slug} 市委组织部", hosts=list(hosts or []))
        db.session.add(tenant)
        db.session.commit()
        return tenant

    return make


@pytest.fixture
def tenant(make_tenant) -> Tenant:
    return make_tenant("alpha", "甲市委组织部", hosts=["alpha.test"])


@pytest.fixture
def tenant_b(make_tenant) -> Tenant:
    return make_tenant("beta", "乙市委组织部", hosts=["beta.test"])


@pytest.fixture
def in_tenant(app_ctx):
    """``with in_tenant(t):`` runs a block as tenant ``t`` (commits are the block's own)."""

    @contextmanager
    def run(tenant: Tenant):
        tenant_id = tenant if isinstance(tenant, int) else _tenant_id(tenant)
        if db.session().in_transaction():
            db.session.commit()
        with tenant_context(tenant_id):
            yield

    return run
