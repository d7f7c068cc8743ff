"""The score preview: a change to a standard scored on the last published cycle in memory —
the new figures equal a real run with the saved change, the assessors' decisions carried,
nothing written, a fixed number of statements — and its API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, inspect, select

from core.api.errors import ApiError
from core.assessment import cycles, preview
from core.assessment import standards as standard_service
from core.assessment.models.standards import StandardVersion
from core.db import db
from core.orgs import service as orgs
from tests.assessment import cycle_helpers as h
from tests.support.auth import error_fields

D = Decimal


@pytest.fixture
def city(tenant, in_tenant, indicator_plugin):
    """R → C1 → A (5 full), B (2 full, 1 lost contact), C (10 full, no contact/phone);
    R → C2 → D (no members); one standard over the CT indicators; no cycle yet.
    Scores: C 70, A 65, B 54, D 30."""
    tenant_id = inspect(tenant).identity[0]
    indicator_plugin(h.CT_INDICATORS, tenants=[tenant_id])
    with in_tenant(tenant_id):
        ids = h.build_city()
        db.session.commit()
        return {"tenant": tenant_id, **ids}


def _published(city, decide=None):
    """The 2024 cycle, run, reviewed by ``decide(cycle)`` and published."""
    cycle = h.open_cycle(orgs.get(city["R"]), standard_ids=[city["standard"]])
    h.run(cycle)
    if decide:
        decide(cycle)
    cycles.publish(cycle)
    db.session.commit()
    return cycle


def _items(weights=None, params=None):
    return h.items(weights or dict(h.WEIGHTS), params)


def _real_run(city, decide=None) -> dict:
    """Save nothing more: open a cycle over the same period with the standard as it is now,
    run it (and review it with ``decide``): org → (score, stars)."""
    cycle = h.open_cycle(orgs.get(city["R"]), name="对照考核", standard_ids=[city["standard"]])
    h.run(cycle)
    if decide:
        decide(cycle)
        db.session.flush()
    return {org_id: (r.score, r.stars) for org_id, r in h.results(cycle).items()}


def _new(found) -> dict:
    return {row.org_id: (row.new_score, row.new_stars) for row in found.own}


def _standard(city):
    return standard_service.get_standard(city["standard"])


def test_an_unchanged_standard_moves_nothing_and_reuses_every_score(city, in_tenant):
    with in_tenant(city["tenant"]):
        _published(city)
        h.CALLS.clear()
        found = preview.preview(_standard(city), _items())
        assert {row.org_id for row in found.own} == {city[x] for x in "ABCD"}
        assert all(row.new_score == row.old_score and row.new_stars == row.old_stars for row in found.rows)
        assert found.summary() == {"orgs": 4, "up": 0, "down": 0, "same": 4, "average_change": D("0.00"),
                                   "old_average": D("54.75"), "new_average": D("54.75"), "others_moved": 0}
        assert found.remeasured == [] and not h.CALLS  # nothing measured again
        assert found.items["ct.review"] == preview.MANUAL and found.items["ct.size"] == preview.KEPT
        assert (found.cycle_version, found.base_version) == (1, 1)


def test_a_weight_change_equals_a_real_run_with_it_saved(city, in_tenant):
    weights = {**h.WEIGHTS, "ct.members": 30, "ct.size": 20}
    with in_tenant(city["tenant"]):
        _published(city)
        found = preview.preview(_standard(city), _items(weights))
        # threshold: rescaled from the published points; proportional: measured again
        assert found.items["ct.members"] == preview.RESCALED
        assert found.remeasured == ["ct.size"]
        by_org = {row.org_id: row for row in found.own}
        assert (by_org[city["A"]].old_score, by_org[city["A"]].new_score) == (D("65.00"), D("70.00"))
        assert by_org[city["D"]].new_score == D("30.00")  # no members: no size points either way
        summary = found.summary()
        assert summary["up"] + summary["down"] + summary["same"] == 4
        assert summary["average_change"] == sum((r.change for r in found.own), D(0)) / 4
        standard_service.update_standard(city["standard"], items=_items(weights))
        assert _real_run(city) == _new(found)


def test_a_parameter_change_is_measured_again_and_equals_a_real_run(city, in_tenant):
    params = {"ct.members": {"target": 6}, "ct.lost": {"per_unit": 10}}
    with in_tenant(city["tenant"]):
        _published(city)
        h.CALLS.clear()
        found = preview.preview(_standard(city), _items(params=params))
        assert found.remeasured == ["ct.lost", "ct.members"]
        assert h.CALLS == {"ct.members": 1, "ct.lost": 1}  # once each, for every organisation
        by_org = {row.org_id: row for row in found.own}
        assert by_org[city["A"]].new_score == D("45.00") and by_org[city["A"]].move == "down"
        assert found.summary()["down"] >= 1
        standard_service.update_standard(city["standard"], items=_items(params=params))
        assert _real_run(city) == _new(found)


def test_manual_scores_adjustments_and_vetoes_are_carried(city, in_tenant):
    def decide(cycle):
        cycles.set_manual_score(cycle, city["A"], "ct.review", 8, "群众满意")
        cycles.add_adjustment(cycle, city["B"], 5, "获评先进")
        cycles.set_veto(cycle, city["C"], "发生严重违纪违法案件")

    weights = {**h.WEIGHTS, "ct.review": 10, "ct.records": 25}
    with in_tenant(city["tenant"]):
        published = _published(city, decide)
        unchanged = preview.preview(_standard(city), _items())
        assert all(r.new_score == r.old_score and r.new_stars == r.old_stars for r in unchanged.rows)
        found = preview.preview(_standard(city), _items(weights))
        by_org = {row.org_id: row for row in found.own}
        assert by_org[city["A"]].new_score == D("83.00")  # 20 + 15 + 25 + 15 + 8 (manual)
        assert by_org[city["C"]].new_stars == 1  # still vetoed
        assert published.state == "published"
        standard_service.update_standard(city["standard"], items=_items(weights))
        assert _real_run(city, decide) == _new(found)


def test_a_preview_writes_nothing(city, in_tenant, count_statements):
    with in_tenant(city["tenant"]):
        _published(city)
        versions = db.session.scalar(select(func.count()).select_from(StandardVersion))
        with count_statements() as seen:
            preview.preview(_standard(city), _items(params={"ct.members": {"target": 6}}))
        writes = [s for s in seen if s.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")]
        assert writes == []
        assert not db.session.new and not db.session.dirty and not db.session.deleted
        assert db.session.scalar(select(func.count()).select_from(StandardVersion)) == versions
        assert _standard(city).current_version == 1


def test_statements_do_not_grow_with_the_organisations(city, in_tenant, count_statements):
    items = _items({**h.WEIGHTS, "ct.size": 20, "ct.members": 30}, {"ct.lost": {"per_unit": 3}})
    with in_tenant(city["tenant"]):
        _published(city)
        with count_statements() as few:
            preview.preview(_standard(city), items)
        db.session.commit()
    with in_tenant(city["tenant"]):
        c1 = orgs.get(city["C1"])
        for n in range(12):
            h.add_members(h.make_org(c1, code=f"X{n:02d}"), n % 4)
        cycle = h.open_cycle(orgs.get(city["R"]), name="2025年度考核", year=2025,
                             standard_ids=[city["standard"]])
        h.run(cycle)
        cycles.publish(cycle)
        db.session.commit()
        with count_statements() as many:
            found = preview.preview(_standard(city), items)
        assert found.cycle.id == cycle.id and len(found.own) == 16
        assert len(many) == len(few)


def test_bad_items_are_refused_as_saving_would_and_no_cycle_is_said(city, in_tenant):
    with in_tenant(city["tenant"]):
        with pytest.raises(preview.NoPublishedCycle) as none:
            preview.preview(_standard(city), _items())
        assert none.value.status == 409 and "No published" in none.value.message
        _published(city)
        bad = _items({**h.WEIGHTS, "ct.members": -1}, {"ct.lost": {"per_unit": "many"}})
        with pytest.raises(ApiError) as refused:
            preview.preview(_standard(city), bad)
        assert refused.value.status == 422
        assert {"items.0.weight", "items.3.params.per_unit"} <= set(refused.value.errors)


# -- the API ----------------------------------------------------------------------------------


def test_the_api_previews_for_tenant_admins_only(client, city, in_tenant, tenant, tenant_b,
                                                 auth_headers):
    url = f"/api/v1/standards/{city['standard']}/preview"
    admin = auth_headers(tenant)
    body = {"items": _items({**h.WEIGHTS, "ct.members": 30, "ct.size": 20})}
    early = client.post(url, json=body, headers=admin)
    assert early.status_code == 409 and "No published" in early.get_json()["message"]
    with in_tenant(city["tenant"]):
        _published(city)
    response = client.post(url, json=body, headers=admin)
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["summary"]["orgs"] == 4 and answer["cycle"]["name"] == "2024年度考核"
    a = next(row for row in answer["rows"] if row["code"] == "A")
    assert (a["old_score"], a["new_score"], a["change"]) == ("65.00", "70.00", "5.00")
    assert answer["items"]["ct.size"] == "measured"
    bad = client.post(url, json={"items": _items({**h.WEIGHTS, "ct.members": 25})}, headers=admin)
    assert bad.status_code == 422 and "items" in error_fields(bad.get_json())
    missing = client.post(url, json={}, headers=admin)
    assert missing.status_code == 422 and "items" in error_fields(missing.get_json())
    manager = auth_headers(tenant, role="org_manager", org=orgs_root(city, in_tenant))
    assert client.post(url, json=body, headers=manager).status_code == 403
    assert client.post(url, json=body, headers=auth_headers(tenant_b)).status_code == 404
    with in_tenant(city["tenant"]):
        assert _standard(city).current_version == 1  # nothing saved by any of these


def orgs_root(city, in_tenant):
    with in_tenant(city["tenant"]):
        return orgs.get(city["R"])


def test_the_preview_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/standards/{standard_id}/preview"]["post"]
    assert "200" in operation["responses"]
    assert "Preview" in spec["components"]["schemas"]
    assert "PreviewInput" in spec["components"]["schemas"]
