"""Proving a report unaltered: a manifest of SHA-256 checksums, signed with Ed25519.

The manifest file holds the manifest, its signature and the signer's public key; `verify`
checks every listed file present beside it and the signature — against a public key given
by the verifier (the one the API publishes), or the embedded one, whose fingerprint it shows.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
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


@dataclass(frozen=True)
class Verification:
    """A successful check: which manifest, which files, which key."""

    manifest: dict[str, Any]
    files: tuple[str, ...]
    fingerprint: str
    key_given: bool


def verify_envelope(
    envelope_bytes: bytes, files: Mapping[str, bytes], public_key: Ed25519PublicKey | None = None
) -> Verification:
    """Check the signature of a manifest file and the checksum of each given file."""
    try:
        envelope = json.loads(envelope_bytes)
        body, signature = envelope["manifest"], base64.b64decode(envelope["signature"])
        key = public_key or load_public_key(envelope["public_key"])
    except (ValueError, KeyError, TypeError) as exc:
        raise VerifyError(f"unreadable manifest: {exc}") from exc
    try:
        key.verify(signature, canonical(body))
    except InvalidSignature as exc:
        raise VerifyError("the manifest signature does not verify with this key") from exc
    listed = body.get("files", {})
    for name, data in files.items():
        if name not in listed:
            raise VerifyError(f"{name} is not listed in the manifest")
        if hashlib.sha256(data).hexdigest() != listed[name]:
            raise VerifyError(f"{name} has been altered: its SHA-256 differs from the manifest")
    return Verification(body, tuple(sorted(files)), fingerprint(key), public_key is not None)


def verify_path(path: Path, public_key: Ed25519PublicKey | None = None) -> Verification:
    """Verify a report file (or its manifest) and every file of its manifest found beside it."""
    folder = path.parent
    if path.name.endswith(MANIFEST_SUFFIX):
        candidates = [path]
    else:
        candidates = sorted(folder.glob("*" + MANIFEST_SUFFIX))
    for candidate in candidates:
        try:
            listed = json.loads(candidate.read_bytes())["manifest"]["files"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if path.name in listed or candidate == path:
            present = {n: (folder / n).read_bytes() for n in listed if (folder / n).exists()}
            if path.name not in present and candidate != path:
                raise VerifyError(f"{path} cannot be read")
            return verify_envelope(candidate.read_bytes(), present, public_key)
    raise VerifyError(f"no manifest beside {path} lists it (expected *{MANIFEST_SUFFIX})")
