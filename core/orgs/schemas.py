"""Request and response shapes of the organisation API."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from core.api.fields import UtcDateTime
from core.db.versioning import expected_version_field, version_field
from core.orgs import attributes as org_attributes
from core.orgs import posts, terms
from core.orgs.models import KINDS, POSTS, STATUSES, UNIT_RELATIONS, UNIT_TYPES

CODE_VALIDATORS = [
    validate.Length(min=1, max=64),
    validate.Regexp(r"^\S+$", error="Code must not contain spaces."),
]


class OrgSchema(ma.Schema):
    id = fields.UUID(dump_only=True)
    parent_id = fields.UUID(allow_none=True)
    code = fields.Str()
    name = fields.Str()
    kind = fields.Str()
    sector = fields.Str(allow_none=True)
    depth = fields.Int()
    status = fields.Str()
    category_code = fields.Int(allow_none=True)
    unit_relation = fields.Str(allow_none=True)
    founded_on = fields.Date(allow_none=True)
    term_started_on = fields.Date(allow_none=True)
    term_years = fields.Int(allow_none=True, metadata={"description": "NULL: the sector's"})
    term_years_effective = fields.Function(
        lambda org: terms.effective_term_years(org),
        metadata={"description": "term_years, or the sector plugin's setting for the kind"},
    )
    term_ends_on = fields.Function(
        lambda org: (lambda d: d.isoformat() if d else None)(terms.term_ends_on(org))
    )
    contact = fields.Str(allow_none=True)
    phone = fields.Str(allow_none=True)
    attributes = fields.Function(
        org_attributes.visible,
        metadata={"description": "sector attributes declared by the tenant's enabled plugins"},
    )
    dissolved_on = fields.Date(allow_none=True)
    merged_into_id = fields.UUID(allow_none=True)
    end_reason = fields.Str(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    version = version_field()


class OrgDetailSchema(OrgSchema):
    secretary = fields.Method(
        "current_secretary", metadata={"description": "the current 书记's name(s)"}
    )

    def current_secretary(self, org):
        names = posts.current_holders([org.id], "secretary").get(org.id, [])
        return "、".join(names) or None


def _nullable_str(max_length: int, **kwargs):
    return fields.Str(allow_none=True, validate=validate.Length(max=max_length), **kwargs)


class _OrgFields(ma.Schema):
    """Fields shared by create and update."""

    name = fields.Str(validate=validate.Length(min=1, max=200))
    code = fields.Str(validate=CODE_VALIDATORS)
    kind = fields.Str(validate=validate.OneOf(KINDS))
    sector = fields.Str(allow_none=True, validate=validate.Length(max=64))
    category_code = fields.Int(allow_none=True, validate=validate.Range(min=1, max=9))
    unit_relation = fields.Str(allow_none=True, validate=validate.OneOf(UNIT_RELATIONS))
    founded_on = fields.Date(allow_none=True)
    term_started_on = fields.Date(allow_none=True)
    term_years = fields.Int(allow_none=True, validate=validate.Range(min=1, max=10))
    contact = _nullable_str(50)
    phone = _nullable_str(30)
    attributes = fields.Dict(keys=fields.Str(), allow_none=False)


class OrgCreateSchema(_OrgFields):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    code = fields.Str(required=True, validate=CODE_VALIDATORS)
    kind = fields.Str(required=True, validate=validate.OneOf(KINDS))
    parent_id = fields.UUID(load_default=None, allow_none=True)
    sector = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=64))
    attributes = fields.Dict(keys=fields.Str(), load_default=None, allow_none=True)


class OrgUpdateSchema(_OrgFields):
    """PATCH: only the fields sent change; ``attributes`` replaces the whole object."""

    version = expected_version_field()


class OrgQuerySchema(ma.Schema):
    parent = fields.UUID(load_default=None, metadata={"description": "children of this org"})
    kind = fields.Str(load_default=None, validate=validate.OneOf(KINDS))
    sector = fields.Str(load_default=None, validate=validate.Length(max=64))
    subtree_of = fields.UUID(
        load_default=None, metadata={"description": "this org and all its descendants"}
    )
    status = fields.Str(load_default=None, validate=validate.OneOf(STATUSES))
    include_inactive = fields.Bool(
        load_default=False, metadata={"description": "also merged and dissolved orgs"}
    )
    q = fields.Str(load_default=None, validate=validate.Length(min=1, max=100),
                   metadata={"description": "name or code contains"})


class OrgTreeQuerySchema(ma.Schema):
    depth = fields.Int(load_default=None, validate=validate.Range(min=0, max=60),
                       metadata={"description": "levels below the org to include"})
    include_inactive = fields.Bool(load_default=False)


class OrgTreeNodeSchema(ma.Schema):
    id = fields.UUID()
    parent_id = fields.UUID(allow_none=True)
    code = fields.Str()
    name = fields.Str()
    kind = fields.Str()
    sector = fields.Str(allow_none=True)
    status = fields.Str()
    depth = fields.Int()
    member_count = fields.Int(metadata={"description": "active members registered here"})
    subtree_member_count = fields.Int(metadata={"description": "in the whole subtree"})
    children = fields.List(fields.Nested(lambda: OrgTreeNodeSchema()))


class OrgStatsQuerySchema(ma.Schema):
    as_of = fields.Date(load_default=None, metadata={"description": "default: today"})


class OrgMemberStatsSchema(ma.Schema):
    total = fields.Int()
    by_status = fields.Dict(keys=fields.Str(), values=fields.Int())
    by_membership = fields.Dict(keys=fields.Str(), values=fields.Int())
    by_gender = fields.Dict(keys=fields.Str(), values=fields.Int())
    by_age_band = fields.Dict(keys=fields.Str(), values=fields.Int())
    by_education = fields.Dict(keys=fields.Str(), values=fields.Int())
    ethnicity = fields.Dict()
    by_standing = fields.Dict(keys=fields.Str(), values=fields.Int())


class OrgTallySchema(ma.Schema):
    total = fields.Int()
    by_kind = fields.Dict(keys=fields.Str(), values=fields.Int())
    by_status = fields.Dict(keys=fields.Str(), values=fields.Int())


class OrgStatsSchema(ma.Schema):
    org_id = fields.UUID()
    as_of = fields.Date()
    members = fields.Nested(OrgMemberStatsSchema)
    organizations = fields.Nested(OrgTallySchema)


class OrgMoveSchema(ma.Schema):
    parent_id = fields.UUID(required=True, allow_none=True,
                            metadata={"description": "the new parent; null: make it a root"})


class OrgMergeSchema(ma.Schema):
    target_id = fields.UUID(required=True)
    on = fields.Date(load_default=None, metadata={"description": "default: today"})
    reason = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class OrgDissolveSchema(ma.Schema):
    on = fields.Date(load_default=None, metadata={"description": "default: today"})
    reason = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    move_members_to = fields.UUID(load_default=None, allow_none=True)
    move_children_to = fields.UUID(load_default=None, allow_none=True)


class OrgOutcomeSchema(ma.Schema):
    organization = fields.Nested(OrgSchema)
    members_moved = fields.Int()
    children_moved = fields.Int()
    units_moved = fields.Int()
    posts_ended = fields.Int()


class OrgUnitSchema(ma.Schema):
    id = fields.UUID(dump_only=True)
    org_id = fields.UUID(dump_only=True)
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    unit_type = fields.Str(required=True, validate=validate.OneOf(UNIT_TYPES))
    credit_code = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=30))
    attributes = fields.Dict(keys=fields.Str(), load_default=None, allow_none=True)
    created_at = UtcDateTime(dump_only=True)
    version = version_field(dump_only=True)


class OrgUnitUpdateSchema(ma.Schema):
    """PATCH: only the fields sent change; ``attributes`` replaces the whole object."""

    name = fields.Str(validate=validate.Length(min=1, max=200))
    unit_type = fields.Str(validate=validate.OneOf(UNIT_TYPES))
    credit_code = fields.Str(allow_none=True, validate=validate.Length(max=30))
    attributes = fields.Dict(keys=fields.Str(), allow_none=False)
    version = expected_version_field()


class OrgPostSchema(ma.Schema):
    id = fields.UUID(dump_only=True)
    org_id = fields.UUID(dump_only=True)
    post = fields.Str(required=True, validate=validate.OneOf(POSTS))
    member_id = fields.UUID(load_default=None, allow_none=True)
    person_name = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=50))
    holder_name = fields.Str(dump_only=True)
    started_on = fields.Date(required=True)
    ended_on = fields.Date(dump_only=True, allow_none=True)
    end_reason = fields.Str(dump_only=True, allow_none=True)
    version = version_field(dump_only=True)


class OrgPostQuerySchema(ma.Schema):
    include_ended = fields.Bool(load_default=False, metadata={"description": "the history too"})


class OrgPostEndSchema(ma.Schema):
    ended_on = fields.Date(required=True)
    reason = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    version = expected_version_field()
