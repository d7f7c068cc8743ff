"""Excel exchange of the register: the member import template, the import job, and exports.

Departments hold their data in spreadsheets (the national collection's 16 member items and
more); this slice moves it in and out:

* :mod:`.columns` — the member sheet's columns (Chinese headers ↔ record fields), shared by
  template, import and export;
* :mod:`.template` — the .xlsx template with drop-downs and instructions;
* :mod:`.uploads` — storing an uploaded workbook safely until its job runs;
* :mod:`.reader` / :mod:`.cells` / :mod:`.rows` — streaming the sheet, reading cells, one row →
  one validated record;
* :mod:`.importer` — the job ``imports.members``: validation of every row, then set-based
  writes; :mod:`.errors` — the bounded error list;
* :mod:`.exporter` — members and organisations of a subtree to .xlsx, masked per role;
* :mod:`.api` / :mod:`.cli` — ``/api/v1/imports``, ``/api/v1/exports``; ``dangjian import``,
  ``dangjian export``.
"""
