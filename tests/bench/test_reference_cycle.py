"""The assessment cycle's yardstick (``bench/reference/cycle``) computes what the engine
computed on a seeded, rated city: each indicator's reference query measures the same
values, and the whole cycle in SQL — who is assessed under which version, item points,
scores, stars, cap, veto, ranks, changes, members' points and ranks, both indices — agrees
with the engine's stored results."""

from __future__ import annotations

from sqlalchemy import text

from bench.reference.cycle import all_indicators, assemble, engine_values, measure
from core.db import db

CORE_INDICATORS = {
    "orgs.setup", "life.general_meetings", "life.committee_meetings", "life.group_meetings",
    "life.party_lectures", "life.theme_days", "life.life_meeting", "life.member_review",
    "life.attendance_rate", "dues.paid_rate", "development.recruited", "development.breaches",
    "problems.overdue", "problems.rectification_rate", "problems.weak_designation",
    "points.branch_average", "warnings.open_serious",
}


def test_each_indicator_query_measures_what_the_engine_measured(rated_small_city, in_tenant):
    tenant, cycle_id = rated_small_city
    with in_tenant(tenant):
        report = assemble.run(db.session, cycle_id)
        cycle = assemble.cycle_row(db.session, cycle_id)
        stored = engine_values(db.session, cycle_id)
        context = assemble.context_binds()
        queries = all_indicators()
        measured, wrong = set(), {}
        for m in report.measurements:
            if m.key not in queries:
                continue
            measured.add(m.key)
            orgs = ("SELECT org_id FROM assessment_org_results "
                    "WHERE cycle_id = :cycle AND version_id = ANY(:versions)")
            binds = {"cycle": cycle_id, "versions": sorted(m.version_ids)}
            got = measure(db.session, cycle.tenant_id, cycle.starts_on, cycle.ends_on, m.key,
                          {**context, **m.params}, orgs, binds)
            assessed = set(db.session.scalars(text(orgs), binds))
            differ = {org_id: (got.values.get(org_id, (None,))[0], stored[m.key].get(org_id))
                      for org_id in assessed
                      if got.values.get(org_id, (None,))[0] != stored[m.key].get(org_id)}
            if differ or not assessed or set(got.values) - assessed:
                wrong[f"{m.key} {m.params}"] = (f"{len(differ)} of {len(assessed)} differ (SQL, engine): "
                                                f"{list(differ.items())[:3]}")
        db.session.rollback()
    assert wrong == {}
    assert measured >= CORE_INDICATORS


def test_the_cycle_in_sql_agrees_with_the_engine(rated_small_city, in_tenant):
    tenant, cycle_id = rated_small_city
    with in_tenant(tenant):
        report = assemble.run(db.session, cycle_id)
        mismatches = assemble.compare(db.session, cycle_id, report)
        figures = db.session.execute(text(
            "SELECT count(*) FILTER (WHERE capped), count(*) FILTER (WHERE vetoed), "
            "count(*) FILTER (WHERE clamp <> 0), count(DISTINCT change), count(DISTINCT version_id) "
            "FROM ref_org_results")).one()
        db.session.rollback()
    assert mismatches == {}
    assert report.borrowed == sorted({m.key for m in report.measurements} - set(all_indicators())
                                     - {m.key for m in report.measurements if m.key.startswith("custom.")})
    capped, vetoed, clamped, changes, versions = figures
    assert capped and vetoed and clamped and changes >= 2 and versions >= 3, figures
