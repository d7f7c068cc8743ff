"""The audit log (痕迹管理), read-only, for tenant administrators — who may read it through
``GET /api/v1/audit`` too. Newest first, paged, filtered by who, what kind of record, which
record, what was done and when; each entry's changes shown as before → after.

Nothing here writes: entries are made only by :mod:`core.audit.recorder` with the change
they describe. Times are shown, and dates filtered, in China Standard Time (UTC+8).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta, timezone

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from core.audit import service
from core.web.blueprint import bp
from core.web.paging import paginate
from core.web.screens.admin.hub import admin_page

CHINA = timezone(timedelta(hours=8))
ACTIONS = {"create": _l("Created"), "update": _l("Changed"), "delete": _l("Deleted")}
TABLES = {
    "organizations": _l("Organisation record"), "members": _l("Member"), "users": _l("User"),
    "role_grants": _l("Role"), "tenant_plugins": _l("Plugin settings"),
    "warning_rule_settings": _l("Warning rule"), "warnings": _l("Warning record"),
    "point_tenant_rules": _l("Point rule (this city's)"),
    "point_rule_overrides": _l("Point rule (change)"), "point_entries": _l("Points entry"),
    "point_partners": _l("Redemption partner"), "point_offers": _l("Offer"),
    "meetings": _l("Meeting"), "meeting_attendance": _l("Attendance"),
    "dues_payments": _l("Dues payment"), "development_people": _l("Development person"),
    "development_steps": _l("Development step"), "problems": _l("Problem"),
    "assessment_cycles": _l("Assessment cycle"), "assessment_standards": _l("Standard"),
    "elections": _l("Election"), "jobs": _l("Background job"),
}
NOISE = {"id", "tenant_id", "created_at", "updated_at"}
LONGEST = 300


class AuditFilterForm(FlaskForm):
    """The filters: a GET form (a link to a filtered log can be shared), so no CSRF."""

    class Meta:
        csrf = False

    actor = StringField(_l("Who"), validators=[Optional(), Length(max=200)],
                        description=_l("A user name, or a label such as cli:root or system."))
    object_type = SelectField(_l("Kind of record"), validators=[Optional()])
    object_id = StringField(_l("Record id"), validators=[Optional(), Length(max=500)])
    action = SelectField(_l("Change"), validators=[Optional()],
                         choices=[("", _l("Any"))] + list(ACTIONS.items()))
    since = DateField(_l("From date"), validators=[Optional()])
    until = DateField(_l("To date"), validators=[Optional()])


def table_label(name: str):
    return TABLES.get(name, name)


def _actor(value: str) -> str:
    """A bare user name means that user's label (``user:<name>``)."""
    value = value.strip()
    if ":" in value or value == "system" or len(value) == 36:
        return value
    return f"user:{value}"


def _filters(form: AuditFilterForm) -> dict:
    data = form.data
    filters = {}
    if data["actor"]:
        filters["actor"] = _actor(data["actor"])
    for name in ("object_type", "object_id", "action"):
        if data[name]:
            filters[name] = data[name].strip()
    if data["since"]:
        filters["since"] = datetime.combine(data["since"], time.min, CHINA)
    if data["until"]:
        filters["until"] = datetime.combine(data["until"], time.max, CHINA)
    return filters


def _text(value) -> str:
    if value is None:
        return "—"
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return shown if len(shown) <= LONGEST else shown[:LONGEST] + "…"


def changes(entry) -> list[tuple[str, str | None, str | None]]:
    """``(column, before, after)`` rows: the changed columns of an update, the stored
    columns of a create (after only) or a delete (before only)."""
    before, after = entry.before or {}, entry.after or {}
    if entry.action == "update":
        names = entry.changed or sorted(set(before) | set(after))
        return [(n, _text(before.get(n)), _text(after.get(n))) for n in names]
    if entry.action == "create":
        return [(n, None, _text(v)) for n, v in after.items() if n not in NOISE]
    return [(n, _text(v), None) for n, v in before.items() if n not in NOISE]


def local(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def actor_label(label: str) -> str:
    return label.removeprefix("user:")


@bp.route("/admin/audit")
@admin_page
def admin_audit():
    form = AuditFilterForm(request.args)
    form.object_type.choices = [("", _l("Any"))] + [(t, table_label(t)) for t in service.object_types()]
    context = {"form": form, "changes": changes, "local": local, "actor_label": actor_label,
               "table_label": table_label, "actions": ACTIONS}
    if not form.validate():  # a bad filter shows its error, never the whole log instead
        return render_template("web/admin/audit.html", page=None, **context), 422
    page = paginate(service.entries_statement(**_filters(form)))
    return render_template("web/admin/audit.html", page=page, **context)
