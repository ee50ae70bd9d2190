"""The ``linli`` command, run as a user runs it: a subprocess with LINLI_* in its environment."""
import hashlib
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINLI = REPO / ".venv" / "bin" / "linli"
SECRET = "cli-test-secret-key-of-a-decent-length-0123456789"
JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


@pytest.fixture
def linli(tmp_path):
    """Runs ``linli ARGS`` with var/ in tmp_path; returns the CompletedProcess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")}
    env.update(LINLI_VAR_DIR=str(tmp_path / "var"), LINLI_SECRET_KEY=SECRET,
               PYTHONWARNINGS="ignore")
    command = [str(LINLI)] if LINLI.exists() else [sys.executable, "-m", "linli.cli"]

    def run(*args, check=True):
        result = subprocess.run([*command, *args], cwd=REPO, env=env, capture_output=True,
                                text=True, timeout=60)
        if check:
            assert result.returncode == 0, (args, result.returncode, result.stderr[-2000:])
        return result

    return run


def test_token_prints_one_line_a_token_the_gateway_accepts(linli):
    from gateway.auth import read_token

    result = linli("token", "--role", "street_admin", "--scope", "350502001")
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and result.stdout == lines[0] + "\n", repr(result.stdout)
    token = lines[0]
    assert JWT.fullmatch(token)
    principal, roles, scope = read_token(SECRET, token)
    assert roles == ("street_admin",) and scope == "350502001"
    assert principal == "dev-street_admin"
    # usable as $(linli token ...): nothing else on stdout, ever
    named = linli("token", "--role", "auditor", "--scope", "350502", "--sub", "zhang",
                  "--ttl", "60")
    assert read_token(SECRET, named.stdout.strip()) == ("zhang", ("auditor",), "350502")


def test_token_refuses_an_unknown_role_or_scope(linli):
    from gateway.auth import read_token

    unknown = linli("token", "--role", "mayor", "--scope", "350502", check=False)
    assert unknown.returncode != 0
    assert unknown.stdout == ""
    assert "role" in unknown.stderr
    bad_scope = linli("token", "--role", "street_admin", "--scope", "jiangnan", check=False)
    assert bad_scope.returncode != 0 and bad_scope.stdout == ""
    assert "scope" in bad_scope.stderr
    missing = linli("token", "--role", "street_admin", check=False)
    assert missing.returncode != 0 and missing.stdout == ""
    # a token from another secret is not accepted
    other = linli("token", "--role", "street_admin", "--scope", "350502001").stdout.strip()
    from shared.errors import NotAuthenticated

    with pytest.raises(NotAuthenticated):
        read_token("some-other-secret-of-a-decent-length-0123456789", other)


def test_apikey_create_prints_the_key_and_stores_only_its_hash(linli, tmp_path):
    from gateway.auth import KEY_PREFIX

    result = linli("apikey", "create", "--name", "X", "--scope", "350502")
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and result.stdout == lines[0] + "\n", repr(result.stdout)
    key = lines[0]
    assert key.startswith(KEY_PREFIX) and len(key) >= 40

    files = sorted((tmp_path / "var").glob("gateway.db*"))
    assert files, list((tmp_path / "var").iterdir())
    stored = b"".join(path.read_bytes() for path in files)
    assert key.encode() not in stored, "the raw key is in the gateway database"
    assert key[len(KEY_PREFIX):].encode() not in stored
    digest = hashlib.sha256(key.encode()).hexdigest()
    assert digest.encode() in stored or bytes.fromhex(digest) in stored

    with sqlite3.connect(files[0]) as db:
        rows = db.execute("SELECT name, scope, key_hash, revoked_at FROM api_keys").fetchall()
    assert rows == [("X", "350502", digest, None)]

    listed = linli("apikey", "list")
    assert key not in listed.stdout and "X" in listed.stdout
    bad = linli("apikey", "create", "--name", "Y", "--scope", "not-a-code", check=False)
    assert bad.returncode != 0 and bad.stdout == ""


@pytest.mark.parametrize("command", [
    ["run"], ["token"], ["apikey", "create"], ["seed"], ["dlq", "list"], ["dlq", "replay"],
    [],
])
def test_help(linli, command):
    result = linli(*command, "--help")
    assert result.stdout.startswith("usage: linli" + "".join(" " + c for c in command))
    assert "--help" in result.stdout
    assert "Traceback" not in result.stderr


def test_seed_twice_creates_the_demo_district_once(linli, tmp_path):
    import json

    first = json.loads(linli("seed").stdout)
    assert first == {"created": {"district": 1, "street": 6, "community": 77, "grid": 308}}
    second = json.loads(linli("seed").stdout)
    assert second == {"created": {}}

    with sqlite3.connect(tmp_path / "var" / "membership.db") as db:
        counts = dict(db.execute(
            "SELECT level, count(*) FROM territory_nodes GROUP BY level").fetchall())
        total = db.execute("SELECT count(*) FROM territory_nodes").fetchone()[0]
        codes = db.execute("SELECT count(DISTINCT code) FROM territory_nodes").fetchone()[0]
        events = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
        streets = db.execute("SELECT code, name FROM territory_nodes WHERE level = 'street' "
                             "ORDER BY code").fetchall()
    assert counts == {"district": 1, "street": 6, "community": 77, "grid": 308}
    assert total == codes == 392
    assert events == 392, "one territory_node_created per node, none for the second run"
    assert streets == [("350502001", "江南街道"), ("350502002", "浮桥街道"),
                       ("350502003", "开元街道"), ("350502004", "鲤中街道"),
                       ("350502005", "海滨街道"), ("350502006", "临江街道")]
