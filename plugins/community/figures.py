"""Set-based figures of communities, shared by the indicators, the warnings and the overview.

An organisation is measured over its **subtree**: a community organisation over its own
records, a street (街道党工委) over the records of every community below it. Two helpers do
that for any number of organisations at once:

* :func:`holders` — a subquery pairing each measured organisation with itself and its active
  descendants (the materialised path: ``held.path LIKE measured.path || '%'``), so records are
  joined on ``holder_id`` and grouped by ``org_id`` in one statement;
* :func:`community_figures` — each measured organisation's community figures (population,
  households, workers… entered as sector attributes, :mod:`plugins.community.attributes`):
  its own when it carries figures (it leads a community), else the sum over the topmost
  organisations below it that carry them (a street's communities), never counting a
  community twice. One query, summed in Python.

The period rules used everywhere: a grid counts when it has not ended by the day in
question; a property company when it has started (or no start is recorded) and not left;
an agreement is valid on a day from its signing to its end (no end: open-ended).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from core.sdk import Organization, db
from plugins.community.attributes import SECTOR
from plugins.community.models import Grid, PropertyCompany

FIGURE_KEYS = (
    "population", "households", "residential_compounds", "owners_committees",
    "community_workers", "worker_avg_monthly_pay", "venue_area_m2",
)


def holders(orgs):
    """Subquery ``(org_id, holder_id, path, sector, attributes)``: every organisation of
    ``orgs`` (a SELECT of ids) with itself and each of its active descendants as holders of
    records that count for it."""
    measured = aliased(Organization, name="measured")
    held = aliased(Organization, name="held")
    return (
        select(measured.id.label("org_id"), held.id.label("holder_id"), held.path.label("path"),
               held.sector.label("sector"), held.attributes.label("attributes"))
        .join(held, held.path.startswith(measured.path))
        .where(measured.id.in_(orgs), or_(held.id == measured.id, held.status == "active"))
        .subquery("community_holders")
    )


@dataclass
class Community:
    """One community's figures as entered (None: not entered)."""

    org_id: uuid.UUID
    path: str
    values: dict

    def get(self, key: str):
        return self.values.get(key)


@dataclass
class Figures:
    """The communities counted for a measured organisation."""

    communities: list[Community] = field(default_factory=list)

    def known(self, *keys: str) -> list[Community]:
        """The communities that entered every figure of ``keys``."""
        return [c for c in self.communities if all(c.get(k) is not None for k in keys)]

    def total(self, key: str, among: list[Community] | None = None):
        return sum(c.get(key) or 0 for c in (self.communities if among is None else among))


def _carries(attributes) -> bool:
    return isinstance(attributes, dict) and any(attributes.get(k) is not None for k in FIGURE_KEYS)


def community_figures(orgs) -> dict[uuid.UUID, Figures]:
    """``{org_id: Figures}`` for the organisations of ``orgs`` that have communities with
    figures (one query)."""
    h = holders(orgs)
    rows = db.session.execute(
        select(h.c.org_id, h.c.holder_id, h.c.path, h.c.attributes).where(h.c.sector == SECTOR)
    ).all()
    candidates: dict[uuid.UUID, list[Community]] = {}
    for org_id, holder_id, path, attributes in rows:
        if _carries(attributes):
            values = {k: attributes.get(k) for k in FIGURE_KEYS}
            candidates.setdefault(org_id, []).append(Community(holder_id, path, values))
    found = {}
    for org_id, communities in candidates.items():
        communities.sort(key=lambda c: len(c.path))
        top: list[Community] = []
        for community in communities:  # shortest paths first: an ancestor comes before
            if not any(community.path.startswith(kept.path) for kept in top):
                top.append(community)
        found[org_id] = Figures(top)
    return found


def grid_current(on: date):
    """Grids not ended on ``on``."""
    return or_(Grid.ended_on.is_(None), Grid.ended_on > on)


def company_serving(on: date):
    """Property companies serving on ``on``."""
    return and_(or_(PropertyCompany.started_on.is_(None), PropertyCompany.started_on <= on),
                or_(PropertyCompany.left_on.is_(None), PropertyCompany.left_on > on))


def agreement_valid(on: date):
    """A joint-building agreement in force on ``on``."""
    return and_(PropertyCompany.agreement_signed_on.is_not(None),
                PropertyCompany.agreement_signed_on <= on,
                or_(PropertyCompany.agreement_ends_on.is_(None), PropertyCompany.agreement_ends_on >= on))


def red_property(on: date):
    """红色物业 on ``on``: the company has its own Party organisation, or a valid agreement."""
    return or_(PropertyCompany.has_party_org.is_(True), agreement_valid(on))


def venue_standard(households: int, per_100_households: float, minimum: float) -> float:
    """The venue area a community of ``households`` should have, in m²."""
    return max(float(minimum), households * float(per_100_households) / 100)
