"""Fixtures for insight's Django tests. Imports stay inside fixtures so that the pure-Python tests
in this folder still run without Django settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def model_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("taggers")


@pytest.fixture(autouse=True)
def _isolated_model_store(request: pytest.FixtureRequest, model_store: Path) -> Iterator[None]:
    """Every Django test stores tagger versions in a throwaway folder and starts with no cache."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    settings = request.getfixturevalue("settings")
    settings.INSIGHT_MODEL_DIR = str(model_store)
    from commonground.insight import store

    store.forget()
    yield
    store.forget()


@pytest.fixture(scope="session")
def seed_tagger_directory(model_store: Path) -> Path:
    """A tagger trained once per run on the demo's seed notes, saved in the model store."""
    from commonground.insight.demo import seed_examples
    from commonground.insight.tagger import ThemeTagger

    examples = seed_examples(160, seed=7)
    tagger = ThemeTagger().fit([text for text, _ in examples], [themes for _, themes in examples])
    directory = model_store / tagger.version
    tagger.save(directory)
    return directory


@pytest.fixture
def active_tagger(db: Any, seed_tagger_directory: Path) -> Any:
    """The seed tagger registered as the version in use."""
    import json

    from commonground.insight.models import TaggerModel

    metadata = json.loads((seed_tagger_directory / "metadata.json").read_text())
    return TaggerModel.objects.create(
        version=metadata["version"],
        status=TaggerModel.Status.ACTIVE,
        directory=seed_tagger_directory.name,
        training_size=metadata["training_size"],
        themes=metadata["themes"],
        review_threshold=0.7,
    )
