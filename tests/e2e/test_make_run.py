"""``linli run`` (what ``make run`` calls) as a user meets it: started, used, stopped with Ctrl-C,
and started again on the same var/ without duplicating the demo data.

These run the real platform on the broker's default vhost (as ``make run`` does), on SQLite
under a temporary var/ and a free port.
"""
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.broker

REPO = Path(__file__).resolve().parents[2]
LINLI = REPO / ".venv" / "bin" / "linli"
READY = "Linli is running."
START_TIMEOUT = 90
STOP_TIMEOUT = 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc; zombies count as gone)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z":
            parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"


class Platform:
    """One ``linli run`` subprocess, its output in a file (read while it runs)."""

    def __init__(self, var_dir: Path, port: int):
        self.output_path = var_dir.parent / f"run-{time.monotonic_ns()}.out"
        env = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")}
        env.update(LINLI_VAR_DIR=str(var_dir), LINLI_GATEWAY_PORT=str(port),
                   LINLI_AMQP_URI=os.environ.get("LINLI_AMQP_URI",
                                                 "amqp://guest:guest@127.0.0.1:5672/"),
                   PYTHONUNBUFFERED="1", PYTHONWARNINGS="ignore")
        if os.environ.get("LINLI_RABBIT_MANAGEMENT_URI"):
            env["LINLI_RABBIT_MANAGEMENT_URI"] = os.environ["LINLI_RABBIT_MANAGEMENT_URI"]
        command = [str(LINLI)] if LINLI.exists() else [sys.executable, "-m", "linli.cli"]
        self.output = open(self.output_path, "w")
        self.process = subprocess.Popen([*command, "run"], cwd=REPO, env=env,
                                        stdout=self.output, stderr=subprocess.STDOUT)

    def text(self) -> str:
        return self.output_path.read_text(errors="replace")

    def wait_ready(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            text = self.text()
            if READY in text and "Ctrl-C stops everything." in text:
                return text
            if self.process.poll() is not None:
                pytest.fail(f"linli run exited with {self.process.returncode}:\n{text[-3000:]}")
            time.sleep(0.25)
        pytest.fail(f"linli run did not print {READY!r} in {START_TIMEOUT} s:\n{self.text()[-3000:]}")

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"linli run did not stop within {STOP_TIMEOUT} s of Ctrl-C")

    def kill(self) -> None:
        """Clean-up after a failed test: the runner and whatever it started."""
        for pid in _children(self.process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        self.output.close()


@pytest.fixture
def start_platform(tmp_path):
    started = []
    var_dir = tmp_path / "var"

    def start(port):
        platform = Platform(var_dir, port)
        started.append(platform)
        return platform

    yield start
    for platform in started:
        platform.kill()


def _community_count(var_dir: Path) -> int:
    with sqlite3.connect(var_dir / "membership.db") as db:
        return db.execute(
            "SELECT count(*) FROM territory_nodes WHERE level = 'community'").fetchone()[0]


def _banner_token(banner: str, role: str) -> str:
    match = re.search(rf"^  {role}\s.*\n\s+Bearer (\S+)$", banner, re.MULTILINE)
    assert match, f"no {role} token in the banner:\n{banner}"
    return match.group(1)


def _healthy(base: str, within: float = 120) -> None:
    """The platform answers healthy, allowing for a first start that is still catching up on
    the demo's events (a health check asks every service with a 2 s deadline, and on a busy
    machine a service working through thousands of membership events can miss it)."""
    deadline = time.monotonic() + within
    while True:
        health = requests.get(f"{base}/healthz", timeout=10)
        if health.status_code == 200 and health.json()["status"] == "ok":
            return
        assert time.monotonic() < deadline, health.text
        time.sleep(1)


def _every_learning_list_has_demo_rows(base: str, token: str) -> None:
    """What a street office opens first: every list of the learning service has demo rows."""
    headers = {"Authorization": f"Bearer {token}"}

    def items(path, **params):
        response = requests.get(base + path, params=params, headers=headers, timeout=30)
        assert response.status_code == 200, (path, response.text)
        assert response.json()["items"], f"{path} {params} is empty"
        return response.json()["items"]

    for path in ("/api/v1/schools", "/api/v1/venues", "/api/v1/teachers", "/api/v1/enrolments",
                 "/api/v1/course-offers", "/api/v1/certificates", "/api/v1/study-sessions"):
        items(path)
    courses = items("/api/v1/courses", limit=50)
    assert {c["status"] for c in courses} >= {"open", "finished"}
    assert any(c["waitlist_length"] for c in courses), "a course with a waitlist"
    for course in courses:
        items(f"/api/v1/courses/{course['id']}/sessions")
    held = [s for c in courses if c["status"] == "finished"
            for s in items(f"/api/v1/courses/{c['id']}/sessions")]
    assert any(line["status"] for line in items(f"/api/v1/sessions/{held[0]['id']}/attendance"))
    assert items("/api/v1/courses/{}/enrolments".format(courses[0]["id"]))
    certificate = items("/api/v1/certificates")[0]
    public = requests.get(f"{base}/api/v1/certificates/{certificate['number']}", timeout=10)
    assert public.status_code == 200 and public.json()["valid"] is True
    last_year = datetime.now(timezone(timedelta(hours=8))).year - 1  # settled: met or not
    quotas = requests.get(f"{base}/api/v1/study-quotas", params={
        "code": "350502001001", "year": last_year}, headers=headers, timeout=10).json()
    assert quotas["summary"]["met"] and quotas["summary"]["behind"], quotas["summary"]


def _every_security_list_has_demo_rows(base: str, token: str, officer: str) -> None:
    """Public security's lists have demo rows; the restricted ones for the officer only."""
    def items(path, bearer, **params):
        response = requests.get(base + path, params=params, timeout=30,
                                headers={"Authorization": f"Bearer {bearer}"})
        assert response.status_code == 200, (path, response.text)
        return response.json()["items"]

    for path in ("/api/v1/incidents", "/api/v1/patrol-teams", "/api/v1/patrol-shifts",
                 "/api/v1/mediation-cases", "/api/v1/floating-checks", "/api/v1/petitions",
                 "/api/v1/grids/350502001001001/workers"):
        assert items(path, token), f"{path} is empty"
    assert items("/api/v1/supervision-files", officer), "no supervision files for the officer"
    refused = requests.get(base + "/api/v1/supervision-files", timeout=10,
                           headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403, refused.text


def _every_assessments_list_has_demo_rows(base: str, token: str) -> None:
    """Assessments' lists have demo rows, and the demo's events have reached the ledger: the
    monthly community scheme's scorecards count points from the other services' demo events."""
    headers = {"Authorization": f"Bearer {token}"}

    def items(path, **params):
        response = requests.get(base + path, params=params, headers=headers, timeout=30)
        assert response.status_code == 200, (path, response.text)
        return response.json()["items"]

    for path in ("/api/v1/assessment-schemes", "/api/v1/scorecards", "/api/v1/points-ledger",
                 "/api/v1/appraisals", "/api/v1/appraisals/branch-ratings",
                 "/api/v1/appraisals/commitment-cards", "/api/v1/titles"):
        assert items(path), f"{path} is empty"
    schemes = items("/api/v1/assessment-schemes", status="active")
    community = next(s for s in schemes if s["name"] == "社区治理月度考核")
    deadline = time.monotonic() + 180  # a first start works through the demo's events
    while not items("/api/v1/points-ledger", scheme_id=community["id"], source="event"):
        assert time.monotonic() < deadline, "no demo event has reached the points ledger"
        time.sleep(2)
    ranking = requests.get(f"{base}/api/v1/rankings", headers=headers, timeout=30, params={
        "scheme_id": community["id"], "within_code": "350502001"})
    assert ranking.status_code == 200 and ranking.json()["items"], ranking.text
    def xiguan_honours():  # 西关's civilised-community title, granted in the demo
        node = requests.get(f"{base}/api/v1/territory/nodes/350502001001", headers=headers,
                            timeout=30)
        assert node.status_code == 200, node.text
        return node.json()["honours"]

    while not xiguan_honours():
        assert time.monotonic() < deadline, "the granted demo title has not reached membership"
        time.sleep(2)


@pytest.mark.timeout(600)  # two first starts on a busy CI machine, each catching up on events
def test_linli_run_starts_serves_stops_and_restarts_without_duplicating(
        start_platform, tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    platform = start_platform(port)
    banner = platform.wait_ready()

    for url in (f"{base}/api/v1/", f"{base}/healthz", f"{base}/api/v1/openapi.json"):
        assert url in banner, f"{url} not in the banner:\n{banner}"
    assert "X-API-Key: lk_" in banner
    token = _banner_token(banner, "district_admin")
    key = re.search(r"X-API-Key: (\S+)", banner).group(1)

    _healthy(base)
    response = requests.get(f"{base}/api/v1/territory/nodes/350502/children",
                            headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 200, response.text
    streets = response.json()["items"]
    assert [s["code"] for s in streets] == [f"350502{n:03d}" for n in range(1, 7)]
    assert [s["name"] for s in streets] == ["江南街道", "浮桥街道", "开元街道", "鲤中街道",
                                            "海滨街道", "临江街道"]
    street_token = _banner_token(banner, "street_admin")
    mine = requests.get(f"{base}/api/v1/territory/nodes/350502001/children",
                        headers={"Authorization": f"Bearer {street_token}"}, timeout=10)
    assert mine.status_code == 200 and len(mine.json()["items"]) == 13
    by_key = requests.get(f"{base}/api/v1/territory/nodes/350502", headers={"X-API-Key": key},
                          timeout=10)
    assert by_key.status_code == 200

    _every_learning_list_has_demo_rows(base, token)
    _every_security_list_has_demo_rows(base, token, _banner_token(banner, "security_officer"))
    _every_assessments_list_has_demo_rows(base, token)

    children = _children(platform.process.pid)
    assert len(children) >= 2, "membership and the gateway run as processes of their own"
    assert platform.interrupt() == 0, platform.text()[-3000:]
    time.sleep(0.2)
    left = {pid for pid in children if _alive(pid)}
    assert not left, f"processes left running after Ctrl-C: {left}"
    assert "stopped." in platform.text()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/healthz", timeout=2)

    var_dir = tmp_path / "var"
    assert _community_count(var_dir) == 77

    # a second run on the same var/: no duplicate demo data, the same demo key still works
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    again = start_platform(port)
    banner = again.wait_ready()
    assert f"X-API-Key: {key}" in banner, "the demo key is reused, not a new one each run"
    assert _community_count(var_dir) == 77
    token = _banner_token(banner, "district_admin")
    communities, cursor = [], None
    while True:
        params = {"level": "community", "limit": 50, **({"cursor": cursor} if cursor else {})}
        page = requests.get(f"{base}/api/v1/territory/nodes", params=params,
                            headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
        communities += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(communities) == 77 == len({c["code"] for c in communities})
    assert again.interrupt() == 0, again.text()[-3000:]
