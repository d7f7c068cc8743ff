"""Time a tenant's backup and restore: ``export_tenant`` of a seeded city, then
``import_tenant`` of that file into a second, empty database.

::

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE dangjian_bench_backup OWNER dangjian_bench"
    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE dangjian_bench_restore OWNER dangjian_bench"
    DATABASE_URL=postgresql+psycopg://dangjian_bench:dangjian_bench@127.0.0.1/dangjian_bench_backup \\
    TARGET_DATABASE_URL=postgresql+psycopg://dangjian_bench:dangjian_bench@127.0.0.1/dangjian_bench_restore \\
    DANGJIAN_INSTANCE_PATH=/tmp/bench-backup SECRET_KEY=bench \\
        .venv/bin/python bench/tenant_backup.py [--tenant small] [--profile small]

The source tenant is seeded with ``--profile`` when it is missing (``small``: about 106,000
rows), else reused. The target database must be empty of that tenant (a fresh database is
migrated here). Prints seconds, rows per second, the file's size and the process's peak
memory after each step (``ru_maxrss``: it includes the app itself).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """This process's CPU seconds (the database server's are not in it): on a busy machine
    the wall-clock figures grow, this one much less."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _seeded(slug: str, profile: str) -> None:
    from sqlalchemy import select

    from core.db import db
    from core.orgs.models import Organization
    from core.plugins.manager import installed_plugins
    from core.seed import service as seed_service
    from core.tenancy import files
    from core.tenancy import service as tenants
    from core.tenancy.context import tenant_context
    from core.tenancy.resolve import tenant_by_slug

    tenant = tenant_by_slug(slug)
    if tenant is None:
        spec = files.TenantSpec(
            slug=slug, name=f"备份基准（{profile}）", plugins=sorted(installed_plugins())
        )
        tenant, _ = tenants.apply(spec, create_only=True)
        db.session.commit()
    tenant_id = tenant.id
    with tenant_context(tenant_id):
        if db.session.scalar(select(Organization.id).limit(1)) is not None:
            print(f"reusing tenant {slug!r}")
        else:
            started = time.perf_counter()
            written = seed_service.seed(profile)
            db.session.commit()
            print(
                f"seeded {slug!r} ({profile}): {sum(written.values()):,} rows in "
                f"{time.perf_counter() - started:.1f} s"
            )
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenant", default="small")
    parser.add_argument("--profile", default="small")
    parser.add_argument("--keep", type=Path, default=None, help="keep the backup file here")
    args = parser.parse_args()
    target_url = os.environ.get("TARGET_DATABASE_URL")
    if not target_url:
        sys.exit("set TARGET_DATABASE_URL to an empty database (see the module's docstring)")

    from bench.city_tenant import open_app
    from core.db import db
    from core.tenancy.backup import export_tenant, import_tenant

    source = open_app()
    folder = Path(tempfile.mkdtemp(prefix="dangjian-backup-"))
    path = args.keep or folder / f"{args.tenant}.dangjian.zip"
    with source.app_context():
        _seeded(args.tenant, args.profile)
        cpu = _cpu()
        exported = export_tenant(args.tenant, path)
        export_cpu = _cpu() - cpu
        db.session.remove()
    size = path.stat().st_size
    print(
        f"export: {exported.rows:,} rows, {len(exported.tables)} tables, {exported.files} files "
        f"in {exported.seconds:.1f} s ({exported.rows / exported.seconds:,.0f} rows/s); "
        f"file {size / 1e6:.1f} MB; process CPU {export_cpu:.1f} s; peak {_peak_mb():.0f} MB"
    )

    os.environ["DANGJIAN_INSTANCE_PATH"] = str(folder / "restore-instance")
    target = open_app({"SQLALCHEMY_DATABASE_URI": target_url})
    with target.app_context():
        cpu = _cpu()
        imported = import_tenant(path)
        import_cpu = _cpu() - cpu
        db.session.remove()
    print(
        f"import: {imported.rows:,} rows, {len(imported.checks)} tables checked "
        f"in {imported.seconds:.1f} s ({imported.rows / imported.seconds:,.0f} rows/s); "
        f"process CPU {import_cpu:.1f} s; peak {_peak_mb():.0f} MB"
    )
    print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
