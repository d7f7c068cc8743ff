"""Standards (标准): the tenant's named, versioned sets of indicators with weights.

A tenant administrator copies a plugin's default standard (a template) or another standard,
or writes one from scratch, then changes weights, parameters and which indicators it holds.
Every change to its content (name, sector, kinds, items) writes a new
:class:`~core.assessment.models.standards.StandardVersion`; versions are never changed, so a
cycle opened on version 3 keeps scoring with version 3 whatever the tenant does later.

An item is stored as ``{"indicator": key, "weight": "12.00", "params": {...}}`` with the
indicator's **full effective parameters** (its defaults at the time merged with the
standard's overrides), not only the overrides: a plugin changing a default later does not
change what a frozen version meant.

Validation happens before anything is written and answers one 422 naming every bad field
(``items.2.weight``, ``items.0.params.target``, ``kinds``…): nothing half-written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from marshmallow import ValidationError
from sqlalchemy import select

from core.api.errors import ApiError, describe_errors
from core.assessment import registry
from core.assessment.indicators import CENT, ORG_KINDS, Indicator
from core.assessment.models.standards import Standard, StandardVersion
from core.auth.context import current_actor
from core.db import db

DEFAULT_KINDS = ("branch", "joint_branch", "general_branch")
TOTAL = Decimal(100)
NAME_MAX = 200
_UNCHANGED = ...


@dataclass(frozen=True)
class ResolvedItem:
    """An item of a frozen version as the current tenant can score it now.

    ``indicator`` is ``None`` when the indicator is not available to the tenant any more
    (its plugin disabled or uninstalled): the cycle skips the item and says so."""

    key: str
    indicator: Indicator | None
    weight: Decimal
    params: dict


# -- reading -------------------------------------------------------------------------------


def _uuid(value) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def get_standard(standard_id) -> Standard | None:
    """The current tenant's standard with this id (``None`` when unknown or foreign)."""
    parsed = _uuid(standard_id)
    if parsed is None:
        return None
    return db.session.scalar(select(Standard).where(Standard.id == parsed))


def list_standards(active_only: bool = False) -> list[Standard]:
    stmt = select(Standard).order_by(Standard.name)
    if active_only:
        stmt = stmt.where(Standard.active.is_(True))
    return list(db.session.scalars(stmt))


def latest_version(standard: Standard) -> StandardVersion:
    """The version the standard stands at now (its ``current_version``)."""
    return db.session.scalar(
        select(StandardVersion).where(
            StandardVersion.standard_id == standard.id,
            StandardVersion.number == standard.current_version,
        )
    )


def get_version(version_id) -> StandardVersion | None:
    parsed = _uuid(version_id)
    if parsed is None:
        return None
    return db.session.scalar(select(StandardVersion).where(StandardVersion.id == parsed))


def version_by_number(standard: Standard, number: int) -> StandardVersion | None:
    return db.session.scalar(
        select(StandardVersion).where(
            StandardVersion.standard_id == standard.id, StandardVersion.number == number
        )
    )


def versions(standard: Standard) -> list[StandardVersion]:
    """Every version of ``standard``, oldest first."""
    return list(db.session.scalars(
        select(StandardVersion)
        .where(StandardVersion.standard_id == standard.id)
        .order_by(StandardVersion.number)
    ))


def applies(version: StandardVersion, sector: str | None, kind: str) -> bool:
    """Whether ``version`` rates an organisation of ``sector`` and ``kind`` (a version
    without a sector rates every sector)."""
    return (version.sector is None or version.sector == sector) and kind in (version.kinds or ())


def _stored_params(indicator: Indicator, stored) -> dict:
    """Stored parameters loaded through the indicator's schema. Values the schema no longer
    accepts (the plugin changed it) fall back to its defaults rather than failing a cycle."""
    stored = dict(stored or {})
    try:
        return registry.effective_params(indicator, stored)
    except ValidationError as exc:
        bad = exc.messages if isinstance(exc.messages, dict) else {}
        kept = {k: v for k, v in stored.items() if k not in bad}
        try:
            return registry.effective_params(indicator, kept)
        except ValidationError:
            return registry.effective_params(indicator, {})


def resolve_items(version: StandardVersion) -> list[ResolvedItem]:
    """The version's items with the tenant's indicators and effective parameters.

    A fixed number of queries (the tenant's enabled plugins and custom indicators), however
    many items the version holds."""
    indicators = registry.tenant_indicators()
    resolved = []
    for item in version.items or ():
        key = item["indicator"]
        indicator = indicators.get(key)
        weight = Decimal(str(item["weight"]))
        params = _stored_params(indicator, item.get("params")) if indicator is not None else {}
        resolved.append(ResolvedItem(key, indicator, weight, params))
    return resolved


def describe_items(version: StandardVersion) -> list[dict]:
    """The version's items for people: each with its indicator's name, scoring and unit
    (``available`` False, name ``None``, when the tenant no longer has the indicator)."""
    described = []
    for item in resolve_items(version):
        indicator = item.indicator
        described.append({
            "indicator": item.key,
            "name": indicator.name if indicator else None,
            "scoring": indicator.scoring if indicator else None,
            "unit": indicator.unit if indicator else None,
            "weight": item.weight,
            "params": json_safe(_dump_params(indicator, item.params)) if indicator else {},
            "available": indicator is not None,
        })
    return described


# -- validation ----------------------------------------------------------------------------


def json_safe(value):
    """Parameters as JSON: decimals as text, dates as ISO strings, containers recursed."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _dump_params(indicator: Indicator, params: dict) -> dict:
    if indicator.params is None:
        return {}
    return indicator.params().dump(params)


def _flat(messages, prefix: str, into: dict) -> None:
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = prefix if key == "_schema" else f"{prefix}.{key}"
            _flat(value, name, into)
    else:
        into.setdefault(prefix, []).extend(messages if isinstance(messages, list) else [str(messages)])


def _weight(raw, indicator: Indicator | None, errors: dict, field: str) -> Decimal | None:
    if raw is None:
        if indicator is None:
            return None
        raw = indicator.max_points
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | str):
        errors.setdefault(field, []).append("Not a valid number.")
        return None
    try:
        weight = Decimal(str(raw).strip())
    except InvalidOperation:
        errors.setdefault(field, []).append("Not a valid number.")
        return None
    if not weight.is_finite():
        errors.setdefault(field, []).append("Not a valid number.")
    elif weight <= 0:
        errors.setdefault(field, []).append("Must be greater than 0.")
    elif weight > TOTAL:
        errors.setdefault(field, []).append("Must be at most 100.")
    elif weight != weight.quantize(CENT):
        errors.setdefault(field, []).append("At most two decimal places.")
    else:
        return weight.quantize(CENT)
    return None


def _check_name(name, errors: dict) -> str | None:
    if not isinstance(name, str) or not name.strip():
        errors.setdefault("name", []).append("Missing data for required field.")
        return None
    name = name.strip()
    if "\x00" in name:
        errors.setdefault("name", []).append("Contains a NUL character.")
        return None
    if len(name) > NAME_MAX:
        errors.setdefault("name", []).append(f"Longer than maximum length {NAME_MAX}.")
        return None
    return name


def _check_sector(sector, errors: dict) -> None:
    if sector is None:
        return
    from core.orgs.sectors import enabled_sector_keys

    if not isinstance(sector, str) or sector not in enabled_sector_keys():
        errors.setdefault("sector", []).append("Unknown sector (not provided by an enabled plugin).")


def _check_kinds(kinds, errors: dict) -> list[str]:
    if isinstance(kinds, str) or not isinstance(kinds, list | tuple) or not kinds:
        errors.setdefault("kinds", []).append("Give at least one organisation kind.")
        return []
    bad = [k for k in kinds if k not in ORG_KINDS]
    if bad:
        errors.setdefault("kinds", []).append(
            f"Unknown organisation kinds {bad}; must be among {', '.join(ORG_KINDS)}."
        )
    valid = [k for k in kinds if k in ORG_KINDS]
    if len(set(valid)) != len(valid):
        errors.setdefault("kinds", []).append("A kind is given twice.")
    return list(dict.fromkeys(valid))


def applicability(indicator: Indicator, sector: str | None, kinds: list[str]) -> str | None:
    """Why ``indicator`` cannot be part of a standard for ``sector``/``kinds`` (or None)."""
    if indicator.sectors and sector not in indicator.sectors:
        where = "every sector" if sector is None else f"sector {sector!r}"
        return (f"Indicator applies only to sectors {', '.join(indicator.sectors)}; "
                f"this standard rates {where}.")
    if indicator.kinds:
        outside = [k for k in kinds if k not in indicator.kinds]
        if outside:
            return (f"Indicator applies only to kinds {', '.join(indicator.kinds)}; "
                    f"this standard also rates {', '.join(outside)}.")
    return None


def _check_items(items, sector, kinds, previous_keys: set[str], errors: dict) -> list[dict]:
    """Validated items as stored (weights as text, full effective params as JSON)."""
    if not isinstance(items, list | tuple) or not items:
        errors.setdefault("items", []).append("Give at least one indicator.")
        return []
    indicators = registry.tenant_indicators()
    from core.assessment.custom import inactive_keys

    inactive = inactive_keys()
    stored: list[dict] = []
    seen: set[str] = set()
    total = Decimal(0)
    weights_ok = True
    for n, item in enumerate(items):
        at = f"items.{n}"
        if not isinstance(item, dict):
            errors.setdefault(at, []).append("Not an object.")
            weights_ok = False
            continue
        unknown_fields = sorted(set(item) - {"indicator", "weight", "params"})
        for name in unknown_fields:
            errors.setdefault(f"{at}.{name}", []).append("Unknown field.")
        key = item.get("indicator")
        indicator = indicators.get(key) if isinstance(key, str) else None
        if not isinstance(key, str) or not key:
            errors.setdefault(f"{at}.indicator", []).append("Missing data for required field.")
        elif indicator is None:
            errors.setdefault(f"{at}.indicator", []).append(
                f"Unknown indicator {key!r} (or its plugin is not enabled)."
            )
        elif key in seen:
            errors.setdefault(f"{at}.indicator", []).append(f"Indicator {key!r} is given twice.")
        elif key in inactive and key not in previous_keys:
            errors.setdefault(f"{at}.indicator", []).append(
                f"Custom indicator {key!r} is deactivated: it cannot be added to a standard."
            )
        else:
            why = applicability(indicator, sector, kinds)
            if why:
                errors.setdefault(f"{at}.indicator", []).append(why)
        if isinstance(key, str):
            seen.add(key)
        weight = _weight(item.get("weight"), indicator, errors, f"{at}.weight")
        if weight is None:
            weights_ok = False
        else:
            total += weight
        raw_params = item.get("params")
        params: dict = {}
        if raw_params is not None and not isinstance(raw_params, dict):
            errors.setdefault(f"{at}.params", []).append("Not an object.")
        elif indicator is not None:
            try:
                loaded = registry.effective_params(indicator, raw_params or {})
            except ValidationError as exc:
                _flat(exc.messages, f"{at}.params", errors)
            else:
                params = json_safe(_dump_params(indicator, loaded))
        if indicator is not None and weight is not None:
            stored.append({"indicator": key, "weight": str(weight), "params": params})
    if weights_ok and total != TOTAL:
        errors.setdefault("items", []).append(
            f"The weights must add up to exactly 100 (they add up to {total.normalize():f})."
        )
    return stored


def _check_texts(errors: dict, **texts) -> None:
    for field, text in texts.items():
        if text is not None and (not isinstance(text, str) or "\x00" in text):
            errors.setdefault(field, []).append("Not a valid text.")


def _validated(name, items, sector, kinds, previous_keys: set[str], **texts) -> tuple[str, list, list]:
    errors: dict[str, list] = {}
    _check_texts(errors, **texts)
    name = _check_name(name, errors)
    _check_sector(sector, errors)
    kinds = _check_kinds(kinds, errors)
    stored = _check_items(items, sector, kinds, previous_keys, errors)
    if errors:
        raise ApiError(422, f"Invalid standard: {describe_errors(errors)}", errors)
    return name, kinds, stored


def _check_name_free(name: str, own_id: uuid.UUID | None = None) -> None:
    stmt = select(Standard.id).where(Standard.name == name)
    if own_id is not None:
        stmt = stmt.where(Standard.id != own_id)
    if db.session.scalar(stmt) is not None:
        raise ApiError(409, f"A standard named {name!r} already exists.",
                       {"name": ["A standard with this name already exists."]})


def _author() -> str:
    actor = current_actor()
    return actor.label if actor is not None else "system"


# -- writing -------------------------------------------------------------------------------


def create_standard(name: str, items: list[dict], *, sector: str | None = None,
                    kinds=DEFAULT_KINDS, description: str | None = None,
                    based_on: str | None = None, note: str | None = None) -> Standard:
    """A new standard and its version 1, validated first (422 naming each bad field, 409 on
    a name the tenant already uses). Flushed; the caller commits."""
    name, kinds, stored = _validated(name, items, sector, kinds, set(), description=description,
                                     note=note, based_on=based_on)
    _check_name_free(name)
    standard = Standard(name=name, sector=sector, kinds=kinds, description=description,
                        active=True, current_version=1, based_on=based_on)
    db.session.add(standard)
    db.session.flush()
    db.session.add(StandardVersion(
        standard_id=standard.id, number=1, name=name, sector=sector, kinds=kinds,
        items=stored, note=note, created_by=_author(),
    ))
    db.session.flush()
    return standard


def _template_items(template) -> list[dict]:
    return [
        {"indicator": item.indicator, "weight": item.weight, "params": dict(item.params or {})}
        for item in template.items
    ]


def copy_template(template_key: str, name: str | None = None, *,
                  description: str | None = None) -> Standard:
    """The tenant's own standard copied from a default standard of an enabled plugin
    (422 naming ``template`` when there is no such template)."""
    template = registry.tenant_templates().get(template_key)
    if template is None:
        raise ApiError(422, f"Unknown standard template {template_key!r}.",
                       {"template": ["Unknown template (or its plugin is not enabled)."]})
    return create_standard(
        name if name is not None else template.name, _template_items(template),
        sector=template.sector, kinds=list(template.kinds),
        description=description if description is not None else template.description,
        based_on=template_key, note=f"copied from template {template_key}",
    )


def copy_standard(standard_id, name: str, *, description: str | None = None) -> Standard:
    """A new standard with the content of ``standard_id``'s current version (404 when
    unknown)."""
    source = get_standard(standard_id)
    if source is None:
        raise ApiError(404, f"standard {standard_id} not found")
    version = latest_version(source)
    items = [{"indicator": i["indicator"], "weight": i["weight"], "params": i.get("params") or {}}
             for i in version.items or ()]
    return create_standard(
        name, items, sector=version.sector, kinds=list(version.kinds or ()),
        description=description if description is not None else source.description,
        based_on=str(source.id),
        note=f"copied from {source.name} (version {version.number})",
    )


def _content(version_or_values) -> dict:
    if isinstance(version_or_values, StandardVersion):
        v = version_or_values
        return {"name": v.name, "sector": v.sector, "kinds": list(v.kinds or ()),
                "items": list(v.items or ())}
    return dict(version_or_values)


def proposed(standard: Standard, *, name=None, items=None, sector=_UNCHANGED, kinds=None,
             description=None, note=None) -> tuple[dict, dict]:
    """``(before, after)``: the content of the standard's current version and what a change
    would make it (items as they would be stored), validated exactly as
    :func:`update_standard` validates — 422 naming each bad field, 409 on a taken name — and
    writing nothing (the score preview, :mod:`core.assessment.preview`, reads it)."""
    current = latest_version(standard)
    before = _content(current)
    previous_keys = {i["indicator"] for i in current.items or ()}
    new_name = before["name"] if name is None else name
    new_sector = before["sector"] if sector is _UNCHANGED else sector
    new_kinds = before["kinds"] if kinds is None else kinds
    new_items = before["items"] if items is None else items
    new_name, new_kinds, stored = _validated(new_name, new_items, new_sector, new_kinds,
                                             previous_keys, description=description, note=note)
    if new_name != standard.name:
        _check_name_free(new_name, standard.id)
    return before, {"name": new_name, "sector": new_sector, "kinds": new_kinds, "items": stored}


def update_standard(standard_id, *, name=None, items=None, sector=_UNCHANGED, kinds=None,
                    description=None, note=None, active=None) -> Standard:
    """Change a standard. A change of its content (name, sector, kinds, items) writes
    version ``current + 1`` and moves ``current_version``; earlier versions stay as they
    are. ``description`` and ``active`` are not versioned. Flushed; the caller commits."""
    standard = get_standard(standard_id)
    if standard is None:
        raise ApiError(404, f"standard {standard_id} not found")
    if name is None and items is None and sector is _UNCHANGED and kinds is None:
        errors: dict[str, list] = {}
        _check_texts(errors, description=description)
        if errors:
            raise ApiError(422, f"Invalid standard: {describe_errors(errors)}", errors)
        if description is not None:
            standard.description = description
        if active is not None:
            standard.active = bool(active)
        db.session.flush()
        return standard
    before, after = proposed(standard, name=name, items=items, sector=sector, kinds=kinds,
                             description=description, note=note)
    new_name, new_sector, new_kinds, stored = (after["name"], after["sector"], after["kinds"],
                                               after["items"])
    if after != before:
        number = standard.current_version + 1
        db.session.add(StandardVersion(
            standard_id=standard.id, number=number, name=new_name, sector=new_sector,
            kinds=new_kinds, items=stored, note=note, created_by=_author(),
        ))
        standard.current_version = number
        standard.name, standard.sector, standard.kinds = new_name, new_sector, list(new_kinds)
    if description is not None:
        standard.description = description
    if active is not None:
        standard.active = bool(active)
    db.session.flush()
    return standard


# -- templates -----------------------------------------------------------------------------


def check_template(template) -> list[str]:
    """Problems of a default standard against the indicators installed (for tests and the
    plugin author): unknown indicators, indicators that cannot apply, weights not adding
    up to 100."""
    problems = []
    known = {key: reg.item for key, reg in registry.all_indicators().items()}
    total = Decimal(0)
    for item in template.items:
        indicator = known.get(item.indicator)
        if indicator is None:
            problems.append(f"{item.indicator}: no such indicator")
            continue
        why = applicability(indicator, template.sector, list(template.kinds))
        if why:
            problems.append(f"{item.indicator}: {why}")
        weight = item.weight if item.weight is not None else indicator.max_points
        total += Decimal(str(weight))
        try:
            registry.effective_params(indicator, dict(item.params or {}))
        except ValidationError as exc:
            problems.append(f"{item.indicator}: params {exc.messages}")
    if total != TOTAL:
        problems.append(f"weights add up to {total}, not 100")
    return problems
