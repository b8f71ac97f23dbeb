"""`python -m bench` (`make bench`): seed a company, serve it with gunicorn, load it with locust, report.

Steps: create the database if missing, migrate, load the default rubric, seed (skipped when already
seeded at this scale), start gunicorn (2 x cores sync workers) on a free loopback port, run each
scenario for a fixed time in a separate headless locust process, then time the reminder dispatcher
(one Celery worker, local SMTP sink) and the empty sweep. Prints a table and writes
bench/results/latest.json. Every process it starts is stopped before it exits.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/interviewloop_bench"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/9"
# Served over plain HTTP on loopback: no HTTPS redirect, no secure-only cookies. Everything else is production.
SERVE_ENV = {
    "DEBUG": "0",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "STATIC_MANIFEST": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
}
SCENARIOS = [
    # key, locust user class, request names it reports; the floor runs first, the rest in issue 7's order
    ("floor", "FloorUser", ["health"]),
    ("debrief_api", "DebriefApiUser", ["debrief API"]),
    ("my_interviews", "MyInterviewsUser", ["my interviews"]),
    ("submit", "SubmitUser", ["PUT draft", "POST submit"]),
    ("debrief_page", "DebriefPageUser", ["debrief page"]),
    ("analytics", "AnalyticsUser", ["analytics API"]),
    ("loops_list", "LoopsListUser", ["loops list"]),
]
LABELS = {
    "debrief API": "1. debrief API",
    "my interviews": "2. my interviews",
    "PUT draft": "3. submit: PUT draft",
    "POST submit": "3. submit: POST submit",
    "debrief page": "4. debrief page (HTML)",
    "loops list": "7. loops list API",
    "health": "5. floor: health",
    "analytics API": "6. calibration API",
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 5,000 loops of 5 interviews (default)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load per scenario (default 20)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds at the start of each scenario not measured")
    parser.add_argument("--workers", type=int, default=2 * cores, help="gunicorn workers (default 2 x cores)")
    parser.add_argument("--users", type=int, default=None, help="concurrent locust users (default: one per worker)")
    parser.add_argument(
        "--reminders", type=int, default=10_000, help="due reminders for the dispatcher (default 10,000)"
    )
    parser.add_argument(
        "--dispatch-timeout", type=float, default=180.0, help="seconds before the dispatcher run is cut short"
    )
    parser.add_argument("--only", action="append", choices=[s[0] for s in SCENARIOS] + ["dispatcher", "sweep"],
                        help="run only these parts (repeatable); the floor always runs")  # fmt: skip
    parser.add_argument("--skip-seed", action="store_true", help="use the database as it is (it must be seeded)")
    parser.add_argument("--reseed", action="store_true", help="drop and recreate the bench database, then seed")
    parser.add_argument("--output", type=Path, default=None, help="JSON path (default bench/results/latest.json)")
    return parser.parse_args(argv)


def configure_environment() -> dict[str, str]:
    notes = {}
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = DEFAULT_DATABASE_URL
        notes["DATABASE_URL"] = f"DATABASE_URL unset: using {DEFAULT_DATABASE_URL}"
    if not os.environ.get("CELERY_BROKER_URL"):
        os.environ["CELERY_BROKER_URL"] = DEFAULT_BROKER_URL
        notes["CELERY_BROKER_URL"] = f"CELERY_BROKER_URL unset: using {DEFAULT_BROKER_URL}"
    if not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = "bench-only-secret-key-" + "x" * 40
    if not os.environ.get("CACHE_URL"):
        # As deployed (docker-compose), the web workers share a Redis cache: the calibration rows one worker computed
        # are every worker's. Here it is the broker's Redis (Django's cache keys never meet Celery's).
        os.environ["CACHE_URL"] = os.environ["CELERY_BROKER_URL"]
        notes["CACHE_URL"] = f"CACHE_URL unset: using {os.environ['CACHE_URL']}"
    for key, value in SERVE_ENV.items():
        os.environ[key] = value
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewloop.settings")
    for note in notes.values():
        log(note)
    return notes


def _database_config() -> dict[str, Any]:
    import environ

    return environ.Env.db_url_config(os.environ["DATABASE_URL"])


def redacted(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def ensure_database(*, drop: bool) -> None:
    """Create the PostgreSQL database if it is missing (drop it first with --reseed; only a *bench* database)."""
    import psycopg
    from psycopg import sql

    config = _database_config()
    if "postgresql" not in config["ENGINE"]:
        raise SystemExit(f"bench: needs PostgreSQL, DATABASE_URL is {config['ENGINE']}")
    name = config["NAME"]
    if drop and "bench" not in name:
        raise SystemExit(
            f"bench: refusing to drop {name!r}: --reseed only drops a database whose name contains 'bench'"
        )
    params = {
        "dbname": "postgres",
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and drop:
            log(f"dropping database {name}")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            log(f"creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare_schema() -> None:
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    call_command("seed_rubric", verbosity=0)


def seed_company(args: argparse.Namespace) -> dict[str, Any]:
    import django

    ensure_database(drop=args.reseed)
    django.setup()
    from django.core.management import call_command

    prepare_schema()
    result = _seed(args)
    # The seed writes rows straight to the database: the loops' stored debriefs are written after it.
    started = time.monotonic()
    call_command("rebuild_debriefs", "--missing", verbosity=0)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics as autovacuum would leave them after that many writes
    log(f"seed: stored debriefs written where missing in {time.monotonic() - started:.1f}s")
    return result


def _seed(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connections

    from bench import seed

    if args.skip_seed:
        marker = seed.seeded_marker()
        if marker is None:
            raise SystemExit("bench: --skip-seed but the database was never seeded")
        log(f"seed: skipped (--skip-seed); seeded at scale {marker['scale']}")
        return {"skipped": True, "scale": float(marker["scale"]), "seconds": 0.0, "rows": seed.row_counts()}
    try:
        return seed.seed(scale=args.scale, log=log)
    except seed.NeedsReseed as reason:
        if "bench" not in _database_config()["NAME"]:
            raise SystemExit(f"bench: {reason}; point DATABASE_URL at a database of its own") from None
        log(f"seed: {reason}: recreating the database")
        connections.close_all()
        ensure_database(drop=True)
        prepare_schema()
        return seed.seed(scale=args.scale, log=log)


def scenario_paths(loop_id: int, interview_id: int) -> tuple[dict[str, str], dict[str, str]]:
    """Each scenario's URL template, or why it is not available (its endpoint is not routed)."""
    from django.urls import NoReverseMatch, Resolver404, resolve, reverse

    paths: dict[str, str] = {}
    missing: dict[str, str] = {}

    def routed(key: str, template: str, sample_id: int) -> None:
        try:
            resolve(template.format(id=sample_id))
            paths[key] = template
        except Resolver404:
            missing[key] = f"{template.format(id='{id}')} is not routed yet"

    routed("health", "/api/health/", 0)
    routed("debrief_api", "/api/loops/{id}/debrief/", loop_id)
    routed("my_interviews", "/api/interviews/", 0)
    routed("scorecard", "/api/interviews/{id}/scorecard/", interview_id)
    routed("submit", "/api/interviews/{id}/scorecard/submit/", interview_id)
    routed("analytics", "/api/analytics/interviewers/", 0)
    routed("loops_list", "/api/loops/", 0)
    try:
        marker = 987654321
        paths["debrief_page"] = reverse("loop-debrief", args=[marker]).replace(str(marker), "{id}")
    except NoReverseMatch:
        missing["debrief_page"] = "the page 'loop-debrief' is not routed yet"
    return paths, missing


def analytics_queries() -> list[str]:
    """The query strings the calibration scenario asks for, as recruiters would: the whole history, each position,
    the last quarter."""
    from datetime import timedelta

    from django.utils import timezone

    from interviewloop.models import Position

    since = (timezone.localdate() - timedelta(days=90)).isoformat()
    positions = Position.objects.order_by("id").values_list("id", flat=True)
    return ["", *(f"?position={position}" for position in positions), f"?since={since}"]


def first_reads(base: str, path: str, queries: list[str], token: str) -> dict[str, float]:
    """Read each query once, one after the other, before the load: the first recruiter of the day computes the rows
    (timed here: the uncached cost), the scenario then measures the reads a team makes all day."""
    times = {}
    for query in queries:
        request = urllib.request.Request(f"{base}{path}{query}", headers={"Authorization": f"Token {token}"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
        times[query or "(everything)"] = round((time.perf_counter() - started) * 1000, 1)
    return times


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, *, workers: int, log_dir: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.log_path = log_dir / "gunicorn.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "interviewloop.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--worker-class",
                "sync",
                "--timeout",
                "60",
                "--graceful-timeout",
                "10",
                "--log-level",
                "warning",
            ],
            cwd=str(ROOT),
            env=dict(os.environ),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/api/health/", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise SystemExit(f"bench: gunicorn did not start; see {self.log_path}")
            time.sleep(0.2)
        log(f"gunicorn: {self.workers} sync workers on {self.url} (log: {self.log_path})")
        return self

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the workers: unlike latency, it does not grow when other
        processes on the machine compete for the cores, so CPU per request compares runs made under any load."""
        assert self.process is not None
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:  # ppid: a worker of this gunicorn
                total += int(fields[11]) + int(fields[12])  # utime + stime
        return total / tick

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def run_locust(*, user_class: str, host: str, users: int, duration: float, warmup: float, data_path: Path,
               out_dir: Path) -> dict[str, Any]:  # fmt: skip
    samples_path = out_dir / f"samples-{user_class}.json"
    samples_path.unlink(missing_ok=True)
    env = {**os.environ, "BENCH_DATA": str(data_path), "BENCH_SAMPLES": str(samples_path), "BENCH_WARMUP": str(warmup)}
    run_time = max(1, round(duration + warmup))
    command = [
        sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py")), "--headless",
        "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{run_time}s", "--host", host,
        "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "5", "--exit-code-on-error", "0", user_class,
    ]  # fmt: skip
    with open(out_dir / f"locust-{user_class}.log", "w") as output:
        subprocess.run(command, env=env, stdout=output, stderr=subprocess.STDOUT, timeout=run_time + 90, check=False)
    if not samples_path.exists():
        raise RuntimeError(f"locust wrote no samples; see {out_dir / f'locust-{user_class}.log'}")
    return json.loads(samples_path.read_text())


def measure(raw: dict[str, Any], names: list[str]) -> list[dict[str, Any]]:
    from bench.report import summarize

    seconds = max(1e-9, (raw.get("window_end") or 0) - (raw.get("window_start") or 0))
    rows = []
    for name in names:
        picked = [sample for sample in raw["samples"] if sample[0] == name]
        stats = summarize([s[1] for s in picked], sum(s[2] for s in picked), seconds)
        errors = {message: count for message, count in raw.get("errors", {}).items() if f" {name}: " in f" {message}"}
        rows.append({"name": name, **stats, "error_samples": dict(list(errors.items())[:5])})
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    notes = configure_environment()
    out_dir = (args.output or ROOT / "bench" / "results" / "latest.json").parent
    out_dir.mkdir(parents=True, exist_ok=True)
    started_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    load_before = [round(x, 2) for x in os.getloadavg()]
    log(f"load average before: {load_before}")

    seed_result = seed_company(args)

    from django.db import connection

    from bench import dispatcher, report, seed

    users = args.users or args.workers
    wanted = set(args.only or [s[0] for s in SCENARIOS] + ["dispatcher", "sweep"]) | {"floor"}
    # The submit pool: enough fresh interviews that the scenario cannot run dry at a few hundred submits/s.
    pool_size = int(max(500, 120 * (args.duration + args.warmup))) if "submit" in wanted else 0
    company = seed.company(submit_pool=pool_size)
    sample_interview = company.submit_pool[0][1] if company.submit_pool else 1
    paths, missing = scenario_paths(company.loop_ids[0], sample_interview)
    data_path = out_dir / "run-data.json"
    data_path.write_text(
        json.dumps(
            {
                "paths": paths,
                "recruiter_tokens": company.recruiter_tokens,
                "interviewer_tokens": list(company.interviewer_tokens.values()),
                "loop_ids": company.loop_ids,
                "recruiter_sessions": company.recruiter_sessions,
                "submit_pool": company.submit_pool,
                "dimension_keys": company.dimension_keys,
                "red_flag_keys": company.red_flag_keys,
                "thread_keys": company.thread_keys,
                # the calibration scenario's filters: everything, each position, the last 90 days
                "analytics_queries": analytics_queries(),
            }
        )
    )

    rows: list[dict[str, Any]] = []
    cold: dict[str, float] = {}
    with Gunicorn(workers=args.workers, log_dir=out_dir) as server:
        for scenario, user_class, names in SCENARIOS:
            if scenario not in wanted:
                continue
            needs = {"submit": ["scorecard", "submit"]}.get(scenario, [scenario if scenario != "floor" else "health"])
            absent = [missing[key] for key in needs if key in missing]
            if absent:
                log(f"{scenario}: not available: {'; '.join(absent)}")
                rows += [
                    {
                        "scenario": scenario,
                        "name": name,
                        "label": LABELS[name],
                        "available": False,
                        "reason": "; ".join(absent),
                    }
                    for name in names
                ]
                continue
            if scenario == "analytics":
                cold_ms = first_reads(server.url, paths["analytics"], analytics_queries(), company.recruiter_tokens[0])
                log(f"analytics: first (uncached) reads, ms: {cold_ms}")
                cold.update(cold_ms)
            log(f"{scenario}: {users} users for {args.duration:g}s (+{args.warmup:g}s warm-up) ...")
            cpu_before = server.cpu_seconds()
            try:
                raw = run_locust(
                    user_class=user_class, host=server.url, users=users, duration=args.duration, warmup=args.warmup,
                    data_path=data_path, out_dir=out_dir,
                )  # fmt: skip
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                log(f"{scenario}: the load run failed: {error}")
                rows += [
                    {
                        "scenario": scenario,
                        "name": name,
                        "label": LABELS[name],
                        "available": False,
                        "reason": str(error),
                    }
                    for name in names
                ]
                continue
            cpu_ms = (server.cpu_seconds() - cpu_before) * 1000
            per_request = round(cpu_ms / raw["all_requests"], 2) if raw.get("all_requests") else None
            for row in measure(raw, names):
                rows.append(
                    {
                        "scenario": scenario,
                        "label": LABELS[row["name"]],
                        "available": True,
                        **row,
                        # per request of the scenario (a submit scenario's figure covers its draft and submit)
                        "server_cpu_ms_per_request": per_request,
                    }
                )
                log(
                    f"{scenario}: {row['name']}: {row['requests']} requests, p50 {row['p50_ms']} ms, errors {row['errors']}"
                )
    report.add_floor_ratios(rows)

    broker_env = dict(os.environ)
    dispatch = {"available": False, "reason": "not run (--only)"}
    dispatch_solo = dict(dispatch)
    if "dispatcher" in wanted:
        for pool in dispatcher.POOLS:
            log(f"dispatcher: {args.reminders} reminders through one worker, {pool} pool ...")
            outcome = dispatcher.run(
                reminders=args.reminders, env=broker_env, log_dir=out_dir, timeout=args.dispatch_timeout, pool=pool,
                log=log,
            )  # fmt: skip
            if pool == "solo":
                dispatch_solo = outcome
            else:
                dispatch = outcome
    sweep = {"available": False, "reason": "not run (--only)"}
    if "sweep" in wanted:
        sweep = dispatcher.time_empty_sweep()
        if sweep.get("explain"):
            log("empty sweep: the claim query's plan:\n" + sweep["explain"])

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    result = {
        "started_at": started_at,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "postgresql": server_version,
            # Other work on the machine skews every figure: the load average before and after says how much.
            "load_average_before": load_before,
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "config": {
            "scale": args.scale,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "gunicorn_workers": args.workers,
            "locust_users": users,
            "database": redacted(os.environ["DATABASE_URL"]),
            "broker": redacted(os.environ["CELERY_BROKER_URL"]),
            "defaults_used": list(notes),
        },
        "seed": seed_result,
        "scenarios": rows,
        "dispatcher": dispatch,
        "dispatcher_solo": dispatch_solo,
        "sweep": sweep,
        # the calibration API's first read of each query, computed rather than served from the cache (no target)
        "analytics_first_reads_ms": cold,
    }
    result["targets"] = report.check_targets(rows, dispatch, sweep)
    path = report.write(result, args.output)
    print()
    print(report.table(result))
    print()
    log(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
