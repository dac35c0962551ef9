"""The load test's simulated visitors, one class per scenario (see bench/bench_load_test.py).

Each visitor asks for pages at random moments, ``COMMONGROUND_LOAD_RATE`` a second on average: the
gaps between one visitor's requests are drawn from an exponential distribution, measured from when
the previous request was due rather than when it was answered, so the visitors together make a
Poisson stream of requests (as independent people do) whose rate is the number of visitors times
that rate however quickly the server answers. Visitors that all asked exactly once a second would
stay in step and arrive together, a burst no real population makes. A rate of 0 makes them ask
again as soon as an answer arrives, which measures the most the server can do. Signed-in visitors send a session that has already passed two-factor authentication, or an API
token, prepared by the benchmark. Anything but a 200 answer counts as an error.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, task

CONFIG: dict[str, Any] = json.loads(
    Path(os.environ.get("COMMONGROUND_LOAD_CONFIG", "/dev/null")).read_text() or "{}"
)
RATE = float(os.environ.get("COMMONGROUND_LOAD_RATE", "1"))


class _Visitor(FastHttpUser):
    abstract = True
    scenario = ""

    def wait_time(self) -> float:
        if RATE <= 0:
            return 0.0
        self.due += random.expovariate(RATE)
        return max(0.0, self.due - time.monotonic())

    def on_start(self) -> None:
        scenario = CONFIG["scenarios"][self.scenario]
        self.paths = itertools.cycle(scenario["paths"])
        self.headers = scenario.get("headers", {})
        if RATE > 0:
            gevent.sleep(random.expovariate(RATE))
        self.due = time.monotonic()

    @task
    def visit(self) -> None:
        path = next(self.paths)
        with self.client.get(
            path,
            headers=self.headers,
            name=self.scenario,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} from {path}")


class OrganiserDashboard(_Visitor):
    scenario = "organiser_dashboard"


class AreaEvidence(_Visitor):
    scenario = "area_evidence"


class PublicNeighbourhood(_Visitor):
    scenario = "public_neighbourhood"


class ApiLists(_Visitor):
    scenario = "api_lists"
