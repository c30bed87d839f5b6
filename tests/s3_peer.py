"""A real S3 API server for the backup tests: moto's standalone server (`moto_server`, PyPI
moto[server]) on a free port, with authentication on (a wrong key is refused as by a real
provider), and a TCP relay that can stall an upload half-way (an interrupted upload)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import boto3

BUCKET = "vigie-backups"
# moto accepts this many requests without credentials, then checks every signature: the
# fixture spends them creating the IAM user and its key.
_SETUP_REQUESTS = 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_listening(port: int, process: subprocess.Popen[bytes], limit_s: float = 60) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("moto_server exited at start")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("moto_server did not listen in time")


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    access_key_id: str
    secret_access_key: str

    def env(
        self, url: str, endpoint: str | None = None, secret: str | None = None
    ) -> dict[str, str]:
        """The VIGIE_BACKUP_S3_* settings of a Vigie process using this server."""
        return {
            "VIGIE_BACKUP_S3_URL": url,
            "VIGIE_BACKUP_S3_ENDPOINT": endpoint or self.endpoint,
            "VIGIE_BACKUP_S3_ACCESS_KEY_ID": self.access_key_id,
            "VIGIE_BACKUP_S3_SECRET_ACCESS_KEY": secret or self.secret_access_key,
        }

    def keys(self, prefix: str) -> list[str]:
        client = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
        )
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
        return [o["Key"] for page in pages for o in page.get("Contents", [])]


@contextmanager
def s3_server() -> Iterator[S3Server]:
    """moto_server on a free port with one IAM user allowed everything on S3, and a bucket."""
    port = free_port()
    binary = Path(sys.executable).parent / "moto_server"
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": str(_SETUP_REQUESTS)}
    process = subprocess.Popen(
        [str(binary), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        _wait_listening(port, process)
        endpoint = f"http://127.0.0.1:{port}"
        iam = boto3.client(
            "iam",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="setup",
            aws_secret_access_key="setup",
        )
        iam.create_user(UserName="vigie")
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        }
        iam.put_user_policy(UserName="vigie", PolicyName="s3", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName="vigie")["AccessKey"]
        server = S3Server(endpoint, key["AccessKeyId"], key["SecretAccessKey"])
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=server.access_key_id,
            aws_secret_access_key=server.secret_access_key,
        ).create_bucket(Bucket=BUCKET)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


class StallingRelay:
    """A TCP relay to the S3 server that stops forwarding once `budget` bytes were sent to it
    (the upload hangs, as on a dead link) and then sets `stalled`."""

    def __init__(self, upstream_port: int, budget: int) -> None:
        self.upstream_port, self.budget = upstream_port, budget
        self.sent = 0
        self.stalled = threading.Event()
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._sockets: list[socket.socket] = [self._listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, dest: socket.socket, counted: bool) -> None:
        try:
            while chunk := source.recv(65536):
                if counted:
                    with self._lock:
                        self.sent += len(chunk)
                        over = self.sent > self.budget
                    if over:
                        self.stalled.set()
                        self._closing.wait()  # hold the connection: the upload hangs
                        return
                dest.sendall(chunk)
        except OSError:
            return

    def close(self) -> None:
        self._closing.set()
        for s in self._sockets:
            with suppress(OSError):
                s.close()
