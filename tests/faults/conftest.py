"""Fixtures for the fault tests: a seeded city with an open yearly cycle, a member sheet big
enough to be written in two batches, and reading what a run left — straight from the
tables, without the recovery that :func:`core.jobs.service.get` does."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import inspect, select

from core.assessment import cycles, registry, standards
from core.assessment.models import MemberIndex, OrgResult
from core.auth.context import acting_as, cli_actor
from core.db import db
from core.jobs.models import Job
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.plugins import service as plugin_service
from core.seed import service as seed
from tests.excel.conftest import person, sheet_bytes
from tests.faults.services import private_postgres, private_redis  # noqa: F401 - fixtures
from tests.web.conftest import web_as  # noqa: F401 - a fixture

TODAY = date(2026, 11, 22)
SECTOR_PLUGINS = ("rural", "community", "organs", "two_new", "soe")
SHEET_ROWS = 2_500  # two batches of the importer (IMPORT_BATCH_ROWS, 2,000)
NOT_CONTENT = {"id", "created_at", "updated_at", "tenant_id"}


@pytest.fixture
def city(tenant, in_tenant) -> uuid.UUID:
    """The small seeded city (``dangjian seed --profile small``) with every default standard
    and an open yearly cycle of the whole city; returns the cycle's id."""
    with in_tenant(tenant), acting_as(cli_actor()):
        for name in SECTOR_PLUGINS:
            plugin_service.set_enabled(name, True)
        db.session.commit()
        seed.seed("small", today=TODAY)
        db.session.commit()
        for key, template in registry.tenant_templates().items():
            standards.copy_template(key, name=template.name)
        root = db.session.scalar(select(Organization).where(Organization.parent_id.is_(None)))
        cycle = cycles.open_cycle(
            name=f"{TODAY.year} 年度评星定级", period="year", year=TODAY.year, root_org=root
        )
        db.session.commit()
        return cycle.id


def results(cycle_id: uuid.UUID, *, ids: bool = False) -> dict[str, list]:
    """The cycle's computed rows, sorted; with ``ids`` exactly as stored (a run writes new
    ids), else their content only (what a rerun must reproduce)."""
    db.session.expire_all()
    found = {}
    for model in (OrgResult, MemberIndex):
        columns = [c for c in inspect(model).columns if ids or c.key not in NOT_CONTENT]
        rows = db.session.execute(select(*columns).where(model.cycle_id == cycle_id)).all()
        found[model.__tablename__] = sorted((tuple(map(_plain, r)) for r in rows), key=repr)
    return found


def _plain(value):
    return repr(value) if isinstance(value, dict | list) else value


def job_row(job_id) -> Job:
    """The job's row as stored, with no recovery on the way (unlike ``service.get``)."""
    db.session.expire_all()
    return db.session.scalar(select(Job).where(Job.id == uuid.UUID(str(job_id))))


@pytest.fixture
def register(tenant, in_tenant):
    """A city committee with two branches (codes ``B1``, ``B2``) and a sheet of
    :data:`SHEET_ROWS` new members for them; returns the sheet's bytes."""
    with in_tenant(tenant):
        root = orgs.create(name="甲市委", code="R", kind="committee")
        orgs.create(name="第一支部", code="B1", kind="branch", parent=root)
        orgs.create(name="第二支部", code="B2", kind="branch", parent=root)
        db.session.commit()
    rows = [person("B1" if i % 2 else "B2", 姓名=_name(i)) for i in range(SHEET_ROWS)]
    return sheet_bytes(rows)


_FAMILY, _GIVEN = "王李张刘陈杨黄赵吴周", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


def _name(i: int) -> str:
    return _FAMILY[i % 10] + _GIVEN[i // 10 % 20] + _GIVEN[i // 200 % 20]


def holds_uncommitted_writes(app, table: str) -> bool:
    """Whether another transaction has written into ``table`` and not ended: on PostgreSQL it
    holds a ``RowExclusiveLock`` on it; on SQLite it holds the database's write lock."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        import sqlite3

        connection = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.rollback()
            return False
        except sqlite3.OperationalError as exc:
            return "locked" in str(exc)
        finally:
            connection.close()
    from sqlalchemy import create_engine, make_url, text

    from tests.conftest import PG_ADMIN_URL

    admin = create_engine(make_url(PG_ADMIN_URL).set(database=make_url(url).database))
    try:
        with admin.connect() as connection:
            return bool(
                connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                        "WHERE c.relname = :table AND l.mode = 'RowExclusiveLock' AND l.granted"
                    ),
                    {"table": table},
                )
            )
    finally:
        admin.dispose()
