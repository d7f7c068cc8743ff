"""Every default standard (core's and each sector plugin's), copied into a city, saves again
exactly as its edit page shows it: no parameter the page renders blank — a default read from
the plugin's settings, such as two_new's ``min_full_members`` — comes back as a 422."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select

from core.assessment import registry
from core.assessment import standards as standard_service
from core.assessment.models.standards import StandardVersion
from core.db import db
from core.plugins import service as plugin_service
from tests.security.test_lost_update import _Forms
from tests.web.conftest import html, web_as  # noqa: F401 - the web session fixture

SECTORS = ("rural", "community", "organs", "two_new", "soe")


@pytest.fixture
def standards(tenant, in_tenant):
    tenant_id = inspect(tenant).identity[0]
    with in_tenant(tenant_id):
        for name in SECTORS:
            plugin_service.set_enabled(name, True)
        db.session.commit()
        ids = {key: standard_service.copy_template(key).id for key in registry.tenant_templates()}
        db.session.commit()
    assert {"two_new", "organs", "rural"} <= {key.split(".")[0] for key in ids}
    return tenant_id, ids


def _versions(standard_id) -> int:
    return db.session.scalar(select(func.count()).select_from(StandardVersion)
                             .where(StandardVersion.standard_id == standard_id))


def test_every_default_standard_saves_again_as_shown(standards, web_as, in_tenant):  # noqa: F811
    tenant_id, ids = standards
    admin = web_as(tenant_id, "resave_admin")
    for key, standard_id in ids.items():
        path = f"/admin/standards/{standard_id}"
        parser = _Forms()
        parser.feed(html(admin.get(path)))
        fields = next(f for action, f in parser.forms if "edit_version" in f)
        data = {name: values for name, values in fields.items() if name != "csrf_token"}
        data["action"] = "save"
        saved = admin.post(path, data)
        assert saved.status_code == 302, (key, html(saved)[:3000])
        with in_tenant(tenant_id):
            assert _versions(standard_id) == 1, key  # nothing changed: no new version
