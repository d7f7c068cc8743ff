"""Assessment cycles (考核周期) and what they produce.

A :class:`Cycle` rates the organisations of one subtree over one period. When it is opened
it records, in :class:`CycleStandard`, the version of each standard it uses: the tenant may
edit its standards afterwards without changing what this cycle measures.

A run (:mod:`core.assessment.evaluate`) writes, in bulk, one :class:`OrgResult` per assessed
organisation, holding the score of each indicator of its standard (:class:`Item`, a JSON
list: a city's ~60,000 item scores as ~60,000 rows with their foreign-key checks cost a
third of a run, and they are only ever read per organisation or all at once); a re-run
replaces them. They are computed, their own trail (the run's summary on the cycle, who ran
it in the job log), and written thousands of rows at a time, so they are not copied into the
audit log (``__audited__ = False``), like warnings.

What assessors decide by hand — :class:`ManualScore` (an indicator scored by a person),
:class:`Adjustment` (± points with a reason) and :class:`Veto` (一票否决) — are kept in their
own, audited tables, so a re-run never loses them and every decision shows who made it.

:class:`MemberIndex` holds each member's vanguard index (先锋指数) for the cycle.

Points and scores are ``Numeric(12, 2)``; a measured value ``Numeric(18, 4)``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, DateTime, Index, Numeric, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned, Timestamps, Versioned, db, tenant_fk

__all__ = [
    "CYCLE_STATES",
    "Adjustment",
    "Cycle",
    "CycleStandard",
    "Item",
    "ManualScore",
    "MemberIndex",
    "OrgResult",
    "Veto",
]

POINTS = Numeric(12, 2)
VALUE = Numeric(18, 4)
INDEX = Numeric(14, 2)

OPEN, EVALUATED, PUBLISHED = "open", "evaluated", "published"
CYCLE_STATES = (OPEN, EVALUATED, PUBLISHED)
PERIODS = ("year", "half", "quarter")
CHANGES = ("up", "down", "same", "new")  # 升星 / 降星 / 持平 / 首次参评


class Cycle(TenantOwned, Timestamps, db.Model):
    __tablename__ = "assessment_cycles"
    __table_args__ = (
        tenant_fk("root_org_id", "organizations"),
        Index("ix_assessment_cycles_tenant_period", "tenant_id", "period", "state", "ends_on"),
    )

    name: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(8))  # year | half | quarter
    year: Mapped[int] = mapped_column()
    part: Mapped[int] = mapped_column(default=1)  # 1 for a year; 1–2 halves; 1–4 quarters
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    root_org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # True: every active standard of the tenant when opened; False: the ones chosen.
    all_standards: Mapped[bool] = mapped_column(default=True)
    state: Mapped[str] = mapped_column(String(16), default=OPEN)
    evaluated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reopened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reopen_reason: Mapped[str | None] = mapped_column(Text)
    # The last run: when, how many organisations, indicators measured, unavailable ones.
    run_summary: Mapped[dict | None] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(200), default="system")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Cycle {self.name} {self.state}>"


class CycleStandard(TenantOwned, Timestamps, db.Model):
    """A standard a cycle uses, frozen as the version current when the cycle was opened."""

    __tablename__ = "assessment_cycle_standards"
    __table_args__ = (
        tenant_fk("cycle_id", "assessment_cycles"),
        tenant_fk("standard_id", "assessment_standards"),
        tenant_fk("version_id", "assessment_standard_versions"),
        UniqueConstraint("tenant_id", "cycle_id", "standard_id"),
    )

    cycle_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    standard_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    version_id: Mapped[uuid.UUID] = mapped_column(Uuid)


class OrgResult(TenantOwned, Timestamps, db.Model):
    """One organisation's result in a cycle.

    ``score`` = ``items_total`` + ``adjustments_total`` + ``clamp``, where ``clamp`` is what
    keeping the score within 0–100 took (shown as the item "调整"), so the explanation adds
    up. ``score_stars`` are the stars the thresholds give; ``stars`` what stands after the
    five-star cap and a veto, with ``notes`` saying why they differ. Ranks are "n of m" among
    peers (same sector and kind in the cycle) and within the parent organisation.
    """

    __tablename__ = "assessment_org_results"
    __audited__ = False
    __table_args__ = (
        tenant_fk("cycle_id", "assessment_cycles"),
        tenant_fk("org_id", "organizations"),
        UniqueConstraint("tenant_id", "cycle_id", "org_id"),
        Index("ix_assessment_org_results_tenant_cycle_score", "tenant_id", "cycle_id", "score"),
        Index("ix_assessment_org_results_tenant_org", "tenant_id", "org_id"),
    )

    cycle_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    standard_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    version_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # The organisation as it was when evaluated (peers and parents are ranked on these).
    sector: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    items_total: Mapped[Decimal] = mapped_column(POINTS, default=Decimal("0"))
    adjustments_total: Mapped[Decimal] = mapped_column(POINTS, default=Decimal("0"))
    clamp: Mapped[Decimal] = mapped_column(POINTS, default=Decimal("0"))
    score: Mapped[Decimal] = mapped_column(POINTS, default=Decimal("0"))
    score_stars: Mapped[int] = mapped_column(default=1)
    stars: Mapped[int] = mapped_column(default=1)
    capped: Mapped[bool] = mapped_column(default=False)
    vetoed: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[list] = mapped_column(JSON, default=list)
    rank_peers: Mapped[int | None] = mapped_column()
    peers_count: Mapped[int | None] = mapped_column()
    rank_parent: Mapped[int | None] = mapped_column()
    parent_count: Mapped[int | None] = mapped_column()
    previous_cycle_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    previous_stars: Mapped[int | None] = mapped_column()
    change: Mapped[str | None] = mapped_column(String(8))
    member_count: Mapped[int] = mapped_column(default=0)
    avg_points: Mapped[Decimal] = mapped_column(POINTS, default=Decimal("0"))
    fortress_index: Mapped[Decimal | None] = mapped_column(INDEX)
    index_note: Mapped[str | None] = mapped_column(Text)  # why an index could not be computed
    # The indicators' scores, in the standard's order: a list of :meth:`Item.to_json`.
    items: Mapped[list] = mapped_column(JSON, default=list)


@dataclass(frozen=True)
class Item:
    """One indicator's score for one organisation (0 … ``weight``), as kept in
    :attr:`OrgResult.items`: ``scoring`` is ``None`` when the tenant no longer has the
    indicator; ``value`` is what was measured; ``evidence`` the facts behind it."""

    key: str
    name: str
    scoring: str | None
    weight: Decimal
    points: Decimal
    value: Decimal | None
    explanation: str
    evidence: dict

    def to_json(self) -> dict:
        return {
            "key": self.key, "name": self.name, "scoring": self.scoring,
            "weight": str(self.weight), "points": str(self.points),
            "value": None if self.value is None else str(self.value),
            "explanation": self.explanation, "evidence": self.evidence,
        }

    @classmethod
    def from_json(cls, data: dict) -> Item:
        value = data.get("value")
        return cls(
            key=data["key"], name=data["name"], scoring=data.get("scoring"),
            weight=Decimal(data["weight"]), points=Decimal(data["points"]),
            value=None if value is None else Decimal(value),
            explanation=data.get("explanation", ""), evidence=data.get("evidence") or {},
        )


class _Entered:
    """Who entered an assessor's decision (the audit log has the rest)."""

    entered_by: Mapped[str] = mapped_column(String(200), default="system")
    entered_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class ManualScore(_Entered, TenantOwned, Timestamps, Versioned, db.Model):
    """An assessor's score of a ``manual`` indicator for one organisation (0 … weight)."""

    __tablename__ = "assessment_manual_scores"
    __table_args__ = (
        tenant_fk("cycle_id", "assessment_cycles"),
        tenant_fk("org_id", "organizations"),
        UniqueConstraint("tenant_id", "cycle_id", "org_id", "indicator_key"),
    )

    cycle_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    indicator_key: Mapped[str] = mapped_column(String(100))
    points: Mapped[Decimal] = mapped_column(POINTS)
    reason: Mapped[str] = mapped_column(Text)


class Adjustment(_Entered, TenantOwned, Timestamps, db.Model):
    """± points added to an organisation's score by an assessor, with the reason (加减分)."""

    __tablename__ = "assessment_adjustments"
    __table_args__ = (
        tenant_fk("cycle_id", "assessment_cycles"),
        tenant_fk("org_id", "organizations"),
        Index("ix_assessment_adjustments_tenant_cycle_org", "tenant_id", "cycle_id", "org_id"),
    )

    cycle_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    points: Mapped[Decimal] = mapped_column(POINTS)
    reason: Mapped[str] = mapped_column(Text)


class Veto(_Entered, TenantOwned, Timestamps, Versioned, db.Model):
    """一票否决: the organisation gets the tenant's ``veto_stars`` whatever its score."""

    __tablename__ = "assessment_vetoes"
    __table_args__ = (
        tenant_fk("cycle_id", "assessment_cycles"),
        tenant_fk("org_id", "organizations"),
        UniqueConstraint("tenant_id", "cycle_id", "org_id"),
    )

    cycle_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    reason: Mapped[str] = mapped_column(String(200))  # one of the tenant's veto reasons
    note: Mapped[str | None] = mapped_column(Text)  # the case, in the assessor's words


class MemberIndex(TenantOwned, Timestamps, db.Model):
    """A member's vanguard index (先锋指数) in a cycle, with the figures it was computed from.

    ``exempt`` members (per the points settings) are listed but not ranked. ``org_id`` is the
    organisation the member was ranked in, copied from the member's record by the run (the
    member may move later); it has no foreign key of its own — the row is anchored by its
    cycle and its member, and a city's run writes ~100,000 of these rows, where each
    foreign-key check costs ~1 s on PostgreSQL."""

    __tablename__ = "assessment_member_indices"
    __audited__ = False
    __table_args__ = (
        tenant_fk("cycle_id", "assessment_cycles"),
        tenant_fk("member_id", "members"),
        UniqueConstraint("tenant_id", "cycle_id", "member_id"),
        Index("ix_assessment_member_indices_tenant_cycle_org", "tenant_id", "cycle_id", "org_id"),
    )

    cycle_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    points: Mapped[Decimal] = mapped_column(POINTS, default=Decimal("0"))
    exempt: Mapped[bool] = mapped_column(default=False)
    rank_in_branch: Mapped[int | None] = mapped_column()
    branch_size: Mapped[int] = mapped_column(default=0)  # members ranked in the branch
    vanguard_index: Mapped[Decimal | None] = mapped_column(INDEX)
    index_note: Mapped[str | None] = mapped_column(Text)
