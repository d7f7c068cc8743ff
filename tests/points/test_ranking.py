"""Totals and ranks: rank in the branch (a group's members ranked with their branch) and in
the subtree, exempt members listed without a rank, ties, the ranking API with paging, the
member's own view, and statement counts that do not grow with members."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.db import db
from core.orgs import service as orgs
from core.plugins.settings import set_overrides
from core.points import ledger, ranking
from core.points.settings import PLUGIN
from tests.points.conftest import award, new_member

D = Decimal
Y2025 = (date(2025, 1, 1), date(2025, 12, 31))


def _people(tree):
    """X: a 10, b (in group G) 5, c 5 (tie), old (exempt, elderly) 15; Y: d 2, mobile e 7."""
    a = new_member(tree["X"], name="甲")
    b = new_member(tree["G"], name="乙")
    c = new_member(tree["X"], name="丙")
    old = new_member(tree["X"], name="老", birth_date=date(1930, 1, 1))
    d = new_member(tree["Y"], name="丁")
    e = new_member(tree["Y"], name="戊", status="mobile")
    for person, rule, n in ((a, "points.volunteering", 2), (b, "points.volunteering", 1),
                            (c, "points.volunteering", 1), (old, "points.volunteering", 3),
                            (d, "points.study", 1), (e, "points.volunteering", 1)):
        for i in range(n):
            award(person.id, rule, date(2025, 3, 1 + i))
    award(e.id, "points.study", date(2025, 4, 1))
    award(a.id, "points.study", date(2024, 4, 1))  # another year
    db.session.commit()
    return {p.name: p.id for p in (a, b, c, old, d, e)}


def test_ranks_in_branch_and_subtree_with_exempt_members(tenant, in_tenant, tree):
    with in_tenant(tenant):
        ids = _people(tree)
        rows, count = ranking.page(*Y2025, orgs.get(tree["C"]), 0, 50)
        assert count == 6
        got = {r.name: (r.total, r.branch_rank, r.branch_ranked, r.subtree_rank,
                        r.subtree_ranked, r.exempt) for r in rows}
        assert got == {
            "甲": (D("10.00"), 1, 3, 1, 4, False),
            "乙": (D("5.00"), 2, 3, 2, 4, False),
            "丙": (D("5.00"), 2, 3, 2, 4, False),
            "丁": (D("2.00"), 1, 1, 4, 4, False),
            "老": (D("15.00"), None, None, None, None, True),
            "戊": (D("7.00"), None, None, None, None, True),
        }
        assert [r.name for r in rows][:4] == ["甲", "丙", "乙", "丁"] or \
            [r.name for r in rows][:4] == ["甲", "乙", "丙", "丁"]
        assert [r.exempt for r in rows] == [False] * 4 + [True] * 2
        assert {r.branch_id for r in rows if r.name in ("甲", "乙")} == {tree["X"]}
        # the group's own ranking ranks within it; paging
        rows, count = ranking.page(*Y2025, orgs.get(tree["X"]), 1, 2)
        assert count == 4 and len(rows) == 2
        standing = ranking.standing_of(ids["乙"], *Y2025, orgs.get(tree["C"]))
        assert ranking.rank_text(standing.branch_rank, standing.branch_ranked) == "2/3"


def test_leaders_are_the_rankings_first_rows_without_ranking_everyone(tenant, in_tenant, tree):
    with in_tenant(tenant):
        _people(tree)
        root = orgs.get(tree["C"])
        rows, _count = ranking.page(*Y2025, root, 0, 50)
        ranked = [(r.name, r.total, r.subtree_rank) for r in rows if not r.exempt]
        leaders = ranking.leaders(*Y2025, root, limit=3)
        # 甲 10 (1), then the tie 乙/丙 5 (2, 2) ordered by name; the exempt 老 and 戊 never
        assert [(r.name, r.total, r.subtree_rank) for r in leaders] == sorted(
            ranked[:3], key=lambda t: (t[2], t[0]))
        assert ranking.leaders(*Y2025, root, limit=10)[-1].subtree_rank == 4  # 丁
        assert [r.name for r in ranking.leaders(*Y2025, orgs.get(tree["Y"]))] == ["丁"]
        assert ranking.leaders(date(2030, 1, 1), date(2030, 12, 31), root) == []


def test_exempt_categories_follow_the_settings(tenant, in_tenant, tree):
    with in_tenant(tenant):
        _people(tree)
        set_overrides(PLUGIN, {"exempt_categories": []})
        db.session.commit()
        rows, _ = ranking.page(*Y2025, orgs.get(tree["C"]), 0, 50)
        got = {r.name: r.subtree_rank for r in rows}
        assert got == {"老": 1, "甲": 2, "戊": 3, "乙": 4, "丙": 4, "丁": 6}


def test_ranking_api(client, tenant, tenant_b, in_tenant, tree, auth_headers):
    with in_tenant(tenant):
        _people(tree)
    member_x = auth_headers(tenant, role="member", org=tree["X"])
    page = client.get(f"/api/v1/points/ranking?org={tree['X']}&year=2025&page_size=2",
                      headers=member_x)
    assert page.status_code == 200, page.get_json()
    body = page.get_json()
    assert [r["name"] for r in body][:1] == ["甲"] and body[0]["total"] == "10.00"
    assert body[0]["branch_rank"] == 1 and body[0]["branch_ranked"] == 3
    assert '"total": 4' in page.headers["X-Pagination"]
    # another branch, the committee and another tenant's organisation: not visible
    assert client.get(f"/api/v1/points/ranking?org={tree['Y']}", headers=member_x).status_code == 422
    bad = client.get("/api/v1/points/ranking?org=nope&year=1", headers=member_x)
    assert bad.status_code == 422 and {"org", "year"} <= set(bad.get_json()["errors"])
    other = auth_headers(tenant_b)
    assert client.get(f"/api/v1/points/ranking?org={tree['X']}", headers=other).status_code == 422


def test_member_view_and_me(client, tenant, in_tenant, tree, auth_headers, make_user):
    with in_tenant(tenant):
        ids = _people(tree)
    admin = auth_headers(tenant)
    url = f"/api/v1/points/members/{ids['乙']}?year=2025"
    body = client.get(url, headers=admin).get_json()
    assert body["total"] == "5.00" and body["rank_in_branch"] == "2/3"
    assert body["rank_in_subtree"] == "2/4" and body["subtree_org_id"] == str(tree["C"])
    assert body["account"] == {"earned": "5.00", "redeemed": "0.00", "balance": "5.00",
                               "level": None}
    assert [e["rule_key"] for e in body["ledger"]] == ["points.volunteering"]
    within_x = client.get(f"{url}&subtree_of={tree['X']}", headers=admin).get_json()
    assert within_x["rank_in_subtree"] == "2/3"
    bad = client.get(f"{url}&subtree_of={tree['Y']}", headers=admin)
    assert bad.status_code == 422 and "subtree_of" in bad.get_json()["errors"]
    exempt = client.get(f"/api/v1/points/members/{ids['老']}?year=2025", headers=admin).get_json()
    assert exempt["exempt"] is True and exempt["rank_in_branch"] is None

    # the member themself, with no role at all, once their account is linked
    user = make_user(tenant, role=None)
    login = client.post("/api/v1/auth/token", headers={"X-Tenant": "alpha"},
                        json={"username": user.username, "password": "Passw0rd!x"}).get_json()
    mine = {"Authorization": f"Bearer {login['access_token']}", "X-Tenant": "alpha"}
    assert client.get("/api/v1/points/me", headers=mine).status_code == 404
    assert client.get(url, headers=mine).status_code == 404
    linked = client.patch(f"/api/v1/users/{user.id}", json={"member_id": str(ids["乙"])},
                          headers=admin)
    assert linked.status_code == 200 and linked.get_json()["member_id"] == str(ids["乙"])
    me = client.get("/api/v1/points/me?year=2025", headers=mine)
    assert me.status_code == 200 and me.get_json()["rank_in_branch"] == "2/3"
    assert client.get(url, headers=mine).status_code == 200
    # but not someone else's
    assert client.get(f"/api/v1/points/members/{ids['甲']}", headers=mine).status_code == 404


def test_member_totals_and_ranking_statements_do_not_grow(make_tenant, in_tenant,
                                                           count_statements):
    counts = []
    for size in (2, 9):
        t = make_tenant()
        with in_tenant(t):
            root = orgs.create(name="县委", code="R", kind="committee")
            branches = [orgs.create(name=f"支部{i}", code=f"B{i}", kind="branch", parent=root)
                        for i in range(size)]
            db.session.flush()
            for org in branches:
                for _ in range(size):
                    m = new_member(org.id)
                    award(m.id, "points.study", date(2025, 5, 1))
            db.session.commit()
            with count_statements() as seen:
                totals = ledger.member_totals(*Y2025)
                exempt = ledger.exempt_member_ids()
                rows, count = ranking.page(*Y2025, root, 0, 500)
            assert len(totals) == count == len(rows) == size * size and exempt == set()
            # one aggregate each, the settings read twice, the root re-read, count and page
            counts.append(len(seen))
    assert counts[0] == counts[1] <= 7
