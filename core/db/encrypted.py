"""Personal fields encrypted at rest (ID numbers, phones, addresses), and blind indexes to
find them again.

* :class:`EncryptedString` is a column type: the application encrypts on write and decrypts
  on read with Fernet (AES-128-CBC + HMAC); the database only ever holds ciphertext, so a
  dump, a backup or a DBA's ``SELECT`` shows no ID number.
* Ciphertext is randomised, so equality needs a **blind index**: ``blind_index(value)`` is an
  HMAC-SHA256 under a separate key, stored beside the ciphertext and unique per tenant
  (re-importing a person is matched by it, never by decrypting every row).

Keys come from config: ``DATA_KEYS`` — Fernet keys, comma-separated, newest first (older ones
still decrypt, which is how rotation works) — and ``BLIND_INDEX_KEY``. Without them (the
embedded demo) both are derived from ``SECRET_KEY`` with HKDF and the log says so.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

EXTENSION = "dangjian_keyring"


class KeyConfigError(RuntimeError):
    """DATA_KEYS or BLIND_INDEX_KEY cannot be used."""


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode("utf-8")
    )


@dataclass(frozen=True)
class Keyring:
    fernet: MultiFernet
    index_key: bytes
    key_count: int

    def encrypt(self, plain: str) -> str:
        return self.fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self.fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise KeyConfigError(
                "a stored value cannot be decrypted with DATA_KEYS (a key was removed?)"
            ) from None

    def rotate(self, token: str) -> str:
        """Re-encrypt ``token`` under the newest key (for key rotation)."""
        return self.fernet.rotate(token.encode("ascii")).decode("ascii")

    def blind_index(self, value: str) -> str:
        return hmac.new(self.index_key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def build_keyring(config: dict) -> Keyring:
    raw_keys = [k.strip() for k in (config.get("DATA_KEYS") or "").split(",") if k.strip()]
    secret = config.get("SECRET_KEY") or ""
    if raw_keys:
        try:
            fernets = [Fernet(k) for k in raw_keys]
        except (ValueError, TypeError) as exc:
            raise KeyConfigError(
                f"DATA_KEYS: each key must be 32 url-safe base64 bytes (Fernet.generate_key()): {exc}"
            ) from None
    else:
        derived = base64.urlsafe_b64encode(_derive(secret, b"dangjian data key v1"))
        fernets = [Fernet(derived)]
        log.warning("DATA_KEYS not set: personal fields are encrypted with a key derived from SECRET_KEY")
    index_raw = config.get("BLIND_INDEX_KEY")
    index_key = index_raw.encode("utf-8") if index_raw else _derive(secret, b"dangjian blind index v1")
    return Keyring(fernet=MultiFernet(fernets), index_key=index_key, key_count=len(fernets))


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = build_keyring(app.config)


def keyring() -> Keyring:
    return current_app.extensions[EXTENSION]


def blind_index(value: str | None) -> str | None:
    """The HMAC of an already-normalised value (e.g. an upper-cased ID number)."""
    return None if value is None else keyring().blind_index(value)


class EncryptedString(TypeDecorator):
    """A string encrypted by the application; the column holds Fernet ciphertext."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return keyring().encrypt(str(value))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return keyring().decrypt(value)
