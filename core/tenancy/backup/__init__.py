"""One tenant's backup: ``dangjian tenants export SLUG`` and ``dangjian tenants import FILE``.

* :mod:`~core.tenancy.backup.tables` — which tables are the tenant's (enumerated, never
  listed) and which are left behind, with why;
* :mod:`~core.tenancy.backup.canonical` — a row as one canonical JSON line (the checksums);
* :mod:`~core.tenancy.backup.manifest` — the file's layout and its manifest;
* :mod:`~core.tenancy.backup.export` and :mod:`~core.tenancy.backup.import_` — the two
  commands' work.
"""

from core.tenancy.backup.export import ExportResult, export_tenant
from core.tenancy.backup.import_ import ImportResult, import_tenant
from core.tenancy.backup.manifest import BackupError

__all__ = ["BackupError", "ExportResult", "ImportResult", "export_tenant", "import_tenant"]
