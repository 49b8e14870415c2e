"""Configuration: one settings class, every variable prefixed ``OPENBOSS_``.

Every field is documented in ``docs/configuration.md``; a test checks that the
document names each of them.
"""

from __future__ import annotations

import ipaddress
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime settings, read from the environment (and an optional ``.env``)."""

    model_config = SettingsConfigDict(env_prefix="OPENBOSS_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite:///var/openboss.db",
        description="SQLAlchemy URL. SQLite (file) for the demo, "
        "postgresql+psycopg://user@host:5432/db in production.",
    )
    var_dir: Path = Field(
        Path("var"), description="Directory for local state: SQLite file, secret key."
    )
    secret_key: str | None = Field(
        None,
        description="Key signing access tokens. When unset, a random key is generated once "
        "and kept in <var_dir>/secret_key.",
    )
    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="External base URL used for absolute TMF hrefs when no request is at hand "
        "(events, worker). Requests use their own Host.",
    )
    demo_mode: bool = Field(
        False, description="Demo mode: demo users with password 'demo' are allowed."
    )
    access_token_ttl_seconds: int = Field(3600, description="Lifetime of issued access tokens.")
    nats_url: str | None = Field(
        None, description="NATS server URL; when set, events are also published to JetStream."
    )
    nats_stream: str = Field("OPENBOSS_EVENTS", description="JetStream stream holding the events.")
    nats_subject_prefix: str = Field(
        "openboss.events", description="Subject prefix of published events."
    )
    log_level: str = Field("INFO", description="Log level (DEBUG, INFO, WARNING, ERROR).")
    log_format: Literal["json", "console"] = Field("json", description="Log rendering.")
    worker_poll_seconds: float = Field(0.5, description="How often an idle worker looks for work.")
    worker_lease_seconds: int = Field(
        60,
        description="How long a claimed job stays locked before another worker may take it over.",
    )
    worker_batch_size: int = Field(50, description="Outbox events or jobs claimed per round.")
    hub_max_attempts: int = Field(
        8, description="Delivery attempts to a hub listener before the delivery is dead-lettered."
    )
    hub_callback_allowed_networks: list[str] = Field(
        default_factory=list,
        description="Internal networks (CIDR) hub listeners may live in, e.g. a partner VPN. "
        "Callbacks resolving to loopback, private or link-local addresses outside these are "
        "refused. JSON list in the environment.",
    )
    hub_timeout_seconds: float = Field(5.0, description="HTTP timeout of one listener call.")
    metrics_token: str | None = Field(
        None,
        description="Static bearer token a Prometheus scraper may use on /metrics "
        "(admin and noc access tokens are accepted as well).",
    )
    default_locale: Literal["zh_CN", "en"] = Field(
        "zh_CN", description="Console language when the browser states no preference."
    )
    console_timezone: str = Field(
        "Asia/Shanghai",
        description="IANA time zone in which the console shows times (storage is always UTC).",
    )
    db_pool_size: int = Field(10, description="Connection pool size (PostgreSQL).")
    smtp_host: str = Field(
        "localhost", description="SMTP server the worker sends customer e-mail through."
    )
    smtp_port: int = Field(25, description="Port of the SMTP server (plain SMTP, no login).")
    smtp_from: str = Field(
        "noreply@openboss.local", description="Sender address of customer e-mail."
    )

    catalog_test_order_required: bool = Field(
        False,
        description="Refuse to launch a product offering until a test order (TMF622 category "
        "'testOrder') for it has completed while it was In test (eTOM 1.1.1.1 readiness).",
    )
    activation_failures: str = Field(
        "",
        description="Failures injected into activation elements, e.g. 'hlr:activate=1,olt:*=2' "
        "(element:command=times; the next calls of that command fail, per process).",
    )

    @field_validator("hub_callback_allowed_networks")
    @classmethod
    def _networks(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                ipaddress.ip_network(value.strip(), strict=False)
            except ValueError as exc:
                raise ValueError(f"not a network in CIDR notation: {value!r} ({exc})") from None
        return values

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def resolved_secret_key(self) -> str:
        """The signing key: configured, or generated once under ``var_dir``."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
