"""The default standards 国有企业党委星级评定标准 and 国有企业党支部星级评定标准: valid against
the installed indicators (weights add up to 100, every indicator applies to the kinds rated),
copyable by a tenant, and the enterprise-level indicators kept off branches."""

from __future__ import annotations

from core.assessment import registry
from core.assessment.standards import check_template, copy_template, latest_version
from core.db import db
from core.plugins import settings as plugin_settings
from plugins.soe.standards import (
    BRANCH_STANDARD,
    BRANCH_WEIGHTS,
    ENTERPRISE_STANDARD,
    ENTERPRISE_WEIGHTS,
)


def test_templates_are_valid_and_copyable(sector_tenant, tenant, in_tenant):
    sector_tenant("soe")
    with in_tenant(tenant):
        templates = registry.tenant_templates()
        enterprise, branch = templates[ENTERPRISE_STANDARD], templates[BRANCH_STANDARD]
        assert (enterprise.name, enterprise.sector, enterprise.kinds) == (
            "国有企业党委星级评定标准", "soe", ("committee",))
        assert (branch.name, branch.sector, branch.kinds) == (
            "国有企业党支部星级评定标准", "soe", ("branch", "general_branch"))
        assert check_template(enterprise) == [] and check_template(branch) == []
        assert 30 <= sum(w for k, w in ENTERPRISE_WEIGHTS if k.startswith("soe.")) <= 40
        assert 30 <= sum(w for k, w in BRANCH_WEIGHTS if k.startswith("soe.")) <= 40
        # no branch is scored on what only an enterprise's committee keeps
        assert not {k for k, _ in BRANCH_WEIGHTS} & {"soe.charter", "soe.prior_review",
                                                      "soe.cross_appointment", "soe.performance_link"}

        plugin_settings.set_overrides("soe", {"performance_link_min_weight_pct": 15})
        db.session.commit()
        standard = copy_template(ENTERPRISE_STANDARD)
        copy_template(BRANCH_STANDARD)
        db.session.commit()
        items = {i["indicator"]: i for i in latest_version(standard).items}
        assert set(items) == {key for key, _ in ENTERPRISE_WEIGHTS}
        # a parameter defaulting from the settings is stored with the tenant's value
        assert float(items["soe.performance_link"]["params"]["target"]) == 15.0
        assert items["soe.prior_review"]["params"]["min_days"] == 0
        assert items["soe.cross_appointment"]["params"]["full_time_deputy_from_employees"] == 1000
