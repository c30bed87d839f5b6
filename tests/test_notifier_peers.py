"""Real peers for the notifier tests: an HTTP receiver and an SMTP server, plus factories."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from alerts.model import Alert
from alerts.notify import Notification

# 03:12 in Paris. Far ahead: the attempt table's 12-month TTL would drop rows dated in the past.
T0 = dt.datetime(2036, 3, 14, 2, 12, tzinfo=dt.UTC)


def alert(
    samu: str = "fr.health.samu075",
    alertname: str = "SLOBurnRate",
    ends: dt.datetime | None = None,
    **annotations: str,
) -> Alert:
    """An SLO engine alert for one SAMU."""
    labels = {"alertname": alertname, "severity": "page", "samu": samu, "slo": "S1"}
    notes = {"summary": "Échecs d'établissement d'appel", "burn_rate": "14.4", **annotations}
    return Alert(labels, T0, ends, notes, "http://vigie.example/slo/S1")


def notification(*alerts: Alert, at: dt.datetime | None = None, **fields: Any) -> Notification:
    """A notification of a group of alerts to receiver `noc`."""
    return Notification(
        receiver=fields.pop("receiver", "noc"),
        group_key=fields.pop("group_key", '{}:{samu="fr.health.samu075"}'),
        group_labels=fields.pop("group_labels", {"samu": "fr.health.samu075"}),
        alerts=alerts or (alert(),),
        at=at or T0 + dt.timedelta(minutes=1),
        external_url=fields.pop("external_url", "https://vigie.example"),
        **fields,
    )


# --- HTTP --------------------------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: Mapping[str, str]
    body: Any


@dataclass
class HttpPeer:
    """A real HTTP server that records JSON POSTs and answers with scripted status codes."""

    statuses: list[int] = field(default_factory=lambda: [200])
    requests: list[Received] = field(default_factory=list)
    url: str = ""

    def answer(self) -> int:
        index = min(len(self.requests) - 1, len(self.statuses) - 1)
        return self.statuses[index]


@contextmanager
def http_peer(*statuses: int) -> Iterator[HttpPeer]:
    """Serve on 127.0.0.1 on an ephemeral port until the block ends."""
    peer = HttpPeer(statuses=list(statuses) or [200])
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"null")
            with lock:
                peer.requests.append(Received(self.path, dict(self.headers), body))
                status = peer.answer()
            payload = b'{"error": "scripted"}' if status >= 300 else b"{}"
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    peer.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield peer
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port_url() -> str:
    """A URL where nothing listens (connection refused)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()
    return f"http://127.0.0.1:{port}/hook"


# --- SMTP --------------------------------------------------------------------------------------


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 / localhost: (cert file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
        .not_valid_after(dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp.crt", folder / "smtp.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@dataclass
class Mailbox:
    """What the SMTP server received; `replies` scripts the DATA answers (last one repeats)."""

    replies: list[str] = field(default_factory=lambda: ["250 OK"])
    messages: list[tuple[Envelope, bool, bool]] = field(default_factory=list)  # env, tls, auth
    port: int = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.messages.append((envelope, session.ssl is not None, session.authenticated))
        return self.replies[min(len(self.messages), len(self.replies)) - 1]


class _Controller(Controller):
    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


USER, PASSWORD = "vigie", "s3cret"


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


@contextmanager
def smtp_peer(folder: Path, *replies: str) -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1 requiring STARTTLS and AUTH (PLAIN/LOGIN)."""
    cert, key = self_signed(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    box = Mailbox(replies=list(replies) or ["250 OK"])
    controller = _Controller(
        box,
        hostname="127.0.0.1",
        port=0,
        tls_context=context,
        require_starttls=True,
        authenticator=_authenticate,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    box.port = controller.port
    try:
        yield box
    finally:
        controller.stop()


def test_the_http_peer_answers_with_its_script() -> None:
    import httpx

    with http_peer(503, 200) as peer:
        codes = [httpx.post(peer.url + "/x", json={"n": n}).status_code for n in range(3)]
    assert codes == [503, 200, 200]
    assert [r.body for r in peer.requests] == [{"n": 0}, {"n": 1}, {"n": 2}]
