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
