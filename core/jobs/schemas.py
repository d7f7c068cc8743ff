"""Marshmallow schemas of the jobs API."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import Schema, fields

from core.jobs.models import STATES

_DATETIME = {"type": "string", "format": "date-time", "nullable": True}


def _aware(attribute: str):
    """ISO 8601 with an offset: SQLite hands back naive datetimes, which are UTC here."""

    def get(job) -> str | None:
        value: datetime | None = getattr(job, attribute)
        if value is None:
            return None
        return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).isoformat()

    return fields.Function(get, metadata=_DATETIME)


class JobSchema(Schema):
    id = fields.UUID()
    name = fields.Str()
    state = fields.Str(metadata={"enum": list(STATES)})
    progress = fields.Int(metadata={"description": "0–100"})
    message = fields.Str(metadata={"description": "The job's last progress message"})
    result = fields.Raw(allow_none=True, metadata={"description": "The job's JSON result"})
    error = fields.Str(allow_none=True)
    attempts = fields.Int()
    created_at = _aware("created_at")
    started_at = _aware("started_at")
    finished_at = _aware("finished_at")
