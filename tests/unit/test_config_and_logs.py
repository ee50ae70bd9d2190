"""Configuration comes from one place; logs are JSON lines carrying the correlation id."""
import io
import json
import logging

from linli.runner import read_config_file
from shared.config import load_settings
from shared.logs import JsonFormatter, correlation_id_var


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LINLI_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("LINLI_MEMBERSHIP_DATABASE_URL", "postgresql://u:p@db/membership")
    monkeypatch.setenv("LINLI_GATEWAY_PORT", "8123")
    monkeypatch.delenv("LINLI_SECRET_KEY", raising=False)
    settings = load_settings()
    assert settings.gateway_port == 8123
    assert settings.database_url("membership") == "postgresql://u:p@db/membership"
    assert settings.database_url("gateway") == f"sqlite:///{tmp_path / 'gateway.db'}"
    assert settings.secret_key == load_settings().secret_key  # generated once, then kept
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_a_nameko_config_file_overrides_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LINLI_GATEWAY_PORT", "8123")
    monkeypatch.setenv("BROKER_HOST", "rabbit.internal")
    config_file = tmp_path / "config.yaml"
    config_file.write_text(
        "AMQP_URI: amqp://guest:guest@${BROKER_HOST}:5672/\n"
        "LINLI:\n  gateway_port: 9001\n  var_dir: " + str(tmp_path) + "\n")
    file_config = read_config_file(str(config_file))
    settings = load_settings(file_config["LINLI"])
    assert file_config["AMQP_URI"] == "amqp://guest:guest@rabbit.internal:5672/"
    assert settings.gateway_port == 9001


def test_log_lines_are_json_with_the_correlation_id():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("linli.test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    token = correlation_id_var.set("corr-42")
    try:
        logger.info("node created", extra={"code": "350502001"})
    finally:
        correlation_id_var.reset(token)
        logger.removeHandler(handler)
    entry = json.loads(stream.getvalue())
    assert entry["msg"] == "node created"
    assert entry["correlation_id"] == "corr-42"
    assert entry["code"] == "350502001"
    assert entry["level"] == "INFO"
