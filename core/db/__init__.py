"""The database handle and the base types every slice's models build on.

* ``db`` is the Flask-SQLAlchemy handle; models subclass ``db.Model``.
* :class:`TenantOwned` is the mixin for every tenant-owned table: it adds ``tenant_id`` as the
  first column of the primary key, so keys, unique constraints and foreign keys all include it
  (the shape a sharded PostgreSQL distributed by ``tenant_id`` needs).
* :func:`tenant_fk` builds a composite foreign key ``(tenant_id, x_id) -> other(tenant_id, id)``,
  so the database itself refuses a row that points into another tenant.
* :class:`Versioned` gives a record people edit its ``version`` (optimistic locking).
"""

from core.db.base import db, metadata, new_id
from core.db.mixins import TenantOwned, Timestamps, Versioned, tenant_fk

__all__ = ["db", "metadata", "new_id", "TenantOwned", "Timestamps", "Versioned", "tenant_fk"]
