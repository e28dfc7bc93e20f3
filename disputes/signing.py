"""The installation's signing keys: Ed25519, created on first use, kept outside the media folder.

Settle signs what it hands to third parties (each case file's manifest, each
seal on a case's record) with one key per installation. Keys live in
`settings.SIGNING_KEY_DIR` (by default `var/keys`, never under MEDIA_ROOT;
a system check refuses that), one pair of files per key:

    ed25519-<created, UTC>-<fingerprint, first 16 hex digits>.pub   public key, PEM
    ed25519-<created, UTC>-<fingerprint, first 16 hex digits>.key   private key, PEM, mode 0600

The newest key is the current one. `rotate()` makes a new key and deletes
the private halves of the older ones: their public keys stay published, so
everything signed before the rotation keeps verifying, but nothing new can
be signed with them. A key's fingerprint is the SHA-256 of its 32 raw
public-key bytes.

Creation takes a file lock, so two processes using the key for the first
time at the same moment make one key, not two.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import fcntl
import hashlib
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

ALGORITHM = "Ed25519"
_NAME = re.compile(r"^ed25519-(\d{8}T\d{6}\d{6}Z)-([0-9a-f]{16})\.pub$")


class SigningKeyError(Exception):
    """A key file that cannot be read, or a signing key that cannot be made."""


@dataclass(frozen=True)
class PublicKey:
    fingerprint: str
    raw: bytes
    created_at: dt.datetime
    # When the next key took over; None for the current key.
    retired_at: dt.datetime | None = None

    @property
    def key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.raw)

    @property
    def pem(self) -> str:
        return public_pem(self.key)

    @property
    def is_current(self) -> bool:
        return self.retired_at is None

    def as_json(self) -> dict:
        return {
            "algorithm": ALGORITHM,
            "fingerprint": self.fingerprint,
            "public_key": base64.b64encode(self.raw).decode(),
            "created_at": self.created_at.isoformat(),
            "retired_at": self.retired_at.isoformat() if self.retired_at else None,
        }


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    public: PublicKey

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint_of(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(raw_public(key)).hexdigest()


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def key_dir() -> Path:
    return Path(settings.SIGNING_KEY_DIR)


@contextmanager
def _locked(directory: Path):
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(directory / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _parse_stamp(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=dt.UTC)


def public_keys() -> list[PublicKey]:
    """Every key this installation has had, oldest first; the last is the current one."""
    directory = key_dir()
    found = []
    if directory.is_dir():
        for path in sorted(directory.iterdir()):
            match = _NAME.match(path.name)
            if not match:
                continue
            try:
                key = serialization.load_pem_public_key(path.read_bytes())
            except (ValueError, OSError) as error:
                raise SigningKeyError(f"The public key {path} cannot be read: {error}") from None
            if not isinstance(key, Ed25519PublicKey):
                raise SigningKeyError(f"{path} is not an Ed25519 key.")
            found.append((_parse_stamp(match.group(1)), key))
    keys = []
    for index, (created, key) in enumerate(found):
        retired = found[index + 1][0] if index + 1 < len(found) else None
        keys.append(PublicKey(fingerprint_of(key), raw_public(key), created, retired))
    return keys


def _write(path: Path, data: bytes, mode: int) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def _create(now: dt.datetime) -> None:
    private = Ed25519PrivateKey.generate()
    public = private.public_key()
    stem = f"ed25519-{_stamp(now)}-{fingerprint_of(public)[:16]}"
    directory = key_dir()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # The private half first: a public key without its private half would become "current" and sign nothing.
    _write(directory / f"{stem}.key", pem, 0o600)
    _write(directory / f"{stem}.pub", public_pem(public).encode(), 0o644)


def _load_current() -> SigningKey | None:
    keys = public_keys()
    if not keys:
        return None
    current = keys[-1]
    path = key_dir() / f"ed25519-{_stamp(current.created_at)}-{current.fingerprint[:16]}.key"
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise SigningKeyError(
            f"The current signing key's private half ({path}) is missing. Restore it from a backup, "
            "or run `manage.py signing_key --rotate` to start a new key."
        ) from None
    if not isinstance(private, Ed25519PrivateKey) or raw_public(private.public_key()) != current.raw:
        raise SigningKeyError(f"{path} does not belong to the public key beside it.")
    return SigningKey(private, current)


def current_key() -> SigningKey:
    """The installation's current signing key, made on first use."""
    existing = _load_current()
    if existing is not None:
        return existing
    with _locked(key_dir()):
        existing = _load_current()  # another process may have made it while this one waited
        if existing is None:
            _create(dt.datetime.now(dt.UTC))
            existing = _load_current()
    assert existing is not None
    return existing


def rotate() -> SigningKey:
    """Start a new current key; older keys keep only their public halves."""
    with _locked(key_dir()):
        _create(dt.datetime.now(dt.UTC))
        new = _load_current()
        assert new is not None
        for path in key_dir().glob("ed25519-*.key"):
            if new.public.fingerprint[:16] not in path.name:
                path.unlink()
    return new


def load_public_key(text: bytes | str) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM, or from base64 of its 32 raw bytes. Raises ValueError."""
    data = text.encode() if isinstance(text, str) else text
    if b"-----BEGIN" in data:
        key = serialization.load_pem_public_key(data)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("This is not an Ed25519 public key.")
        return key
    try:
        raw = base64.b64decode(data.strip(), validate=True)
    except binascii.Error:
        raise ValueError("This is neither a PEM public key nor a base64 Ed25519 key.") from None
    if len(raw) != 32:
        raise ValueError("An Ed25519 public key is 32 bytes.")
    return Ed25519PublicKey.from_public_bytes(raw)


def signature_holds(key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
