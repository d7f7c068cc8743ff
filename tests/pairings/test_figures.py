"""Coverage and activity figures against direct counts, per subtree and for the whole city,
one aggregate statement per figure whatever the number of pairings."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, select, true

from core.dates import add_months
from core.db import db
from core.orgs.models import Organization
from core.orgs.service import subtree_filter
from core.pairings import figures, service
from core.pairings.models import ACTIVE, Pairing, PairingActivity, PairingTask
from tests.pairings.conftest import build_tree, days_ago

TODAY = date.today()


@contextmanager
def counting():
    seen: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith("SELECT set_config("):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def _seed(made):
    """JG1–V1 (active, recent activities, 2 of 3 tasks done), GZ1–SQ (active, one old
    activity, 1 task open), JG–V2 (dissolved, with activity and a done task: not counted),
    GZ1–V3 (active, nothing yet)."""
    a = service.create(made["JG1"], made["V1"], {"started_on": days_ago(400)})
    for n, days in enumerate((10, 40, 200)):
        service.add_activity(a, {"held_on": days_ago(days), "kind": "joint_study", "topic": f"联学{n}"})
    service.add_task(a, {"title": "t1", "done": True, "done_on": days_ago(5)})
    service.add_task(a, {"title": "t2", "done": True, "done_on": days_ago(50)})
    service.add_task(a, {"title": "t3"})
    b = service.create(made["GZ1"], made["SQ"], {"started_on": days_ago(400)})
    service.add_activity(b, {"held_on": days_ago(300), "kind": "service", "topic": "志愿服务"})
    service.add_task(b, {"title": "t4"})
    c = service.create(made["JG"], made["V2"], {"started_on": days_ago(400)})
    service.add_activity(c, {"held_on": days_ago(20), "kind": "visit", "topic": "走访"})
    service.add_task(c, {"title": "t5", "done": True, "done_on": days_ago(20)})
    service.dissolve(c, days_ago(2), "调整结对")
    service.create(made["GZ1"], made["V3"], {"started_on": days_ago(30)})
    db.session.commit()


def _direct(scope_ids: set, months: int) -> dict:
    """The figures counted in Python from the rows."""
    orgs = {o.id: o for o in db.session.scalars(select(Organization))}
    pairings = [p for p in db.session.scalars(select(Pairing)) if p.status == ACTIVE
                and (p.org_id in scope_ids or p.partner_org_id in scope_ids)]
    villages = [o for o in orgs.values() if o.id in scope_ids and o.category_code in (3, 7)
                and o.kind in ("general_branch", "branch", "joint_branch") and o.status == "active"]
    covered_paths = [orgs[p.partner_org_id].path for p in db.session.scalars(select(Pairing)) if p.status == ACTIVE]
    paired = [v for v in villages if any(v.path.startswith(path) for path in covered_paths)]
    since = add_months(TODAY, -months)
    ids = {p.id for p in pairings}
    activities = [a for a in db.session.scalars(select(PairingActivity))
                  if a.pairing_id in ids and since <= a.held_on <= TODAY]
    recent = {a.pairing_id for a in activities}
    tasks = [t for t in db.session.scalars(select(PairingTask)) if t.pairing_id in ids]
    return {"villages": len(villages), "villages_paired": len(paired), "pairings": len(pairings),
            "pairings_recent": len(recent), "activities": len(activities), "tasks": len(tasks),
            "tasks_done": sum(1 for t in tasks if t.done)}


@pytest.mark.parametrize("root, months", [(None, 6), ("R", 12), ("T", 6), ("GZ", 3), ("S", 12), ("V3", 6)])
def test_figures_match_direct_counts(tenant, in_tenant, root, months):
    with in_tenant(tenant):
        made = build_tree()
        _seed(made)
        scope = true() if root is None else subtree_filter(made[root].path)
        scope_ids = set(db.session.scalars(select(Organization.id).where(scope)))
        found = figures.figures(scope, TODAY, months)
        expected = _direct(scope_ids, months)
        assert {k: found[k] for k in expected} == expected
        assert found["villages_share"] == figures.share(expected["villages_paired"], expected["villages"])
        assert found["tasks_done_share"] == figures.share(expected["tasks_done"], expected["tasks"])


def test_the_known_numbers(tenant, in_tenant):
    with in_tenant(tenant):
        made = build_tree()
        _seed(made)
        found = figures.figures(true(), TODAY, 6)
        # V1 and V3 paired, SQ paired covers SQ1; V2's pairing was dissolved: 3 of 4
        assert (found["villages"], found["villages_paired"], found["villages_share"]) == (4, 3, Decimal("75.0"))
        # 3 active pairings, only JG1–V1 active in the last 6 months (2 activities)
        assert (found["pairings"], found["pairings_recent"], found["activities"]) == (3, 1, 2)
        assert found["activities_per_pairing"] == Decimal("0.67")
        assert (found["tasks"], found["tasks_done"], found["tasks_done_share"]) == (4, 2, Decimal("50.0"))
        township = figures.figures(subtree_filter(made["T"].path), TODAY, 12)
        assert (township["villages"], township["villages_paired"], township["pairings"]) == (3, 2, 2)
        assert township["activities"] == 3


def test_one_statement_per_figure(tenant, in_tenant):
    with in_tenant(tenant):
        made = build_tree()
        _seed(made)
        figures.figures(true(), TODAY, 6)  # settings read and cached
        with counting() as small:
            figures.figures(true(), TODAY, 6)
        for partner in ("SQ1", "V2", "V3"):
            pairing = service.create(made["JG"], made[partner], {"started_on": days_ago(10)})
            service.add_activity(pairing, {"held_on": days_ago(1), "kind": "visit", "topic": "走访"})
            service.add_task(pairing, {"title": "任务"})
        db.session.commit()
        with counting() as large:
            figures.figures(true(), TODAY, 6)
        assert len([s for s in small if "pairing" in s.lower() or "organizations" in s.lower()]) == 4
        assert len(large) == len(small)


def test_api_figures_scope(client, tenant, city, in_tenant, auth_headers):
    with in_tenant(tenant):
        made = {o.code: o for o in db.session.scalars(select(Organization))}
        _seed(made)
    admin = auth_headers(tenant)
    whole = client.get("/api/v1/pairings/figures?months=6", headers=admin).get_json()
    assert (whole["villages"], whole["villages_paired"], whole["villages_share"]) == (4, 3, "75.0")
    assert whole["activities_per_pairing"] == "0.67"
    township = client.get(f"/api/v1/pairings/figures?org={city['T']}&months=12", headers=admin).get_json()
    assert (township["villages"], township["pairings"]) == (3, 2)
    # a village secretary sees only their own village's figures
    village = auth_headers(tenant, role="branch_secretary", org=city["V1"])
    own = client.get("/api/v1/pairings/figures", headers=village).get_json()
    assert (own["villages"], own["villages_paired"], own["pairings"]) == (1, 1, 1)
    assert client.get(f"/api/v1/pairings/figures?org={city['T']}", headers=village).status_code == 404
    response = client.get("/api/v1/pairings/figures?months=0", headers=admin)
    assert response.status_code == 422
