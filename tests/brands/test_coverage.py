"""Brand coverage per subtree (一村一亮点、一乡镇一特色、一支部一品牌) against direct counts of
the seeded organisations, per child of the root, with the tenant's category codes, and
three aggregate queries whatever the tree's size."""

from __future__ import annotations

from sqlalchemy import event, select

from core.brands import coverage
from core.brands.models import Brand
from core.db import db
from core.orgs import service as orgs
from core.orgs.models import BRANCH_LEVEL_KINDS, Organization


def _direct(root_path: str, codes=(3,)) -> dict:
    """The figures counted one organisation at a time, in Python."""
    rows = db.session.scalars(select(Organization).where(Organization.status == "active")).all()
    branded = set(db.session.scalars(select(Brand.org_id)))
    result = {k: [0, 0] for k in coverage.FIGURES}
    for org in rows:
        if not org.path.startswith(root_path):
            continue
        flag = (org.attributes or {}).get("village")
        rural = org.category_code in codes
        kinds = {
            "villages": rural and (flag is True or (flag is None and org.kind in BRANCH_LEVEL_KINDS)),
            "townships": rural and org.kind == "committee" and flag is not True,
            "branches": org.kind in BRANCH_LEVEL_KINDS,
        }
        for key, counts in kinds.items():
            if counts:
                result[key][0] += 1
                result[key][1] += org.id in branded
    return {k: tuple(v) for k, v in result.items()}


def _figures(result) -> dict:
    return {f["key"]: (f["total"], f["with_brand"]) for f in result["figures"]}


def _brand(org_id, name):
    db.session.add(Brand(org_id=org_id, name=name))


def test_figures_match_direct_counts(tenant, city, in_tenant):
    with in_tenant(tenant):
        for code in ("V1", "V3", "T", "F"):
            _brand(city[code], f"{code}品牌")
        db.session.flush()
        root = orgs.get(city["R"])
        result = coverage.coverage(root)
        assert _figures(result) == {"villages": (3, 2), "townships": (2, 1), "branches": (4, 2)}
        assert _figures(result) == _direct(root.path)
        shares = {f["key"]: f["share"] for f in result["figures"]}
        assert shares == {"villages": 0.6667, "townships": 0.5, "branches": 0.5}
        parts = {c["org"].code: {k: (v["total"], v["with_brand"]) for k, v in c["figures"].items()}
                 for c in result["children"]}
        assert parts == {
            "T": {"villages": (3, 2), "townships": (1, 1), "branches": (2, 1)},
            "J": {"villages": (0, 0), "townships": (0, 0), "branches": (1, 1)},
            "T2": {"villages": (0, 0), "townships": (1, 0), "branches": (1, 0)},
        }
        for child in result["children"]:
            assert {k: (v["total"], v["with_brand"]) for k, v in child["figures"].items()} == _direct(child["org"].path)
        # a subtree of its own, and the root's own row (a township root counts itself)
        town = orgs.get(city["T"])
        sub = coverage.coverage(town)
        assert _figures(sub) == _direct(town.path) == {"villages": (3, 2), "townships": (1, 1), "branches": (2, 1)}
        assert sub["own"]["townships"] == {"total": 1, "with_brand": 1, "share": 1.0}
        # a dissolved village no longer counts
        orgs.get(city["V2"]).status = "dissolved"
        db.session.flush()
        assert _figures(coverage.coverage(root))["villages"] == (2, 2) == _direct(root.path)["villages"]
        db.session.rollback()


def test_the_tenants_category_codes_decide(tenant, city, in_tenant, client, login):
    admin = login(tenant)
    assert client.put("/api/v1/brands/settings", headers=admin,
                      json={"rural_category_codes": [3, 4]}).status_code == 200
    with in_tenant(tenant):
        _brand(city["J"], "机关品牌")
        db.session.flush()
        root = orgs.get(city["R"])
        figures = _figures(coverage.coverage(root))
        assert figures == _direct(root.path, codes=(3, 4))
        assert figures["townships"] == (3, 1) and figures["villages"] == (4, 0)
        db.session.rollback()
    assert client.put("/api/v1/brands/settings", headers=admin,
                      json={"rural_category_codes": [10]}).status_code == 422


def test_one_aggregate_query_per_figure(tenant, city, in_tenant):
    with in_tenant(tenant):
        root = orgs.get(city["R"])
        for i in range(12):  # more organisations and more children change nothing
            extra = orgs.create(name=f"加{i}", code=f"E{i}", kind="committee", parent=root, category_code=3)
            orgs.create(name=f"加{i}村", code=f"E{i}V", kind="branch", parent=extra, category_code=3)
        db.session.flush()
        statements = []

        def seen(conn, cursor, statement, *args):
            if "GROUP BY" in statement.upper():
                statements.append(statement)

        engine = db.session.get_bind()
        event.listen(engine, "before_cursor_execute", seen)
        try:
            result = coverage.coverage(root)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        assert len(statements) == 3
        assert _figures(result) == _direct(root.path)
        db.session.rollback()


def test_coverage_api_scope(client, tenant, city, login):
    db_brand = client.post("/api/v1/brands", headers=login(tenant),
                           json={"org_id": str(city["V1"]), "name": "田间党课"})
    assert db_brand.status_code == 201
    town = login(tenant, "org_manager", "T")
    body = client.get("/api/v1/brands/coverage", headers=town).get_json()
    assert body["org_name"] == "镇党委"
    figures = {f["key"]: (f["total"], f["with_brand"]) for f in body["figures"]}
    assert figures == {"villages": (3, 1), "townships": (1, 0), "branches": (2, 1)}
    assert [c["org_name"] for c in body["children"]] == ["一村支部", "二村支部", "三村党委"]
    assert client.get("/api/v1/brands/coverage", headers=town, query_string={"org": str(city["J"])}).status_code == 404
    whole = client.get("/api/v1/brands/coverage", headers=login(tenant), query_string={"org": str(city["R"])})
    assert whole.status_code == 200 and whole.get_json()["figures"][2]["label"].startswith("一支部一品牌")
    assert client.get("/api/v1/brands/coverage", headers=town, query_string={"org": "x"}).status_code == 422
