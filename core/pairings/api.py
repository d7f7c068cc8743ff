"""The pairings API (``/api/v1/pairings``): 双联结对共建.

* ``GET/POST /`` — pairings the user sees (either side in their scope; ``org``: either side
  in that subtree, ``status``); create one: an organ, SOE or enterprise organisation
  (``org_id``) with a village or community one (``partner_org_id``), each side checked
  against the tenant's 党组织类别 (422 naming the field), no second active pairing of the same
  two (409 naming ``partner_org_id``). Creating needs ``branch_secretary`` on both sides.
* ``GET/PATCH /<id>`` — one pairing with its tasks and activities; correct its start day,
  goals, contact (``branch_secretary`` on either side). ``POST /<id>/dissolve`` ends it
  with ``end_reason`` (both sides' writer, as creating); it stays as history.
* ``/<id>/tasks`` — agreed tasks (title, due, done, result); ``/<id>/activities`` — joint
  activities (day, kind, topic, participants of both sides, results). A ``joint_meeting``
  naming the ``meeting_id`` one side held that day counts for both sides wherever meetings
  are counted (warnings, indicators, the work hub).
* ``GET /figures?org=&months=`` — coverage and activity figures of a subtree
  (:mod:`core.pairings.figures`).
* ``GET/PUT /settings`` — the tenant's settings (:mod:`core.pairings.settings`; ``PUT``:
  ``tenant_admin``). The idle warning's threshold is the rule's (``/warnings/rules``).

Unknown, another tenant's and unseen ids are 404; seen without the role, 403. Every PATCH
takes the ``version`` read (stale: 409 naming ``version``).
"""

from __future__ import annotations

from datetime import date

from core.api import Blueprint, abort
from core.api.smorest import (
    json_body,
    paged,
    parse_id,
    replace_settings,
    settings_answer,
    settings_docs,
)
from core.auth.permissions import login_required, roles_required, visible_org, visible_orgs_clause
from core.db import db
from core.db.versioning import expect
from core.orgs.service import subtree_filter
from core.pairings import figures, queries, service
from core.pairings.queries import WRITER
from core.pairings.schemas import (
    PairingActivityInputSchema,
    PairingActivityPatchSchema,
    PairingActivitySchema,
    PairingDetailSchema,
    PairingDissolveSchema,
    PairingFiguresQuerySchema,
    PairingFiguresSchema,
    PairingInputSchema,
    PairingPatchSchema,
    PairingQuerySchema,
    PairingSchema,
    PairingTaskInputSchema,
    PairingTaskPatchSchema,
    PairingTaskSchema,
)
from core.pairings.settings import PLUGIN, PairingsSettingsSchema

bp = Blueprint("pairings", __name__,
               description="Pairings (双联结对共建): organ, SOE and enterprise organisations paired with "
                           "villages and communities; agreed tasks, joint activities, figures.")


def _arranger(org, partner) -> None:
    if not queries.may_arrange(org, partner):
        abort(403, "Arranging or dissolving a pairing needs the branch_secretary role on both organizations.")


def _part(getter, pairing, part_id, what: str):
    """A task or activity of ``pairing`` (``getter``: the service's); 404 for any other id."""
    parsed = parse_id(part_id)
    part = getter(pairing, parsed) if parsed is not None else None
    if part is None:
        abort(404, f"{what} {part_id} not found")
    return part


def _task(pairing, task_id):
    return _part(service.get_task, pairing, task_id, "task")


def _activity(pairing, activity_id):
    return _part(service.get_activity, pairing, activity_id, "activity")


# -- pairings ----------------------------------------------------------------------------------


@bp.route("", methods=["GET"])
@login_required
@bp.arguments(PairingQuerySchema, location="query")
@bp.response(200, PairingSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_pairings(filters, pagination_parameters):
    """Pairings the user sees: ``org`` (either side in its subtree; 404 when not seen),
    ``status``; with their activity and task counts."""
    root = visible_org(filters["org"]) if filters["org"] is not None else None
    rows = paged(queries.search(root, filters["status"]), pagination_parameters)
    return queries.present_rows(rows)


@bp.route("", methods=["POST"])
@login_required
@bp.arguments(PairingInputSchema)
@bp.response(201, PairingDetailSchema)
def create_pairing(data):
    """Pair ``org_id`` (机关、国企、两新) with ``partner_org_id`` (村、社区): needs
    ``branch_secretary`` on both."""
    org = visible_org(data.pop("org_id"))
    partner = visible_org(data.pop("partner_org_id"))
    _arranger(org, partner)
    pairing = service.create(org, partner, data)
    db.session.commit()
    return queries.detail(pairing, org, partner)


@bp.route("/figures", methods=["GET"])
@login_required
@bp.arguments(PairingFiguresQuerySchema, location="query")
@bp.response(200, PairingFiguresSchema)
def get_figures(query):
    """Coverage and activity figures of ``org``'s subtree (default: all the user sees)."""
    scope = visible_orgs_clause()
    if query["org"] is not None:
        scope = scope & subtree_filter(visible_org(query["org"]).path)
    return figures.figures(scope, date.today(), query["months"])


@bp.route("/<pairing_id>", methods=["GET"])
@login_required
@bp.response(200, PairingDetailSchema)
def get_pairing(pairing_id):
    """A pairing with its agreed tasks and joint activities."""
    return queries.detail(*queries.visible_pairing(pairing_id))


@bp.route("/<pairing_id>", methods=["PATCH"])
@login_required
@bp.arguments(PairingPatchSchema)
@bp.response(200, PairingDetailSchema)
def update_pairing(data, pairing_id):
    """Correct the start day (not after the first activity), goals or contact."""
    pairing, org, partner = queries.visible_pairing(pairing_id, WRITER)
    service.update(pairing, expect(pairing, data, "pairing"))
    db.session.commit()
    return queries.detail(pairing, org, partner)


@bp.route("/<pairing_id>/dissolve", methods=["POST"])
@login_required
@bp.arguments(PairingDissolveSchema)
@bp.response(200, PairingDetailSchema)
def dissolve_pairing(data, pairing_id):
    """End the pairing (解除结对) with ``end_reason``; kept as history. 409 when already ended."""
    pairing, org, partner = queries.visible_pairing(pairing_id)
    _arranger(org, partner)
    expect(pairing, data, "pairing")
    service.dissolve(pairing, data.get("ended_on"), data["end_reason"])
    db.session.commit()
    return queries.detail(pairing, org, partner)


# -- tasks -------------------------------------------------------------------------------------


@bp.route("/<pairing_id>/tasks", methods=["POST"])
@login_required
@bp.arguments(PairingTaskInputSchema)
@bp.response(201, PairingTaskSchema)
def add_task(data, pairing_id):
    """Add an agreed task (共建任务)."""
    pairing, _org, _partner = queries.visible_pairing(pairing_id, WRITER)
    task = service.add_task(pairing, data)
    db.session.commit()
    return queries.present_task(task)


@bp.route("/<pairing_id>/tasks/<task_id>", methods=["PATCH"])
@login_required
@bp.arguments(PairingTaskPatchSchema)
@bp.response(200, PairingTaskSchema)
def update_task(data, pairing_id, task_id):
    """Change a task or mark it done (``done``, ``done_on`` default today, ``result``)."""
    pairing, _org, _partner = queries.visible_pairing(pairing_id, WRITER)
    task = _task(pairing, task_id)
    service.update_task(task, pairing, expect(task, data, "task"))
    db.session.commit()
    return queries.present_task(task)


@bp.route("/<pairing_id>/tasks/<task_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_task(pairing_id, task_id):
    """Remove a task entered in error."""
    pairing, _org, _partner = queries.visible_pairing(pairing_id, WRITER)
    service.delete_task(_task(pairing, task_id))
    db.session.commit()


# -- activities --------------------------------------------------------------------------------


@bp.route("/<pairing_id>/activities", methods=["POST"])
@login_required
@bp.arguments(PairingActivityInputSchema)
@bp.response(201, PairingActivitySchema)
def add_activity(data, pairing_id):
    """Record a joint activity. A ``joint_meeting`` with ``meeting_id`` (a meeting one side
    held that day) counts for the other side too."""
    pairing, _org, _partner = queries.visible_pairing(pairing_id, WRITER)
    activity = service.add_activity(pairing, data)
    db.session.commit()
    return queries.present_activity(activity, pairing)


@bp.route("/<pairing_id>/activities/<activity_id>", methods=["PATCH"])
@login_required
@bp.arguments(PairingActivityPatchSchema)
@bp.response(200, PairingActivitySchema)
def update_activity(data, pairing_id, activity_id):
    """Correct an activity; a changed ``meeting_id`` moves the credit with it."""
    pairing, _org, _partner = queries.visible_pairing(pairing_id, WRITER)
    activity = _activity(pairing, activity_id)
    service.update_activity(activity, pairing, expect(activity, data, "activity"))
    db.session.commit()
    return queries.present_activity(activity, pairing)


@bp.route("/<pairing_id>/activities/<activity_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_activity(pairing_id, activity_id):
    """Remove an activity entered in error (its meeting's credit goes with it)."""
    pairing, _org, _partner = queries.visible_pairing(pairing_id, WRITER)
    service.delete_activity(_activity(pairing, activity_id))
    db.session.commit()


# -- settings ----------------------------------------------------------------------------------


SETTINGS_CHANGE, SETTINGS_ANSWER = settings_docs(PairingsSettingsSchema, overridden=True)


@bp.route("/settings", methods=["GET"])
@login_required
@bp.alt_response(200, schema=SETTINGS_ANSWER, success=True)
def get_settings():
    """The tenant's pairing settings (``org_categories``, ``partner_categories``,
    ``coverage_kinds``, ``figure_months``); ``overridden`` lists what the tenant changed."""
    return settings_answer(PLUGIN, PairingsSettingsSchema)


@bp.route("/settings", methods=["PUT"])
@roles_required("tenant_admin")
@bp.doc(requestBody=json_body(SETTINGS_CHANGE))
@bp.alt_response(200, schema=SETTINGS_ANSWER, success=True)
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def put_settings():
    """Replace the tenant's overrides (tenant administrators): keys not sent return to the
    defaults; a category on both sides is a 422 naming ``partner_categories``. ``version``
    beside them is the one you read: a stale one is a 409 naming it."""
    return replace_settings(PLUGIN, PairingsSettingsSchema)
