"""Real B&NES and Exeter data, read once per test run."""

from __future__ import annotations

import pytest

from commonground.priorities.adjacency import LsoaBoundary, load_lsoa_boundaries, lsoa_adjacency
from commonground.priorities.need import LsoaRecord, load_lsoa_records
from commonground.priorities.tests.support import BANES, EXETER


@pytest.fixture(scope="session")
def records() -> list[LsoaRecord]:
    return load_lsoa_records(authority_codes=[BANES, EXETER])


@pytest.fixture(scope="session")
def boundaries() -> list[LsoaBoundary]:
    return load_lsoa_boundaries(authority_codes=[BANES, EXETER])


@pytest.fixture(scope="session")
def adjacency(boundaries: list[LsoaBoundary]) -> dict[str, frozenset[str]]:
    return lsoa_adjacency(boundaries)
