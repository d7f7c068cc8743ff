"""Field types every API face shares."""

from __future__ import annotations

from datetime import UTC

from marshmallow import fields


class UtcDateTime(fields.DateTime):
    """A timestamp dumped with its UTC offset on every backend: SQLite hands back naive
    datetimes (stored in UTC), PostgreSQL aware ones."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)
