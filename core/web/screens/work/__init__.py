"""Daily work (日常工作) of branch secretaries and organisation staff: pick an organisation
one may write (``hub``), then record its meetings with attendance (``meetings``), its dues
(``dues``), development steps (``development``) and sector data (``sector``).

Every form saves through the slice's service, exactly as the JSON API does, with the API's
roles: ``branch_secretary`` on the organisation for meetings, dues and development;
``org_manager`` for sector data (the API's ``PATCH /orgs/<id>``). After a save the
organisation's warnings of the slice are brought up to date at once
(:mod:`core.warnings.scoped`) and the page says which cleared.
"""
