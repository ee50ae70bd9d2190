"""What the benchmarks share: subprocesses, a throwaway broker vhost, closed-loop load, CPU books.

Standard library only (kombu is imported by the callers that need it), and nothing from the
platform's own packages: a benchmark drives the platform from outside, as a client would.

Load is closed-loop: N clients, each with one persistent connection, each sending its next
request when the previous answer is in. Clients run in their own OS processes (forked workers,
or ``wrk``), never in a server's process, so they do not share its GIL.
"""
from __future__ import annotations

import base64
import json
import math
import multiprocessing
import os
import platform
import re
import resource
import secrets
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from array import array
from dataclasses import asdict, dataclass, field
from pathlib import Path

# what `linli run` starts, in order
PLATFORM_PROCESSES = ("membership", "tickets", "learning", "security", "assessments", "gateway")
BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- processes

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def linli_command(*args: str) -> list[str]:
    """``linli ARGS`` with the interpreter running the bench (the venv's ``linli`` if beside it)."""
    script = Path(sys.executable).parent / "linli"
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "linli.cli", *args]


class Process:
    """A server subprocess with its output in a log file; stopped with SIGTERM, then SIGKILL."""

    def __init__(self, name: str, argv: list[str], env: dict, log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "ab")
        self._terminated = False
        self.popen = subprocess.Popen(argv, env=env, cwd=REPO_ROOT, stdout=self._log,
                                      stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      start_new_session=True)  # Ctrl-C reaches the bench only

    @property
    def pid(self) -> int:
        return self.popen.pid

    def check_alive(self) -> None:
        if self.popen.poll() is not None:
            raise RuntimeError(f"{self.name} exited with {self.popen.returncode}; "
                               f"its log:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def terminate(self) -> None:
        """SIGTERM, once (a second one would start a second shutdown in a nameko runner)."""
        if self.popen.poll() is None and not self._terminated:
            self._terminated = True
            self.popen.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 15) -> None:
        self.terminate()
        if self.popen.poll() is None:
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        self._log.close()


def wait_http_ok(url: str, processes: list[Process], timeout: float = 60,
                 headers: dict | None = None) -> bytes:
    """Poll ``url`` until it answers 200 (a server that dies meanwhile fails at once)."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        for process in processes:
            process.check_alive()
        try:
            request = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(request, timeout=3) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
        except OSError as exc:
            last = type(exc).__name__
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within {timeout:.0f} s (last: {last})")


def wait_file(path: Path, processes: list[Process], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        for process in processes:
            process.check_alive()
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path.name} did not appear within {timeout:.0f} s")
        time.sleep(0.05)


# --------------------------------------------------------------------------- broker vhost

class ScratchVhost:
    """A RabbitMQ vhost of our own for one run, so nothing else on the broker (a ``linli run``,
    a test suite) consumes our RPC queues or we theirs. Falls back to the given vhost when the
    management API is out of reach."""

    PREFIX = "linli_bench_"

    def __init__(self, amqp_uri: str, management_uri: str):
        self.base_amqp_uri = amqp_uri
        self.name: str | None = None
        parts = urllib.parse.urlsplit(management_uri)
        self._api = f"{parts.scheme}://{parts.hostname}:{parts.port or 15672}{parts.path.rstrip('/')}/api"
        credentials = f"{urllib.parse.unquote(parts.username or 'guest')}:" \
                      f"{urllib.parse.unquote(parts.password or 'guest')}"
        self._auth = "Basic " + base64.b64encode(credentials.encode()).decode()
        self._amqp_user = urllib.parse.unquote(urllib.parse.urlsplit(amqp_uri).username or "guest")

    def _call(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self._api + path, data=data, method=method, headers={
            "Authorization": self._auth, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def broker_version(self) -> str | None:
        try:
            return self._call("GET", "/overview").get("rabbitmq_version")
        except Exception:  # informational only
            return None

    def delete_stale(self) -> None:
        """Scratch vhosts of runs that died (no connections left): gone."""
        try:
            vhosts = self._call("GET", "/vhosts")
            connections = self._call("GET", "/connections")
        except Exception:
            return
        busy = {c.get("vhost") for c in connections}
        for vhost in vhosts:
            name = vhost["name"]
            owner = name[len(self.PREFIX):].split("_")[0]
            if owner.isdigit() and os.path.exists(f"/proc/{owner}"):
                continue  # its run may still be going (on this machine)
            if name.startswith(self.PREFIX) and name not in busy:
                try:
                    self._call("DELETE", f"/vhosts/{urllib.parse.quote(name)}")
                except Exception:
                    pass

    def create(self) -> str:
        """The AMQP URI to use: the scratch vhost's, or the base URI if it could not be made."""
        self.delete_stale()
        name = f"{self.PREFIX}{os.getpid()}_{secrets.token_hex(3)}"
        try:
            self._call("PUT", f"/vhosts/{name}", {})
            self.name = name
            self._call("PUT", f"/permissions/{name}/{urllib.parse.quote(self._amqp_user)}",
                       {"configure": ".*", "write": ".*", "read": ".*"})
        except Exception as exc:
            print(f"note: no scratch vhost ({type(exc).__name__}: {exc}); using the broker's "
                  f"vhost from the AMQP URI", file=sys.stderr)
            self.delete()
            return self.base_amqp_uri
        parts = urllib.parse.urlsplit(self.base_amqp_uri)
        return urllib.parse.urlunsplit(parts._replace(path="/" + name))

    def delete(self) -> None:
        """Delete the scratch vhost (retrying for a while: the broker may be restarting)."""
        for _attempt in range(10):
            if not self.name:
                return
            try:
                self._call("DELETE", f"/vhosts/{self.name}")
                self.name = None
            except urllib.error.HTTPError as exc:
                if exc.code == 404:
                    self.name = None
                    return
                error = exc
            except Exception as exc:
                error = exc
            else:
                return
            time.sleep(1)
        print(f"note: could not delete vhost {self.name} ({error}); the next run will",
              file=sys.stderr)
        self.name = None


# --------------------------------------------------------------------------- CPU accounting

def process_cpu_seconds(pid: int) -> float | None:
    """user + system CPU of one process so far (Linux /proc), or None."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return None


def wait_idle(pids: list[int], cores: float = 0.05, window: float = 0.5,
              timeout: float = 30) -> float:
    """Wait until ``pids`` together use under ``cores`` of CPU over ``window`` seconds (e.g. a
    service publishing a backlog at start-up); returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        before = sum(filter(None, (process_cpu_seconds(p) for p in pids)))
        time.sleep(window)
        after = sum(filter(None, (process_cpu_seconds(p) for p in pids)))
        if after - before < cores * window:
            break
    return time.monotonic() - started


def machine_cpu() -> tuple[float, float, float] | None:
    """(busy, total, irq + softirq) CPU seconds of the whole machine so far (/proc/stat)."""
    try:
        with open("/proc/stat") as handle:
            values = [int(v) for v in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    total = sum(values[:8])  # user nice system idle iowait irq softirq steal (guest is in user)
    idle = values[3] + values[4]
    interrupts = values[5] + values[6]  # no process is charged for these (loopback TCP, mostly)
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS, interrupts / CLOCK_TICKS


def pids_named(command: str) -> list[int]:
    """Processes whose /proc comm is ``command`` (e.g. the broker's ``beam.smp``)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as handle:
                    if handle.read().strip() == command:
                        found.append(int(entry))
            except OSError:
                pass
    return found


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class CpuBook:
    """CPU spent during one measurement by named server processes, by the load generator (the
    bench's waited-for children) and by everything else on the machine."""

    def __init__(self, watched: dict[str, list[int]]):
        self.watched = watched

    def snapshot(self) -> dict:
        return {
            "processes": {name: sum(filter(None, (process_cpu_seconds(p) for p in pids)))
                          for name, pids in self.watched.items()},
            "client": children_cpu_seconds(),
            "machine": machine_cpu(),
            "wall": time.monotonic(),
        }

    @staticmethod
    def spent(before: dict, after: dict, requests: int) -> dict:
        wall = after["wall"] - before["wall"]
        per_request = {name: (after["processes"][name] - before["processes"][name])
                       for name in before["processes"]}
        per_request["client"] = after["client"] - before["client"]
        report = {"us_per_request": {name: round(seconds / requests * 1e6, 1) if requests else None
                                     for name, seconds in per_request.items()}}
        if before["machine"] and after["machine"]:
            busy = after["machine"][0] - before["machine"][0]
            total = after["machine"][1] - before["machine"][1]
            interrupts = after["machine"][2] - before["machine"][2]
            ours = sum(per_request.values())
            report["machine_busy"] = round(busy / total, 3) if total else None
            report["irq_cores"] = round(interrupts / wall, 2) if wall else None
            # CPU taken by processes that are not part of this measurement (other users of the
            # machine): a noise gauge, in cores.
            report["other_cores"] = (round(max(0.0, busy - interrupts - ours) / wall, 2)
                                     if wall else None)
        return report


# --------------------------------------------------------------------------- statistics

@dataclass
class Measurement:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    p50_ms: float | None = None
    p99_ms: float | None = None
    mean_ms: float | None = None
    max_ms: float | None = None

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def finish(self) -> "Measurement":
        if self.latencies_ms:
            ordered = sorted(self.latencies_ms)
            self.p50_ms = percentile(ordered, 50)
            self.p99_ms = percentile(ordered, 99)
            self.mean_ms = sum(ordered) / len(ordered)
            self.max_ms = ordered[-1]
        return self

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("latencies_ms")
        data["req_per_s"] = round(self.rate, 1)
        for key in ("p50_ms", "p99_ms", "mean_ms", "max_ms", "seconds"):
            if data[key] is not None:
                data[key] = round(data[key], 3)
        return data


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


# --------------------------------------------------------------------------- closed-loop load

def _worker(make_driver, slots: int, duration: float, barrier, results, index: int) -> None:
    """One load process: build its driver (connect, one request per slot), wait for the other
    processes, then keep ``slots`` requests in flight until the deadline."""
    try:
        driver = make_driver(slots)
        driver.prime()
    except BaseException as exc:  # reported to the parent, which stops the run
        barrier.abort()
        results.put((index, "error", f"{type(exc).__name__}: {exc}"))
        return
    try:
        barrier.wait()
    except Exception:
        results.put((index, "error", "another load process failed to start"))
        return
    try:
        start = time.perf_counter()  # CLOCK_MONOTONIC: comparable across processes
        latencies, errors = driver.run(start + duration)
        end = time.perf_counter()
        driver.close()
    except BaseException as exc:
        results.put((index, "error", f"{type(exc).__name__}: {exc}"))
        return
    results.put((index, "ok", (start, end, latencies.tobytes(), errors)))


def closed_loop(make_driver, concurrency: int, duration: float,
                processes: int | None = None) -> Measurement:
    """``concurrency`` closed-loop clients for ``duration`` seconds, spread over ``processes``
    forked load processes (default: one per CPU, at most one per client).

    ``make_driver(slots)`` runs in the child and returns a driver: ``prime()``, ``run(deadline)
    -> (array of latencies in ms, error count)``, ``close()``."""
    processes = max(1, min(concurrency, processes or os.cpu_count() or 1))
    slots = [concurrency // processes + (i < concurrency % processes) for i in range(processes)]
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes)
    results = context.Queue()
    workers = [context.Process(target=_worker, args=(make_driver, n, duration, barrier, results, i),
                               daemon=True) for i, n in enumerate(slots)]
    for worker in workers:
        worker.start()
    outcomes = []
    try:
        for _ in workers:
            outcomes.append(results.get(timeout=duration + 60))
    finally:
        for worker in workers:
            worker.join(10)
            if worker.is_alive():
                worker.kill()
                worker.join()
    failures = [detail for _, status, detail in outcomes if status == "error"]
    if failures:
        raise RuntimeError("load client failed: " + "; ".join(sorted(set(failures))))
    latencies: list[float] = []
    errors = 0
    starts, ends = [], []
    for _, _, (start, end, raw, worker_errors) in outcomes:
        values = array("d")
        values.frombytes(raw)
        latencies.extend(values)
        errors += worker_errors
        starts.append(start)
        ends.append(end)
    return Measurement(len(latencies), errors, max(ends) - min(starts), latencies).finish()


def parse_http_response(buffer: bytes) -> tuple[int, int, bool] | None:
    """(status, bytes used, server closes) of the first complete response in ``buffer``, or None
    while it is incomplete. Enough HTTP/1.1 for a benchmark: Content-Length or chunked."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    status_line, *header_lines = buffer[:end].split(b"\r\n")
    status = int(status_line.split(b" ", 2)[1])
    length, chunked, close = None, False, False
    for line in header_lines:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            close = b"close" in value.lower()
    position = end + 4
    if not chunked:
        if length is None:
            raise ValueError("a response with neither Content-Length nor chunked framing")
        return (status, position + length, close) if len(buffer) >= position + length else None
    while True:
        line_end = buffer.find(b"\r\n", position)
        if line_end < 0:
            return None
        size = int(buffer[position:line_end].split(b";")[0], 16)
        position = line_end + 2
        if size == 0:
            break
        position += size + 2
    while True:  # trailers, up to the blank line
        line_end = buffer.find(b"\r\n", position)
        if line_end < 0:
            return None
        if line_end == position:
            return status, line_end + 2, close
        position = line_end + 2


class _HttpConnection:
    def __init__(self, address):
        self.address = address
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.sent_at = 0.0

    def connect(self) -> socket.socket:
        self.close()
        self.sock = socket.create_connection(self.address, timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.sock

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""


class HttpDriver:
    """Keep-alive HTTP/1.1 GETs on plain sockets, ``slots`` connections multiplexed with
    epoll: a pre-built request, a response parsed only as far as status and framing. Far
    cheaper per request than ``http.client`` (whose header parsing would eat the CPU the
    servers need), and it is one process per core, not one per connection."""

    def __init__(self, host: str, port: int, path: str, headers: dict, slots: int):
        lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Accept: application/json",
                 *(f"{name}: {value}" for name, value in headers.items())]
        self.request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.connections = [_HttpConnection((host, port)) for _ in range(slots)]

    def prime(self) -> None:
        for connection in self.connections:
            sock = connection.connect()
            sock.sendall(self.request)
            while (parsed := parse_http_response(connection.buffer)) is None:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("the server closed the connection")
                connection.buffer += chunk
            if parsed[0] != 200:
                raise RuntimeError(f"the first request answered HTTP {parsed[0]}")
            connection.buffer = connection.buffer[parsed[1]:]
            if parsed[2]:
                connection.connect()

    def run(self, deadline: float):
        latencies, errors = array("d"), 0
        clock = time.perf_counter
        selector = selectors.EpollSelector() if hasattr(selectors, "EpollSelector") \
            else selectors.DefaultSelector()

        def send(connection):
            connection.sent_at = clock()
            connection.sock.sendall(self.request)

        for connection in self.connections:
            connection.sock.setblocking(False)
            selector.register(connection.sock, selectors.EVENT_READ, connection)
            send(connection)
        while selector.get_map():
            events = selector.select(timeout=30)
            if not events:
                raise TimeoutError("no answer for 30 s")
            for key, _ in events:
                connection = key.data
                try:
                    chunk = connection.sock.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    chunk = b""
                if chunk:
                    connection.buffer += chunk
                    parsed = parse_http_response(connection.buffer)
                    if parsed is None:
                        continue
                    status, used, close = parsed
                    now = clock()
                    if status == 200:
                        latencies.append((now - connection.sent_at) * 1000.0)
                    else:
                        errors += 1
                    connection.buffer = connection.buffer[used:]
                else:  # dropped: counts as an error, and the client reconnects
                    errors += 1
                    close, now = True, clock()
                if close or now >= deadline:
                    selector.unregister(connection.sock)
                    if now >= deadline:
                        continue
                    connection.connect().setblocking(False)
                    selector.register(connection.sock, selectors.EVENT_READ, connection)
                send(connection)
        selector.close()
        return latencies, errors

    def close(self) -> None:
        for connection in self.connections:
            connection.close()


def python_http_load(host: str, port: int, path: str, headers: dict, concurrency: int,
                     duration: float) -> Measurement:
    return closed_loop(lambda slots: HttpDriver(host, port, path, headers, slots), concurrency,
                       duration)


# --------------------------------------------------------------------------- wrk

WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format(
    "WRKJSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"connect\\": %d, \\"read\\": %d, " ..
    "\\"write\\": %d, \\"status\\": %d, \\"timeout\\": %d, \\"p50_us\\": %d, \\"p99_us\\": %d, " ..
    "\\"mean_us\\": %f, \\"max_us\\": %d}\\n",
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean, latency.max))
end
"""


def wrk_version() -> str | None:
    binary = shutil.which("wrk")
    if not binary:
        return None
    run = subprocess.run([binary, "--version"], capture_output=True, text=True)
    match = re.search(r"wrk (\S+)", run.stdout + run.stderr)
    return match.group(1) if match else "unknown"


def wrk_load(url: str, headers: dict, concurrency: int, duration: float,
             script_dir: Path, request_lua: str = "") -> Measurement:
    """wrk on ``url``; ``request_lua`` (e.g. ``wrk.method = "POST"`` and a body) shapes the
    request, the report script reads the figures back."""
    script = script_dir / f"report-{abs(hash(request_lua))}.lua"
    if not script.exists():
        script.write_text(request_lua + "\n" + WRK_SCRIPT)
    argv = ["wrk", f"-t{min(concurrency, os.cpu_count() or 1)}", f"-c{concurrency}",
            f"-d{max(1, round(duration))}s", "--timeout", "10s", "-s", str(script)]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    run = subprocess.run([*argv, url], capture_output=True, text=True, timeout=duration + 60)
    found = re.search(r"^WRKJSON (.*)$", run.stdout, re.MULTILINE)
    if run.returncode != 0 or not found:
        raise RuntimeError(f"wrk failed ({run.returncode}): {run.stdout}{run.stderr}")
    report = json.loads(found.group(1))
    errors = sum(report[k] for k in ("connect", "read", "write", "status", "timeout"))
    measurement = Measurement(report["requests"] - report["status"], errors,
                              report["duration_us"] / 1e6)
    measurement.p50_ms = report["p50_us"] / 1000
    measurement.p99_ms = report["p99_us"] / 1000
    measurement.mean_ms = report["mean_us"] / 1000
    measurement.max_ms = report["max_us"] / 1000
    return measurement


# --------------------------------------------------------------------------- the machine

def machine_description() -> dict:
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    model = None
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu_count": os.cpu_count(), "usable_cpus": affinity, "cpu_model": model,
            "kernel": platform.release(), "python": platform.python_version(),
            "loadavg_before": os.getloadavg()}


def git_revision() -> dict:
    def git(*args):
        run = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True)
        return run.stdout.strip() if run.returncode == 0 else None
    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


def run_until_sigterm(runner, ready_file: str) -> None:
    """Start a nameko ``ServiceRunner``, touch ``ready_file``, and stop on SIGTERM.

    A greenlet spawned from a signal handler would wait for the hub's next wake-up, and a
    service with no timers never wakes it (the hub's epoll_wait resumes after the signal): so
    SIGTERM wakes the hub through a pipe, and a greenlet waiting on it stops the runner."""
    import eventlet

    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGTERM, lambda signum, frame: None)

    def stop_on_signal():
        eventlet.hubs.trampoline(wake_read, read=True)
        runner.stop()

    eventlet.spawn_n(stop_on_signal)
    runner.start()
    Path(ready_file).touch()
    runner.wait()
