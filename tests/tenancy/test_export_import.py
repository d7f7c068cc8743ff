"""Tenant backups (issue 9, faults 4): ``dangjian tenants export SLUG`` writes one city's
complete data to a file and ``dangjian tenants import FILE`` restores it into a fresh
database — every table's rows equal (read back decrypted, by a route other than the
backup's own checksums), the attachments' bytes equal, the records the same through the
services — or refuses with a clear error and writes nothing.

The city is a small seeded one (``core.seed`` with a tiny profile: every kind of core row)
plus sector-plugin records, a user, an internal transfer letter (an encrypted JSON
snapshot) and a meeting attachment on disk.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    Table,
    Text,
    Uuid,
    create_engine,
    func,
    insert,
    inspect,
    make_url,
    select,
    text,
)

from core import files
from core.app import create_app
from core.auth import service as auth_service
from core.db import db, new_id
from core.db.encrypted import EncryptedString, _derive
from core.life.models import Meeting, MeetingAttachment
from core.members import service as member_service
from core.members.models import Member
from core.models import load_all_models
from core.orgs.models import Organization
from core.plugins import service as plugin_service
from core.seed import service as seed_service
from core.seed.profiles import PROFILES, Profile
from core.tenancy import rls, tenant_context
from core.tenancy.backup import canonical
from core.tenancy.backup import manifest as mf
from core.tenancy.backup.tables import EXCLUDED, TENANTS
from core.tenancy.models import Tenant
from core.transfers import service as transfer_service
from plugins.rural.models import CollectiveIncome
from tests.conftest import PG_ADMIN_URL, PG_DATABASE, PG_PASSWORD, PG_ROLE
from tests.support.auth import DEFAULT_PASSWORD

TODAY = date(2026, 11, 22)
TINY = Profile("tiny", 30, 300, 1, months=3)
SECTOR_PLUGINS = ("rural", "community", "organs", "two_new", "soe")
# tables the city below fills: core's slices, a plugin's, encrypted fields and JSON
FILLED = (
    "organizations",
    "members",
    "meetings",
    "meeting_attendance",
    "meeting_attachments",
    "dues_payments",
    "development_steps",
    "point_entries",
    "org_posts",
    "tenant_plugins",
    "users",
    "role_grants",
    "audit_entries",
    "transfer_letters",
    "rural_collective_incomes",
)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


# --- the city ---------------------------------------------------------------------------


@pytest.fixture
def city(app_ctx, tenant, make_user, monkeypatch):
    """Tenant ``alpha`` with a seeded city and one of each other kind of record."""
    monkeypatch.setitem(PROFILES, "tiny", TINY)
    with tenant_context(tenant.id):
        for name in SECTOR_PLUGINS:
            plugin_service.set_enabled(name, True)
        db.session.commit()
        seed_service.seed("tiny", today=TODAY)
        db.session.commit()
        village = db.session.scalar(
            select(Organization).where(Organization.sector == "rural").order_by(Organization.code)
        )
        db.session.add(
            CollectiveIncome(
                org_id=village.id, year=2026, operating_income_wan=Decimal("12.35"), note="光伏"
            )
        )
        meeting = db.session.scalar(select(Meeting).order_by(Meeting.id))
        stored = files.store(tenant.id, io.BytesIO(PNG), "签到表.png")
        db.session.add(
            MeetingAttachment(
                meeting_id=meeting.id,
                stored_name=stored.name,
                original_name=stored.original_name,
                file_type=stored.file_type,
                content_type=stored.content_type,
                size=stored.size,
            )
        )
        member = db.session.scalar(
            select(Member).where(Member.status == "full").order_by(Member.id)
        )
        other_branch = db.session.scalar(
            select(Organization)
            .where(Organization.kind == "branch", Organization.id != member.org_id)
            .order_by(Organization.id)
        )
        letter = transfer_service.issue(member, reason="工作调动", to_org=other_branch)
        db.session.commit()
        ids = SimpleNamespace(
            tenant_id=tenant.id,
            member_id=member.id,
            id_number=member.id_number,
            letter_id=letter.id,
            village_id=village.id,
            attachment=stored.name,
        )
    make_user(tenant, username="archivist")
    row = db.session.get(Tenant, tenant.id)
    for name in ("甲市委组织部（改）", "甲市委组织部"):  # edited twice: the row's version is 3
        row.name = name
        db.session.commit()
    return ids


# --- databases and apps -----------------------------------------------------------------


def _admin():
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _create_pg_database(name: str) -> str:
    """A new, empty database owned by the plain test role; its URL for that role."""
    try:
        admin = _admin()
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": PG_ROLE})
            if exists.first() is None:
                conn.execute(
                    text(
                        f'CREATE ROLE "{PG_ROLE}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB '
                        f"NOCREATEROLE PASSWORD '{PG_PASSWORD}'"
                    )
                )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}" OWNER "{PG_ROLE}"'))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001 - unreachable server: the PostgreSQL part is skipped
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    url = make_url(PG_ADMIN_URL).set(username=PG_ROLE, password=PG_PASSWORD, database=name)
    return url.render_as_string(hide_password=False)


def _drop_pg_database(name: str) -> None:
    admin = _admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def make_target(app, backend, tmp_path, monkeypatch):
    """``make(backend=None, **config)``: an app on a new, empty database (the schema made,
    no tenant) with its own instance folder — by default the same backend and keys as the
    source."""
    made: list[tuple] = []

    def make(target_backend: str | None = None, **overrides):
        target_backend = target_backend or backend
        number = len(made) + 1
        folder = tmp_path / f"target{number}"
        database = f"{PG_DATABASE}_restore{number}"
        if target_backend == "postgresql":
            url = _create_pg_database(database)
        else:
            url = f"sqlite:///{folder}/restore.sqlite3"
        config = {k: v for k, v in app.config.items() if k.isupper()}
        config.update(SQLALCHEMY_DATABASE_URI=url, REDIS_URL=None, **overrides)
        monkeypatch.setenv("DANGJIAN_INSTANCE_PATH", str(folder / "instance"))
        target = create_app(config)
        with target.app_context():
            load_all_models()
            db.create_all()
            if target_backend == "postgresql":
                with db.engine.begin() as conn:
                    rls.ensure_policies(conn)
                    assert not rls.connection_bypasses_rls(conn)
        made.append((target, target_backend, database))
        return target

    yield make
    for target, target_backend, database in made:
        with target.app_context():
            db.session.remove()
            db.engine.dispose()
        if target_backend == "postgresql":
            _drop_pg_database(database)


def _run(app, *args):
    """Run ``dangjian`` in ``app`` (its own app context, as on the command line)."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
        db.session.remove()
    return result


# --- reading a tenant back, not through the backup's code -------------------------------


def _plain(value):
    if isinstance(value, datetime):  # SQLite gives naive UTC, PostgreSQL aware
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def _tenant_tables():
    return [t for t in db.metadata.sorted_tables if "tenant_id" in t.c]


def snapshot(tenant_id: int) -> dict[str, list[tuple]]:
    """Every row of every tenant table, decrypted by the models' own types, without
    ``tenant_id``, sorted by key — in the current app."""
    out = {}
    with tenant_context(tenant_id):
        connection = db.session.connection()
        for table in _tenant_tables():
            columns = [c for c in table.columns if c.name != "tenant_id"]
            rows = connection.execute(select(*columns).where(table.c.tenant_id == tenant_id))
            out[table.name] = sorted(
                (tuple(_plain(v) for v in row) for row in rows), key=lambda r: repr(r)
            )
        db.session.rollback()
    return out


def service_view(ids, tenant_id: int) -> dict:
    """What the services show of the sampled records (decrypted personal fields included)."""
    with tenant_context(tenant_id):
        member = member_service.get_member(ids.member_id)
        found = member_service.find_by_id_number(ids.id_number)  # through the blind index
        letter = transfer_service.get(ids.letter_id)
        income = db.session.scalar(
            select(CollectiveIncome).where(CollectiveIncome.org_id == ids.village_id)
        )
        user = auth_service.authenticate_password("archivist", DEFAULT_PASSWORD)
        view = {
            "member": member_service.record_values(member),
            "found": found.id,
            "letter": (letter.code, letter.status, letter.snapshot),
            "income": (income.year, income.operating_income_wan, income.note),
            "user": (user.username, [r for r, _ in auth_service.role_scopes(user.id)]),
            "plugins": sorted(plugin_service.enabled_plugins()),
            "attachment": files.path_for(tenant_id, ids.attachment).read_bytes(),
        }
        db.session.rollback()
    return view


def _tenant_id(slug: str) -> int:
    return db.session.scalar(select(Tenant.id).where(Tenant.slug == slug))


def _tenant_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Tenant))


# --- the round trip ---------------------------------------------------------------------


def _export(app, tmp_path, slug="alpha") -> Path:
    path = tmp_path / f"{slug}.dangjian.zip"
    result = _run(app, "tenants", "export", slug, "-o", str(path))
    assert result.exit_code == 0, result.output
    return path


def _assert_restored(app, target, ids, path, *, slug="alpha"):
    result = _run(target, "tenants", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "DIFFERS" not in result.output
    with app.app_context():
        before, before_view = snapshot(ids.tenant_id), service_view(ids, ids.tenant_id)
    with target.app_context():
        new_id_ = _tenant_id(slug)
        after, after_view = snapshot(new_id_), service_view(ids, new_id_)
    assert set(after) == set(before)
    for name in before:
        assert after[name] == before[name], name
    assert after_view == before_view
    assert before_view["member"]["id_number"] == ids.id_number  # decrypted, not ciphertext
    assert before_view["attachment"] == PNG
    # the manifest's counts are the source's real counts, and each table printed "ok"
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read(mf.MANIFEST))
    for name, rows in before.items():
        assert manifest["tables"][name]["rows"] == len(rows), name
        sha = manifest["tables"][name]["sha256"][:16]
        assert f"{sha}  {sha}  ok" in result.output, name
    for name in FILLED:  # every kind of row is in the test, not just a few
        assert before[name], name
    return manifest, result


def test_a_tenant_round_trips_into_an_empty_database(app, city, make_target, tmp_path, backend):
    path = _export(app, tmp_path)
    target = make_target()
    manifest, _ = _assert_restored(app, target, city, path)
    assert manifest["database"] == backend
    assert set(manifest["files"]) == {city.attachment}
    assert manifest["tables"]["rural_collective_incomes"]["rows"] == 1  # a plugin's table
    assert manifest["tables"]["transfer_letters"]["rows"] == 1
    with target.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "alpha"))
        assert (tenant.name, tenant.hosts, tenant.version) == ("甲市委组织部", ["alpha.test"], 3)


def test_personal_fields_stay_ciphertext_in_the_file(app, city, tmp_path):
    path = _export(app, tmp_path)
    archive = zipfile.ZipFile(path)
    members = archive.read(mf.table_member("members")).decode()
    assert city.id_number not in members
    assert city.id_number not in archive.read(mf.table_member("transfer_letters")).decode()
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_sqlite_backup_restores_into_postgresql(app, city, make_target, tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("the source is the SQLite leg's database")
    path = _export(app, tmp_path)
    target = make_target("postgresql")
    _assert_restored(app, target, city, path)


def test_a_copy_beside_other_tenants_leaves_them_untouched(app, city, tmp_path):
    path = _export(app, tmp_path)
    before = snapshot(city.tenant_id)
    taken = _run(app, "tenants", "import", str(path), "--slug", "alpha-copy")
    assert taken.exit_code != 0
    assert "alpha.test already select tenant 'alpha'" in taken.output
    result = _run(app, "tenants", "import", str(path), "--slug", "alpha-copy", "--without-hosts")
    assert result.exit_code == 0, result.output
    copy_id = _tenant_id("alpha-copy")
    assert copy_id != city.tenant_id
    assert snapshot(city.tenant_id) == before
    assert snapshot(copy_id) == before
    assert service_view(city, copy_id) == service_view(city, city.tenant_id)
    assert db.session.get(Tenant, copy_id).hosts == []


# --- keys -------------------------------------------------------------------------------


def _source_data_key(app) -> str:
    import base64

    return base64.urlsafe_b64encode(
        _derive(app.config["SECRET_KEY"], b"dangjian data key v1")
    ).decode()


def test_a_database_with_other_keys_refuses_the_backup(app, city, make_target, tmp_path):
    from cryptography.fernet import Fernet

    path = _export(app, tmp_path)
    other_index = make_target(SECRET_KEY="another-deployment")
    result = _run(other_index, "tenants", "import", str(path))
    assert result.exit_code != 0
    assert "BLIND_INDEX_KEY differs" in result.output
    other_data = make_target(DATA_KEYS=Fernet.generate_key().decode())
    result = _run(other_data, "tenants", "import", str(path))
    assert result.exit_code != 0
    assert "cannot be decrypted with this deployment's DATA_KEYS" in result.output
    for target in (other_index, other_data):
        with target.app_context():
            assert _tenant_count() == 0
    # the source's key as an older key of the ring is enough
    rotated = make_target(DATA_KEYS=f"{Fernet.generate_key().decode()},{_source_data_key(app)}")
    _assert_restored(app, rotated, city, path)


# --- every table, and tables added later ------------------------------------------------


def test_every_table_is_exported_or_excluded_with_a_reason(app_ctx):
    load_all_models()
    database_tables = set(inspect(db.engine).get_table_names())
    known = {t.name for t in db.metadata.sorted_tables}
    assert database_tables - known <= {"alembic_version"}, "tables the models do not know"
    for name in sorted(database_tables | known):
        table = db.metadata.tables.get(name)
        exported = table is not None and "tenant_id" in table.c
        reason = EXCLUDED.get(name, "")
        assert exported or name == TENANTS or len(reason) > 20, (
            f"{name} is neither exported (no tenant_id) nor excluded with a reason"
        )
        assert not (exported and name in EXCLUDED), f"{name} is both exported and excluded"


def test_a_global_table_nobody_classified_stops_the_export(app, city, tmp_path):
    table = Table("backup_probe_global", db.metadata, Column("id", Integer, primary_key=True))
    try:
        result = _run(app, "tenants", "export", "alpha", "-o", str(tmp_path / "x.zip"))
    finally:
        db.metadata.remove(table)
    assert result.exit_code != 0
    assert "backup_probe_global belong to no tenant and are not excluded" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_table_a_plugin_adds_is_exported_automatically(app, city, make_target, tmp_path, backend):
    postgres = backend == "postgresql"
    table = Table(
        "backup_probe_notes",
        db.metadata,
        Column("tenant_id", ForeignKey("tenants.id"), primary_key=True),
        # an integer key from a sequence (PostgreSQL), as a plugin might choose
        Column("number", Integer, primary_key=True, autoincrement=postgres),
        Column("ref", Uuid, nullable=False),
        Column("secret", EncryptedString, nullable=True),
        Column("body", Text, nullable=False),
    )
    try:
        table.create(db.engine)
        if postgres:
            with db.engine.begin() as conn:
                rls.ensure_policies(conn)
        with tenant_context(city.tenant_id):
            db.session.execute(
                insert(table),
                [
                    {
                        "tenant_id": city.tenant_id,
                        "number": n,
                        "ref": new_id(),
                        "secret": f"机密{n}",
                        "body": f"note {n}",
                    }
                    for n in (3, 7, 41)
                ],
            )
            db.session.commit()
        path = _export(app, tmp_path)
        manifest = json.loads(zipfile.ZipFile(path).read(mf.MANIFEST))
        assert manifest["tables"]["backup_probe_notes"]["rows"] == 3
        target = make_target()  # its schema has the table too (same models)
        _assert_restored(app, target, city, path)
        if postgres:  # the sequence was moved past the imported numbers
            with target.app_context(), tenant_context(_tenant_id("alpha")):
                number = db.session.scalar(
                    text(
                        "INSERT INTO backup_probe_notes (tenant_id, ref, body) "
                        "VALUES (:t, :r, 'new') RETURNING number"
                    ),
                    {"t": _tenant_id("alpha"), "r": new_id()},
                )
                db.session.rollback()
            assert number > 41
    finally:
        db.session.rollback()
        db.session.close()
        table.drop(db.engine, checkfirst=True)
        db.metadata.remove(table)


# --- bad input: a clear error, nothing written ------------------------------------------


def _rewrite(source: Path, target: Path, change) -> Path:
    """A copy of the archive ``source`` with ``change(name, data) -> data | None`` applied
    to each member (None leaves it out)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            data = change(name, old.read(name))
            if data is not None:
                new.writestr(name, data)
    return target


def _with_manifest(source: Path, target: Path, edit) -> Path:
    def change(name, data):
        if name != mf.MANIFEST:
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest)

    return _rewrite(source, target, change)


def _refused(target, path: Path, *extra) -> str:
    result = _run(target, "tenants", "import", str(path), *extra)
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    with target.app_context():
        assert _tenant_count() == 0
        assert not any((Path(target.instance_path) / "files").glob("[0-9]*/*"))
    return result.output


def test_bad_files_are_refused_before_anything_is_written(app, city, make_target, tmp_path):
    good = _export(app, tmp_path)
    target = make_target()
    data = good.read_bytes()
    cases = {}
    (tmp_path / "truncated.zip").write_bytes(data[: len(data) // 2])
    cases["truncated.zip"] = "not a readable backup"
    (tmp_path / "notes.txt").write_text("hello")
    cases["notes.txt"] = "not a readable backup"

    def tamper(name, body):
        if name == mf.table_member("members"):
            return body.replace(b'"full"', b'"dead"', 1)
        return body

    _rewrite(good, tmp_path / "tampered.zip", tamper)
    cases["tampered.zip"] = "members.jsonl: "
    _rewrite(good, tmp_path / "extra.zip", lambda n, b: b)
    with zipfile.ZipFile(tmp_path / "extra.zip", "a") as archive:
        archive.writestr("tables/evil.jsonl", "{}\n")
    cases["extra.zip"] = "not listed: tables/evil.jsonl"
    _rewrite(
        good,
        tmp_path / "missing.zip",
        lambda n, b: None if n == mf.file_member(city.attachment) else b,
    )
    cases["missing.zip"] = "missing: files/"
    _rewrite(good, tmp_path / "nomanifest.zip", lambda n, b: None if n == mf.MANIFEST else b)
    cases["nomanifest.zip"] = "no manifest.json"
    _with_manifest(good, tmp_path / "format.zip", lambda m: m.update(format="something-else"))
    cases["format.zip"] = "not a dangjian tenant backup"
    _with_manifest(good, tmp_path / "version.zip", lambda m: m.update(version=99))
    cases["version.zip"] = "format version 99 is not supported"
    _with_manifest(good, tmp_path / "revision.zip", lambda m: m.update(revisions=["0099_future"]))
    cases["revision.zip"] = "schema revision mismatch"
    _with_manifest(
        good,
        tmp_path / "columns.zip",
        lambda m: m["tables"]["members"]["columns"].append(["shoe_size", "int"]),
    )
    cases["columns.zip"] = "members: columns differ"
    _rewrite(
        _with_manifest(good, tmp_path / "dropped0.zip", lambda m: m["tables"].pop("members")),
        tmp_path / "dropped.zip",
        lambda n, b: None if n == mf.table_member("members") else b,
    )
    cases["dropped.zip"] = "members: in this database, not in the backup"
    for name, message in cases.items():
        assert message in _refused(target, tmp_path / name), name
    assert "slug 'Not A Slug'" in _refused(target, good, "--slug", "Not A Slug")


def _consistent(good: Path, folder: Path, table: str, edit) -> Path:
    """A copy of ``good`` whose first row of ``table`` is ``edit``-ed, with the manifest's
    checksum made to match: a file that passes every check of the file itself."""
    changed = {}

    def change(name, body):
        if name != mf.table_member(table):
            return body
        lines = body.splitlines(keepends=True)
        row = json.loads(lines[0])
        edit(row)
        lines[0] = canonical.dumps(row)
        body = b"".join(lines)
        changed["sha256"] = hashlib.sha256(body).hexdigest()
        return body

    edited = _rewrite(good, folder / f"{table}-edited.zip", change)
    return _with_manifest(
        edited,
        folder / f"{table}-consistent.zip",
        lambda m: m["tables"][table].update(sha256=changed["sha256"]),
    )


def test_rows_that_do_not_come_back_the_same_roll_everything_back(app, city, make_target, tmp_path):
    """A value that changes on the way in (a time in another offset is stored as its UTC
    instant): the check after restoring finds it and nothing is kept."""
    good = _export(app, tmp_path)

    def shift(row):
        utc = datetime.fromisoformat(row["created_at"])
        row["created_at"] = utc.replace(tzinfo=None).isoformat() + "+08:00"  # 8 hours earlier

    target = make_target()
    output = _refused(target, _consistent(good, tmp_path, "members", shift))
    assert "differs from the backup in: members; nothing was kept" in output


def test_a_row_the_database_refuses_is_a_clear_error(app, city, make_target, tmp_path, backend):
    good = _export(app, tmp_path)
    broken = _consistent(good, tmp_path, "meetings", lambda row: row.update(org_id="not-a-uuid"))
    output = _refused(make_target(), broken)
    if backend == "postgresql":  # COPY hands the text to the server, which refuses it
        assert (
            "the database refused the backup's rows: invalid input syntax for type uuid" in output
        )
    else:
        assert "tables/meetings.jsonl line 1: column org_id" in output
    # a key into nothing: refused by the foreign key (SQLite: at COMMIT, attachments placed)
    dangling = _consistent(good, tmp_path, "meetings", lambda row: row.update(org_id=str(new_id())))
    output = _refused(make_target(), dangling)
    assert "the database refused the backup's rows" in output
    assert "foreign key" in output.lower()


def test_export_and_import_refuse_unknown_and_existing_tenants(app, city, tmp_path):
    result = _run(app, "tenants", "export", "nowhere", "-o", str(tmp_path / "n.zip"))
    assert result.exit_code != 0 and "no tenant 'nowhere'" in result.output
    assert not (tmp_path / "n.zip").exists()
    path = _export(app, tmp_path)
    again = _run(app, "tenants", "export", "alpha", "-o", str(path))
    assert again.exit_code != 0 and "already exists" in again.output
    count = _tenant_count()
    result = _run(app, "tenants", "import", str(path))
    assert result.exit_code != 0
    assert "a tenant 'alpha' already exists" in result.output
    assert _tenant_count() == count
