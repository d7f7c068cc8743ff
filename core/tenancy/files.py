"""``tenants/*.toml``: one file per city tenant, the platform operator's source of truth.

    slug = "yancheng"                       # a-z, 0-9 and '-', used in X-Tenant and URLs
    name = "盐城市委组织部"
    hosts = ["dangjian.yancheng.gov.cn"]    # host names that select this tenant
    plugins = ["rural", "community"]        # installed sector plugins enabled for it

    [plugin_settings.rural]                 # per-tenant overrides of plugin settings
    collective_income_target_wan = 10

Files are validated as a whole before anything is written; errors name the file and field.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from core.api.errors import describe_errors

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,62}$")
HOST_RE = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$", re.IGNORECASE)


class TenantFileError(ValueError):
    """A tenant file that cannot be used; ``errors`` maps field → messages."""

    def __init__(self, source: str, errors):
        self.source = source
        self.errors = errors
        super().__init__(f"{source}: {describe_errors(errors, whole='file')}")


class TenantFileSchema(Schema):
    class Meta:
        unknown = RAISE

    slug = fields.Str(
        required=True,
        validate=validate.Regexp(SLUG_RE, error="must be 2–63 of a-z, 0-9 and '-', starting with a letter"),
    )
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    hosts = fields.List(
        fields.Str(validate=validate.Regexp(HOST_RE, error="not a valid host name")),
        load_default=list,
    )
    plugins = fields.List(fields.Str(), load_default=list)
    plugin_settings = fields.Dict(keys=fields.Str(), values=fields.Dict(), load_default=dict)
    active = fields.Bool(load_default=True)


@dataclass
class TenantSpec:
    slug: str
    name: str
    hosts: list[str] = field(default_factory=list)
    plugins: list[str] = field(default_factory=list)
    plugin_settings: dict[str, dict] = field(default_factory=dict)
    active: bool = True
    source: str = "<command line>"


def parse(data: dict, source: str) -> TenantSpec:
    try:
        loaded = TenantFileSchema().load(data)
    except ValidationError as exc:
        raise TenantFileError(source, exc.messages) from None
    loaded["hosts"] = [h.lower() for h in loaded["hosts"]]
    return TenantSpec(source=source, **loaded)


def load_file(path: Path) -> TenantSpec:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TenantFileError(str(path), {"file": [f"not valid TOML: {exc}"]}) from None
    return parse(data, str(path))


def load_dir(directory: Path) -> tuple[list[TenantSpec], list[str]]:
    """Every ``*.toml`` in ``directory``: the specs that parsed, and every problem found
    (unparsable files, slugs or hosts used twice), so all of them can be reported at once."""
    if not directory.is_dir():
        raise TenantFileError(str(directory), {"directory": ["does not exist"]})
    specs, problems = [], []
    for path in sorted(directory.glob("*.toml")):
        try:
            specs.append(load_file(path))
        except TenantFileError as exc:
            problems.append(str(exc))
    seen_slugs: dict[str, str] = {}
    seen_hosts: dict[str, str] = {}
    for spec in specs:
        if spec.slug in seen_slugs:
            problems.append(f"{spec.source}: slug: {spec.slug!r} is also used by {seen_slugs[spec.slug]}")
        seen_slugs[spec.slug] = spec.source
        for host in spec.hosts:
            if host in seen_hosts:
                problems.append(f"{spec.source}: hosts: {host!r} is also used by {seen_hosts[host]}")
            seen_hosts[host] = spec.source
    return specs, problems
