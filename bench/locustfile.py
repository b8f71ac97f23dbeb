"""The load: one locust user class per scenario; `python -m bench` runs them one at a time, headless.

Locust's own percentiles are rounded to whole milliseconds, too coarse for a 2 ms floor, so every
response time (float ms) after the warm-up is written to BENCH_SAMPLES and the harness computes
the percentiles. BENCH_DATA is the JSON the harness wrote: tokens, ids, session keys, the submit pool.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

DATA = json.loads(Path(os.environ["BENCH_DATA"]).read_text()) if os.environ.get("BENCH_DATA") else {}
WARMUP = float(os.environ.get("BENCH_WARMUP", "2"))
SAMPLES_PATH = os.environ.get("BENCH_SAMPLES", "")
_started = time.monotonic()
_samples: list[tuple[str, float, int]] = []  # (name, response ms, 1 if failed)
_errors: dict[str, int] = {}
_window: list[float] = []  # first and last measured request times (monotonic)
_all_requests = [0]  # warm-up included: the server's CPU time is divided by this


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    now = time.monotonic()
    _all_requests[0] += 1
    if now - _started < WARMUP:
        return
    if not _window:
        _window.extend([now - response_time / 1000.0, now])
    _window[1] = now
    _samples.append((name, float(response_time), 1 if exception else 0))
    if exception:
        message = f"{request_type} {name}: {str(exception)[:160]}"
        _errors[message] = _errors.get(message, 0) + 1


@events.quitting.add_listener
def _dump(environment, **kwargs):
    if not SAMPLES_PATH:
        return
    with open(SAMPLES_PATH, "w") as out:
        json.dump(
            {
                "window_start": _window[0] if _window else None,
                "window_end": _window[1] if _window else None,
                "samples": _samples,
                "errors": _errors,
                "all_requests": _all_requests[0],
            },
            out,
        )


def _call(client, method: str, path: str, *, name: str, headers: dict[str, str], data: str | None = None) -> bool:
    """One request that must answer 2xx without a redirect (a redirect to the login page is a failure, not a page)."""
    with client.request(
        method, path, data=data, headers=headers, name=name, allow_redirects=False, catch_response=True
    ) as response:
        if not 200 <= response.status_code < 300:
            response.failure(f"HTTP {response.status_code}: {(response.text or '')[:120]}")
            return False
        response.success()
        return True


def _token_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}", "Accept": "application/json"}


class FloorUser(FastHttpUser):
    """5. The floor: one `SELECT 1` behind the whole middleware stack (broker check cached)."""

    wait_time = constant(0)

    @task
    def health(self):
        _call(self.client, "GET", "/api/health/", name="health", headers={"Accept": "application/json"})


class DebriefApiUser(FastHttpUser):
    """1. A recruiter reading random loops' debriefs before a hiring meeting."""

    wait_time = constant(0)

    def on_start(self):
        self.headers = _token_headers(random.choice(DATA["recruiter_tokens"]))

    @task
    def debrief(self):
        loop_id = random.choice(DATA["loop_ids"])
        _call(
            self.client,
            "GET",
            DATA["paths"]["debrief_api"].format(id=loop_id),
            name="debrief API",
            headers=self.headers,
        )


class MyInterviewsUser(FastHttpUser):
    """2. An interviewer opening their own interviews list."""

    wait_time = constant(0)

    def on_start(self):
        self.tokens = list(DATA["interviewer_tokens"])

    @task
    def my_interviews(self):
        headers = _token_headers(random.choice(self.tokens))
        _call(self.client, "GET", DATA["paths"]["my_interviews"], name="my interviews", headers=headers)


class LoopsListUser(FastHttpUser):
    """7. A recruiter on their home page, the loops list (its first page, newest first)."""

    wait_time = constant(0)

    def on_start(self):
        self.headers = _token_headers(random.choice(DATA["recruiter_tokens"]))

    @task
    def loops(self):
        _call(self.client, "GET", DATA["paths"]["loops_list"], name="loops list", headers=self.headers)


_pool = list(DATA.get("submit_pool", []))
random.shuffle(_pool)


def scorecard_body(rng: random.Random) -> dict:
    """A complete scorecard the rules accept: no 1s, evidence on every score, a vote at or under the ceiling."""
    scores = {
        key: {"score": rng.choice([3, 4, 4, 5]), "evidence": "Walked through the rollout plan."}
        for key in DATA["dimension_keys"]
    }
    threads = [
        {"key": key, "signal": rng.choice(["great", "okay"]), "notes": "Good follow-up."}
        for key in rng.sample(DATA["thread_keys"], 2)
    ]
    flagged = rng.random() < 0.15
    return {
        "scores": scores,
        "red_flags": [{"key": rng.choice(DATA["red_flag_keys"]), "evidence": "Said it twice."}] if flagged else [],
        "threads": threads,
        "gut_check": {"work_with": "yes", "trust_day_one": "yes", "month_one_success": "yes"},
        "vote": "no" if flagged else "yes",
        "summary": "Solid systems thinking; clear on failure modes.",
    }


class SubmitUser(FastHttpUser):
    """3. Interviewers right after a call: save the scorecard draft, then submit it (fresh interviews, note written)."""

    wait_time = constant(0)

    def on_start(self):
        self.rng = random.Random()

    @task
    def submit(self):
        if not _pool:
            raise StopUser()
        token, interview_id = _pool.pop()
        headers = {**_token_headers(token), "Content-Type": "application/json"}
        body = scorecard_body(self.rng)
        path = DATA["paths"]["scorecard"].format(id=interview_id)
        if _call(self.client, "PUT", path, name="PUT draft", headers=headers, data=json.dumps(body)):
            _call(
                self.client,
                "POST",
                DATA["paths"]["submit"].format(id=interview_id),
                name="POST submit",
                headers=headers,
                data="{}",
            )


class DebriefPageUser(FastHttpUser):
    """4. A recruiter opening the debrief page (HTML, session cookie)."""

    wait_time = constant(0)

    def on_start(self):
        session = random.choice(DATA["recruiter_sessions"])
        self.headers = {"Cookie": f"sessionid={session}", "Accept": "text/html"}

    @task
    def page(self):
        loop_id = random.choice(DATA["loop_ids"])
        _call(
            self.client,
            "GET",
            DATA["paths"]["debrief_page"].format(id=loop_id),
            name="debrief page",
            headers=self.headers,
        )


class AnalyticsUser(FastHttpUser):
    """6. A recruiter reading the calibration report: everyone, one position, or the last quarter."""

    wait_time = constant(0)

    def on_start(self):
        self.headers = _token_headers(random.choice(DATA["recruiter_tokens"]))

    @task
    def analytics(self):
        query = random.choice(DATA["analytics_queries"])
        _call(self.client, "GET", DATA["paths"]["analytics"] + query, name="analytics API", headers=self.headers)
