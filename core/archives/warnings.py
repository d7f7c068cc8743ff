"""The archives slice's warning rules: an archive missing a document its stage requires.

Both rules read one set-based evaluation (:func:`core.archives.service.evaluate`, computed
once per sweep through ``ctx.once``): a member's archive (``subject="member"``) and a
development person's (``subject="person"``). The warning resolves at the next sweep — or at
once, for the archive's organisation, when a document is filed or removed (the API and the
web pages refresh these rules) — after the missing document is filed.
"""

from __future__ import annotations

from core.archives.service import STAGE_LABELS, evaluate
from core.archives.settings import document_types
from core.warnings.rules import Finding, RuleContext, WarningRule


def _findings(ctx: RuleContext, kind: str) -> list[Finding]:
    checked = ctx.once(("archives.evaluate", ctx.today), evaluate)
    labels = ctx.once(("archives.types", ctx.today), document_types)
    return [
        Finding(c.org_id, c.id, {
            "name": c.name, "stage": STAGE_LABELS[c.stage], "count": len(c.missing),
            "missing": "、".join(labels.get(t, t) for t in c.missing),
        })
        for c in checked if c.kind == kind and c.missing
    ]


def member_documents_missing(ctx: RuleContext) -> list[Finding]:
    return _findings(ctx, "member")


def person_documents_missing(ctx: RuleContext) -> list[Finding]:
    return _findings(ctx, "person")


RULES = [
    WarningRule(
        key="archives.member_documents_missing", name="党员档案材料不全", severity="warning",
        message="{stage} {name} 的档案缺少 {count} 份材料：{missing}",
        check=member_documents_missing, subject="member",
    ),
    WarningRule(
        key="archives.person_documents_missing", name="发展党员档案材料不全", severity="warning",
        message="{stage} {name} 的档案缺少 {count} 份材料：{missing}",
        check=person_documents_missing, subject="person",
    ),
]
