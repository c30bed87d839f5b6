"""Settings of the platform, from the environment (VIGIE_*) and CLI options; built in main()."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from store.client import embedded_dsn
from vigie import defaults


class Settings(BaseSettings):
    """Every setting has an environment variable VIGIE_<NAME>; see README, Configuration.

    Secrets are `SecretStr`: shown as `<secret>` wherever settings are printed or dumped.
    """

    model_config = SettingsConfigDict(env_prefix="VIGIE_", extra="forbid")

    data_dir: Path = Field(Path("./data"), description="Where the embedded store and state live.")
    clickhouse_dsn: str = Field(
        "", description="chdb:///path (embedded, default under data_dir) or http(s)://host:8123."
    )
    database: str = Field("vigie", description="ClickHouse database name.")
    cluster: str = Field(
        "", description="ClickHouse cluster name: migrations emit the cluster form."
    )
    host: str = Field("127.0.0.1", description="Address the HTTP, OTLP and gRPC ports bind to.")
    http_port: int = Field(8000, description="UI at /, REST API under /api, /docs, /metrics.")
    otlp_http_port: int = Field(4318, description="OTLP/HTTP receiver (/v1/metrics, /v1/traces).")
    otlp_grpc_port: int = Field(4317, description="OTLP/gRPC receiver.")
    max_body_bytes: int = Field(
        8 * 1024 * 1024, description="Largest OTLP body accepted, after decompression (413)."
    )
    max_attribute_length: int = Field(
        256, description="Longest attribute key or value accepted (reason attribute_too_long)."
    )
    max_attributes: int = Field(
        64, description="Most attributes on a resource, point or span (too_many_attributes)."
    )
    max_points_per_request: int = Field(
        100_000,
        description="Most data points or spans in one export; the rest are refused "
        "(too_many_points).",
    )
    max_series_per_samu: int = Field(
        20_000,
        description="Most distinct series of one SAMU seen within a day; new ones beyond are "
        "refused (too_many_series); 0 = no limit.",
    )
    max_value: float = Field(
        1e12, description="Largest plausible value, count or sum (implausible_value)."
    )
    max_config_bytes: int = Field(
        1024 * 1024, description="Largest routing configuration, file or reload body (413)."
    )
    max_routes: int = Field(
        5000, description="Most routes in the routing tree (413 on reload, refused at start)."
    )
    write_queue_points: int = Field(
        500_000, description="Points waiting for the store before the collector answers 503."
    )
    write_queue_max_age_ms: int = Field(
        2000,
        description="Longest an accepted export may wait for the store: past it, new exports "
        "get 503 at once (admission control by age, with write_queue_points).",
    )
    batch_max_points: int = Field(50_000, description="Largest insert the writer makes.")
    batch_max_delay_ms: int = Field(50, description="Longest a point waits to be batched.")
    retry_after_s: int = Field(5, description="Retry-After sent with 503 answers.")
    max_point_age_days: int = Field(
        35, description="Late-data policy: older points are rejected (reason too_old)."
    )
    max_point_future_s: int = Field(
        300, description="Points stamped further in the future are rejected (reason future)."
    )
    slo_dir: Path | None = Field(
        None, description="SLO specs (YAML) the engine evaluates (default: the shipped ones)."
    )
    engine_interval_s: float = Field(10.0, description="Seconds between SLO evaluation ticks.")
    alerting_config: Path | None = Field(
        None, description="Alert routing, Alertmanager syntax (default: the shipped file)."
    )
    oncall_config: Path | None = Field(
        None,
        description="People, rotations, schedules, escalation (default: the shipped file).",
    )
    engine_url: str = Field(
        "",
        description="For `vigie ui` beside a server DSN: the engine's URL; acks and silences "
        "made in that UI go to its API.",
    )
    external_url: str = Field(
        "", description="URL people use to reach this instance (links in notifications)."
    )
    secret_file: Path | None = Field(
        None, description="Secret for signed links and heartbeat tokens (default: data dir)."
    )
    smtp_host: str = Field("", description="SMTP server for e-mail to people (on-call).")
    smtp_port: int = Field(25, description="SMTP port (465 = implicit TLS).")
    smtp_username: str = Field("", description="SMTP AUTH user.")
    smtp_password: SecretStr = Field(SecretStr(""), description="SMTP AUTH password.")
    smtp_require_tls: bool = Field(True, description="Require STARTTLS.")
    smtp_from: str = Field("vigie15@localhost", description="From address of e-mail to people.")
    sms_gateway_url: SecretStr = Field(
        SecretStr(""), description="SMS gateway webhook (POST {to, text}); may carry its key."
    )
    voice_gateway_url: SecretStr = Field(
        SecretStr(""),
        description="Voice gateway webhook (POST {to, text_to_speech}); may carry its key.",
    )
    oidc_issuer: str = Field("", description="OIDC issuer URL; empty disables single sign-on.")
    oidc_client_id: str = Field("", description="OIDC client id.")
    oidc_client_secret: SecretStr = Field(SecretStr(""), description="OIDC client secret.")
    oidc_redirect_uri: str = Field(
        "", description="OIDC redirect URI (default <external url>/api/v1/auth/oidc/callback)."
    )
    oidc_role_map: str = Field(
        "", description="Groups claim → roles, e.g. `noc=on-call;ops=admin;ans=reporter`."
    )
    oidc_samu_map: str = Field(
        "", description="Groups claim → SAMU scope, e.g. `samu75=fr.health.samu075`."
    )
    oidc_groups_claim: str = Field("groups", description="Claim that carries the groups.")
    report_trusted_keys: Path | None = Field(
        None,
        description="PEM public key(s) `vigie report verify` trusts (default: the public half "
        "of <data dir>/keys/report-signing.pem).",
    )
    backup_dir: Path | None = Field(
        None, description="Where vigie backup writes (default <data dir>/backups)."
    )
    backup_s3_url: str = Field(
        "", description="S3 target of scheduled backups, `s3://bucket/prefix` (empty: none)."
    )
    backup_s3_endpoint: str = Field(
        "", description="S3-compatible endpoint, `http(s)://host[:port]` (empty: AWS)."
    )
    backup_s3_region: str = Field("us-east-1", description="S3 region (request signing).")
    backup_s3_access_key_id: SecretStr | None = Field(None, description="S3 access key id.")
    backup_s3_secret_access_key: SecretStr | None = Field(
        None, description="S3 secret access key (never shown)."
    )
    backup_interval_hours: float = Field(
        24.0, description="Hours between scheduled S3 backups; 0 = no schedule."
    )
    backup_full_every_days: float = Field(
        7.0, description="A full S3 backup when the newest full one is this old, else incremental."
    )
    backup_keep_days: float = Field(
        35.0,
        description="S3 backups older than this are deleted (not the newest full one and its "
        "incrementals; ≥ full_every_days).",
    )
    retention_raw_days: int = Field(
        35, description="Raw points, spans, series state: days kept (≥ max_point_age_days)."
    )
    retention_rollup_days: int = Field(
        800, description="Minute/hour rollups: days kept (≥ 400, year-over-year report)."
    )
    retention_audit_days: int = Field(366, description="Audit log: days kept (≥ 183).")
    retention_notification_days: int = Field(
        366, description="Notification attempts: days kept (≥ 31)."
    )
    retention_operations_days: int = Field(
        400, description="Ingest rejections, SLO snapshots, heartbeats: days kept (≥ 31)."
    )
    retention_event_days: int = Field(
        0, description="Alert and on-call events: days kept; 0 = forever (else ≥ 400)."
    )
    retention_session_days: int = Field(
        0, description="Sessions: days kept after expiry; 0 = forever."
    )
    agent_auth: Literal["required", "off"] = Field(
        "required", description="Agent tokens on the OTLP receivers (docs/security.md)."
    )
    url: str = Field(
        "", description="Base URL of a running instance, for CLI commands (default: local one)."
    )

    @property
    def alerting_file(self) -> Path:
        """The alert routing file in force: the configured one, else vigie/defaults'."""
        return self.alerting_config or defaults.ALERTING

    @property
    def oncall_file(self) -> Path:
        return self.oncall_config or defaults.ONCALL

    @property
    def slo_specs(self) -> Path:
        """The SLO spec folder in force: the configured one, else vigie/defaults/slos."""
        return self.slo_dir or defaults.SLO_DIR

    @property
    def dsn(self) -> str:
        return self.clickhouse_dsn or embedded_dsn(self.data_dir)

    @property
    def api_url(self) -> str:
        return self.url or f"http://{self.host}:{self.http_port}"

    @property
    def public_url(self) -> str:
        return self.external_url or self.api_url


def settings_from(**overrides: Any) -> Settings:
    """Settings from the environment, with the CLI options that were given on top."""
    given = {k: v for k, v in overrides.items() if v is not None}
    if "data_dir" in given:
        given["data_dir"] = Path(given["data_dir"])
    return Settings().model_copy(update=given)
