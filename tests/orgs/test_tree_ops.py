"""Moving a subtree, merging and dissolving: set-based, nothing orphaned, history kept."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from core.api.errors import ApiError
from core.audit.models import AuditEntry
from core.db import db
from core.members.models import Member, MemberEvent
from core.orgs import posts, tree, units
from core.orgs import service as orgs
from core.orgs.models import Organization, OrgPost, OrgUnit
from tests.orgs.conftest import add_members, new_member
from tests.support.auth import error_fields


@pytest.fixture
def city(tenant, in_tenant):
    """R → C1 (X → G, Y), C2 (Z). Returns codes → ids."""
    with in_tenant(tenant):
        r = orgs.create(name="市委", code="R", kind="committee")
        c1 = orgs.create(name="一党委", code="C1", kind="committee", parent=r)
        c2 = orgs.create(name="二党委", code="C2", kind="committee", parent=r)
        x = orgs.create(name="X支部", code="X", kind="branch", parent=c1,
                        founded_on=date(2010, 1, 1))
        orgs.create(name="G小组", code="G", kind="group", parent=x)
        orgs.create(name="Y支部", code="Y", kind="branch", parent=c1)
        orgs.create(name="Z支部", code="Z", kind="branch", parent=c2)
        db.session.commit()
        return {o.code: o.id for o in db.session.scalars(select(Organization))}


def _by_code() -> dict[str, Organization]:
    db.session.expire_all()
    return {o.code: o for o in db.session.scalars(select(Organization))}


def _assert_consistent(nodes: dict[str, Organization]) -> None:
    """Every path is the parent's path plus the node's id; depth follows the path."""
    by_id = {o.id: o for o in nodes.values()}
    for org in nodes.values():
        parent_path = by_id[org.parent_id].path if org.parent_id else "/"
        assert org.path == f"{parent_path}{org.id.hex}/", org.code
        assert org.depth == org.path.count("/") - 2, org.code


def test_move_subtree_rewrites_every_descendant_in_one_update(
    tenant, in_tenant, city, count_statements
):
    with in_tenant(tenant):
        c1, c2 = orgs.get(city["C1"]), orgs.get(city["C2"])
        with count_statements() as seen:
            tree.move_subtree(c1, c2)
        updates = [s for s in seen if s.lstrip().upper().startswith("UPDATE ORGANIZATIONS")]
        assert len(updates) == 1
        db.session.commit()
        nodes = _by_code()
        _assert_consistent(nodes)
        assert nodes["C1"].parent_id == city["C2"]
        assert [nodes[c].depth for c in ("C1", "X", "G", "Y")] == [2, 3, 4, 3]
        assert nodes["G"].path == (
            f"/{city['R'].hex}/{city['C2'].hex}/{city['C1'].hex}/{city['X'].hex}/{city['G'].hex}/"
        )
        assert nodes["Z"].depth == 2 and nodes["X"].parent_id == city["C1"]
        tree.move_subtree(nodes["C1"], None)  # and out again, as a root
        db.session.commit()
        nodes = _by_code()
        _assert_consistent(nodes)
        assert (nodes["C1"].parent_id, nodes["C1"].depth, nodes["G"].depth) == (None, 0, 2)


def test_move_refuses_a_cycle_and_inactive_orgs(tenant, in_tenant, city):
    with in_tenant(tenant):
        nodes = _by_code()
        for target in ("C1", "X", "G"):
            with pytest.raises(ApiError) as refused:
                tree.move_subtree(nodes["C1"], nodes[target])
            assert refused.value.status == 422 and "parent_id" in refused.value.errors
        tree.dissolve(nodes["Z"], date(2024, 1, 1))
        with pytest.raises(ApiError) as refused:
            tree.move_subtree(nodes["Y"], nodes["Z"])
        assert "parent_id" in refused.value.errors
        db.session.rollback()
        _assert_consistent(_by_code())


def test_merge_moves_children_members_units_and_keeps_history(tenant, in_tenant, city):
    with in_tenant(tenant):
        nodes = _by_code()
        x, y = nodes["X"], nodes["Y"]
        moving = add_members(x, 3) + [new_member(x, status="probationary")]
        gone = new_member(x, status="transferred_out")
        in_group = new_member(nodes["G"])
        units.create(x, name="桃源村", unit_type="village")
        posts.start(x, post="secretary", person_name="王书记", started_on=date(2020, 1, 1))
        db.session.commit()
        moving_ids = {m.id for m in moving}
        gone_id, in_group_id = gone.id, in_group.id

        outcome = tree.merge(x, y, date(2024, 6, 30), "两村合并")
        db.session.commit()

        assert outcome == tree.Outcome(members_moved=4, children_moved=1, units_moved=1,
                                       posts_ended=1)
        nodes = _by_code()
        _assert_consistent(nodes)
        x = nodes["X"]
        assert (x.status, x.merged_into_id, x.dissolved_on, x.end_reason) == (
            "merged", city["Y"], date(2024, 6, 30), "两村合并")
        assert nodes["G"].parent_id == city["Y"] and nodes["G"].depth == 3
        org_of = dict(db.session.execute(select(Member.id, Member.org_id)).all())
        assert {org_of[m] for m in moving_ids} == {city["Y"]}
        assert org_of[gone_id] == city["X"]  # history: who left from X stays recorded at X
        assert org_of[in_group_id] == city["G"]  # the group moved, with its members
        events = db.session.scalars(select(MemberEvent)).all()
        assert {e.member_id for e in events} == moving_ids
        assert {(e.kind, e.reason, e.from_org_id, e.to_org_id, e.occurred_on) for e in events} == {
            ("moved", "merged", city["X"], city["Y"], date(2024, 6, 30))}
        assert events[0].details == {"note": "两村合并"}
        assert db.session.scalar(select(OrgUnit.org_id)) == city["Y"]
        post = db.session.scalar(select(OrgPost))
        assert (post.org_id, post.ended_on, post.end_reason) == (
            city["X"], date(2024, 6, 30), "merged")
        versions = set(db.session.scalars(select(Member.version).where(Member.id.in_(moving_ids))))
        assert versions == {2}  # an edit based on the old row is refused (optimistic lock)
        audited = db.session.scalars(select(AuditEntry.object_type)).all()
        assert {"organizations", "members"} <= set(audited)
        assert "member_events" not in audited  # events are a trail of their own


def test_merge_refusals(tenant, in_tenant, city):
    with in_tenant(tenant):
        nodes = _by_code()
        cases = [
            (nodes["X"], nodes["X"], "target_id"),
            (nodes["X"], nodes["G"], "target_id"),  # into its own descendant
            (nodes["X"], nodes["Y"], "on"),  # before X was founded
        ]
        for source, target, field in cases:
            on = date(2000, 1, 1) if field == "on" else date(2024, 1, 1)
            with pytest.raises(ApiError) as refused:
                tree.merge(source, target, on)
            assert refused.value.status == 422 and field in refused.value.errors
        tree.merge(nodes["Z"], nodes["Y"], date(2024, 1, 1))
        with pytest.raises(ApiError) as refused:
            tree.merge(nodes["Z"], nodes["Y"], date(2024, 1, 1))
        assert "org_id" in refused.value.errors
        with pytest.raises(ApiError) as refused:
            tree.merge(nodes["X"], nodes["Z"], date(2024, 1, 1))
        assert "target_id" in refused.value.errors


def test_dissolve_is_refused_while_members_or_children_remain(tenant, in_tenant, city):
    with in_tenant(tenant):
        nodes = _by_code()
        add_members(nodes["X"], 2)
        new_member(nodes["X"], status="deceased")
        db.session.commit()
        with pytest.raises(ApiError) as refused:
            tree.dissolve(nodes["X"], date(2024, 3, 1))
        assert refused.value.status == 409
        assert set(refused.value.errors) == {"move_members_to", "move_children_to"}
        with pytest.raises(ApiError) as refused:
            tree.dissolve(nodes["X"], date(2024, 3, 1), move_members_to=nodes["Y"])
        assert set(refused.value.errors) == {"move_children_to"}
        with pytest.raises(ApiError) as refused:
            tree.dissolve(nodes["X"], date(2024, 3, 1), move_members_to=nodes["G"],
                          move_children_to=nodes["Y"])
        assert set(refused.value.errors) == {"move_members_to"}  # into its own group

        outcome = tree.dissolve(nodes["X"], date(2024, 3, 1), "撤销", move_members_to=nodes["Y"],
                                move_children_to=nodes["C1"])
        db.session.commit()
        assert (outcome.members_moved, outcome.children_moved) == (2, 1)
        nodes = _by_code()
        _assert_consistent(nodes)
        assert (nodes["X"].status, nodes["X"].dissolved_on) == ("dissolved", date(2024, 3, 1))
        assert nodes["G"].parent_id == city["C1"]
        remaining = db.session.scalars(
            select(Member.status).where(Member.org_id == city["X"])
        ).all()
        assert remaining == ["deceased"]
        reasons = set(db.session.scalars(select(MemberEvent.reason)))
        assert reasons == {"dissolved"}
        assert tree.active_member_count(nodes["Y"]) == 2


def test_an_empty_leaf_dissolves_and_stays_on_record(tenant, in_tenant, city):
    with in_tenant(tenant):
        nodes = _by_code()
        tree.dissolve(nodes["Z"], date(2024, 3, 1), "单位撤销")
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Organization)) == 7
        assert _by_code()["Z"].status == "dissolved"


# -- through the API -----------------------------------------------------------------------


def test_api_move_merge_dissolve_as_tenant_admin(client, tenant, city, auth_headers, in_tenant):
    headers = auth_headers(tenant)
    cycle = client.post(f"/api/v1/orgs/{city['C1']}/move", json={"parent_id": str(city["G"])},
                        headers=headers)
    assert cycle.status_code == 422 and "parent_id" in error_fields(cycle.get_json())
    moved = client.post(f"/api/v1/orgs/{city['X']}/move", json={"parent_id": str(city["C2"])},
                        headers=headers)
    assert moved.status_code == 200, moved.get_json()
    assert (moved.get_json()["parent_id"], moved.get_json()["depth"]) == (str(city["C2"]), 2)

    with in_tenant(tenant):
        add_members(orgs.get(city["Y"]), 2)
        db.session.commit()
    refused = client.post(f"/api/v1/orgs/{city['Y']}/dissolve", json={}, headers=headers)
    assert refused.status_code == 409 and "move_members_to" in error_fields(refused.get_json())
    merged = client.post(f"/api/v1/orgs/{city['Y']}/merge",
                         json={"target_id": str(city["Z"]), "on": "2024-05-01"}, headers=headers)
    assert merged.status_code == 200, merged.get_json()
    body = merged.get_json()
    assert body["members_moved"] == 2 and body["organization"]["status"] == "merged"
    assert body["organization"]["merged_into_id"] == str(city["Z"])
    dissolved = client.post(f"/api/v1/orgs/{city['G']}/dissolve", json={"reason": "撤销"},
                            headers=headers)
    assert dissolved.status_code == 200 and dissolved.get_json()["organization"]["status"] == (
        "dissolved")

    def codes(query=""):
        response = client.get(f"/api/v1/orgs{query}", headers=headers)
        assert response.status_code == 200, response.get_json()
        return sorted(o["code"] for o in response.get_json())

    assert codes() == ["C1", "C2", "R", "X", "Z"]
    assert codes("?include_inactive=true") == ["C1", "C2", "G", "R", "X", "Y", "Z"]
    assert codes("?status=dissolved") == ["G"]
    assert codes("?status=merged") == ["Y"]
    assert client.get(f"/api/v1/orgs/{city['Y']}", headers=headers).get_json()["status"] == "merged"


def test_api_structural_permissions(client, tenant, city, auth_headers):
    secretary = auth_headers(tenant, role="branch_secretary", org=city["X"])
    manager = auth_headers(tenant, role="org_manager", org=city["C1"])

    def move(headers, code, parent):
        return client.post(f"/api/v1/orgs/{city[code]}/move",
                           json={"parent_id": str(city[parent]) if parent else None},
                           headers=headers)

    def merge(headers, code, target):
        return client.post(f"/api/v1/orgs/{city[code]}/merge",
                           json={"target_id": str(city[target])}, headers=headers)

    assert move(secretary, "X", "Y").status_code == 403  # sees X, does not manage above it
    assert merge(secretary, "X", "Y").status_code == 403
    assert move(secretary, "Y", "X").status_code == 404  # Y is out of scope
    assert client.post(f"/api/v1/orgs/{city['X']}/dissolve", json={},
                       headers=secretary).status_code == 403
    assert move(manager, "C1", "C2").status_code == 403  # C1 itself hangs under R
    assert move(manager, "X", "Z").status_code == 404  # Z is outside the manager's subtree
    assert move(manager, "X", None).status_code == 403  # only a tenant admin makes a root
    assert merge(manager, "Y", "Z").status_code == 404
    moved = move(manager, "G", "Y")  # inside C1: fine
    assert moved.status_code == 200, moved.get_json()
    merged = merge(manager, "Y", "X")
    assert merged.status_code == 200, merged.get_json()
    assert merged.get_json()["children_moved"] == 1
