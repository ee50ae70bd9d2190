"""The database layer on SQLite and PostgreSQL: units of work, outbox atomicity, the inbox, and
the territory use cases behind the API."""
import eventlet
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from services.membership import demo, territory
from services.membership.models import Base, OutboxMessage, TerritoryNode
from services.membership.service import MIGRATIONS
from shared.context import CallerContext
from shared.db import ServiceDatabase, make_engine
from shared.errors import Conflict, NotFound, OutOfScope

STREET_ADMIN = CallerContext("alice", ("street_admin",), "350502001")


def count(database, model, *where):
    with database.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def seed_street(database):
    with database.transaction("membership") as uow:
        territory.create_node(uow, {"level": "district", "code": "350502", "name": "鲤城区"})
        territory.create_node(uow, {"level": "street", "code": "350502001", "name": "江南街道",
                                    "parent_code": "350502"})


def test_a_change_and_its_event_commit_together_or_not_at_all(service_db):
    seed_street(service_db)
    before = count(service_db, OutboxMessage)
    with pytest.raises(RuntimeError):
        with service_db.transaction("membership", STREET_ADMIN) as uow:
            territory.create_node(uow, {"level": "community", "parent_code": "350502001",
                                        "name": "西关社区"})
            raise RuntimeError("the worker dies before committing")
    assert count(service_db, TerritoryNode, TerritoryNode.level == "community") == 0
    assert count(service_db, OutboxMessage) == before

    with service_db.transaction("membership", STREET_ADMIN) as uow:
        territory.create_node(uow, {"level": "community", "parent_code": "350502001",
                                    "name": "西关社区"})
    assert count(service_db, TerritoryNode, TerritoryNode.level == "community") == 1
    assert count(service_db, OutboxMessage) == before + 1
    with service_db.session_factory() as session:
        message = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert message.envelope["actor"] == "alice"
    assert message.headers["nameko.scope"] == "350502001"
    assert message.published_at is None


def test_the_inbox_admits_an_event_once_per_consumer(service_db):
    envelope = {"event_id": "5b0c7a3e-3f9c-4a53-9d55-1d7f6c1f2a11",
                "type": "membership.territory_node_created"}
    with service_db.transaction("membership") as uow:
        assert uow.first_delivery(envelope, "listener.on_node") is True
    with service_db.transaction("membership") as uow:
        assert uow.first_delivery(envelope, "listener.on_node") is False
        assert uow.first_delivery(envelope, "other.on_node") is True


@pytest.mark.postgres
def test_two_workers_racing_on_one_event_cannot_both_apply_it(postgres_database):
    """The second insert waits on the first transaction, then fails: its worker retries later
    and finds the event already applied."""
    service_db = ServiceDatabase(Base, postgres_database, MIGRATIONS)
    service_db.migrate()
    envelope = {"event_id": "0f7e1c8e-5b5d-4b8e-8f0a-2c1d9e4b7a66",
                "type": "membership.territory_node_created"}
    first = service_db.unit_of_work("membership", None)
    second = service_db.unit_of_work("membership", None)
    assert first.first_delivery(envelope, "c")
    racer = eventlet.spawn(second.first_delivery, envelope, "c")
    eventlet.sleep(0.2)  # the racer is now blocked on the unique index
    first.commit()
    with pytest.raises(IntegrityError):
        racer.wait()
    second.rollback()
    with service_db.transaction("membership") as uow:
        assert uow.first_delivery(envelope, "c") is False
    service_db.dispose()


def test_scope_is_checked_by_the_service_itself(service_db):
    seed_street(service_db)
    with service_db.transaction("membership") as uow:
        territory.create_node(uow, {"level": "street", "code": "350502002", "name": "浮桥街道",
                                    "parent_code": "350502"})
    with service_db.transaction("membership", STREET_ADMIN) as uow:
        with pytest.raises(OutOfScope):
            territory.get_node(uow, "350502002")
        with pytest.raises(OutOfScope):
            territory.create_node(uow, {"level": "community", "parent_code": "350502002",
                                        "name": "浮桥社区"})
        listed = territory.list_nodes(uow, {"limit": 200})
    assert {node["code"] for node in listed["items"]} == {"350502001"}


def test_a_merge_moves_the_grids_and_keeps_their_old_codes_findable(service_db):
    seed_street(service_db)
    with service_db.transaction("membership", STREET_ADMIN) as uow:
        for name in ("西关社区", "永丰社区"):
            territory.create_node(uow, {"level": "community", "parent_code": "350502001",
                                        "name": name})
        for community in ("350502001001", "350502001002", "350502001002"):
            territory.create_node(uow, {"level": "grid", "parent_code": community, "name": "网格"})
    with service_db.transaction("membership", STREET_ADMIN) as uow:
        result = territory.merge_communities(
            uow, {"surviving_code": "350502001001", "absorbed_code": "350502001002"})
    assert result["moves"] == [
        {"old_code": "350502001002", "new_code": "350502001001"},
        {"old_code": "350502001002001", "new_code": "350502001001002"},
        {"old_code": "350502001002002", "new_code": "350502001001003"},
    ]
    with service_db.transaction("membership", STREET_ADMIN) as uow:
        assert territory.get_node(uow, "350502001002001")["code"] == "350502001001002"
        assert territory.get_node(uow, "350502001002")["status"] == "merged"
        children = territory.list_children(uow, "350502001001", {})["items"]
        assert [c["code"] for c in children] == [
            "350502001001001", "350502001001002", "350502001001003"]
        with pytest.raises(Conflict):
            territory.merge_communities(
                uow, {"surviving_code": "350502001001", "absorbed_code": "350502001002"})
        with pytest.raises(NotFound):
            territory.get_node(uow, "350502001009")
        fresh = territory.create_node(uow, {"level": "grid", "parent_code": "350502001001",
                                            "name": "新网格"})
    assert fresh["code"] == "350502001001004"  # old codes are never handed out again


def test_demo_data_is_the_licheng_district_and_seeding_twice_adds_nothing(service_db):
    with service_db.transaction("membership") as uow:
        created = demo.seed(uow)
    assert created == {"district": 1, "street": 6, "community": 77, "grid": 308}
    with service_db.transaction("membership") as uow:
        assert demo.seed(uow) == {}
    assert count(service_db, TerritoryNode) == 392
    assert count(service_db, OutboxMessage) == 392


@pytest.mark.postgres
def test_postgres_queries_run_concurrently_under_eventlet(postgres_database):
    """While one green thread waits on a lock inside PostgreSQL, the others keep running.

    With a blocking C driver the waiting query would freeze the whole process: the holder could
    never release the lock and this test would hang until its timeout.
    """
    engine = make_engine(postgres_database)
    waiting_started = eventlet.event.Event()
    holder = engine.connect()
    holder.execute(text("SELECT pg_advisory_lock(4242)"))

    def wait_for_lock():
        with engine.connect() as connection:
            waiting_started.send()
            connection.execute(text("SELECT pg_advisory_lock(4242)"))
            connection.execute(text("SELECT pg_advisory_unlock(4242)"))
            return "got it"

    waiter = eventlet.spawn(wait_for_lock)
    waiting_started.wait()
    with eventlet.Timeout(10):
        with engine.connect() as observer:  # runs while the waiter is blocked in PostgreSQL
            while not observer.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE 'SELECT pg_advisory_lock(4242)%'")).scalar():
                eventlet.sleep(0.01)
    holder.execute(text("SELECT pg_advisory_unlock(4242)"))
    assert waiter.wait() == "got it"
    holder.close()
    engine.dispose()


@pytest.mark.postgres
def test_many_green_threads_share_the_postgres_pool(postgres_database):
    engine = make_engine(postgres_database)
    pool = eventlet.GreenPool(20)

    def query(n):
        with engine.connect() as connection:
            return connection.execute(
                text("SELECT CAST(:n AS integer) FROM pg_sleep(0.05)"), {"n": n}).scalar()

    results = list(pool.imap(query, range(40)))
    assert results == list(range(40))
    engine.dispose()


def test_postgres_urls_always_use_the_cooperative_driver():
    assert make_engine("postgresql://u:p@127.0.0.1:1/db").dialect.driver == "pg8000"
    assert make_engine("postgresql+psycopg2://u:p@127.0.0.1:1/db").dialect.driver == "pg8000"
