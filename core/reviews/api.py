"""The secretaries' yearly review API (``/api/v1/reviews``): 书记抓基层党建述职评议考核.

* A cycle (``POST ""``) reviews, for a year, the secretaries of the committees and branches
  under its root; it is opened, moved on (``/advance``: open → reporting → rating) and
  published (``/publish``, a subtree at a time) by the higher level — ``org_manager`` on the
  root (on the subtree, for publishing).
* An entry (``/entries/<id>``) is one organisation's secretary: the report (``PATCH``,
  ``/submit``), its items (commitments carried from last year or entered, tasks the higher
  level assigned — 点题 — and next year's commitments), attachments, ratings
  (``POST /entries/<id>/rating``: the caller's own, in the group they belong to; sent
  again it replaces theirs) and, once
  published, the grade with its breakdown (:mod:`core.reviews.grading`). A 一般 or 差 grade
  opens a problem in the problem ledger (``problem_id``).
* Reading needs a grant covering the organisation (a peer secretary also reads the entries
  of sibling organisations they rate); anything else is a 404, like an unknown id.
* Edits carry the ``version`` read; a stale one is a 409. ``GET/PUT /settings``: the
  tenant's weights, rating scores, assessment weight, warning deduction and grade
  thresholds (``PUT``: ``tenant_admin``).
"""

from __future__ import annotations

from flask import request, send_file
from sqlalchemy import func, select

from core import files
from core.api import Blueprint, abort
from core.api.smorest import json_body, parse_id, replace_settings, settings_answer, settings_docs
from core.auth.permissions import (
    has_role,
    login_required,
    roles_required,
    visible_org,
    visible_orgs_clause,
)
from core.db import db
from core.orgs.models import Organization
from core.reviews import service
from core.reviews.models import (
    CYCLE_STATE_LABELS,
    ENTRY_STATE_LABELS,
    ITEM_KIND_LABELS,
    RATING_LABELS,
    ReviewCycle,
    ReviewEntry,
    ReviewItem,
)
from core.reviews.schemas import (
    ReviewAttachmentFormSchema,
    ReviewAttachmentSchema,
    ReviewCycleDetailSchema,
    ReviewCycleInputSchema,
    ReviewCyclePatchSchema,
    ReviewCycleQuerySchema,
    ReviewCycleSchema,
    ReviewEntryDetailSchema,
    ReviewItemInputSchema,
    ReviewItemPatchSchema,
    ReviewItemSchema,
    ReviewPublishSchema,
    ReviewRatingInputSchema,
    ReviewRatingSchema,
    ReviewReportSchema,
    ReviewStepSchema,
    ReviewSubmitSchema,
)
from core.reviews.settings import PLUGIN, ReviewsSettingsSchema
from core.tenancy import current_tenant_id

bp = Blueprint("reviews", __name__,
               description="Secretaries' yearly review (书记抓基层党建述职评议考核): reports, ratings, grades.")


# -- lookups -----------------------------------------------------------------------------------


def load_cycle(cycle_id) -> ReviewCycle:
    """The cycle if the user sees its root or one organisation it reviews; 404 else."""
    cycle = service.seen_cycle(parse_id(cycle_id))
    if cycle is None:
        abort(404, f"review cycle {cycle_id} not found")
    return cycle


def load_entry(entry_id) -> tuple[ReviewEntry, Organization, ReviewCycle]:
    """The entry, its organisation and cycle: 404 unless the user sees the organisation or
    rates it as a peer secretary."""
    found = service.seen_entry(parse_id(entry_id))
    if found is None:
        abort(404, f"review entry {entry_id} not found")
    return found


def _item(entry: ReviewEntry, item_id) -> ReviewItem:
    parsed = parse_id(item_id)
    item = service.get_item(parsed) if parsed is not None else None
    if item is None or item.entry_id != entry.id:
        abort(404, f"review item {item_id} not found")
    return item


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        abort(403, message)


def _require_manager(cycle: ReviewCycle) -> None:
    _require(service.may_manage(cycle), "这需要对述职评议的范围（根组织）具有 org_manager 权限。")


def _require_secretary(entry: ReviewEntry, org: Organization) -> None:
    _require(service.may_report(entry, org), "述职报告由本组织书记本人填写和提交。")


def _secretarys_entry(entry_id) -> tuple[ReviewEntry, Organization, ReviewCycle]:
    """An entry whose report the user writes: 404 as for reading, then 403 unless they are
    its secretary."""
    entry, org, cycle = load_entry(entry_id)
    _require_secretary(entry, org)
    return entry, org, cycle


# -- presentation ------------------------------------------------------------------------------


def present_cycle(cycle: ReviewCycle, root: Organization | None = None) -> dict:
    """The cycle; its root organisation (id and name) only for a user who sees it — a
    secretary reviewed by a level above their scope learns nothing of that level."""
    values = {key: getattr(cycle, key) for key in ReviewCycleSchema().fields if hasattr(ReviewCycle, key)}
    root = root if root is not None else service.root_of(cycle)
    seen = root is not None and has_role("member", root)
    values["root_org_id"] = root.id if seen else None
    values["root_name"] = root.name if seen else None
    values["state_label"] = CYCLE_STATE_LABELS.get(cycle.state, cycle.state)
    return values


def present_entry(entry: ReviewEntry, org: Organization, counts: dict | None = None,
                  secretary: str | None = None) -> dict:
    counts = counts or {}
    values = {
        "id": entry.id, "cycle_id": entry.cycle_id, "org_id": entry.org_id, "org_name": org.name,
        "secretary_member_id": entry.secretary_member_id, "secretary_name": secretary or entry.secretary_name,
        "status": entry.status, "status_label": ENTRY_STATE_LABELS.get(entry.status, entry.status),
        "submitted_at": entry.submitted_at, "items_total": counts.get("total", 0),
        "items_done": counts.get("done", 0), "items_not_done": counts.get("not_done", 0),
        "score": entry.score, "grade": entry.grade,
        "grade_label": RATING_LABELS.get(entry.grade) if entry.grade else None,
        "published_at": entry.published_at, "problem_id": entry.problem_id, "version": entry.version,
    }
    return values


def _item_view(item: ReviewItem) -> dict:
    values = {key: getattr(item, key) for key in ReviewItemSchema().fields if hasattr(ReviewItem, key)}
    values["kind_label"] = ITEM_KIND_LABELS.get(item.kind, item.kind)
    return values


def _attachment_view(row) -> dict:
    return {key: getattr(row, key) for key in ReviewAttachmentSchema().fields}


def _rating_view(row) -> dict | None:
    return {key: getattr(row, key) for key in ReviewRatingSchema().fields} if row is not None else None


def entry_detail(entry: ReviewEntry, org: Organization, cycle: ReviewCycle) -> dict:
    values = present_entry(entry, org, service.item_counts([entry.id]).get(entry.id),
                           service.secretary_names([(entry, org)]).get(entry.id))
    values.update(
        cycle_name=cycle.name, cycle_state=cycle.state, year=cycle.year, report=entry.report,
        submitted_by=entry.submitted_by,
        items=[_item_view(i) for i in service.items_of(entry)],
        attachments=[_attachment_view(a) for a in service.attachments_of(entry)],
        ratings=service.rating_summary(entry),
        my_rating=_rating_view(service.own_rating(entry)),
        my_group=service.rater_group(entry, org),
        may_report=service.may_report(entry, org),
        may_assign=service.is_level_above(org),
        breakdown=entry.breakdown,
    )
    return values


def cycle_detail(cycle: ReviewCycle) -> dict:
    values = present_cycle(cycle)
    rows = service.entries_of(cycle, visible=visible_orgs_clause())
    counts = service.item_counts([e.id for e, _ in rows])
    names = service.secretary_names(rows)
    values["entries"] = [present_entry(e, o, counts.get(e.id), names.get(e.id)) for e, o in rows]
    values["may_manage"] = service.may_manage(cycle)
    return values


# -- cycles ------------------------------------------------------------------------------------


@bp.route("", methods=["GET"])
@login_required
@bp.arguments(ReviewCycleQuerySchema, location="query")
@bp.response(200, ReviewCycleSchema(many=True))
@bp.paginate(page_size=50, max_page_size=500)
def list_cycles(filters, pagination_parameters):
    """Review cycles the user sees (their root, or an organisation they review), newest
    year first: ``org`` (rooted in its subtree), ``year``, ``state``."""
    root = visible_org(filters["org"]) if filters["org"] is not None else None
    stmt = service.search(visible_orgs_clause(), root=root, year=filters["year"], state=filters["state"])
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(
        stmt.offset(pagination_parameters.first_item).limit(pagination_parameters.page_size)).all()
    return [present_cycle(cycle, root) for cycle, root in rows]


@bp.route("", methods=["POST"])
@login_required
@bp.arguments(ReviewCycleInputSchema)
@bp.response(201, ReviewCycleDetailSchema)
def open_cycle(data):
    """Open the year's review for the committees and branches under ``root_org_id``
    (``org_manager`` there): one entry per organisation with its current secretary, last
    year's commitments carried over. 409 when the root has one for the year already."""
    root = visible_org(data["root_org_id"])
    _require(has_role("org_manager", root), "开展述职评议需要对该组织具有 org_manager 权限。")
    cycle = service.open_cycle(root, data["year"], data["name"], data["note"])
    db.session.commit()
    return cycle_detail(cycle)


@bp.route("/<cycle_id>", methods=["GET"])
@login_required
@bp.response(200, ReviewCycleDetailSchema)
def get_cycle(cycle_id):
    """One cycle with the entries the user sees (state, items done, grade)."""
    return cycle_detail(load_cycle(cycle_id))


@bp.route("/<cycle_id>", methods=["PATCH"])
@login_required
@bp.arguments(ReviewCyclePatchSchema)
@bp.response(200, ReviewCycleDetailSchema)
def update_cycle(data, cycle_id):
    """Rename the cycle or change its note; send the ``version`` you read."""
    cycle = load_cycle(cycle_id)
    _require_manager(cycle)
    version = data.pop("version")
    service.update_cycle(cycle, data, version)
    db.session.commit()
    return cycle_detail(cycle)


@bp.route("/<cycle_id>/advance", methods=["POST"])
@login_required
@bp.arguments(ReviewStepSchema)
@bp.response(200, ReviewCycleDetailSchema)
def advance_cycle(data, cycle_id):
    """open → reporting → rating; rating needs every report submitted (409 naming the
    organisations that have not)."""
    cycle = load_cycle(cycle_id)
    _require_manager(cycle)
    service.advance(cycle, data["version"])
    db.session.commit()
    return cycle_detail(cycle)


@bp.route("/<cycle_id>/publish", methods=["POST"])
@login_required
@bp.arguments(ReviewPublishSchema)
@bp.response(200, ReviewCycleDetailSchema)
def publish_cycle(data, cycle_id):
    """Publish the grades of ``org_id``'s subtree (default: the whole cycle), by
    ``org_manager`` on it; a 一般 or 差 grade opens a problem. The cycle is published with
    its last entry."""
    cycle = load_cycle(cycle_id)
    root = visible_org(data["org_id"]) if data["org_id"] is not None else service.root_of(cycle)
    _require(has_role("org_manager", root), "公布述职评议结果需要对该范围具有 org_manager 权限。")
    service.publish(cycle, root, data["version"])
    db.session.commit()
    return cycle_detail(cycle)


# -- entries -----------------------------------------------------------------------------------


@bp.route("/entries/<entry_id>", methods=["GET"])
@login_required
@bp.response(200, ReviewEntryDetailSchema)
def get_entry(entry_id):
    """One secretary's entry: report, items, attachments, ratings by group, your own rating
    and, once published, the grade and how it was computed."""
    entry, org, cycle = load_entry(entry_id)
    return entry_detail(entry, org, cycle)


@bp.route("/entries/<entry_id>", methods=["PATCH"])
@login_required
@bp.arguments(ReviewReportSchema)
@bp.response(200, ReviewEntryDetailSchema)
def write_report(data, entry_id):
    """Write (or rewrite) the report while it is a draft: the secretary; send ``version``."""
    entry, org, cycle = _secretarys_entry(entry_id)
    service.write_report(entry, cycle, data["report"], data["version"])
    db.session.commit()
    return entry_detail(entry, org, cycle)


@bp.route("/entries/<entry_id>/submit", methods=["POST"])
@login_required
@bp.arguments(ReviewSubmitSchema)
@bp.response(200, ReviewEntryDetailSchema)
def submit_report(data, entry_id):
    """Submit the report (while reporting): its text and every commitment and assigned task
    marked done or not done, else 422 naming ``report`` or ``items``."""
    entry, org, cycle = _secretarys_entry(entry_id)
    service.submit_report(entry, cycle, data["report"], data["version"])
    db.session.commit()
    return entry_detail(entry, org, cycle)


@bp.route("/entries/<entry_id>/items", methods=["POST"])
@login_required
@bp.arguments(ReviewItemInputSchema)
@bp.response(201, ReviewItemSchema)
def add_item(data, entry_id):
    """Add an item: ``assigned`` (点题, the level above) or ``commitment``/``next`` (the
    secretary), while the report is a draft."""
    entry, org, cycle = load_entry(entry_id)
    item = service.add_item(entry, org, cycle, data["kind"], data["title"], data["note"])
    db.session.commit()
    return _item_view(item)


@bp.route("/entries/<entry_id>/items/<item_id>", methods=["PATCH"])
@login_required
@bp.arguments(ReviewItemPatchSchema)
@bp.response(200, ReviewItemSchema)
def update_item(data, entry_id, item_id):
    """Mark an item ``done`` (true/false) with a ``note`` (the secretary), or change its
    ``title``; send ``version``."""
    entry, org, cycle = load_entry(entry_id)
    item = _item(entry, item_id)
    version = data.pop("version")
    service.update_item(item, entry, org, cycle, data, version)
    db.session.commit()
    return _item_view(item)


@bp.route("/entries/<entry_id>/items/<item_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_item(entry_id, item_id):
    """Remove an item of a draft report (a carried commitment stays: 409)."""
    entry, org, cycle = load_entry(entry_id)
    item = _item(entry, item_id)
    service.delete_item(item, entry, org, cycle)
    db.session.commit()


@bp.route("/entries/<entry_id>/attachments", methods=["GET"])
@login_required
@bp.response(200, ReviewAttachmentSchema(many=True))
def list_attachments(entry_id):
    entry, _org, _cycle = load_entry(entry_id)
    return [_attachment_view(a) for a in service.attachments_of(entry)]


@bp.route("/entries/<entry_id>/attachments", methods=["POST"])
@login_required
@bp.arguments(ReviewAttachmentFormSchema, location="form", content_type="multipart/form-data")
@bp.response(201, ReviewAttachmentSchema)
def add_attachment(form, entry_id):
    """Attach a file to a draft report, as multipart ``file`` (pdf, jpg/png, docx/xlsx;
    checked by content, size-limited, kept outside any web root): the secretary."""
    entry, org, cycle = _secretarys_entry(entry_id)
    service._require_writable(cycle, entry)
    upload = request.files.get("file")
    if upload is None:
        abort(422, "file: 请选择要上传的文件。", {"file": ["请选择要上传的文件。"]})
    tenant_id = current_tenant_id()
    try:
        stored = files.store(tenant_id, upload.stream, upload.filename)
    except files.FileError as exc:
        abort(exc.status, f"file: {exc.reason}", {"file": [exc.reason]})
    try:
        row = service.add_attachment(entry, cycle, stored)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        files.discard(tenant_id, stored.name)
        raise
    return _attachment_view(row)


def _attachment(entry: ReviewEntry, attachment_id):
    parsed = parse_id(attachment_id)
    row = service.get_attachment(entry, parsed) if parsed is not None else None
    if row is None:
        abort(404, f"attachment {attachment_id} not found")
    return row


@bp.route("/entries/<entry_id>/attachments/<attachment_id>", methods=["GET"])
@login_required
@bp.response(200, content_type="application/octet-stream", description="the file, named as uploaded")
def download_attachment(entry_id, attachment_id):
    entry, _org, _cycle = load_entry(entry_id)
    row = _attachment(entry, attachment_id)
    path = files.path_for(current_tenant_id(), row.stored_name)
    if not path.is_file():
        abort(404, f"attachment {attachment_id} not found")
    return send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.original_name)


@bp.route("/entries/<entry_id>/attachments/<attachment_id>", methods=["DELETE"])
@login_required
@bp.response(204)
def delete_attachment(entry_id, attachment_id):
    """Remove an attachment of a draft report (the secretary)."""
    entry, org, cycle = _secretarys_entry(entry_id)
    row = _attachment(entry, attachment_id)
    name = service.remove_attachment(entry, cycle, row)
    db.session.commit()
    files.discard(current_tenant_id(), name)


@bp.route("/entries/<entry_id>/rating", methods=["POST"])
@login_required
@bp.arguments(ReviewRatingInputSchema)
@bp.response(200, ReviewRatingSchema)
def rate_entry(data, entry_id):
    """Your rating of this secretary (好 ``good`` / 较好 ``fairly_good`` / 一般 ``average`` /
    差 ``poor``) while the cycle is rating: as the higher level, a peer secretary or a
    member of the organisation (the group is yours, not chosen). Sending it again replaces
    it — with the ``version`` of the one you gave."""
    entry, org, cycle = load_entry(entry_id)
    row = service.rate(entry, org, cycle, data["rating"], data["comment"], data["version"])
    db.session.commit()
    return _rating_view(row)


# -- settings ------------------------------------------------------------------------------------


SETTINGS_CHANGE, SETTINGS_ANSWER = settings_docs(ReviewsSettingsSchema, overridden=True)


@bp.route("/settings", methods=["GET"])
@login_required
@bp.alt_response(200, schema=SETTINGS_ANSWER, success=True)
def get_settings():
    """The tenant's review settings: rater group weights, rating scores, the assessment
    result's weight, the deduction per open warning and its cap, grade thresholds;
    ``overridden`` lists what the tenant changed."""
    return settings_answer(PLUGIN, ReviewsSettingsSchema)


@bp.route("/settings", methods=["PUT"])
@roles_required("tenant_admin")
@bp.doc(requestBody=json_body(SETTINGS_CHANGE))
@bp.alt_response(200, schema=SETTINGS_ANSWER, success=True)
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def put_settings():
    """Replace the tenant's overrides (tenant administrators): keys not sent return to the
    defaults. Validated as a whole; 422 names the field. ``version`` beside them is the one
    you read: a stale one is a 409 naming it."""
    return replace_settings(PLUGIN, ReviewsSettingsSchema)
