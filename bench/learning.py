"""Enrolment throughput through the gateway with every client on one course, on PostgreSQL,
beside baselines from the same run.

    .venv/bin/python bench/learning.py            # ~2 minutes on 2 cores
    .venv/bin/python bench/learning.py --quick    # 3 s loads

Contended  POST /api/v1/courses/{id}/enrolments, every request a different resident of the
           demo district, every client on the same course (capacity 30: the first 30 take a
           seat, everyone after them joins the waitlist). Each enrolment takes the course's
           row lock, so this is the case the lock serialises.
Spread     the same POST spread over 16 courses (a client's consecutive requests go to
           different courses): what enrolment costs when the lock is not contended.
Baseline   the gateway's cheapest read (GET /api/v1/territory/nodes/{code}), same run.

Serial (one client) and concurrent (``--concurrency`` clients, closed loop). Afterwards every
course is checked against its rows: seats held never above capacity, ``seats_taken`` equal to
the seats held, waitlist positions 1..n without a gap or a repeat. Needs wrk, RabbitMQ and the
project's PostgreSQL (see bench/README.md). Writes bench/results/learning-<UTC>.json and an
SVG picture beside it.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chart  # noqa: E402
import common  # noqa: E402
from scratch_platform import DISTRICT, Platform, http_load  # noqa: E402

COMMUNITY = "350502001001"
NODE_PATH = "/api/v1/territory/nodes/350502001"
CAPACITY = 30
SPREAD_COURSES = 16
RESIDENTS_PER_LOAD = 2500


def residents(platform: Platform, wanted: int) -> list[int]:
    """Ids of active residents of the district, as many as ``wanted`` (or all there are)."""
    ids, cursor = [], None
    while len(ids) < wanted:
        status, page = platform.call("GET", f"/api/v1/residents?code={DISTRICT}&limit=200"
                                     + (f"&cursor={cursor}" if cursor else ""))
        if status != 200:
            raise RuntimeError(f"listing residents: {status} {page}")
        ids += [resident["id"] for resident in page["items"]]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    return ids[:wanted]


def _post(platform: Platform, path: str, payload: dict) -> dict:
    status, body = platform.call("POST", path, json.dumps(payload).encode(), "application/json")
    if status not in (200, 201):
        raise RuntimeError(f"POST {path}: {status} {body}")
    return body


class Courses:
    """A school, a teacher and fresh courses to enrol on, made through the API."""

    def __init__(self, platform: Platform):
        self.platform = platform
        self.school = _post(platform, "/api/v1/schools", {
            "org_code": COMMUNITY, "name": "基准测试社区学校", "kind": "community_school",
            "address": "西街1号"})
        self.teacher = _post(platform, "/api/v1/teachers", {"kind": "hired", "name": "基准老师"})
        self.made = 0

    def new(self, capacity: int) -> int:
        self.made += 1
        now = datetime.now(timezone.utc)
        course = _post(self.platform, "/api/v1/courses", {
            "school_id": self.school["id"], "title": f"基准课程 {self.made}", "category": "health",
            "format": "lecture", "teacher_id": self.teacher["id"], "capacity": capacity,
            "enrol_opens_at": (now - timedelta(hours=1)).isoformat(),
            "enrol_closes_at": (now + timedelta(days=7)).isoformat()})
        return course["id"]


def enrol_lua(course_ids: list[int], resident_ids: list[int], threads: int) -> str:
    """wrk's request script: each request a resident not used before (wrk's threads take
    interleaved shares of the list), round-robin over the courses."""
    return f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local courses = {{{",".join(map(str, course_ids))}}}
local residents = {{{",".join(map(str, resident_ids))}}}
local threads = {threads}
local started = 0
local sent = 0
setup = function(thread)
  started = started + 1
  thread:set("tid", started)
end
request = function()
  sent = sent + 1
  local i = tid + (sent - 1) * threads
  local resident = residents[((i - 1) % #residents) + 1]
  local course = courses[((sent - 1) % #courses) + 1]
  return wrk.format(nil, "/api/v1/courses/" .. course .. "/enrolments", nil,
                    '{{"resident_id": ' .. resident .. '}}')
end
"""


def enrol_load(platform: Platform, course_ids: list[int], resident_ids: list[int],
               concurrency: int, duration: float) -> dict:
    threads = min(concurrency, os.cpu_count() or 1)  # as common.wrk_load starts wrk
    measurement = common.wrk_load(platform.url(f"/api/v1/courses/{course_ids[0]}/enrolments"),
                                  platform.headers, concurrency, duration, platform.tmp,
                                  enrol_lua(course_ids, resident_ids, threads))
    return {**measurement.as_dict(), "concurrency": concurrency}


def check_courses(platform: Platform, course_ids: list[int]) -> dict:
    """Every course against its rows: no overbooking, the waitlist a gap-free sequence."""
    from sqlalchemy import create_engine, text

    engine = create_engine(platform.databases["learning"])
    held_statuses = "('enrolled', 'offered', 'completed')"
    checked = {"courses": 0, "enrolments": 0, "overbooked": 0, "seat_count_mismatch": 0,
               "waitlist_gaps": 0}
    with engine.connect() as connection:
        for course_id in course_ids:
            capacity, seats_taken = connection.execute(text(
                "SELECT capacity, seats_taken FROM courses WHERE id = :id"), {"id": course_id}).one()
            held = connection.scalar(text(
                f"SELECT count(*) FROM enrolments WHERE course_id = :id AND status IN {held_statuses}"),
                {"id": course_id})
            waiting = connection.scalars(text(
                "SELECT queue_no FROM enrolments WHERE course_id = :id AND status = 'waitlisted' "
                "ORDER BY queue_no"), {"id": course_id}).all()
            total = connection.scalar(text("SELECT count(*) FROM enrolments WHERE course_id = :id"),
                                      {"id": course_id})
            checked["courses"] += 1
            checked["enrolments"] += total
            checked["overbooked"] += held > capacity
            checked["seat_count_mismatch"] += held != seats_taken
            checked["waitlist_gaps"] += len(set(waiting)) != len(waiting)
            checked.setdefault("seats_filled", 0)
            checked["seats_filled"] += held
    engine.dispose()
    return checked


def print_report(report: dict) -> None:
    print()
    print(f"Linli enrolment — {report['machine']['cpu_count']} cores, PostgreSQL, "
          f"course capacity {CAPACITY}")
    header = f"{'path':<58} {'mode':<11} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'err':>4}"
    print(header)
    print("-" * len(header))
    for name, modes in report["results"].items():
        for mode, row in modes.items():
            print(f"{report['labels'][name][:58]:<58} {mode:<11} {row['req_per_s']:>7,.0f} "
                  f"{row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} {row['errors']:>4}")
    print()
    print("ratios: contended ÷ spread (throughput; 1.0 = the lock costs nothing), "
          "p50 ÷ the cheapest read")
    for mode, ratio in report["ratios"].items():
        print(f"  {mode:<11} throughput {ratio['contended_vs_spread']:.2f}x   "
              f"p50 vs read {ratio['p50_vs_node_read']:.2f}x")
    check = report["check"]
    print(f"checked {check['courses']} courses, {check['enrolments']:,} enrolments: "
          f"overbooked {check['overbooked']}, seat counter wrong {check['seat_count_mismatch']}, "
          f"waitlist repeats {check['waitlist_gaps']}")
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
    platform = Platform("learning")
    results: dict = {}
    used_courses: list[int] = []
    try:
        print(f"starting the platform on PostgreSQL (temp dir {platform.tmp}) …", flush=True)
        platform.start()
        courses = Courses(platform)
        pool = residents(platform, RESIDENTS_PER_LOAD * 5)
        print(f"  {len(pool):,} residents to enrol", flush=True)
        slices = iter(range(0, len(pool), RESIDENTS_PER_LOAD))
        for name in ("node_read", "spread", "contended"):
            results.setdefault(name, {})
            for mode, concurrency in (("serial", 1), ("concurrent", args.concurrency)):
                if name == "node_read":
                    http_load(platform, NODE_PATH, concurrency, 1)  # warm-up
                    row = http_load(platform, NODE_PATH, concurrency, duration)
                else:
                    count = SPREAD_COURSES if name == "spread" else 1
                    ids = [courses.new(CAPACITY) for _ in range(count)]
                    used_courses += ids
                    start = next(slices)
                    row = enrol_load(platform, ids, pool[start:start + RESIDENTS_PER_LOAD],
                                     concurrency, duration)
                results[name][mode] = row
                print(f"  {name:<10} {mode:<10} {row['req_per_s']:>7,.0f} req/s  "
                      f"p50 {row['p50_ms']:.2f} ms  p99 {row['p99_ms']:.2f} ms  "
                      f"errors {row['errors']}", flush=True)
        check = check_courses(platform, used_courses)
    finally:
        platform.stop()

    labels = {"node_read": "baseline: GET /territory/nodes/{code} (cheapest read)",
              "spread": f"POST enrolments over {SPREAD_COURSES} courses (no contention)",
              "contended": "POST enrolments, every client on one course"}
    ratios = {mode: {
        "contended_vs_spread": round(results["contended"][mode]["req_per_s"]
                                     / results["spread"][mode]["req_per_s"], 2),
        "p50_vs_node_read": round(results["contended"][mode]["p50_ms"]
                                  / results["node_read"][mode]["p50_ms"], 2)}
        for mode in ("serial", "concurrent")}
    report = {"benchmark": "learning", "started_at": started.isoformat(timespec="seconds"),
              "git": common.git_revision(), "machine": common.machine_description(),
              "config": {"quick": args.quick, "duration_s": duration,
                         "concurrency": args.concurrency, "capacity": CAPACITY},
              "labels": labels, "results": results, "ratios": ratios, "check": check}
    args.output.mkdir(parents=True, exist_ok=True)
    output = args.output / f"learning-{started:%Y%m%dT%H%M%SZ}.json"
    report["output"] = str(output)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print_report(report)
    panels = [(title, [(name, mode, row[key]) for name, modes in results.items()
                       for mode, row in modes.items()], unit)
              for title, key, unit in (("throughput (higher is better)", "req_per_s", "req/s"),
                                       ("latency p50 (lower is better)", "p50_ms", "ms"),
                                       ("latency p99 (lower is better)", "p99_ms", "ms"))]
    print(f"picture: {chart.write_panels_svg(report, panels, output.with_suffix('.svg'), labels)}")
    return 0 if not (check["overbooked"] or check["seat_count_mismatch"]
                     or check["waitlist_gaps"]) else 1


if __name__ == "__main__":
    sys.exit(main())
