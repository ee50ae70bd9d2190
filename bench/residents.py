"""Membership at district scale, on PostgreSQL: the bulk import rate, and filtered resident
searches over 100,000 residents through the gateway, each beside a baseline from the same run.

    .venv/bin/python bench/residents.py             # ~6-8 minutes on 2 cores
    .venv/bin/python bench/residents.py --quick     # 30,000 residents, shorter loads (~3 min)

Import   CSV files of 20,000 rows (1% bad rows: wrong check digits) are POSTed to
         /api/v1/imports/residents until the district holds the target number of residents;
         rows/s = rows in the file ÷ seconds from the 202 to the job's "done".
         Baseline: the same number of resident rows inserted straight into a scratch copy of
         the residents table (same columns and indexes) with SQLAlchemy and pg8000, in 250-row
         multi-row INSERTs: what the driver and the database alone can do.
Search   GET /api/v1/residents with filters (community + age band, name within a street, a flag
         across the district, floating residents of a street), 50 per page, serial (1 client)
         and concurrent; p50/p99. Baselines: the gateway's cheapest read (GET
         /api/v1/territory/nodes/{code}) measured the same way, and the same filtered query as
         SQL straight to PostgreSQL (serial).

Needs the project's PostgreSQL (``make test`` or deploy/scripts/ensure-postgres.sh starts it;
``LINLI_BENCH_POSTGRES_URL`` names another) and RabbitMQ. Scratch databases and a scratch
vhost are made for the run and dropped after. Writes bench/results/residents-<UTC>.json and an
SVG picture beside it.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import random
import signal
import sys
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chart  # noqa: E402
import common  # noqa: E402
from scratch_platform import DISTRICT, Platform, http_load  # noqa: E402

STREET, COMMUNITY = "350502001", "350502001001"
FILE_ROWS = 20_000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建国志明海燕雪梅春花文斌"
SEARCHES = {  # name: (query string, what it asks, the same filter in SQL)
    "community_age": (f"code={COMMUNITY}&age_band=60-79&limit=50",
                      "a community's residents aged 60-79",
                      "grid_code LIKE :community AND birth_date <= :latest_60 "
                      "AND birth_date >= :earliest_79"),
    "street_name": (f"code={STREET}&q=%E7%8E%8B&limit=50",  # q=王
                    "residents of a street whose name contains 王",
                    "grid_code LIKE :street AND name LIKE '%%王%%'"),
    "district_flag": (f"code={DISTRICT}&flag=minimum_allowance&limit=50",
                      "minimum-allowance residents across the district",
                      "grid_code LIKE :district AND EXISTS (SELECT 1 FROM resident_flags f "
                      "WHERE f.resident_id = residents.id AND f.flag = 'minimum_allowance' "
                      "AND f.cleared_on IS NULL)"),
    "street_floating": (f"code={STREET}&residence=floating&limit=50",
                        "floating residents of a street",
                        "grid_code LIKE :street AND residence = 'floating'"),
}
NODE_PATH = f"/api/v1/territory/nodes/{STREET}"


# --------------------------------------------------------------------------- rows

def id_number(region: str, born: date, seq: int) -> str:
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


class RowMaker:
    """Invented residents with valid, distinct ID numbers, spread over the district's grids."""

    def __init__(self, grids: list[str], seed: int = 7):
        self.grids = grids
        self.random = random.Random(seed)
        self.serial = 0

    def row(self) -> dict:
        n, self.serial = self.serial, self.serial + 1
        born = date(1930, 1, 1) + timedelta(days=(n // 500) % 30_000)
        grid = self.grids[n % len(self.grids)]
        name = self.random.choice(SURNAMES) + "".join(self.random.choices(GIVEN, k=2))
        return {"name": name, "gender": "", "birth_date": "",
                "id_number": id_number("350583", born, 500 + n % 500),  # apart from the demo
                "phone": f"13{self.random.randrange(10**9):09d}",
                "address": f"{grid[-6:]}号楼{n % 97}室", "grid_code": grid,
                "residence": "floating" if n % 5 == 0 else "registered",
                "household_address": f"{grid[-6:]}号楼{n % 97}室" if n % 3 == 0 else ""}

    def file(self, rows: int) -> tuple[bytes, int]:
        """A CSV file of ``rows`` rows, 1% of them with a wrong check digit."""
        out = io.StringIO()
        writer = csv.DictWriter(out, ["name", "gender", "birth_date", "id_number", "phone",
                                      "address", "grid_code", "residence", "household_address"])
        writer.writeheader()
        bad = 0
        for i in range(rows):
            row = self.row()
            if i % 100 == 50:
                row["id_number"] = row["id_number"][:-1] + ("1" if row["id_number"][-1] == "0"
                                                            else "0")
                bad += 1
            writer.writerow(row)
        return out.getvalue().encode(), bad


# --------------------------------------------------------------------------- measuring

def import_file(platform: Platform, body: bytes, bad: int) -> dict:
    started = time.perf_counter()
    status, job = platform.call("POST", "/api/v1/imports/residents", body, "text/csv")
    if status != 202:
        raise RuntimeError(f"import refused: {status} {job}")
    accepted = time.perf_counter() - started
    location = f"/api/v1/imports/residents/{job['id']}"
    last = -1.0
    while job["status"] not in ("done", "failed"):
        time.sleep(0.5)
        for process in platform.processes:
            process.check_alive()
        job = platform.call("GET", location)[1]
        if job["progress"] >= last + 10:
            last = job["progress"]
            print(f"    {job['progress']:5.1f}% ({job['processed']:,} rows)", flush=True)
    seconds = time.perf_counter() - started
    if job["status"] != "done" or job["rejected"] != bad:
        raise RuntimeError(f"the import ended {job['status']} with {job['rejected']} rejected "
                           f"rows, expected {bad}: {job}")
    return {"rows": job["total"], "applied": job["applied"], "rejected": job["rejected"],
            "seconds": round(seconds, 2), "accept_seconds": round(accepted, 2),
            "rows_per_s": round(job["total"] / seconds, 1)}


def raw_insert_baseline(platform: Platform, rows: int) -> dict:
    """The same number of residents, inserted straight into a scratch copy of the table."""
    from sqlalchemy import MetaData, Table, create_engine, text

    engine = create_engine(platform.databases["membership"])
    maker = RowMaker(["350502001001001"], seed=11)
    now = datetime.now(timezone.utc)
    values = []
    for _ in range(rows):
        row = maker.row()
        values.append({"name": row["name"], "gender": "female", "birth_date": date(1960, 1, 1),
                       "id_number_hash": uuid.uuid4().hex * 2, "id_number_sealed": "x" * 80,
                       "id_number_masked": "3505**********0000", "phone": row["phone"],
                       "address": row["address"], "grid_code": row["grid_code"],
                       "residence": row["residence"], "status": "active",
                       "created_at": now, "updated_at": now})
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE bench_residents "
                                "(LIKE residents INCLUDING DEFAULTS INCLUDING INDEXES)"))
        connection.execute(text("CREATE SEQUENCE bench_residents_id"))
        connection.execute(text("ALTER TABLE bench_residents ALTER COLUMN id "
                                "SET DEFAULT nextval('bench_residents_id')"))
    table = Table("bench_residents", MetaData(), autoload_with=engine)
    started = time.perf_counter()
    for first in range(0, rows, 250):  # one multi-row INSERT … RETURNING id per batch
        with engine.begin() as connection:
            connection.execute(table.insert().values(values[first:first + 250])
                               .returning(table.c.id)).all()
    seconds = time.perf_counter() - started
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE bench_residents"))
        connection.execute(text("DROP SEQUENCE bench_residents_id"))
    engine.dispose()
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds, 1)}


def sql_baseline(platform: Platform, where: str, repeats: int) -> dict:
    """The search's own filter as SQL straight to PostgreSQL: a page of 51 rows by id, then
    the current flags of the page (the two statements the service runs)."""
    from sqlalchemy import create_engine, text

    today = date.today()
    params = {"community": COMMUNITY + "%", "street": STREET + "%", "district": DISTRICT + "%",
              "latest_60": today.replace(year=today.year - 60),
              "earliest_79": today.replace(year=today.year - 80) + timedelta(days=1)}
    page = text(f"SELECT * FROM residents WHERE status = 'active' AND {where} "
                "ORDER BY id LIMIT 51")
    flags = text("SELECT resident_id, flag FROM resident_flags WHERE cleared_on IS NULL "
                 "AND resident_id = ANY(:ids)")
    engine = create_engine(platform.databases["membership"])
    latencies = []
    with engine.connect() as connection:
        for _ in range(repeats):
            started = time.perf_counter()
            ids = [row.id for row in connection.execute(page, params)]
            connection.execute(flags, {"ids": ids[:50]}).all()
            latencies.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    measurement = common.Measurement(len(latencies), 0, sum(latencies) / 1000, latencies)
    return {**measurement.finish().as_dict(), "concurrency": 1}


# --------------------------------------------------------------------------- report

def print_report(report: dict) -> None:
    imports, baseline = report["import"]["files"], report["import"]["baseline"]
    print()
    print(f"Linli residents at scale — {report['machine']['cpu_count']} cores, PostgreSQL, "
          f"{report['residents']:,} residents")
    print()
    print(f"{'import':<40} {'rows':>8} {'seconds':>8} {'rows/s':>8}")
    for n, entry in enumerate(imports, 1):
        print(f"{'file ' + str(n) + ' through the gateway':<40} {entry['rows']:>8,} "
              f"{entry['seconds']:>8.1f} {entry['rows_per_s']:>8,.0f}")
    print(f"{'baseline: raw INSERTs, same table':<40} {baseline['rows']:>8,} "
          f"{baseline['seconds']:>8.1f} {baseline['rows_per_s']:>8,.0f}")
    print(f"import ÷ raw insert: {report['ratios']['import/raw_insert']:.3f}x")
    print()
    header = f"{'search':<58} {'mode':<11} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'err':>4}"
    print(header)
    print("-" * len(header))
    for name, modes in report["results"].items():
        for mode, row in modes.items():
            label = report["labels"].get(name, name)
            print(f"{label[:58]:<58} {mode:<11} {row['req_per_s']:>7,.0f} {row['p50_ms']:>8.2f} "
                  f"{row['p99_ms']:>8.2f} {row['errors']:>4}")
    print()
    print("ratios (p50, serial): search ÷ the gateway's cheapest read, search ÷ the SQL alone")
    for name, ratio in report["ratios"]["search"].items():
        print(f"  {name:<18} {ratio['p50_vs_node_read']:>6.2f}x   {ratio['p50_vs_sql']:>7.2f}x")
    for warning in report["warnings"]:
        print(f"WARNING: {warning}")
    print(f"written: {report['output']}")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="30,000 residents and 3 s loads instead of 100,000 and 8 s")
    parser.add_argument("--residents", type=int, help="residents in the district when searched")
    parser.add_argument("--duration", type=float, help="seconds per search measurement")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--output", type=Path, default=common.RESULTS_DIR)
    args = parser.parse_args(argv)
    args.residents = args.residents or (30_000 if args.quick else 100_000)
    args.duration = args.duration or (3.0 if args.quick else 8.0)
    return args


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parse_args(argv)
    started = datetime.now(timezone.utc)
    signal.signal(signal.SIGTERM, _interrupt)
    platform = Platform("residents")
    results: dict = {}
    try:
        print(f"starting the platform on PostgreSQL (temp dir {platform.tmp}) …", flush=True)
        platform.start()
        maker = RowMaker(platform.grids())
        files = []
        while (have := platform.count("membership", "residents")) < args.residents:
            rows = min(FILE_ROWS, round((args.residents - have) / 0.99) + 1)
            print(f"  importing {rows:,} rows ({have:,} residents so far) …", flush=True)
            body, bad = maker.file(rows)
            files.append(import_file(platform, body, bad))
            print(f"    {files[-1]['rows_per_s']:,.0f} rows/s", flush=True)
        residents = platform.count("membership", "residents")
        common.wait_idle([p.pid for p in platform.processes])  # the relay's backlog
        print("  baseline: raw inserts …", flush=True)
        baseline = raw_insert_baseline(platform, FILE_ROWS)
        paths = {"node_read": NODE_PATH, **{name: f"/api/v1/residents?{query}"
                                            for name, (query, _, _) in SEARCHES.items()}}
        for name, path in paths.items():
            status, body = platform.call("GET", path)
            if status != 200:
                raise RuntimeError(f"{path}: {status} {body}")
            results[name] = {}
            for mode, concurrency in (("serial", 1), ("concurrent", args.concurrency)):
                http_load(platform, path, concurrency, 1)  # warm-up
                results[name][mode] = http_load(platform, path, concurrency, args.duration)
                row = results[name][mode]
                print(f"  {name:<16} {mode:<10} {row['req_per_s']:>7,.0f} req/s  "
                      f"p50 {row['p50_ms']:.2f} ms  p99 {row['p99_ms']:.2f} ms", flush=True)
        for name, (_, _, where) in SEARCHES.items():
            results[f"{name}_sql"] = {"serial": sql_baseline(platform, where, 300)}
    finally:
        platform.stop()

    labels = {"node_read": "baseline: GET /territory/nodes/{code} (cheapest read)",
              **{name: f"GET /residents: {what}" for name, (_, what, _) in SEARCHES.items()},
              **{f"{name}_sql": f"baseline: the same query as SQL ({name})"
                 for name in SEARCHES}}
    mean_rate = sum(f["rows"] for f in files) / sum(f["seconds"] for f in files) if files else 0
    report = {
        "benchmark": "residents", "started_at": started.isoformat(timespec="seconds"),
        "git": common.git_revision(), "machine": common.machine_description(),
        "residents": residents,
        "config": {"quick": args.quick, "duration_s": args.duration,
                   "concurrency": args.concurrency, "file_rows": FILE_ROWS},
        "import": {"files": files, "rows_per_s": round(mean_rate, 1), "baseline": baseline},
        "labels": labels, "results": results,
        "ratios": {
            "import/raw_insert": round(mean_rate / baseline["rows_per_s"], 3),
            "search": {name: {
                "p50_vs_node_read": round(results[name]["serial"]["p50_ms"]
                                          / results["node_read"]["serial"]["p50_ms"], 2),
                "p50_vs_sql": round(results[name]["serial"]["p50_ms"]
                                    / results[f"{name}_sql"]["serial"]["p50_ms"], 2)}
                for name in SEARCHES},
        },
        "warnings": [w for w in ["some requests failed" if any(
            row["errors"] for modes in results.values() for row in modes.values()) else None]
            if w],
    }
    args.output.mkdir(parents=True, exist_ok=True)
    output = args.output / f"residents-{started:%Y%m%dT%H%M%SZ}.json"
    report["output"] = str(output)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print_report(report)
    import_rows = [(f"import file {n}", "20,000-row file", f["rows_per_s"])
                   for n, f in enumerate(files, 1)]
    import_rows.append(("raw insert", "baseline", baseline["rows_per_s"]))
    panels = [("bulk import (higher is better)", import_rows, "rows/s")]
    for title, key, unit in (("search throughput (higher is better)", "req_per_s", "req/s"),
                             ("search latency p50 (lower is better)", "p50_ms", "ms"),
                             ("search latency p99 (lower is better)", "p99_ms", "ms")):
        panels.append((title, [(name, mode, row[key]) for name, modes in results.items()
                               for mode, row in modes.items()], unit))
    print(f"picture: {chart.write_panels_svg(report, panels, output.with_suffix('.svg'), labels)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
