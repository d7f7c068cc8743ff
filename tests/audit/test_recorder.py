"""The recorder: every write to a tenant-owned row leaves exactly one entry, in its transaction."""

import json
import uuid

from sqlalchemy import delete, event, func, insert, select, update

from core.audit import service as audit
from core.audit.models import BULK_OBJECT_ID, AuditEntry
from core.audit.recorder import MASK, SYSTEM_ACTOR
from core.auth import service as auth
from core.auth.context import Actor, acting_as
from core.auth.models import ApiToken, User
from core.db import db
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.tenancy.models import Tenant


def _entries(**where) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.at, AuditEntry.id)
    for column, value in where.items():
        stmt = stmt.where(getattr(AuditEntry, column) == value)
    return list(db.session.scalars(stmt))


def _org(code="A1", name=None, parent=None):
    return orgs.create(name=name or f"{code} 党委", code=code, kind="committee", parent=parent)


def test_create_update_delete_each_record_one_entry(tenant, in_tenant):
    with in_tenant(tenant), acting_as(Actor(label="cli:test")):
        org = _org(name="甲党委")
        db.session.commit()
        org_id = str(org.id)
        [created] = _entries()
        assert (created.action, created.object_type, created.object_id) == (
            "create", "organizations", org_id)
        assert created.tenant_id == tenant.id
        assert created.actor_label == "cli:test" and created.actor_user_id is None
        assert created.before is None and created.changed is None
        assert created.after["name"] == "甲党委" and created.after["code"] == "A1"
        assert created.after["id"] == org_id and created.after["sector"] is None
        assert "tenant_id" not in created.after
        assert created.request_id is None  # no request, no request id

        org.name = "乙党委"  # the object was expired by the commit: the old value is re-read
        db.session.commit()
        [updated] = _entries(action="update")
        assert updated.object_id == org_id
        assert updated.before == {"name": "甲党委"}
        assert updated.after == {"name": "乙党委"}
        assert updated.changed == ["name"]

        db.session.delete(org)
        db.session.commit()
        [deleted] = _entries(action="delete")
        assert deleted.object_id == org_id and deleted.after is None
        assert deleted.before["name"] == "乙党委" and deleted.before["code"] == "A1"
        assert len(_entries()) == 3


def test_update_of_loaded_object_records_every_changed_column(tenant, in_tenant):
    with in_tenant(tenant):
        org = _org(name="甲党委")
        db.session.commit()
        assert org.name == "甲党委"  # loaded: the old values come from the session
        org.name, org.sector = "新名", "rural"
        db.session.commit()
        [updated] = _entries(action="update")
        assert sorted(updated.changed) == ["name", "sector"]
        assert updated.before == {"name": "甲党委", "sector": None}
        assert updated.after == {"name": "新名", "sector": "rural"}


def test_actor_is_system_without_one_and_carries_the_user_id(tenant, in_tenant):
    user_id = uuid.uuid4()
    with in_tenant(tenant):
        _org("A1")
        db.session.commit()
        with acting_as(Actor(label="user:alice", user_id=user_id)):
            _org("A2")
            db.session.commit()
        first, second = _entries()
        assert (first.actor_label, first.actor_user_id) == (SYSTEM_ACTOR, None)
        assert (second.actor_label, second.actor_user_id) == ("user:alice", user_id)


def test_update_without_real_change_records_nothing(tenant, in_tenant):
    with in_tenant(tenant):
        org = _org(name="甲党委")
        db.session.commit()
        org.name = "甲党委"  # expired, set to the value it already has
        db.session.commit()
        assert org.name == "甲党委"
        org.name = "甲党委"  # loaded, same value
        org.code = "X"
        org.code = "A1"  # changed and changed back
        db.session.commit()
        assert [e.action for e in _entries()] == ["create"]


def test_rolled_back_writes_leave_no_entry(tenant, in_tenant):
    with in_tenant(tenant):
        _org("A1")
        db.session.flush()  # the entry is written here, in the same transaction…
        assert len(_entries()) == 1
        db.session.rollback()  # …and goes with it
        assert _entries() == []

        org = _org("A2")
        db.session.commit()
        org.name = "改名"
        db.session.flush()
        db.session.rollback()
        db.session.delete(org)
        db.session.flush()
        db.session.rollback()
        db.session.execute(update(Organization).values(name="x"))
        db.session.rollback()
        assert [e.action for e in _entries()] == ["create"]
        assert db.session.scalar(select(Organization.name)) == "A2 党委"


def test_masked_column_is_named_but_never_stored(tenant, in_tenant):
    """``users.password_hash`` is declared ``info={"audit": False}``."""
    with in_tenant(tenant):
        user = auth.create_user("alice", "Passw0rd!x")
        db.session.commit()
        old_hash = user.password_hash
        auth.set_password(user, "An0ther!pass")
        db.session.commit()
        new_hash = user.password_hash
        [created] = _entries(object_type="users", action="create")
        assert created.after["password_hash"] == MASK
        assert created.after["username"] == "alice"
        [updated] = _entries(object_type="users", action="update")
        assert updated.changed == ["password_hash"]
        assert updated.before == {"password_hash": MASK}
        assert updated.after == {"password_hash": MASK}
        everything = json.dumps([[e.before, e.after] for e in _entries()], ensure_ascii=False)
        assert old_hash not in everything and new_hash not in everything


def test_the_audit_table_does_not_log_itself(tenant, in_tenant):
    with in_tenant(tenant):
        _org()
        db.session.commit()
        entry = _entries()[0]
        db.session.add(AuditEntry(actor_label="x", action="create", object_type="t",
                                  object_id="1"))
        db.session.commit()
        assert entry is not None
        assert _entries(object_type="audit_entries") == []
        assert len(_entries()) == 2  # the one written by hand, and nothing about it


def test_reference_tables_are_not_audited(tenant, in_tenant):
    with in_tenant(tenant):
        db.session.get(Tenant, tenant.id).name = "丙市委组织部"
        db.session.commit()
        assert _entries() == []


def test_one_tenant_never_sees_another_tenants_entries(tenant, tenant_b, in_tenant):
    with in_tenant(tenant):
        _org("A1")
        db.session.commit()
    with in_tenant(tenant_b):
        assert _entries() == []
        assert audit.list_entries() == ([], 0)
    with in_tenant(tenant):
        assert audit.list_entries()[1] == 1


def test_history_of_an_object_oldest_first(tenant, in_tenant):
    with in_tenant(tenant):
        org = _org(name="甲党委")
        db.session.commit()
        org.name = "一"
        db.session.commit()
        org.name = "二"
        db.session.commit()
        _org("OTHER")
        db.session.commit()
        assert [(e.action, e.after.get("name")) for e in audit.history(org)] == [
            ("create", "甲党委"), ("update", "一"), ("update", "二")]


def test_request_id_from_header_or_generated(app, tenant, in_tenant):
    with in_tenant(tenant):
        with app.test_request_context("/", headers={"X-Request-Id": "req-42"}):
            _org("A1")
            db.session.commit()
        with app.test_request_context("/"):
            _org("A2")
            db.session.commit()
        with app.test_request_context("/", headers={"X-Request-Id": "<script>" + "x" * 200}):
            _org("A3")
            db.session.commit()
        first, second, third = _entries()
        assert first.request_id == "req-42"
        for generated in (second.request_id, third.request_id):
            assert len(generated) == 32 and int(generated, 16) >= 0
        assert second.request_id != third.request_id


# --- ORM statements ---------------------------------------------------------------------------


def test_bulk_insert_records_one_create_per_row(tenant, in_tenant):
    with in_tenant(tenant), acting_as(Actor(label="job:import")):
        rows = [{"code": f"B{i}", "name": f"支部{i}", "kind": "branch", "path": f"/{i}/"}
                for i in range(3)]
        db.session.execute(insert(Organization), rows)
        db.session.commit()
        ids = {str(i) for i in db.session.scalars(select(Organization.id))}
        entries = _entries()
        assert {e.object_id for e in entries} == ids
        assert {e.action for e in entries} == {"create"}
        assert {e.after["code"] for e in entries} == {"B0", "B1", "B2"}
        assert {e.actor_label for e in entries} == {"job:import"}


def test_bulk_update_by_primary_key_records_real_changes_per_row(tenant, in_tenant):
    with in_tenant(tenant):
        a, b = _org("A"), _org("B")
        db.session.commit()
        # organisations are versioned: a bulk update by primary key names the version it read
        db.session.execute(update(Organization), [
            {"tenant_id": tenant.id, "id": a.id, "version": a.version, "name": "新A"},
            {"tenant_id": tenant.id, "id": b.id, "version": b.version, "name": "B 党委"},  # unchanged
        ])
        db.session.commit()
        [updated] = _entries(action="update")
        assert updated.object_id == str(a.id)
        assert (updated.before, updated.after, updated.changed) == (
            {"name": "A 党委"}, {"name": "新A"}, ["name"])


def test_update_and_delete_with_criteria_record_one_summary_each(tenant, tenant_b, in_tenant):
    with in_tenant(tenant_b):
        _org("B1")
        db.session.commit()
    with in_tenant(tenant):
        _org("A1")
        _org("A2")
        db.session.commit()
        db.session.execute(update(Organization).where(Organization.code == "A1")
                           .values(name="改名"))
        db.session.execute(delete(Organization))
        db.session.commit()
        upd, dele = _entries(object_id=BULK_OBJECT_ID)
        assert upd.action == "update" and upd.after["bulk"] is True
        assert upd.after["rowcount"] == 1
        assert upd.after["statement"].startswith("UPDATE organizations SET")
        assert "改名" in upd.after["parameters"].values()
        assert "A1" in upd.after["parameters"].values()
        assert upd.after["parameters"]["updated_at"] == "<default>"
        assert dele.action == "delete" and dele.after["rowcount"] == 2  # not tenant B's row
        assert "tenant_id" in dele.after["statement"]
    with in_tenant(tenant_b):
        assert _entries() != [] and all(e.object_id != BULK_OBJECT_ID for e in _entries())


def test_bulk_statement_masks_masked_parameters(tenant, in_tenant):
    with in_tenant(tenant):
        user = auth.create_user("bob", "Passw0rd!x")
        db.session.commit()
        db.session.execute(update(User).where(User.password_hash == "secret-old")
                           .values(password_hash="secret-new"))
        db.session.commit()
        [summary] = _entries(object_id=BULK_OBJECT_ID)
        assert summary.after["parameters"]["password_hash"] == MASK
        assert summary.after["parameters"]["password_hash_1"] == MASK
        assert "secret" not in json.dumps(summary.after)
        assert user is not None


# --- cost -----------------------------------------------------------------------------------


def test_a_flush_writes_its_entries_in_one_statement_and_reads_old_values_once(
        tenant, in_tenant):
    """The recorder's cost per flush is one executemany, plus one read per model for old
    values nobody loaded — never a query per object."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "set_config" not in statement:  # PostgreSQL's per-transaction tenant setting
            statements.append((statement.split()[:3], executemany))

    with in_tenant(tenant):
        for i in range(40):
            _org(f"C{i}")
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            db.session.commit()
            audit_writes = [s for s in statements if "audit_entries" in s[0]]
            assert audit_writes == [(["INSERT", "INTO", "audit_entries"], True)]

            orgs_now = db.session.scalars(select(Organization)).all()
            for i, org in enumerate(orgs_now):
                db.session.expire(org, ["name"])
                org.name = f"新{i}"  # unloaded: the old names must be read, once for all 40
            statements.clear()
            db.session.commit()
            reads = [s for s in statements if s[0][0].upper() == "SELECT"]
            assert len(reads) == 1
            assert len([s for s in statements if "audit_entries" in s[0]]) == 1
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        updates = _entries(action="update")
        assert len(updates) == 40
        assert all(e.before["name"].endswith(" 党委") for e in updates)


def test_bookkeeping_statements_are_not_recorded(client, tenant, auth_headers, in_tenant):
    """Using a token bumps its last_used_at: housekeeping, not a change anyone made."""
    headers = auth_headers(tenant)
    with in_tenant(tenant):
        before = db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.object_type == "api_tokens")
        )
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    with in_tenant(tenant):
        after = db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.object_type == "api_tokens")
        )
        assert after == before
        assert db.session.scalar(select(ApiToken.last_used_at)) is not None  # the bump happened
