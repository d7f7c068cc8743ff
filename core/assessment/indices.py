"""The two indices (双指数): 战斗堡垒指数 per assessed organisation and 先锋指数 per member.

Each is a formula the tenant writes (settings ``fortress_formula`` and ``vanguard_formula``),
an arithmetic expression evaluated with ``simpleeval`` over these names:

Fortress index (per organisation):

* ``score`` — the organisation's score (0–100); ``stars`` — its stars (1–5);
* ``items_total`` — the indicators' points before adjustments; ``adjustments`` — their sum;
* ``members`` — its members (probationary, full, mobile, lost contact);
* ``avg_points`` — its ranked members' average points (党员积分) in the cycle's period;
* ``rank_peers`` / ``peers_count`` — its place among its peers;
* ``ind_<indicator key>`` — the points it got on an indicator, ``val_<indicator key>`` — the
  value measured, with the key's dots as underscores (``ind_life_committee_meetings``);
  0 for an indicator its standard does not have.

Vanguard index (per member):

* ``points`` — the member's approved points in the period;
* ``branch_score`` / ``branch_stars`` / ``branch_fortress`` — their organisation's score,
  stars and fortress index (0 when that could not be computed);
* ``rank_in_branch`` — their place in the organisation by points (1 = most);
  ``branch_size`` — the members ranked there.

Functions: ``min``, ``max``, ``abs``, ``round``. Numbers, + − × ÷ ``//`` ``%`` ``**``,
comparisons and ``x if c else y``; nothing else (no attributes, strings or indexing). A
formula is checked when the setting is written (:func:`check_formula`). At run time a
division by zero (or a result that is not a finite number) leaves that one index empty, with
the reason, and the rest are still computed. Members exempt from ranking (points settings)
get no vanguard index.

Defaults: the fortress index is the score, the vanguard index the points.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import simpleeval
from marshmallow import ValidationError

from core.assessment.indicators import to_points

FUNCTIONS = {"min": min, "max": max, "abs": abs, "round": round}
ALLOWED_NODES = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare,
    ast.IfExp, ast.Name, ast.Constant, ast.Call, ast.Load,
    ast.operator, ast.unaryop, ast.boolop, ast.cmpop,
)
INDEX_MAX = Decimal("999999999999.99")  # what Numeric(14, 2) holds


@dataclass(frozen=True)
class FormulaKind:
    setting: str
    names: tuple[str, ...]
    prefixes: tuple[str, ...] = ()

    def allows(self, name: str) -> bool:
        return name in self.names or any(
            name.startswith(p) and re.fullmatch(r"[a-z0-9_]+", name[len(p):]) for p in self.prefixes
        )


FORTRESS = FormulaKind(
    "fortress_formula",
    ("score", "stars", "items_total", "adjustments", "members", "avg_points",
     "rank_peers", "peers_count"),
    ("ind_", "val_"),
)
VANGUARD = FormulaKind(
    "vanguard_formula",
    ("points", "branch_score", "branch_stars", "branch_fortress", "rank_in_branch", "branch_size"),
)


def variable(prefix: str, indicator_key: str) -> str:
    """``ind_`` + the key with anything but letters and digits as ``_`` (lower case)."""
    return prefix + re.sub(r"[^a-z0-9]", "_", indicator_key.lower())


def _names_in(tree: ast.AST) -> tuple[set[str], set[str], list[str]]:
    names, called, refused = set(), set(), []
    for node in ast.walk(tree):
        if not isinstance(node, ALLOWED_NODES):
            refused.append(type(node).__name__)
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.keywords:
                refused.append("call")
            else:
                called.add(node.func.id)
        elif isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Constant) and (
            isinstance(node.value, str | bytes) or node.value is None
        ):
            refused.append("text")
    return names - called, called, refused


def check_formula(expr: str, kind: FormulaKind) -> None:
    """Refuse a formula that is not arithmetic over ``kind``'s names (a ``ValidationError``
    whose message says what is wrong; marshmallow files it under the setting's name)."""
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValidationError(f"Not a valid formula: {exc.msg}.") from None
    except ValueError:  # NUL characters
        raise ValidationError("Not a valid formula.") from None
    names, called, refused = _names_in(tree)
    if refused:
        raise ValidationError(
            f"Only numbers, names, arithmetic, comparisons and {', '.join(FUNCTIONS)} "
            f"are allowed (found: {', '.join(sorted(set(refused)))})."
        )
    unknown_functions = sorted(called - set(FUNCTIONS))
    if unknown_functions:
        raise ValidationError(
            f"Unknown functions: {', '.join(unknown_functions)} (allowed: {', '.join(FUNCTIONS)})."
        )
    unknown = sorted(n for n in names if not kind.allows(n))
    if unknown:
        allowed = ", ".join(kind.names + tuple(f"{p}<indicator>" for p in kind.prefixes))
        raise ValidationError(f"Unknown names: {', '.join(unknown)} (allowed: {allowed}).")
    formula = Formula(expr, kind)
    divided_by_zero = 0
    for sample in (1.0, 3.0):  # a formula that cannot compute on plain figures never will
        try:
            result = formula.raw(dict.fromkeys(names, sample))
        except ZeroDivisionError:
            divided_by_zero += 1  # figures at run time may differ …
            continue
        except (ArithmeticError, ValueError, TypeError, simpleeval.InvalidExpression) as exc:
            raise ValidationError(f"The formula cannot be computed: {exc}.") from None
        if not isinstance(result, int | float | Decimal):
            raise ValidationError("The formula must give a number.")
    if divided_by_zero == 2:  # … unless it divides by zero whatever they are
        raise ValidationError("The formula divides by zero.")


class Formula:
    """A checked formula, parsed once and evaluated for many rows."""

    def __init__(self, expr: str, kind: FormulaKind):
        self.expr, self.kind = expr.strip(), kind
        self._eval = simpleeval.SimpleEval(functions=dict(FUNCTIONS), names={})
        self._parsed = self._eval.parse(self.expr)
        self.names = _names_in(ast.parse(self.expr, mode="eval"))[0]

    def uses_prefix(self, prefix: str) -> bool:
        return any(n.startswith(prefix) for n in self.names)

    def raw(self, figures: dict):
        """What the expression gives for ``figures`` (may raise)."""
        self._eval.names = {n: figures.get(n, 0) for n in self.names}
        return self._eval.eval(self.expr, previously_parsed=self._parsed)

    def evaluate(self, figures: dict) -> tuple[Decimal | None, str | None]:
        """The value (two decimals) and ``None``, or ``None`` and why it cannot be computed.
        Names the figures lack (an indicator the standard does not have) count as 0."""
        try:
            result = self.raw(figures)
        except ZeroDivisionError:
            return None, "公式无法计算：除数为 0"
        except (ArithmeticError, ValueError, TypeError, simpleeval.InvalidExpression) as exc:
            return None, f"公式无法计算：{type(exc).__name__}"
        if isinstance(result, bool):
            result = int(result)
        if not isinstance(result, int | float | Decimal) or (
            isinstance(result, float) and not math.isfinite(result)
        ):
            return None, "公式无法计算：结果不是有限数值"
        try:
            value = to_points(result)
        except (InvalidOperation, ValueError):
            return None, "公式无法计算：结果不是有限数值"
        if abs(value) > INDEX_MAX:
            return None, "公式无法计算：结果过大"
        return value, None


def number(value) -> float:
    """A figure as simpleeval sees it (Decimal → float; None → 0)."""
    return 0.0 if value is None else float(value)


# -- computing them for a cycle ----------------------------------------------------------------


def fortress_formula(settings: dict) -> Formula:
    return Formula(settings["fortress_formula"], FORTRESS)


def vanguard_formula(settings: dict) -> Formula:
    return Formula(settings["vanguard_formula"], VANGUARD)


def item_figures(items: list[dict]) -> dict[str, float]:
    """``ind_<key>`` (points) and ``val_<key>`` (value) of an organisation's items (the JSON
    entries of :attr:`OrgResult.items`)."""
    figures = {}
    for entry in items:
        figures[variable("ind_", entry["key"])] = number(entry["points"])
        figures[variable("val_", entry["key"])] = number(entry["value"])
    return figures


def fortress_index(formula: Formula, rated: dict, members: int, avg_points,
                   item_figures: dict) -> tuple[Decimal | None, str | None]:
    """One organisation's fortress index from its rating (``rated``: score, stars, …)."""
    figures = dict(item_figures)
    figures.update(
        score=number(rated["score"]), stars=rated["stars"],
        items_total=number(rated["items_total"]), adjustments=number(rated["adjustments_total"]),
        members=members, avg_points=number(avg_points),
        rank_peers=rated["rank_peers"] or 0, peers_count=rated["peers_count"] or 0,
    )
    return formula.evaluate(figures)


@dataclass(slots=True)
class MemberFigures:
    """A member's figures for the vanguard index (before the branch is rated)."""

    member_id: object
    org_id: object
    points: Decimal
    exempt: bool
    rank_in_branch: int | None = None
    branch_size: int = 0


EXEMPT_NOTE = "按积分设置免于排名，不计算先锋指数"


def vanguard_index(formula: Formula, member: MemberFigures,
                   branch: tuple) -> tuple[Decimal | None, str | None]:
    """A member's vanguard index; ``branch`` is its organisation's (score, stars, fortress)."""
    if member.exempt:
        return None, EXEMPT_NOTE
    score, stars, fortress = branch
    return formula.evaluate({
        "points": number(member.points), "branch_score": number(score), "branch_stars": stars,
        "branch_fortress": number(fortress), "rank_in_branch": member.rank_in_branch or 0,
        "branch_size": member.branch_size,
    })


def rank_members(members: list[MemberFigures]) -> dict:
    """Rank each organisation's non-exempt members by points (1 = most; equal points share
    a rank). Returns ``org_id → (members, average points of the ranked ones)``."""
    by_org: dict = {}
    for m in members:
        by_org.setdefault(m.org_id, []).append(m)
    summary = {}
    for org_id, group in by_org.items():
        ranked = sorted((m for m in group if not m.exempt), key=lambda m: m.points, reverse=True)
        previous, rank = None, 0
        for position, m in enumerate(ranked, start=1):
            if m.points != previous:
                rank, previous = position, m.points
            m.rank_in_branch, m.branch_size = rank, len(ranked)
        for m in group:
            m.branch_size = len(ranked)
        total = sum((m.points for m in ranked), Decimal(0))
        summary[org_id] = (len(group), to_points(total / len(ranked)) if ranked else Decimal("0.00"))
    return summary


def refresh_members(cycle, branch: dict, settings: dict) -> int:
    """Recompute the stored vanguard indices of the members of the organisations in
    ``branch`` (``org_id → (score, stars, fortress)``), whose rating changed: one SELECT and
    one executemany UPDATE per :data:`CHUNK` organisations. Returns the rows changed."""
    from sqlalchemy import select, update

    from core.assessment.models.cycles import MemberIndex
    from core.db import db
    from core.db.mixins import utcnow

    formula = vanguard_formula(settings)
    org_ids = list(branch)
    now, changed = utcnow(), 0
    for start in range(0, len(org_ids), CHUNK):
        rows = db.session.execute(
            select(MemberIndex.tenant_id, MemberIndex.id, MemberIndex.member_id, MemberIndex.org_id,
                   MemberIndex.points, MemberIndex.exempt, MemberIndex.rank_in_branch,
                   MemberIndex.branch_size, MemberIndex.vanguard_index, MemberIndex.index_note)
            .where(MemberIndex.cycle_id == cycle.id,
                   MemberIndex.org_id.in_(org_ids[start:start + CHUNK]))
        ).all()
        updates = []
        for r in rows:
            figures = MemberFigures(r.member_id, r.org_id, r.points, r.exempt, r.rank_in_branch,
                                    r.branch_size)
            value, note = vanguard_index(formula, figures, branch[r.org_id])
            if (value, note) != (r.vanguard_index, r.index_note):
                updates.append({"tenant_id": r.tenant_id, "id": r.id, "vanguard_index": value,
                                "index_note": note, "updated_at": now})
        if updates:
            db.session.execute(update(MemberIndex), updates)
        changed += len(updates)
    return changed


CHUNK = 5000
