"""``linli``: run the platform, issue credentials, seed demo data, tend the dead letters.

Commands that print a credential print it alone on stdout, so ``$(linli token …)`` works.
"""
from __future__ import annotations

import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402  (nameko needs the patching before anything else is imported)

eventlet.monkey_patch()

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402

from shared.config import SERVICE_NAMES, load_settings  # noqa: E402
from shared.context import ROLES  # noqa: E402
from shared.errors import DomainError  # noqa: E402


def _gateway_database(settings):
    from gateway.http import MIGRATIONS
    from gateway.models import Base
    from shared.db import ServiceDatabase

    database = ServiceDatabase(Base, settings.database_url("gateway"), MIGRATIONS)
    database.migrate()
    return database


def _service_database(settings, name: str):
    """One service's database, migrated to its newest revision."""
    import importlib

    from shared.db import ServiceDatabase

    base = importlib.import_module(f"services.{name}.models").Base
    migrations = importlib.import_module(f"services.{name}.service").MIGRATIONS
    database = ServiceDatabase(base, settings.database_url(name), migrations)
    database.migrate()
    return database


def cmd_token(args, settings) -> int:
    from gateway.auth import issue_token

    print(issue_token(settings.secret_key, args.sub or f"dev-{args.role}", [args.role],
                      args.scope, args.ttl or settings.token_ttl_seconds))
    return 0


def cmd_apikey(args, settings) -> int:
    from sqlalchemy import select

    from gateway.auth import create_api_key
    from gateway.models import ApiKey
    from shared.events.outbox import utcnow

    database = _gateway_database(settings)
    with database.session_factory.begin() as session:
        if args.apikey_command == "create":
            print(create_api_key(session, args.name, args.scope))
        elif args.apikey_command == "list":
            for key in session.scalars(select(ApiKey).order_by(ApiKey.id)):
                state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
                print(f"{key.id}\t{key.prefix}…\t{key.name}\tscope={key.scope}\t{state}")
        elif args.apikey_command == "revoke":
            key = session.get(ApiKey, args.id)
            if key is None:
                print(f"no API key with id {args.id}", file=sys.stderr)
                return 1
            key.revoked_at = key.revoked_at or utcnow()
    return 0


def declare_event_queues(settings) -> None:
    """Bind every service's event queues now, so the events a seed leaves in the outboxes reach
    consumers that have never run yet (see shared.events.topology)."""
    from linli.runner import service_class
    from shared.events.topology import declare_consumer_queues

    declare_consumer_queues(settings.amqp_uri, [service_class(name) for name in SERVICE_NAMES])


def cmd_seed(args, settings) -> int:
    from services.membership import demo
    from shared.personal_data import PersonalData

    try:
        declare_event_queues(settings)
    except OSError as exc:  # the data is still worth loading; say what the consumers will miss
        print(f"warning: the broker is unreachable ({exc}); services that have never run will "
              f"not see the demo's events", file=sys.stderr)
    database = _service_database(settings, "membership")
    with database.transaction("membership") as uow:
        created = demo.seed(uow)
    personal = PersonalData(settings.data_key)

    def progress(message: str) -> None:
        print(f"seeding {message}", file=sys.stderr, flush=True)

    for plan in demo.COMMUNITIES:  # one transaction per community
        with database.transaction("membership") as uow:
            for kind, count in demo.seed_community(uow, personal, plan, progress).items():
                created[kind] = created.get(kind, 0) + count

    from services.tickets import demo as tickets_demo

    tickets_database = _service_database(settings, "tickets")
    progress("tickets")
    with tickets_database.transaction("tickets") as uow:
        for kind, count in tickets_demo.seed(uow).items():
            created[kind] = created.get(kind, 0) + count
    from services.tickets import demo_care

    progress("care plans and assistance cases")
    with tickets_database.transaction("tickets") as uow:
        for kind, count in demo_care.seed(uow).items():
            created[kind] = created.get(kind, 0) + count
    tickets_database.dispose()

    from services.learning import demo as learning_demo
    from services.learning import demo_party_study

    with database.transaction("membership") as uow:
        directory = demo.directory(uow, (learning_demo.XIGUAN, learning_demo.YONGFENG))
    learning_database = _service_database(settings, "learning")
    progress("schools, courses, enrolments and attendance")
    with learning_database.transaction("learning") as uow:
        for kind, count in learning_demo.seed(uow, directory).items():
            created[kind] = created.get(kind, 0) + count
    progress("party study")
    with learning_database.transaction("learning") as uow:
        for kind, count in demo_party_study.seed(
                uow, directory[learning_demo.XIGUAN]["branches"], learning_demo.today()).items():
            created[kind] = created.get(kind, 0) + count
    learning_database.dispose()

    from services.security import (
        demo_incidents,
        demo_mediation,
        demo_patrols,
        demo_petitions,
        demo_special_populations,
    )

    security_database = _service_database(settings, "security")
    for area, module in (("grid workers and incidents", demo_incidents),
                         ("patrols", demo_patrols), ("mediation cases", demo_mediation),
                         ("special populations", demo_special_populations),
                         ("petitions", demo_petitions)):
        progress(area)
        with security_database.transaction("security") as uow:
            for kind, count in module.seed(uow, directory, learning_demo.today()).items():
                created[kind] = created.get(kind, 0) + count
    security_database.dispose()

    from services.assessments import demo_appraisals, demo_schemes, demo_scores, demo_titles

    assessments_database = _service_database(settings, "assessments")
    for area, module in (("assessment schemes", demo_schemes), ("manual scores and surveys", demo_scores),
                         ("appraisals", demo_appraisals), ("titles", demo_titles)):
        progress(area)
        with assessments_database.transaction("assessments") as uow:
            for kind, count in module.seed(uow, directory, learning_demo.today()).items():
                created[kind] = created.get(kind, 0) + count
    assessments_database.dispose()
    print(json.dumps({"created": created}, ensure_ascii=False))
    return 0


def cmd_migrate(args, settings) -> int:
    _gateway_database(settings).dispose()
    for name in SERVICE_NAMES:
        _service_database(settings, name).dispose()
    return 0


def cmd_dlq(args, settings) -> int:
    from shared.events.deadletter import list_dead_letters, replay_dead_letters

    if args.dlq_command == "list":
        letters, total = list_dead_letters(settings.amqp_uri, args.offset, args.limit)
        if args.json:
            print(json.dumps({"total": total, "items": [vars(x) for x in letters]}, indent=2))
            return 0
        print(f"{total} dead letter(s); showing {len(letters)} from {args.offset}")
        for letter in letters:
            print(f"[{letter.position}] {letter.event_type} {letter.event_id}\n"
                  f"    queue={letter.queue} attempts={letter.attempts} failed_at={letter.failed_at}"
                  f"\n    error={letter.error}")
        return 0
    if not args.all and not args.event_id:
        print("say which: --event-id ID, or --all", file=sys.stderr)
        return 2
    count = replay_dead_letters(settings.amqp_uri, None if args.all else args.event_id)
    print(f"replayed {count} dead letter(s)")
    return 0


def cmd_events(args, settings) -> int:
    from linli.runner import service_class
    from shared.events.registry import catalogue_markdown

    for name in SERVICE_NAMES:  # their handlers name the consumers
        service_class(name)

    print(catalogue_markdown(), end="")
    return 0


def cmd_service(args, settings) -> int:
    from linli.runner import run_service

    run_service(args.name, args.config)
    return 0


def cmd_run(args, settings) -> int:
    from linli.runner import run_platform

    return run_platform(settings, seed=not args.no_seed)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="linli", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="start every service and the gateway, with demo data",
                              description="Start every service and the gateway (SQLite under "
                              "var/), load demo data, print URLs and credentials; Ctrl-C stops.")
    run.add_argument("--no-seed", action="store_true", help="do not load demo data")
    run.set_defaults(handler=cmd_run)

    service = commands.add_parser("service", help="run one service in this process")
    service.add_argument("name", choices=[*SERVICE_NAMES, "gateway"])
    service.add_argument("--config", help="a nameko YAML config file (overrides LINLI_* vars)")
    service.set_defaults(handler=cmd_service)

    token = commands.add_parser("token", help="print a development bearer token",
                                description="Print a signed bearer token, and nothing else.")
    token.add_argument("--role", required=True, choices=ROLES)
    token.add_argument("--scope", required=True, help="territory code, e.g. 350502001")
    token.add_argument("--sub", help="the principal's name (default dev-ROLE)")
    token.add_argument("--ttl", type=int, help="seconds the token is valid")
    token.set_defaults(handler=cmd_token)

    apikey = commands.add_parser("apikey", help="integration API keys")
    apikey_commands = apikey.add_subparsers(dest="apikey_command", required=True)
    create = apikey_commands.add_parser(
        "create", help="create a key and print it (it is stored hashed, shown only now)")
    create.add_argument("--name", required=True)
    create.add_argument("--scope", required=True, help="territory code the key may reach")
    apikey_commands.add_parser("list", help="list keys (never the keys themselves)")
    revoke = apikey_commands.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("id", type=int)
    apikey.set_defaults(handler=cmd_apikey)

    seed = commands.add_parser("seed", help="load demo data (what exists is left alone)")
    seed.set_defaults(handler=cmd_seed)

    migrate = commands.add_parser("migrate", help="apply every database migration")
    migrate.set_defaults(handler=cmd_migrate)

    dlq = commands.add_parser("dlq", help="events that handlers kept failing on")
    dlq_commands = dlq.add_subparsers(dest="dlq_command", required=True)
    dlq_list = dlq_commands.add_parser("list", help="list dead letters with their errors")
    dlq_list.add_argument("--offset", type=int, default=0)
    dlq_list.add_argument("--limit", type=int, default=50)
    dlq_list.add_argument("--json", action="store_true")
    replay = dlq_commands.add_parser("replay", help="send dead letters back to their queues")
    which = replay.add_mutually_exclusive_group()
    which.add_argument("--event-id", help="replay the dead letters of this event")
    which.add_argument("--all", action="store_true", help="replay every dead letter")
    dlq.set_defaults(handler=cmd_dlq)

    events = commands.add_parser("events", help="the event catalogue")
    events_commands = events.add_subparsers(dest="events_command", required=True)
    events_commands.add_parser("catalogue", help="print the catalogue as Markdown")
    events.set_defaults(handler=cmd_events)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings()
    try:
        return args.handler(args, settings)
    except DomainError as exc:
        print(f"linli: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
