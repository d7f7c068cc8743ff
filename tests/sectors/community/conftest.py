"""Fixtures of the community plugin's tests.

``community_city`` builds, in the ``sector_tenant("community")`` tenant (committed), a
street (街道党工委) with one community (社区党委) whose grid branch and Party group sit under
it, and an organ branch elsewhere with members who may register with the community (双报到).
It returns a :class:`City` of ids (objects go stale across requests). ``add_community``
adds one more community (with its own grid branch) under the street.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

import pytest

from core.db import db
from core.orgs import service as orgs

_codes = itertools.count(1)


@dataclass
class City:
    tenant: object
    street: object
    community: object
    branch: object  # 第一网格党支部
    group: object  # a Party group of the grid branch
    organ: object  # 市财政局机关党支部 (sector organs)
    outsiders: list = field(default_factory=list)  # members of the organ branch
    insider: object = None  # a member of the grid branch


def new_org(name, kind, parent=None, sector="community", **fields):
    org = orgs.create(name=name, code=f"C{next(_codes)}", kind=kind, parent=parent, sector=sector,
                      founded_on=date(2000, 1, 1), **fields)
    db.session.flush()
    return org


def add_community(street, name="社区党委", **attributes):
    community = new_org(name, "committee", street, attributes=attributes or None)
    branch = new_org(f"{name}第一网格党支部", "branch", community)
    return community, branch


@pytest.fixture
def community_city(sector_tenant, in_tenant, add_member):
    tenant = sector_tenant("community")
    with in_tenant(tenant):
        root = new_org("示范市委", "committee", sector=None)
        street = new_org("幸福街道党工委", "committee", root)
        community, branch = add_community(street, "幸福社区党委")
        group = new_org("第一网格第一党小组", "group", branch)
        organs = new_org("市直机关工委", "committee", root, sector="organs")
        organ = new_org("市财政局机关党支部", "branch", organs, sector="organs")
        outsiders = [add_member(organ, name=f"财政{n}") for n in range(4)]
        insider = add_member(branch, name="网格党员")
        db.session.commit()
        return City(tenant=tenant, street=street.id, community=community.id, branch=branch.id,
                    group=group.id, organ=organ.id, outsiders=[m.id for m in outsiders],
                    insider=insider.id)
