"""One row as one line of JSON, the same on SQLite and PostgreSQL.

A backup's table file *is* the canonical serialisation its checksum is computed over: one
line per row, rows in primary-key order, each line ``json.dumps`` of ``{column: value}``
with sorted keys, no spaces and UTF-8 — so a table's SHA-256 recomputed from a database after
an import equals the file's only if every value came back the same.

Values are written by their column's kind (:func:`core.tenancy.backup.tables.kind_of`), not
by what a driver happens to return: a datetime as UTC ISO 8601 with microseconds (SQLite
returns naive UTC, PostgreSQL aware), a decimal with its column's places, a UUID in its
hyphenated form, an encrypted field as its stored ciphertext.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal

from core.tenancy.backup.tables import ColumnSpec


def _datetime_out(spec: ColumnSpec) -> Callable:
    def out(value: datetime) -> str:
        if spec.timezone:
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.isoformat(timespec="microseconds")

    return out


def _decimal_out(spec: ColumnSpec) -> Callable:
    places = Decimal(1).scaleb(-spec.scale) if spec.scale is not None else None

    def out(value) -> str:
        value = value if isinstance(value, Decimal) else Decimal(str(value))
        if places is not None:
            return format(value.quantize(places), "f")
        return format(value.normalize(), "f")

    return out


def _float_out(value) -> float:
    return float(value)


def _uuid_out(value) -> str:
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def _iso_out(value) -> str:
    return value.isoformat()


def _same(value):
    return value


def encoder(spec: ColumnSpec) -> Callable:
    """The function that turns a value read from the database into its line form."""
    kind = spec.kind
    if kind == "datetime":
        return _datetime_out(spec)
    if kind == "decimal":
        return _decimal_out(spec)
    return {
        "float": _float_out,
        "uuid": _uuid_out,
        "date": _iso_out,
        "time": _iso_out,
    }.get(kind, _same)  # str, int, bool, encrypted, json: as the drivers return them


def _datetime_in(spec: ColumnSpec) -> Callable:
    def parse(text: str) -> datetime:
        value = datetime.fromisoformat(text)
        if spec.timezone:
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value

    return parse


def decoder(spec: ColumnSpec) -> Callable:
    """The inverse of :func:`encoder`: a line value back to what the column is given."""
    kind = spec.kind
    if kind == "datetime":
        return _datetime_in(spec)
    return {
        "decimal": Decimal,
        "float": float,
        "uuid": uuid.UUID,
        "date": date.fromisoformat,
        "time": time.fromisoformat,
    }.get(kind, _same)  # str, int, bool, encrypted, json: as parsed


# Kinds whose line form is text PostgreSQL's COPY parses by itself (see RowDecoder).
TEXT_KINDS = frozenset({"uuid", "datetime", "date", "time", "decimal"})


def _text(value):
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {type(value).__name__}")
    return value


_ENCODER = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
)


def dumps(row: dict) -> bytes:
    """The canonical line of a row (with its newline)."""
    return _ENCODER.encode(row).encode("utf-8") + b"\n"


class RowEncoder:
    """Encodes rows (sequences in ``columns`` order) into lines. Only the columns whose
    values need converting are touched (strings, integers and JSON go as they are)."""

    def __init__(self, columns: Sequence[ColumnSpec]):
        self.names = [c.name for c in columns]
        encoders = [encoder(c) for c in columns]
        self.converted = [(i, f) for i, f in enumerate(encoders) if f is not _same]

    def line(self, row: Sequence) -> bytes:
        values = list(row)
        for index, encode in self.converted:
            value = values[index]
            if value is not None:
                values[index] = encode(value)
        return dumps(dict(zip(self.names, values, strict=True)))


class RowDecoder:
    """Decodes one parsed line into a tuple in ``columns`` order; raises ValueError naming
    the column on a missing or extra key or a value that does not parse.

    With ``as_text`` (for PostgreSQL's ``COPY``, which parses text into any column type
    itself) the kinds in :data:`TEXT_KINDS` stay the text they are in the line: no Python
    objects made only to be turned back into text. Whatever a value becomes, the import
    checks it by the checksum it has when read back from the database."""

    def __init__(self, columns: Sequence[ColumnSpec], as_text: bool = False):
        self.names = [c.name for c in columns]
        self._expected = set(self.names)
        self.converted = []
        for index, column in enumerate(columns):
            decode = _text if as_text and column.kind in TEXT_KINDS else decoder(column)
            if decode is not _same:
                self.converted.append((index, column.name, decode))

    def values(self, row) -> tuple:
        if type(row) is not dict:
            raise ValueError("a line is not a JSON object")
        if row.keys() != self._expected:
            missing = sorted(self._expected - row.keys())
            extra = sorted(row.keys() - self._expected)
            raise ValueError(f"columns differ (missing {missing}, unexpected {extra})")
        values = [row[name] for name in self.names]
        for index, name, decode in self.converted:
            value = values[index]
            if value is not None:
                try:
                    values[index] = decode(value)
                except (ValueError, TypeError, ArithmeticError) as exc:
                    raise ValueError(f"column {name}: {exc}") from None
        return tuple(values)
