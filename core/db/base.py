"""Declarative base with a naming convention (Alembic needs stable constraint names)."""

from __future__ import annotations

import uuid

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase
from uuid_utils.compat import uuid7

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Base(DeclarativeBase):
    metadata = metadata


db = SQLAlchemy(model_class=Base)


def new_id() -> uuid.UUID:
    """A time-ordered UUID (v7): unguessable across tenants, yet index-friendly on insert."""
    return uuid7()
