"""Subtree counts and the /tree and /stats answers: right figures, and a number of SQL
statements that does not grow with the number of organisations."""

from __future__ import annotations

import itertools
from datetime import date

from core.db import db
from core.orgs import service as orgs
from core.orgs import tree
from tests.orgs.conftest import add_members, new_member

_codes = itertools.count(1)


def _grow(root, committees: int, branches_each: int) -> list:
    """Committees under ``root``, each with branches, each branch with a group and 2 members
    (one in the group)."""
    made = []
    for _ in range(committees):
        committee = orgs.create(name="党委", code=f"K{next(_codes)}", kind="committee", parent=root)
        made.append(committee)
        for _ in range(branches_each):
            branch = orgs.create(name="支部", code=f"B{next(_codes)}", kind="branch",
                                 parent=committee)
            group = orgs.create(name="小组", code=f"G{next(_codes)}", kind="group", parent=branch)
            made += [branch, group]
            new_member(branch)
            new_member(group, status="probationary")
    db.session.flush()
    return made


def test_subtree_member_counts_in_one_query(tenant, tenant_b, in_tenant, count_statements):
    with in_tenant(tenant_b):  # another city's members must not count
        other = orgs.create(name="乙市委", code="R", kind="committee")
        add_members(other, 5)
        db.session.commit()
    with in_tenant(tenant):
        root = orgs.create(name="市委", code="R", kind="committee")
        made = _grow(root, 2, 2)
        new_member(root)
        new_member(root, status="left")
        db.session.commit()
        committee, branch, group = made[0], made[1], made[2]
        with count_statements() as seen:
            counts = tree.subtree_member_counts()
        assert len(seen) == 1
        assert counts[root.id] == 9  # 2 × 2 × 2 + the root's own active member
        assert (counts[committee.id], counts[branch.id], counts[group.id]) == (4, 2, 1)
        assert len(counts) == 1 + len(made)
        within = tree.subtree_member_counts(committee)
        assert set(within) == {o.id for o in made[:5]} and within[committee.id] == 4
        full_only = tree.subtree_member_counts(statuses=("full",))
        assert full_only[root.id] == 5 and full_only[group.id] == 0
        direct = tree.direct_member_counts(committee)
        assert direct == {branch.id: 1, group.id: 1, made[3].id: 1, made[4].id: 1}


def test_tree_nests_the_subtree_with_member_counts(client, tenant, in_tenant, auth_headers):
    with in_tenant(tenant):
        root = orgs.create(name="市委", code="R", kind="committee")
        made = _grow(root, 2, 1)
        committee_id, branch_id = made[0].id, made[1].id
        root_id = root.id
        db.session.commit()
    headers = auth_headers(tenant)
    body = client.get(f"/api/v1/orgs/{root_id}/tree", headers=headers).get_json()
    assert (body["code"], body["member_count"], body["subtree_member_count"]) == ("R", 0, 4)
    assert len(body["children"]) == 2
    first = next(c for c in body["children"] if c["id"] == str(committee_id))
    branch = first["children"][0]
    assert branch["id"] == str(branch_id)
    assert (branch["member_count"], branch["subtree_member_count"]) == (1, 2)
    assert branch["children"][0]["kind"] == "group"
    shallow = client.get(f"/api/v1/orgs/{root_id}/tree?depth=1", headers=headers).get_json()
    assert [c["children"] for c in shallow["children"]] == [[], []]
    assert [c["subtree_member_count"] for c in shallow["children"]] == [2, 2]  # deeper counted
    own = auth_headers(tenant, role="branch_secretary", org=branch_id)
    assert client.get(f"/api/v1/orgs/{root_id}/tree", headers=own).status_code == 404
    mine = client.get(f"/api/v1/orgs/{branch_id}/tree", headers=own)
    assert mine.status_code == 200 and mine.get_json()["subtree_member_count"] == 2


def test_tree_and_stats_cost_the_same_number_of_statements_for_10_and_60_orgs(
    client, tenant, in_tenant, auth_headers, count_statements
):
    with in_tenant(tenant):
        root = orgs.create(name="市委", code="R", kind="committee")
        _grow(root, 3, 1)  # 1 + 3 × 3 = 10 organisations
        root_id = root.id
        db.session.commit()
    headers = auth_headers(tenant)
    urls = [f"/api/v1/orgs/{root_id}/tree", f"/api/v1/orgs/{root_id}/stats"]

    def statements() -> list[int]:
        counts = []
        for url in urls:
            client.get(url, headers=headers)  # warm: per-token bookkeeping settles
            with count_statements() as seen:
                response = client.get(url, headers=headers)
            assert response.status_code == 200, response.get_json()
            counts.append(len(seen))
        return counts

    small = statements()
    with in_tenant(tenant):
        _grow(orgs.get(root_id), 10, 2)  # + 10 × 5 = 60 organisations
        db.session.commit()
    large = statements()
    assert large == small
    assert all(n <= 20 for n in small), small
    body = client.get(urls[1], headers=headers).get_json()
    assert body["organizations"]["total"] == 60
    assert body["members"]["total"] == 2 * (3 + 20)


def test_stats_as_of_a_date(client, tenant, in_tenant, auth_headers):
    with in_tenant(tenant):
        root = orgs.create(name="市委", code="R", kind="committee")
        new_member(root, birth_date=date(1990, 6, 15))
        root_id = root.id
        db.session.commit()
    headers = auth_headers(tenant)

    def band(as_of):
        response = client.get(f"/api/v1/orgs/{root_id}/stats?as_of={as_of}", headers=headers)
        assert response.status_code == 200, response.get_json()
        bands = response.get_json()["members"]["by_age_band"]
        return [label for label, n in bands.items() if n]

    assert band("2021-06-14") == ["30_and_under"]  # 30 until the day before turning 31
    assert band("2021-06-15") == ["31_35"]
    bad = client.get(f"/api/v1/orgs/{root_id}/stats?as_of=soon", headers=headers)
    assert bad.status_code == 422
