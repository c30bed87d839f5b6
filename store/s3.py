"""S3-compatible object storage for backups: where (`s3://bucket/prefix`), how to reach it
(endpoint, region, credentials) and the few object operations Vigie needs besides ClickHouse's
own BACKUP/RESTORE (a manifest, listings, deletions for the retention policy).

Credentials reach ClickHouse inside SQL text (`S3(url, key, secret)`), so every part of a target
is checked against a strict pattern first, and every error message is scrubbed of the secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from store.errors import StoreError

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_PREFIX = re.compile(r"^[A-Za-z0-9._/-]{0,512}$")
_ENDPOINT = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
_CREDENTIAL = re.compile(r"^[A-Za-z0-9/+=._~-]{0,256}$")
SCRUBBED = "<secret>"


class S3Error(StoreError):
    """Object storage refused or failed an operation (the message never holds a secret)."""


class S3AccessDenied(S3Error):
    """The storage refused the credentials (wrong key) or the permission."""


@dataclass(frozen=True)
class S3Target:
    """A place in a bucket: `s3://bucket/prefix` (the prefix has no leading or trailing /)."""

    bucket: str
    prefix: str = ""

    @classmethod
    def parse(cls, url: str) -> S3Target:
        if not url.startswith("s3://"):
            raise S3Error(f"{url!r} is not an S3 URL: use s3://bucket/prefix")
        bucket, _, prefix = url[len("s3://") :].partition("/")
        prefix = prefix.strip("/")
        if not _BUCKET.match(bucket):
            raise S3Error(f"invalid bucket name {bucket!r} in {url!r}")
        if not _PREFIX.match(prefix) or ".." in prefix.split("/") or "//" in prefix:
            raise S3Error(f"invalid prefix {prefix!r}: letters, digits and . _ - / only")
        return cls(bucket, prefix)

    def key(self, *parts: str) -> str:
        """The object key of `parts` under this prefix."""
        return "/".join(p for p in (self.prefix, *parts) if p)

    def child(self, name: str) -> S3Target:
        return S3Target.parse(f"s3://{self.bucket}/{self.key(name)}")

    @property
    def name(self) -> str:
        """The last element of the prefix (a backup's name)."""
        return self.prefix.rsplit("/", 1)[-1]

    @property
    def parent(self) -> S3Target:
        return S3Target(self.bucket, self.prefix.rpartition("/")[0])

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


@dataclass(frozen=True)
class S3Config:
    """How to reach the storage: an S3-compatible endpoint (empty: AWS) and credentials."""

    endpoint: str = ""
    region: str = "us-east-1"
    access_key_id: str = field(default="", repr=False)
    secret_access_key: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if self.endpoint and not _ENDPOINT.match(self.endpoint.rstrip("/")):
            raise S3Error(f"invalid S3 endpoint {self.endpoint!r}: use http(s)://host[:port]")
        for what, value in (
            ("access key id", self.access_key_id),
            ("secret", self.secret_access_key),
        ):
            if not _CREDENTIAL.match(value):
                raise S3Error(f"the S3 {what} has characters an S3 key never has")

    def http_url(self, target: S3Target) -> str:
        """The URL ClickHouse's S3() takes: path style on a custom endpoint, else AWS's."""
        if self.endpoint:
            return f"{self.endpoint.rstrip('/')}/{target.bucket}/{target.prefix}"
        return f"https://{target.bucket}.s3.{self.region}.amazonaws.com/{target.prefix}"

    def sql(self, target: S3Target) -> str:
        """`S3('url', 'key', 'secret')` for BACKUP/RESTORE and the Backup database engine."""
        return f"S3('{self.http_url(target)}', '{self.access_key_id}', '{self.secret_access_key}')"

    def scrub(self, text: str) -> str:
        """`text` without the credentials (error messages may quote the SQL)."""
        for secret in (self.secret_access_key, self.access_key_id):
            if secret:
                text = text.replace(secret, SCRUBBED)
        return text


@dataclass(frozen=True)
class S3Object:
    key: str
    size: int


class ObjectStore(Protocol):
    """The object operations a backup needs (boto3 in production, the same against moto)."""

    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes | None: ...
    def scan(self, prefix: str) -> list[S3Object]: ...
    def names(self, prefix: str) -> list[str]: ...
    def delete(self, keys: Sequence[str]) -> None: ...


class BotoObjects:
    """An ObjectStore on one bucket through boto3 (imported only when a backup needs it)."""

    def __init__(self, config: S3Config, bucket: str) -> None:
        import boto3
        from botocore.config import Config

        self.config, self.bucket = config, bucket
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=config.endpoint or None,
            region_name=config.region,
            aws_access_key_id=config.access_key_id or None,
            aws_secret_access_key=config.secret_access_key or None,
            config=Config(
                retries={"max_attempts": 3, "mode": "standard"},
                s3={"addressing_style": "path" if config.endpoint else "auto"},
                connect_timeout=10,
                read_timeout=120,
            ),
        )

    @contextmanager
    def _translated(self, what: str) -> Iterator[None]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            message = self.config.scrub(f"{what}: {exc}")
            if code in ("AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId", "403"):
                raise S3AccessDenied(
                    f"the S3 storage refused the credentials ({code}) {what}"
                ) from None
            raise S3Error(message) from None
        except BotoCoreError as exc:
            raise S3Error(self.config.scrub(f"{what}: {exc}")) from None

    def put(self, key: str, data: bytes) -> None:
        with self._translated(f"writing s3://{self.bucket}/{key}"):
            self._client.put_object(Bucket=self.bucket, Key=key, Body=data)

    def get(self, key: str) -> bytes | None:
        from botocore.exceptions import ClientError

        with self._translated(f"reading s3://{self.bucket}/{key}"):
            try:
                body: bytes = self._client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
                return body
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                    return None
                raise

    def scan(self, prefix: str) -> list[S3Object]:
        found: list[S3Object] = []
        with self._translated(f"listing s3://{self.bucket}/{prefix}"):
            pages = self._client.get_paginator("list_objects_v2")
            for page in pages.paginate(Bucket=self.bucket, Prefix=prefix):
                found.extend(S3Object(o["Key"], int(o["Size"])) for o in page.get("Contents", []))
        return found

    def names(self, prefix: str) -> list[str]:
        """The "folders" directly under `prefix` (which ends with /)."""
        found: list[str] = []
        with self._translated(f"listing s3://{self.bucket}/{prefix}"):
            pages = self._client.get_paginator("list_objects_v2")
            for page in pages.paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/"):
                found.extend(
                    p["Prefix"][len(prefix) :].rstrip("/") for p in page.get("CommonPrefixes", [])
                )
        return found

    def delete(self, keys: Sequence[str]) -> None:
        with self._translated(f"deleting in s3://{self.bucket}"):
            for i in range(0, len(keys), 1000):  # the API's limit per request
                chunk = [{"Key": k} for k in keys[i : i + 1000]]
                self._client.delete_objects(Bucket=self.bucket, Delete={"Objects": chunk})
