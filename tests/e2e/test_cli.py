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
                                text=True, timeout=300)  # a seed on a busy machine
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


@pytest.mark.timeout(600)  # two seeds; on a busy CI machine the first can take a minute
def test_seed_twice_creates_the_demo_district_once(linli, tmp_path):
    import json

    seeded = linli("seed")
    first = json.loads(seeded.stdout)
    tickets = {kind: first["created"].pop(kind) for kind in ("tickets", "ticket_transitions")}
    assert tickets["tickets"] == 319 and tickets["ticket_transitions"] > 3 * 319
    care = {kind: first["created"].pop(kind) for kind in ("care_plan", "care_visit",
                                                          "assistance_case")}
    assert care["care_plan"] == 1193 and care["care_visit"] > 1000
    assert care["assistance_case"] == 13
    learning = {kind: first["created"].pop(kind) for kind in (
        "school", "venue", "teacher", "course", "course_session", "enrolment", "attendance",
        "certificate", "course_offer", "study_session", "study_attendance", "study_note")}
    assert learning["school"] == 5 and learning["course"] == 9 and learning["certificate"] > 0
    assert learning["study_attendance"] > 1000 and learning["course_offer"] > 0
    security = {kind: first["created"].pop(kind) for kind in [
        kind for kind in first["created"] if kind.startswith((
            "grid_worker", "incident", "escalated", "patrol", "mediation", "supervision",
            "floating", "petition"))]}
    assert security["incidents"] == 40 and security["supervision_file"] == 6
    assert security["patrol_shift"] > 0 and security["mediation_case"] == 10
    assert security["petition"] == 15 and security["floating_check"] > 0
    assessments = {kind: first["created"].pop(kind) for kind in (
        "assessment_scheme", "scoring_rule", "manual_score", "survey_result", "ledger_correction",
        "appraisal_round", "appraisal_ballot", "branch_rating", "commitment_card",
        "commitment_rating", "title", "title_step")}
    assert assessments["assessment_scheme"] == 8 and assessments["scoring_rule"] > 8
    assert assessments["manual_score"] == 6 and assessments["survey_result"] == 7
    assert assessments["appraisal_round"] == 2 and assessments["appraisal_ballot"] > 0
    assert assessments["branch_rating"] == 10 and assessments["commitment_card"] == 8
    assert assessments["title"] == 6, "a title in every state, every holder kind"
    people = {"household": 2189 + 1624, "resident": 5816 + 4318, "party_organisation": 29,
              "party_member": 193 + 491, "volunteer_team": 6, "volunteer": 180}
    assert first["created"] == {"district": 1, "street": 6, "community": 77, "grid": 308,
                                **people, "resident_flag": first["created"]["resident_flag"]}
    assert "seeding 西关社区: 5816 of 5816 residents" in seeded.stderr  # and on the way
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
    nodes = 392  # one territory_node_created per node
    people = (people["household"] + 2 * people["resident"]  # registered, member added
              + first["created"]["resident_flag"] + 29  # flagged; party organisations
              + 193 + 491  # party members registered
              + 6 + 2 * 180)  # teams; volunteers enrolled and joined
    assert events == nodes + people, "an event per change, none for the second run"
    assert streets == [("350502001", "江南街道"), ("350502002", "浮桥街道"),
                       ("350502003", "开元街道"), ("350502004", "鲤中街道"),
                       ("350502005", "海滨街道"), ("350502006", "临江街道")]


def test_the_demo_people_are_shaped_like_xiguan_and_yongfeng(linli, tmp_path):
    """Counts per community, the minimum-allowance households, the party tree, the volunteer
    teams; every ID number valid (unsealed with the var dir's data key) and from Licheng."""
    from shared.personal_data import PersonalData, parse_id_number

    linli("seed")
    var = tmp_path / "var"
    personal = PersonalData((var / "data_key").read_text().strip())
    with sqlite3.connect(var / "membership.db") as db:
        people = dict((code, (residents, households)) for code, residents, households in
                      db.execute("SELECT substr(grid_code, 1, 12), count(*), "
                                 "count(DISTINCT household_id) FROM residents GROUP BY 1"))
        allowance = db.execute(
            "SELECT count(*), count(DISTINCT r.household_id) FROM resident_flags f JOIN "
            "residents r ON r.id = f.resident_id WHERE f.flag = 'minimum_allowance' AND "
            "r.grid_code LIKE '350502001002%'").fetchone()
        alone = db.execute("SELECT count(*) FROM resident_flags WHERE flag = "
                           "'elderly_living_alone'").fetchone()[0]
        grids = db.execute("SELECT count(DISTINCT grid_code) FROM residents").fetchone()[0]
        party = dict(((kind, code), n) for kind, code, n in db.execute(
            "SELECT kind, org_code, count(*) FROM party_organisations GROUP BY 1, 2"))
        members = dict(((code, category), n) for code, category, n in db.execute(
            "SELECT substr(org_code, 1, 12), category, count(*) FROM party_members "
            "WHERE stage = 'full' GROUP BY 1, 2"))
        teams = db.execute("SELECT count(*) FROM volunteer_teams WHERE community_code = "
                           "'350502001002'").fetchone()[0]
        sealed = [row[0] for row in db.execute(
            "SELECT id_number_sealed FROM residents ORDER BY id LIMIT 2000")]
        masked = db.execute("SELECT id_number_masked FROM residents LIMIT 1").fetchone()[0]
    assert people == {"350502001001": (5816, 2189), "350502001002": (4318, 1624)}
    assert allowance == (209, 86)
    assert 0.005 < alone / 10134 < 0.05
    assert grids == 4 + 5
    assert party[("branch", "350502001001")] == party[("branch", "350502001002")] == 5
    assert party[("group", "350502001002")] == 16
    assert members == {("350502001001", "in_service"): 32, ("350502001001", "mobile"): 8,
                       ("350502001001", "resident"): 82, ("350502001001", "retired"): 71,
                       ("350502001002", "in_service"): 340, ("350502001002", "retired"): 151}
    assert teams == 6
    numbers = [parse_id_number(personal.unseal(s)) for s in sealed]
    assert all(n.value.startswith("350502") for n in numbers)
    assert all(1925 < n.birth_date.year <= 2025 for n in numbers)
    assert masked.startswith("3505**********")
