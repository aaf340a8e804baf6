"""Load benchmark: a real server, a bounded mixed load, then the figures. Asserts nothing.

    nice .venv/bin/python benchmarks/load.py [--postgres] [--workers 3] [--rate 180]
                                             [--seconds 30] [--clients 24]
                                             [--into DIR] [--code DIR]

Starts its own database (a throw-away SQLite file, or with --postgres a throw-away PostgreSQL
cluster through scripts/pg.sh on PG_PORT), migrates it, loads the demo (or, with `--into DIR`,
copies the SQLite database of data directory DIR, e.g. one `luoshi synth` filled), starts
`luoshi serve --workers N`, logs each client in, and for `--seconds` sends, paced to `--rate`
requests per second in all (0: as fast as the clients go):
  60 %  the cockpit (office, leader) or the workbench (unit officer, unit head),
  30 %  lists (receipts, projects, work items, contacts, units, targets; pages and JSON API),
  10 %  receipt writes through the JSON API (POST /api/receipts/ with an API token),
then stops the server and prints requests/s, p50/p99 (all and per kind), errors, and lost
writes: every write the server acknowledged (201) must be in the database afterwards.
The clients run on the same machine as the server and share its cores.

--into DIR: a copy of the SQLite database and keys of the data directory DIR (one `luoshi synth`
filled: a province) instead of a new demo database; migrated, never changed itself.
--code DIR: the checkout whose `luoshi` serves (e.g. another branch, for a before and after
on the same data); this one by default.
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Luoshi@2024demo"
ROLES = ["office", "leader", "zjj", "zjj_head"]
HOME = {"office": "/cockpit/", "leader": "/cockpit/", "zjj": "/cockpit/workbench/"}
HOME["zjj_head"] = HOME["zjj"]
LISTS = [
    "/funding/receipts/",
    "/funding/projects/",
    "/policy/items/",
    "/funding/contacts/",
    "/org/units/",
    "/funding/targets/",
    "/api/receipts/",
    "/api/projects/",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


CODE = ROOT  # the checkout that serves (--code)


def luoshi(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "luoshi.cli", *args],
        cwd=CODE,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"luoshi {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def django_snippet(env: dict, code: str) -> str:
    """Run Python with Django set up on the benchmark's database; return what it prints."""
    prelude = (
        "import django, os\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'luoshi.settings')\n"
        "django.setup()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", prelude + code],
        cwd=CODE,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


class Client:
    """One user's keep-alive HTTP connection with a session cookie."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = None

    def _connect(self):
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.connection is None:
                self._connect()
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # the server closed an idle keep-alive connection: reconnect, as browsers do
                self.connection.close()
                self.connection = None
                if attempt == 2 or method != "GET":
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = None
        return response.status, data

    def login(self, username: str) -> None:
        self.request("GET", "/login/")
        form = urllib.parse.urlencode(
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.cookies["csrftoken"],
            }
        ).encode()
        status, _ = self.request(
            "POST",
            "/login/",
            form,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}/login/",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {username} failed ({status})")


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            # its own time and that of its children already ended (a recycled worker, a
            # PostgreSQL backend whose connection was closed)
            total += sum(int(value) for value in fields[11:15]) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, IndexError, ValueError):
            continue
    return total


def postmaster_pid(pg_env: dict) -> int | None:
    if not pg_env:
        return None
    pid_file = Path(pg_env["PG_DIR"]) / "data" / "postmaster.pid"
    try:
        return int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def start_database(args, folder: str) -> tuple[str, dict]:
    if not args.postgres:
        return f"sqlite:///{folder}/load.sqlite3", {}
    # not inside `folder`: the cluster belongs to the postgres user, the folder to us (0700)
    pg_env = dict(
        os.environ, PG_PORT=str(args.pg_port), PG_DIR=f"/tmp/luoshi-load-pg-{args.pg_port}"
    )
    out = subprocess.run(
        ["bash", "-c", "source scripts/pg.sh && pg_start && echo URL=$PG_URL"],
        cwd=ROOT,
        env=pg_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    url = re.search(r"URL=(\S+)", out).group(1)
    return url, pg_env


def stop_database(pg_env: dict) -> None:
    if pg_env:
        subprocess.run(["bash", "-c", "source scripts/pg.sh && pg_stop"], cwd=ROOT, env=pg_env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", action="store_true", help="a throw-away PostgreSQL")
    parser.add_argument("--pg-port", type=int, default=int(os.environ.get("PG_PORT", 54331)))
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--clients", type=int, default=24)
    parser.add_argument("--rate", type=float, default=180, help="requests/s in all; 0: unpaced")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument("--into", metavar="DIR", help="a copy of DIR's SQLite database and keys")
    parser.add_argument("--code", metavar="DIR", help="the checkout to serve (default: this)")
    args = parser.parse_args()
    global CODE
    CODE = Path(args.code).resolve() if args.code else ROOT
    if args.into and args.postgres:
        parser.error("--into copies a SQLite database: not with --postgres")
    if not 1 <= args.seconds <= 600 or not 1 <= args.clients <= 200:
        parser.error("--seconds must be 1–600 and --clients 1–200 (a bounded load)")

    folder = tempfile.mkdtemp(prefix="luoshi-load-")
    if args.into:
        for source in Path(args.into).iterdir():  # the database, its keys, the audit anchor
            if source.is_file():
                name = source.name.replace("luoshi.sqlite3", "load.sqlite3")
                shutil.copy2(source, Path(folder) / name)
    url, pg_env = start_database(args, folder)
    env = dict(os.environ, LUOSHI_DATA_DIR=folder, DATABASE_URL=url, LUOSHI_DEMO="1")
    env["PYTHONPATH"] = str(CODE)
    server = None
    try:
        luoshi(env, "migrate", "--verbosity", "0")
        if not args.into:
            luoshi(env, "demo")
        token = django_snippet(
            env,
            "from django.contrib.auth import get_user_model\n"
            "from api.services import create_token\n"
            "office = get_user_model().objects.get(username='office')\n"
            "print(create_token(user=office, name='load benchmark', days=1)[1])",
        )
        units = json.loads(
            django_snippet(
                env,
                "import json\nfrom funding.models import Target\n"
                "codes = Target.objects.values_list('unit__code', flat=True)\n"
                "print(json.dumps(sorted(set(codes))))",
            )
        )
        port = args.port or free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "luoshi.cli", "serve", "--port", str(port)]
            + ["--workers", str(args.workers), "--threads", str(args.threads)],
            cwd=CODE,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.time() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError(server.stderr.read().decode()) from None
                time.sleep(0.2)

        clients = []
        for number in range(args.clients):
            client = Client(port)
            client.role = ROLES[number % len(ROLES)]
            client.login(client.role)
            clients.append(client)
        # one warm-up request per client, not counted
        for client in clients:
            client.request("GET", HOME[client.role])

        results: list[tuple[str, float, bool]] = []
        acknowledged: list[str] = []
        errors: list[str] = []
        lock = threading.Lock()
        run_id = f"{random.Random().randrange(10**8):08d}"
        database_pid = postmaster_pid(pg_env)
        server_cpu_before = process_tree_cpu(server.pid)
        database_cpu_before = process_tree_cpu(database_pid) if database_pid else 0.0
        client_cpu_before = time.process_time()
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        stop_at = started + args.seconds
        interval = args.clients / args.rate if args.rate else 0.0

        def work(number: int, client: Client) -> None:
            rng = random.Random(args.seed * 1000 + number)
            next_at = started + rng.random() * interval
            n = 0
            while True:
                if interval:
                    delay = next_at - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                    next_at += interval
                if time.perf_counter() >= stop_at:
                    return
                n += 1
                draw = rng.random()
                try:
                    t0 = time.perf_counter()
                    if draw < 0.6:
                        kind = "cockpit/workbench"
                        status, _ = client.request("GET", HOME[client.role])
                        ok = status == 200
                    elif draw < 0.9:
                        kind = "lists"
                        status, _ = client.request("GET", rng.choice(LISTS))
                        ok = status == 200
                    else:
                        kind = "receipt writes"
                        doc_no = f"压测〔{run_id}〕{number}-{n}号"
                        body = json.dumps(
                            {
                                "amount": f"{rng.randint(1, 999)}元",
                                "received_on": f"2024-06-{rng.randint(1, 30):02d}",
                                "doc_no": doc_no,
                                "unit": rng.choice(units),
                            }
                        ).encode()
                        status, _ = client.request(
                            "POST",
                            "/api/receipts/",
                            body,
                            {
                                "Content-Type": "application/json",
                                "Authorization": f"Bearer {token}",
                            },
                        )
                        ok = status == 201
                        if ok:
                            with lock:
                                acknowledged.append(doc_no)
                    elapsed = time.perf_counter() - t0
                    with lock:
                        results.append((kind, elapsed, ok))
                        if not ok:
                            errors.append(f"{kind}: HTTP {status}")
                except Exception as exc:  # noqa: BLE001 — counted as an error
                    with lock:
                        results.append((kind, time.perf_counter() - t0, False))
                        errors.append(f"{kind}: {exc!r}")

        threads = [
            threading.Thread(target=work, args=(i, c), daemon=True) for i, c in enumerate(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 120)
        wall = time.perf_counter() - started
        app_cpu = process_tree_cpu(server.pid) - server_cpu_before
        database_cpu = process_tree_cpu(database_pid) - database_cpu_before if database_pid else 0
        # PostgreSQL's backends serve the same requests on the same cores
        server_cpu = app_cpu + database_cpu
        client_cpu = time.process_time() - client_cpu_before
        load_after = os.getloadavg()[0]
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()

    try:
        stored = set(
            json.loads(
                django_snippet(
                    env,
                    "import json\nfrom funding.models import Receipt\n"
                    f"print(json.dumps(list(Receipt.objects.filter(doc_no__contains='{run_id}')"
                    ".values_list('doc_no', flat=True))))",
                )
            )
        )
    finally:
        stop_database(pg_env)
        shutil.rmtree(folder, ignore_errors=True)

    lost = sorted(set(acknowledged) - stored)
    report = {
        "database": "postgresql" if args.postgres else "sqlite",
        "workers": args.workers,
        "threads": args.threads,
        "clients": args.clients,
        "target_rate": args.rate,
        "seconds": round(wall, 1),
        "requests": len(results),
        "requests_per_s": round(len(results) / wall, 1),
        "p50_ms": round(percentile([r[1] for r in results], 0.50) * 1000, 1),
        "p99_ms": round(percentile([r[1] for r in results], 0.99) * 1000, 1),
        "errors": len(errors),
        "writes_acknowledged": len(acknowledged),
        "writes_stored": len(stored),
        "lost_writes": len(lost),
        "server_cpu_s": round(server_cpu, 1),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / max(len(results), 1), 1),
        "database_cpu_ms_per_request": round(database_cpu * 1000 / max(len(results), 1), 1),
        # app server (+ PostgreSQL) CPU; what two cores given to them alone would carry at
        # this CPU cost per request
        "capacity_2_free_cores_req_per_s": round(2 * len(results) / server_cpu, 1)
        if server_cpu
        else None,
        "client_cpu_s": round(client_cpu, 1),
        "load_average": [round(load_before, 1), round(load_after, 1)],
        "cores": os.cpu_count(),
        "kinds": {},
        "first_errors": errors[:5],
    }
    for kind in ("cockpit/workbench", "lists", "receipt writes"):
        times = [r[1] for r in results if r[0] == kind]
        report["kinds"][kind] = {
            "requests": len(times),
            "p50_ms": round(percentile(times, 0.5) * 1000, 1),
            "p99_ms": round(percentile(times, 0.99) * 1000, 1),
        }
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return
    print(
        f"{report['database']}, {args.workers} workers × {args.threads} threads, "
        f"{args.clients} clients, target {args.rate:g} req/s, {report['seconds']} s"
    )
    print(
        f"  {report['requests']} requests, {report['requests_per_s']} req/s, "
        f"p50 {report['p50_ms']} ms, p99 {report['p99_ms']} ms, {report['errors']} errors"
    )
    for kind, figures in report["kinds"].items():
        print(
            f"    {kind:<18} {figures['requests']:>6}  p50 {figures['p50_ms']:>7} ms"
            f"  p99 {figures['p99_ms']:>7} ms"
        )
    print(
        f"  server CPU {report['server_cpu_s']} s = {report['server_cpu_ms_per_request']} ms a "
        f"request (PostgreSQL {report['database_cpu_ms_per_request']} ms of it) → about "
        f"{report['capacity_2_free_cores_req_per_s']} req/s on 2 cores given to "
        f"the server alone; client CPU {report['client_cpu_s']} s; load average "
        f"{report['load_average'][0]} → {report['load_average'][1]} on {report['cores']} cores"
    )
    print(f"  writes: {len(acknowledged)} acknowledged, {len(stored)} stored, {len(lost)} lost")
    for error in errors[:5]:
        print(f"  error: {error}")


if __name__ == "__main__":
    main()
