"""The member service: encryption at rest, blind-index lookups, locking, status rules."""

from datetime import date

import pytest
from sqlalchemy import Uuid, bindparam, select, text

from core.api.errors import ApiError
from core.auth.context import Actor, acting_as
from core.db import db
from core.db.encrypted import blind_index, keyring
from core.members import service
from core.members.models import Member, MemberEvent
from core.members.validation import MemberInputSchema
from core.orgs import service as orgs
from core.orgs.models import Organization
from tests.members.helpers import make_id_number, member_data


def test_personal_fields_are_ciphertext_in_the_database(tenant, tree, in_tenant, add_member):
    number = make_id_number()
    member_id = add_member(tenant, tree["X"], id_number=number)
    with in_tenant(tenant):
        raw = db.session.execute(
            text("SELECT id_number, phone, address, id_number_index FROM members")
        ).one()
        assert number not in raw.id_number and "13812345678" not in raw.phone
        assert "南京" not in raw.address
        assert keyring().decrypt(raw.id_number) == number
        assert keyring().decrypt(raw.phone) == "13812345678"
        assert raw.id_number_index == blind_index(number) != number
        # The same plain value encrypts differently each time (no equality leak).
        assert keyring().encrypt(number) != raw.id_number
        assert db.session.get(Member, (tenant.id, member_id)).id_number == number


def test_blind_index_finds_the_member(tenant, tenant_b, tree, in_tenant, add_member):
    number = make_id_number(date(1970, 1, 1), "female")
    member_id = add_member(tenant, tree["X"], id_number=number)
    others = [make_id_number() for _ in range(3)]
    for other in others:
        add_member(tenant, tree["Y"], id_number=other)
    with in_tenant(tenant):
        assert service.find_by_id_number(number).id == member_id
        assert service.find_by_id_number(number.lower()).id == member_id
        assert service.find_by_id_number(f" {number[:6]} {number[6:]} ").id == member_id
        assert service.find_by_id_number(make_id_number()) is None
        assert service.find_by_id_number("") is None
        found = service.find_by_id_numbers([number.lower(), *others, make_id_number()])
        assert set(found) == {number, *others}
        assert found[number].id == member_id
    with in_tenant(tenant_b):  # another tenant's register does not answer
        assert service.find_by_id_number(number) is None


def test_create_records_the_admission_with_the_actor(tenant, tree, in_tenant):
    with in_tenant(tenant), acting_as(Actor(label="cli:tester")):
        data = MemberInputSchema().load(member_data(tree["X"], name="欧阳修文"))
        member = service.create_member(data, occurred_on=date(2024, 1, 2), reason="imported",
                                       details={"row": 7})
        db.session.commit()
        assert member.name_initials == "oyxw"
        (event,) = db.session.scalars(select(MemberEvent)).all()
        assert (event.kind, event.occurred_on, event.reason, event.actor_label) == (
            "admitted", date(2024, 1, 2), "imported", "cli:tester"
        )
        assert (event.to_org_id, event.to_status, event.details) == (tree["X"], "full", {"row": 7})
        with pytest.raises(ApiError) as caught:
            service.create_member(data)
        assert (caught.value.status, set(caught.value.errors)) == (409, {"id_number"})


def test_service_refuses_an_inconsistent_record(tenant, tree, in_tenant):
    with in_tenant(tenant):
        data = MemberInputSchema().load(member_data(tree["X"]))
        with pytest.raises(ApiError) as caught:
            service.create_member(data | {"full_on": None})
        assert (caught.value.status, set(caught.value.errors)) == (422, {"full_on"})
        member = service.create_member(data)
        db.session.commit()
        with pytest.raises(ApiError) as caught:
            service.update_member(member, {"gender": "female"})
        assert (caught.value.status, set(caught.value.errors)) == (422, {"gender"})
        with pytest.raises(ApiError) as caught:
            service.update_member(member, {"org_id": tree["Y"]})
        assert set(caught.value.errors) == {"org_id"}


def test_a_change_committed_meanwhile_is_a_409(backend, tenant, tree, in_tenant, add_member):
    member_id = add_member(tenant, tree["X"])
    with in_tenant(tenant):
        member = service.get_member(member_id)
        assert member.version == 1
        # Another transaction changes the row after we read it.
        with db.engine.begin() as other:
            if backend == "postgresql":
                other.execute(text("SELECT set_config('dangjian.tenant_id', :t, true)"),
                              {"t": str(tenant.id)})
            changed = other.execute(
                text("UPDATE members SET version = version + 1, job = 'elsewhere' WHERE id = :id")
                .bindparams(bindparam("id", type_=Uuid)),
                {"id": member_id},
            )
            assert changed.rowcount == 1
        with pytest.raises(ApiError) as caught:
            service.update_member(member, {"job": "mine"})  # the version read is 1, not 2
        assert (caught.value.status, set(caught.value.errors)) == (409, {"version"})
    with in_tenant(tenant):
        assert service.get_member(member_id).job == "elsewhere"


def test_update_keeps_index_and_initials_in_step(tenant, tree, in_tenant, add_member):
    member_id = add_member(tenant, tree["X"])
    new_number = make_id_number(date(1990, 3, 7))
    with in_tenant(tenant):
        member = service.get_member(member_id)
        service.update_member(member, {"id_number": new_number, "name": "李四"}, expected_version=1)
        db.session.commit()
        assert member.version == 2
        assert service.find_by_id_number(new_number).id == member_id
        assert member.name_initials == "ls"


def test_status_rules(tenant, tree, in_tenant, add_member):
    member_id = add_member(tenant, tree["X"], full_on=None, status="probationary", joined_on="2019-07-01")
    with in_tenant(tenant):
        member = service.get_member(member_id)

        def refused(*args, **kwargs):
            with pytest.raises(ApiError) as caught:
                service.change_status(member, *args, **kwargs)
            return set(caught.value.errors)

        assert refused("full", date(2019, 6, 1), "r") == {"on"}
        assert refused("probationary", date(2020, 1, 1), "r") == {"status"}
        event = service.change_status(member, "full", date(2020, 7, 1), "转正")
        assert (event.kind, member.full_on, member.status) == ("converted", date(2020, 7, 1), "full")
        assert refused("probationary", date(2021, 1, 1), "r") == {"status"}
        service.change_status(member, "mobile", date(2021, 1, 1), "外出", mobile_destination="深圳")
        assert (member.mobile_since, member.mobile_destination) == (date(2021, 1, 1), "深圳")
        service.change_status(member, "transferred_out", date(2022, 1, 1), "转出",
                              event_kind="transfer_out")
        assert (member.mobile_since, member.mobile_destination) == (None, None)
        back = service.change_status(member, "full", date(2023, 1, 1), "转回")
        assert (back.kind, back.from_status) == ("status_changed", "transferred_out")
        db.session.commit()
        kinds = [e.kind for e in service.history(member)]
        assert kinds == ["admitted", "converted", "status_changed", "transfer_out", "status_changed"]


def test_move_within_the_tenant(tenant, tree, in_tenant, add_member):
    member_id = add_member(tenant, tree["X"])
    with in_tenant(tenant):
        member = service.get_member(member_id)
        target = orgs.get(tree["Z"])
        event = service.move_member(member, target, date(2022, 2, 2), "调动", expected_version=1)
        db.session.commit()
        assert (member.org_id, member.version) == (tree["Z"], 2)
        assert (event.from_org_id, event.to_org_id, event.kind) == (tree["X"], tree["Z"], "moved")
        with pytest.raises(ApiError) as caught:
            service.move_member(member, orgs.get(tree["Y"]), date(2022, 3, 3), "r", expected_version=1)
        assert caught.value.status == 409


def test_search_is_limited_to_what_the_user_sees(tenant, tree, in_tenant, add_member, make_user):
    add_member(tenant, tree["X"], name="张三")
    add_member(tenant, tree["Z"], name="李四")
    user = make_user(tenant, role="branch_secretary", org=tree["X"])
    with in_tenant(tenant):
        everyone = service.search(visible_only=False)
        assert sorted(m.name for m in db.session.scalars(everyone)) == ["张三", "李四"]
        assert db.session.scalars(service.search()).all() == []  # no user: nothing
        with acting_as(Actor(label="user:x", user_id=user.id)):
            assert [m.name for m in db.session.scalars(service.search())] == ["张三"]
            assert [m.name for m in db.session.scalars(service.search(q="ls"))] == []
        with pytest.raises(ValueError):
            service.search(sort="phone")


def test_nobody_joins_or_moves_into_a_dissolved_organisation(tenant, tree, in_tenant, add_member):
    """A merged or dissolved organisation stays in the tree for history, closed to arrivals."""
    member_id = add_member(tenant, tree["X"])
    with in_tenant(tenant):
        closed = db.session.get(Organization, (tenant.id, tree["Y"]))
        closed.status = "dissolved"
        db.session.commit()
        member = service.get_member(member_id)
        with pytest.raises(ApiError) as moved:
            service.move_member(member, closed, date(2024, 5, 1))
        assert "org_id" in moved.value.errors
        db.session.rollback()
        data = MemberInputSchema().load(member_data(tree["Y"], name="李四"))
        with pytest.raises(ApiError) as created:
            service.create_member(data)
        assert "org_id" in created.value.errors
        db.session.rollback()
