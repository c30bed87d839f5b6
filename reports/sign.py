"""Signing a report: a manifest of SHA-256 checksums, signed with Ed25519.

The manifest file holds the manifest, its signature and the signer's public key (a hint for
people: `reports.verify` proves a report only against keys the verifier trusts).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from reports.errors import SigningKeyError, VerifyError

MANIFEST_SUFFIX = ".manifest.json"


def canonical(value: Any) -> bytes:
    """The canonical JSON bytes that are hashed and signed."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, as `SHA256:` and hex pairs joined by colons."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest()
    return "SHA256:" + ":".join(digest[i : i + 4] for i in range(0, 64, 4))


def public_pem(key: Ed25519PublicKey) -> str:
    """The public key as PEM (SubjectPublicKeyInfo), as the API publishes it."""
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def load_public_key(pem: str | bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM."""
    try:
        key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    except ValueError as exc:
        raise VerifyError(f"not a PEM public key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise VerifyError("the public key is not an Ed25519 key")
    return key


class Signer:
    """The report signing key, read from `path` or created there on first use."""

    def __init__(self, path: Path, on_create: Callable[[str], None] | None = None) -> None:
        self.path = path
        self._key = self._load(on_create or (lambda _: None))

    def _load(self, on_create: Callable[[str], None]) -> Ed25519PrivateKey:
        try:
            if self.path.exists():
                key = serialization.load_pem_private_key(self.path.read_bytes(), password=None)
                if not isinstance(key, Ed25519PrivateKey):
                    raise SigningKeyError(f"{self.path} is not an Ed25519 private key")
                return key
            new = Ed25519PrivateKey.generate()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            pem = new.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            self.path.write_bytes(pem)
            self.path.chmod(0o600)
        except (OSError, ValueError) as exc:
            raise SigningKeyError(f"cannot use the report signing key {self.path}: {exc}") from exc
        on_create(
            f"created a new report signing key at {self.path} (fingerprint "
            f"{fingerprint(new.public_key())}); publish its public key and keep it safe"
        )
        return new

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self._key.public_key()

    def sign(self, manifest: Mapping[str, Any]) -> bytes:
        """The manifest file: manifest, base64 signature of its canonical bytes, public key."""
        envelope = {
            "manifest": dict(manifest),
            "signature": base64.b64encode(self._key.sign(canonical(manifest))).decode(),
            "public_key": public_pem(self.public_key),
            "fingerprint": fingerprint(self.public_key),
        }
        return json.dumps(envelope, sort_keys=True, ensure_ascii=False, indent=2).encode() + b"\n"


def manifest(month: str, version: int, lang: str, files: Mapping[str, bytes]) -> dict[str, Any]:
    """What is signed: the month, the issue version and the SHA-256 of every file."""
    return {
        "month": month,
        "version": version,
        "lang": lang,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
