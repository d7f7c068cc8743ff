"""Assessment (星级评定) screens: the cycles (open, run with a progress bar, review, publish,
reopen), one organisation's explained result, and the 红黑榜.

* ``cycles`` — ``web.cycle_list``, ``web.cycle_page`` and the cycle's transitions;
* ``review`` — ``web.cycle_review`` (manual scores still missing), ``web.cycle_result`` (one
  organisation's result explained) and the assessors' decisions on it;
* ``ranking`` — ``web.ranking``, the 红黑榜 of the latest published cycle and of warnings;
* ``forms``, ``queries`` — the forms and the read queries the views share.

Every decision goes through :mod:`core.assessment.cycles`, the service the JSON API calls,
and who sees or may do what is decided by the API's own helpers
(:mod:`core.assessment.api.cycles`), so the pages and the API cannot disagree.
"""
