"""The orgs slice's national warning rules: structure (组织设置) and terms (换届).

Structure rules reuse :mod:`core.orgs.structure` (one set-based query, read once per sweep
for the five of them); a tenant's
parameter overrides become that module's :class:`~core.orgs.structure.Thresholds`.

Term rules load ``(id, kind, sector, term_started_on, term_years)`` of every active
organisation with a term start in **one** query and compute the end in Python; the term
length of an organisation without its own ``term_years`` is its sector plugin's setting for
its kind (:func:`core.orgs.terms.sector_term_years`), looked up once per (sector, kind).
An approved early or late election (≤ 1 year) moves the date only once it is recorded as the
new ``term_started_on``: there is no record of an approved postponement here, so an
organisation whose election was approved for later is still reported overdue.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from core.db import db
from core.orgs import structure, terms
from core.orgs.models import BRANCH_LEVEL_KINDS, Organization
from core.warnings.rules import Finding, RuleContext, WarningRule


def _count(default: int, description: str):
    return fields.Int(load_default=default, validate=validate.Range(min=0, max=100000),
                      metadata={"description": description})


class BranchTooSmallParams(Schema):
    min_full_members = _count(3, "a branch needs at least this many full members")


class CommitteeMissingParams(Schema):
    committee_from_full_members = _count(7, "full members from which a committee is needed")
    committee_min = _count(3, "smallest committee")


class CommitteeSizeParams(Schema):
    committee_min = _count(3, "smallest committee")
    committee_max = _count(5, "largest committee")


class GeneralBranchParams(Schema):
    general_branch_over = _count(50, "members above which a general branch fits")
    committee_over = _count(100, "members above which a committee fits")


class CommitteeSuggestedParams(Schema):
    committee_over = _count(100, "members above which a committee fits")


class TermEndingParams(Schema):
    days_before = fields.Int(load_default=90, validate=validate.Range(min=1, max=730),
                             metadata={"description": "warn this many days before a term ends"})


class TermOverdueParams(Schema):
    grace_days = fields.Int(load_default=0, validate=validate.Range(min=0, max=366),
                            metadata={"description": "days after the end before it is overdue"})


def _structure_check(function):
    def check(ctx: RuleContext):
        thresholds = replace(structure.DEFAULT, **ctx.params)
        known = ctx.once(("orgs.structure", ctx.today), lambda: structure.figures(None, ctx.today))
        return [Finding(f.org_id, figures=f.figures)
                for f in function(None, ctx.today, thresholds, known)]

    return check


def _terms(ctx: RuleContext) -> list[tuple]:
    """``(org_id, started_on, years, ends_on)`` of every active organisation with an elected
    term — read once per sweep for both term rules."""
    return ctx.once("orgs.terms", _read_terms)


def _read_terms() -> list[tuple]:
    rows = db.session.execute(
        select(Organization.id, Organization.kind, Organization.sector,
               Organization.term_started_on, Organization.term_years)
        .where(
            Organization.status == "active",
            Organization.term_started_on.is_not(None),
            Organization.kind.in_(("committee", *BRANCH_LEVEL_KINDS)),
        )
    ).all()
    years_of: dict[tuple, int | None] = {}
    found = []
    for row in rows:
        years = row.term_years
        if years is None:
            pair = (row.sector, row.kind)
            if pair not in years_of:
                years_of[pair] = terms.sector_term_years(row.sector, row.kind)
            years = years_of[pair]
        if years is not None:
            found.append((row.id, row.term_started_on, years, terms.add_years(row.term_started_on, years)))
    return found


def term_ending(ctx: RuleContext) -> list[Finding]:
    horizon = ctx.today + timedelta(days=ctx.params["days_before"])
    return [
        Finding(org_id, figures={"started_on": start.isoformat(), "term_years": years,
                                 "ends_on": ends.isoformat(), "days_left": (ends - ctx.today).days})
        for org_id, start, years, ends in _terms(ctx)
        if ctx.today <= ends <= horizon
    ]


def term_overdue(ctx: RuleContext) -> list[Finding]:
    return [
        Finding(org_id, figures={"started_on": start.isoformat(), "term_years": years,
                                 "ends_on": ends.isoformat(), "days_overdue": (ctx.today - ends).days})
        for org_id, start, years, ends in _terms(ctx)
        if (ctx.today - ends).days > ctx.params["grace_days"]
    ]


RULES = [
    WarningRule(
        key="orgs.branch_too_small", name="支部正式党员不足3人", severity="warning",
        message="正式党员仅 {full_members} 人，不足3人，应与其他单位组成联合党支部或调整设置",
        check=_structure_check(structure.branches_too_small), params=BranchTooSmallParams,
    ),
    WarningRule(
        key="orgs.committee_missing", name="应设未设支部委员会", severity="warning",
        message="正式党员 {full_members} 人（7人以上），但在任支委仅 {committee_size} 人，应设立支部委员会",
        check=_structure_check(structure.committees_missing), params=CommitteeMissingParams,
    ),
    WarningRule(
        key="orgs.committee_size", name="支委会人数超出3至5人", severity="info",
        message="支部委员会在任 {committee_size} 人，超出3至5人的规定",
        check=_structure_check(structure.committee_sizes), params=CommitteeSizeParams,
    ),
    WarningRule(
        key="orgs.suggest_general_branch", name="党员超过50人建议设立党总支", severity="info",
        message="党员 {members} 人，超过50人，可设立党总支",
        check=_structure_check(structure.general_branch_suggested), params=GeneralBranchParams,
    ),
    WarningRule(
        key="orgs.suggest_committee", name="党员超过100人建议设立基层党委", severity="info",
        message="党员 {members} 人，超过100人，可设立基层党委",
        check=_structure_check(structure.committee_suggested), params=CommitteeSuggestedParams,
    ),
    WarningRule(
        key="orgs.term_ending", name="即将到期换届", severity="info",
        message="本届任期 {term_years} 年，将于 {ends_on} 届满（还有 {days_left} 天），请及时做好换届准备",
        check=term_ending, params=TermEndingParams,
    ),
    WarningRule(
        key="orgs.term_overdue", name="超期未换届", severity="serious",
        message="本届任期已于 {ends_on} 届满，已超期 {days_overdue} 天未换届",
        check=term_overdue, params=TermOverdueParams,
    ),
]
