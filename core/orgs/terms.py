"""Term lengths (任期) as sector plugin settings.

A term depends on the kind of organisation and on the sector: nationally a primary Party
committee (基层党委) serves 5 years and a general branch or branch (总支、支部) 3 years, but
village and community organisations serve 5 years throughout. Each sector plugin therefore
declares the two lengths in its settings under the same names, so the term checks read them
the same way for every sector; cities override them like any other setting.
"""

from marshmallow import Schema, fields, validate


def _term_field(default: int, description: str) -> fields.Int:
    return fields.Int(
        load_default=default,
        validate=validate.Range(min=1, max=10),
        metadata={"description": description},
    )


class TermSettings(Schema):
    """Base schema for a sector plugin's settings: subclass it and add the sector's own."""

    committee_term_years = _term_field(5, "Term of a primary Party committee, in years (基层党委 5 年).")
    branch_term_years = _term_field(3, "Term of a general branch or a branch, in years (总支、支部 3 年).")


class FiveYearTermSettings(TermSettings):
    """Villages and communities: every organisation serves 5 years (村、社区党组织 5 年)."""

    branch_term_years = _term_field(
        5, "Term of a village or community general branch or branch, in years (村、社区党组织 5 年)."
    )


# -- an organisation's term ----------------------------------------------------------------

NATIONAL_DEFAULTS = {"committee_term_years": 5, "branch_term_years": 3}


def setting_name(kind: str) -> str | None:
    """Which term setting applies to ``kind`` (a group has no elected term)."""
    from core.orgs.models import BRANCH_LEVEL_KINDS

    if kind == "committee":
        return "committee_term_years"
    if kind in BRANCH_LEVEL_KINDS:
        return "branch_term_years"
    return None


def sector_term_years(sector: str | None, kind: str) -> int | None:
    """The term length the sector plugin's settings give ``kind`` for the current tenant
    (national defaults without a sector or plugin)."""
    from core.orgs.sectors import plugin_of
    from core.plugins.settings import effective_settings

    name = setting_name(kind)
    if name is None:
        return None
    plugin = plugin_of(sector)
    settings = effective_settings(plugin) if plugin is not None else {}
    return settings.get(name, NATIONAL_DEFAULTS[name])


def effective_term_years(org) -> int | None:
    """``org.term_years`` when set, else the sector's setting for its kind."""
    if org.term_years is not None:
        return org.term_years
    return sector_term_years(org.sector, org.kind)


def add_years(start, years: int):
    """``start`` plus whole years (29 February → 28 February in a common year)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def term_ends_on(org):
    """When ``org``'s current term ends (``None`` without a start or a term length)."""
    years = effective_term_years(org)
    if org.term_started_on is None or years is None:
        return None
    return add_years(org.term_started_on, years)
