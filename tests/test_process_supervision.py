"""What runs the processes notices when one dies (issue 15, "Faults").

Production (docker-compose.yml): every long-running service restarts `unless-stopped`, so a worker or beat that
exits comes back; the worker's health check pings the worker's own node (run here, for real, against a real worker
started with the compose file's own command). `make run` (honcho, Procfile.dev): when any process dies the others
are stopped too and honcho exits non-zero, saying which one stopped, so the demo is never left half-up, with pages
that work while nothing sends the reminders.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess

import pytest
import yaml

from tests.debriefs.reminder_fixtures import ROOT, Process, free_port, start_redis, wait_for

BIN = ROOT / ".venv" / "bin"


def compose_services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def accepts(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_compose_restarts_every_long_running_service_that_exits():
    services = compose_services()
    for name in ("db", "redis", "web", "worker", "beat"):
        assert services[name]["restart"] == "unless-stopped", name
    assert services["migrate"]["restart"] == "no"  # a one-shot: done when it exits


def test_the_compose_worker_health_check_answers_for_a_worker_started_by_the_compose_command(tmp_path):
    # given: a worker started exactly as compose starts it (its command, with this virtualenv's celery)
    services = compose_services()
    command = services["worker"]["command"]
    assert command[0] == "celery"
    port = free_port()
    redis = start_redis(port, tmp_path)
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",  # `celery` is this virtualenv's, as in the image
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{port}/0",
        "HOSTNAME": socket.gethostname(),  # what Docker sets in a container: its hostname
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REQUIRE_REAL_STACK", None)
    worker = Process("worker", [*command, "--pool=solo"], env, tmp_path)
    try:
        wait_for(lambda: " ready." in worker.log(), timeout=30, what=f"the worker\n{worker.log()}")
        # when: compose's health check runs in the worker's container ($$ is compose's escape for a literal $)
        kind, check = services["worker"]["healthcheck"]["test"]
        assert kind == "CMD-SHELL"
        result = subprocess.run(
            ["sh", "-c", check.replace("$$", "$")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        # then: this worker, by its own node name, answers
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"worker@{socket.gethostname()}: OK" in result.stdout
    finally:
        worker.kill()
        redis.kill()


@pytest.mark.parametrize("dying", ["worker", "beat"])
def test_make_run_stops_everything_visibly_when_the_worker_or_beat_dies(dying, tmp_path):
    # given: `make run`'s process manager running Procfile.dev on the embedded stack, in a scratch folder
    port = free_port()
    env = {
        **{key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "CELERY_BROKER_URL")},
        "DEBUG": "1",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_FOLDER": str(tmp_path / "broker"),
        "CELERY_BEAT_SCHEDULE_FILE": str(tmp_path / "celerybeat-schedule"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REQUIRE_REAL_STACK", None)
    honcho = Process("honcho", [str(BIN / "honcho"), "--procfile", "Procfile.dev", "start"], env, tmp_path)
    pids: dict[str, int] = {}
    try:
        wait_for(
            lambda: accepts(port) and " ready." in honcho.log() and "beat: Starting" in honcho.log(),
            timeout=60,
            what=f"web, worker and beat\n{honcho.log()}",
        )
        pids = processes_started(honcho.log())
        assert set(pids) == {"web", "worker", "beat"}

        # when: one of them dies outright
        os.killpg(pids[dying], signal.SIGKILL)

        # then: honcho stops the others and exits with an error, saying which one stopped first
        returncode = honcho.popen.wait(30)
        assert returncode != 0
        assert f"{dying}.1 stopped (rc=-9)" in honcho.log()
        # and nothing is left running: no web server answering pages, no worker, no beat
        wait_for(
            lambda: not any(process_group_alive(pid) for pid in pids.values()) and not accepts(port),
            timeout=20,
            what=f"every process to stop\n{honcho.log()}",
        )
    finally:
        honcho.kill()
        for pid in pids.values():  # honcho starts each in a session of its own: end them too, however we got here
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)


def processes_started(log: str) -> dict[str, int]:
    """honcho's "system | <name>.1 started (pid=N)" lines: each Procfile entry's process (and process group) id."""
    started = re.findall(r"\| (\w+)\.1 started \(pid=(\d+)\)", log)
    return {name: int(pid) for name, pid in started}


def process_group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
