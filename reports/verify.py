"""Proving a report unaltered and who signed it: only against keys the verifier trusts.

The public key inside a manifest file is a hint (its fingerprint is shown), never a proof: anyone
can sign altered files with their own key and put that key in the manifest. A report verifies
when a trusted key (the platform's published key, given by the verifier) verifies the manifest's
signature, every file the manifest lists is present with its SHA-256, and no other file of the
same report sits beside them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from reports.errors import VerifyError
from reports.sign import MANIFEST_SUFFIX, canonical, fingerprint, load_public_key

_PEM = re.compile(rb"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.DOTALL)


class UntrustedSignature(VerifyError):
    """The manifest is signed, but by no key the verifier trusts (or cannot say who signed)."""


@dataclass(frozen=True)
class Verification:
    """A successful check: which manifest, which files, which trusted key signed it."""

    manifest: dict[str, Any]
    files: tuple[str, ...]
    fingerprint: str


def load_public_keys(pem: bytes) -> list[Ed25519PublicKey]:
    """Every Ed25519 public key of a PEM file (several when keys are rotated)."""
    blocks = _PEM.findall(pem)
    if not blocks:
        raise VerifyError("no PEM public key found (expected -----BEGIN PUBLIC KEY-----)")
    return [load_public_key(block) for block in blocks]


def claimed_fingerprint(envelope_bytes: bytes) -> str:
    """The fingerprint of the key a manifest file names (a hint), or '' if it names none."""
    try:
        return fingerprint(load_public_key(json.loads(envelope_bytes)["public_key"]))
    except (ValueError, KeyError, TypeError, VerifyError):
        return ""


def verify_envelope(
    envelope_bytes: bytes, files: Mapping[str, bytes], trusted: Sequence[Ed25519PublicKey]
) -> Verification:
    """Check a manifest file's signature against the trusted keys, and each given file."""
    hint = claimed_fingerprint(envelope_bytes) or "none"
    if not trusted:
        raise UntrustedSignature(
            f"no trusted key to verify with; the manifest names key {hint} (a hint, not a "
            "proof): give the platform's public key (GET /api/v1/reports/public-key)"
        )
    try:
        envelope = json.loads(envelope_bytes)
        body, signature = envelope["manifest"], base64.b64decode(envelope["signature"])
        listed = dict(body["files"])
    except (ValueError, KeyError, TypeError) as exc:
        raise VerifyError(f"unreadable manifest: {exc}") from exc
    signer = next((key for key in trusted if _signs(key, signature, body)), None)
    if signer is None:
        known = ", ".join(fingerprint(key) for key in trusted)
        raise UntrustedSignature(
            f"the manifest is not signed by a trusted key: it names key {hint} (a hint, not a "
            f"proof); trusted: {known}"
        )
    for name, data in sorted(files.items()):
        if name not in listed:
            raise VerifyError(f"{name} is not listed in the manifest")
        if hashlib.sha256(data).hexdigest() != listed[name]:
            raise VerifyError(f"{name} has been altered: its SHA-256 differs from the manifest")
    return Verification(body, tuple(sorted(files)), fingerprint(signer))


def _signs(key: Ed25519PublicKey, signature: bytes, body: Any) -> bool:
    try:
        key.verify(signature, canonical(body))
    except InvalidSignature:
        return False
    return True


def verify_path(path: Path, trusted: Sequence[Ed25519PublicKey]) -> Verification:
    """Verify a report file (or its manifest) with the whole report beside it: every listed
    file present and unaltered, no unlisted file of the same report, a trusted signature."""
    manifest_file, listed = _manifest_of(path)
    folder = path.parent
    missing = sorted(name for name in listed if not (folder / name).is_file())
    if missing:
        raise VerifyError(f"missing: {', '.join(missing)} (listed in {manifest_file.name})")
    prefix = _common_prefix(listed).rstrip(".-")
    extra = sorted(
        p.name
        for p in folder.iterdir()
        if prefix and p.name.startswith(prefix) and p.name not in listed and not _other(p)
    )
    present = {name: (folder / name).read_bytes() for name in listed}
    present.update({name: (folder / name).read_bytes() for name in extra})
    return verify_envelope(manifest_file.read_bytes(), present, trusted)


def _common_prefix(names: Sequence[str] | Mapping[str, str]) -> str:
    """The longest text every name starts with (`vigie15-2026-10` for a month's files)."""
    first, last = min(names, default=""), max(names, default="")
    size = next((i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), None)
    return first[: len(first) if size is None else size]


def _other(path: Path) -> bool:
    """A manifest, or a PDF beside its own manifest (another language's): another report's."""
    if path.name.endswith(MANIFEST_SUFFIX):
        return True
    own = path.with_name(path.name.removesuffix(".pdf") + MANIFEST_SUFFIX)
    return path.suffix == ".pdf" and own.is_file()


def _manifest_of(path: Path) -> tuple[Path, dict[str, str]]:
    candidates = [path] if path.name.endswith(MANIFEST_SUFFIX) else []
    candidates += sorted(path.parent.glob("*" + MANIFEST_SUFFIX))
    for candidate in candidates:
        try:
            listed = dict(json.loads(candidate.read_bytes())["manifest"]["files"])
        except (OSError, ValueError, KeyError, TypeError):
            if candidate == path:
                raise VerifyError(f"{path} is not a readable manifest") from None
            continue
        if candidate == path or path.name in listed:
            return candidate, listed
    raise VerifyError(f"no manifest beside {path} lists it (expected *{MANIFEST_SUFFIX})")
