"""Assessments at district scale, with the whole platform running on PostgreSQL: how fast events
become points in the ledger, and how fast a district's ranking answers over a year of points.

    .venv/bin/python bench/assessments.py            # ~5 minutes on 2 cores, ~2 of them starting and seeding
    .venv/bin/python bench/assessments.py --quick    # small counts, 3 s loads (~3-4 minutes)

Ingestion  An active monthly community scheme over the demo district (鲤城区, 6 streets, 77
           communities) with six rules on five event types is made and approved through the
           gateway. Then K valid envelopes of those types (``make_envelope``), spread over the
           77 communities and the scheme's year, are published onto their producers' exchanges
           with publisher confirms, as the producers' outbox relays publish them (batches of
           200). Measured: from the first publish until the ledger holds every entry they
           score — events/s and entries/s.
Baselines  The same K envelopes (1) published to a scratch durable queue and consumed with acks
           by a plain kombu consumer: the broker's own pace; (2) handled by a nameko service
           whose handlers, on the same five queues, only record the inbox on PostgreSQL (the
           platform's ``handles``): what any event handler costs before it does anything.
Rankings   A year of points for the scheme (12 months × 77 communities × N entries, 92,400 by
           default) written in-process straight into the assessments database while the
           service is idle (through the broker it would take ~15-20 minutes): a sample through
           the service's own ``ledger.append``, the rest in bulk SQL, checked by the gateway's
           recomputation (every scorecard equal to its entries). Then ``GET /api/v1/rankings``
           for the district (77 communities) and for one street, serial and with 8 clients
           (wrk), p50/p99, against, in the same run, the gateway's cheapest read
           (``GET /api/v1/territory/nodes/{code}``), the communities list a ranking asks
           membership for, and the ranking's own query as SQL.

The bench plays the producers' part on the broker and writes the year's ledger in-process, so
unlike the other benches it imports the platform's own packages (the envelope registry, the
confirmed publisher, the assessments models and ledger). Needs wrk, RabbitMQ and the project's
PostgreSQL (see bench/README.md). Writes bench/results/assessments-<UTC>.json and an SVG.
"""
from __future__ import annotations

import sys

# Re-run of this file as the inbox-only baseline's service: nameko needs eventlet's patching
# before anything else is imported.
if __name__ == "__main__" and sys.argv[1:2] == ["serve-inbox-handler"]:
    import eventlet

    eventlet.monkey_patch()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import date, datetime, timedelta, timezone  # noqa: E402
from datetime import time as clock_time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
import chart  # noqa: E402
import common  # noqa: E402
from scratch_platform import DISTRICT, Platform, http_load  # noqa: E402

STREET = "350502001"
NODE_PATH = f"/api/v1/territory/nodes/{STREET}"
# what a district ranking asks membership for (the district's communities), read on its own
COMMUNITIES_PATH = f"/api/v1/territory/nodes/{DISTRICT}/descendants?level=community&limit=200"
BATCH = 200  # what an outbox relay publishes at once (LINLI_RELAY_BATCH_SIZE)
PREFETCH = 10  # nameko's: one message in flight per worker, 10 workers
INGEST_TYPES = ("tickets.ticket_resolved", "tickets.ticket_sla_breached", "tickets.ticket_rated",
                "security.patrol_shift_completed", "security.floating_check_recorded")
# indicator code: (name, weight); rules: (indicator, event type, subject field, conditions,
# points, per field). Every ingested event meets its type's rules, so the entries it makes are
# known in advance: ENTRIES_PER_EVENT.
INDICATORS = {"service": ("为民服务 tickets resolved, rated, breached", 1.0),
              "grassroots": ("小事不出社区 resolved without escalation", 0.5),
              "safety": ("平安建设 patrols and floating checks", 1.0)}
RULES = (
    ("service", "tickets.ticket_resolved", "community_code",
     [{"field": "on_time", "op": "eq", "value": True}], 2, None),
    ("grassroots", "tickets.ticket_resolved", "community_code",
     [{"field": "escalation_count", "op": "eq", "value": 0}], 1, None),
    ("service", "tickets.ticket_sla_breached", "community_code", [], -5, None),
    ("service", "tickets.ticket_rated", "community_code",
     [{"field": "satisfied", "op": "eq", "value": True}], 1, None),
    ("safety", "security.patrol_shift_completed", "org_code", [], 1, "hours"),
    ("safety", "security.floating_check_recorded", "org_code",
     [{"field": "result", "op": "in", "value": ["registered", "unregistered_now_registered"]}],
     0.5, None),
)
ENTRIES_PER_EVENT = {event_type: sum(1 for rule in RULES if rule[1] == event_type)
                     for event_type in INGEST_TYPES}


def months_back(today: date, count: int) -> list[date]:
    """The first days of the ``count`` months ending with today's, oldest first."""
    firsts, year, month = [], today.year, today.month
    for _ in range(count):
        firsts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


# --------------------------------------------------------------------------- the territory

def nodes(platform: Platform, level: str) -> list[str]:
    codes, cursor = [], None
    while True:
        status, page = platform.call("GET", f"/api/v1/territory/nodes?level={level}&limit=200"
                                     + (f"&cursor={cursor}" if cursor else ""))
        if status != 200:
            raise RuntimeError(f"listing {level} nodes: {status} {page}")
        codes += [node["code"] for node in page["items"] if node.get("status", "active") == "active"]
        cursor = page.get("next_cursor")
        if not cursor:
            return codes


# --------------------------------------------------------------------------- the scheme

def _call(platform: Platform, method: str, path: str, payload: dict | None = None,
          expected=(200, 201)) -> dict:
    body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else None
    status, answer = platform.call(method, path, body, "application/json" if body else None)
    if status not in expected:
        raise RuntimeError(f"{method} {path}: {status} {answer}")
    return answer


def make_scheme(platform: Platform, counts_from: date) -> dict:
    """A monthly community scheme over the district with INDICATORS and RULES, submitted and
    approved (the admission gate) through the gateway; returns its ids."""
    scheme = _call(platform, "POST", "/api/v1/assessment-schemes", {
        "name": "基准测试 社区月度考核", "department": "区委组织部", "subject_kind": "community",
        "period": "month", "org_code": DISTRICT, "counts_from": counts_from.isoformat(),
        "star_thresholds": [500, 1000, 1500], "bottom_n": 3, "description": "bench/assessments.py",
        "indicators": [{"code": code, "name": name, "source": "events", "weight": weight}
                       for code, (name, weight) in INDICATORS.items()],
        "rules": [{"indicator": indicator, "event_type": event_type, "subject_field": field,
                   "conditions": conditions, "points": points, "per_field": per_field,
                   "description": f"bench: {event_type}"}
                  for indicator, event_type, field, conditions, points, per_field in RULES]})
    base = f"/api/v1/assessment-schemes/{scheme['id']}"
    _call(platform, "POST", f"{base}/submission")
    # Approval scores every event already received in the scheme's window (the demo's) inside
    # the RPC; past the gateway's RPC timeout the client hears 503 while the approval goes on,
    # so wait for the scheme to turn active, and say how long it took.
    started = time.perf_counter()
    status, approved = platform.call("POST", f"{base}/approval",
                                     json.dumps({"note": "bench"}).encode(), "application/json")
    answered = status
    while status == 503 and time.perf_counter() - started < 600:
        time.sleep(1)
        approved = _call(platform, "GET", base)
        status = 200 if approved["status"] == "active" else 503
    if approved.get("status") != "active":
        raise RuntimeError(f"the scheme is {approved.get('status')} after approval: {approved}")
    return {"id": scheme["id"], "indicators": {i["code"]: i["id"] for i in scheme["indicators"]},
            "rules": [rule["id"] for rule in scheme["rules"]],
            "approval": {"http_status": answered,
                         "seconds": round(time.perf_counter() - started, 1),
                         "rescored": approved.get("rescored")}}


# --------------------------------------------------------------------------- the events

class Envelopes:
    """Valid envelopes of INGEST_TYPES, round-robin over the types and the communities, dated
    over the days from ``first_day`` to ``last_day``."""

    def __init__(self, communities: list[str], first_day: date, last_day: date):
        self.communities = communities
        self.first_day = first_day
        self.days = (last_day - first_day).days + 1
        self.serial = 0

    def data(self, event_type: str, community: str, day: date, n: int) -> dict:
        at = datetime.combine(day, clock_time(10, n % 60), timezone.utc)
        grid = community + "001"
        ticket = {"ticket_id": n, "transition_id": n, "seq": 5, "action": "resolve",
                  "from_status": "in_progress", "status": "resolved", "comment": None,
                  "category_code": "road_damage", "grid_code": grid,
                  "community_code": community, "street_code": community[:9],
                  "level": "community", "responsible_code": community,
                  "accountable_code": community, "due_at": (at + timedelta(days=2)).isoformat(),
                  "at": at.isoformat()}
        if event_type == "tickets.ticket_resolved":
            return {**ticket, "created_at": (at - timedelta(days=1)).isoformat(),
                    "accepted_at": (at - timedelta(hours=20)).isoformat(),
                    "resolved_at": at.isoformat(), "on_time": True, "assignee": None,
                    "reopen_count": 0, "escalation_count": 0}
        if event_type == "tickets.ticket_rated":
            return {**ticket, "action": "rate", "from_status": "resolved", "rating": 5,
                    "satisfied": True, "rating_comment": None, "resolved_at": at.isoformat(),
                    "on_time": True}
        if event_type == "tickets.ticket_sla_breached":
            return {key: ticket[key] for key in (
                "ticket_id", "transition_id", "category_code", "community_code", "street_code",
                "grid_code", "status", "level", "responsible_code", "accountable_code")} | {
                "status": "in_progress", "due_at": (at - timedelta(hours=1)).isoformat(),
                "breached_at": at.isoformat()}
        if event_type == "security.patrol_shift_completed":
            return {"shift_id": n, "team_id": 1, "org_code": community,
                    "completed_at": at.isoformat(), "hours": 2.0, "volunteer_ids": [],
                    "check_in_count": 3, "finding_count": 0}
        if event_type == "security.floating_check_recorded":
            return {"floating_check_id": n, "resident_id": n, "org_code": grid,
                    "checked_on": day.isoformat(), "result": "registered"}
        raise ValueError(event_type)

    def make(self, count: int) -> list[dict]:
        from shared.events.registry import make_envelope

        envelopes = []
        for _ in range(count):
            n, self.serial = self.serial, self.serial + 1
            event_type = INGEST_TYPES[n % len(INGEST_TYPES)]
            community = self.communities[(n // len(INGEST_TYPES)) % len(self.communities)]
            day = self.first_day + timedelta(days=(n * 7) % self.days)
            envelope = make_envelope(event_type, self.data(event_type, community, day, n + 1),
                                     community, "system")
            envelopes.append(envelope)
        return envelopes


def entries_expected(envelopes: list[dict]) -> int:
    return sum(ENTRIES_PER_EVENT[envelope["type"]] for envelope in envelopes)


def publish(amqp_uri: str, envelopes: list[dict], queue: str | None = None) -> float:
    """Publish the envelopes in batches of BATCH, each batch confirmed before the next (as a
    relay does): onto their producers' exchanges, or straight to ``queue``. Returns seconds."""
    from shared.events.amqp import ConfirmedPublisher, Outgoing
    from shared.events.registry import exchange_name

    publisher = ConfirmedPublisher(amqp_uri)
    publisher.connect()
    started = time.perf_counter()
    try:
        for start in range(0, len(envelopes), BATCH):
            publisher.publish_all([
                Outgoing(envelope, queue or envelope["type"],
                         "" if queue else exchange_name(envelope["type"]), {},
                         envelope["event_id"]) for envelope in envelopes[start:start + BATCH]])
    finally:
        publisher.close()
    return time.perf_counter() - started


class Publishing(threading.Thread):
    """``publish`` in a thread, so the measurement can watch the consumer meanwhile."""

    def __init__(self, amqp_uri: str, envelopes: list[dict], queue: str | None = None):
        super().__init__(daemon=True)
        self.args = (amqp_uri, envelopes, queue)
        self.seconds: float | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.seconds = publish(*self.args)
        except BaseException as exc:  # reported by the measurement
            self.error = exc


def drain(count_done, target: int, publishing: Publishing, processes: list[common.Process],
          stall_seconds: float = 60) -> float:
    """Poll ``count_done()`` until it reaches ``target``; the seconds since publishing began.
    Fails if publishing fails, a process dies or nothing moves for ``stall_seconds``."""
    started = time.perf_counter()
    publishing.start()
    last, moved = -1, time.perf_counter()
    while True:
        done = count_done()
        now = time.perf_counter()
        if done >= target:
            publishing.join()
            if publishing.error:
                raise publishing.error
            return now - started
        if publishing.error:
            raise RuntimeError(f"publishing failed: {publishing.error!r}")
        for process in processes:
            process.check_alive()
        if done != last:
            last, moved = done, now
        elif now - moved > stall_seconds:
            raise RuntimeError(f"stalled at {done:,} of {target:,} for {stall_seconds:.0f} s")
        time.sleep(0.05)


# --------------------------------------------------------------------------- ingestion

def _postgres_cpu() -> dict[int, float]:
    return {pid: common.process_cpu_seconds(pid) or 0.0 for pid in common.pids_named("postgres")}


class CpuWatch:
    """``common.CpuBook`` over the named processes, plus PostgreSQL's server processes, whose
    backends come and go with connections (each counted from when it was first seen)."""

    def __init__(self, watched: dict[str, list[int]]):
        self.book = common.CpuBook(watched)

    def start(self) -> None:
        self.before, self.postgres_before = self.book.snapshot(), _postgres_cpu()

    def spent(self, events: int) -> dict:
        after = self.book.snapshot()
        report = common.CpuBook.spent(self.before, after, events)
        postgres = sum(max(0.0, seconds - self.postgres_before.get(pid, 0.0))
                       for pid, seconds in _postgres_cpu().items())
        report["us_per_request"]["postgres"] = round(postgres / events * 1e6, 1)
        wall = after["wall"] - self.before["wall"]
        if report.get("other_cores") is not None and wall:
            report["other_cores"] = round(max(0.0, report["other_cores"] - postgres / wall), 2)
        return report


class LedgerCount:
    """How many ledger entries the scheme holds, read straight from the assessments database."""

    def __init__(self, platform: Platform, scheme_id: int):
        from sqlalchemy import create_engine, text

        self.engine = create_engine(platform.databases["assessments"])
        self.query = text("SELECT count(*) FROM ledger_entries WHERE scheme_id = :scheme")
        self.scheme_id = scheme_id

    def __call__(self) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(self.query, {"scheme": self.scheme_id})

    def close(self) -> None:
        self.engine.dispose()


def measure_ingestion(platform: Platform, scheme_id: int, envelopes: list[dict]) -> dict:
    count = LedgerCount(platform, scheme_id)
    before = count()
    expected = entries_expected(envelopes)
    assessments = next(p for p in platform.processes if p.name == "assessments")
    cpu = CpuWatch({"assessments": [assessments.pid], "broker": common.pids_named("beam.smp")})
    cpu.start()
    publishing = Publishing(platform.amqp_uri, envelopes)
    seconds = drain(lambda: count() - before, expected, publishing, platform.processes)
    spent = cpu.spent(len(envelopes))
    time.sleep(1)  # nothing more arrives: every event counted once
    extra = count() - before - expected
    count.close()
    return {"events": len(envelopes), "entries": expected, "seconds": round(seconds, 2),
            "publish_seconds": round(publishing.seconds, 2),
            "events_per_s": round(len(envelopes) / seconds, 1),
            "entries_per_s": round(expected / seconds, 1),
            "unexpected_entries": extra, "cpu": spent}


# --------------------------------------------------------------------------- baselines

def serve_kombu_consumer(amqp_uri: str, queue_name: str, expected: int, done_file: str) -> None:
    """Baseline 1's consumer: a durable queue, prefetch PREFETCH, each message decoded and
    acked; writes the monotonic time of the last ack to ``done_file`` when ``expected`` are in."""
    from kombu import Connection, Consumer, Queue

    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        channel.basic_qos(0, PREFETCH, False)
        queue = Queue(queue_name, durable=True)
        queue(channel).declare()
        Path(done_file + ".ready").touch()
        seen = 0

        def on_message(body, message):
            nonlocal seen
            if not isinstance(body, dict) or "event_id" not in body:
                raise ValueError("not an envelope")
            message.ack()
            seen += 1
            if seen == expected:
                Path(done_file).write_text(str(time.monotonic()))

        with Consumer(channel, [queue], callbacks=[on_message], accept=["json"]):
            while True:
                connection.drain_events()


def inbox_only_service():
    """Baseline 2's service: one ``handles`` handler per ingested type (the same queues the
    assessments service consumes), doing nothing but what ``handles`` does: check the envelope,
    record it in the inbox, commit on PostgreSQL, ack."""
    from sqlalchemy.orm import DeclarativeBase

    from shared.db import Database
    from shared.entrypoints import handles
    from shared.events.inbox import InboxMixin

    class Base(DeclarativeBase):
        pass

    class InboxEntry(InboxMixin, Base):
        pass

    # the class keeps the model alive: the mapper registry holds it weakly
    attributes = {"name": "bench_inbox", "db": Database(Base, owner="bench_inbox"),
                  "inbox_model": InboxEntry}
    for event_type in INGEST_TYPES:
        def handler(self, envelope):
            return None
        handler.__name__ = handler.__qualname__ = event_type.replace(".", "_")
        attributes[handler.__name__] = handles(event_type)(handler)
    return type("InboxOnlyService", (), attributes)


def serve_inbox_handler(amqp_uri: str, database_url: str, ready_file: str) -> None:
    from dataclasses import replace

    from nameko.runners import ServiceRunner

    from shared.config import load_settings

    settings = replace(load_settings(), amqp_uri=amqp_uri, log_level="WARNING",
                       database_urls={"bench_inbox": database_url})
    config = settings.nameko_config()
    runner = ServiceRunner(config)
    runner.add_service(inbox_only_service())
    common.run_until_sigterm(runner, ready_file)


def measure_kombu_baseline(platform: Platform, amqp_uri: str, envelopes: list[dict]) -> dict:
    queue = f"bench-ingest-{uuid.uuid4().hex[:8]}"
    done_file = platform.tmp / f"{queue}.done"
    consumer = common.Process("kombu_consumer", [
        sys.executable, __file__, "serve-kombu-consumer", amqp_uri, queue, str(len(envelopes)),
        str(done_file)], platform.env, platform.tmp)
    try:
        common.wait_file(Path(str(done_file) + ".ready"), [consumer])
        cpu = CpuWatch({"consumer": [consumer.pid], "broker": common.pids_named("beam.smp")})
        cpu.start()
        started = time.monotonic()
        publishing = Publishing(amqp_uri, envelopes, queue)
        publishing.start()
        common.wait_file(done_file, [consumer], timeout=600)
        seconds = float(done_file.read_text()) - started
        publishing.join()
        if publishing.error:
            raise publishing.error
        spent = cpu.spent(len(envelopes))
    finally:
        consumer.stop()
    return {"events": len(envelopes), "seconds": round(seconds, 2),
            "publish_seconds": round(publishing.seconds, 2),
            "events_per_s": round(len(envelopes) / seconds, 1), "cpu": spent}


def measure_inbox_baseline(platform: Platform, amqp_uri: str, envelopes: list[dict]) -> dict:
    from sqlalchemy import create_engine, text

    from shared.events.inbox import InboxMixin

    database_url = platform._database("bench_inbox")  # dropped with the platform's
    ready = platform.tmp / "inbox.ready"
    service = common.Process("inbox_handler", [
        sys.executable, __file__, "serve-inbox-handler", amqp_uri, database_url, str(ready)],
        platform.env, platform.tmp)
    engine = create_engine(database_url)
    try:
        common.wait_file(ready, [service], timeout=60)
        query = text(f"SELECT count(*) FROM {InboxMixin.__tablename__}")

        def count() -> int:
            with engine.connect() as connection:
                return connection.scalar(query)

        cpu = CpuWatch({"handler": [service.pid], "broker": common.pids_named("beam.smp")})
        cpu.start()
        publishing = Publishing(amqp_uri, envelopes)
        seconds = drain(count, len(envelopes), publishing, [service])
        spent = cpu.spent(len(envelopes))
    except Exception:
        print(f"the inbox-only service's log:\n{service.log_tail()}", file=sys.stderr)
        raise
    finally:
        service.stop()
        engine.dispose()
    return {"events": len(envelopes), "seconds": round(seconds, 2),
            "publish_seconds": round(publishing.seconds, 2),
            "events_per_s": round(len(envelopes) / seconds, 1), "cpu": spent}


# --------------------------------------------------------------------------- a year of points

YEAR_ACTOR = "bench-year"


class YearOfPoints:
    """A year of ledger entries for the scheme, ``per_community_month`` for each community and
    month, round-robin over its rules, written straight into the assessments database while the
    service is idle: a sample through the service's own ``ledger.append`` (its pace in-process,
    one transaction per community), the rest in bulk SQL — the entries, then their scorecards
    and lines summed and added in SQL — and the result checked by the gateway's recomputation
    (every scorecard equal to its entries)."""

    def __init__(self, platform: Platform, scheme: dict, communities: list[str],
                 months: list[date], per_community_month: int):
        from services.assessments.models import Base
        from shared.db import ServiceDatabase

        self.platform = platform
        self.scheme_id = scheme["id"]
        self.rule_ids = scheme["rules"]
        self.communities = communities
        self.months = months
        self.per_community_month = per_community_month
        self.database = ServiceDatabase(Base, platform.databases["assessments"])

    def entries(self, month: date, community: str, numbers: range):
        """(rule, hundredths, occurred_at) of the n-th entries of a community and month."""
        for n in numbers:
            rule = self.rules[(n + self.communities.index(community)) % len(self.rules)]
            occurred_at = datetime.combine(month + timedelta(days=n % 28), clock_time(2),
                                           timezone.utc)
            yield rule, round(rule.points * 100), occurred_at

    def load(self, sample_per_community: int) -> dict:
        from services.assessments.domain import scoring
        from services.assessments.models.schemes import Indicator, Scheme, ScoringRule

        with self.database.transaction("assessments") as uow:
            self.scheme = uow.session.get(Scheme, self.scheme_id)
            self.rules = [uow.session.get(ScoringRule, rule_id) for rule_id in self.rule_ids]
            self.indicators = {rule.indicator_id: uow.session.get(Indicator, rule.indicator_id)
                               for rule in self.rules}
        self.subjects = {code: scoring.territory_subject("community", code)
                         for code in self.communities}
        self.period_keys = {month: scoring.period_key("month", month) for month in self.months}
        sample = min(sample_per_community, self.per_community_month)
        try:
            appended = self._append(sample)
            bulk = self._bulk(sample)
        finally:
            self.database.dispose()
        return {"entries": appended["entries"] + bulk["entries"],
                "scorecards": len(self.months) * len(self.communities),
                "append": appended, "bulk": bulk,
                "how": f"written in-process: {appended['entries']:,} through ledger.append, "
                       f"{bulk['entries']:,} in bulk SQL"}

    def _append(self, sample: int) -> dict:
        """The first month's first ``sample`` entries of each community, through
        ``ledger.append``, one transaction per community (as a handler's transaction holds
        the entries of one event)."""
        from services.assessments import ledger

        month = self.months[0]
        started = time.perf_counter()
        count = 0
        for community in self.communities:
            with self.database.transaction("assessments") as uow:
                for rule, hundredths, occurred_at in self.entries(month, community, range(sample)):
                    ledger.append(
                        uow, scheme=self.scheme, indicator=self.indicators[rule.indicator_id],
                        subject=self.subjects[community], period_key=self.period_keys[month],
                        hundredths=hundredths, source="event", occurred_at=occurred_at,
                        actor=YEAR_ACTOR, rule_id=rule.id, event_id=str(uuid.uuid4()),
                        event_type=rule.event_type)
                    count += 1
        seconds = time.perf_counter() - started
        return {"entries": count, "seconds": round(seconds, 2),
                "entries_per_s": round(count / seconds, 1) if seconds else None}

    def _bulk(self, sample: int) -> dict:
        from sqlalchemy import func, insert, select, text

        from services.assessments import ledger
        from services.assessments.models.ledger import LedgerEntry

        started = time.perf_counter()
        count = 0
        with self.database.engine.begin() as connection:
            after = connection.scalar(select(func.coalesce(func.max(LedgerEntry.id), 0)))
            rows = []
            for month in self.months:
                for community in self.communities:
                    subject = self.subjects[community]
                    first = sample if month == self.months[0] else 0
                    numbers = range(first, self.per_community_month)
                    for rule, hundredths, occurred_at in self.entries(month, community, numbers):
                        rows.append({
                            "scheme_id": self.scheme_id, "indicator_id": rule.indicator_id,
                            "rule_id": rule.id, "subject_kind": subject.kind,
                            "subject_ref": subject.ref, "org_code": subject.org_code,
                            "parent_code": subject.parent_code,
                            "period_key": self.period_keys[month], "hundredths": hundredths,
                            "weighted_hundredths": ledger.weighted(
                                self.indicators[rule.indicator_id].weight, hundredths),
                            "source": "event", "event_id": str(uuid.uuid4()),
                            "event_type": rule.event_type, "revision": 0,
                            "corrects_entry_id": None, "reason": "", "actor": YEAR_ACTOR,
                            "occurred_at": occurred_at, "recorded_at": occurred_at})
                if len(rows) >= 5000:
                    connection.execute(insert(LedgerEntry.__table__), rows)
                    count, rows = count + len(rows), []
            if rows:
                connection.execute(insert(LedgerEntry.__table__), rows)
                count += len(rows)
            mine = {"scheme": self.scheme_id, "after": after, "actor": YEAR_ACTOR}
            connection.execute(text("""
                INSERT INTO scorecards (scheme_id, subject_kind, subject_ref, org_code,
                                        parent_code, period_key, total_hundredths, entry_count,
                                        updated_at)
                SELECT scheme_id, subject_kind, subject_ref, org_code, parent_code, period_key,
                       sum(weighted_hundredths), count(*), now()
                FROM ledger_entries
                WHERE scheme_id = :scheme AND id > :after AND actor = :actor
                GROUP BY scheme_id, subject_kind, subject_ref, org_code, parent_code, period_key
                ON CONFLICT (scheme_id, subject_ref, period_key) DO UPDATE SET
                    total_hundredths = scorecards.total_hundredths + EXCLUDED.total_hundredths,
                    entry_count = scorecards.entry_count + EXCLUDED.entry_count,
                    updated_at = now()"""), mine)
            connection.execute(text("""
                INSERT INTO scorecard_lines (scorecard_id, indicator_id, hundredths, entry_count)
                SELECT c.id, e.indicator_id, sum(e.hundredths), count(*)
                FROM ledger_entries e JOIN scorecards c
                  ON c.scheme_id = e.scheme_id AND c.subject_ref = e.subject_ref
                 AND c.period_key = e.period_key
                WHERE e.scheme_id = :scheme AND e.id > :after AND e.actor = :actor
                GROUP BY c.id, e.indicator_id
                ON CONFLICT (scorecard_id, indicator_id) DO UPDATE SET
                    hundredths = scorecard_lines.hundredths + EXCLUDED.hundredths,
                    entry_count = scorecard_lines.entry_count + EXCLUDED.entry_count"""), mine)
        with self.database.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT") as connection:
            # as autovacuum would have, long before a year of entries were in
            connection.execute(text("ANALYZE ledger_entries"))
            connection.execute(text("ANALYZE scorecards"))
            connection.execute(text("ANALYZE scorecard_lines"))
        seconds = time.perf_counter() - started
        return {"entries": count, "seconds": round(seconds, 2),
                "entries_per_s": round(count / seconds, 1) if seconds else None}


def ranking_sql_baseline(platform: Platform, scheme_id: int, period: str, area: str,
                         repeats: int) -> dict:
    """The ranking's own read as SQL straight to PostgreSQL: the scheme's scorecards of the
    period lying in the area (what the service ranks, after asking membership for the area's
    communities)."""
    from sqlalchemy import create_engine, text

    query = text("SELECT id, subject_ref, parent_code, total_hundredths FROM scorecards "
                 "WHERE scheme_id = :scheme AND period_key = :period AND org_code LIKE :area")
    engine = create_engine(platform.databases["assessments"])
    latencies = []
    with engine.connect() as connection:
        for _ in range(repeats):
            started = time.perf_counter()
            connection.execute(query, {"scheme": scheme_id, "period": period,
                                       "area": area + "%"}).all()
            latencies.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    measurement = common.Measurement(len(latencies), 0, sum(latencies) / 1000, latencies)
    return {**measurement.finish().as_dict(), "concurrency": 1}


def handler_troubles(platform: Platform) -> dict:
    """What the assessments service's log says went wrong in its workers (retried events,
    dead letters): a clean run has none."""
    process = next((p for p in platform.processes if p.name == "assessments"), None)
    try:
        log = process.log_path.read_text(errors="replace") if process else ""
    except OSError:
        log = ""
    return {"worker_errors": log.count("error handling worker"),
            "dead_lettered": log.count("event dead-lettered")}


def replay_check(platform: Platform, scheme_id: int) -> dict:
    """The ledger's replay of the scheme from the events received (after the ingestion, with
    up to 10 workers at once on five queues): the kept scorecards must equal it."""
    started = time.perf_counter()
    status, answer = platform.call("POST", "/api/v1/points-ledger/replay-checks",
                                   json.dumps({"scheme_id": scheme_id}).encode(),
                                   "application/json")
    result = {"http_status": status, "seconds": round(time.perf_counter() - started, 2)}
    if status == 200:
        result.update(events_replayed=answer["events_replayed"],
                      scorecards_compared=answer["scorecards_compared"],
                      differences=len(answer["differences"]))
    return result


def recomputation(platform: Platform, scheme_id: int) -> dict:
    """The gateway's recomputation of every scorecard of the scheme from its entries: the
    check that the loaded year is consistent (and how long it takes over a year)."""
    started = time.perf_counter()
    status, answer = platform.call("GET", f"/api/v1/scorecards/recomputation?scheme_id={scheme_id}")
    seconds = time.perf_counter() - started
    result = {"http_status": status, "seconds": round(seconds, 2)}
    if status == 200:
        result.update(scorecards_compared=answer["scorecards_compared"],
                      entries=answer["entries"], differences=len(answer["differences"]))
    return result


def ranking_path(scheme_id: int, period: str, within: str) -> str:
    return f"/api/v1/rankings?scheme_id={scheme_id}&period_key={period}&within_code={within}" \
           "&limit=100"


def check_ranking(platform: Platform, path: str, communities: int) -> dict:
    answer = _call(platform, "GET", path)
    items = answer.get("items", answer.get("ranking", []))
    if len(items) != communities:
        raise RuntimeError(f"{path} ranked {len(items)} subjects, expected {communities}")
    return {"ranked": len(items), "bytes": len(json.dumps(answer, ensure_ascii=False).encode())}


# --------------------------------------------------------------------------- the report

def print_report(report: dict) -> None:
    ingest = report["ingestion"]
    print()
    print(f"Linli assessments — {report['machine']['cpu_count']} cores, PostgreSQL, "
          f"{report['config']['communities']} communities")
    print(f"{'ingestion (publish → ledger)':<58} {'events':>7} {'s':>7} {'events/s':>9} "
          f"{'entries/s':>9}")
    for name, row in ingest.items():
        entries = f"{row['entries_per_s']:>9,.0f}" if "entries_per_s" in row else f"{'-':>9}"
        print(f"{report['labels'][name][:58]:<58} {row['events']:>7,} {row['seconds']:>7.1f} "
              f"{row['events_per_s']:>9,.0f} {entries}")
    print("CPU per event, ms: " + ";  ".join(
        f"{name}: " + ", ".join(f"{process} {us / 1000:.2f}" for process, us in
                                row["cpu"]["us_per_request"].items() if us is not None)
        + f" (other cores {row['cpu'].get('other_cores')})" for name, row in ingest.items()))
    for name, ratio in report["ratios"]["ingestion"].items():
        print(f"  ledger ingestion ÷ {name:<20} {ratio:.2f}x")
    print()
    year = report["year"]
    check = report["checks"]["recomputation"]
    print(f"a year of points: {year['entries']:,} entries, {year['scorecards']:,} scorecards "
          f"({year['how']}); ledger.append in-process {year['append']['entries_per_s']:,.0f} "
          f"entries/s")
    print(f"recomputation of the scheme's scorecards from the ledger: HTTP {check['http_status']}"
          f" in {check['seconds']:.1f} s, differences {check.get('differences', '?')}")
    replay = report["checks"]["replay"]
    print(f"replay of the scheme from its {replay.get('events_replayed', '?')} received events "
          f"after the ingestion: HTTP {replay['http_status']} in {replay['seconds']:.1f} s, "
          f"differences {replay.get('differences', '?')}")
    header = (f"{'path':<58} {'mode':<11} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'err':>4} "
              f"{'other':>6}")
    print(header)
    print("-" * len(header))
    for name, modes in report["rankings"].items():
        for mode, row in modes.items():
            other = row.get("cpu", {}).get("other_cores")
            print(f"{report['labels'][name][:58]:<58} {mode:<11} {row['req_per_s']:>7,.0f} "
                  f"{row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} {row['errors']:>4} "
                  f"{'-' if other is None else other:>6}")
    print("(other: cores busy outside the benchmark's processes, a noise gauge)")
    print("ratios: ranking p50 ÷ the cheapest read's p50 (serial_vs_sql: ÷ its SQL alone)")
    for name, modes in report["ratios"]["rankings"].items():
        print(f"  {name:<18} " + "   ".join(f"{mode} {ratio:.2f}x" for mode, ratio in modes.items()))
    print(f"assessments' log: {report['checks']['assessments_log']}")
    print(f"written: {report['output']}")


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="1,000 events, 5 points per community and month, 3 s loads")
    parser.add_argument("--events", type=int, help="events to ingest (default 5,000; quick 1,000)")
    parser.add_argument("--per-community-month", type=int,
                        help="ledger entries per community and month (default 100; quick 5)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--output", type=Path, default=common.RESULTS_DIR)
    args = parser.parse_args(argv)
    duration = 3.0 if args.quick else 8.0
    events = args.events or (1_000 if args.quick else 5_000)
    per_community_month = args.per_community_month or (5 if args.quick else 100)
    started = datetime.now(timezone.utc)
    signal.signal(signal.SIGTERM, _interrupt)
    platform = Platform("assessments")
    baseline_vhost = common.ScratchVhost(platform.vhost.base_amqp_uri,
                                         os.environ.get("LINLI_RABBIT_MANAGEMENT_URI",
                                                        "http://guest:guest@127.0.0.1:15672"))
    ingestion, rankings, checks = {}, {}, {}
    try:
        print(f"starting the platform on PostgreSQL (temp dir {platform.tmp}) …", flush=True)
        clock = time.perf_counter()
        platform.start()
        communities = nodes(platform, "community")
        streets = nodes(platform, "street")
        street_communities = [code for code in communities if code.startswith(STREET)]
        print(f"  up in {time.perf_counter() - clock:.0f} s: {len(streets)} streets, "
              f"{len(communities)} communities", flush=True)
        today = datetime.now(timezone.utc).date()
        months = months_back(today, 12)
        scheme = make_scheme(platform, months[0])
        print(f"  scheme {scheme['id']}: {len(scheme['indicators'])} indicators, "
              f"{len(scheme['rules'])} rules; approved (HTTP {scheme['approval']['http_status']}) "
              f"and active in {scheme['approval']['seconds']:.1f} s, rescored "
              f"{scheme['approval']['rescored']}", flush=True)
        envelopes = Envelopes(communities, months[0], today)
        batches = {name: envelopes.make(events) for name in ("ledger", "kombu", "inbox")}

        print(f"ingestion: {events:,} events …", flush=True)
        ingestion["ledger"] = measure_ingestion(platform, scheme["id"], batches["ledger"])
        checks["replay"] = replay_check(platform, scheme["id"])
        print(f"  replay check after the ingestion: {checks['replay']}", flush=True)
        baseline_uri = baseline_vhost.create()
        ingestion["kombu"] = measure_kombu_baseline(platform, baseline_uri, batches["kombu"])
        ingestion["inbox"] = measure_inbox_baseline(platform, baseline_uri, batches["inbox"])
        for name, row in ingestion.items():
            print(f"  {name:<8} {row['events']:,} events in {row['seconds']:.1f} s: "
                  f"{row['events_per_s']:,.0f} events/s", flush=True)

        print(f"a year of points: {per_community_month} per community and month …", flush=True)
        year = YearOfPoints(platform, scheme, communities, months,
                            per_community_month).load(sample_per_community=5)
        checks["recomputation"] = recomputation(platform, scheme["id"])
        print(f"  {year['how']}; ledger.append {year['append']['entries_per_s']:,.0f} "
              f"entries/s, bulk {year['bulk']['seconds']:.0f} s; recomputation: "
              f"{checks['recomputation']}", flush=True)
        period = months[-2].strftime("%Y-%m")  # the last whole month
        paths = {"district": ranking_path(scheme["id"], period, DISTRICT),
                 "street": ranking_path(scheme["id"], period, STREET),
                 "communities_read": COMMUNITIES_PATH, "node_read": NODE_PATH}
        checks["district"] = check_ranking(platform, paths["district"], len(communities))
        checks["street"] = check_ranking(platform, paths["street"], len(street_communities))
        servers = {process.name: [process.pid] for process in platform.processes
                   if process.name in ("gateway", "assessments", "membership")}
        for name, path in paths.items():
            rankings[name] = {}
            for mode, concurrency in (("serial", 1), ("concurrent", args.concurrency)):
                http_load(platform, path, concurrency, 1)  # warm-up
                cpu = CpuWatch({**servers, "broker": common.pids_named("beam.smp")})
                cpu.start()
                row = http_load(platform, path, concurrency, duration)
                row["cpu"] = cpu.spent(max(1, row["requests"]))
                rankings[name][mode] = row
                print(f"  {name:<16} {mode:<10} {row['req_per_s']:>7,.0f} req/s  "
                      f"p50 {row['p50_ms']:.2f} ms  p99 {row['p99_ms']:.2f} ms  "
                      f"errors {row['errors']}  other cores {row['cpu'].get('other_cores')}",
                      flush=True)
        rankings["district_sql"] = {"serial": ranking_sql_baseline(
            platform, scheme["id"], period, DISTRICT, 300 if args.quick else 1000)}
    finally:
        checks["assessments_log"] = handler_troubles(platform)
        baseline_vhost.delete()
        platform.stop()

    labels = {
        "ledger": "assessments: envelopes → ledger entries and scorecards",
        "kombu": "baseline: plain kombu consumer, durable queue, acks",
        "inbox": "baseline: nameko handlers recording the inbox only",
        "district": f"GET /rankings within the district ({len(communities)} communities)",
        "street": f"GET /rankings within street {STREET} ({len(street_communities)})",
        "communities_read": f"baseline: GET the district's {len(communities)} communities (membership)",
        "node_read": "baseline: GET /territory/nodes/{code} (cheapest read)",
        "district_sql": "baseline: the district ranking's scorecards as SQL",
    }
    ratios = {
        "ingestion": {"kombu_consumer": round(ingestion["ledger"]["events_per_s"]
                                              / ingestion["kombu"]["events_per_s"], 3),
                      "inbox_only_handler": round(ingestion["ledger"]["events_per_s"]
                                                  / ingestion["inbox"]["events_per_s"], 3)},
        "rankings": {name: {mode: round(rankings[name][mode]["p50_ms"]
                                        / rankings["node_read"][mode]["p50_ms"], 2)
                            for mode in ("serial", "concurrent")}
                     for name in ("district", "street")},
    }
    ratios["rankings"]["district"]["serial_vs_sql"] = round(
        rankings["district"]["serial"]["p50_ms"] / rankings["district_sql"]["serial"]["p50_ms"], 1)
    report = {"benchmark": "assessments", "started_at": started.isoformat(timespec="seconds"),
              "git": common.git_revision(), "machine": common.machine_description(),
              "config": {"quick": args.quick, "duration_s": duration, "events": events,
                         "per_community_month": per_community_month,
                         "concurrency": args.concurrency, "communities": len(communities),
                         "streets": len(streets), "period_key": period, "batch": BATCH,
                         "rules": len(RULES), "event_types": list(INGEST_TYPES)},
              "labels": labels, "approval": scheme["approval"], "ingestion": ingestion,
              "year": year, "rankings": rankings,
              "checks": checks, "ratios": ratios}
    args.output.mkdir(parents=True, exist_ok=True)
    output = args.output / f"assessments-{started:%Y%m%dT%H%M%SZ}.json"
    report["output"] = str(output)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print_report(report)
    panels = [("ingestion (higher is better)",
               [(name, "events/s", row["events_per_s"]) for name, row in ingestion.items()],
               "events/s")] + [
        (title, [(name, mode, row[key]) for name, modes in rankings.items()
                 for mode, row in modes.items()
                 if key != "req_per_s" or name != "district_sql"], unit)
        for title, key, unit in (("rankings: throughput (higher is better)", "req_per_s", "req/s"),
                                 ("rankings: latency p50 (lower is better)", "p50_ms", "ms"),
                                 ("rankings: latency p99 (lower is better)", "p99_ms", "ms"))]
    print(f"picture: {chart.write_panels_svg(report, panels, output.with_suffix('.svg'), labels)}")
    failed = (ingestion["ledger"]["unexpected_entries"]
              or checks["replay"].get("differences") != 0
              or checks["recomputation"].get("differences") != 0)
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve-inbox-handler"]:
        serve_inbox_handler(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1:2] == ["serve-kombu-consumer"]:
        serve_kombu_consumer(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        sys.exit(main())
