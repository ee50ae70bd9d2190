"""The whole platform for a benchmark, as production runs it: a scratch PostgreSQL database per
service, a scratch RabbitMQ vhost, ``linli seed``, then each service and the gateway as its own
process; and closed-loop HTTP load against it (wrk when installed)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import common

ADMIN_URL = os.environ.get("LINLI_BENCH_POSTGRES_URL",
                           "postgresql+pg8000://linli:linli@127.0.0.1:55432/linli_test")
SECRET_KEY = "linli-bench-secret-key-not-for-production-use-0123456789"
DISTRICT = "350502"


class Platform:
    def __init__(self, name: str):
        from sqlalchemy import create_engine

        self.tmp = Path(tempfile.mkdtemp(prefix=f"linli-bench-{name}-"))
        self.processes: list[common.Process] = []
        self.vhost = common.ScratchVhost(
            os.environ.get("LINLI_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"),
            os.environ.get("LINLI_RABBIT_MANAGEMENT_URI", "http://guest:guest@127.0.0.1:15672"))
        self.admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        self.databases: dict[str, str] = {}

    def _database(self, owner: str) -> str:
        from sqlalchemy import text

        name = f"linli_bench_{owner}_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.databases[owner] = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        return self.databases[owner]

    def start(self) -> None:
        self.amqp_uri = self.vhost.create()
        self.port = common.free_port()
        self.env = {**os.environ, "LINLI_VAR_DIR": str(self.tmp / "var"),
                    "LINLI_GATEWAY_HOST": "127.0.0.1", "LINLI_GATEWAY_PORT": str(self.port),
                    "LINLI_SECRET_KEY": SECRET_KEY, "LINLI_AMQP_URI": self.amqp_uri,
                    **{f"LINLI_{owner.upper()}_DATABASE_URL": self._database(owner)
                       for owner in common.PLATFORM_PROCESSES},
                    "PYTHONWARNINGS": "ignore"}
        seed = subprocess.run(common.linli_command("seed"), env=self.env, cwd=common.REPO_ROOT,
                              capture_output=True, text=True, timeout=600)
        if seed.returncode != 0:
            raise RuntimeError(f"linli seed failed:\n{seed.stdout}{seed.stderr}")
        token = subprocess.run(common.linli_command("token", "--role", "district_admin",
                                                    "--scope", DISTRICT),
                               env=self.env, cwd=common.REPO_ROOT, capture_output=True,
                               text=True, timeout=60)
        self.headers = {"Authorization": f"Bearer {token.stdout.strip().splitlines()[-1]}"}
        for service in common.PLATFORM_PROCESSES:
            self.processes.append(common.Process(
                service, common.linli_command("service", service), self.env, self.tmp))
        common.wait_http_ok(self.url("/healthz"), self.processes, 120)
        # the relay publishes the events `linli seed` wrote; let it finish first
        common.wait_idle([p.pid for p in self.processes])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def call(self, method: str, path: str, body: bytes | None = None,
             content_type: str | None = None) -> tuple[int, dict]:
        headers = dict(self.headers, **({"Content-Type": content_type} if content_type else {}))
        request = urllib.request.Request(self.url(path), data=body, method=method,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    def grids(self) -> list[str]:
        grids, cursor = [], None
        while True:
            status, page = self.call("GET", "/api/v1/territory/nodes?level=grid&limit=200"
                                     + (f"&cursor={cursor}" if cursor else ""))
            if status != 200:
                raise RuntimeError(f"listing grids: {status} {page}")
            grids += [node["code"] for node in page["items"]]
            cursor = page.get("next_cursor")
            if not cursor:
                return grids

    def count(self, owner: str, table: str) -> int:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.databases[owner])
        with engine.connect() as connection:
            count = connection.scalar(text(f"SELECT count(*) FROM {table}"))
        engine.dispose()
        return count

    def stop(self) -> None:
        from sqlalchemy import text

        for process in self.processes:
            process.terminate()
        for process in reversed(self.processes):
            process.stop()
        self.vhost.delete()
        shutil.rmtree(self.tmp, ignore_errors=True)
        with self.admin.connect() as connection:
            for url in self.databases.values():
                connection.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[-1]}" '
                                        "WITH (FORCE)"))
        self.admin.dispose()



def http_load(platform: Platform, path: str, concurrency: int, duration: float,
              post_json: dict | None = None) -> dict:
    """Closed-loop load on one path: GET, or POST of ``post_json``; with wrk when installed,
    else (GET only) forked Python clients."""
    if post_json is not None and not shutil.which("wrk"):
        raise RuntimeError("POST load needs wrk (apt-get install wrk)")
    if shutil.which("wrk"):
        lua = "" if post_json is None else (
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = [[{json.dumps(post_json, ensure_ascii=False)}]]")
        measurement = common.wrk_load(platform.url(path), platform.headers, concurrency,
                                      duration, platform.tmp, lua)
    else:
        measurement = common.python_http_load("127.0.0.1", platform.port, path,
                                              platform.headers, concurrency, duration)
    return {**measurement.as_dict(), "concurrency": concurrency}


