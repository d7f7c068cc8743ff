"""What a point rule (积分规则) is: the contract between the points ledger and whoever defines
rules — core, a sector plugin (``dangjian_point_rules``) or a tenant administrator (rules
kept in the database, same shape, no code).

A rule awards (or, negative, deducts) points for one kind of deed: attending a meeting,
volunteering, dues paid on time, study, a breach. Entries are recorded by hand against a
rule, or collected from records the system already has: a rule with ``collect`` looks at the
whole tenant for a period with aggregate queries and returns every deed it finds; the ledger
adds an entry for each deed it has not seen (``source_ref`` makes collecting idempotent).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

CATEGORIES = ("attendance", "volunteering", "dues", "study", "deduction", "other")


@dataclass(frozen=True)
class Deed:
    """One thing a collecting rule found: member ``member_id`` earned the rule's points on
    ``occurred_on``; ``source_ref`` identifies the record it came from (``"meeting:<id>"``)
    and is unique per rule and member; ``evidence`` is shown with the entry."""

    member_id: uuid.UUID
    occurred_on: date
    source_ref: str
    evidence: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CollectContext:
    """What ``collect`` gets: the tenant, the period (both days included)."""

    tenant_id: int
    start: date
    end: date


@dataclass(frozen=True)
class PointRule:
    """A point rule.

    * ``key`` — unique, prefixed by its owner (``"life.attendance"``).
    * ``name`` — Chinese (``"参加组织生活"``).
    * ``points`` — points per entry; negative for a deduction.
    * ``category`` — one of :data:`CATEGORIES`.
    * ``yearly_cap`` — the most a member can get from this rule in a calendar year (the
      most that can be deducted, for a negative rule); ``None`` for no cap.
    * ``collect`` — ``collect(ctx: CollectContext) -> Iterable[Deed]``, set-based, for rules
      fed by existing records; ``None`` for rules recorded by hand.
    * ``evidence_required`` — a hand-recorded entry must say what backs it.
    * ``description`` — when the rule applies, for the member reading their ledger.
    """

    key: str
    name: str
    points: float
    category: str = "other"
    yearly_cap: float | None = None
    collect: Callable[[CollectContext], Iterable[Deed]] | None = None
    evidence_required: bool = False
    description: str = ""

    def __post_init__(self):
        if "." not in self.key:
            raise ValueError(f"point rule key {self.key!r} must be prefixed with its owner")
        if self.category not in CATEGORIES:
            raise ValueError(f"point rule {self.key}: category must be one of {CATEGORIES}")
        if self.points == 0:
            raise ValueError(f"point rule {self.key}: points must not be 0")
        if self.yearly_cap is not None and self.yearly_cap <= 0:
            raise ValueError(f"point rule {self.key}: yearly_cap must be positive (or None)")
