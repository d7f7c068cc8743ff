"""Two cities with a small tree each, and members to transfer between them."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select

from core.db import db
from core.members import service as members
from core.members.idcard import check_char
from core.members.models import Member, MemberEvent
from core.orgs import service as orgs
from core.orgs.models import Organization
from core.transfers.models import TransferEnvelope, TransferLetter

_sequence = itertools.count(101)


def id_number(birth: str = "19900307") -> str:
    """A valid ID number (Nanjing) with a fresh sequence, so every person differs."""
    sequence = next(_sequence) % 1000
    first17 = f"320102{birth}{sequence:03d}"
    return first17 + check_char(first17)


@dataclass
class City:
    tenant: object
    id: int
    slug: str
    orgs: dict[str, uuid.UUID]


def _tree(tenant, in_tenant, prefix: str) -> City:
    with in_tenant(tenant):
        root = orgs.create(name=f"{prefix}市委", code=f"{prefix}R", kind="committee")
        first = orgs.create(name=f"{prefix}一支部", code=f"{prefix}1", kind="branch", parent=root)
        orgs.create(name=f"{prefix}二支部", code=f"{prefix}2", kind="branch", parent=root)
        orgs.create(name=f"{prefix}党小组", code=f"{prefix}1G", kind="group", parent=first)
        db.session.commit()
        ids = {o.code.removeprefix(prefix): o.id for o in db.session.scalars(select(Organization))}
        return City(tenant=tenant, id=tenant.id, slug=tenant.slug, orgs=ids)


@pytest.fixture
def city_a(tenant, in_tenant) -> City:
    """甲市: R → 1 (→ 1G), 2."""
    return _tree(tenant, in_tenant, "A")


@pytest.fixture
def city_b(tenant_b, in_tenant) -> City:
    """乙市: R → 1 (→ 1G), 2."""
    return _tree(tenant_b, in_tenant, "B")


@pytest.fixture
def admin_a(auth_headers, city_a) -> dict:
    """Headers of a tenant administrator of 甲市."""
    return auth_headers(city_a.tenant)


@pytest.fixture
def admin_b(auth_headers, city_b) -> dict:
    """Headers of a tenant administrator of 乙市."""
    return auth_headers(city_b.tenant)


@pytest.fixture
def add_member(in_tenant):
    """``add_member(city, org_key, **fields)`` → (member id, ID number)."""

    def add(city: City, org_key: str = "1", **fields):
        number = fields.pop("id_number", None) or id_number()
        record = {
            "org_id": city.orgs[org_key],
            "name": "张三",
            "ethnicity": "汉族",
            "id_number": number,
            "phone": "13812345678",
            "address": "江苏省南京市玄武区某路1号",
            "education": "bachelor",
            "joined_on": date(2015, 6, 1),
            "full_on": date(2016, 6, 1),
            "status": "full",
        } | fields
        with in_tenant(city.tenant):
            member = members.create_member(record)
            db.session.commit()
            return member.id, number

    return add


@pytest.fixture
def look(in_tenant):
    """Reading what a tenant holds, in that tenant's own context."""

    class Look:
        def member(self, city: City, member_id) -> Member | None:
            with in_tenant(city.tenant):
                found = db.session.scalar(select(Member).where(Member.id == member_id))
                if found is not None:
                    db.session.expunge(found)
                return found

        def members_with(self, city: City, number: str) -> list[Member]:
            with in_tenant(city.tenant):
                found = members.find_by_id_number(number)
                rows = [found] if found is not None else []
                total = db.session.scalar(select(func.count()).select_from(Member))
                for row in rows:
                    db.session.expunge(row)
                self.total = total
                return rows

        def events(self, city: City, member_id) -> list[tuple[str, str | None]]:
            with in_tenant(city.tenant):
                return [
                    (e.kind, e.to_status)
                    for e in db.session.scalars(
                        select(MemberEvent)
                        .where(MemberEvent.member_id == member_id)
                        .order_by(MemberEvent.created_at, MemberEvent.id)
                    )
                ]

        def letter(self, city: City, code: str) -> TransferLetter | None:
            with in_tenant(city.tenant):
                found = db.session.scalar(select(TransferLetter).where(TransferLetter.code == code))
                if found is not None:
                    db.session.expunge(found)
                return found

        def envelope(self, code: str) -> TransferEnvelope | None:
            db.session.rollback()
            found = db.session.get(TransferEnvelope, code, populate_existing=True)
            if found is not None:
                db.session.expunge(found)
            db.session.rollback()
            return found

    return Look()
