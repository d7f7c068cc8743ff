"""What a warning rule is: the contract between the engine and whoever writes rules.

A rule is data returned by the ``dangjian_warning_rules`` hook: a key, a severity, a Chinese
message template, optional parameters (thresholds a tenant may change) and a **set-based**
check: one function that looks at the whole tenant with a few aggregate queries and returns
every finding at once — never a query per organisation or member.

The engine (:mod:`core.warnings.engine`) runs the checks, opens a warning for each new
finding, keeps it open (the same warning, figures refreshed) while the finding persists and
resolves it when the finding is gone.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date

from marshmallow import Schema

SEVERITIES = ("info", "warning", "serious")
SUBJECTS = ("org", "member", "person")


@dataclass(frozen=True)
class Finding:
    """One thing a rule found: about organisation ``org_id`` and, for member- or person-level
    rules, about ``subject_id`` too. ``figures`` (JSON-safe) fill the message template."""

    org_id: uuid.UUID
    subject_id: uuid.UUID | None = None
    figures: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        return (self.org_id, self.subject_id)


@dataclass(frozen=True)
class RuleContext:
    """What a check gets: the tenant, the day it checks as of, the effective parameters,
    and ``shared``: one dict for every rule of a sweep, so figures several rules read (a
    slice's rolled-up member counts, say) are computed once per sweep — use
    :meth:`once`."""

    tenant_id: int
    today: date
    params: dict
    shared: dict = field(default_factory=dict, compare=False, repr=False)

    def once(self, key: Hashable, compute: Callable[[], object]):
        """``compute()`` the first time a rule of this sweep asks for ``key`` (include the
        inputs it depends on, e.g. ``("orgs.structure", today)``), the same value after."""
        if key not in self.shared:
            self.shared[key] = compute()
        return self.shared[key]


@dataclass(frozen=True)
class WarningRule:
    """A warning rule.

    * ``key``: unique, dotted, prefixed by its owner (``"life.committee_meeting_overdue"``).
    * ``name``: a short Chinese name (``"支委会未按期召开"``).
    * ``severity``: ``info``, ``warning`` or ``serious``.
    * ``message``: a Chinese template formatted with the finding's figures
      (``"已 {days} 天未召开支委会（应每月一次）"``).
    * ``check``: ``check(ctx: RuleContext) -> Iterable[Finding]``, set-based.
    * ``params``: a marshmallow Schema class whose fields all have ``load_default`` — the
      national defaults; tenant admins override them per rule, validated by this schema.
    * ``subject``: what a finding is about beside its organisation: ``org``, ``member``
      (``subject_id`` is a member id) or ``person`` (someone in the development pipeline).
    * ``sectors``: the sectors it applies to (empty: all); checks filter on them themselves.
    """

    key: str
    name: str
    severity: str
    message: str
    check: Callable[[RuleContext], Iterable[Finding]]
    params: type[Schema] | None = None
    subject: str = "org"
    sectors: tuple[str, ...] = ()

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise ValueError(f"rule {self.key}: severity must be one of {SEVERITIES}")
        if self.subject not in SUBJECTS:
            raise ValueError(f"rule {self.key}: subject must be one of {SUBJECTS}")
        if "." not in self.key:
            raise ValueError(f"rule key {self.key!r} must be prefixed with its owner ('life.…')")
