"""Starting the platform: one service per process, or all of them for ``make run``."""
from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from shared.config import SERVICE_NAMES, Settings, load_settings
from shared.logs import configure_logging

SERVICE_CLASSES = {
    "membership": "services.membership.service:MembershipService",
    "tickets": "services.tickets.service:TicketsService",
    "learning": "services.learning.service:LearningService",
    "security": "services.security.service:SecurityService",
    "assessments": "services.assessments.service:AssessmentsService",
    "gateway": "gateway.service:GatewayService",
}
DEMO_SCOPES = [
    ("district_admin", "350502", "鲤城区 district"),
    ("street_admin", "350502001", "江南街道 street"),
    ("community_worker", "350502001001", "西关社区 community"),
    ("security_officer", "350502", "鲤城区 district"),
    ("auditor", "350502", "鲤城区 district"),
]


def service_class(name: str):
    module, _, attr = SERVICE_CLASSES[name].partition(":")
    return getattr(importlib.import_module(module), attr)


def read_config_file(path: str | None) -> dict:
    """A nameko YAML config file, with its ``${VAR:default}`` substitutions."""
    if not path:
        return {}
    import yaml
    from nameko.cli.main import setup_yaml_parser

    setup_yaml_parser()
    with open(path) as handle:
        return yaml.safe_load(handle) or {}


def run_service(name: str, config_path: str | None = None) -> None:
    from nameko.runners import ServiceRunner

    file_config = read_config_file(config_path)
    settings = load_settings(file_config.get("LINLI"))
    configure_logging(settings.log_level)
    config = {**settings.nameko_config(), **{k: v for k, v in file_config.items() if k != "LINLI"}}
    config["LINLI"] = settings
    runner = ServiceRunner(config)
    runner.add_service(service_class(name))

    # A signal handler may not use eventlet, and a spawned greenlet would wait for the hub's
    # next timer (seconds): the handler writes to a pipe a green thread is already reading.
    wake_read, wake_write = os.pipe()

    def stop_when_signalled():
        from eventlet.hubs import trampoline

        trampoline(wake_read, read=True)
        runner.stop()

    import eventlet

    write_from_handler = eventlet.patcher.original("os").write

    def shutdown(signum, frame):
        write_from_handler(wake_write, b"x")

    eventlet.spawn_n(stop_when_signalled)
    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    runner.wait()


def _wait_healthy(url: str, processes: dict, timeout: float = 90) -> dict | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, process in processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}; see var/log/{name}.log")
        try:
            with urllib.request.urlopen(url, timeout=3) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            if exc.code != 503:
                raise
        except OSError:
            pass
        time.sleep(0.5)
    return None


def _demo_api_key(settings: Settings) -> str:
    """One demo integration key per checkout, kept in var/ so a second run reuses it."""
    from gateway.auth import create_api_key, find_api_key
    from linli.cli import _gateway_database

    key_file = settings.var_dir / "demo_api_key"
    database = _gateway_database(settings)
    try:
        with database.session_factory.begin() as session:
            if key_file.exists() and find_api_key(session, key_file.read_text().strip()):
                return key_file.read_text().strip()
            raw = create_api_key(session, "demo district system", "350502")
        key_file.write_text(raw)
        key_file.chmod(0o600)
        return raw
    finally:
        database.dispose()


def _stop(processes: dict) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()


def run_platform(settings: Settings, seed: bool = True) -> int:
    from gateway.auth import issue_token
    from linli.cli import cmd_migrate, cmd_seed, declare_event_queues

    log_dir = settings.var_dir / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    cmd_migrate(None, settings)
    if seed:
        print("loading demo data …", flush=True)
        cmd_seed(None, settings)
    declare_event_queues(settings)
    api_key = _demo_api_key(settings)

    processes: dict[str, subprocess.Popen] = {}
    stopping = {"now": False}

    def on_signal(signum, frame):
        stopping["now"] = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        for name in (*SERVICE_NAMES, "gateway"):
            log_file = open(log_dir / f"{name}.log", "ab")
            processes[name] = subprocess.Popen(
                [sys.executable, "-m", "linli.cli", "service", name],
                stdout=log_file, stderr=subprocess.STDOUT, env=os.environ.copy(),
                start_new_session=True,  # Ctrl-C reaches us; we stop the children in order
            )
        base = f"http://{settings.gateway_host}:{settings.gateway_port}"
        health = _wait_healthy(f"{base}/healthz", processes)
        if health is None:
            print("the platform did not become healthy; see var/log/", file=sys.stderr)
            return 1
        tokens = [(role, scope, what, issue_token(settings.secret_key, f"demo-{role}", [role],
                                                  scope, settings.token_ttl_seconds))
                  for role, scope, what in DEMO_SCOPES]
        _print_banner(base, settings, tokens, api_key, log_dir)
        while not stopping["now"]:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(f"{name} stopped unexpectedly (exit {process.returncode}); "
                          f"see {log_dir / (name + '.log')}", file=sys.stderr)
                    stopping["now"] = True
            time.sleep(0.5)
    finally:
        print("\nstopping …", flush=True)
        _stop(processes)
        print("stopped.")
    return 0


def _print_banner(base: str, settings: Settings, tokens, api_key: str, log_dir: Path) -> None:
    management = settings.rabbit_management_uri.split("@")[-1]
    lines = [
        "",
        "Linli is running.",
        f"  API            {base}/api/v1/",
        f"  health         {base}/healthz",
        f"  OpenAPI        {base}/api/v1/openapi.json",
        f"  Open311        {base}/open311/v2/discovery.json  (requests: ?api_key= the key below)",
        f"  RabbitMQ UI    http://{management}/  (guest / guest, loopback only)",
        f"  logs           {log_dir}/",
        "",
        "Demo credentials (tokens valid for "
        f"{settings.token_ttl_seconds // 3600} h; more with `.venv/bin/linli token --role R --scope CODE`):",
    ]
    for role, scope, what, token in tokens:
        lines += [f"  {role:<17} scope {scope:<13} {what}", f"    Bearer {token}"]
    lines += [
        f"  integration API key (scope 350502):  X-API-Key: {api_key}",
        "",
        "Try:",
        f"  curl -H 'Authorization: Bearer {tokens[1][3]}' \\",
        f"       {base}/api/v1/territory/nodes/350502001/children",
        "",
        "Ctrl-C stops everything.",
    ]
    print("\n".join(lines), flush=True)
