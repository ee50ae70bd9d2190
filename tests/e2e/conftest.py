"""Fixtures for end-to-end tests: the real gateway over HTTP, the real membership service behind
it, both in nameko containers on the test's own vhost, and a way to look behind the API (the
membership database, the gateway's key table) to check what a request did or did not change.
"""
import pytest
from sqlalchemy import func, select

PROBLEM = "application/problem+json"
DISTRICT = "350502"
STREET_A = "350502001"   # 江南街道
STREET_B = "350502002"   # 浮桥街道
COMMUNITY_A1 = "350502001001"
COMMUNITY_A2 = "350502001002"
COMMUNITY_B1 = "350502002001"


def seed_territory(membership_db):
    """A small tree, made by the platform itself (a system caller): the district, two streets,
    two communities under the first street and one under the second, two grids in each."""
    from services.membership import territory

    nodes = [
        ("district", DISTRICT, "鲤城区", None),
        ("street", STREET_A, "江南街道", DISTRICT),
        ("street", STREET_B, "浮桥街道", DISTRICT),
        ("community", COMMUNITY_A1, "西关社区", STREET_A),
        ("community", COMMUNITY_A2, "永丰社区", STREET_A),
        ("community", COMMUNITY_B1, "浮桥社区", STREET_B),
    ]
    for community in (COMMUNITY_A1, COMMUNITY_A2, COMMUNITY_B1):
        nodes += [("grid", f"{community}{n:03d}", f"第{n}网格", community) for n in (1, 2)]
    with membership_db.transaction("membership") as uow:
        for level, code, name, parent in nodes:
            territory.create_node(uow, {"level": level, "code": code, "name": name,
                                        "parent_code": parent})


@pytest.fixture
def api(gateway_container, web_session):
    """The HTTP session against a running gateway (with membership behind it)."""
    return web_session


@pytest.fixture
def seeded(api, membership_db):
    seed_territory(membership_db)
    return membership_db


def db_counts(membership_db) -> dict:
    """Rows in the tables a territory request may change (to prove one changed nothing)."""
    from services.membership.models import OutboxMessage, TerritoryCodeAlias, TerritoryNode

    with membership_db.session_factory() as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (TerritoryNode, OutboxMessage, TerritoryCodeAlias)}


def db_snapshot(membership_db) -> dict:
    """Counts plus every node's (code, name, parent, status): "unchanged" means all of it."""
    from services.membership.models import TerritoryNode

    with membership_db.session_factory() as session:
        nodes = sorted(session.execute(select(
            TerritoryNode.code, TerritoryNode.name, TerritoryNode.parent_code,
            TerritoryNode.status)).all())
    return {"counts": db_counts(membership_db), "nodes": [tuple(row) for row in nodes]}


def outbox_events(membership_db, event_type=None) -> list[dict]:
    """The envelopes in the outbox, oldest first (optionally of one type)."""
    from services.membership.models import OutboxMessage

    query = select(OutboxMessage.envelope).order_by(OutboxMessage.id)
    if event_type:
        query = query.where(OutboxMessage.event_type == event_type)
    with membership_db.session_factory() as session:
        return list(session.scalars(query))


def assert_problem(response, status, field=None, slug=None):
    """``response`` is an RFC 7807 document with this status (and field / type slug)."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["Content-Type"].startswith(PROBLEM), response.headers
    body = response.json()
    for key in ("type", "title", "status", "detail"):
        assert key in body, body
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert "Traceback" not in response.text
    if field is not None:
        assert body.get("field") == field, body
    if slug is not None:
        assert body["type"].endswith("/" + slug), body
    return body


@pytest.fixture
def gateway_db(gateway_container, platform_config):
    """The gateway's own database (API keys), as the operator's tools open it."""
    from gateway.http import MIGRATIONS
    from gateway.models import Base
    from shared.db import ServiceDatabase

    settings = platform_config["LINLI"]
    database = ServiceDatabase(Base, settings.database_url("gateway"), MIGRATIONS)
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def make_api_key(gateway_db):
    """Creates an integration key (as ``linli apikey create`` does); returns (id, raw key)."""
    from sqlalchemy import select as sa_select

    from gateway.auth import create_api_key, hash_key
    from gateway.models import ApiKey

    def make(name="district system", scope=DISTRICT):
        with gateway_db.session_factory.begin() as session:
            raw = create_api_key(session, name, scope)
            key_id = session.scalar(sa_select(ApiKey.id).where(ApiKey.key_hash == hash_key(raw)))
        return key_id, raw

    return make
