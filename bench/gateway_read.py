"""Gateway read throughput and latency, beside two baselines measured in the same run.

    .venv/bin/python bench/gateway_read.py            # ~70 seconds
    .venv/bin/python bench/gateway_read.py --quick    # ~20-30 seconds

Three paths, each serial (1 client) and concurrent (16 clients by default):

  gateway     GET /api/v1/territory/nodes/350502001 with a bearer token: the real gateway
              (nameko HTTP, auth, scope check) -> RPC -> membership service -> SQLite
  plain http  baseline A: a nameko ``@http`` handler answering the same JSON body, no RPC
  raw kombu   baseline B: one AMQP request/reply round trip with kombu, no nameko

Prints a table, the ratios gateway / baseline, and where the CPU went (per request, per
process), and writes everything to bench/results/gateway_read-<timestamp>.json. See
bench/README.md.
"""
from __future__ import annotations

import sys

# Re-run of this file as baseline A's server: nameko needs eventlet's patching before anything
# else is imported.
if __name__ == "__main__" and sys.argv[1:2] == ["serve-plain-http"]:
    import eventlet

    eventlet.monkey_patch()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from array import array  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chart  # noqa: E402
import common  # noqa: E402

NODE_CODE = "350502001"
GATEWAY_PATH = f"/api/v1/territory/nodes/{NODE_CODE}"
PLAIN_PATH = "/node"
# What the gateway answers for the node (its shape and size), so baseline A and B move the same
# bytes.
NODE = {"code": NODE_CODE, "name": "江南街道", "level": "street", "parent_code": "350502",
        "status": "active", "merged_into": None,
        "created_at": "2026-01-01T00:00:00.000000+00:00",
        "updated_at": "2026-01-01T00:00:00.000000+00:00"}
SECRET_KEY = "linli-bench-secret-key-not-for-production-use-0123456789"
PATHS = {
    "gateway": "gateway: HTTP -> RPC -> membership -> SQLite",
    "plain_http": "baseline A: plain nameko @http, no RPC",
    "raw_kombu": "baseline B: raw kombu request/reply",
}


# --------------------------------------------------------------------------- the baselines' servers

def serve_plain_http(port: int, ready_file: str) -> None:
    """Baseline A: a nameko service with one ``@http`` GET answering NODE as JSON. Same
    container settings as the platform's services (json, 10 workers); no AMQP extension."""
    from nameko.runners import ServiceRunner
    from nameko.web.handlers import http
    from werkzeug.wrappers import Response

    class PlainHttpService:
        name = "bench_plain_http"

        @http("GET", PLAIN_PATH)
        def node(self, request):
            return Response(json.dumps(NODE, ensure_ascii=False), mimetype="application/json")

    runner = ServiceRunner({"WEB_SERVER_ADDRESS": f"127.0.0.1:{port}", "max_workers": 10,
                            "serializer": "json"})
    runner.add_service(PlainHttpService)
    common.run_until_sigterm(runner, ready_file)


def serve_kombu_responder(amqp_uri: str, queue_name: str, ready_file: str) -> None:
    """Baseline B's server: consume requests (acked, prefetch 64), answer each on its
    ``reply_to`` with its ``correlation_id``; JSON both ways, transient, no publisher confirms."""
    from kombu import Connection, Consumer, Producer, Queue

    stopping = []
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.append(signum))
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        channel.basic_qos(0, 64, False)
        producer = Producer(channel, serializer="json", auto_declare=False)
        queue = Queue(queue_name, durable=False, auto_delete=True)

        def on_request(body, message):
            producer.publish(json.dumps(NODE, ensure_ascii=False).encode(),
                             content_type="application/json", content_encoding="utf-8",
                             routing_key=message.properties["reply_to"],
                             correlation_id=message.properties["correlation_id"],
                             delivery_mode=1)
            message.ack()

        with Consumer(channel, queues=[queue], callbacks=[on_request], accept=["json"]):
            Path(ready_file).touch()
            while not stopping:
                try:
                    connection.drain_events(timeout=0.5)
                except TimeoutError:
                    pass


class KombuDriver:
    """Baseline B's client: ``slots`` requests in flight on one connection; each reply (matched
    by correlation id) is timed and answered with the next request."""

    def __init__(self, amqp_uri: str, queue_name: str, slots: int):
        from kombu import Connection, Consumer, Producer, Queue

        self.queue_name, self.slots = queue_name, slots
        self.connection = Connection(amqp_uri)
        self.connection.connect()
        channel = self.connection.channel()
        self.reply_queue = f"bench.reply.{uuid.uuid4().hex}"
        self.producer = Producer(channel, serializer="json", auto_declare=False)
        self.consumer = Consumer(channel, queues=[Queue(self.reply_queue, exclusive=True,
                                                        auto_delete=True)],
                                 callbacks=[self.on_reply], no_ack=True, accept=["json"])
        self.consumer.consume()
        self.sequence = 0
        self.in_flight: dict[str, float] = {}
        self.deadline = float("inf")
        self.latencies, self.errors = array("d"), 0

    def send(self) -> None:
        self.sequence += 1
        correlation_id = str(self.sequence)
        self.in_flight[correlation_id] = time.perf_counter()
        self.producer.publish({"method": "get_node", "args": [NODE_CODE]},
                              routing_key=self.queue_name, reply_to=self.reply_queue,
                              correlation_id=correlation_id, delivery_mode=1)

    def on_reply(self, body, message) -> None:
        sent_at = self.in_flight.pop(message.properties.get("correlation_id"), None)
        if sent_at is None:
            return
        now = time.perf_counter()
        if isinstance(body, dict) and body.get("code") == NODE_CODE:
            self.latencies.append((now - sent_at) * 1000.0)
        else:
            self.errors += 1
        if now < self.deadline:
            self.send()

    def wait_for_replies(self) -> None:
        while self.in_flight:
            self.connection.drain_events(timeout=30)

    def prime(self) -> None:
        self.deadline = 0.0  # answers do not send more
        self.send()
        self.wait_for_replies()
        if not self.latencies:
            raise RuntimeError("the responder answered something else")

    def run(self, deadline: float):
        self.deadline = deadline
        self.latencies, self.errors = array("d"), 0
        for _ in range(self.slots):
            self.send()
        self.wait_for_replies()
        return self.latencies, self.errors

    def close(self) -> None:
        self.connection.release()


# --------------------------------------------------------------------------- the platform

class Bench:
    def __init__(self, args):
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="linli-bench-"))
        self.processes: list[common.Process] = []
        self.vhost = common.ScratchVhost(
            os.environ.get("LINLI_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"),
            os.environ.get("LINLI_RABBIT_MANAGEMENT_URI", "http://guest:guest@127.0.0.1:15672"))

    def start(self) -> None:
        from kombu import Connection  # imported once here, not in every forked load process

        # Wait for the broker (it may be restarting), and keep this connection open as a
        # canary: if it is dead at the end, the broker restarted during the run.
        self.canary = Connection(self.vhost.base_amqp_uri, connect_timeout=3)
        self.canary.ensure_connection(max_retries=20, interval_start=1, interval_step=1,
                                      interval_max=3)
        self.canary.default_channel.basic_qos(0, 1, False)
        self.amqp_uri = self.vhost.create()
        self.gateway_port = common.free_port()
        self.plain_port = common.free_port()
        self.queue_name = f"bench.requests.{uuid.uuid4().hex[:8]}"
        env = {**os.environ, "LINLI_VAR_DIR": str(self.tmp / "var"),
               "LINLI_GATEWAY_HOST": "127.0.0.1", "LINLI_GATEWAY_PORT": str(self.gateway_port),
               "LINLI_SECRET_KEY": SECRET_KEY, "LINLI_AMQP_URI": self.amqp_uri,
               "PYTHONWARNINGS": "ignore"}
        me = [sys.executable, str(Path(__file__).resolve())]
        start = lambda name, argv: self.processes.append(  # noqa: E731
            common.Process(name, argv, env, self.tmp))
        # The baselines start while the demo data goes in and a token is made.
        start("plain_http", [*me, "serve-plain-http", str(self.plain_port),
                             str(self.tmp / "plain.ready")])
        start("kombu_responder", [*me, "serve-kombu-responder", self.amqp_uri, self.queue_name,
                                  str(self.tmp / "kombu.ready")])
        seed = subprocess.Popen(common.linli_command("seed"), env=env, cwd=common.REPO_ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        token = subprocess.Popen(
            common.linli_command("token", "--role", "district_admin", "--scope", "350502"),
            env=env, cwd=common.REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        seed_output = seed.communicate(timeout=120)[0]
        if seed.returncode != 0:
            raise RuntimeError(f"linli seed failed:\n{seed_output}")
        token_output, token_errors = token.communicate(timeout=60)
        if token.returncode != 0 or not token_output.strip():
            raise RuntimeError(f"linli token failed:\n{token_output}{token_errors}")
        self.headers = {"Authorization": f"Bearer {token_output.strip().splitlines()[-1]}"}
        for service in common.PLATFORM_PROCESSES:
            start(service, common.linli_command("service", service))

        common.wait_http_ok(f"http://127.0.0.1:{self.gateway_port}/healthz", self.processes, 90)
        body = common.wait_http_ok(f"http://127.0.0.1:{self.gateway_port}{GATEWAY_PATH}",
                                   self.processes, 30, self.headers)
        answer = json.loads(body)
        if answer.get("code") != NODE_CODE:
            raise RuntimeError(f"the gateway answered something else: {answer}")
        common.wait_file(self.tmp / "plain.ready", self.processes)
        common.wait_http_ok(f"http://127.0.0.1:{self.plain_port}{PLAIN_PATH}", self.processes)
        common.wait_file(self.tmp / "kombu.ready", self.processes)
        self.node_bytes = {"gateway": len(body), "plain_http": len(json.dumps(
            NODE, ensure_ascii=False).encode())}
        self.node_bytes["raw_kombu"] = self.node_bytes["plain_http"]

        # The membership service's outbox relay publishes the events `linli seed` wrote: let it
        # finish before anything is timed.
        self.settle_seconds = round(common.wait_idle([p.pid for p in self.processes]), 1)
        watched = {p.name: [p.pid] for p in self.processes}
        watched["rabbitmq"] = common.pids_named("beam.smp")
        self.cpu = common.CpuBook(watched)

    def broker_restarted(self) -> bool:
        try:
            self.canary.default_channel.basic_qos(0, 1, False)
            self.canary.drain_events(timeout=0.1)
        except TimeoutError:
            return False
        except Exception:
            return True
        return False

    def stop(self) -> None:
        if getattr(self, "canary", None) is not None:
            try:
                self.canary.release()
            except Exception:
                pass
        for process in self.processes:
            process.terminate()
        for process in reversed(self.processes):
            process.stop()
        self.vhost.delete()

    def logs_on_failure(self) -> None:
        for process in self.processes:
            print(f"--- {process.name} log ({process.log_path}) ---\n{process.log_tail()}",
                  file=sys.stderr)

    # ----------------------------------------------------------------------- measuring

    def load(self, path: str, concurrency: int, duration: float) -> common.Measurement:
        if path == "raw_kombu":
            amqp_uri, queue_name = self.amqp_uri, self.queue_name
            return common.closed_loop(lambda slots: KombuDriver(amqp_uri, queue_name, slots),
                                      concurrency, duration)
        port, url_path, headers = (
            (self.gateway_port, GATEWAY_PATH, self.headers) if path == "gateway"
            else (self.plain_port, PLAIN_PATH, {}))
        if self.args.client == "wrk":
            return common.wrk_load(f"http://127.0.0.1:{port}{url_path}", headers, concurrency,
                                   duration, self.tmp)
        return common.python_http_load("127.0.0.1", port, url_path, headers, concurrency,
                                       duration)

    def measure(self, path: str, concurrency: int) -> dict:
        for process in self.processes:
            process.check_alive()
        if self.args.warmup > 0:
            self.load(path, concurrency, self.args.warmup)
        before = self.cpu.snapshot()
        measurement = self.load(path, concurrency, self.args.duration)
        after = self.cpu.snapshot()
        return {**measurement.as_dict(), "concurrency": concurrency,
                "cpu": common.CpuBook.spent(before, after, measurement.requests)}


# --------------------------------------------------------------------------- report

def ratios(results: dict) -> dict:
    out = {}
    for baseline in ("plain_http", "raw_kombu"):
        entry = {}
        for mode in ("serial", "concurrent"):
            gateway, base = results["gateway"][mode], results[baseline][mode]
            entry[f"{mode}_throughput"] = round(gateway["req_per_s"] / base["req_per_s"], 3)
            entry[f"{mode}_p50"] = round(gateway["p50_ms"] / base["p50_ms"], 2)
            entry[f"{mode}_p99"] = round(gateway["p99_ms"] / base["p99_ms"], 2)
        out[f"gateway/{baseline}"] = entry
    return out


def print_report(report: dict) -> None:
    machine, config = report["machine"], report["config"]
    print()
    print(f"Linli gateway read — {machine['cpu_count']} CPU cores "
          f"({machine['usable_cpus']} usable; the load generator, the servers and RabbitMQ "
          f"share them)")
    print(f"HTTP load: {config['client_description']}")
    print(f"AMQP load: {config['kombu_client_description']}")
    print(f"serial = 1 client, concurrent = {config['concurrency']} clients; "
          f"{config['duration_s']:g} s each after a {config['warmup_s']:g} s warm-up")
    print()
    header = f"{'path':<48} {'mode':<11} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
    print(header)
    print("-" * len(header))
    for path, label in PATHS.items():
        for mode in ("serial", "concurrent"):
            row = report["results"][path][mode]
            print(f"{label:<48} {mode:<11} {row['req_per_s']:>8,.0f} {row['p50_ms']:>8.2f} "
                  f"{row['p99_ms']:>8.2f} {row['errors']:>7}")
    print()
    print("ratios, gateway / baseline   (throughput: below 1 is slower; latency: above 1 is slower)")
    print(f"{'':<22} {'serial req/s':>13} {'conc. req/s':>12} {'serial p50':>11} "
          f"{'serial p99':>11} {'conc. p50':>10} {'conc. p99':>10}")
    for name, label in (("gateway/plain_http", "gateway / plain @http"),
                        ("gateway/raw_kombu", "gateway / raw kombu")):
        r = report["ratios"][name]
        print(f"{label:<22} {r['serial_throughput']:>12.3f}x {r['concurrent_throughput']:>11.3f}x "
              f"{r['serial_p50']:>10.2f}x {r['serial_p99']:>10.2f}x {r['concurrent_p50']:>9.2f}x "
              f"{r['concurrent_p99']:>9.2f}x")
    print()
    print("CPU per request, microseconds, by process (from /proc). busy: the whole machine; "
          "irq: cores in\ninterrupts (loopback TCP); other: cores used by processes outside "
          "this benchmark (noise)")
    names = ["gateway", "membership", "plain_http", "kombu_responder", "rabbitmq", "client"]
    print(f"{'path':<12} {'mode':<11} " + " ".join(f"{n[:10]:>10}" for n in names)
          + f" {'busy':>6} {'irq':>5} {'other':>6}")
    for path in PATHS:
        for mode in ("serial", "concurrent"):
            cpu = report["results"][path][mode]["cpu"]
            cells = []
            for name in names:
                value = cpu["us_per_request"].get(name)
                cells.append(f"{value:>10,.0f}" if value is not None else f"{'-':>10}")
            busy, irq, other = (cpu.get(k) for k in ("machine_busy", "irq_cores", "other_cores"))
            print(f"{path:<12} {mode:<11} " + " ".join(cells)
                  + (f" {busy:>6.0%}" if busy is not None else f" {'-':>6}")
                  + (f" {irq:>5.2f}" if irq is not None else f" {'-':>5}")
                  + (f" {other:>6.2f}" if other is not None else f" {'-':>6}"))
    print()
    for warning in report["warnings"]:
        print(f"WARNING: {warning}")
    print(f"written: {report['output']}")


# --------------------------------------------------------------------------- main

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a ~20-30 s run (2 s per measurement, 0.5 s warm-up; wrk rounds up to 1 s)")
    parser.add_argument("--duration", type=float, help="seconds per measurement (default 8)")
    parser.add_argument("--warmup", type=float, help="warm-up seconds before each (default 2)")
    parser.add_argument("--concurrency", type=int, default=16,
                        help="clients in the concurrent runs (default 16)")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto",
                        help="HTTP load generator: wrk if installed (auto), or forked Python "
                             "clients")
    parser.add_argument("--output", type=Path, default=common.RESULTS_DIR,
                        help="where the JSON goes (default bench/results/)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, SQLite)")
    args = parser.parse_args(argv)
    args.duration = args.duration or (2.0 if args.quick else 8.0)
    args.warmup = args.warmup if args.warmup is not None else (0.5 if args.quick else 2.0)
    if args.client == "auto":
        args.client = "wrk" if shutil.which("wrk") else "python"
    elif args.client == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install wrk), or use --client python")
    return args


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parse_args(argv)
    started = datetime.now(timezone.utc)
    machine = common.machine_description()
    load_processes = min(args.concurrency, os.cpu_count() or 1)
    client_description = (
        f"wrk {common.wrk_version()}, {load_processes} threads" if args.client == "wrk" else
        f"Python, {load_processes} forked processes, keep-alive sockets multiplexed with epoll")
    kombu_description = (f"Python, {load_processes} forked processes, one AMQP connection each, "
                         f"requests in flight matched by correlation id")
    # SIGTERM (e.g. from CI) stops the servers as Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)
    bench = Bench(args)
    results: dict = {path: {} for path in PATHS}
    failed = False
    try:
        print(f"starting the platform and the baselines (temp dir {bench.tmp}) …", flush=True)
        bench.start()
        for mode, concurrency in (("serial", 1), ("concurrent", args.concurrency)):
            for path in ("plain_http", "raw_kombu", "gateway"):
                print(f"  {path:<11} {mode:<10} …", end="", flush=True)
                results[path][mode] = bench.measure(path, concurrency)
                row = results[path][mode]
                print(f" {row['req_per_s']:>8,.0f} req/s  p50 {row['p50_ms']:.2f} ms  "
                      f"p99 {row['p99_ms']:.2f} ms", flush=True)
        broker_restarted = bench.broker_restarted()
    except BaseException:
        failed = True
        bench.logs_on_failure()
        raise
    finally:
        bench.stop()
        if args.keep or failed:
            print(f"temp dir kept: {bench.tmp}", file=sys.stderr)
        else:
            shutil.rmtree(bench.tmp, ignore_errors=True)

    report = {
        "benchmark": "gateway_read",
        "started_at": started.isoformat(timespec="seconds"),
        "git": common.git_revision(),
        "machine": machine,
        "broker": {"rabbitmq_version": bench.vhost.broker_version(),
                   "scratch_vhost": bench.amqp_uri.rsplit("/", 1)[-1]},
        "config": {"quick": args.quick, "duration_s": args.duration, "warmup_s": args.warmup,
                   "concurrency": args.concurrency, "client": args.client,
                   "client_description": client_description,
                   "kombu_client_description": kombu_description, "gateway_path": GATEWAY_PATH,
                   "settle_s": bench.settle_seconds,
                   "response_bytes": bench.node_bytes},
        "paths": PATHS,
        "results": results,
        "ratios": ratios(results),
    }
    warnings = []
    if broker_restarted:
        warnings.append("RabbitMQ restarted during the run (something else on this machine "
                        "restarted it): the figures are not trustworthy")
    if any(row["errors"] for modes in results.values() for row in modes.values()):
        warnings.append("some requests failed (see the errors column)")
    busiest = max(row["cpu"].get("other_cores") or 0 for modes in results.values()
                  for row in modes.values())
    if busiest >= 0.25:
        warnings.append(f"other processes kept up to {busiest:.2f} cores busy during a "
                        f"measurement: the machine was shared, figures are noisy")
    report["warnings"] = warnings
    args.output.mkdir(parents=True, exist_ok=True)
    output = args.output / f"gateway_read-{started:%Y%m%dT%H%M%SZ}.json"
    report["output"] = str(output)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print_report(report)
    print(f"picture: {chart.write_svg(report, output.with_suffix('.svg'))}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve-plain-http"]:
        serve_plain_http(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1:2] == ["serve-kombu-responder"]:
        serve_kombu_responder(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(main())
