"""The audit API: ``GET /api/v1/audit`` for tenant administrators.

Read-only by design: no route updates or deletes an entry (the tests check the URL map).
"""

from __future__ import annotations

from marshmallow import RAISE

from core.api import Blueprint
from core.audit import service
from core.audit.schemas import AuditPageSchema, AuditQuerySchema
from core.auth.permissions import roles_required

bp = Blueprint("audit", __name__, description="痕迹管理: who changed what, and when (read-only).")


@bp.route("", methods=["GET"])
@roles_required("tenant_admin")
@bp.arguments(AuditQuerySchema, location="query", unknown=RAISE)
@bp.response(200, AuditPageSchema)
@bp.alt_response(403, description="Needs the tenant_admin role")
def list_audit(args):
    """The tenant's audit entries, newest first, filtered and paged.

    An unknown query parameter is refused (422): a misspelt filter must not silently
    return the whole log.
    """
    page, page_size = args.pop("page"), args.pop("page_size")
    items, total = service.list_entries(page=page, page_size=page_size, **args)
    return {"items": items, "total": total, "page": page, "page_size": page_size}
