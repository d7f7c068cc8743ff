"""A small seeded city on PostgreSQL, shared by the yardstick's tests (seeding it once per
module, not per test: the comparisons only read)."""

from __future__ import annotations

from datetime import date

import pytest

from core.db import db
from core.plugins import service as plugin_service
from core.seed import service as seed_service
from core.warnings import engine

TODAY = date(2026, 11, 22)
SECTOR_PLUGINS = ("rural", "community", "organs", "two_new", "soe")


@pytest.fixture
def small_city(app, backend, tenant, in_tenant):
    """The current tenant seeded with the ``small`` profile and swept as of :data:`TODAY`
    (PostgreSQL only: the yardstick is PostgreSQL SQL)."""
    if backend != "postgresql":
        pytest.skip("the SQL yardstick is PostgreSQL's")
    with in_tenant(tenant):
        for name in SECTOR_PLUGINS:
            plugin_service.set_enabled(name, True)
        db.session.commit()
        seed_service.seed("small", today=TODAY)
        db.session.commit()
        engine.sweep(TODAY)
        db.session.commit()
    return tenant


@pytest.fixture
def rated_small_city(small_city, in_tenant):
    """:func:`small_city` rated by the engine, for the cycle yardstick's test: every default
    standard copied and one of the tenant's own beside them (custom indicators, a second
    parameter set for core indicators), low star thresholds and a five-star cap, a
    published 2025 cycle (so 2026 has previous stars and changes) and the 2026 cycle run
    after assessors' decisions (an adjustment each way, a veto, manual scores) — each
    scoring kind, rule and decision exercised. Returns ``(tenant, 2026 cycle id)``."""
    with in_tenant(small_city):
        cycle_id = _rate()
    return small_city, cycle_id


# The tenant's own standard for rural branches: named so it sorts before the rural template
# (the name decides between two own-sector standards), so both rate someone.
OWN_STANDARD = "A 村党支部自定义标准"
OWN_ITEMS = [
    {"indicator": "custom.households", "weight": 20},
    {"indicator": "custom.review", "weight": 15},
    {"indicator": "life.theme_days", "weight": 20, "params": {"target": 10}},
    {"indicator": "dues.paid_rate", "weight": 15, "params": {"target": 95}},
    {"indicator": "orgs.setup", "weight": 20, "params": {"weights": {"书记在任": 3, "按期换届": 0.5}}},
    {"indicator": "warnings.open_serious", "weight": 10, "params": {"per_unit": 1.5, "severity": "warning"}},
]


def _rate():
    """Set the city up and run its 2026 cycle (committed); returns the cycle's id. The
    database is analysed first, as a live one is (planner statistics, not fresh-load
    guesses)."""
    from sqlalchemy import select, text

    from core.assessment import custom, cycles, evaluate, registry, standards
    from core.assessment.settings import PLUGIN
    from core.orgs.models import Organization
    from core.plugins.settings import set_overrides

    db.session.commit()
    db.session.execute(text("ANALYZE"))
    for key, template in registry.tenant_templates().items():
        standards.copy_template(key, name=template.name)
    custom.create_custom(slug="households", name="农户数", scoring="threshold", max_points=20,
                         attribute="households", op=">=", target="400", sectors=["rural"])
    custom.create_custom(slug="review", name="年度述职评议", scoring="manual", max_points=15)
    standards.create_standard(OWN_STANDARD, OWN_ITEMS, sector="rural", kinds=["branch"])
    # Low thresholds and a small cap, so that many reach five stars and the cap bites.
    set_overrides(PLUGIN, {"five_star_cap": "0.05", "star_thresholds": ["72.5", "60", "50", "40"]})
    root = db.session.scalar(select(Organization).where(Organization.parent_id.is_(None)))
    before = cycles.open_cycle(name="2025 年度评星定级", period="year", year=2025, root_org=root)
    evaluate.run(before)
    cycles.publish(before)
    cycle = cycles.open_cycle(name="2026 年度评星定级", period="year", year=2026, root_org=root)
    evaluate.run(cycle)
    db.session.commit()
    _decide(cycle)
    evaluate.run(cycle)  # a run keeps the assessors' decisions
    db.session.commit()
    return cycle.id


def _decide(cycle) -> None:
    from decimal import Decimal

    from sqlalchemy import select

    from core.assessment import cycles
    from core.assessment.models.cycles import OrgResult

    results = db.session.scalars(
        select(OrgResult).where(OrgResult.cycle_id == cycle.id).order_by(OrgResult.score.desc())
    ).all()
    cycles.add_adjustment(cycle, results[0].org_id, Decimal("30"), "加分：超过满分的部分截去")
    cycles.add_adjustment(cycle, results[-1].org_id, Decimal("-50"), "减分：不低于 0 分")
    cycles.add_adjustment(cycle, results[len(results) // 2].org_id, Decimal("1.25"), "加分")
    cycles.set_veto(cycle, results[1].org_id, "发生严重违纪违法案件")
    manual = [r for r in results if any(i["scoring"] == "manual" for i in r.items)]
    for n, r in enumerate(manual[:6]):
        key = next(i["key"] for i in r.items if i["scoring"] == "manual")
        weight = Decimal(next(i["weight"] for i in r.items if i["key"] == key))
        cycles.set_manual_score(cycle, r.org_id, key, min(weight, Decimal(n) * Decimal("2.5")), "评定")
    db.session.commit()
