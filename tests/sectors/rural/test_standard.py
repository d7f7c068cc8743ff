"""The default standard 村党组织星级评定标准: valid against the installed indicators (weights
add up to 100, every indicator applies to village branches), and copyable by a tenant."""

from __future__ import annotations

from core.assessment import registry
from core.assessment.standards import check_template, copy_template, latest_version
from core.db import db
from plugins.rural.standards import VILLAGE_STANDARD, WEIGHTS


def test_template_is_valid_and_copyable(sector_tenant, tenant, in_tenant):
    sector_tenant("rural")
    with in_tenant(tenant):
        template = registry.tenant_templates()[VILLAGE_STANDARD]
        assert template.name == "村党组织星级评定标准" and template.sector == "rural"
        assert check_template(template) == []
        own = sum(w for key, w in WEIGHTS if key.startswith("rural."))
        assert 30 <= own <= 40  # the village's own work weighs about a third
        standard = copy_template(VILLAGE_STANDARD)
        db.session.commit()
        items = {i["indicator"]: i for i in latest_version(standard).items}
        assert set(items) == {key for key, _ in WEIGHTS}
        # a parameter defaulting from the settings is stored with the tenant's value
        assert float(items["rural.collective_income"]["params"]["target"]) == 5.0
        assert items["rural.recruitment"]["params"]["years"] == 3
