"""All configuration, in one place.

Values come from the environment (``LINLI_*``); a nameko YAML config file may be layered on top
by ``linli service NAME --config FILE`` (nameko's own ``${VAR:default}`` syntax works there).
Every other module asks this one; nothing else reads ``os.environ``.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

SERVICE_NAMES = ("membership", "tickets", "learning", "security", "assessments")
"""The services that exist today, in start-up order."""


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"LINLI_{name}", default)


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    amqp_uri: str
    rabbit_management_uri: str
    gateway_host: str
    gateway_port: int
    secret_key: str
    data_key: str  # encrypts and keys personal data (ID numbers); never the token key
    token_ttl_seconds: int
    relay_batch_size: int
    relay_idle_seconds: float
    handler_max_attempts: int
    rpc_timeout_seconds: float
    log_level: str
    database_urls: dict[str, str] = field(default_factory=dict)

    def database_url(self, owner: str) -> str:
        """The SQLAlchemy URL of one service's (or the gateway's) own database."""
        return self.database_urls.get(owner) or f"sqlite:///{self.var_dir / (owner + '.db')}"

    def nameko_config(self) -> dict:
        """The dict nameko containers are built with (AMQP, web server, ours under LINLI)."""
        return {
            "AMQP_URI": self.amqp_uri,
            "WEB_SERVER_ADDRESS": f"{self.gateway_host}:{self.gateway_port}",
            "serializer": "json",
            "max_workers": 10,
            "LINLI": self,
        }


def _generated_key(var_dir: Path, name: str) -> str:
    """A key from the environment (LINLI_<NAME>), else one generated once for this checkout."""
    configured = _env(name.upper())
    if configured:
        return configured
    key_file = var_dir / name
    if not key_file.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def load_settings(overrides: dict | None = None) -> Settings:
    """Settings from the environment; ``overrides`` (e.g. from a nameko config file) win."""
    overrides = {k.lower(): v for k, v in (overrides or {}).items()}
    var_dir = Path(overrides.get("var_dir") or _env("VAR_DIR") or REPO_ROOT / "var")
    database_urls = {
        owner: url
        for owner in (*SERVICE_NAMES, "gateway")
        if (url := overrides.get(f"{owner}_database_url") or _env(f"{owner.upper()}_DATABASE_URL"))
    }

    def pick(name: str, default: str) -> str:
        return str(overrides.get(name) or _env(name.upper()) or default)

    return Settings(
        var_dir=var_dir,
        amqp_uri=pick("amqp_uri", "amqp://guest:guest@127.0.0.1:5672/"),
        rabbit_management_uri=pick("rabbit_management_uri", "http://guest:guest@127.0.0.1:15672"),
        gateway_host=pick("gateway_host", "127.0.0.1"),
        gateway_port=int(pick("gateway_port", "8000")),
        secret_key=overrides.get("secret_key") or _generated_key(var_dir, "secret_key"),
        data_key=overrides.get("data_key") or _generated_key(var_dir, "data_key"),
        token_ttl_seconds=int(pick("token_ttl_seconds", str(12 * 3600))),
        relay_batch_size=int(pick("relay_batch_size", "200")),
        relay_idle_seconds=float(pick("relay_idle_seconds", "0.5")),
        handler_max_attempts=int(pick("handler_max_attempts", "5")),
        rpc_timeout_seconds=float(pick("rpc_timeout_seconds", "10")),
        log_level=pick("log_level", "INFO"),
        database_urls=database_urls,
    )


def settings_from_container(config: dict) -> Settings:
    """The Settings a nameko container was started with; its AMQP_URI wins (one broker per run)."""
    found = config.get("LINLI")
    if isinstance(found, Settings):
        settings = found
    else:
        settings = load_settings(found if isinstance(found, dict) else None)
    if config.get("AMQP_URI") and config["AMQP_URI"] != settings.amqp_uri:
        settings = replace(settings, amqp_uri=config["AMQP_URI"])
    return settings
