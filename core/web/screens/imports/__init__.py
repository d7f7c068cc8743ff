"""Excel exchange in the browser (导入导出): the member import with its progress bar and
per-row errors, the template download, and the member / organisation exports.

The pages call exactly what the API calls (:mod:`core.excel.api`): the upload is stored by
:func:`core.excel.uploads.store` and checked before the job ``imports.members`` is enqueued;
the exports stream through :mod:`core.excel.exporter`. Submodules register their views:

* :mod:`.upload` — ``/imports`` (form, template, result of one import);
* :mod:`.exports` — ``/exports`` (the export forms and the downloads);
* :mod:`.reasons` — the importer's reasons in Chinese for the error table.
"""

from __future__ import annotations

from core.web.screens.imports import exports, upload  # noqa: F401 - they register views
