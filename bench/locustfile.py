"""The load test's simulated visitors, one class per scenario (see bench/bench_load_test.py).

Each visitor asks for pages at a steady rate (``COMMONGROUND_LOAD_RATE`` requests a second each), so
the offered load is the number of visitors times that rate however quickly the server answers; a
rate of 0 makes them ask again as soon as an answer arrives, which measures the most the server can
do. Signed-in visitors send a session that has already passed two-factor authentication, or an API
token, prepared by the benchmark. Anything but a 200 answer counts as an error.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
from typing import Any

from locust import FastHttpUser, constant, constant_throughput, task

CONFIG: dict[str, Any] = json.loads(
    Path(os.environ.get("COMMONGROUND_LOAD_CONFIG", "/dev/null")).read_text() or "{}"
)
RATE = float(os.environ.get("COMMONGROUND_LOAD_RATE", "1"))


def _waiting() -> Any:
    return constant_throughput(RATE) if RATE > 0 else constant(0)


class _Visitor(FastHttpUser):
    abstract = True
    wait_time = _waiting()
    scenario = ""

    def on_start(self) -> None:
        scenario = CONFIG["scenarios"][self.scenario]
        self.paths = itertools.cycle(scenario["paths"])
        self.headers = scenario.get("headers", {})

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
