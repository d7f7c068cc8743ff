"""The yardstick: hand-written, set-based SQL computing the same figures as the engines.

Issue 8 asks for the warning sweep and the assessment cycle to be timed *beside* what the
database itself can do on the same data in the same run. This package is that second column:
for every warning rule (:mod:`bench.reference.sweep`) and every indicator
(:mod:`bench.reference.cycle`) a plain SQL query, written from the rule's or indicator's
definition (its docstring and ``shared/DESIGN.md``), not by calling the engines' code, that
returns the same findings or measurements — as a DBA would write it for a one-off report.

It is also a cross-check: ``bench/city.py`` and ``tests/bench/`` compare what each query
returns with what the engine stored, row by row, so a rule or indicator and its yardstick
can never silently disagree.

PostgreSQL only (the figures are PostgreSQL's). The queries run in the tenant's context (row
level security binds as for the app) and also filter ``tenant_id = :tenant_id`` themselves.
"""

from __future__ import annotations

import importlib
import uuid


def collect(package: str, slices, attribute: str) -> dict:
    """The queries listed in ``attribute`` (``RULES``, ``INDICATORS``) of each slice module of
    ``package``, by key; a slice without a module is skipped, a key twice is an error."""
    found: dict = {}
    for name in slices:
        try:
            module = importlib.import_module(f"{package}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.{name}":
                raise
            continue
        for query in getattr(module, attribute):
            if query.key in found:
                raise ValueError(f"two reference queries for {query.key}")
            found[query.key] = query
    return found


def as_uuid(value):
    """A column's value as a :class:`uuid.UUID` (``None`` stays ``None``)."""
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))
