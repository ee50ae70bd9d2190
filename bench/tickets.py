"""Ticket creation and listing through the gateway, on PostgreSQL, beside baselines from the
same run.

    .venv/bin/python bench/tickets.py            # ~3-4 minutes on 2 cores
    .venv/bin/python bench/tickets.py --quick    # 3 s loads

Create   POST /api/v1/tickets (a broken-road report in a grid, from the app channel), serial
         and concurrent: the gateway, an RPC to tickets, tickets' RPC to membership for the
         grid, the ticket, its first transition and its event in one transaction.
List     GET /api/v1/tickets: a community's tickets; the district's tickets in two statuses;
         the district's overdue tickets (50 per page), over the demo tickets plus every ticket
         the create step made, serial and concurrent.
Baselines: the gateway's cheapest read (GET /api/v1/territory/nodes/{code}) measured the same
         way, and each list's filter as SQL straight to PostgreSQL (serial).

Needs wrk (the POST load), RabbitMQ and the project's PostgreSQL (see bench/README.md). Writes
bench/results/tickets-<UTC>.json and an SVG picture beside it.
"""
from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chart  # noqa: E402
import common  # noqa: E402
from scratch_platform import DISTRICT, Platform, http_load  # noqa: E402

COMMUNITY = "350502001001"
NEW_TICKET = {"category_code": "broken_road", "channel": "app", "anonymous": True,
              "description": "人行道地砖松动，老人经过容易绊倒", "priority": "normal",
              "location": {"grid_code": COMMUNITY + "001", "address": "西关路12号门口"}}
LISTS = {  # name: (query string, what it asks, the same filter in SQL)
    "community": (f"community={COMMUNITY}&limit=50", "a community's tickets",
                  f"community_code = '{COMMUNITY}'"),
    "district_status": (f"community={DISTRICT}&status=accepted,dispatched&limit=50",
                        "the district's accepted or dispatched tickets",
                        f"street_code LIKE '{DISTRICT}%' AND status IN ('accepted', 'dispatched')"),
    "district_overdue": (f"community={DISTRICT}&overdue=true&limit=50",
                         "the district's overdue tickets",
                         f"street_code LIKE '{DISTRICT}%' AND due_at < now() AND status NOT IN "
                         "('resolved', 'closed', 'rejected')"),
}
NODE_PATH = "/api/v1/territory/nodes/350502001"


def sql_baseline(platform: Platform, where: str, repeats: int) -> dict:
    """A list's filter as SQL straight to PostgreSQL: one page of 51 by newest first."""
    from sqlalchemy import create_engine, text

    page = text(f"SELECT * FROM tickets WHERE {where} ORDER BY created_at DESC, id DESC LIMIT 51")
    engine = create_engine(platform.databases["tickets"])
    latencies = []
    with engine.connect() as connection:
        for _ in range(repeats):
            started = time.perf_counter()
            connection.execute(page).all()
            latencies.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    measurement = common.Measurement(len(latencies), 0, sum(latencies) / 1000, latencies)
    return {**measurement.finish().as_dict(), "concurrency": 1}


def print_report(report: dict) -> None:
    print()
    print(f"Linli tickets — {report['machine']['cpu_count']} cores, PostgreSQL, "
          f"{report['tickets_listed_over']:,} tickets when listed")
    header = f"{'path':<58} {'mode':<11} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'err':>4}"
    print(header)
    print("-" * len(header))
    for name, modes in report["results"].items():
        for mode, row in modes.items():
            print(f"{report['labels'][name][:58]:<58} {mode:<11} {row['req_per_s']:>7,.0f} "
                  f"{row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} {row['errors']:>4}")
    print()
    print("ratios (p50, serial): ÷ the gateway's cheapest read, ÷ the SQL alone (lists)")
    for name, ratio in report["ratios"].items():
        sql = f"{ratio['p50_vs_sql']:>7.2f}x" if "p50_vs_sql" in ratio else f"{'-':>8}"
        print(f"  {name:<18} {ratio['p50_vs_node_read']:>6.2f}x   {sql}")
    print(f"written: {report['output']}")


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 s loads instead of 8 s")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--output", type=Path, default=common.RESULTS_DIR)
    args = parser.parse_args(argv)
    duration = 3.0 if args.quick else 8.0
    started = datetime.now(timezone.utc)
    signal.signal(signal.SIGTERM, _interrupt)
    platform = Platform("tickets")
    results: dict = {}
    try:
        print(f"starting the platform on PostgreSQL (temp dir {platform.tmp}) …", flush=True)
        platform.start()
        status, body = platform.call("POST", "/api/v1/tickets",
                                     json.dumps(NEW_TICKET).encode(), "application/json")
        if status != 201:
            raise RuntimeError(f"creating a ticket: {status} {body}")
        before = platform.count("tickets", "tickets")
        plan = [("node_read", NODE_PATH, None), ("create", "/api/v1/tickets", NEW_TICKET)]
        plan += [(name, f"/api/v1/tickets?{query}", None) for name, (query, _, _) in LISTS.items()]
        for name, path, post in plan:
            results[name] = {}
            for mode, concurrency in (("serial", 1), ("concurrent", args.concurrency)):
                http_load(platform, path, concurrency, 1, post)  # warm-up
                results[name][mode] = http_load(platform, path, concurrency, duration, post)
                row = results[name][mode]
                print(f"  {name:<17} {mode:<10} {row['req_per_s']:>7,.0f} req/s  "
                      f"p50 {row['p50_ms']:.2f} ms  p99 {row['p99_ms']:.2f} ms", flush=True)
        created = platform.count("tickets", "tickets") - before
        listed_over = platform.count("tickets", "tickets")
        for name, (_, _, where) in LISTS.items():
            results[f"{name}_sql"] = {"serial": sql_baseline(platform, where, 300)}
    finally:
        platform.stop()

    labels = {"node_read": "baseline: GET /territory/nodes/{code} (cheapest read)",
              "create": "POST /api/v1/tickets",
              **{name: f"GET /tickets: {what}" for name, (_, what, _) in LISTS.items()},
              **{f"{name}_sql": f"baseline: the same list as SQL ({name})" for name in LISTS}}
    node = results["node_read"]["serial"]["p50_ms"]
    ratios = {"create": {"p50_vs_node_read": round(results["create"]["serial"]["p50_ms"] / node,
                                                   2)}}
    for name in LISTS:
        p50 = results[name]["serial"]["p50_ms"]
        ratios[name] = {"p50_vs_node_read": round(p50 / node, 2),
                        "p50_vs_sql": round(p50 / results[f"{name}_sql"]["serial"]["p50_ms"], 2)}
    report = {"benchmark": "tickets", "started_at": started.isoformat(timespec="seconds"),
              "git": common.git_revision(), "machine": common.machine_description(),
              "config": {"quick": args.quick, "duration_s": duration,
                         "concurrency": args.concurrency},
              "tickets_created": created, "tickets_listed_over": listed_over,
              "labels": labels, "results": results, "ratios": ratios}
    args.output.mkdir(parents=True, exist_ok=True)
    output = args.output / f"tickets-{started:%Y%m%dT%H%M%SZ}.json"
    report["output"] = str(output)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print_report(report)
    panels = [(title, [(name, mode, row[key]) for name, modes in results.items()
                       for mode, row in modes.items()], unit)
              for title, key, unit in (("throughput (higher is better)", "req_per_s", "req/s"),
                                       ("latency p50 (lower is better)", "p50_ms", "ms"),
                                       ("latency p99 (lower is better)", "p99_ms", "ms"))]
    print(f"picture: {chart.write_panels_svg(report, panels, output.with_suffix('.svg'), labels)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
